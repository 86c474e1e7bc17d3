/**
 * No Chromium left behind (issue 9 item 6). Puppeteer starts Chromium detached, as the leader of
 * its own process group (zygotes, renderers, the GPU and network processes are in that group), so
 * when the bot dies without closing it (kill -9, a crash, a power cut of the supervisor) the whole
 * group keeps running and holds the session's profile locked. The browser's PID is recorded in a
 * file under the data directory as soon as it is launched; the next start ends that process group
 * if, and only if, the PID still names OUR Chromium: its command line carries our profile
 * (`--user-data-dir=<the session directory>`) and it runs CHROMIUM_PATH. A PID reused by an
 * unrelated process is left alone. Processes are ended by PID, never by name (no pkill).
 *
 * Linux only (/proc); elsewhere nothing is found and nothing is ended.
 */
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The file (under the WhatsApp data directory) that holds the browser's PID. */
export const PID_FILE = "browser.pid";

/** How to recognise our browser: Chromium's executable (CHROMIUM_PATH) and the profile it was given. */
export interface BrowserIdentity {
  chromiumPath: string;
  /** The `--user-data-dir` whatsapp-web.js's LocalAuth gives Chromium (`<dataPath>/session`). */
  userDataDir: string;
}

/** Writes the browser's PID to `<dataDir>/browser.pid` (the directory is created when missing). */
export async function recordBrowserPid(dataDir: string, pid: number): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, PID_FILE), `${pid}\n`);
}

/** The PID recorded in `<dataDir>/browser.pid`, or undefined (no file, or not a PID). */
export async function recordedBrowserPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, PID_FILE), "utf8").catch(() => "");
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/** Removes the PID file (the browser it names is gone). */
export async function forgetBrowserPid(dataDir: string): Promise<void> {
  await rm(join(dataDir, PID_FILE), { force: true });
}

/** The NUL-separated arguments of /proc/<pid>/cmdline, or undefined when the process does not exist (or is a zombie). */
function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    // A zombie (exited, not yet reaped by its parent) has an empty command line: it runs no more.
    return raw ? raw.split("\0").filter((a) => a !== "") : undefined;
  } catch {
    return undefined;
  }
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat), or undefined. */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: count from its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgrp = Number(fields[2]);
    return Number.isSafeInteger(pgrp) && pgrp > 0 ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/** The executable paths that count as CHROMIUM_PATH: as given and resolved (a symlink such as /usr/bin/chromium-browser). */
function executableNames(chromiumPath: string): Set<string> {
  const names = new Set([chromiumPath]);
  try {
    names.add(realpathSync(chromiumPath));
  } catch {
    // Not there (any more): compare with the path as given.
  }
  return names;
}

/**
 * Whether process `pid` runs now and is our Chromium: it was given our profile
 * (`--user-data-dir=<userDataDir>`) and runs CHROMIUM_PATH, either directly or through a wrapper
 * script that exec'd the real binary (Debian's /usr/bin/chromium is a shell script that execs
 * /usr/lib/chromium/chromium and leaves CHROME_WRAPPER=/usr/bin/chromium in its environment).
 */
export function isOurBrowser(pid: number, id: BrowserIdentity): boolean {
  const args = cmdlineOf(pid);
  if (!args?.includes(`--user-data-dir=${id.userDataDir}`)) return false;
  const names = executableNames(id.chromiumPath);
  if (names.has(args[0]!)) return true;
  try {
    const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    return [...names].some((n) => env.includes(`CHROME_WRAPPER=${n}`));
  } catch {
    return false;
  }
}

/**
 * Every running process given our profile (`--user-data-dir=<userDataDir>`) with CHROMIUM_PATH:
 * the browser whose PID was never recorded (the bot died between the launch and the record).
 * The profile is ours alone (under the data directory), so this never finds another program.
 */
export function browsersWithProfile(id: BrowserIdentity): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid && isOurBrowser(pid, id));
}

/** Whether any process of group `pgrp` still runs (a zombie does not count). */
function groupAlive(pgrp: number): boolean {
  try {
    process.kill(-pgrp, 0);
  } catch {
    return false;
  }
  // kill(0) succeeds for zombies too: look for a member that still has a command line.
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .some((e) => processGroupOf(Number(e)) === pgrp && cmdlineOf(Number(e)) !== undefined);
}

function alive(pid: number): boolean {
  return cmdlineOf(pid) !== undefined;
}

/**
 * Ends process `pid` and, when it leads its own process group (as puppeteer launches Chromium),
 * the whole group: SIGTERM, then SIGKILL after `graceMs` (ms) if anything is still running.
 * Resolves once it is gone (or after the SIGKILL's own wait). Never throws for a process already gone.
 */
export async function endProcessTree(pid: number, graceMs = 3_000): Promise<void> {
  const group = processGroupOf(pid) === pid ? pid : undefined;
  const isRunning = () => (group ? groupAlive(group) : alive(pid));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(group ? -group : pid, sig);
    } catch {
      // Already gone.
    }
  };
  if (!isRunning()) return;
  signal("SIGTERM");
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; ) {
    if (!isRunning()) return;
    await sleep(50);
  }
  signal("SIGKILL");
  for (const deadline = Date.now() + 2_000; Date.now() < deadline && isRunning(); ) await sleep(50);
}

/**
 * At start, before launching a new browser: ends the browser a previous run left (the PID file's,
 * when it is still our Chromium; and any other process holding our profile), with its process
 * group, then removes the PID file. Returns the PIDs it ended (for the log).
 */
export async function endLeftoverBrowsers(dataDir: string, id: BrowserIdentity, graceMs?: number): Promise<number[]> {
  const recorded = await recordedBrowserPid(dataDir);
  const pids = new Set<number>();
  if (recorded !== undefined && isOurBrowser(recorded, id)) pids.add(recorded);
  for (const pid of browsersWithProfile(id)) pids.add(pid);
  // Chromium's helpers carry the profile too, but belong to the browser's group: end leaders first.
  const leaders = [...pids].filter((pid) => processGroupOf(pid) === pid);
  for (const pid of leaders) await endProcessTree(pid, graceMs);
  for (const pid of pids) if (alive(pid)) await endProcessTree(pid, graceMs);
  await forgetBrowserPid(dataDir);
  return [...pids];
}

/** Where the PID file is, under the WhatsApp data directory. */
export const pidFileOf = (dataDir: string): string => join(dataDir, PID_FILE);
