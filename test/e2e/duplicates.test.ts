/**
 * Telegram stored a message but the bot never got the answer (the connection dropped, a 5xx after
 * storing): the dispatcher sends it again, so the chat holds a copy the bot has no record of. The
 * duplicate must be harmless: a press on it brings it up to date instead of leaving live buttons on
 * a decided request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { BotMessage, FakeUser } from "../support/fake-bot-api.ts";
import { registerOnTelegram, step } from "../support/telegram-steps.ts";

const ADMIN = 900;
let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DUPLICATES_APPLICATION = { bin: "990140000384", name: "Textile Company", region: "region-almaty-city", sector: "sector-apparel", employees: "45" };

const buttons = (m: BotMessage) => (m.reply_markup?.inline_keyboard ?? []).flat();

describe("a message stored by Telegram whose answer was lost", () => {
  it.each(["drop", "5xx"] as const)("(%s) a press on the copy the bot did not record brings it up to date", async (how) => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const admin = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    // The notice reaches the admin, but the bot never hears back: it sends the notice again.
    h.fake.loseAnswerNext("sendMessage", { chatId: ADMIN, as: how });
    const user = h.fake.user({ language_code: "en" });
    await registerOnTelegram(user, DUPLICATES_APPLICATION);
    const title = tr("en", "notice-application-title", { id: "A-1" });
    const lost = await admin.waitFor(title, { after: 0 });
    const recorded = await admin.waitFor(title, { after: lost.message_id, timeoutMs: 10_000 });

    // Approved on the copy the bot knows: that one loses its buttons, the other does not know yet.
    expect(await admin.press(tr("en", "notice-approve"), { message: recorded.message_id }).answer).toMatchObject({
      text: tr("en", "staff-approved-notice"),
    });
    await admin.waitFor((m) => m.message_id === recorded.message_id && buttons(m).length === 0, { after: 0 });

    // A press on the unrecorded copy: told it is decided, and the copy is brought up to date.
    expect(await admin.press(tr("en", "notice-approve"), { message: lost.message_id }).answer).toMatchObject({
      text: tr("en", "already-active"),
    });
    const updated = await admin.waitFor((m) => m.message_id === lost.message_id && m.edits > 0, { after: 0, timeoutMs: 5000 });
    expect(buttons(updated)).toEqual([]);
    // The press does not know who approved: the copy says what happened, naming nobody.
    expect(updated.text).toContain(tr("en", "notice-status-approved"));
    // Recorded now: later edits of the notice reach it as well.
    const copies = await h.db.transaction((tx) => tx.sentMessage.findMany({ where: { chatId: String(ADMIN), tag: { startsWith: "application:1@" } } }));
    expect(copies.map((c) => c.messageId).sort()).toEqual([String(lost.message_id), String(recorded.message_id)].sort());
  });

  it("a press quicker than the record of its copy does not record the copy twice nor edit it twice", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const admin = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    // The notice is in the admin's chat well before the bot hears back (a slow answer; on
    // PostgreSQL the record's commit alone left such a window): the press comes first.
    h.fake.delayAnswer("sendMessage", 1500, ADMIN);
    const user = h.fake.user({ language_code: "en" });
    await registerOnTelegram(user, DUPLICATES_APPLICATION);
    const notice = await admin.waitFor(tr("en", "notice-application-title", { id: "A-1" }), { after: 0 });
    expect(await admin.press(tr("en", "notice-approve"), { message: notice.message_id }).answer).toMatchObject({
      text: tr("en", "staff-approved-notice"),
    });
    await admin.waitFor((m) => m.message_id === notice.message_id && buttons(m).length === 0, { after: 0, timeoutMs: 10_000 });
    h.fake.delayAnswer("sendMessage", 0);
    await h.settled();
    const copies = await h.db.transaction((tx) => tx.sentMessage.findMany({ where: { chatId: String(ADMIN), tag: { startsWith: "application:1@" } } }));
    expect(copies.map((c) => c.messageId)).toEqual([String(notice.message_id)]);
    const edits = h.fake.callsTo("editMessageText").filter((c) => String(c.params.message_id) === String(notice.message_id));
    expect(edits.map((c) => c.ok)).toEqual([true]);
  });
});
