/**
 * A broadcast's deliveries through the real Telegram adapter and the real delivery engine, against
 * the fake Bot API over HTTP: paid mode puts `allow_paid_broadcast` on every send call of a bulk
 * message (texts, photos, albums) and on nothing else; each failure a broadcast meets is handled as
 * issue 8 says: 403 (blocked, deactivated) marks the address unreachable and is not retried, 400
 * "chat not found" ends that recipient without retries, 5xx is retried a bounded number of times,
 * and the other recipients go on.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChannelSender, OutboundFile } from "../../src/core/channel.ts";
import type { Core } from "../../src/core/core.ts";
import { createTelegramChannel, TELEGRAM_LIMITS, telegramPaidLimit } from "../../src/channels/telegram/telegram.ts";
import { Dispatcher } from "../../src/core/outbox/dispatcher.ts";
import { LANE_PRIORITY, type Lane, type QueuedMessage } from "../../src/core/bookkeeping.ts";
import type { Database } from "../../src/db/database.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { countingDatabase, virtualTime } from "../support/virtual-time.ts";
import { sampleJpeg, startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";

let fake: FakeBotApi;
let dir: string;
const cleanup: (() => Promise<void>)[] = [];

beforeEach(async () => {
  fake = await startFakeBotApi();
  dir = mkdtempSync(join(tmpdir(), "qti-tg-broadcast-"));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function telegramSender(limits: Parameters<typeof createTelegramChannel>[0]["limits"] = null): ChannelSender {
  return createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    port: 0,
    core: {} as Core,
    log: createLogger({ level: "error", write: () => {} }),
    botInfo: fake.botInfo,
    limits,
  }).sender;
}

let stored = 0;
function photo(): OutboundFile {
  const path = join(dir, `photo-${++stored}.jpg`);
  const bytes = sampleJpeg();
  writeFileSync(path, bytes);
  return { id: stored, kind: "photo", path, name: "photo.jpg", mime: "image/jpeg", size: bytes.length };
}

describe("Telegram adapter: paid broadcasts", () => {
  it("declares the paid budget only when given one (TELEGRAM_PAID_BROADCAST)", () => {
    expect(telegramSender(TELEGRAM_LIMITS).capabilities?.limits?.paid).toBeUndefined();
    expect(telegramSender({ ...TELEGRAM_LIMITS, paid: telegramPaidLimit(500) }).capabilities?.limits?.paid).toEqual({ burst: 50, everyMs: 2 });
  });

  it("sends a paid message's every call with allow_paid_broadcast (text, photo, album), and an unpaid one without", async () => {
    const sender = telegramSender();
    const user = fake.user({ started: true });
    const chat = String(user.id);
    await sender.deliver(chat, { kind: "send", message: { text: "paid text", paid: true } });
    await sender.deliver(chat, { kind: "send", message: { text: "paid photo", paid: true, files: [photo()] } });
    await sender.deliver(chat, { kind: "send", message: { text: "paid album", paid: true, files: [photo(), photo()] } });
    await sender.deliver(chat, { kind: "send", message: { text: "free text", choices: [[{ data: "x", label: "X" }]] } });
    await sender.deliver(chat, { kind: "send", message: { text: "free photo", files: [photo()] } });
    const flag = (method: string) => fake.callsTo(method).map((c) => c.params.allow_paid_broadcast ?? null);
    expect(flag("sendMessage")).toEqual([true, null]);
    // Multipart uploads carry the flag as text.
    expect(flag("sendPhoto").map(String)).toEqual(["true", "null"]);
    expect(flag("sendMediaGroup").map(String)).toEqual(["true"]);
    expect(fake.calls.filter((c) => !c.ok)).toEqual([]);
  });
});

describe("a broadcast through the engine and the Telegram adapter: each failure handled as it should be", () => {
  let db: Database;
  let busy: () => boolean;

  async function queueBulk(chats: (string | number)[]): Promise<void> {
    const createdAt = new Date();
    const lane: Lane = "bulk";
    await db.transaction((tx) =>
      tx.outbox.createMany({
        data: chats.map((chat, i) => ({
          channel: "telegram",
          chatId: String(chat),
          payload: JSON.stringify({ kind: "send", message: { text: `Announcement ${i}` } }),
          tag: null,
          locale: "ru",
          lane,
          priority: LANE_PRIORITY[lane],
          createdAt,
        })),
      }),
    );
  }

  beforeEach(async () => {
    ({ db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`)));
    cleanup.push(() => db.close());
  });

  it("403 blocked or deactivated: unreachable, one call; 400 chat not found: ended, one call; 5xx: retried, then sent or given up; the rest delivered", async () => {
    const [ok, blocked, gone, flaky, broken, last] = Array.from({ length: 6 }, () => fake.user({ started: true }));
    blocked!.blockBot();
    gone!.deactivate();
    const unknown = 987_654_321;
    fake.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 2, flaky!.id);
    fake.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" }, 10, broken!.id);
    await queueBulk([ok!.id, blocked!.id, gone!.id, unknown, flaky!.id, broken!.id, last!.id]);
    await db.transaction((tx) =>
      tx.person.create({ data: { locale: "ru", identities: { create: [{ channel: "telegram", externalId: String(blocked!.id) }, { channel: "telegram", externalId: String(gone!.id) }] } } }),
    );
    // Virtual time: the retries' back-off (1 s, 2 s) passes at once.
    const d = new Dispatcher({ db, log: silentLogger, timers: virtualTime(Date.now(), busy), maxAttempts: 3 });
    cleanup.push(() => d.stop({ graceMs: 10 }));
    await d.register(telegramSender());
    d.enqueue([{ channel: "telegram" } as QueuedMessage]);
    await d.idle();
    const rows = await db.transaction((tx) => tx.outbox.findMany({ orderBy: { id: "asc" } }));
    const byChat = new Map(rows.map((r) => [r.chatId, r]));
    const outcome = (chat: number) => {
      const r = byChat.get(String(chat))!;
      return [r.status, r.attempts, r.lastError?.replace(/^sendMessage: /, "") ?? null];
    };
    const calls = (chat: number) => fake.callsTo("sendMessage").filter((c) => Number(c.params.chat_id) === chat).length;
    expect(outcome(ok!.id)).toEqual(["sent", 0, null]);
    expect(outcome(last!.id)).toEqual(["sent", 0, null]);
    expect(outcome(blocked!.id)).toEqual(["unreachable", 0, "403 Forbidden: bot was blocked by the user"]);
    expect(outcome(gone!.id)).toEqual(["unreachable", 0, "403 Forbidden: user is deactivated"]);
    // A private chat Telegram does not know: that recipient fails, once, without marking any address.
    expect(outcome(unknown)).toEqual(["failed", 0, "400 Bad Request: chat not found"]);
    // Two 502s, then delivered on the third attempt.
    expect(byChat.get(String(flaky!.id))!.status).toBe("sent");
    expect(calls(flaky!.id)).toBe(3);
    // Failing every time: given up after maxAttempts, with the reason.
    expect(outcome(broken!.id)).toEqual(["failed", 2, "500 Internal Server Error"]);
    expect(calls(broken!.id)).toBe(3);
    for (const chat of [blocked!.id, gone!.id, unknown]) expect(calls(chat)).toBe(1);
    // The blocked and deleted accounts are known to be unreachable (not counted as recipients again).
    const identities = await db.transaction((tx) => tx.channelIdentity.findMany({ orderBy: { id: "asc" } }));
    expect(identities.map((i) => i.reachable)).toEqual([false, false]);
    expect(ok!.messages.map((m) => m.text)).toEqual(["Announcement 0"]);
    expect(last!.messages.map((m) => m.text)).toEqual(["Announcement 6"]);
  }, 60_000);
});
