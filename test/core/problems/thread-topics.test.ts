/**
 * The staff thread in a forum group, over HTTP against the fake Bot API: everything the bot says in
 * answer to something done in a problem's topic (the questions of the Status and Note flows started
 * from the post's buttons, their confirmations, the "sent to the member" acknowledgement) stays in
 * that topic, never in the General one; and a relay to a topic deleted meanwhile is not lost.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../../support/telegram-harness.ts";
import { tr } from "../../support/core-harness.ts";
import { registerOnTelegram } from "../../support/telegram-steps.ts";
import { addMemberMessage, submitProblem } from "../../../src/core/problems/service.ts";
import type { FakeGroup, FakeUser } from "../../support/fake-bot-api.ts";

const ADMIN = 900;

/** A button label in any of the languages. */
function anyOf(key: string): RegExp {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^(${(["kk", "ru", "en"] as const).map((l) => esc(tr(l, key))).join("|")})$`);
}

/** Whether `text` holds `key` in any of the languages (the presser's language is the bot's choice here). */
function said(text: string, key: string, args: Record<string, string>): boolean {
  return (["kk", "ru", "en"] as const).some((l) => {
    const a = { ...args, ...(args.status ? { status: tr(l, `problem-status-${args.status}`) } : {}) };
    return text.includes(tr(l, key, a));
  });
}
const GROUP = -1001234;

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A forum staff group, an admin (en), an approved member (ru), and a problem posted in its own topic. */
async function postedProblem(): Promise<{ h: TelegramHarness; group: FakeGroup; dana: FakeUser; member: FakeUser; ref: string; post: { message_id: number; thread: number } }> {
  const harness = (h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: String(GROUP) }));
  const group = harness.fake.group({ id: GROUP, title: "QTI staff", type: "supergroup", forum: true });
  const dana = harness.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
  dana.send("/start");
  await dana.waitFor(tr("en", "menu-prompt"));
  const member = harness.fake.user({ language_code: "ru", first_name: "Aigerim" });
  await registerOnTelegram(member, { locale: "ru", bin: "061211600012", name: "Textile" });
  const notice = await group.waitFor(/A-1\b/, { after: 0 });
  dana.pressIn(group, tr("ru", "notice-approve"), { message: notice.message_id });
  await member.waitFor(/🎉/, { after: 0 });
  await harness.settled();
  const person = await harness.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(member.id) }, include: { person: true } }));
  const outcome = await harness.core.run({ person: { personId: person.personId, role: person.person.role, locale: "ru" }, ref: `telegram:${member.id}` }, (unit) =>
    submitProblem(unit, { category: "taxes", title: "Возврат НДС", description: "Возврат НДС задерживается на полгода.", files: [], anonymous: false }),
  );
  if (!outcome.ok) throw new Error("not submitted");
  const post = await group.waitFor((m) => !!m.reply_markup && m.text.includes(outcome.ref), { after: 0 });
  expect(post.thread).toBeDefined();
  await harness.settled();
  return { h: harness, group, dana, member, ref: outcome.ref, post: { message_id: post.message_id, thread: post.thread! } };
}

describe("a problem's forum topic", () => {
  it("the Status and Note flows started from the post ask and confirm in the topic, not in General", async () => {
    const { h, group, dana, ref, post } = await postedProblem();

    dana.pressIn(group, tr("ru", "thread-button-note"), { message: post.message_id });
    const noteAsk = await group.waitFor((m) => said(m.text, "thread-note-ask", { ref }), { after: post.message_id });
    expect(noteAsk.thread).toBe(post.thread);
    await h.settled();
    dana.sendIn(group, "Позвонить в налоговую", { replyTo: noteAsk.message_id });
    const note = await group.waitFor((m) => m.text.includes("Позвонить в налоговую"), { after: noteAsk.message_id });
    expect(note.thread).toBe(post.thread);
    await h.settled();

    dana.pressIn(group, tr("ru", "thread-button-status"), { message: post.message_id });
    const statusAsk = await group.waitFor((m) => said(m.text, "thread-status-ask", { ref }), { after: note.message_id });
    expect(statusAsk.thread).toBe(post.thread);
    await h.settled();
    dana.pressIn(group, anyOf("problem-status-review"), { message: statusAsk.message_id });
    const commentAsk = await group.waitFor((m) => said(m.text, "thread-comment-optional", { ref }), { after: statusAsk.message_id });
    expect(commentAsk.thread).toBe(post.thread);
    await h.settled();
    dana.pressIn(group, anyOf("thread-comment-skip"), { message: commentAsk.message_id });
    const done = await group.waitFor((m) => said(m.text, "thread-status-done", { ref, status: "review" }), { after: commentAsk.message_id });
    expect(done.thread).toBe(post.thread);
    await h.settled();

    // Nothing the bot said after the post went to General (no thread).
    const general = group.messages.filter((m) => m.message_id > post.message_id && m.thread === undefined);
    expect(general.map((m) => m.text)).toEqual([]);
  });

  it("a member's message to a problem whose topic was deleted reaches the staff chat without the topic, every time", async () => {
    const { h, group, member, post } = await postedProblem();
    // An admin deletes the topic in Telegram: it and its messages are gone.
    group.chatState.topics.delete(post.thread);
    for (const m of group.chatState.messages.values()) if (m.message.message_thread_id === post.thread) m.deleted = true;

    const identity = await h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(member.id) }, include: { person: true } }));
    const problem = await h.db.transaction((tx) => tx.problem.findFirstOrThrow({ select: { id: true } }));
    const write = (text: string) =>
      h.core.run({ person: { personId: identity.personId, role: identity.person.role, locale: "ru" }, ref: `telegram:${member.id}` }, (unit) =>
        addMemberMessage(unit, problem.id, { text, files: [] }),
      );
    expect(await write("Первое сообщение после удаления темы")).toEqual({ ok: true });
    const first = await group.waitFor((m) => m.text.includes("Первое сообщение после удаления темы"), { after: post.message_id });
    expect(first.thread).toBeUndefined();
    await h.settled();
    // The chat's messages no longer name the gone topic: the next one goes to the chat at once.
    expect(await h.db.transaction((tx) => tx.sentMessage.count({ where: { threadId: String(post.thread) } }))).toBe(0);
    expect(await write("Второе сообщение")).toEqual({ ok: true });
    const second = await group.waitFor((m) => m.text.includes("Второе сообщение"), { after: first.message_id });
    expect(second.thread).toBeUndefined();
    await h.settled();
    // Nothing was dropped: every relay row was sent.
    const failed = await h.db.transaction((tx) => tx.outbox.count({ where: { status: { in: ["failed", "queued"] } } }));
    expect(failed).toBe(0);
  });
});
