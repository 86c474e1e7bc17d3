/**
 * Configuration, parsed once at start with zod. This is the only module that reads process.env.
 * A wrong value stops start-up with a message that names the variable and how to fix it.
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { LOCALES } from "./i18n/locales.ts";

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === "" ? undefined : v));

/**
 * Why a PostgreSQL DATABASE_URL that passes the pattern still cannot be used (an unparseable host
 * or port, a bad `connection_limit`), or undefined. Never quotes the URL: it holds the password.
 */
function postgresUrlProblem(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\//i.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL (check the host and the port, 1-65535, and percent-encode special characters in the password)";
  }
  const limit = parsed.searchParams.get("connection_limit");
  if (limit !== null && !/^[1-9]\d{0,3}$/.test(limit)) return "connection_limit must be a whole number of connections, at least 1";
  return undefined;
}

const schema = z
  .object({
    TELEGRAM_BOT_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^\d{3,}:[A-Za-z0-9_-]{30,}$/, "must look like 123456789:AA... (the token BotFather gives)")
        .optional(),
    ),
    TELEGRAM_API_ROOT: optionalString.pipe(z.url({ message: "must be a URL such as http://127.0.0.1:8081" }).optional()),
    TELEGRAM_WEBHOOK_URL: optionalString.pipe(
      z.url({ message: "must be the public https URL Telegram should post updates to" }).optional(),
    ),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        .optional(),
    ),
    PORT: optionalString
      .pipe(z.string().regex(/^\d{1,5}$/, "must be a port number such as 8080").optional())
      .transform((v) => (v === undefined ? 8080 : Number(v)))
      .pipe(z.number().int().min(1, "must be between 1 and 65535").max(65535, "must be between 1 and 65535")),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(
          /^(file:.+|postgres(ql)?:\/\/[^/?#\s]+\/[^/?#\s]+(\?\S*)?)$/i,
          'must be a SQLite file URL such as "file:./data/bot.db" or a PostgreSQL URL such as "postgresql://user:password@host:5432/db"' +
            " (characters such as / # ? in the password percent-encoded: %2F %23 %3F)",
        )
        // The message never quotes the value: it holds the password.
        .refine((v) => postgresUrlProblem(v) === undefined, {
          error: (issue) => postgresUrlProblem(String(issue.input)) ?? "is not valid",
        })
        .default("file:./data/bot.db"),
    ),
    STAFF_TELEGRAM_IDS: optionalString.pipe(
      z
        .string()
        .regex(/^\s*\d{1,15}\s*(,\s*\d{1,15}\s*)*$/, "must be comma-separated Telegram user ids, e.g. 12345,67890")
        .optional()
        .transform((v) => (v ? [...new Set(v.split(",").map((s) => s.trim()))] : [])),
    ),
    STAFF_CHAT_ID: optionalString.pipe(
      z
        .string()
        .regex(/^-\d{1,20}$/, "must be the id of a Telegram group, a negative number such as -1001234567890")
        .optional(),
    ),
    DEFAULT_LOCALE: optionalString.pipe(z.enum(LOCALES, { message: "must be kk, ru or en" }).default("ru")),
    TELEGRAM_FLOOD_LIMITS: optionalString.pipe(
      z.enum(["telegram", "off"], { message: 'must be "telegram" (Telegram\'s limits) or "off" (only against a fake Bot API, e.g. the benchmark)' }).default("telegram"),
    ),
    TELEGRAM_SENDS_PER_SECOND: optionalString
      .pipe(z.string().regex(/^\d{1,2}$/, "must be a whole number of messages per second, 1 to 30").optional())
      .transform((v) => (v === undefined ? 25 : Number(v)))
      .pipe(z.number().int().min(1, "must be between 1 and 30").max(30, "must be between 1 and 30 (Telegram's limit for a bot)")),
    TELEGRAM_PAID_BROADCAST: optionalString
      .pipe(z.enum(["true", "false"], { message: 'must be "true" (announcements as paid broadcasts, billed in Telegram Stars) or "false"' }).default("false"))
      .transform((v) => v === "true"),
    TELEGRAM_PAID_SENDS_PER_SECOND: optionalString
      .pipe(z.string().regex(/^\d{1,4}$/, "must be a whole number of messages per second, 1 to 1000").optional())
      .transform((v) => (v === undefined ? 100 : Number(v)))
      .pipe(z.number().int().min(1, "must be between 1 and 1000").max(1000, "must be between 1 and 1000 (Telegram's limit for paid broadcasts)")),
    OUTBOX_RETENTION_DAYS: optionalString
      .pipe(z.string().regex(/^\d{1,4}$/, "must be a whole number of days, e.g. 30").optional())
      .transform((v) => (v === undefined ? 30 : Number(v)))
      .pipe(z.number().int().min(1, "must be between 1 and 3650").max(3650, "must be between 1 and 3650")),
    FILES_DIR: optionalString,
    WHATSAPP_PAUSE_SECONDS: optionalString
      .pipe(z.string().regex(/^\d{1,3}(\.\d{1,3})?$/, "must be a number of seconds, e.g. 4 or 2.5").optional())
      .transform((v) => (v === undefined ? 4 : Number(v)))
      .pipe(z.number().min(1, "must be between 1 and 600 seconds (less puts the number at risk of a ban)").max(600, "must be between 1 and 600 seconds")),
    WHATSAPP_PAUSE_JITTER_SECONDS: optionalString
      .pipe(z.string().regex(/^\d{1,3}(\.\d{1,3})?$/, "must be a number of seconds, e.g. 3 (0 for none)").optional())
      .transform((v) => (v === undefined ? 3 : Number(v)))
      .pipe(z.number().min(0, "must be between 0 and 600 seconds").max(600, "must be between 0 and 600 seconds")),
    WHATSAPP_DAILY_FIRST_MESSAGES: optionalString
      .pipe(z.string().regex(/^\d{1,5}$/, "must be a whole number of messages a day, e.g. 50").optional())
      .transform((v) => (v === undefined ? 50 : Number(v)))
      .pipe(z.number().int().min(0, "must be between 0 and 10000").max(10_000, "must be between 0 and 10000")),
    LOG_LEVEL: optionalString.pipe(z.enum(["debug", "info", "warn", "error"], { message: "must be debug, info, warn or error" }).default("info")),
    WHATSAPP_ENABLED: optionalString
      .pipe(z.enum(["true", "false"], { message: 'must be "true" (run the WhatsApp channel) or "false"' }).default("false"))
      .transform((v) => v === "true"),
    CHROMIUM_PATH: optionalString.pipe(
      z.string().regex(/^\//, "must be the absolute path of the Chromium executable, such as /usr/bin/chromium").default("/usr/bin/chromium"),
    ),
    WHATSAPP_DATA_DIR: optionalString,
    WHATSAPP_START_TIMEOUT_SECONDS: optionalString
      .pipe(z.string().regex(/^\d{1,4}$/, "must be a whole number of seconds, e.g. 60").optional())
      .transform((v) => (v === undefined ? 60 : Number(v)))
      .pipe(z.number().int().min(10, "must be between 10 and 600").max(600, "must be between 10 and 600")),
  })


/**
 * Rules that tie variables together. Checked on the raw values and reported with the schema's own
 * issues, so that one run names every wrong variable (zod skips refinements once a field fails).
 */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const get = (k: string) => env[k]?.trim() || undefined;
  const lines: string[] = [];
  const url = get("TELEGRAM_WEBHOOK_URL");
  if (url) {
    if (!get("TELEGRAM_BOT_TOKEN")) lines.push("TELEGRAM_WEBHOOK_URL needs TELEGRAM_BOT_TOKEN as well");
    if (!get("TELEGRAM_WEBHOOK_SECRET")) {
      lines.push("TELEGRAM_WEBHOOK_SECRET is required in webhook mode, so that only Telegram can post updates (e.g. `openssl rand -hex 32`)");
    }
    // Telegram posts only to https; plain http makes sense only with a local Bot API server.
    if (/^[a-z]+:\/\//i.test(url) && !url.startsWith("https://") && !get("TELEGRAM_API_ROOT")) {
      lines.push("TELEGRAM_WEBHOOK_URL must start with https:// (Telegram only posts to https)");
    }
  }
  if (get("WHATSAPP_ENABLED") === "true") {
    // Checked here rather than on the first start of the client: a wrong path is the operator's to fix now.
    const chromium = get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
    if (chromium.startsWith("/") && !existsSync(chromium)) {
      lines.push("CHROMIUM_PATH does not name an existing file (default /usr/bin/chromium): WhatsApp needs Chromium; install Debian's chromium package (apt-get install chromium) or set the path of a Chromium executable");
    }
  }
  return lines;
}

export interface Config {
  telegram?: {
    token: string;
    apiRoot?: string;
    webhook?: { url: string; secret: string };
  };
  port: number;
  databaseUrl: string;
  staffTelegramIds: string[];
  staffChatId?: string;
  defaultLocale: (typeof LOCALES)[number];
  logLevel: "debug" | "info" | "warn" | "error";
  /** Whether sends are paced by Telegram's flood limits; "off" only against a fake Bot API (benchmarks). */
  floodLimits: "telegram" | "off";
  /** The bot's sends per second to Telegram, all chats and all instances together (TELEGRAM_SENDS_PER_SECOND). */
  telegramSendsPerSecond: number;
  /**
   * Telegram's paid broadcasts (TELEGRAM_PAID_BROADCAST=true; off by default): announcements (the
   * bulk lane) go with `allow_paid_broadcast`, billed in Stars per message, at `sendsPerSecond`
   * (TELEGRAM_PAID_SENDS_PER_SECOND, at most 1,000) beside the free budget. Absent when off.
   */
  telegramPaid?: { sendsPerSecond: number };
  /** Days sent, failed and unreachable outbox rows are kept for reports before pruning (OUTBOX_RETENTION_DAYS). */
  outboxRetentionDays: number;
  /**
   * Where files people send are kept (FILES_DIR), when set; otherwise `files/` next to the SQLite
   * file (`data/files` by default), or `data/files` with PostgreSQL (main.ts decides).
   */
  filesDir?: string;
  /**
   * The WhatsApp channel (WHATSAPP_ENABLED=true), absent when off: Chromium's executable
   * (CHROMIUM_PATH, checked to exist), where the session and the login QR are kept
   * (WHATSAPP_DATA_DIR; when unset, `whatsapp/` beside the SQLite file, i.e. `data/whatsapp`, or
   * `data/whatsapp` with PostgreSQL: main.ts decides), and how long a start may take before it
   * counts as failed (WHATSAPP_START_TIMEOUT_SECONDS, seconds).
   */
  whatsapp?: { chromiumPath: string; dataDir?: string; startTimeoutMs: number };
  /**
   * WhatsApp pacing (channels/whatsapp/capabilities.ts): the pause between messages to different
   * chats, WHATSAPP_PAUSE_SECONDS (default 4) plus a random 0..WHATSAPP_PAUSE_JITTER_SECONDS
   * (default 3), and the most first messages a day (Asia/Almaty) to people who have not written in
   * the last 24 hours, WHATSAPP_DAILY_FIRST_MESSAGES (default 50; 0: none).
   */
  whatsappPacing: { pauseSeconds: number; jitterSeconds: number; dailyFirstMessages: number };
  /** The terminal's language (LANG), a hint for the console chat. */
  systemLanguage?: string;
}

/** Thrown for a bad environment; its message lists every wrong variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  const lines = [
    ...(result.success ? [] : result.error.issues.map((i) => `${String(i.path[0] ?? "?")} ${i.message}`)),
    ...crossChecks(env),
  ];
  if (!result.success || lines.length) {
    throw new ConfigError(`Configuration is not valid (see .env.example):\n${lines.map((l) => `  ${l}`).join("\n")}`);
  }
  const c = result.data;
  return {
    telegram: c.TELEGRAM_BOT_TOKEN
      ? {
          token: c.TELEGRAM_BOT_TOKEN,
          ...(c.TELEGRAM_API_ROOT ? { apiRoot: c.TELEGRAM_API_ROOT.replace(/\/+$/, "") } : {}),
          ...(c.TELEGRAM_WEBHOOK_URL && c.TELEGRAM_WEBHOOK_SECRET
            ? { webhook: { url: c.TELEGRAM_WEBHOOK_URL, secret: c.TELEGRAM_WEBHOOK_SECRET } }
            : {}),
        }
      : undefined,
    port: c.PORT,
    databaseUrl: c.DATABASE_URL,
    staffTelegramIds: c.STAFF_TELEGRAM_IDS,
    ...(c.STAFF_CHAT_ID ? { staffChatId: c.STAFF_CHAT_ID } : {}),
    defaultLocale: c.DEFAULT_LOCALE,
    logLevel: c.LOG_LEVEL,
    floodLimits: c.TELEGRAM_FLOOD_LIMITS,
    telegramSendsPerSecond: c.TELEGRAM_SENDS_PER_SECOND,
    ...(c.TELEGRAM_PAID_BROADCAST ? { telegramPaid: { sendsPerSecond: c.TELEGRAM_PAID_SENDS_PER_SECOND } } : {}),
    outboxRetentionDays: c.OUTBOX_RETENTION_DAYS,
    ...(c.FILES_DIR ? { filesDir: c.FILES_DIR } : {}),
    ...(c.WHATSAPP_ENABLED
      ? {
          whatsapp: {
            chromiumPath: c.CHROMIUM_PATH,
            ...(c.WHATSAPP_DATA_DIR ? { dataDir: c.WHATSAPP_DATA_DIR } : {}),
            startTimeoutMs: c.WHATSAPP_START_TIMEOUT_SECONDS * 1000,
          },
        }
      : {}),
    whatsappPacing: { pauseSeconds: c.WHATSAPP_PAUSE_SECONDS, jitterSeconds: c.WHATSAPP_PAUSE_JITTER_SECONDS, dailyFirstMessages: c.WHATSAPP_DAILY_FIRST_MESSAGES },
    ...(env.LC_ALL || env.LC_MESSAGES || env.LANG ? { systemLanguage: env.LC_ALL || env.LC_MESSAGES || env.LANG } : {}),
  };
}

/** Reads `.env` (when present) into the environment, then parses it. */
export function loadConfig(envFile = ".env"): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}

