/**
 * breaker7: a staff reply to a problem whose enterprise has nobody left to tell (the reporter
 * erased their data and no one else of the enterprise is active) reached no one, yet staff were
 * told "✓ Sent to the member" (and, after a status change, "the member has been told"). The reply
 * and the change are kept; staff are told nobody got them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { erasePerson } from "../../src/core/members/erasure.ts";
import { lastSaid } from "../core/problems/report-support.ts";
import { ADMIN, MEMBER, postOf, startThreadWorld, tr, type ThreadWorld } from "../core/problems/thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

describe("a staff reply nobody can receive", () => {
  it("is kept, and staff are told nobody got it rather than 'sent'", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const person = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER } }));
    await w.h.core.run({ person: { personId: person.personId, role: "member", locale: "ru" }, ref: `telegram:${MEMBER}` }, (unit) => erasePerson(unit, person.personId));
    await w.h.core.dispatcher.idle();
    const memberBefore = w.member.messages().length;
    const before = w.group().length;
    await w.raw(ADMIN, { type: "text", text: "Есть новости по таможне." }, { group: true, replyTo: postOf(w, id).messageId });
    expect(w.member.messages().length).toBe(memberBefore);
    expect(w.group().slice(before).map((m) => m.text)).toEqual([tr("en", "thread-sent-to-nobody")]);
    const entries = await w.h.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id, kind: "staff" } }));
    expect(entries.map((e) => e.text)).toEqual(["Есть новости по таможне."]);
  });

  it("a reply that reaches the member is still acknowledged as sent", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const before = w.group().length;
    await w.raw(ADMIN, { type: "text", text: "Есть новости." }, { group: true, replyTo: postOf(w, id).messageId });
    expect(w.group().slice(before).map((m) => m.text)).toEqual([tr("en", "thread-sent-to-member")]);
  });
});

describe("a status change nobody can be told of", () => {
  it("is made, and staff are not told 'the member has been told'", async () => {
    w = await startThreadWorld({ group: false });
    const { id, ref } = await w.submit();
    const person = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER } }));
    await w.h.core.run({ person: { personId: person.personId, role: "member", locale: "ru" }, ref: `telegram:${MEMBER}` }, (unit) => erasePerson(unit, person.personId));
    await w.h.core.dispatcher.idle();
    const post = w.admin.messages().find((m) => m.message.choices?.flat().some((b) => b.data === `ps:n:${id}`))!;
    await w.admin.pressData(post.message.choices!.flat().find((b) => b.data.startsWith("ps:s:"))!.data);
    await w.admin.press(tr("en", "problem-status-review"));
    await w.admin.press(tr("en", "thread-comment-skip"));
    expect((await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).status).toBe("review");
    expect(lastSaid(w.admin)).toBe(tr("en", "thread-status-done-nobody", { ref, status: tr("en", "problem-status-review") }));
  });
});
