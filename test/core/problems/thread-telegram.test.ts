/**
 * The staff thread over HTTP against the fake Bot API (the whole bot: core, grammY, the Telegram
 * adapter): a problem posted to a forum staff group opens its own topic with the post and its
 * buttons; a staff message in the topic (text, then a photo) reaches the member; the member's reply
 * comes back into the topic as a reply to the post; Take re-renders the post.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../../support/telegram-harness.ts";
import { tr } from "../../support/core-harness.ts";
import { sampleJpeg } from "../../support/fake-bot-api.ts";
import { registerOnTelegram } from "../../support/telegram-steps.ts";
import { submitProblem } from "../../../src/core/problems/service.ts";

const ADMIN = 900;
const GROUP = -1001234;

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the staff thread on Telegram", () => {
  it("a forum topic per problem; staff and member talk through it both ways, files included", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: String(GROUP) });
    const group = h.fake.group({ id: GROUP, title: "QTI staff", type: "supergroup", forum: true });
    const dana = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    dana.send("/start");
    await dana.waitFor(tr("en", "menu-prompt"));
    const member = h.fake.user({ language_code: "ru", first_name: "Aigerim" });
    await registerOnTelegram(member, { locale: "ru", bin: "061211600012", name: "Textile & <Co>" });
    const notice = await group.waitFor(/A-1\b/, { after: 0 });
    dana.pressIn(group, tr("ru", "notice-approve"), { message: notice.message_id });
    await member.waitFor(/🎉/, { after: 0 });
    await h.settled();

    const person = await h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(member.id) }, include: { person: true } }));
    const outcome = await h.core.run({ person: { personId: person.personId, role: person.person.role, locale: "ru" }, ref: `telegram:${member.id}` }, (unit) =>
      submitProblem(unit, { category: "taxes", title: "НДС <b>возврат</b> & задержка", description: "Возврат НДС задерживается на полгода.", files: [], anonymous: false }),
    );
    expect(outcome.ok).toBe(true);
    const ref = outcome.ok ? outcome.ref : "";
    const post = await group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0 });
    // Its own topic, named after the problem; the hostile title shown as typed.
    expect(post.thread).toBeDefined();
    expect(group.topics().get(post.thread!)).toBe(`${ref} НДС <b>возврат</b> & задержка`);
    expect(post.text.split("\n")[0]).toBe(tr("ru", "thread-post-named"));
    expect(post.text).toContain("НДС <b>возврат</b> & задержка");

    // Staff write in the topic (no reply needed there): the member gets it.
    dana.sendIn(group, "Подготовьте, пожалуйста, акт сверки.", { thread: post.thread! });
    const reply = await member.waitFor(/акт сверки/, { after: 0 });
    await group.waitFor((m) => m.thread === post.thread && m.text === tr("en", "thread-sent-to-member"), { after: post.message_id });
    dana.sendPhoto({ in: group, thread: post.thread!, bytes: sampleJpeg("stamp"), caption: "Образец" });
    const photo = await member.waitFor((m) => m.file?.kind === "photo", { after: reply.message_id });
    expect(photo.text).toContain("Образец");

    // The member answers by replying: it comes back into the topic, as a reply to the post.
    await h.settled();
    member.send("Акт <i>готов</i> & отправлен", { replyTo: reply.message_id });
    const relayed = await group.waitFor((m) => m.text.includes("Акт <i>готов</i> & отправлен"), { after: post.message_id });
    expect(relayed.thread).toBe(post.thread);
    expect(relayed.reply_to).toBe(post.message_id);
    await member.waitFor(tr("ru", "thread-sent-to-staff"), { after: reply.message_id });

    // Take: the post is re-rendered with who took it.
    await h.settled();
    dana.pressIn(group, tr("ru", "thread-button-take"), { message: post.message_id });
    // Dana gave the bot no name: "a staff member".
    const taken = tr("ru", "thread-post-assignee", { name: tr("ru", "notice-someone") });
    await group.waitFor((m) => m.message_id === post.message_id && m.edits > 0 && m.text.includes(taken), { after: 0 });
  });
});
