/**
 * The real process (src/main.ts as a child) with WHATSAPP_ENABLED=true on a machine that cannot
 * reach WhatsApp Web (issue 9 item 6): the bot starts, Telegram works, the WhatsApp failure is
 * logged on one line and told to staff on Telegram, WhatsApp is retried in the background, and
 * SIGTERM (even during a retry) ends the process cleanly with no Chromium left.
 * Skipped, with the reason printed, only where Chromium cannot be found.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { freePort } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import { testDatabaseUrl } from "../support/db-template.ts";
import { processesMentioning } from "../channels/whatsapp/proc.ts";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`whatsapp-offline.test.ts skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);

let fake: FakeBotApi | undefined;
let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (dir) for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  fake = child = dir = undefined;
});

describe.skipIf(!available)("the bot with WhatsApp enabled and no network", () => {
  it("starts, answers on Telegram, logs and tells staff that WhatsApp Web cannot be reached, retries, and SIGTERM leaves no Chromium", async () => {
    fake = await startFakeBotApi();
    dir = mkdtempSync(join(tmpdir(), "qti-wa-main-"));
    const dataDir = join(dir, "whatsapp");
    // The admin writes first (a bot cannot start a chat on Telegram); the update waits for the bot.
    const admin = fake.user({ id: 900, first_name: "Admin", language_code: "en" });
    admin.send("/help");
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? "",
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        STAFF_TELEGRAM_IDS: "900",
        DATABASE_URL: await testDatabaseUrl(`file:${join(dir, "bot.db")}`),
        PORT: String(await freePort()),
        DEFAULT_LOCALE: "en",
        LOG_LEVEL: "debug",
        WHATSAPP_ENABLED: "true",
        CHROMIUM_PATH: CHROMIUM,
        WHATSAPP_DATA_DIR: dataDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log: string[] = [];
    const waiters = new Set<() => void>();
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      log.push(...lines);
      for (const w of [...waiters]) w();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    /** Resolves once `count` lines contain `text`; rejects if the process ends first. */
    const logged = (text: string, count = 1) =>
      Promise.race([
        new Promise<void>((resolve) => {
          const check = () => {
            if (log.filter((l) => l.includes(text)).length < count) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        }),
        exited.then((code) => Promise.reject(new Error(`bot exited (${code}):\n${log.join("\n")}`))),
      ]);

    await logged('"msg":"ready"');
    // Telegram works.
    await admin.waitFor(/\S/, { after: 0 });
    // WhatsApp failed, on one line, and staff (the admin) are told on Telegram.
    await logged("WhatsApp Web cannot be reached (");
    const failure = JSON.parse(log.find((l) => l.includes("WhatsApp Web cannot be reached ("))!);
    expect(failure.msg).toMatch(/^WhatsApp Web cannot be reached \(net::ERR_[A-Z_]+ at https:\/\/web\.whatsapp\.com\/\); WhatsApp stays off, retrying in \d+ s/);
    await admin.waitFor((m) => m.text.startsWith(tr("en", "wa-ops-unreachable", { reason: "@" }).split("\n")[0]!), { after: 0 });
    // The failed attempt left no browser.
    expect(processesMentioning(dataDir)).toEqual([]);
    // The retry starts a browser again; stop in the middle of it.
    await logged('"msg":"starting WhatsApp"', 2);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(log.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, "browser.pid"))).toBe(false);
  }, 120_000);

  it("beside the console chat (no Telegram token): the chat works, the admin at the console is told, the end of input leaves no Chromium", async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-wa-console-"));
    const dataDir = join(dir, "whatsapp");
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        LANG: "en_US.UTF-8",
        DATABASE_URL: await testDatabaseUrl(`file:${join(dir, "bot.db")}`),
        DEFAULT_LOCALE: "en",
        WHATSAPP_ENABLED: "true",
        CHROMIUM_PATH: CHROMIUM,
        WHATSAPP_DATA_DIR: dataDir,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    const waiters = new Set<() => void>();
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      for (const w of [...waiters]) w();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    const printed = (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          const check = () => {
            if (!out.includes(text)) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        }),
        exited.then((code) => Promise.reject(new Error(`bot exited (${code}):\n${out}`))),
      ]);
    child.stdin!.write("/help\n");
    await printed(tr("en", "help-text").split("\n")[0]!);
    // The admin at the console (the operator) is told, in the chat, like staff on Telegram.
    await printed(tr("en", "wa-ops-unreachable", { reason: "@" }).split("\n")[0]!);
    child.stdin!.end();
    expect(await exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 120_000);
});
