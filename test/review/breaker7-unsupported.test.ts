/**
 * breaker7: a sticker, a voice message or a shared contact sent into a problem's thread (a member
 * in "Write to staff", a member replying to a staff reply, staff replying to the post in the group)
 * cannot be passed on. It was dropped silently into the dialog engine (the member got the main
 * menu or a greeting and believed staff had it; staff got nothing and believed the member had it).
 * Now the sender is told plainly, in their language, and "Write to staff" stays on.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, GROUP, MEMBER, postOf, startThreadWorld, tr, type ThreadWorld } from "../core/problems/thread-support.ts";
import { focusOn } from "../../src/core/problems/focus.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

const entries = (id: number) => w.h.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id }, orderBy: { id: "asc" } }));

describe("what cannot be relayed in a problem's thread", () => {
  it("a member in Write to staff sending a sticker, a voice message or a contact is told it does not reach staff, and stays in Write to staff", async () => {
    w = await startThreadWorld();
    const { id, ref } = await w.submit();
    const m = w.member;
    await m.send("/start");
    await m.press(tr("ru", "menu-myproblems"));
    await m.press(new RegExp(ref));
    await m.press(tr("ru", "problem-write-button"));
    expect(m.last().text).toBe(tr("ru", "problem-write-intro", { ref }));
    m.fresh();
    await m.sticker();
    expect(m.fresh()).toEqual([tr("ru", "thread-unsupported")]);
    await w.raw(MEMBER, { type: "unsupported", kind: "voice" });
    expect(m.fresh()).toEqual([tr("ru", "thread-unsupported")]);
    await m.contact("77011234567");
    expect(m.fresh()).toEqual([tr("ru", "thread-unsupported")]);
    // Still writing to staff: the next text reaches the thread.
    await m.send("Текст после стикера");
    expect(m.fresh()).toEqual([tr("ru", "thread-sent-to-staff")]);
    expect((await entries(id)).filter((e) => e.kind === "member").map((e) => e.text)).toEqual(["Текст после стикера"]);
  });

  it("a member replying with a voice message to a message of their problem is told so", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "text", text: "Пришлите, пожалуйста, акт." }, { group: true, replyTo: post.messageId });
    const reply = w.member.last();
    w.member.fresh();
    await w.raw(MEMBER, { type: "unsupported", kind: "voice" }, { replyTo: reply.messageId });
    expect(w.member.fresh()).toEqual([tr("ru", "thread-unsupported")]);
  });

  it("staff replying to the post in the group with a voice message are told it does not reach the member", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const before = w.group().length;
    await w.raw(ADMIN, { type: "unsupported", kind: "voice" }, { group: true, replyTo: post.messageId });
    const said = w.group().slice(before).map((x) => x.text);
    expect(said).toEqual([tr("en", "thread-unsupported")]);
  });

  it("staff focused on a problem in a private chat sending a sticker are told so", async () => {
    w = await startThreadWorld({ group: false });
    const { id } = await w.submit();
    await w.h.core.run({ person: null, ref: "test" }, (unit) => focusOn(unit, `telegram:${ADMIN}`, id));
    w.admin.fresh();
    await w.admin.sticker();
    expect(w.admin.fresh()).toEqual([tr("en", "thread-unsupported")]);
  });

  it("a sticker in the group that belongs to no thread is not answered", async () => {
    w = await startThreadWorld();
    await w.submit();
    const before = w.group().length;
    await w.h.inGroup(GROUP, ADMIN, { language: "en", name: "Dana" }).sticker();
    expect(w.group().length).toBe(before);
  });
});
