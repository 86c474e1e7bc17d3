/**
 * Review: the staff group's id at run time (staff/staff-chat.ts) and the Telegram updates that
 * change it or come from it in the group's name (translate.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Update, UserFromGetMe } from "grammy/types";
import { toInbound } from "../../src/channels/telegram/translate.ts";
import { createCore } from "../../src/core/core.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { silentLogger } from "../../src/log.ts";
import { applyForMembership, i18n, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { BIN } from "./helpers.ts";

const me = { id: 42, is_bot: true, first_name: "Bot", username: "qti_bot" } as UserFromGetMe;
const group = { id: -4001, type: "group" as const, title: "Staff" };
const supergroup = { id: -1001234567890, type: "supergroup" as const, title: "Staff" };
const dana = { id: 900, is_bot: false, first_name: "Dana", language_code: "en" };
const anonymousBot = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };
const update = (message: Record<string, unknown>): Update => ({ update_id: 7, message: { message_id: 5, date: 0, ...message } }) as unknown as Update;

describe("Telegram updates about the staff group", () => {
  it("both announcements of an upgrade become the same move, whoever sent them", () => {
    const inOld = toInbound(update({ chat: group, from: dana, migrate_to_chat_id: supergroup.id }), me);
    const inNew = toInbound(update({ chat: supergroup, from: anonymousBot, sender_chat: supergroup, migrate_from_chat_id: group.id }), me);
    const moved = { type: "chat-moved", from: String(group.id), to: String(supergroup.id) };
    expect(inOld).toMatchObject({ chatId: String(group.id), chatType: "group", event: moved });
    expect(inNew).toMatchObject({ chatId: String(supergroup.id), chatType: "group", event: moved });
  });

  it("an anonymous admin's message is taken, as the group's; other bots and posts in a channel's name are not", () => {
    const anonymous = toInbound(update({ chat: supergroup, from: anonymousBot, sender_chat: supergroup, author_signature: "Chief", text: "/cancel", reply_to_message: { message_id: 3, date: 0, chat: supergroup } }), me);
    expect(anonymous).toMatchObject({ userId: String(supergroup.id), asGroup: true, displayName: "Chief", replyTo: "3", event: { type: "text", text: "/cancel" } });
    expect(anonymous).not.toHaveProperty("languageHint");
    const channel = { id: -1009, type: "channel", title: "News" };
    expect(toInbound(update({ chat: supergroup, from: { id: 136817688, is_bot: true, first_name: "Channel" }, sender_chat: channel, text: "hi" }), me)).toBeNull();
    expect(toInbound(update({ chat: supergroup, from: { id: 5, is_bot: true, first_name: "OtherBot" }, text: "/pending" }), me)).toBeNull();
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the staff group's id at run time", () => {
  const OLD = "-100500";
  const NEW = "-1009990001";
  const admins = [{ channel: "telegram" as const, id: "900" }];

  it("follows a move once (announced twice), keeps it across a restart, and gives way to a changed configuration", async () => {
    h = await startHarness({ settings: { admins, staffChat: { channel: "telegram", chatId: OLD } } });
    const admin = h.person("900", { language: "en" });
    await admin.send("/start");
    const move = (id: number, chatId: string) =>
      h!.handle({ id: `telegram:${id}`, channel: "telegram", chatId, userId: "1", chatType: "group", event: { type: "chat-moved", from: OLD, to: NEW } });
    await move(101, OLD);
    await move(102, NEW);
    const told = admin.fresh().filter((t) => t.includes(`STAFF_CHAT_ID=${NEW}`));
    expect(told).toHaveLength(1);
    expect(h.core.staffChat.current).toEqual({ channel: "telegram", chatId: NEW });

    await h.restart();
    expect(h.core.staffChat.current?.chatId).toBe(NEW);
    await applyForMembership(h.person("100", { language: "ru" }), "ru");
    expect(h.channel.in(NEW).some((m) => m.text.includes(tr("ru", "notice-application-title", { id: "A-1" })))).toBe(true);
    expect(h.channel.in(OLD)).toEqual([]);

    // An operator who sets STAFF_CHAT_ID to another group is obeyed.
    await h.core.idle();
    await h.core.dispatcher.stop();
    await h.db.close();
    const db = await openTestDatabase(`file:${h.dir}/bot.db`);
    const core = createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins, staffChat: { channel: "telegram", chatId: "-100777" } } });
    await core.start();
    expect(core.staffChat.current?.chatId).toBe("-100777");
    expect(await db.transaction((tx) => tx.setting.findMany())).toEqual([]);
    await db.close();
    await h.restart();
    expect(h.core.staffChat.current?.chatId).toBe(OLD);
  });

  it("moves a question waiting in the group with it: the answer in the new chat is taken", async () => {
    h = await startHarness({ settings: { admins, staffChat: { channel: "telegram", chatId: OLD } } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const before = h.inGroup(OLD, "900", { name: "Dana", language: "en" });
    await before.press(tr("ru", "notice-reject"));
    const ask = before.last();
    // Telegram moves the group's messages to the supergroup, keeping their ids.
    for (const m of h.channel.messages) if (m.chatId === OLD) m.chatId = NEW;
    await h.handle({ id: "telegram:201", channel: "telegram", chatId: NEW, userId: "1", chatType: "group", event: { type: "chat-moved", from: OLD, to: NEW } });
    const after = h.inGroup(NEW, "900", { name: "Dana", language: "en" });
    await after.send("Not light industry", { replyTo: ask.messageId });
    const e = await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow({ where: { bin: BIN } }));
    expect(e).toMatchObject({ status: "rejected", rejectReason: "Not light industry" });
  });
});
