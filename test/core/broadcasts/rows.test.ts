/**
 * A broadcast's Outbox rows in the delivery engine: written by multi-row INSERTs (more rows than one
 * statement takes), `held` rows never pruned, and dropped with their chat when it turns out
 * unreachable (a resumed broadcast would only meet the same refusal).
 */
import { afterEach, describe, expect, it } from "vitest";
import { enqueueMany, ENQUEUE_BATCH, loadMenu, saveMenu } from "../../../src/core/bookkeeping.ts";
import { housekeeping } from "../../../src/core/core.ts";
import { cancelBroadcast, createBroadcast, pauseBroadcast, publishEvent, resumeBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { invitationTag } from "../../../src/core/broadcasts/render.ts";
import { RecordingChannel, tr } from "../../support/core-harness.ts";
import { SYSTEM, Unit } from "../../../src/core/unit.ts";
import { members, startBroadcastWorld, type BroadcastWorld } from "./setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  await w.close();
});

describe("broadcast rows", () => {
  it("enqueueMany writes more rows than one INSERT takes, each with its own id, lane and broadcast", async () => {
    w = await startBroadcastWorld();
    const n = ENQUEUE_BATCH * 2 + 5;
    const rows = Array.from({ length: n }, (_, i) => ({ channel: "whatsapp", chatId: `c${i}`, payload: `p${i}`, tag: null, locale: "ru" }));
    const queued = await w.db.transaction((tx) => enqueueMany(tx, rows, { lane: "bulk", broadcastId: 77 }, w.now));
    expect(queued).toHaveLength(n);
    expect(new Set(queued.map((q) => q.id)).size).toBe(n);
    const stored = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: 77 }, select: { id: true, chatId: true, payload: true, lane: true, priority: true, status: true } }));
    const byId = new Map(stored.map((s) => [s.id, s]));
    for (const q of queued) expect(byId.get(q.id)).toMatchObject({ chatId: q.chatId, payload: `p${q.chatId.slice(1)}`, lane: "bulk", priority: 2, status: "queued" });
  });

  it("held rows stay through pruning, and go (unreachable) when their chat answers 403 to another message", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 2);
    const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: { ru: "Новость" }, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(created.reason);
    const id = created.id;
    // Started and paused before the start commits: nothing can be claimed in between.
    await w.run(w.staff, async (u) => {
      await startBroadcast(u, id);
      await pauseBroadcast(u, id);
    });
    await w.core.dispatcher.idle();
    const rowsOf = () => w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: id }, orderBy: { chatId: "asc" }, select: { chatId: true, status: true } }));
    expect(await rowsOf()).toEqual(chats.map((chatId) => ({ chatId, status: "held" })));
    await w.db.transaction((tx) => housekeeping(tx, new Date(w.now.getTime() + 400 * 86_400_000), 30));
    expect(await rowsOf()).toHaveLength(2);
    // Another message to the first chat meets a blocked bot.
    w.channel.unreachable.add(chats[0]!);
    await w.run(w.staff, (u) => u.outbox.send({ channel: "telegram", chatId: chats[0]!, locale: "ru" }, { text: () => "notice" }));
    await w.core.dispatcher.idle();
    expect(await rowsOf()).toEqual([
      { chatId: chats[0], status: "unreachable" },
      { chatId: chats[1], status: "held" },
    ]);
    await w.run(w.staff, (u) => resumeBroadcast(u, id));
    await w.core.dispatcher.idle();
    expect(await rowsOf()).toEqual([
      { chatId: chats[0], status: "unreachable" },
      { chatId: chats[1], status: "sent" },
    ]);
    expect(w.channel.in(chats[0]!)).toEqual([]);
  });

  it("an erasure forgets the person's held and cancelled broadcast rows too (their chat id and the text)", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 2);
    const ids: number[] = [];
    for (const text of ["Первая", "Вторая"]) {
      const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: { ru: text }, file: null, audience: { kind: "members" } }));
      if (!created.ok) throw new Error(created.reason);
      ids.push(created.id);
      await w.run(w.staff, async (u) => {
        await startBroadcast(u, created.id);
        await pauseBroadcast(u, created.id);
      });
    }
    await w.run(w.staff, (u) => cancelBroadcast(u, ids[1]!));
    const person = await w.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: chats[0] } }));
    await w.run(SYSTEM, (u) => erasePerson(u, person.personId));
    const left = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: { in: ids } }, orderBy: { id: "asc" }, select: { chatId: true, status: true } }));
    expect(left).toEqual([
      { chatId: chats[1], status: "held" },
      { chatId: chats[1], status: "cancelled" },
    ]);
  });

  it("an edit of a tagged message (an event's invitation) rewrites the copies a paused broadcast holds", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 2);
    const event = await w.db.transaction((tx) => tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(w.now.getTime() + 86_400_000) } }));
    await w.run(w.staff, async (u) => {
      const r = await publishEvent(u, event.id, { kind: "members" });
      if (!r.ok) throw new Error(r.reason);
      await pauseBroadcast(u, r.id);
    });
    await w.run(w.staff, (u) => u.outbox.editTagged(invitationTag(event.id), () => ({ text: () => "Съезд перенесён" })));
    const rows = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: { not: null } }, orderBy: { chatId: "asc" }, select: { status: true, payload: true } }));
    expect(rows.map((r) => [r.status, (JSON.parse(r.payload) as { message: { text: string } }).message.text])).toEqual(chats.map(() => ["held", "Съезд перенесён"]));
  });

  it("a send retried after the pause (back to queued by the engine) is held again by the next progress tick; after a cancel it is cancelled", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 2);
    const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: { ru: "Новость" }, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(created.reason);
    const id = created.id;
    await w.run(w.staff, async (u) => {
      await startBroadcast(u, id);
      await pauseBroadcast(u, id);
    });
    // What the engine writes for a send that was in flight at the pause and must be retried.
    const retried = () =>
      w.db.transaction((tx) => tx.outbox.updateMany({ where: { broadcastId: id, chatId: chats[0] }, data: { status: "queued", attempts: 1, notBefore: new Date(Date.now() + 3_600_000) } }));
    const statusOf = async () => (await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: id }, orderBy: { chatId: "asc" }, select: { status: true } }))).map((r) => r.status);
    await retried();
    w.later(20_000);
    await w.core.jobWorker.tick();
    expect(await statusOf()).toEqual(["held", "held"]);
    // Cancelled while one send is in flight: the report waits for it; it comes back for a retry.
    await w.db.transaction((tx) => tx.outbox.updateMany({ where: { broadcastId: id, chatId: chats[0] }, data: { status: "sending", leaseUntil: new Date(Date.now() + 3_600_000), leasedBy: "elsewhere" } }));
    await w.run(w.staff, (u) => cancelBroadcast(u, id));
    expect(await statusOf()).toEqual(["sending", "cancelled"]);
    expect((await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }))).finishedAt).toBeNull();
    await retried();
    w.later(20_000);
    await w.core.jobWorker.tick();
    expect(await statusOf()).toEqual(["cancelled", "cancelled"]);
    const b = await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));
    expect(b.status).toBe("cancelled");
    expect(b.finishedAt).toEqual(w.now);
    await w.core.dispatcher.idle();
    expect(w.channel.in("900")[0]!.text).toContain(tr("ru", "broadcast-report-cancelled", { id, sent: 0, total: 2 }));
  });

  it("a broadcast reaching its author's own chat (staff audience, on the console) leaves the chat's own menu as it was", async () => {
    w = await startBroadcastWorld();
    await w.core.dispatcher.register(new RecordingChannel("console", { buttons: false }));
    // The author's console chat is where their notices go (one recipient per person: issue 9).
    await w.db.transaction(async (tx) => {
      await tx.channelIdentity.create({ data: { personId: w.staff.person.personId, channel: "console", externalId: "c900" } });
      await tx.person.update({ where: { id: w.staff.person.personId }, data: { preferredChannel: "console" } });
    });
    const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: { ru: "Для сотрудников" }, file: null, audience: { kind: "staff" } }));
    if (!created.ok) throw new Error(created.reason);
    const menu = { foreign: false, choices: [{ data: "menu:events", match: ["события"], n: 1 }] };
    const total = await w.run(w.staff, async (u) => {
      // The author's own turn on the console, with the chat's current question's options.
      const own = new Unit(u.tx, u.services, u.now, u.actor, u.actorRef, { channel: "console", chatId: "c900" });
      await saveMenu(u.tx, "console", "c900", menu, u.now);
      const r = await startBroadcast(own, created.id);
      return r.ok ? r.total : 0;
    });
    expect(total).toBe(1);
    expect(await w.db.transaction((tx) => loadMenu(tx, "console", "c900"))).toEqual(menu);
  });
});
