/**
 * The delivery engine on a real database with virtual time and fake senders: lanes, scheduled
 * rows, rate limits per scope seen by every instance, a crashed instance's leases taken over, two
 * instances sharing the queue and the global budget, memory bounded by the batch, pruning.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqlOf, type Database } from "../../../src/db/database.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { Dispatcher, LEASE_MS, readBucket, SEND_DEADLINE_MS, writeBucket, type DispatcherOptions } from "../../../src/core/outbox/dispatcher.ts";
import { enqueue, LANE_PRIORITY, pruneDelivered, type Lane, type QueuedMessage } from "../../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelSender, type Outbound } from "../../../src/core/channel.ts";
import { silentLogger } from "../../../src/log.ts";
import { countingDatabase, virtualTime as clock } from "../../support/virtual-time.ts";

let dir: string;
let db: Database;
const running: Dispatcher[] = [];
let busy: () => boolean;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-engine-"));
  ({ db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`)));
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop({ graceMs: 10 });
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Virtual time that waits for the database (support/virtual-time.ts). */
const virtualTime = (start?: number) => clock(start, busy);
type Time = ReturnType<typeof virtualTime>;

type Attempt = { chatId: string; text: string; at: number };
/** A sender that records every attempt; `script` may throw or hang. */
function fakeSender(time: Time, script: (a: Attempt, signal?: AbortSignal) => void | Promise<void> = () => {}, capabilities?: ChannelCapabilities) {
  const attempts: Attempt[] = [];
  const delivered: Attempt[] = [];
  let id = 1;
  const sender: ChannelSender = {
    channel: "telegram",
    ...(capabilities ? { capabilities } : {}),
    async deliver(chatId: string, outbound: Outbound, signal?: AbortSignal) {
      const a: Attempt = { chatId, text: outbound.message.text, at: time.now() };
      attempts.push(a);
      await script(a, signal);
      delivered.push(a);
      return { messageId: String(id++) };
    },
  };
  return { sender, attempts, delivered };
}

function engine(time: Time, extra: Partial<DispatcherOptions> = {}): Dispatcher {
  const d = new Dispatcher({ db, log: silentLogger, timers: time, ...extra });
  running.push(d);
  return d;
}

const payload = (text: string) => JSON.stringify({ kind: "send", message: { text } });

async function queue(chatId: string, text: string, opts: { lane?: Lane; notBefore?: Date } = {}): Promise<QueuedMessage> {
  return db.transaction((tx) => enqueue(tx, { channel: "telegram", chatId, payload: payload(text), tag: null, locale: "ru", ...opts }, new Date()));
}

/**
 * Many rows in one transaction (`chat(i)`, text `${prefix}${i}`), as `enqueue` writes them, in
 * multi-row INSERTs of 1,000: one INSERT a row took 50,000 round trips, past PostgreSQL's
 * transaction timeout.
 */
async function queueMany(n: number, chat: (i: number) => string, prefix: string, lane: Lane): Promise<void> {
  const createdAt = new Date();
  await db.transaction(async (tx) => {
    for (let start = 0; start < n; start += 1000) {
      const data = [];
      for (let i = start; i < Math.min(n, start + 1000); i++) {
        data.push({ channel: "telegram", chatId: chat(i), payload: payload(`${prefix}${i}`), tag: null, locale: "ru", lane, priority: LANE_PRIORITY[lane], createdAt });
      }
      await tx.outbox.createMany({ data });
    }
  });
}

const statusCounts = () =>
  db.transaction(async (tx) => {
    const rows = await sqlOf(tx).all<{ status: string; n: number | string }>(`SELECT "status", COUNT(*) AS "n" FROM "Outbox" GROUP BY "status"`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  });

/** Resolves once a rate-limit pause is recorded in the table (what other instances read). */
async function pauseRecorded(): Promise<void> {
  for (;;) {
    const row = await db.transaction((tx) => sqlOf(tx).get(`SELECT 1 AS "x" FROM "OutboxPace" WHERE "pausedUntil" IS NOT NULL`));
    if (row) return;
    await new Promise((r) => setImmediate(r));
  }
}

/** Resolves once `check` holds (checked after every attempt of the sender; no timing). */
function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setImmediate(poll));
    poll();
  });
}

describe("delivery engine", () => {
  it("keeps finished rows with their status and message id, and prunes them after the retention", async () => {
    const time = virtualTime();
    const { sender } = fakeSender(time, (a) => {
      if (a.text === "bad") throw new DeliveryError("rejected", "400 Bad Request: can't parse entities");
    });
    const d = engine(time);
    await d.register(sender);
    d.enqueue([await queue("1", "ok"), await queue("2", "bad")]);
    await d.idle();
    const rows = await db.transaction((tx) => tx.outbox.findMany({ orderBy: { id: "asc" } }));
    expect(rows.map((r) => [r.status, r.messageId, r.lastError?.slice(0, 3) ?? null])).toEqual([
      ["sent", "1", null],
      ["failed", null, "400"],
    ]);
    expect(rows[0]!.sentAt).not.toBeNull();
    // Pruning: nothing newer than `before`; then everything finished.
    const queued = await queue("3", "later", { notBefore: new Date(time.now() + 86_400_000) });
    expect(await db.transaction((tx) => pruneDelivered(tx, new Date(time.now() - 1000)))).toBe(0);
    expect(await db.transaction((tx) => pruneDelivered(tx, new Date(time.now() + 1000)))).toBe(2);
    expect((await db.transaction((tx) => tx.outbox.findMany())).map((r) => r.id)).toEqual([queued.id]);
  });

  it("a scheduled row holds back only the later rows of its chat and lane; the conversation goes on", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time);
    const d = engine(time);
    await d.register(sender);
    const at = new Date(time.now() + 60_000);
    await queue("1", "bulk-scheduled", { lane: "bulk", notBefore: at });
    await queue("1", "bulk-after", { lane: "bulk" });
    await queue("2", "other-chat-bulk", { lane: "bulk" });
    d.enqueue([await queue("1", "answer")]);
    await until(() => delivered.length === 4);
    const when = (text: string) => delivered.find((a) => a.text === text)!.at;
    expect(when("answer")).toBeLessThan(at.getTime());
    expect(when("other-chat-bulk")).toBeLessThan(at.getTime());
    expect(when("bulk-scheduled")).toBeGreaterThanOrEqual(at.getTime());
    expect(delivered.slice(2).map((a) => a.text)).toEqual(["bulk-scheduled", "bulk-after"]);
  });

  it("keeps each chat's order under retries while other chats go on", async () => {
    const time = virtualTime();
    const failures = new Map<string, number>([["a1", 2], ["b2", 1], ["c1", 3]]);
    const { sender, delivered } = fakeSender(time, (a) => {
      const left = failures.get(a.text) ?? 0;
      if (left > 0) {
        failures.set(a.text, left - 1);
        throw new DeliveryError("retry", "502 Bad Gateway");
      }
    });
    const d = engine(time, { concurrency: 4 });
    await d.register(sender);
    const rows = [];
    for (let i = 1; i <= 4; i++) for (const chat of ["a", "b", "c"]) rows.push(await queue(chat, `${chat}${i}`));
    d.enqueue(rows);
    await d.idle();
    for (const chat of ["a", "b", "c"]) {
      expect(delivered.filter((x) => x.chatId === chat).map((x) => x.text)).toEqual([1, 2, 3, 4].map((i) => `${chat}${i}`));
    }
    // b and c did not wait for a1's retries: b1 went out before a1 did.
    const at = (t: string) => delivered.find((x) => x.text === t)!.at;
    expect(at("b1")).toBeLessThan(at("a1"));
  });

  it("a global 429 stops every send of the channel, on this and every other instance, until retry_after has passed", async () => {
    const time = virtualTime();
    let limitedAt = 0;
    let limited = false;
    const one = fakeSender(time, (a) => {
      if (!limited && a.text === "x3") {
        limited = true;
        limitedAt = time.now();
        throw new DeliveryError("retry", "429 Too Many Requests: retry after 7", 7000, "global");
      }
    });
    const two = fakeSender(time);
    const a = engine(time, { concurrency: 4, instanceId: "a" });
    const b = engine(time, { concurrency: 4, instanceId: "b" });
    await a.register(one.sender);
    await queueMany(40, (i) => String(100 + i), "x", "conversation");
    a.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await until(() => limited);
    await pauseRecorded();
    await b.register(two.sender);
    await Promise.all([a.idle(), b.idle()]);
    const attempts = [...one.attempts, ...two.attempts];
    // Sends already in flight when the 429 came may finish; nothing starts inside the window.
    const inside = attempts.filter((x) => x.at > limitedAt && x.at < limitedAt + 7000);
    expect(inside).toEqual([]);
    expect(new Set([...one.delivered, ...two.delivered].map((x) => x.text)).size).toBe(40);
    expect(await statusCounts()).toEqual({ sent: 40 });
  });

  it("a chat's 429 stops the sends to that chat only, on every instance, until retry_after has passed", async () => {
    const time = virtualTime();
    let limitedAt = 0;
    let limited = false;
    const one = fakeSender(time, (a) => {
      if (!limited && a.text === "g1") {
        limited = true;
        limitedAt = time.now();
        throw new DeliveryError("retry", "429 Too Many Requests: retry after 30", 30_000, "chat");
      }
    });
    const two = fakeSender(time);
    const a = engine(time, { instanceId: "a" });
    const b = engine(time, { instanceId: "b" });
    await a.register(one.sender);
    await queueMany(5, () => "-100", "g", "conversation");
    await queueMany(5, () => "-100", "n", "notice");
    a.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await until(() => limited);
    await pauseRecorded();
    await b.register(two.sender);
    await queueMany(20, (i) => String(200 + i), "p", "conversation");
    b.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await Promise.all([a.idle(), b.idle()]);
    const attempts = [...one.attempts, ...two.attempts];
    expect(attempts.filter((x) => x.chatId === "-100" && x.at > limitedAt && x.at < limitedAt + 30_000)).toEqual([]);
    // Other chats went on inside the window.
    expect(attempts.filter((x) => x.chatId !== "-100" && x.at < limitedAt + 30_000).length).toBe(20);
    expect(await statusCounts()).toEqual({ sent: 30 });
  });

  it("takes over the rows a crashed instance left `sending` once their lease has expired, in order", async () => {
    const time = virtualTime();
    // The crashed instance: its sends never return (the process is gone); it holds both of its slots.
    const dead = fakeSender(time, (_a, signal) => new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))));
    const crashed = engine(time, { concurrency: 2, instanceId: "crashed", leaseMs: 30_000 });
    await crashed.register(dead.sender);
    await queue("1", "A1");
    await queue("2", "B1");
    await queue("1", "A2");
    crashed.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await until(() => dead.attempts.length === 2);
    const claimedAt = time.now();
    expect(await statusCounts()).toEqual({ sending: 2, queued: 1 });
    const alive = fakeSender(time);
    const other = engine(time, { instanceId: "alive", leaseMs: 30_000 });
    await other.register(alive.sender);
    await other.idle();
    expect(alive.delivered.map((a) => a.text).sort()).toEqual(["A1", "A2", "B1"]);
    for (const a of alive.delivered) expect(a.at).toBeGreaterThanOrEqual(claimedAt + 30_000);
    expect(alive.delivered.filter((a) => a.chatId === "1").map((a) => a.text)).toEqual(["A1", "A2"]);
    expect(await statusCounts()).toEqual({ sent: 3 });
  });

  it("sends the conversation lane ahead of 5,000 queued bulk rows", async () => {
    const time = virtualTime();
    let answerQueued = -1;
    let d: Dispatcher | undefined;
    const { sender, delivered } = fakeSender(
      time,
      async (a) => {
        // A member writes while the announcement goes out: the unit commits, the engine is told.
        if (a.text !== "bulk20") return;
        const row = await queue("1", "answer", { lane: "conversation" });
        answerQueued = delivered.length;
        d!.enqueue([row]);
      },
      { limits: { global: { burst: 10, everyMs: 100 } } },
    );
    await queueMany(5000, (i) => String(10_000 + i), "bulk", "bulk");
    d = engine(time, { concurrency: 8 });
    await d.register(sender);
    d.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await until(() => delivered.some((a) => a.text === "answer"));
    const position = delivered.findIndex((a) => a.text === "answer");
    // At most the sends already claimed (one batch) go before it.
    expect(position - answerQueued).toBeLessThanOrEqual(8 + 1);
    expect(delivered.length).toBeLessThan(100);
  }, 60_000);

  it("two instances on one database send every row once and keep the global limit together", async () => {
    const time = virtualTime();
    const limits = { global: { burst: 5, everyMs: 100 }, privateChat: { burst: 3, everyMs: 1000 } };
    // Each send takes 30 ms, and each instance sends 3 at a time: both have work while the other sends.
    const one = fakeSender(time, () => time.wait(30), { limits });
    const two = fakeSender(time, () => time.wait(30), { limits });
    const a = engine(time, { concurrency: 3, instanceId: "a" });
    const b = engine(time, { concurrency: 3, instanceId: "b" });
    await queueMany(150, (i) => String(300 + (i % 50)), "r", "conversation");
    await a.register(one.sender);
    await b.register(two.sender);
    a.enqueue([{ channel: "telegram" } as QueuedMessage]);
    b.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await Promise.all([a.idle(), b.idle()]);
    const all = [...one.delivered, ...two.delivered].sort((x, y) => x.at - y.at);
    expect(all).toHaveLength(150);
    expect(new Set(all.map((x) => x.text)).size).toBe(150);
    expect(one.delivered.length).toBeGreaterThan(0);
    expect(two.delivered.length).toBeGreaterThan(0);
    // Any second holds at most the burst plus what refills in it: 5 + 10.
    for (const x of all) expect(all.filter((y) => y.at >= x.at && y.at < x.at + 1000).length).toBeLessThanOrEqual(15);
    // Each chat: at most its burst plus one a second.
    for (const x of all) {
      expect(all.filter((y) => y.chatId === x.chatId && y.at >= x.at && y.at < x.at + 1000).length).toBeLessThanOrEqual(4);
    }
    // Per chat, in order.
    for (let c = 0; c < 50; c++) {
      const texts = all.filter((x) => x.chatId === String(300 + c)).map((x) => Number(x.text.slice(1)));
      expect(texts).toEqual([...texts].sort((p, q) => p - q));
    }
  }, 60_000);

  it("holds no more rows in memory than one batch, over 50,000 queued rows", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time);
    await queueMany(50_000, (i) => String(i % 5000), "m", "bulk");
    const d = engine(time, { concurrency: 64 });
    await d.register(sender);
    d.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await d.idle();
    expect(delivered).toHaveLength(50_000);
    expect(d.maxHeld("telegram")).toBeLessThanOrEqual(64);
    expect(await statusCounts()).toEqual({ sent: 50_000 });
  }, 900_000); // 50,000 rows on PostgreSQL take minutes on a loaded machine (198 s seen under a parallel load)
  it("sends a lone member's next answer as soon as the previous send ends, without waiting for a timer", async () => {
    // A clock that never moves, waits that never end, no poll: only the wake-ups can move the engine.
    const frozen = { now: () => 1_000_000, wait: () => new Promise<void>(() => {}) } as unknown as Time;
    const releases = new Map<string, () => void>();
    // Each send ends when the test says (the platform's answer still on its way back).
    const { sender, attempts, delivered } = fakeSender(frozen, (a) => new Promise<void>((resolve) => releases.set(a.text, resolve)));
    const d = engine(frozen, { pollMs: 1_000_000_000 });
    await d.register(sender);
    const committed = async (text: string) => d.enqueue([await queue("1", text)]);
    await committed("A1");
    await until(() => attempts.length === 1);
    // The member's next update is handled and answered while A1's send is still in flight.
    await committed("A2");
    releases.get("A1")!();
    await until(() => attempts.length === 2);
    releases.get("A2")!();
    await until(() => delivered.length === 2);
    await committed("A3");
    await until(() => attempts.length === 3);
    releases.get("A3")!();
    for (;;) {
      const counts = await statusCounts();
      if (counts.sent === 3) break;
      await new Promise((r) => setImmediate(r));
    }
    expect(delivered.map((a) => a.text)).toEqual(["A1", "A2", "A3"]);
  });

  it("leases a claim for LEASE_MS (30 s: the longest send plus its result), never less, whatever leaseMs asks", async () => {
    expect(LEASE_MS).toBeGreaterThanOrEqual(SEND_DEADLINE_MS + 5_000);
    for (const leaseMs of [undefined, 1_000]) {
      const time = virtualTime();
      let release = () => {};
      const hung = new Promise<void>((resolve) => (release = resolve));
      const { sender, attempts } = fakeSender(time, () => hung);
      const d = engine(time, leaseMs === undefined ? {} : { leaseMs });
      await d.register(sender);
      d.enqueue([await queue("1", `lease ${leaseMs}`)]);
      await until(() => attempts.length === 1);
      const row = await db.transaction((tx) => sqlOf(tx).get<{ leaseUntil: string | Date }>(`SELECT "leaseUntil" FROM "Outbox" WHERE "status" = 'sending'`));
      expect(new Date(row!.leaseUntil).getTime() - attempts[0]!.at).toBe(LEASE_MS);
      release();
      await d.idle();
      await d.stop();
      await db.transaction((tx) => sqlOf(tx).run(`DELETE FROM "Outbox"`));
    }
  });
});

describe("the shared bucket's clock", () => {
  it("never goes back when an instance read its clock before another instance's later write (no time credited twice)", async () => {
    const limit = { burst: 5, everyMs: 100 };
    // Instance A claimed at 10 s and spent the bucket; B read its clock (9 s) before A's lock was released.
    await db.transaction((tx) =>
      sqlOf(tx).run(`INSERT INTO "OutboxPace" ("channel", "key", "tokens", "at", "readyAt") VALUES (?, ?, ?, ?, ?)`, "telegram", "", 0, new Date(10_000), new Date(10_100)),
    );
    const stale = await db.transaction((tx) => readBucket(tx, "telegram", "", limit, 9_000, true));
    expect(stale).toMatchObject({ tokens: 0, at: 10_000 });
    await db.transaction((tx) => writeBucket(tx, "telegram", "", stale, limit));
    // At 10 s again nothing has refilled: the second between 9 s and 10 s was not credited again.
    const again = await db.transaction((tx) => readBucket(tx, "telegram", "", limit, 10_000, true));
    expect(again.tokens).toBe(0);
  });
});
