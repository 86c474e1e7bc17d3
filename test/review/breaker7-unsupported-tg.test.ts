/**
 * breaker7 over HTTP (the whole bot against the fake Bot API): a member in "Write to staff" who
 * sends a sticker is told it cannot be passed on, and the text after it still reaches the staff
 * thread (see breaker7-unsupported.test.ts for the core cases).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import { registerOnTelegram } from "../support/telegram-steps.ts";
import { submitProblem } from "../../src/core/problems/service.ts";

const ADMIN = 900;
const GROUP = -1001234;

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a sticker in Write to staff, on Telegram", () => {
  it("is answered 'cannot be passed on'; the next text reaches the thread", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: String(GROUP) });
    const group = h.fake.group({ id: GROUP, title: "QTI staff", type: "supergroup" });
    const dana = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    dana.send("/start");
    await dana.waitFor(tr("en", "menu-prompt"));
    const member = h.fake.user({ language_code: "ru", first_name: "Aigerim" });
    await registerOnTelegram(member, { locale: "ru", bin: "061211600012", name: "Textile Company" });
    const notice = await group.waitFor(/A-1\b/, { after: 0 });
    dana.pressIn(group, tr("ru", "notice-approve"), { message: notice.message_id });
    await member.waitFor(/🎉/, { after: 0 });
    await h.settled();

    const person = await h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(member.id) }, include: { person: true } }));
    const outcome = await h.core.run({ person: { personId: person.personId, role: person.person.role, locale: "ru" }, ref: `telegram:${member.id}` }, (unit) =>
      submitProblem(unit, { category: "taxes", title: "Возврат НДС", description: "Возврат НДС задерживается на полгода.", files: [], anonymous: false }),
    );
    expect(outcome.ok).toBe(true);
    const ref = outcome.ok ? outcome.ref : "";
    const post = await group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0 });
    await h.settled();

    member.send("/start");
    await member.waitFor(tr("ru", "menu-prompt"));
    member.press(tr("ru", "menu-myproblems"));
    const list = await member.waitFor(new RegExp(ref));
    member.press(new RegExp(ref), { message: list.message_id });
    const view = await member.waitFor((m) => m.text.startsWith(`${ref}:`), { after: list.message_id });
    member.press(tr("ru", "problem-write-button"), { message: view.message_id });
    const intro = await member.waitFor(tr("ru", "problem-write-intro", { ref }), { after: view.message_id });
    await h.settled();

    member.sendSticker();
    const answer = await member.waitFor(() => true, { after: intro.message_id });
    expect(answer.text).toBe(tr("ru", "thread-unsupported"));
    await h.settled();
    member.send("Акт сверки отправили почтой.");
    await group.waitFor((m) => m.text.includes("Акт сверки отправили почтой."), { after: post.message_id });
    await member.waitFor(tr("ru", "thread-sent-to-staff"), { after: answer.message_id });
  });
});
