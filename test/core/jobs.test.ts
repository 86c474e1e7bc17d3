/**
 * Scheduled jobs (src/core/jobs): two instances (two cores over two connections to one database
 * file) with a controllable clock; workers are ticked by hand.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sqlOf, type Database } from "../../src/db/database.ts";
import { createCore, housekeeping, PRUNE_JOB, type Core } from "../../src/core/core.ts";
import { occurrenceKey, type JobPayload } from "../../src/core/jobs/jobs.ts";
import { retryDelayMs } from "../../src/core/jobs/worker.ts";
import { SYSTEM } from "../../src/core/unit.ts";
import { silentLogger } from "../../src/log.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { i18n, RecordingChannel, tr } from "../support/core-harness.ts";

interface Instance {
  core: Core;
  db: Database;
  channel: RecordingChannel;
}

const ADMIN = "900";
let dir: string | undefined;
/**
 * The database both instances use. One handle: better-sqlite3 waits for another connection's lock
 * synchronously, blocking the process, so two connections in one test process would deadlock.
 * Each instance still has its own core, worker, lease name and in-memory state.
 */
let shared: Database | undefined;
const open: Instance[] = [];
/** The clock every instance reads. 2026-11-30 00:00 UTC = 05:00 in Almaty. */
let now = new Date("2026-11-30T00:00:00Z");
const later = (ms: number) => (now = new Date(now.getTime() + ms));
/** When set, the clock follows real time from `now` on (offset in ms), for a worker that runs by itself. */
let follow: number | null = null;

async function instance(name: string, opts: { staffChat?: string; leaseMs?: number; pollMs?: number } = {}): Promise<Instance> {
  dir ??= mkdtempSync(join(tmpdir(), "qti-jobs-"));
  const db = (shared ??= await openTestDatabase(`file:${join(dir, "bot.db")}`));
  const core = createCore({
    db,
    i18n: i18n(),
    log: silentLogger,
    clock: () => (follow === null ? now : new Date(Date.now() + follow)),
    settings: { defaultLocale: "kk", admins: [{ channel: "telegram", id: ADMIN }], ...(opts.staffChat ? { staffChat: { channel: "telegram", chatId: opts.staffChat } } : {}) },
    jobs: { start: opts.pollMs !== undefined, instance: name, ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}), ...(opts.pollMs ? { pollMs: opts.pollMs } : {}) },
  });
  await core.start();
  const channel = new RecordingChannel();
  await core.dispatcher.register(channel);
  const i = { core, db, channel };
  open.push(i);
  return i;
}

afterEach(async () => {
  for (const i of open.splice(0)) {
    await i.core.stop();
    await i.core.dispatcher.stop();
  }
  await shared?.close();
  shared = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  now = new Date("2026-11-30T00:00:00Z");
  follow = null;
});

interface JobRow {
  key: string;
  kind: string;
  status: string;
  attempts: number;
  runAt: string | Date;
  lastError: string | null;
  leasedBy: string | null;
}
const jobs = (db: Database, kind?: string) =>
  db.transaction((tx) =>
    kind
      ? sqlOf(tx).all<JobRow>(`SELECT * FROM "Job" WHERE "kind" = ? ORDER BY "id"`, kind)
      : sqlOf(tx).all<JobRow>(`SELECT * FROM "Job" ORDER BY "id"`),
  );

async function scheduleOne(i: Instance, kind: string, payload: JobPayload = null, key?: string): Promise<void> {
  await i.core.run(SYSTEM, (unit) => unit.schedule({ kind, payload, runAt: now, ...(key ? { key } : {}) }));
}

describe("scheduled jobs", () => {
  it("a job scheduled for later records when it was queued (createdAt) apart from when it runs (runAt)", async () => {
    const a = await instance("a");
    a.core.jobs.define("later", async () => {});
    const runAt = new Date(now.getTime() + 86_400_000);
    await a.core.run(SYSTEM, (unit) => unit.schedule({ kind: "later", payload: null, runAt, key: "later-1" }));
    const job = await a.db.transaction((tx) => tx.job.findUnique({ where: { key: "later-1" } }));
    expect(job?.runAt).toEqual(runAt);
    expect(job?.createdAt).toEqual(now);
  });

  it("a job fires once with two workers racing on one database", async () => {
    const a = await instance("a");
    const b = await instance("b");
    const ran: string[] = [];
    a.core.jobs.define("ping", async (_unit, payload) => void ran.push(`a:${String(payload)}`));
    b.core.jobs.define("ping", async (_unit, payload) => void ran.push(`b:${String(payload)}`));
    for (let n = 0; n < 10; n++) await scheduleOne(a, "ping", n);
    // A one-off with a natural key is inserted once, whichever instance schedules it.
    await scheduleOne(a, "ping", "keyed", "ping:keyed");
    await scheduleOne(b, "ping", "keyed", "ping:keyed");
    const [na, nb] = await Promise.all([a.core.jobWorker.tick(), b.core.jobWorker.tick()]);
    expect(na + nb).toBe(11);
    expect(ran.map((r) => r.slice(2)).sort()).toEqual([..."0123456789".split(""), "keyed"].sort());
    expect((await jobs(a.db, "ping")).map((j) => j.status)).toEqual(Array(11).fill("done"));
    // Nothing is left to run, by either.
    expect(await a.core.jobWorker.tick()).toBe(0);
    expect(await b.core.jobWorker.tick()).toBe(0);
  });

  it("a job scheduled in a unit that fails does not exist; an unknown kind is refused", async () => {
    const a = await instance("a");
    a.core.jobs.define("remind", async () => {});
    await expect(
      a.core.run(SYSTEM, async (unit) => {
        await unit.schedule({ kind: "remind", runAt: now });
        throw new Error("the unit fails");
      }),
    ).rejects.toThrow("the unit fails");
    expect(await jobs(a.db, "remind")).toEqual([]);
    await expect(a.core.run(SYSTEM, (unit) => unit.schedule({ kind: "remnid", runAt: now }))).rejects.toThrow(/not defined/);
  });

  it("a failing job is retried with backoff, then fails for good and staff are told once", async () => {
    const a = await instance("a");
    let tries = 0;
    a.core.jobs.define(
      "flaky",
      async () => {
        tries++;
        throw new Error("the remote end is down");
      },
      { maxAttempts: 3 },
    );
    await scheduleOne(a, "flaky");
    expect(await a.core.jobWorker.tick()).toBe(1);
    let [row] = await jobs(a.db, "flaky");
    expect(row).toMatchObject({ status: "queued", attempts: 1, lastError: "the remote end is down" });
    expect(new Date(row!.runAt).getTime()).toBe(now.getTime() + retryDelayMs(1));
    // Not before its time.
    later(retryDelayMs(1) - 1000);
    expect(await a.core.jobWorker.tick()).toBe(0);
    later(1000);
    expect(await a.core.jobWorker.tick()).toBe(1);
    [row] = await jobs(a.db, "flaky");
    expect(row).toMatchObject({ status: "queued", attempts: 2 });
    expect(retryDelayMs(2)).toBeGreaterThan(retryDelayMs(1));
    later(retryDelayMs(2));
    expect(await a.core.jobWorker.tick()).toBe(1);
    [row] = await jobs(a.db, "flaky");
    expect(row).toMatchObject({ status: "failed", attempts: 3 });
    expect(tries).toBe(3);
    // Never again, and staff heard of it once: no staff group, so the admin, in their language.
    later(86_400_000);
    await a.core.jobWorker.tick();
    expect(tries).toBe(3);
    expect((await jobs(a.db, "flaky"))[0]).toMatchObject({ status: "failed", attempts: 3 });
    await a.core.dispatcher.idle();
    const told = a.channel.in(ADMIN).map((m) => m.text);
    expect(told).toEqual([tr("kk", "job-failed", { kind: "flaky", ref: `#${(await a.db.transaction((tx) => tx.job.findFirst({ where: { kind: "flaky" } })))!.id}`, attempts: 3 })]);
  });

  it("a job failing for good is told to the staff group when there is one", async () => {
    const a = await instance("a", { staffChat: "-100" });
    a.core.jobs.define("broken", async () => Promise.reject(new Error("no")), { maxAttempts: 1 });
    await scheduleOne(a, "broken");
    await a.core.jobWorker.tick();
    await a.core.dispatcher.idle();
    expect(a.channel.in("-100").map((m) => m.text)).toEqual([expect.stringContaining("broken")]);
    expect(a.channel.in(ADMIN)).toEqual([]);
  });

  it("a job whose instance crashed mid-run is taken over once its lease expires; the crashed run's work is rolled back", async () => {
    const a = await instance("a", { leaseMs: 60_000 });
    const b = await instance("b", { leaseMs: 60_000 });
    const ran: string[] = [];
    a.core.jobs.define("work", async () => void ran.push("a"));
    b.core.jobs.define("work", async () => void ran.push("b"));
    await scheduleOne(a, "work");
    // Instance a claims the job and "crashes" before running it.
    const claimed = await a.core.jobWorker.claim();
    expect(claimed).toMatchObject({ kind: "work", attempts: 1 });
    expect(await b.core.jobWorker.tick()).toBe(0); // leased: not b's to take yet
    later(60_001);
    expect(await b.core.jobWorker.tick()).toBe(1);
    expect(ran).toEqual(["b"]);
    expect((await jobs(b.db, "work"))[0]).toMatchObject({ status: "done", attempts: 2, leasedBy: "b" });
    // a comes back to life and runs what it had claimed: its work is not committed, the job stays done once.
    await a.core.jobWorker.run(claimed!);
    expect((await jobs(a.db, "work"))[0]).toMatchObject({ status: "done", attempts: 2, leasedBy: "b" });
  });

  it("a cron occurrence is inserted once by two schedulers, keyed by its time", async () => {
    const a = await instance("a");
    const b = await instance("b");
    await Promise.all([a.core.jobWorker.tick(), b.core.jobWorker.tick()]);
    const prune = await jobs(a.db, PRUNE_JOB.kind);
    // 05:00 in Almaty (UTC+5): the next 03:17 there is 2026-11-30T22:17Z.
    const next = new Date("2026-11-30T22:17:00Z");
    expect(prune.map((j) => [j.key, j.status])).toEqual([[occurrenceKey("prune", next), "queued"]]);
    // At its time it runs once, and the next occurrence is inserted.
    now = new Date(next.getTime() + 1000);
    const ran = (await a.core.jobWorker.tick()) + (await b.core.jobWorker.tick());
    // Every occurrence due ran once, by one of the two (the problem digest's 09:00 was due too).
    expect(ran).toBe((await jobs(a.db)).filter((j) => j.status === "done").length);
    expect((await jobs(a.db, PRUNE_JOB.kind)).map((j) => [j.key, j.status])).toEqual([
      [occurrenceKey("prune", next), "done"],
      [occurrenceKey("prune", new Date(next.getTime() + 86_400_000)), "queued"],
    ]);
  });

  it("occurrences missed while every instance was down run once at start, not once per missed period", async () => {
    const a = await instance("a");
    let runs = 0;
    a.core.jobs.define("hourly", async () => void runs++, { cron: "0 * * * *" });
    await a.core.jobWorker.tick();
    expect(runs).toBe(0);
    // Down for five hours and a half; another instance starts then.
    await a.core.stop();
    later(5.5 * 3_600_000);
    const b = await instance("b");
    b.core.jobs.define("hourly", async () => void runs++, { cron: "0 * * * *" });
    await b.core.jobWorker.tick();
    expect(runs).toBe(1);
    const rows = await jobs(b.db, "hourly");
    expect(rows.map((j) => j.status)).toEqual(["done", "queued"]);
    expect(new Date(rows[1]!.runAt).getTime()).toBe(new Date("2026-11-30T06:00:00Z").getTime());
  });

  it("the prune job forgets old update ids and finished jobs past their retention", async () => {
    const a = await instance("a");
    a.core.jobs.define("noop", async () => {});
    await scheduleOne(a, "noop");
    await a.core.jobWorker.tick();
    await a.db.transaction((tx) => tx.processedUpdate.create({ data: { id: "telegram:1", createdAt: now } }));
    later(8 * 86_400_000);
    await a.core.jobWorker.tick(); // runs the overdue prune occurrence
    expect(await jobs(a.db, "noop")).toEqual([]);
    expect(await a.db.transaction((tx) => tx.processedUpdate.count())).toBe(0);
  });

  it("housekeeping removes finished outbox rows past OUTBOX_RETENTION_DAYS and keeps the rest", async () => {
    const a = await instance("a");
    const day = 86_400_000;
    const row = (status: string, age: number) => ({ channel: "telegram", chatId: "1", payload: "", status, updatedAt: new Date(now.getTime() - age * day), createdAt: new Date(now.getTime() - age * day) });
    await a.db.transaction((tx) =>
      tx.outbox.createMany({
        data: [row("sent", 11), row("failed", 11), row("unreachable", 11), row("sent", 9), row("queued", 11)],
      }),
    );
    const pruned = await a.db.transaction((tx) => housekeeping(tx, now, 10));
    expect(pruned.outbox).toBe(3);
    const left = await a.db.transaction((tx) => tx.outbox.findMany({ select: { status: true }, orderBy: { id: "asc" } }));
    expect(left.map((r) => r.status)).toEqual(["sent", "queued"]);
  });

  it("stop waits for the running job and claims nothing after", async () => {
    const a = await instance("a");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const ran: number[] = [];
    a.core.jobs.define("slow", async (_u, p) => {
      if (p === 1) {
        started();
        await gate;
      }
      ran.push(Number(p));
    });
    await scheduleOne(a, "slow", 1);
    later(1);
    await scheduleOne(a, "slow", 2);
    const tick = a.core.jobWorker.tick();
    await running;
    const stopped = a.core.stop();
    release();
    await stopped;
    await tick;
    expect(ran).toEqual([1]);
    expect((await jobs(a.db, "slow")).map((j) => j.status)).toEqual(["done", "queued"]);
  });

  it("a running worker wakes for a job scheduled in a unit or by a job, not only at its next poll", async () => {
    // A poll far longer than the test: only waking for what was scheduled runs these (a broadcast's
    // progress every few seconds, a reminder or announcement scheduled soon: issue 8).
    const a = await instance("a", { pollMs: 3_600_000 });
    const ran: string[] = [];
    let second!: () => void;
    const done = new Promise<void>((r) => (second = r));
    a.core.jobs.define("soon", async (unit, p) => {
      ran.push(String(p));
      if (p === "first") await unit.schedule({ kind: "soon", payload: "second", runAt: new Date(unit.now.getTime() + 50), key: "soon-2" });
      else second();
    });
    // The clock the jobs read moves on as real time does.
    follow = now.getTime() - Date.now();
    await a.core.run(SYSTEM, (unit) => unit.schedule({ kind: "soon", payload: "first", runAt: new Date(unit.now.getTime() + 50), key: "soon-1" }));
    await done;
    expect(ran).toEqual(["first", "second"]);
  }, 30_000);

  it("a wake asked for while a tick runs is kept until its time, even when that tick runs an earlier job", async () => {
    const a = await instance("a", { pollMs: 3_600_000 });
    follow = now.getTime() - Date.now();
    let second!: () => void;
    const done = new Promise<void>((r) => (second = r));
    const ran: string[] = [];
    // "zero" schedules "first" due at once (the same tick runs it next), which schedules "second"
    // 50 ms later: that wake must survive the earlier one, already passed when the tick ends.
    a.core.jobs.define("chain", async (unit, p) => {
      ran.push(String(p));
      if (p === "zero") await unit.schedule({ kind: "chain", payload: "first", runAt: unit.now, key: "chain-1" });
      else if (p === "first") await unit.schedule({ kind: "chain", payload: "second", runAt: new Date(unit.now.getTime() + 50), key: "chain-2" });
      else second();
    });
    await a.core.run(SYSTEM, (unit) => unit.schedule({ kind: "chain", payload: "zero", runAt: unit.now, key: "chain-0" }));
    await done;
    expect(ran).toEqual(["zero", "first", "second"]);
  }, 30_000);
});
