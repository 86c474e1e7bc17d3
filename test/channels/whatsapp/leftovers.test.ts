/**
 * No Chromium left behind after a crash (issue 9 item 6), with stand-in processes: a "browser" is
 * a Node process started the way puppeteer starts Chromium (detached, leading its own process
 * group, with a helper child in that group) from a path that plays CHROMIUM_PATH (a symlink to
 * node), given our profile. The next start ends it and its helper by the recorded PID; a PID that
 * now names something else (recycled) is left alone, and so is a process that has our profile on
 * its command line but runs another program.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { endLeftoverBrowsers, isOurBrowser, recordBrowserPid, recordedBrowserPid } from "../../../src/channels/whatsapp/leftovers.ts";
import { userDataDirOf } from "../../../src/channels/whatsapp/session.ts";
import { processesMentioning, running } from "./proc.ts";

let dir: string;
let dataDir: string;
let chromiumPath: string;
const started: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qti-wa-leftovers-"));
  dataDir = join(dir, "whatsapp");
  chromiumPath = join(dir, "chromium");
  symlinkSync(process.execPath, chromiumPath);
});

afterEach(() => {
  // Each was started detached, leading its own group: end the group (a shell's sleep too).
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `program` with `args` detached; resolves once it (and its helper, if any) has said it is up. */
async function startProcess(program: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(program, args, { detached: true, stdio: ["ignore", "pipe", "inherit"] });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => c.toString().includes("up") && resolve());
    child.once("exit", (code) => reject(new Error(`exited early (${code})`)));
  });
  return child;
}

/** Like Chromium: a leader that starts a helper in its process group, both holding our profile on their command line. */
const BROWSER = `
const { spawn } = require("node:child_process");
const helper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "--", process.argv.at(-1) + "-helper"], { stdio: "ignore" });
process.on("SIGTERM", () => {}); // a browser slow to die: SIGKILL follows
setTimeout(() => console.log("up " + helper.pid), 100);
setInterval(() => {}, 1000);
`;

const exitOf = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())));

describe("a browser a crashed run left", () => {
  it("is ended with its helpers at the next start, by the recorded PID, and the PID file is removed", async () => {
    const profile = userDataDirOf(dataDir);
    const browser = await startProcess(chromiumPath, ["-e", BROWSER, "--", `--user-data-dir=${profile}`]);
    await recordBrowserPid(dataDir, browser.pid!);
    expect(isOurBrowser(browser.pid!, { chromiumPath, userDataDir: profile })).toBe(true);
    const helpers = processesMentioning(`${profile}-helper`);
    expect(helpers).toHaveLength(1);

    const ended = await endLeftoverBrowsers(dataDir, { chromiumPath, userDataDir: profile }, 300);
    expect(ended).toEqual([browser.pid]);
    await exitOf(browser);
    expect(browser.signalCode).toBe("SIGKILL");
    expect(running(helpers[0]!)).toBe(false);
    expect(await recordedBrowserPid(dataDir)).toBeUndefined();
  });

  it("a recycled PID that names an unrelated process is not touched", async () => {
    const profile = userDataDirOf(dataDir);
    // Some other program now has the PID the file names.
    const other = await startProcess(process.execPath, ["-e", 'console.log("up"); setInterval(() => {}, 1000)']);
    await recordBrowserPid(dataDir, other.pid!);
    // And a program that is not our Chromium, with our profile's text in its arguments.
    const lookalike = await startProcess("/bin/sh", ["-c", "echo up; sleep 1000; :", "sh", `--user-data-dir=${profile}`]);

    expect(await endLeftoverBrowsers(dataDir, { chromiumPath, userDataDir: profile }, 300)).toEqual([]);
    expect(running(other.pid!)).toBe(true);
    expect(running(lookalike.pid!)).toBe(true);
    // The stale file is gone all the same: it named nothing of ours.
    expect(await recordedBrowserPid(dataDir)).toBeUndefined();
  });

  it("a browser whose PID was never recorded (a crash during the launch) is found by our profile", async () => {
    const profile = userDataDirOf(dataDir);
    const browser = await startProcess(chromiumPath, ["-e", BROWSER, "--", `--user-data-dir=${profile}`]);
    expect(await endLeftoverBrowsers(dataDir, { chromiumPath, userDataDir: profile }, 300)).toEqual([browser.pid]);
    await exitOf(browser);
    expect(processesMentioning(profile)).toEqual([]);
  });
});
