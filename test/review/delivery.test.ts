/**
 * Review: the outbox loses nothing, duplicates nothing, and lets the process stop.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { Dispatcher } from "../../src/core/outbox/dispatcher.ts";
import { enqueue } from "../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelSender, type Outbound } from "../../src/core/channel.ts";
import { silentLogger } from "../../src/log.ts";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import { BotApiError, type FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";

let dir: string | undefined;
let db: Database | undefined;
let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await db?.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => "done" as const), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref())]);

describe("shutdown", () => {
  it("stops promptly while a message waits for its retry (a 5xx or network error before SIGTERM)", async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-review-"));
    db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
    let attempts = 0;
    const sender: ChannelSender = {
      channel: "telegram",
      async deliver(_chatId: string, _outbound: Outbound) {
        attempts++;
        throw new DeliveryError("retry", "502 Bad Gateway");
      },
    };
    // Real time, but the dispatcher says when it starts waiting: that is the moment to stop it.
    let waitingForRetry!: () => void;
    const asleep = new Promise<void>((r) => (waitingForRetry = r));
    const timers = {
      now: () => Date.now(),
      wait: (ms: number) => {
        // The retry's wait (about 1 s), not the engine's short batching waits (FLUSH_MS, 20 ms).
        if (ms > 100) waitingForRetry();
        return new Promise<void>((r) => setTimeout(r, ms).unref());
      },
    };
    const dispatcher = new Dispatcher({ db, log: silentLogger, timers });
    await dispatcher.register(sender);
    const row = await db.transaction((tx) =>
      enqueue(tx, { channel: "telegram", chatId: "100", payload: JSON.stringify({ kind: "send", message: { text: "hi" } }), tag: null, locale: "ru" }, new Date()),
    );
    dispatcher.enqueue([row]);
    await asleep; // the failure is recorded; the retry is 1 s away
    expect(attempts).toBe(1);
    // The row now sleeps until its retry (1 s, growing to minutes). SIGTERM arrives.
    expect(await within(dispatcher.stop(), 3000)).toBe("done");
    // And the message is still in the outbox for the next start.
    expect(await db.transaction((tx) => tx.outbox.count({ where: { status: "queued" } }))).toBe(1);
  });
});

describe("the staff group", () => {
  it("notices still reach staff after the staff group was upgraded to a supergroup (its old id is refused)", async () => {
    h = await startTelegramHarness({ admins: ["900"], staffChatId: "-1001" });
    h.fake.group({ id: -1001, title: "QTI staff" });
    const admin = h.fake.user({ id: 900, first_name: "Dana", language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    // Telegram's answer for any message to a group that became a supergroup.
    const methods = (h.fake as unknown as { methods: Map<string, (p: Record<string, unknown>, s: AbortSignal) => unknown> }).methods;
    const sendMessage = methods.get("sendMessage")!;
    h.fake.stub("sendMessage", (params) => {
      if (String(params.chat_id) === "-1001") {
        throw new BotApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1001999000111 });
      }
      return sendMessage(params, new AbortController().signal);
    });

    const user = h.fake.user({ language_code: "en" });
    await step(user, () => user.send("/start"), tr("en", "menu-prompt"));
    await step(user, () => user.press(tr("en", "menu-register")), tr("en", "consent-text").split("\n")[0]!);
    await step(user, () => user.press(tr("en", "consent-agree")), tr("en", "reg-ask-bin"));
    await step(user, () => user.send("990140000384"), tr("en", "reg-ask-name"));
    await step(user, () => user.send("Textile Company"), tr("en", "reg-ask-region"));
    await step(user, () => user.press(tr("en", "region-astana")), tr("en", "reg-ask-sector"));
    await step(user, () => user.press(tr("en", "sector-textiles")), tr("en", "reg-ask-employees"));
    await step(user, () => user.send("12"), tr("en", "reg-ask-contact"));
    await step(user, () => user.send("Aigerim"), tr("en", "reg-ask-phone"));
    await step(user, () => user.sendContact("77011234567", { own: true }), tr("en", "reg-confirm-button").slice(2, 8));
    user.press(tr("en", "reg-confirm-button"));
    await h.settled();
    // The application notice went somewhere staff can see it: privately, or to the new supergroup.
    const delivered = h.fake
      .callsTo("sendMessage")
      .filter((c) => c.ok && String(c.params.chat_id) !== String(user.id) && /A-1\b/.test(String(c.params.text)));
    expect(delivered.length).toBeGreaterThan(0);
  });
});

describe("health", () => {
  it("/healthz stops saying ok once polling has stopped for good (the token was revoked)", async () => {
    h = await startTelegramHarness();
    h.fake.failNext("getUpdates", { error_code: 401, description: "Unauthorized" }, 5);
    // The held long poll (2 s) returns, the next getUpdates gets 401 and the loop ends.
    await h.logged("polling stopped"); // the bot receives nothing any more
    expect(h.fake.callsTo("getUpdates").some((c) => c.error_code === 401)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${h.telegram.port}/healthz`);
    const body = (await res.json()) as { ok: boolean };
    expect(res.status !== 200 || body.ok === false).toBe(true);
  });
});
