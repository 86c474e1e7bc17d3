import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createLogger, redact, silentLogger, type LogLevel } from "../src/log.ts";

const SECRET = "AAHdsq1mZxkPb7Ty_42-vWq8LcN3fUeR0oJ"; // 35 characters, as BotFather issues them
const TOKEN = `123456789:${SECRET}`;

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const logger = createLogger({ ...(level ? { level } : {}), write: (line) => lines.push(line) });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe("redact", () => {
  it("masks a bot token wherever it stands in a sentence", () => {
    expect(SECRET).toHaveLength(35);
    expect(redact(`starting with ${TOKEN}.`)).toBe("starting with <token>.");
    expect(redact(`"${TOKEN}"`)).toBe('"<token>"');
  });

  it("masks the token inside a Bot API URL, where it follows the letters 'bot'", () => {
    // Network errors quote the request URL, https://api.telegram.org/bot<token>/<method>.
    const line = redact(`request to https://api.telegram.org/bot${TOKEN}/getUpdates failed, reason: ECONNRESET`);
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain("123456789");
  });

  it.each([
    "+7 701 123 45 67",
    "+7 (701) 123-45-67",
    "+7(701)123-45-67",
    "87011234567",
    "8 701 123 4567",
    "8-701-123-45-67",
    "+77011234567",
    "7.701.123.45.67",
  ])("masks the phone number %s", (phone) => {
    expect(redact(`contact ${phone} saved`)).toBe("contact <phone> saved");
  });

  it("masks several phone numbers in one text", () => {
    expect(redact("old +7 701 123 45 67, new 87021234567")).toBe("old <phone>, new <phone>");
  });

  it.each([
    ["a person id", "person 42 joined"],
    ["a year", "registered in 2026"],
    ["a six-digit code", "code 123456 sent"],
    ["a date", "on 2026-11-26"],
    ["an ISO timestamp", "at 2026-11-26T06:57:00.123Z"],
    ["a grouped head count", "1 200 employees"],
    ["a short list of ids", "ids 12, 345, 6789"],
  ])("leaves %s alone", (_, text) => {
    expect(redact(text)).toBe(text);
  });
});

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, message and fields", () => {
    const { logger, lines, records } = capture();
    logger.info("update handled", { updateId: 42, channel: "telegram" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [record] = records();
    expect(record).toMatchObject({ level: "info", msg: "update handled", updateId: 42, channel: "telegram" });
    expect(new Date(String(record!.time)).toISOString()).toBe(record!.time);
    expect(record).not.toHaveProperty("pid"); // pino's defaults that say nothing here
    expect(record).not.toHaveProperty("hostname");
  });

  it("logs at info and above by default", () => {
    const { logger, records } = capture();
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(records().map((r) => r.level)).toEqual(["info", "warn", "error"]);
  });

  it("drops lines below the configured level", () => {
    const warn = capture("warn");
    warn.logger.debug("d");
    warn.logger.info("i");
    warn.logger.warn("w");
    warn.logger.error("e");
    expect(warn.records().map((r) => r.msg)).toEqual(["w", "e"]);

    const debug = capture("debug");
    debug.logger.debug("d");
    expect(debug.records().map((r) => r.level)).toEqual(["debug"]);
  });

  it("redacts tokens and phone numbers in the message and in nested fields", () => {
    const { logger, lines } = capture();
    logger.warn(`send failed for +7 701 123 45 67 with ${TOKEN}`, {
      contact: { phone: "87011234567", note: "called twice" },
      token: TOKEN,
    });
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toMatch(/701\D*123/);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record.msg).toBe("send failed for <phone> with <token>");
    expect(record.contact).toEqual({ phone: "<phone>", note: "called twice" });
    expect(record.token).toBe("<token>");
  });

  it("logs an Error field as name, message and stack, and redacts its message", () => {
    const { logger, records } = capture();
    const error = new TypeError(`cannot reach 87011234567 using ${TOKEN}`);
    logger.error("delivery failed", { error });
    const logged = records()[0]!.error as { name: string; message: string; stack: string };
    expect(logged.name).toBe("TypeError");
    expect(logged.message).toBe("cannot reach <phone> using <token>");
    expect(logged.stack).toContain("log.test.ts");
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it("gives a child logger the parent's fields merged with its own, on every line", () => {
    const { logger, records } = capture();
    const turn = logger.child({ channel: "telegram", chat: "c1" }).child({ chat: "c2", flow: "register" });
    turn.info("asked", { step: "bin" });
    turn.info("answered");
    expect(records()).toMatchObject([
      { msg: "asked", channel: "telegram", chat: "c2", flow: "register", step: "bin" },
      { msg: "answered", channel: "telegram", chat: "c2", flow: "register" },
    ]);
  });

  it("keeps a child at its parent's level and leaves the parent's fields untouched", () => {
    const { logger, records } = capture("warn");
    const child = logger.child({ part: "outbox" });
    child.info("hidden");
    child.warn("shown");
    logger.warn("parent");
    expect(records()).toHaveLength(2);
    expect(records()[0]).toMatchObject({ msg: "shown", part: "outbox" });
    expect(records()[1]).not.toHaveProperty("part");
  });
});

describe("createLogger redacts everything it writes", () => {
  it("masks a phone number on the second line of a message or an error message", () => {
    // In the JSON line a newline is the two characters \n; the phone after it must still be found.
    const { logger, lines, records } = capture();
    logger.warn("answer was:\n+7 701 123 45 67", { error: new Error("bad input\n87011234567\tand more") });
    expect(lines[0]).not.toMatch(/701\D{0,3}123/);
    const [record] = records();
    expect(record!.msg).toBe("answer was:\n<phone>");
    expect((record!.error as { message: string }).message).toBe("bad input\n<phone>\tand more");
  });

  it("describes and redacts errors wherever they are in the fields, with their causes", () => {
    const { logger, lines, records } = capture();
    const cause = new Error(`HTTP 401 from bot${TOKEN}/getMe`);
    logger.error("several failed", { results: [{ chat: "c1", error: new RangeError("busy", { cause }) }] });
    expect(lines[0]).not.toContain(SECRET);
    const logged = (records()[0]!.results as { error: Record<string, unknown> }[])[0]!.error;
    expect(logged).toMatchObject({ name: "RangeError", message: "busy", cause: { name: "Error", message: "HTTP 401 from bot<token>/getMe" } });
    expect(logged.stack).toContain("log.test.ts");
  });

  it("masks a phone number given as a number and keeps the line valid JSON", () => {
    const { logger, lines, records } = capture();
    logger.info("numbers", { phone: 87011234567, group: -1001234567890, count: 1200 });
    expect(lines[0]).not.toContain("87011234567");
    expect(records()[0]).toMatchObject({ phone: "<phone>", group: -1001234567890, count: 1200 });
  });

  it("redacts a child's bindings and the keys of fields", () => {
    const { logger, lines } = capture();
    logger.child({ contact: "+7 701 123 45 67" }).info("x", { byPhone: { "87011234567": 1 } });
    expect(lines[0]).not.toMatch(/701\D{0,3}123/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ contact: "<phone>", byPhone: { "<phone>": 1 } });
  });

  it("writes a field that refers to itself instead of throwing at the caller", () => {
    const { logger, records } = capture();
    const request: Record<string, unknown> = { id: 1 };
    request.self = request;
    expect(() => logger.info("cyclic", { request, again: [request, request] })).not.toThrow();
    expect(records()[0]).toMatchObject({ request: { id: 1, self: "[Circular]" }, again: [{ id: 1 }, { id: 1 }] });
  });

  it("keeps a field named level, time or msg from overwriting the line's own", () => {
    const { logger, lines, records } = capture();
    logger.child({ level: "beginner" }).info("x", { msg: "hello", time: 5 });
    expect(lines[0]!.match(/"level"|"time"|"msg"/g)).toHaveLength(3);
    expect(records()[0]).toMatchObject({ level: "info", msg: "x", _level: "beginner", _msg: "hello", _time: 5 });
  });

  it("writes a key once when a child or a call rebinds it, the newest value winning", () => {
    const { logger, lines } = capture();
    const child = logger.child({ chat: "c1" }).child({ chat: "c2" });
    child.info("a");
    child.info("b", { chat: "c3" });
    expect(lines.map((l) => l.match(/"chat"/g)?.length)).toEqual([1, 1]);
    expect(lines.map((l) => (JSON.parse(l) as { chat: string }).chat)).toEqual(["c2", "c3"]);
  });
});

describe("createLogger with a file", () => {
  it("appends lines to the file, creating its folder, and they are there at once", () => {
    const dir = mkdtempSync(join(tmpdir(), "log-"));
    try {
      const file = join(dir, "data", "bot.log");
      createLogger({ file }).info("first", { phone: "87011234567" });
      // No flush and no wait: written synchronously, so a line before process.exit is kept.
      expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(1);
      createLogger({ file }).warn("second");
      const records = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records).toMatchObject([{ msg: "first", phone: "<phone>" }, { msg: "second", level: "warn" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("silentLogger", () => {
  it("writes nothing to stderr, not even errors or its children's lines", () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      silentLogger.error("x", { error: new Error("y") });
      silentLogger.child({ a: 1 }).error("z");
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("redact keeps identifiers glued to words", () => {
  it("leaves a migration name alone but still masks a phone next to punctuation", () => {
    expect(redact("applied 20261126064132_init")).toBe("applied 20261126064132_init");
    expect(redact("call (+7 701 123 45 67).")).toBe("call (<phone>).");
  });
});
