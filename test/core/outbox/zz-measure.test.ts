import { test } from "vitest";
import { startTelegramHarness } from "../../support/telegram-harness.ts";
import { bins, drive, registration } from "../../../bench/workload.ts";

test("measure lone member", async () => {
  const h = await startTelegramHarness();
  const gen = bins();
  const ev: [string, number][] = [];
  (globalThis as any).__tr = (l: string) => ev.push([l, performance.now()]);
  const origStep: number[] = [];
  for (let i = 0; i < 3; i++) {
    ev.push(["=== person", performance.now()]);
    const r = await drive(h.fake, 1, 10_000 * (i + 1), () => registration(gen.next().value as string), (s) => { ev.push(["STEP sent " + s.value.slice(0, 12), performance.now()]); return (t) => { const ok = t.includes(s.expect); if (ok) ev.push(["ANSWER", performance.now()]); return ok; }; });
    origStep.push(...r.stepMs);
  }
  (globalThis as any).__tr = undefined;
  const sorted = [...origStep].sort((a, b) => a - b);
  console.log("steps", sorted.map((x) => x.toFixed(1)).join(" "));
  console.log("median", sorted[Math.floor(sorted.length / 2)]);
  const t0 = ev[0]![1];
  let prev = t0;
  const flushes = ev.filter(([l]) => l === "flush-sleep-start").length;
  console.log("flush sleeps", flushes);
  // print the slowest steps' windows
  const steps: [number, number][] = [];
  for (let i = 0; i < ev.length; i++) if (ev[i]![0].startsWith("STEP")) { let j = i; while (j < ev.length && ev[j]![0] !== "ANSWER") j++; steps.push([i, j]); }
  steps.sort((a, b) => (ev[b[1]]?.[1] ?? 0) - ev[b[0]]![1] - ((ev[a[1]]?.[1] ?? 0) - ev[a[0]]![1]));
  for (const [i, j] of steps.slice(0, 4)) { let p2 = ev[i]![1]; console.log("----\n" + ev.slice(i, j + 1).map(([l, t]) => { const s = `+${(t - p2).toFixed(1).padStart(5)} ${l}`; p2 = t; return s; }).join("\n")); }
  const lines = ev.slice(-0).map(([l, t]) => { const s = `${(t - t0).toFixed(1).padStart(8)} +${(t - prev).toFixed(1).padStart(5)} ${l}`; prev = t; return s; });
  console.log(lines.join("\n"));
  await h.close();
}, 120_000);
