/**
 * A person's long text in a problem is kept whole, never cut silently (issue 7: "a long thread
 * message is split, not refused"): a staff reply and a member's message as long as Telegram allows
 * (4,096 characters, emoji counted as one) are stored and relayed whole (the adapter splits them
 * for the platform); a text over the generous bound (MESSAGE_MAX, only possible off Telegram) is
 * refused with the bound, and nothing of it is kept; the description and the "forwarded to" that
 * the flows accepted are stored whole; the staff post's cut description follows whole in the thread.
 */
import { afterEach, describe, expect, it } from "vitest";
import { changeStatus, MESSAGE_MAX } from "../../../src/core/problems/service.ts";
import { FORWARDED_MAX } from "../../../src/core/problems/thread-flows.ts";
import { ADMIN, MEMBER, postOf, startThreadWorld, tr, type ThreadWorld } from "./thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

const entries = (id: number) => w.h.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id }, orderBy: { id: "asc" } }));

/** `n` code points of mixed text: Cyrillic words, emoji (two UTF-16 units each) and line breaks. */
function longText(n: number, seed: string): string {
  const unit = [...`${seed} жалоба 🧵 & <b>текст</b> 😀\n`];
  const out: string[] = [];
  while (out.length < n) out.push(...unit);
  // Ends on a letter (a trailing space or newline would be trimmed).
  return [...out.slice(0, n - 1), "я"].join("");
}

describe("long texts in a problem's thread", () => {
  it("a 4,096-character staff reply and member answer are stored and relayed whole", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const reply = longText(4096, "ответ");
    expect(reply.length).toBeGreaterThan(4096); // UTF-16 units: the emoji count twice
    await w.raw(ADMIN, { type: "text", text: reply }, { group: true, replyTo: post.messageId });
    const staffEntry = (await entries(id)).find((e) => e.kind === "staff")!;
    expect(staffEntry.text).toBe(reply);
    const toMember = w.member.messages().at(-1)!;
    expect(toMember.text).toContain(reply);

    const answer = longText(4096, "вопрос");
    await w.raw(MEMBER, { type: "text", text: answer }, { replyTo: toMember.messageId });
    const memberEntry = (await entries(id)).find((e) => e.kind === "member")!;
    expect(memberEntry.text).toBe(answer);
    expect(w.group().at(-1)!.text).toContain(answer);
  });

  it("a text over the bound is refused with the bound, and nothing of it is kept or relayed", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "text", text: "Какой пункт пропуска?" }, { group: true, replyTo: post.messageId });
    const toMember = w.member.messages().at(-1)!;
    const before = w.group().length;
    w.member.fresh();
    await w.raw(MEMBER, { type: "text", text: longText(MESSAGE_MAX + 1, "много") }, { replyTo: toMember.messageId });
    expect(w.member.fresh()).toEqual([tr("ru", "problem-message-too-long", { max: MESSAGE_MAX })]);
    expect((await entries(id)).filter((e) => e.kind === "member")).toEqual([]);
    expect(w.group().length).toBe(before);
    // Staff too: told in the group, the member gets nothing.
    await w.raw(ADMIN, { type: "text", text: longText(MESSAGE_MAX + 1, "staff") }, { group: true, replyTo: post.messageId });
    expect(w.group().at(-1)!.text).toBe(tr("en", "problem-message-too-long", { max: MESSAGE_MAX }));
    expect(w.member.fresh()).toEqual([]);
  });

  it("a description the flow accepted (emoji counted as one) is stored whole and follows whole in the staff thread", async () => {
    w = await startThreadWorld();
    const description = longText(3900, "описание");
    expect(description.length).toBeGreaterThan(4000);
    const { id } = await w.submit({ description });
    const row = await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
    expect(row.description).toBe(description);
    const post = postOf(w, id);
    expect(post.text).not.toContain(description);
    const full = w.group().find((m) => m.message.replyTo === post.messageId && m.text.includes(tr("ru", "thread-description-full", { ref: row.ref })));
    expect(full?.text).toContain(description);
  });

  it("where a problem was forwarded to, as long as the flow allows, is stored whole", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const to = longText(FORWARDED_MAX, "Министерство").replace(/\n/g, " ");
    const admin = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: ADMIN }, include: { person: true } }));
    const outcome = await w.h.core.run({ person: { personId: admin.personId, role: admin.person.role, locale: "en" }, ref: `telegram:${ADMIN}` }, (unit) =>
      changeStatus(unit, id, 0, "forwarded", { forwardedTo: to, comment: null }),
    );
    expect(outcome).toEqual({ ok: true });
    const row = await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
    expect(row.forwardedTo).toBe(to);
  });
});
