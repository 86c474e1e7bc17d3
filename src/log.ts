/**
 * A small structured logger. Every line passes through `redact`, so a bot token or a phone
 * number that slips into an error message never reaches the log.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
// minus (a Telegram group id such as -1001234567890, which an operator needs to read).
const PHONE = /(?<![\w+-])\+?\d(?:[\s().-]*\d){8,14}(?![\w])/g;

/** Masks bot tokens and phone-like digit runs. */
export function redact(text: string): string {
  return text.replace(TOKEN, "<token>").replace(PHONE, (m) => (m.replace(/\D/g, "").length >= 9 ? "<phone>" : m));
}

function describe(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack?.split("\n").slice(1, 6).join("\n") };
  }
  return value;
}

export function createLogger(opts: {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const base = opts.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const record: Record<string, unknown> = { t: new Date().toISOString(), level, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = describe(v);
    write(redact(JSON.stringify(record)));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
