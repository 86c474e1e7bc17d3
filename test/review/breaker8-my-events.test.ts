/**
 * Breaker 8: My events listed an event for a person whose invitation never reached them (the
 * publication was cancelled before their turn, or their chat refused it): My events counted every
 * delivery row of a publication, whatever became of it. Only invitations sent or on their way count.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelBroadcast, publishEvent } from "../../src/core/broadcasts/service.ts";
import { createEvent, myEvents } from "../../src/core/events/service.ts";
import { input } from "../core/events/support.ts";
import { members, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  if (!w) return;
  w.release();
  await w.close();
});

describe("My events after a publication that did not reach everyone", () => {
  it("lists the event for those it reached only", async () => {
    w = await startBroadcastWorld();
    const refused = await members(w, "5", 1, { region: "almaty-city" });
    const { chats } = await members(w, "7", 30, { region: "astana-city" });
    w.rejected.add(refused.chats[0]!);
    const created = await w.run(w.staff, (u) => createEvent(u, input({ startsAt: new Date(w.now.getTime() + 7 * 86_400_000).toISOString() })));
    if (!created.ok) throw new Error(created.reason);
    // First to Almaty: the one member there refuses it (400).
    const first = await w.run(w.staff, (u) => publishEvent(u, created.id, { kind: "members", regions: ["almaty-city"] }));
    if (!first.ok) throw new Error(first.reason);
    await w.core.dispatcher.idle();
    w.hold();
    const pub = await w.run(w.staff, (u) => publishEvent(u, created.id, { kind: "members" }));
    if (!pub.ok) throw new Error(pub.reason);
    expect(await w.run(w.staff, (u) => cancelBroadcast(u, pub.id))).toEqual({ ok: true });
    w.release();
    await w.core.dispatcher.idle();
    const rows = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: { in: [first.id, pub.id] } }, orderBy: { id: "asc" } }));
    const statusOf = new Map(rows.map((r) => [r.chatId, r.status]));
    expect(rows.find((r) => r.broadcastId === first.id)).toMatchObject({ chatId: refused.chats[0], status: "failed" });
    const notReached = [...chats, ...refused.chats].filter((c) => statusOf.get(c) !== "sent");
    const reached = chats.filter((c) => statusOf.get(c) === "sent");
    expect(notReached.length).toBeGreaterThan(1);
    const people = await w.db.transaction((tx) => tx.channelIdentity.findMany({ select: { externalId: true, personId: true } }));
    const personOf = new Map(people.map((p) => [p.externalId, p.personId]));
    const listed = async (chat: string) => {
      const acting = { person: { personId: personOf.get(chat)!, role: "member", locale: "ru" as const }, ref: `telegram:${chat}` };
      return (await w.run(acting, (u) => myEvents(u))).map((e) => e.event.id);
    };
    for (const c of notReached) expect(await listed(c), c).toEqual([]);
    for (const c of reached) expect(await listed(c), c).toEqual([created.id]);
  });
});
