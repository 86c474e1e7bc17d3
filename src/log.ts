/**
 * The project's structured logger: pino underneath, behind the small `Logger` interface the rest of
 * the code uses. Everything written passes through `redact` first: the message, every field value
 * and key (nested, in arrays, in errors and their causes) and a child's bindings, so a bot token or
 * a phone number that slips into an error message never reaches the log.
 *
 * Redaction works on values before pino serialises them, not on the finished JSON line: in the
 * line a newline inside a string is the two characters `\n`, and the `n` would hide a phone number
 * that follows it from the pattern (which needs a non-word character before the digits), and a
 * long number replaced in the line would no longer be valid JSON.
 */
import { pino, type DestinationStream, type Logger as Pino } from "pino";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

// No \b before the digits: in a Bot API URL the token follows "bot" directly.
const TOKEN = /(?<!\d)\d{3,}:[A-Za-z0-9_-]{30,}/g;
// Runs of 9 to 15 digits with optional separators, optionally after +: phone numbers in any
// format (and IINs). Not when glued to a word (a migration named 20261126064132_init), nor after a
// minus (a Telegram group id such as -1001234567890, which an operator needs to read). After an
// underscore it is masked: a WhatsApp message id is "false_77011234567@c.us_3EB0..." (breaker9).
const PHONE = /(?<![A-Za-z0-9+-])\+?\d(?:[\s().-]*\d){8,14}(?![\w])/g;

/** Masks bot tokens and phone-like digit runs. */
export function redact(text: string): string {
  return text.replace(TOKEN, "<token>").replace(PHONE, (m) => (m.replace(/\D/g, "").length >= 9 ? "<phone>" : m));
}

type Fields = Record<string, unknown>;

/** Deeper than this a field is cut: a log line is not a dump. */
const MAX_DEPTH = 8;
/** Stack frames kept for an error: enough to find the place, short enough for one line. */
const STACK_FRAMES = 5;

/**
 * A JSON-safe copy of `value` with every string redacted. An Error becomes { name, message, stack
 * (its first frames), cause }; a number that reads as a phone number becomes "<phone>"; a cycle
 * becomes "[Circular]"; functions and symbols are dropped, as JSON would.
 */
function clean(value: unknown, depth = 0, path: object[] = []): unknown {
  switch (typeof value) {
    case "string":
      return redact(value);
    case "number": {
      const text = String(value);
      return redact(text) === text ? value : "<phone>";
    }
    case "bigint":
      return redact(value.toString());
    case "boolean":
    case "undefined":
      return value;
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (path.includes(object)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[…]";
  path.push(object);
  try {
    if (object instanceof Error) {
      const described: Fields = {
        name: redact(object.name),
        message: redact(object.message),
        stack: redact(object.stack?.split("\n").slice(1, 1 + STACK_FRAMES).join("\n") ?? ""),
      };
      if (object.cause !== undefined) described.cause = clean(object.cause, depth + 1, path);
      return described;
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return clean(toJSON.call(object), depth + 1, path);
    if (Array.isArray(object)) return object.map((item) => clean(item, depth + 1, path));
    return cleanFields(object as Fields, depth + 1, path);
  } finally {
    path.pop();
  }
}

function cleanFields(fields: Fields, depth = 0, path: object[] = []): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) out[redact(key)] = clean(value, depth, path);
  return out;
}

/** Keys of the line itself: a field of that name is written as `_level` etc. instead. */
const RESERVED = new Set(["level", "time", "msg"]);

/** `cleanFields` for the top level of a line (a call's fields, a child's bindings). */
function cleanTop(fields: Fields): Fields {
  const out = cleanFields(fields);
  for (const key of Object.keys(out)) {
    if (!RESERVED.has(key)) continue;
    out[`_${key}`] = out[key];
    delete out[key];
  }
  return out;
}

/** Where lines go: a function (tests), a file (console mode), else stderr. */
function destinationOf(opts: { write?: (line: string) => void; file?: string }): DestinationStream {
  const write = opts.write;
  if (write) return { write: (line: string) => write(line.endsWith("\n") ? line.slice(0, -1) : line) };
  // Synchronous writes: a line logged just before the process exits is on disk, with no flush to
  // forget on any of the ways out (signal, fatal error, process.exit).
  if (opts.file) return pino.destination({ dest: opts.file, append: true, mkdir: true, sync: true });
  return pino.destination({ dest: 2, sync: true });
}

function wrap(root: Pino, bindings: Fields): Logger {
  // Children are made from the root with the merged bindings, and a call whose fields rebind a
  // bound key is written by the root with everything merged: pino would repeat such a key in the
  // line (two "chat" keys), where the project's logger has always let the newer value win.
  const bound = Object.keys(bindings).length ? root.child(bindings) : root;
  const keys = new Set(Object.keys(bindings));
  const emit =
    (level: LogLevel) =>
    (msg: string, fields?: Fields): void => {
      if (!root.isLevelEnabled(level)) return;
      const own = fields ? cleanTop(fields) : {};
      if (Object.keys(own).some((key) => keys.has(key))) root[level]({ ...bindings, ...own }, redact(msg));
      else bound[level](own, redact(msg));
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => wrap(root, { ...bindings, ...cleanTop(fields) }),
  };
}

function build(level: LogLevel | "silent", destination: DestinationStream, fields: Fields): Logger {
  const root = pino(
    {
      level,
      base: undefined, // no pid and hostname on every line
      timestamp: pino.stdTimeFunctions.isoTime,
      // "info", not 30: a person reading the file (or grepping it for "error") reads the word.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(root, cleanTop(fields));
}

/**
 * A JSON-lines logger: `{"level":"info","time":"2026-11-30T02:07:01.000Z",...fields,"msg":"..."}`,
 * redacted as described above; a field named level, time or msg is written as `_level` etc.
 * Writes to `write` (one line, no newline, per call) if given, else appends to `file` (created
 * with its folder if missing), else to stderr; both synchronously.
 * `level` (default "info") drops lines below it; `fields` are put on every line.
 */
export function createLogger(opts: {
  level?: LogLevel;
  write?: (line: string) => void;
  file?: string;
  fields?: Record<string, unknown>;
} = {}): Logger {
  return build(opts.level ?? "info", destinationOf(opts), opts.fields ?? {});
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = build("silent", { write: () => {} }, {});
