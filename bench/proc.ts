/**
 * A bot under measurement as a child process: started with its environment, "ready" read from its
 * log, CPU time and resident memory read from /proc (Linux), stopped with SIGTERM as a supervisor
 * stops it. Shared by the bench and the process-level test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Every line the bot printed (stdout and stderr), parsed when JSON. */
  lines: Array<Record<string, unknown> | string>;
  /** Resolves with the first log line whose `msg` equals `msg`. */
  waitForLine(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Milliseconds from spawn() to the "ready" line reaching this process. */
  ready: Promise<number>;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts `command args` with `env` added to this process's environment. */
export function startBot(command: string, args: string[], env: Record<string, string>, opts: { cwd?: string; detached?: boolean } = {}): BotProcess {
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  const lines: BotProcess["lines"] = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const onLine = (text: string) => {
    let line: Record<string, unknown> | string = text;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") line = parsed as Record<string, unknown>;
    } catch {
      // not JSON: kept as text (npm's banner, a stack trace)
    }
    lines.push(line);
    if (typeof line === "object") {
      for (const w of [...waiters]) {
        if (line.msg === w.msg) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  createInterface({ input: child.stdout! }).on("line", onLine);
  createInterface({ input: child.stderr! }).on("line", onLine);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const waitForLine = (msg: string, timeoutMs = 60_000) => {
    const seen = lines.find((l): l is Record<string, unknown> => typeof l === "object" && l.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${msg}" line within ${timeoutMs} ms; output:\n${tail(lines)}`)), timeoutMs);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code}) before a "${msg}" line; output:\n${tail(lines)}`));
      });
      waiters.push({
        msg,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  };
  const ready = waitForLine("ready").then(() => performance.now() - t0);
  ready.catch(() => {});
  return { child, pid: child.pid!, lines, waitForLine, ready, exited };
}

function tail(lines: BotProcess["lines"]): string {
  return lines
    .slice(-20)
    .map((l) => (typeof l === "string" ? l : JSON.stringify(l)))
    .join("\n");
}

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces), counted from field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Resident memory of the process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Samples a process's RSS every `everyMs` until stopped; `peak` and `last` in MB. */
export function sampleRss(pid: number, everyMs = 100): { readonly peak: number; readonly last: number; stop(): void } {
  let peak = 0;
  let last = 0;
  const take = () => {
    try {
      last = rssMb(pid);
      peak = Math.max(peak, last);
    } catch {
      // the process has ended
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    get peak() {
      return peak;
    },
    get last() {
      return last;
    },
    stop: () => clearInterval(timer),
  };
}

/** Pids of every live process whose parent chain leads to `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

/** Whether a process with this pid is alive (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** A TCP port free at the moment (the bot's PORT: its configuration refuses 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
