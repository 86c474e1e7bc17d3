/**
 * The delivery engine's paid mode (ChannelCapabilities.limits.paid: Telegram's paid broadcasts) on a
 * real database with virtual time: bulk rows go flagged and paced by their own bucket, the other
 * lanes keep the global one; without the mode nothing is flagged; a rate limit on a paid message
 * holds back the paid messages only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqlOf, type Database } from "../../../src/db/database.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { Dispatcher } from "../../../src/core/outbox/dispatcher.ts";
import { LANE_PRIORITY, type Lane, type QueuedMessage } from "../../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelSender, type Outbound } from "../../../src/core/channel.ts";
import { silentLogger } from "../../../src/log.ts";
import { countingDatabase, virtualTime as clock } from "../../support/virtual-time.ts";

let dir: string;
let db: Database;
const running: Dispatcher[] = [];
let busy: () => boolean;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-paid-"));
  ({ db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`)));
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop({ graceMs: 10 });
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const virtualTime = () => clock(undefined, busy);
type Time = ReturnType<typeof virtualTime>;
type Attempt = { chatId: string; text: string; at: number; paid: boolean };

function fakeSender(time: Time, capabilities: ChannelCapabilities, script: (a: Attempt) => void = () => {}) {
  const attempts: Attempt[] = [];
  const delivered: Attempt[] = [];
  let id = 1;
  const sender: ChannelSender = {
    channel: "telegram",
    capabilities,
    async deliver(chatId: string, outbound: Outbound) {
      const a: Attempt = { chatId, text: outbound.message.text, at: time.now(), paid: outbound.message.paid === true };
      attempts.push(a);
      script(a);
      await time.wait(20);
      delivered.push(a);
      return { messageId: String(id++) };
    },
  };
  return { sender, attempts, delivered };
}

function engine(time: Time): Dispatcher {
  const d = new Dispatcher({ db, log: silentLogger, timers: time, concurrency: 16 });
  running.push(d);
  return d;
}

/** `n` rows in one transaction, chats `chat(i)`, texts `${prefix}${i}`; `message` adds to each message. */
async function queueMany(n: number, chat: (i: number) => string, prefix: string, lane: Lane, message: Record<string, unknown> = {}): Promise<void> {
  const createdAt = new Date();
  await db.transaction(async (tx) => {
    const data = [];
    for (let i = 0; i < n; i++) {
      const payload = JSON.stringify({ kind: "send", message: { text: `${prefix}${i}`, ...message } });
      data.push({ channel: "telegram", chatId: chat(i), payload, tag: null, locale: "ru", lane, priority: LANE_PRIORITY[lane], createdAt });
    }
    await tx.outbox.createMany({ data });
  });
}

const statusCounts = () =>
  db.transaction(async (tx) => {
    const rows = await sqlOf(tx).all<{ status: string; n: number | string }>(`SELECT "status", COUNT(*) AS "n" FROM "Outbox" GROUP BY "status"`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  });

/** The most attempts in any window of `ms` starting at an attempt. */
const mostIn = (attempts: Attempt[], ms: number) => Math.max(0, ...attempts.map((x) => attempts.filter((y) => y.at >= x.at && y.at < x.at + ms).length));

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = () => (check() ? resolve() : setImmediate(poll));
    poll();
  });

const kick = (d: Dispatcher) => d.enqueue([{ channel: "telegram" } as QueuedMessage]);

/** Global 10 a second (burst 5); paid 100 a second (burst 20). */
const GLOBAL = { burst: 5, everyMs: 100 };
const PAID = { burst: 20, everyMs: 10 };

describe("delivery engine: paid mode", () => {
  it("sends bulk rows flagged paid at the paid rate, and the other lanes at the global rate beside them", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, { limits: { global: GLOBAL, paid: PAID, privateChat: { burst: 3, everyMs: 1000 } } });
    await queueMany(120, (i) => String(10_000 + i), "bulk", "bulk");
    await queueMany(30, (i) => String(20_000 + i), "conv", "conversation");
    const d = engine(time);
    await d.register(sender);
    const t0 = time.now();
    kick(d);
    await d.idle();
    expect(await statusCounts()).toEqual({ sent: 150 });
    const bulk = delivered.filter((a) => a.text.startsWith("bulk"));
    const conv = delivered.filter((a) => a.text.startsWith("conv"));
    expect(bulk.every((a) => a.paid)).toBe(true);
    expect(conv.every((a) => !a.paid)).toBe(true);
    // Each bucket keeps its own limit: burst plus one refill's worth a second.
    expect(mostIn(bulk, 1000)).toBeLessThanOrEqual(PAID.burst + 1000 / PAID.everyMs);
    expect(mostIn(conv, 1000)).toBeLessThanOrEqual(GLOBAL.burst + 1000 / GLOBAL.everyMs);
    // 120 at the global 10 a second would take 12 s; at the paid 100 a second about 1 s.
    expect(Math.max(...bulk.map((a) => a.at)) - t0).toBeLessThan(5000);
    // The conversation did not wait for the bulk rows, nor for their budget.
    expect(Math.max(...conv.map((a) => a.at)) - t0).toBeLessThan(4000);
  }, 120_000);

  it("without the mode, bulk rows are not flagged (whatever their payload says) and share the global rate", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, { limits: { global: GLOBAL } });
    await queueMany(30, (i) => String(10_000 + i), "bulk", "bulk", { paid: true });
    const d = engine(time);
    await d.register(sender);
    kick(d);
    await d.idle();
    expect(delivered).toHaveLength(30);
    expect(delivered.some((a) => a.paid)).toBe(false);
    expect(mostIn(delivered, 1000)).toBeLessThanOrEqual(GLOBAL.burst + 1000 / GLOBAL.everyMs);
  }, 120_000);

  it("a global 429 to a paid message holds back the paid messages until retry_after, and the conversation goes on", async () => {
    const time = virtualTime();
    let limitedAt = 0;
    const { sender, attempts } = fakeSender(time, { limits: { global: GLOBAL, paid: PAID } }, (a) => {
      if (!limitedAt && a.text === "bulk30") {
        limitedAt = time.now();
        throw new DeliveryError("retry", "429 Too Many Requests: retry after 5", 5000, "global");
      }
    });
    await queueMany(100, (i) => String(10_000 + i), "bulk", "bulk");
    const d = engine(time);
    await d.register(sender);
    kick(d);
    await until(() => limitedAt > 0);
    await queueMany(20, (i) => String(20_000 + i), "conv", "conversation");
    kick(d);
    await d.idle();
    expect(await statusCounts()).toEqual({ sent: 120 });
    // Sends already claimed may have started in the same instant; none later inside the window.
    const inside = attempts.filter((a) => a.at > limitedAt && a.at < limitedAt + 5000);
    expect(inside.filter((a) => a.paid)).toEqual([]);
    expect(inside.filter((a) => a.text.startsWith("conv")).length).toBe(20);
  }, 120_000);
});
