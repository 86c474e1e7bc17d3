/**
 * A focused measure of the core's turn (no grammY, no HTTP): PEOPLE people register an enterprise
 * one after another through the core harness (real SQLite, real flows, recording channel); prints
 * CPU per update and the SQL statements per step (STATEMENTS=1 lists them). For profiling:
 *   node --cpu-prof --import tsx bench/turn-micro.ts
 *
 * 30.11.2026, PEOPLE=40, main (9396c8a) and the speed branch alternately on a machine loaded by
 * other work (load 35 → 17): CPU per update 13.9/10.1, 10.9/8.7, 10.3/7.2 ms (before/after);
 * medians 10.9 → 8.7 ms. Only comparisons within a run of pairs count on a shared machine.
 */
import Database from "better-sqlite3";
import { i18n, startHarness, tr } from "../test/support/core-harness.ts";
import { foldLabel } from "../src/core/message.ts";
import { bins } from "./workload.ts";

const PEOPLE = Number(process.env.PEOPLE ?? 150);
const statements: string[] = [];
const prepare = Database.prototype.prepare;
let patched = false;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  const stmt = prepare.call(this, sql);
  if (!patched) {
    // Every statement run (cached ones too): its prototype's run/get/all.
    patched = true;
    const proto = Object.getPrototypeOf(stmt) as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ["run", "get", "all"]) {
      const orig = proto[m]!;
      proto[m] = function (this: { source: string }, ...a: unknown[]) {
        statements.push(this.source);
        return orig.apply(this, a);
      };
    }
  }
  return stmt;
} as typeof prepare;

// Fluent renders per update and the time they take (I18N=1).
let tCalls = 0;
let tMs = 0;
if (process.env.I18N) {
  const shared = i18n();
  const t = shared.t.bind(shared);
  shared.t = (...a: Parameters<typeof t>) => {
    tCalls++;
    const t0 = performance.now();
    try {
      return t(...a);
    } finally {
      tMs += performance.now() - t0;
    }
  };
}
void foldLabel;
let eCalls = 0;
let eMs = 0;
if (process.env.I18N) {
  const proto = (await import("../src/core/outbox/outbox.ts")).Outbox.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const entry = proto.entry!;
  proto.entry = function (this: unknown, ...a: unknown[]) {
    eCalls++;
    const t0 = performance.now();
    try {
      return entry.apply(this, a);
    } finally {
      eMs += performance.now() - t0;
    }
  };
}
const h = await startHarness({ settings: { defaultLocale: "en" } });
const gen = bins();
const steps = (bin: string) => [
  (p: ReturnType<typeof h.person>) => p.send("/start"),
  (p: ReturnType<typeof h.person>) => p.press(tr("en", "menu-register")),
  (p: ReturnType<typeof h.person>) => p.press(tr("en", "consent-agree")),
  (p: ReturnType<typeof h.person>) => p.send(bin),
  (p: ReturnType<typeof h.person>) => p.send(`Textile ${bin}`),
  (p: ReturnType<typeof h.person>) => p.press(tr("en", "region-almaty-city")),
  (p: ReturnType<typeof h.person>) => p.press(tr("en", "sector-apparel")),
  (p: ReturnType<typeof h.person>) => p.send("45"),
  (p: ReturnType<typeof h.person>) => p.send("Aigerim"),
  (p: ReturnType<typeof h.person>) => p.contact("77011234567"),
  (p: ReturnType<typeof h.person>) => p.press(tr("en", "reg-confirm-button")),
];
const run = async (n: number, base: number, perStep?: number[][]) => {
  for (let i = 0; i < n; i++) {
    const p = h.person(String(base + i), { language: "en" });
    const all = steps(gen.next().value as string);
    for (let s = 0; s < all.length; s++) {
      const before = statements.length;
      await all[s]!(p);
      perStep?.[s]!.push(statements.length - before);
    }
  }
};
await run(20, 1_000_000);
const perStep = Array.from({ length: 11 }, () => [] as number[]);
statements.length = 0;
tCalls = 0;
tMs = 0;
eCalls = 0;
eMs = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(PEOPLE, 2_000_000, perStep);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const updates = PEOPLE * 11;
console.log(`${updates} updates: ${((cpu.user + cpu.system) / 1000 / updates).toFixed(3)} ms CPU/update, ${(ms / updates).toFixed(3)} ms wall/update`);
console.log(`statements run per step (median): ${perStep.map((v) => [...v].sort((a, b) => a - b)[v.length >> 1]).join(" ")}; total per update ${(statements.length / updates).toFixed(1)}`);
if (process.env.I18N) console.log(`i18n.t per update: ${(tCalls / updates).toFixed(1)} calls, ${(tMs / updates).toFixed(3)} ms; menu entries ${(eCalls / updates).toFixed(1)} calls, ${(eMs / updates).toFixed(3)} ms`);
if (process.env.STATEMENTS) {
  const counts = new Map<string, number>();
  for (const s of statements) counts.set(s, (counts.get(s) ?? 0) + 1);
  for (const [s, c] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${(c / updates).toFixed(2)}  ${s.slice(0, 220)}`);
}
await h.close();
