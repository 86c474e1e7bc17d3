/**
 * Processes seen in /proc, for the tests that check no Chromium is left behind.
 */
import { readdirSync, readFileSync } from "node:fs";

/** PIDs of running processes (not zombies) whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline && cmdline.includes(text)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Whether `pid` runs (a zombie, waiting for its parent to reap it, does not). */
export function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8") !== "";
  } catch {
    return false;
  }
}
