/**
 * WhatsApp pacing in the delivery engine (ChannelCapabilities.limits.chatSwitch and firstMessages,
 * declared by channels/whatsapp/capabilities.ts) on a real database with virtual time: a pause
 * with jitter between messages to different chats, none within one chat's run of messages, the
 * conversation first at the next change of chat, a daily cap (Asia/Almaty) on first messages to
 * people who have not written in 24 hours, and no duplicate across a restart in the middle of a pause.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqlOf, type Database } from "../../../src/db/database.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { almatyDay, Dispatcher, LEASE_MS, type DispatcherOptions } from "../../../src/core/outbox/dispatcher.ts";
import { enqueue, type Lane, type QueuedMessage } from "../../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelSender, type Outbound } from "../../../src/core/channel.ts";
import { whatsappCapabilities } from "../../../src/channels/whatsapp/capabilities.ts";
import { silentLogger } from "../../../src/log.ts";
import { countingDatabase, virtualTime as clock } from "../../support/virtual-time.ts";

let dir: string;
let db: Database;
const running: Dispatcher[] = [];
let busy: () => boolean;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-pacing-"));
  ({ db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`)));
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop({ graceMs: 10 });
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 30.11.2026 10:00 in Almaty (UTC+5). */
const MORNING = Date.UTC(2026, 10, 30, 5, 0);
const virtualTime = (start = MORNING) => clock(start, busy);
type Time = ReturnType<typeof virtualTime>;
type Attempt = { chatId: string; text: string; at: number; end: number };

const PAUSE = 4000;
const JITTER = 3000;
const caps = (daily = 50): ChannelCapabilities => whatsappCapabilities({ whatsappPacing: { pauseSeconds: PAUSE / 1000, jitterSeconds: JITTER / 1000, dailyFirstMessages: daily } });

/** A WhatsApp sender that records every attempt; each send takes `ms` of virtual time. */
function fakeSender(time: Time, capabilities: ChannelCapabilities, ms = 300) {
  const delivered: Attempt[] = [];
  let id = 1;
  const sender: ChannelSender = {
    channel: "whatsapp",
    capabilities,
    async deliver(chatId: string, outbound: Outbound) {
      const at = time.now();
      await time.wait(ms);
      delivered.push({ chatId, text: outbound.message.text, at, end: time.now() });
      return { messageId: `m${id++}` };
    },
  };
  return { sender, delivered };
}

function engine(time: Time, extra: Partial<DispatcherOptions> = {}): Dispatcher {
  const d = new Dispatcher({ db, log: silentLogger, timers: time, ...extra });
  running.push(d);
  return d;
}

const payload = (text: string) => JSON.stringify({ kind: "send", message: { text } });

async function queue(chatId: string, text: string, lane: Lane = "conversation"): Promise<QueuedMessage> {
  return db.transaction((tx) => enqueue(tx, { channel: "whatsapp", chatId, payload: payload(text), tag: null, locale: "ru", lane }, new Date(MORNING)));
}

/** A person who wrote from `chatId` at `lastInboundAt` (null: never recorded). */
async function person(chatId: string, lastInboundAt: Date | null): Promise<void> {
  await db.transaction((tx) => tx.person.create({ data: { locale: "ru", identities: { create: { channel: "whatsapp", externalId: chatId, lastInboundAt } } } }));
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setImmediate(poll));
    poll();
  });
}

const statusCounts = () =>
  db.transaction(async (tx) => {
    const rows = await sqlOf(tx).all<{ status: string; n: number | string }>(`SELECT "status", COUNT(*) AS "n" FROM "Outbox" GROUP BY "status"`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  });

/** The gaps between the end of a send and the start of the next one to another chat (ms). */
function switchGaps(sent: Attempt[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < sent.length; i++) if (sent[i]!.chatId !== sent[i - 1]!.chatId) gaps.push(sent[i]!.at - sent[i - 1]!.end);
  return gaps;
}

describe("WhatsApp pacing", () => {
  it("waits the pause plus a jitter within its bounds between different chats, drawn anew at each change", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, caps());
    const draws = [0, 0.999, 0.5, 0.25, 0, 0.75];
    let n = 0;
    const d = engine(time, { concurrency: 8, random: () => draws[n++ % draws.length]! });
    await d.register(sender);
    const rows = [];
    for (let i = 0; i < 6; i++) rows.push(await queue(`7701000000${i}@c.us`, `to ${i}`, "bulk"));
    d.enqueue(rows);
    await until(() => delivered.length === 6);
    const sent = [...delivered].sort((a, b) => a.at - b.at);
    // One chat at a time: a send starts only after the one before it ended.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at).toBeGreaterThanOrEqual(sent[i - 1]!.end);
    const gaps = switchGaps(sent);
    expect(gaps).toHaveLength(5);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(PAUSE);
      expect(g).toBeLessThanOrEqual(PAUSE + JITTER);
    }
    // The jitter drawn for each chat: 0, 0.999, 0.5, 0.25, 0 of 3 s after the chat's send.
    expect(gaps).toEqual([0, 2997, 1500, 750, 0].map((j) => PAUSE + j));
  });

  it("with real randomness, every change of chat waits between the pause and the pause plus the jitter", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, caps());
    const d = engine(time, { concurrency: 8 });
    await d.register(sender);
    const rows = [];
    for (let i = 0; i < 12; i++) rows.push(await queue(`7702000000${i % 10}${i}@c.us`, `to ${i}`, "notice"));
    d.enqueue(rows);
    await until(() => delivered.length === 12);
    const gaps = switchGaps([...delivered].sort((a, b) => a.at - b.at));
    expect(gaps).toHaveLength(11);
    for (const g of gaps) expect(g >= PAUSE && g <= PAUSE + JITTER).toBe(true);
    // Drawn per change: not all the same.
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it("sends a turn's several messages to one chat one after another, without the pause", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, caps());
    const d = engine(time);
    await d.register(sender);
    const rows = [await queue("A@c.us", "a1"), await queue("A@c.us", "a2"), await queue("A@c.us", "a3"), await queue("B@c.us", "b1")];
    d.enqueue(rows);
    await until(() => delivered.length === 4);
    expect(delivered.map((a) => a.text)).toEqual(["a1", "a2", "a3", "b1"]);
    // a2 starts as a1 ends, a3 as a2 ends: no pause within the chat.
    expect(delivered[1]!.at - delivered[0]!.end).toBeLessThan(100);
    expect(delivered[2]!.at - delivered[1]!.end).toBeLessThan(100);
    // The next chat waits the pause after the last of them.
    expect(delivered[3]!.at - delivered[2]!.end).toBeGreaterThanOrEqual(PAUSE);
  });

  it("a member's answer goes first at the next change of chat, ahead of a waiting announcement", async () => {
    const time = virtualTime();
    let d: Dispatcher | undefined;
    let answered = false;
    const base = fakeSender(time, caps());
    const sender: ChannelSender = {
      ...base.sender,
      async deliver(chatId, outbound, signal) {
        const r = await base.sender.deliver(chatId, outbound, signal);
        // A member writes while the second announcement goes out: the unit commits, the engine is told.
        if (outbound.message.text === "bulk 1" && !answered) {
          answered = true;
          d!.enqueue([await queue("member@c.us", "answer")]);
        }
        return r;
      },
    };
    const rows = [];
    for (let i = 0; i < 6; i++) rows.push(await queue(`bulk${i}@c.us`, `bulk ${i}`, "bulk"));
    d = engine(time, { concurrency: 8 });
    await d.register(sender);
    d.enqueue(rows);
    await until(() => base.delivered.length === 7);
    expect(base.delivered.map((a) => a.text).slice(0, 3)).toEqual(["bulk 0", "bulk 1", "answer"]);
  });

  it("a chat that keeps writing does not hold the other chats back: its later turns wait their turn like anyone's", async () => {
    const time = virtualTime();
    let d: Dispatcher | undefined;
    let turns = 0;
    const base = fakeSender(time, caps());
    const sender: ChannelSender = {
      ...base.sender,
      async deliver(chatId, outbound, signal) {
        const r = await base.sender.deliver(chatId, outbound, signal);
        // A chat (a person typing fast, or a script) writes again as soon as each answer arrives.
        if (chatId === "chatty@c.us" && turns < 20) {
          turns++;
          d!.enqueue([await queue("chatty@c.us", `chatty ${turns}`)]);
        }
        return r;
      },
    };
    d = engine(time, { concurrency: 8 });
    await d.register(sender);
    const first = await queue("chatty@c.us", "chatty 0");
    const other = await queue("other@c.us", "other");
    d.enqueue([first, other]);
    await until(() => base.delivered.length === 22);
    // The other chat's answer goes at the first change of chat, not after the chatty chat's twenty turns.
    expect(base.delivered.map((a) => a.text).indexOf("other")).toBe(1);
    expect(switchGaps(base.delivered).every((g) => g >= PAUSE)).toBe(true);
  });

  it("never holds a claimed row through a pause: every send starts as soon as it is claimed, well within its lease", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, caps());
    const d = engine(time, { concurrency: 16 });
    await d.register(sender);
    const rows = [];
    for (let i = 0; i < 8; i++) rows.push(await queue(`lease${i}@c.us`, `l${i}`, "bulk"));
    d.enqueue(rows);
    // Whenever a row is `sending`, its send has started and its lease is the claim's (no row waits claimed).
    let worst = 0;
    while (delivered.length < 8) {
      const claimed = await db.transaction((tx) => sqlOf(tx).all<{ leaseUntil: string | Date }>(`SELECT "leaseUntil" FROM "Outbox" WHERE "status" = 'sending'`));
      expect(claimed.length).toBeLessThanOrEqual(1);
      for (const c of claimed) worst = Math.max(worst, time.now() - (new Date(c.leaseUntil).getTime() - LEASE_MS));
      await new Promise((r) => setImmediate(r));
    }
    // Held at most the send's own 300 ms, never a pause of seconds.
    expect(worst).toBeLessThanOrEqual(300);
    await d.idle();
    expect(await statusCounts()).toEqual({ sent: 8 });
  });

  it("keeps the daily cap of first messages to people who have not written; the rest go the next day; answers never count", async () => {
    const time = virtualTime();
    const { sender, delivered } = fakeSender(time, caps(2));
    const now = new Date(MORNING);
    // Wrote an hour ago (a conversation), two days ago (quiet), never recorded (quiet).
    await person("recent@c.us", new Date(MORNING - 3_600_000));
    for (const q of ["q1", "q2", "q3", "q4"]) await person(`${q}@c.us`, new Date(MORNING - 2 * 86_400_000));
    await person("never@c.us", null);
    const d = engine(time, { concurrency: 8 });
    await d.register(sender);
    const rows = [
      await queue("recent@c.us", "notice to recent", "notice"),
      ...(await Promise.all(["q1", "q2", "q3", "q4"].map((q) => queue(`${q}@c.us`, `bulk ${q}`, "bulk")))),
      await queue("never@c.us", "notice to never", "notice"),
      // A conversation answer to a quiet chat never counts (a reply within the person's turn).
      await queue("q4@c.us", "answer to q4", "conversation"),
    ];
    d.enqueue(rows);
    await until(() => delivered.length === 4);
    await d.idle();
    const today = delivered.map((a) => a.text);
    expect(today).toContain("notice to recent");
    expect(today).toContain("answer to q4");
    // Two first messages today, the other three wait for tomorrow (not failed, not retried meanwhile).
    expect(delivered.length).toBe(4);
    const counts = await statusCounts();
    expect(counts).toEqual({ sent: 4, queued: 3 });
    const waiting = await db.transaction((tx) => tx.outbox.findMany({ where: { status: "queued" }, select: { notBefore: true, attempts: true } }));
    const tomorrow = almatyDay(now.getTime()).next;
    expect(new Date(tomorrow).toISOString()).toBe("2026-11-30T19:00:00.000Z"); // 01.12.2026 00:00 in Almaty
    for (const w of waiting) expect(w).toEqual({ notBefore: new Date(tomorrow), attempts: 0 });
    const counter = await db.transaction((tx) => tx.dailyCounter.findMany());
    expect(counter).toEqual([{ key: "whatsapp:first", day: "2026-11-30", count: 2 }]);
    // The next day: two more, the last one the day after.
    await until(() => delivered.length === 6);
    for (const a of delivered.slice(4)) expect(a.at).toBeGreaterThanOrEqual(tomorrow);
    await until(() => delivered.length === 7);
    expect(delivered[6]!.at).toBeGreaterThanOrEqual(almatyDay(tomorrow).next);
    await d.idle();
    expect(await statusCounts()).toEqual({ sent: 7 });
    const days = await db.transaction((tx) => tx.dailyCounter.findMany({ orderBy: { day: "asc" } }));
    expect(days.map((c) => [c.day, c.count])).toEqual([["2026-11-30", 2], ["2026-12-01", 2], ["2026-12-02", 1]]);
  });

  it("counts a first message once, also when the session was down and the row was handed back several times", async () => {
    const time = virtualTime();
    const base = fakeSender(time, caps(2));
    let refusals = 0;
    const sender: ChannelSender = {
      ...base.sender,
      async deliver(chatId, outbound, signal) {
        // The session is down for the first tries (whatsapp.ts: retry after a while, no attempt counted).
        if (refusals < 6) {
          refusals++;
          throw new DeliveryError("retry", "whatsapp: not connected", 1000, "global");
        }
        return base.sender.deliver(chatId, outbound, signal);
      },
    };
    await person("quiet1@c.us", null);
    await person("quiet2@c.us", null);
    const d = engine(time, { concurrency: 8 });
    await d.register(sender);
    d.enqueue([await queue("quiet1@c.us", "notice 1", "notice"), await queue("quiet2@c.us", "notice 2", "notice")]);
    await until(() => base.delivered.length === 2);
    // Both today, within the cap of two: the tries the session refused did not count.
    expect(base.delivered.every((a) => a.at < almatyDay(MORNING).next)).toBe(true);
    await d.idle();
    const counter = await db.transaction((tx) => tx.dailyCounter.findMany());
    expect(counter).toEqual([{ key: "whatsapp:first", day: "2026-11-30", count: 2 }]);
  });

  it("sends nothing twice and keeps the pause across a restart of the dispatcher in the middle of a pause", async () => {
    const time = virtualTime();
    const first = fakeSender(time, caps());
    const a = engine(time, { instanceId: "before", random: () => 0.5 });
    await a.register(first.sender);
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await queue(`r${i}@c.us`, `r${i}`, "bulk"));
    a.enqueue(rows);
    await until(() => first.delivered.length === 2);
    const lastBefore = first.delivered[1]!;
    // Stopped during the pause after the second chat's send.
    await a.stop();
    const second = fakeSender(time, caps());
    const b = engine(time, { instanceId: "after" });
    await b.register(second.sender);
    b.enqueue([{ channel: "whatsapp" } as QueuedMessage]);
    await until(() => first.delivered.length + second.delivered.length === 5);
    await b.idle();
    const all = [...first.delivered, ...second.delivered];
    expect(all.map((x) => x.text).sort()).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    // The new instance keeps the pause the old one began (from the shared table).
    expect(second.delivered[0]!.at - lastBefore.at).toBeGreaterThanOrEqual(PAUSE);
    expect(await statusCounts()).toEqual({ sent: 5 });
  });

  it("two instances on one database keep one chat at a time and the pause between chats", async () => {
    const time = virtualTime();
    const one = fakeSender(time, caps());
    const two = fakeSender(time, caps());
    const a = engine(time, { instanceId: "a", concurrency: 4 });
    const b = engine(time, { instanceId: "b", concurrency: 4 });
    const rows = [];
    for (let i = 0; i < 8; i++) rows.push(await queue(`two${i}@c.us`, `t${i}`, "bulk"));
    await a.register(one.sender);
    await b.register(two.sender);
    a.enqueue(rows);
    b.enqueue(rows);
    await until(() => one.delivered.length + two.delivered.length === 8);
    const all = [...one.delivered, ...two.delivered].sort((x, y) => x.at - y.at);
    expect(new Set(all.map((x) => x.text)).size).toBe(8);
    // Across instances the pause counts from the claim (the other instance does not see the send's end).
    for (let i = 1; i < all.length; i++) expect(all[i]!.at - all[i - 1]!.at).toBeGreaterThanOrEqual(PAUSE);
  });
});
