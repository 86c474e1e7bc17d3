import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.ts";

const TOKEN = "123456789:AAHdsq1mZxkPb7Ty_42-vWq8LcN3fUeR0oJ";
const SECRET = "s3cr3t_webhook-value-0123456789";

/** The ConfigError that parsing `env` throws (the test fails when it parses). */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

/** The variables a ConfigError's message names, in order, one per line as the message lists them. */
function namedVariables(error: ConfigError): string[] {
  return [...error.message.matchAll(/^\s+([A-Z_]+) /gm)].map((m) => m[1]!);
}

describe("parseConfig defaults", () => {
  it("starts in console mode with the documented defaults when nothing is set", () => {
    expect(parseConfig({})).toEqual({
      telegram: undefined,
      port: 8080,
      databaseUrl: "file:./data/bot.db",
      staffTelegramIds: [],
      defaultLocale: "ru",
      logLevel: "info",
      floodLimits: "telegram",
      telegramSendsPerSecond: 25,
      outboxRetentionDays: 30,
      whatsappPacing: { pauseSeconds: 4, jitterSeconds: 3, dailyFirstMessages: 50 },
    });
  });

  it("reads WhatsApp's pacing (pause, jitter, daily first messages) and names each wrong value", () => {
    const c = parseConfig({ WHATSAPP_PAUSE_SECONDS: "6.5", WHATSAPP_PAUSE_JITTER_SECONDS: "0", WHATSAPP_DAILY_FIRST_MESSAGES: "20" });
    expect(c.whatsappPacing).toEqual({ pauseSeconds: 6.5, jitterSeconds: 0, dailyFirstMessages: 20 });
    const error = configErrorOf({ WHATSAPP_PAUSE_SECONDS: "0.5", WHATSAPP_PAUSE_JITTER_SECONDS: "-1", WHATSAPP_DAILY_FIRST_MESSAGES: "many" });
    expect(namedVariables(error)).toEqual(["WHATSAPP_PAUSE_SECONDS", "WHATSAPP_PAUSE_JITTER_SECONDS", "WHATSAPP_DAILY_FIRST_MESSAGES"]);
    expect(error.message).toMatch(/WHATSAPP_PAUSE_SECONDS must be between 1 and 600 seconds/);
    expect(() => parseConfig({ WHATSAPP_DAILY_FIRST_MESSAGES: "10001" })).toThrow(/WHATSAPP_DAILY_FIRST_MESSAGES must be between 0 and 10000/);
  });

  it("reads the send rate and the outbox retention, and names a wrong value", () => {
    const c = parseConfig({ TELEGRAM_SENDS_PER_SECOND: "10", OUTBOX_RETENTION_DAYS: "7" });
    expect([c.telegramSendsPerSecond, c.outboxRetentionDays]).toEqual([10, 7]);
    expect(() => parseConfig({ TELEGRAM_SENDS_PER_SECOND: "31" })).toThrow(/TELEGRAM_SENDS_PER_SECOND must be between 1 and 30/);
    expect(() => parseConfig({ OUTBOX_RETENTION_DAYS: "0" })).toThrow(/OUTBOX_RETENTION_DAYS must be between 1 and 3650/);
  });

  it("paid broadcasts are off by default; on, they take their own rate (1 to 1000, default 100), and a wrong value is named", () => {
    expect(parseConfig({}).telegramPaid).toBeUndefined();
    expect(parseConfig({ TELEGRAM_PAID_SENDS_PER_SECOND: "500" }).telegramPaid).toBeUndefined();
    expect(parseConfig({ TELEGRAM_PAID_BROADCAST: "false" }).telegramPaid).toBeUndefined();
    expect(parseConfig({ TELEGRAM_PAID_BROADCAST: "true" }).telegramPaid).toEqual({ sendsPerSecond: 100 });
    expect(parseConfig({ TELEGRAM_PAID_BROADCAST: "true", TELEGRAM_PAID_SENDS_PER_SECOND: "1000" }).telegramPaid).toEqual({ sendsPerSecond: 1000 });
    expect(() => parseConfig({ TELEGRAM_PAID_BROADCAST: "yes" })).toThrow(/TELEGRAM_PAID_BROADCAST must be "true"/);
    expect(() => parseConfig({ TELEGRAM_PAID_BROADCAST: "true", TELEGRAM_PAID_SENDS_PER_SECOND: "1001" })).toThrow(/TELEGRAM_PAID_SENDS_PER_SECOND must be between 1 and 1000/);
    expect(() => parseConfig({ TELEGRAM_PAID_SENDS_PER_SECOND: "0" })).toThrow(/TELEGRAM_PAID_SENDS_PER_SECOND must be between 1 and 1000/);
  });

  it("paces sends by Telegram's limits unless told off (benchmarks against a fake), and names a wrong value", () => {
    expect(parseConfig({ TELEGRAM_FLOOD_LIMITS: "off" }).floodLimits).toBe("off");
    expect(() => parseConfig({ TELEGRAM_FLOOD_LIMITS: "none" })).toThrow(/TELEGRAM_FLOOD_LIMITS must be "telegram"/);
  });

  it("treats empty and whitespace-only values as unset", () => {
    const blank = {
      TELEGRAM_BOT_TOKEN: "",
      TELEGRAM_API_ROOT: "   ",
      TELEGRAM_WEBHOOK_URL: "",
      TELEGRAM_WEBHOOK_SECRET: " ",
      PORT: " ",
      DATABASE_URL: "",
      STAFF_TELEGRAM_IDS: "\t",
      STAFF_CHAT_ID: "",
      DEFAULT_LOCALE: " ",
      LOG_LEVEL: "",
    };
    expect(parseConfig(blank)).toEqual(parseConfig({}));
  });

  it("trims whitespace around a value, as .env files and shells leave it", () => {
    const config = parseConfig({ PORT: " 3000 ", DEFAULT_LOCALE: " kk\n", TELEGRAM_BOT_TOKEN: ` ${TOKEN} ` });
    expect(config.port).toBe(3000);
    expect(config.defaultLocale).toBe("kk");
    expect(config.telegram?.token).toBe(TOKEN);
  });

  it("keeps the terminal's language as a hint for the console chat", () => {
    expect(parseConfig({ LANG: "kk_KZ.UTF-8" }).systemLanguage).toBe("kk_KZ.UTF-8");
    expect(parseConfig({ LANG: "en_US.UTF-8", LC_ALL: "ru_RU.UTF-8" }).systemLanguage).toBe("ru_RU.UTF-8");
  });
});

describe("parseConfig with valid settings", () => {
  it("WhatsApp is off by default; on, it takes Chromium's path, the data directory and the start timeout", () => {
    expect(parseConfig({ WHATSAPP_ENABLED: "false", CHROMIUM_PATH: "/nonexistent/chromium" }).whatsapp).toBeUndefined();
    // The executable's existence is checked only when WhatsApp is on; process.execPath surely exists.
    expect(parseConfig({ WHATSAPP_ENABLED: "true", CHROMIUM_PATH: process.execPath }).whatsapp).toEqual({ chromiumPath: process.execPath, startTimeoutMs: 60_000 });
    expect(
      parseConfig({ WHATSAPP_ENABLED: "true", CHROMIUM_PATH: process.execPath, WHATSAPP_DATA_DIR: "/srv/wa", WHATSAPP_START_TIMEOUT_SECONDS: "30" }).whatsapp,
    ).toEqual({ chromiumPath: process.execPath, dataDir: "/srv/wa", startTimeoutMs: 30_000 });
  });

  it("enables Telegram polling with only a token", () => {
    expect(parseConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).telegram).toEqual({ token: TOKEN });
  });

  it("assembles the webhook settings when URL, secret and token are all given", () => {
    const config = parseConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_URL: "https://bot.qaztextile.kz/telegram",
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PORT: "3000",
    });
    expect(config.telegram).toEqual({
      token: TOKEN,
      webhook: { url: "https://bot.qaztextile.kz/telegram", secret: SECRET },
    });
    expect(config.port).toBe(3000);
  });

  it("removes trailing slashes from the Bot API root", () => {
    const config = parseConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "http://127.0.0.1:8081//" });
    expect(config.telegram?.apiRoot).toBe("http://127.0.0.1:8081");
  });

  it("accepts a plain http webhook when a local Bot API server is used", () => {
    const config = parseConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
      TELEGRAM_WEBHOOK_URL: "http://bot:8080/telegram",
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    expect(config.telegram?.webhook).toEqual({ url: "http://bot:8080/telegram", secret: SECRET });
  });

  it("deduplicates staff Telegram ids and tolerates spaces around them", () => {
    expect(parseConfig({ STAFF_TELEGRAM_IDS: " 12, 34 ,12,56 , 34" }).staffTelegramIds).toEqual(["12", "34", "56"]);
  });

  it("accepts a negative group id as the staff chat", () => {
    expect(parseConfig({ STAFF_CHAT_ID: "-1001234567890" }).staffChatId).toBe("-1001234567890");
  });

  it("accepts every supported locale and log level", () => {
    for (const locale of ["kk", "ru", "en"] as const) expect(parseConfig({ DEFAULT_LOCALE: locale }).defaultLocale).toBe(locale);
    for (const level of ["debug", "info", "warn", "error"] as const) expect(parseConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it("accepts any port from 1 to 65535", () => {
    expect(parseConfig({ PORT: "1" }).port).toBe(1);
    expect(parseConfig({ PORT: "65535" }).port).toBe(65535);
  });
});

describe("parseConfig with a PostgreSQL URL", () => {
  it.each(["postgresql://bot:pw@db.internal:5432/bot", "postgres://bot@127.0.0.1/bot?sslmode=require"])("accepts %s", (url) => {
    expect(parseConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });
});

// breaker6: URLs that passed the pattern but crashed start-up with "TypeError: Invalid URL" (exit 1,
// restarted forever by systemd, DATABASE_URL not named), or hung / exited 0 silently (a negative
// connection_limit left the pool waiting for nothing). Each must be a configuration error (exit 2)
// naming DATABASE_URL without the password.
describe("parseConfig with a PostgreSQL URL that cannot be used (breaker6)", () => {
  it.each([
    ["a port above 65535", "postgresql://bot:S3cr3tPW@db:99999/bot"],
    ["an unclosed IPv6 host", "postgresql://bot:S3cr3tPW@[::1/bot"],
    ["a connection_limit that is not a number", "postgresql://bot:S3cr3tPW@db/bot?connection_limit=abc"],
    ["a negative connection_limit", "postgresql://bot:S3cr3tPW@db/bot?connection_limit=-1"],
    ["a password with an unencoded slash", "postgresql://bot:S3cr3t/PW@db/bot"],
  ])("%s", (_, url) => {
    let message = "";
    try {
      parseConfig({ DATABASE_URL: url });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("DATABASE_URL");
    expect(message).not.toContain("S3cr3t");
  });

  it("takes the scheme in any case, as URLs do", () => {
    expect(parseConfig({ DATABASE_URL: "POSTGRESQL://bot:pw@db/bot" }).databaseUrl).toBe("POSTGRESQL://bot:pw@db/bot");
  });
});

describe("parseConfig with a wrong value", () => {
  it.each<[string, Record<string, string>, string]>([
    ["a token that is not BotFather's format", { TELEGRAM_BOT_TOKEN: "my-bot-token" }, "TELEGRAM_BOT_TOKEN"],
    ["a token without its secret part", { TELEGRAM_BOT_TOKEN: "123456789:" }, "TELEGRAM_BOT_TOKEN"],
    ["a port that is not a number", { PORT: "abc" }, "PORT"],
    ["a port above 65535", { PORT: "70000" }, "PORT"],
    ["port 0", { PORT: "0" }, "PORT"],
    ["a PostgreSQL URL without a database name", { DATABASE_URL: "postgres://bot:pw@db:5432" }, "DATABASE_URL"],
    ["a MySQL URL", { DATABASE_URL: "mysql://bot:pw@db:3306/bot" }, "DATABASE_URL"],
    ["a bare path instead of a file: URL", { DATABASE_URL: "./data/bot.db" }, "DATABASE_URL"],
    ["a staff id list with a name in it", { STAFF_TELEGRAM_IDS: "12,abc" }, "STAFF_TELEGRAM_IDS"],
    ["a positive staff chat id (a person, not a group)", { STAFF_CHAT_ID: "12345" }, "STAFF_CHAT_ID"],
    ["an unsupported default locale", { DEFAULT_LOCALE: "de" }, "DEFAULT_LOCALE"],
    ["an unknown log level", { LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    ["WhatsApp neither on nor off", { WHATSAPP_ENABLED: "yes" }, "WHATSAPP_ENABLED"],
    ["a relative Chromium path", { CHROMIUM_PATH: "chromium" }, "CHROMIUM_PATH"],
    ["WhatsApp on with a Chromium that is not there", { WHATSAPP_ENABLED: "true", CHROMIUM_PATH: "/nonexistent/chromium" }, "CHROMIUM_PATH"],
    ["a WhatsApp start timeout that is not a number", { WHATSAPP_START_TIMEOUT_SECONDS: "1m" }, "WHATSAPP_START_TIMEOUT_SECONDS"],
    ["a WhatsApp start timeout too short for Chromium to start", { WHATSAPP_START_TIMEOUT_SECONDS: "2" }, "WHATSAPP_START_TIMEOUT_SECONDS"],
    ["a Bot API root that is not a URL", { TELEGRAM_API_ROOT: "localhost 8081" }, "TELEGRAM_API_ROOT"],
    ["a webhook URL without a secret", { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.kz/tg" }, "TELEGRAM_WEBHOOK_SECRET"],
    [
      "a webhook URL without a token",
      { TELEGRAM_WEBHOOK_URL: "https://bot.example.kz/tg", TELEGRAM_WEBHOOK_SECRET: SECRET },
      "TELEGRAM_WEBHOOK_URL",
    ],
    [
      "an http webhook without a local Bot API server",
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "http://bot.example.kz/tg", TELEGRAM_WEBHOOK_SECRET: SECRET },
      "TELEGRAM_WEBHOOK_URL",
    ],
    [
      "a webhook secret with characters Telegram does not allow",
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.kz/tg", TELEGRAM_WEBHOOK_SECRET: "bad secret with spaces!" },
      "TELEGRAM_WEBHOOK_SECRET",
    ],
    [
      "a webhook secret that is too short",
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.kz/tg", TELEGRAM_WEBHOOK_SECRET: "short" },
      "TELEGRAM_WEBHOOK_SECRET",
    ],
  ])("stops start-up for %s, naming the variable", (_, env, variable) => {
    const error = configErrorOf(env);
    expect(error.name).toBe("ConfigError");
    expect(namedVariables(error)).toContain(variable);
    // Each line says what a right value looks like, not just that this one is wrong.
    const line = error.message.split("\n").find((l) => l.trim().startsWith(`${variable} `));
    expect(line!.length).toBeGreaterThan(variable.length + 20);
  });

  it("never repeats the bad value itself, which could be a secret", () => {
    const error = configErrorOf({ TELEGRAM_BOT_TOKEN: "123456789:short-secret", TELEGRAM_WEBHOOK_SECRET: "bad secret!" });
    expect(error.message).not.toContain("short-secret");
    expect(error.message).not.toContain("bad secret!");
  });

  it("lists every wrong variable in one message", () => {
    const error = configErrorOf({
      PORT: "abc",
      DATABASE_URL: "mysql://db/bot",
      STAFF_TELEGRAM_IDS: "12,abc",
      STAFF_CHAT_ID: "12345",
      DEFAULT_LOCALE: "de",
      LOG_LEVEL: "loud",
      TELEGRAM_BOT_TOKEN: "nope",
    });
    expect(new Set(namedVariables(error))).toEqual(
      new Set(["PORT", "DATABASE_URL", "STAFF_TELEGRAM_IDS", "STAFF_CHAT_ID", "DEFAULT_LOCALE", "LOG_LEVEL", "TELEGRAM_BOT_TOKEN"]),
    );
  });

  it.each<[string, string]>([
    ["PORT", "abc"],
    ["DEFAULT_LOCALE", "de"],
    ["LOG_LEVEL", "loud"],
  ])("lists a missing webhook secret together with a wrong %s", (variable, value) => {
    // Fixing one variable per restart is slow; the webhook checks must not hide behind another mistake.
    const error = configErrorOf({ [variable]: value, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.kz/tg" });
    expect(namedVariables(error)).toEqual(expect.arrayContaining([variable, "TELEGRAM_WEBHOOK_SECRET"]));
  });
});
