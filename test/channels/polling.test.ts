/**
 * The Poller against the fake Bot API, with a controllable `receive`: chats are independent, and
 * the offset sent to Telegram never confirms an update whose turn has not finished.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { createLogger } from "../../src/log.ts";
import { Poller } from "../../src/channels/telegram/polling.ts";
import type { ReceiveOutcome } from "../../src/channels/telegram/http.ts";

let fake: FakeBotApi | undefined;
let poller: Poller | undefined;
afterEach(async () => {
  await poller?.stop();
  await fake?.close();
  poller = fake = undefined;
});

function setUp(receive: (u: Update) => Promise<ReceiveOutcome>) {
  fake = undefined;
  return startFakeBotApi().then((f) => {
    fake = f;
    const bot = new Bot(f.token, { botInfo: f.botInfo, client: { apiRoot: f.apiRoot } });
    poller = new Poller({ bot, log: createLogger({ level: "error", write: () => {} }), timeout: 1, allowedUpdates: ["message"], receive });
    return { fake: f, poller };
  });
}

const offsets = (f: FakeBotApi) => f.callsTo("getUpdates").map((c) => Number(c.params.offset ?? 0));

describe("Poller", () => {
  it("goes on with other chats while one turn is unfinished, and confirms nothing from it on", async () => {
    const handled: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { fake: f, poller: p } = await setUp(async (u) => {
      if (u.message?.text === "slow") await held;
      handled.push(u.message?.text ?? "");
      return "done";
    });
    await p.start();
    const a = f.user();
    const b = f.user();
    const slow = a.send("slow");
    a.send("a2"); // same chat: waits behind "slow"
    b.send("b1");
    b.send("b2");
    await vi.waitFor(() => expect(handled).toEqual(["b1", "b2"]), { interval: 5 });
    const later = b.send("b3");
    await vi.waitFor(() => expect(handled).toContain("b3"), { interval: 5 });
    expect(handled).not.toContain("a2");
    // Telegram still holds all five: nothing from the unfinished one on was confirmed.
    expect(f.webhookInfo().pending_update_count).toBe(5);
    expect(Math.max(...offsets(f))).toBeLessThanOrEqual(slow);
    release();
    await vi.waitFor(() => expect(handled).toEqual(["b1", "b2", "b3", "slow", "a2"]), { interval: 5 });
    await f.confirmed(); // every update confirmed
    expect(later).toBeGreaterThan(slow);
  });

  it("retries an update whose turn failed transiently, in order, and confirms it only after", async () => {
    let failures = 2;
    const handled: string[] = [];
    const pendingAtRetry: number[] = [];
    const { fake: f, poller: p } = await setUp(async (u) => {
      if (u.message?.text === "first" && failures-- > 0) {
        pendingAtRetry.push(f.webhookInfo().pending_update_count);
        return "retry";
      }
      handled.push(u.message?.text ?? "");
      return "done";
    });
    // The backoff (0.5 s, then 1 s) passes on fake timers: the test advances them while it waits.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      await p.start();
      const a = f.user();
      a.send("first");
      a.send("second");
      await vi.waitFor(
        async () => {
          await vi.advanceTimersByTimeAsync(100);
          expect(handled).toEqual(["first", "second"]);
        },
        { interval: 5, timeout: 5000 },
      );
    } finally {
      vi.useRealTimers();
    }
    expect(failures).toBe(-1);
    // Unconfirmed at Telegram while it failed; confirmed once handled.
    expect(pendingAtRetry.every((n) => n >= 1)).toBe(true);
    await f.confirmed();
  });

  it("holds at most `limit` updates in memory while one chat is stuck", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let handled = 0;
    const f = await startFakeBotApi();
    fake = f;
    const bot = new Bot(f.token, { botInfo: f.botInfo, client: { apiRoot: f.apiRoot } });
    poller = new Poller({
      bot,
      log: createLogger({ level: "error", write: () => {} }),
      timeout: 1,
      allowedUpdates: ["message"],
      limit: 5,
      receive: async (u) => {
        if (u.message?.text === "stuck") await held;
        handled++;
        return "done";
      },
    });
    await poller.start();
    f.user().send("stuck");
    const others = Array.from({ length: 10 }, () => f.user());
    for (const o of others) o.send("hi");
    // The stuck update plus 4 more fit the window; the rest wait at Telegram.
    await vi.waitFor(() => expect(handled).toBe(4), { interval: 5 });
    await vi.waitFor(() => expect(f.callsTo("getUpdates").length).toBeGreaterThan(3), { interval: 5 });
    expect(handled).toBe(4);
    release();
    await vi.waitFor(() => expect(handled).toBe(11), { interval: 5 });
  });
});
