/**
 * The real whatsapp-web.js client on Debian's Chromium, offline (issue 9 item 6): these machines
 * cannot reach web.whatsapp.com, and Chromium is told to resolve no name at all
 * (`--host-resolver-rules`), so that the test is offline on any machine. The start fails within
 * the configured time with one line that says WhatsApp Web cannot be reached, staff are told once,
 * a retry is scheduled, and no browser process remains. Also: a real Chromium left running with our
 * profile (a crashed run) is ended, with its helpers, by the next start.
 * Skipped, with the reason printed, only where Chromium cannot be found (.ci/run installs it).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../src/log.ts";
import type { ChannelStatus } from "../../../src/core/staff/channel-status.ts";
import { userDataDirOf, WhatsAppSession } from "../../../src/channels/whatsapp/session.ts";
import { endLeftoverBrowsers, recordBrowserPid } from "../../../src/channels/whatsapp/leftovers.ts";
import { processesMentioning, running } from "./proc.ts";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available) console.warn(`chromium.test.ts skipped: no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)`);

const OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND"];

let dir: string | undefined;
afterEach(() => {
  // Nothing of ours may survive a test, even a failing one.
  if (dir) for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(!available)("the real WhatsApp client on Debian's Chromium, offline", () => {
  it("fails to start within the bound, says WhatsApp Web cannot be reached, tells staff once, retries later, and leaves no browser", async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-wa-chromium-"));
    const lines: string[] = [];
    const log = createLogger({ level: "debug", write: (line: string) => void lines.push(line) });
    const told: ChannelStatus[] = [];
    const retries: number[] = [];
    const session = new WhatsAppSession({
      chromiumPath: CHROMIUM,
      dataDir: join(dir, "whatsapp"),
      // Generous: a slow CI machine starts Chromium in seconds; the failure itself is immediate offline.
      startTimeoutMs: 60_000,
      chromiumArgs: OFFLINE,
      log,
      notify: async (s) => void told.push(s),
      schedule: (_fn, ms) => {
        retries.push(ms);
        return () => {};
      },
      terminal: () => {},
    });
    // Resolves once the first attempt is over: it must not hang.
    await session.start();
    const failure = lines.find((l) => l.includes("WhatsApp Web cannot be reached"));
    expect(failure, lines.join("\n")).toBeDefined();
    expect(JSON.parse(failure!).msg).toMatch(/^WhatsApp Web cannot be reached \(net::ERR_[A-Z_]+ at https:\/\/web\.whatsapp\.com\/\); WhatsApp stays off, retrying in \d+ s \(the rest of the bot keeps working\); check that this server reaches https:\/\/web\.whatsapp\.com/);
    expect(told).toEqual([{ kind: "unreachable", reason: expect.stringMatching(/^net::ERR_/) }]);
    expect(retries).toHaveLength(1);
    expect(processesMentioning(dir)).toEqual([]);
    await session.stop();
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(join(dir, "whatsapp", "browser.pid"))).toBe(false);
  }, 120_000);

  it("leaves the signals to the bot: puppeteer installs no SIGINT/SIGTERM/SIGHUP handler of its own", async () => {
    // Puppeteer's defaults would exit the process with 130 on Ctrl+C (skipping the bot's graceful
    // stop) and close the browser on SIGTERM before the WhatsApp sends in flight are done.
    dir = mkdtempSync(join(tmpdir(), "qti-wa-signals-"));
    const on = vi.spyOn(process, "on");
    const once = vi.spyOn(process, "once");
    try {
      const session = new WhatsAppSession({
        chromiumPath: CHROMIUM,
        dataDir: join(dir, "whatsapp"),
        startTimeoutMs: 60_000,
        chromiumArgs: OFFLINE,
        log: createLogger({ level: "error", write: () => {} }),
        notify: async () => {},
        schedule: () => () => {},
        terminal: () => {},
      });
      await session.start();
      await session.stop();
      const signals = [...on.mock.calls, ...once.mock.calls].map(([event]) => String(event)).filter((e) => e.startsWith("SIG"));
      expect(signals).toEqual([]);
    } finally {
      on.mockRestore();
      once.mockRestore();
    }
    expect(processesMentioning(dir)).toEqual([]);
  }, 120_000);

  it("a Chromium a crashed run left with our profile is ended at the next start, helpers included", async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-wa-leftover-"));
    const dataDir = join(dir, "whatsapp");
    const profile = userDataDirOf(dataDir);
    // As puppeteer launches it: detached (its own process group), through Debian's wrapper script.
    const browser = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", ...OFFLINE, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"], {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<void>((r) => browser.once("exit", () => r()));
    // Up once it listens for DevTools (it says so on stderr); its helpers are started by then.
    await new Promise<void>((resolve, reject) => {
      let err = "";
      browser.stderr!.on("data", (c: Buffer) => {
        err += c.toString();
        if (err.includes("DevTools listening")) resolve();
      });
      browser.once("exit", (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
    });
    await recordBrowserPid(dataDir, browser.pid!);
    expect(processesMentioning(profile).length).toBeGreaterThan(1);

    const ended = await endLeftoverBrowsers(dataDir, { chromiumPath: CHROMIUM, userDataDir: profile });
    expect(ended).toContain(browser.pid);
    await exited;
    expect(running(browser.pid!)).toBe(false);
    expect(processesMentioning(profile)).toEqual([]);
    expect(existsSync(join(dataDir, "browser.pid"))).toBe(false);
  }, 120_000);
});
