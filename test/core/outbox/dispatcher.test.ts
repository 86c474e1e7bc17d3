/**
 * The dispatcher on a real SQLite outbox with a scripted sender and virtual time: order within a
 * chat under retry, backoff, the drop after the last attempt, a refused message, an unreachable
 * chat, rate limits per scope, a fatal failure, and stop.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database } from "../../../src/db/database.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { Dispatcher, type DispatcherOptions } from "../../../src/core/outbox/dispatcher.ts";
import { enqueue, type QueuedMessage } from "../../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelSender, type Outbound } from "../../../src/core/channel.ts";
import { createLogger } from "../../../src/log.ts";
import { countingDatabase, virtualTime as clock } from "../../support/virtual-time.ts";

let dir: string;
let db: Database;
let logs: string[];
const logWaiters = new Set<() => void>();
/** The test logger's sink: keeps the line and wakes whoever waits for one. */
const record = (line: string) => {
  logs.push(line);
  for (const wake of logWaiters) wake();
};
/** Resolves once a line containing `text` has been logged. */
function logged(text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!logs.some((l) => l.includes(text))) return;
      logWaiters.delete(check);
      resolve();
    };
    logWaiters.add(check);
    check();
  });
}
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-dispatch-"));
  ({ db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`)));
  logs = [];
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let busy: () => boolean;
/** Virtual time that waits for the database (support/virtual-time.ts). */
const virtualTime = (start?: number) => clock(start, busy);

type Attempt = { chatId: string; text: string; at: number; signal?: AbortSignal };
/** A sender whose answer per attempt is scripted: `script(attempt)` throws or returns. */
function scriptedSender(time: { now(): number }, script: (a: Attempt, n: number) => void | Promise<void>, capabilities?: ChannelCapabilities) {
  const attempts: Attempt[] = [];
  const delivered: Attempt[] = [];
  let id = 100;
  const sender: ChannelSender = {
    channel: "telegram",
    ...(capabilities ? { capabilities } : {}),
    async deliver(chatId: string, outbound: Outbound, signal?: AbortSignal) {
      const a: Attempt = { chatId, text: outbound.message.text, at: time.now(), ...(signal ? { signal } : {}) };
      attempts.push(a);
      await script(a, attempts.filter((x) => x.text === a.text).length);
      delivered.push(a);
      return { messageId: String(id++) };
    },
  };
  return { sender, attempts, delivered };
}

async function queue(chatId: string, text: string): Promise<QueuedMessage> {
  return db.transaction((tx) =>
    enqueue(tx, { channel: "telegram", chatId, payload: JSON.stringify({ kind: "send", message: { text } }), tag: null, locale: "ru" }, new Date()),
  );
}

function dispatcher(time: ReturnType<typeof virtualTime>, extra: Partial<DispatcherOptions> = {}) {
  return new Dispatcher({ db, log: createLogger({ level: "debug", write: record }), timers: time, ...extra });
}

/** Rows still to be sent (finished rows are kept: sent, failed, unreachable). */
const outboxCount = () => db.transaction((tx) => tx.outbox.count({ where: { status: { in: ["queued", "sending"] } } }));

describe("Dispatcher", () => {
  it("keeps a chat's order while its first message is retried, and serves other chats meanwhile", async () => {
    const time = virtualTime();
    const { sender, attempts, delivered } = scriptedSender(time, (a, n) => {
      if (a.text === "A" && n <= 2) throw new DeliveryError("retry", "502 Bad Gateway");
    });
    const d = dispatcher(time);
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("1", "B"), await queue("1", "C"), await queue("2", "X")]);
    await d.idle();
    expect(delivered.filter((a) => a.chatId === "1").map((a) => a.text)).toEqual(["A", "B", "C"]);
    // B was not tried before A got through.
    expect(attempts.filter((a) => a.chatId === "1").map((a) => a.text)).toEqual(["A", "A", "A", "B", "C"]);
    expect(delivered.some((a) => a.text === "X")).toBe(true);
    expect(await outboxCount()).toBe(0);
    await d.stop();
  });

  it("backs off 1 s, 2 s, 4 s between attempts and records them in the outbox", async () => {
    const time = virtualTime();
    let row: QueuedMessage | undefined;
    const seen: { attempts: number; notBefore: Date | null }[] = [];
    const { sender, attempts } = scriptedSender(time, async (_a, n) => {
      const stored = await db.transaction((tx) => tx.outbox.findUnique({ where: { id: row!.id } }));
      seen.push({ attempts: stored!.attempts, notBefore: stored!.notBefore });
      if (n <= 3) throw new DeliveryError("retry", "network: connection reset");
    });
    const d = dispatcher(time);
    await d.register(sender);
    row = await queue("1", "A");
    d.enqueue([row]);
    await d.idle();
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    expect(gaps).toEqual([1000, 2000, 4000]);
    expect(seen.map((s) => s.attempts)).toEqual([0, 1, 2, 3]);
    expect(seen[3]!.notBefore?.getTime()).toBe(attempts[3]!.at);
    await d.stop();
  });

  it("drops a message after the last attempt, logs it, and goes on with the chat", async () => {
    const time = virtualTime();
    const { sender, attempts, delivered } = scriptedSender(time, (a) => {
      if (a.text === "A") throw new DeliveryError("retry", "500 Internal Server Error");
    });
    const d = dispatcher(time, { maxAttempts: 3 });
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("1", "B")]);
    await d.idle();
    expect(attempts.filter((a) => a.text === "A")).toHaveLength(3);
    expect(delivered.map((a) => a.text)).toEqual(["B"]);
    expect(await outboxCount()).toBe(0);
    expect(logs.some((l) => l.includes("message kept failing; dropped"))).toBe(true);
    await d.stop();
  });

  it("drops a refused message at once (no retry) and delivers the next one", async () => {
    const time = virtualTime();
    const { sender, attempts, delivered } = scriptedSender(time, (a) => {
      if (a.text === "A") throw new DeliveryError("rejected", "400 Bad Request: can't parse entities");
    });
    const d = dispatcher(time);
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("1", "B")]);
    await d.idle();
    expect(attempts.map((a) => a.text)).toEqual(["A", "B"]);
    expect(delivered.map((a) => a.text)).toEqual(["B"]);
    expect(await outboxCount()).toBe(0);
    expect(logs.some((l) => l.includes("message refused by the platform; dropped"))).toBe(true);
    await d.stop();
  });

  it("drops the whole queue of an unreachable chat and reports it, leaving other chats alone", async () => {
    const time = virtualTime();
    const { sender, attempts, delivered } = scriptedSender(time, (a) => {
      if (a.chatId === "1") throw new DeliveryError("unreachable", "403 Forbidden: bot was blocked by the user");
    });
    const reported: { chatId: string; texts: string[] }[] = [];
    const d = dispatcher(time, {
      onUnreachable: async (_channel, chatId, dropped) => {
        reported.push({ chatId, texts: dropped.map((r) => (JSON.parse(r.payload) as { message: { text: string } }).message.text) });
      },
    });
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("1", "B"), await queue("2", "X")]);
    await d.idle();
    expect(attempts.filter((a) => a.chatId === "1").map((a) => a.text)).toEqual(["A"]);
    expect(reported).toEqual([{ chatId: "1", texts: ["A", "B"] }]);
    expect(delivered.map((a) => a.text)).toEqual(["X"]);
    expect(await outboxCount()).toBe(0);
    await d.stop();
  });

  it("a global rate limit holds back every chat until retry_after has passed, without counting an attempt", async () => {
    const time = virtualTime();
    let limitedAt = 0;
    const { sender, delivered } = scriptedSender(time, (a, n) => {
      if (a.text === "A" && n === 1) {
        limitedAt = time.now();
        throw new DeliveryError("retry", "429 Too Many Requests: retry after 5", 5000, "global");
      }
    });
    const d = dispatcher(time, { concurrency: 1 });
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("2", "X"), await queue("3", "Y")]);
    await d.idle();
    expect(delivered.map((a) => a.text).sort()).toEqual(["A", "X", "Y"]);
    for (const a of delivered) expect(a.at).toBeGreaterThanOrEqual(limitedAt + 5000);
    expect(logs.some((l) => l.includes("will retry"))).toBe(false);
    await d.stop();
  });

  it("a chat's rate limit holds back that chat only", async () => {
    const time = virtualTime();
    let limitedAt = 0;
    const { sender, delivered } = scriptedSender(time, (a, n) => {
      if (a.text === "A" && n === 1) {
        limitedAt = time.now();
        throw new DeliveryError("retry", "429 Too Many Requests: retry after 30", 30_000, "chat");
      }
    });
    const d = dispatcher(time, { concurrency: 1 });
    await d.register(sender);
    d.enqueue([await queue("-1", "A"), await queue("-1", "B"), await queue("2", "X")]);
    await d.idle();
    const at = (text: string) => delivered.find((a) => a.text === text)!.at;
    expect(at("X")).toBeLessThan(limitedAt + 30_000);
    expect(at("A")).toBeGreaterThanOrEqual(limitedAt + 30_000);
    expect(at("B")).toBeGreaterThanOrEqual(at("A"));
    await d.stop();
  });

  it("paces sends by the channel's declared limits", async () => {
    const time = virtualTime();
    const { sender, delivered } = scriptedSender(time, () => {}, { limits: { privateChat: { burst: 2, everyMs: 1000 } } });
    const d = dispatcher(time);
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("1", "B"), await queue("1", "C"), await queue("1", "D")]);
    await d.idle();
    const t0 = delivered[0]!.at;
    expect(delivered.map((a) => a.at - t0)).toEqual([0, 0, 1000, 2000]);
    await d.stop();
  });

  it("keeps the message and reports a fatal failure (a revoked token)", async () => {
    const time = virtualTime();
    let fatalSeen = false;
    const { sender } = scriptedSender(time, () => {
      throw new DeliveryError("fatal", "sendMessage: 401 Unauthorized");
    });
    const d = dispatcher(time);
    await d.register(sender);
    d.enqueue([await queue("1", "A")]);
    const failure = await d.fatal;
    fatalSeen = true;
    expect(failure.reason).toContain("401");
    await d.stop();
    expect(fatalSeen).toBe(true);
    expect(await outboxCount()).toBe(1);
  });

  it("removes delivered rows as soon as it has nothing else to do, without waiting for a batch timer", async () => {
    // With setTimeout faked, a batch timer would never fire: only the dispatcher running out of
    // work can remove the row. (Its sleeps use the virtual clock, not setTimeout.)
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const time = virtualTime();
      const { sender, delivered } = scriptedSender(time, () => {});
      const row = await queue("1", "A");
      let removed!: () => void;
      const gone = new Promise<void>((r) => (removed = r));
      const watched: Database = {
        ...db,
        async transaction(fn) {
          const result = await db.transaction(fn);
          if ((await outboxCount()) === 0) removed();
          return result;
        },
      };
      const d = new Dispatcher({ db: watched, log: createLogger({ level: "debug", write: record }), timers: time });
      await d.register(sender);
      d.enqueue([row]);
      await gone;
      expect(delivered.map((a) => a.text)).toEqual(["A"]);
      await d.stop();
    } finally {
      vi.useRealTimers();
    }
  }, 10_000);

  it("at stop, removes what was delivered before it resolves and hands back what waits for a retry", async () => {
    // Real time here: the point is that nothing is left to a timer after stop() resolves.
    let attempts = 0;
    const sender: ChannelSender = {
      channel: "telegram",
      async deliver(_chatId, outbound) {
        attempts++;
        if (outbound.message.text === "B") throw new DeliveryError("retry", "502 Bad Gateway");
        return { messageId: "1" };
      },
    };
    const d = new Dispatcher({ db, log: createLogger({ level: "debug", write: record }) });
    await d.register(sender);
    d.enqueue([await queue("1", "A"), await queue("2", "B")]);
    await logged("will retry");
    await d.stop();
    const left = await db.transaction((tx) => tx.outbox.findMany({ where: { status: "queued" } }));
    expect(left.map((r) => (JSON.parse(r.payload) as { message: { text: string } }).message.text)).toEqual(["B"]);
    expect(attempts).toBe(2);
  });

  it("at stop, aborts a send still in flight after the grace period and keeps its row", async () => {
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const sender: ChannelSender = {
      channel: "telegram",
      deliver(_chatId, _outbound, signal) {
        started();
        return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new DeliveryError("retry", "network: aborted"))));
      },
    };
    const d = new Dispatcher({ db, log: createLogger({ level: "debug", write: record }) });
    await d.register(sender);
    d.enqueue([await queue("1", "A")]);
    await inFlight;
    await d.stop({ graceMs: 50 });
    expect(await outboxCount()).toBe(1);
    const row = await db.transaction((tx) => tx.outbox.findFirst());
    expect(row!.attempts).toBe(0); // handed back, not counted as a failure
  });
});
