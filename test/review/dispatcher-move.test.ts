/**
 * Review: the dispatcher when a chat gets a new id while messages are queued for it (a Telegram
 * group upgraded to a supergroup, found by a refused send).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { silentLogger } from "../../src/log.ts";
import { enqueue } from "../../src/core/bookkeeping.ts";
import { DeliveryError, type ChannelSender, type Outbound } from "../../src/core/channel.ts";
import { Dispatcher } from "../../src/core/outbox/dispatcher.ts";
import { moveChatRecords } from "../../src/core/staff/staff-chat.ts";

let db: Database | undefined;
let dir: string | undefined;
afterEach(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  db = undefined;
});

describe("a chat that moves while messages wait for it", () => {
  it("gets every message at its new id, in the order queued, and the outbox follows", async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-move-"));
    db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
    const delivered: { chatId: string; text: string }[] = [];
    let refused = 0;
    const sender: ChannelSender = {
      channel: "telegram",
      async deliver(chatId: string, outbound: Outbound) {
        if (chatId === "-1001") {
          refused++;
          throw new DeliveryError("unreachable", "400 group chat was upgraded to a supergroup chat", undefined, undefined, "-1009");
        }
        delivered.push({ chatId, text: outbound.message.text });
        return { messageId: String(delivered.length) };
      },
    };
    const database = db;
    const dispatcher: Dispatcher = new Dispatcher({
      db: database,
      log: silentLogger,
      onMoved: async (channel, from, to) => {
        await database.transaction((tx) => moveChatRecords(tx, channel, from, to));
        dispatcher.redirect(channel, from, to);
      },
    });
    await dispatcher.register(sender);
    const rows = await database.transaction(async (tx) => {
      const queued = [];
      for (const text of ["one", "two", "three"]) {
        const payload = JSON.stringify({ kind: "send", message: { text } });
        queued.push(await enqueue(tx, { channel: "telegram", chatId: "-1001", payload, tag: text === "two" ? "application:1@a" : null, locale: "ru" }, new Date()));
      }
      return queued;
    });
    dispatcher.enqueue(rows);
    await dispatcher.idle();
    expect(refused).toBe(1);
    expect(delivered).toEqual([
      { chatId: "-1009", text: "one" },
      { chatId: "-1009", text: "two" },
      { chatId: "-1009", text: "three" },
    ]);
    // The tagged message is recorded at its new id (so that a decision edits it there); nothing is left over.
    expect(await database.transaction((tx) => tx.sentMessage.findMany({ select: { chatId: true, tag: true } }))).toEqual([
      { chatId: "-1009", tag: "application:1@a" },
    ]);
    expect(await database.transaction((tx) => tx.outbox.count({ where: { status: { not: "sent" } } }))).toBe(0);
    await dispatcher.stop();
  });
});
