/**
 * Each enterprise's conversation with the association is its own: a staff reply to a message of an
 * enterprise that JOINED a problem reaches that enterprise (its author), not the reporting one,
 * and shows only in its timeline; a reply to the post still goes to the reporting enterprise.
 */
import { afterEach, describe, expect, it } from "vitest";
import { addMemberMessage, joinProblem, openProblem } from "../../../src/core/problems/service.ts";
import type { Unit } from "../../../src/core/unit.ts";
import { applyForMembership } from "../../support/core-harness.ts";
import { ADMIN, GROUP, MEMBER, PNG, postOf, startThreadWorld, tr, type ThreadWorld } from "./thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

const JOINER = "101";

/** Runs `fn` as the person of Telegram user `userId`. */
async function as<T>(userId: string, fn: (u: Unit) => Promise<T>): Promise<T> {
  const person = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: userId }, include: { person: true } }));
  const actor = { personId: person.personId, role: person.person.role, locale: "ru" as const };
  const out = await w.h.core.run({ person: actor, ref: `telegram:${userId}` }, fn);
  await w.h.core.dispatcher.idle();
  return out;
}

/** Enterprise B (user JOINER), approved. */
async function secondEnterprise(): Promise<void> {
  const joiner = w.h.person(JOINER, { language: "ru", name: "Ерлан" });
  await applyForMembership(joiner, "ru", { bin: "990140000384", name: "Joined Company" });
  const approve = [...w.h.channel.messages].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:ap:"))!;
  await w.raw(ADMIN, { type: "choice", data: approve.message.choices![0]![0]!.data }, { group: true });
}

/** B joins problem `id` of the member's enterprise (A) and writes to staff. */
async function joinAndWrite(id: number): Promise<void> {
  expect(await as(JOINER, (u) => joinProblem(u, id, null))).toMatchObject({ ok: true });
  expect(await as(JOINER, (u) => addMemberMessage(u, id, { text: "У нас то же самое, с марта", files: [] }))).toEqual({ ok: true });
}

/** A problem of the member's enterprise (A) that enterprise B (user JOINER) joined and wrote about; returns the relayed message in the group. */
async function joinedAndWrote(): Promise<{ id: number; relayed: ReturnType<ThreadWorld["group"]>[number] }> {
  const { id } = await w.submit();
  await secondEnterprise();
  await joinAndWrite(id);
  const relayed = w.group().find((m) => m.text.includes("с марта"));
  expect(relayed?.message.replyTo).toBe(postOf(w, id).messageId);
  return { id, relayed: relayed! };
}

describe("a staff reply to a joined enterprise's message", () => {
  it("an album replying to it reaches the joined enterprise whole, even when only its first part carries the reply; a reply to its acknowledgement too", async () => {
    w = await startThreadWorld();
    const { relayed } = await joinedAndWrote();
    const before = { reporter: w.h.channel.in(MEMBER).length, joiner: w.h.channel.in(JOINER).length, group: w.group().length };
    const second = Uint8Array.from([...PNG, 1]);
    await w.sendFile(ADMIN, { kind: "photo", bytes: PNG, caption: "Два фото", replyTo: relayed.messageId, mediaGroup: "staff-album" }, { group: true });
    await w.sendFile(ADMIN, { kind: "photo", bytes: second, mediaGroup: "staff-album" }, { group: true });
    await w.h.core.dispatcher.idle();
    const got = w.h.channel.in(JOINER).slice(before.joiner).filter((m) => m.files.length).map((m) => m.files.map((f) => f.bytes));
    expect(got).toEqual([[PNG], [second]]);
    const ack = w.group().slice(before.group);
    expect(ack.map((m) => m.text)).toEqual([tr("en", "thread-sent-to-member")]);
    await w.raw(ADMIN, { type: "text", text: "И ещё вопрос" }, { group: true, replyTo: ack[0]!.messageId });
    await w.h.core.dispatcher.idle();
    expect(w.h.channel.in(JOINER).slice(before.joiner).filter((m) => m.text.includes("И ещё вопрос"))).toHaveLength(1);
    expect(w.h.channel.in(MEMBER).slice(before.reporter)).toEqual([]);
  });

  it("from a private chat (the staff group unreachable): reaches the joined enterprise, and a reply to its echo in another staff chat too", async () => {
    w = await startThreadWorld();
    await secondEnterprise();
    w.h.channel.unreachable.add(GROUP);
    const other = w.h.person("905", { language: "en", name: "Arman" });
    await other.send("/start");
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "905" } } }, data: { role: "staff" } }));
    const { id } = await w.submit();
    await joinAndWrite(id);
    await w.h.core.dispatcher.idle();
    const relayed = w.admin.messages().find((m) => m.text.includes("с марта"))!;
    const before = { reporter: w.h.channel.in(MEMBER).length, joiner: w.h.channel.in(JOINER).length };
    await w.raw(ADMIN, { type: "text", text: "Какие грузы стоят у вас?" }, { replyTo: relayed.messageId });
    await w.h.core.dispatcher.idle();
    const echo = other.messages().find((m) => m.text.includes("Какие грузы стоят у вас?"))!;
    await w.raw("905", { type: "text", text: "Сколько машин?" }, { replyTo: echo.messageId });
    await w.h.core.dispatcher.idle();
    const toJoiner = w.h.channel.in(JOINER).slice(before.joiner).map((m) => m.text);
    expect(toJoiner.filter((t) => t.includes("Какие грузы стоят у вас?") || t.includes("Сколько машин?"))).toHaveLength(2);
    expect(w.h.channel.in(MEMBER).slice(before.reporter)).toEqual([]);
  });

  it("reaches the joined enterprise only, and only its timeline shows it; a reply to the post still goes to the reporter", async () => {
    w = await startThreadWorld();
    // A second approved enterprise B joined and wrote to staff.
    const { id, relayed } = await joinedAndWrote();

    const before = { reporter: w.h.channel.in(MEMBER).length, joiner: w.h.channel.in(JOINER).length };
    await w.raw(ADMIN, { type: "text", text: "Какие грузы стоят у вас?" }, { group: true, replyTo: relayed!.messageId });
    await w.h.core.dispatcher.idle();
    const toJoiner = w.h.channel.in(JOINER).slice(before.joiner);
    expect(toJoiner.map((m) => m.text).filter((t) => t.includes("Какие грузы стоят у вас?"))).toHaveLength(1);
    expect(w.h.channel.in(MEMBER).slice(before.reporter)).toEqual([]);
    const reply = await w.h.db.transaction((tx) => tx.problemEntry.findFirstOrThrow({ where: { problemId: id, kind: "staff" }, orderBy: { id: "desc" } }));
    const joinedEnterprise = await w.h.db.transaction((tx) => tx.membership.findFirstOrThrow({ where: { person: { identities: { some: { externalId: JOINER } } } } }));
    expect(reply.enterpriseId).toBe(joinedEnterprise.enterpriseId);

    const timeline = async (userId: string) => {
      const view = await as(userId, (u) => openProblem(u, id));
      if (!view.ok) throw new Error(view.reason);
      return view.timeline.filter((e) => e.kind === "staff").map((e) => e.text);
    };
    expect(await timeline(JOINER)).toEqual(["Какие грузы стоят у вас?"]);
    expect(await timeline(MEMBER)).toEqual([]);

    // A reply to the post is the reporting enterprise's, as before.
    await w.raw(ADMIN, { type: "text", text: "Пришлите декларацию" }, { group: true, replyTo: postOf(w, id).messageId });
    await w.h.core.dispatcher.idle();
    expect(w.h.channel.in(MEMBER).slice(before.reporter).filter((m) => m.text.includes("Пришлите декларацию"))).toHaveLength(1);
    expect(w.h.channel.in(JOINER).slice(before.joiner).some((m) => m.text.includes("Пришлите декларацию"))).toBe(false);
    expect(await timeline(MEMBER)).toEqual(["Пришлите декларацию"]);
    expect(await timeline(JOINER)).toEqual(["Какие грузы стоят у вас?"]);
  });
});
