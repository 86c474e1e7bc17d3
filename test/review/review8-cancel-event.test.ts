/**
 * Review of issue 8 (item 11): cancelling an event left its publication sending, so the invitations
 * still queued went out after the cancellation (with RSVP buttons that are then refused), and the
 * author's progress message ran on. Now the cancellation cancels the event's publications still
 * going: only the sends already in flight reach anyone, and the author gets the report. Likewise a
 * change (a new time, a venue) while the invitations are being sent: the ones still waiting went
 * out with the old details, and those invitees, not having answered, were never told.
 */
import { afterEach, describe, expect, it } from "vitest";
import { publishEvent } from "../../src/core/broadcasts/service.ts";
import { cancelEvent, updateEvent } from "../../src/core/events/service.ts";
import { delivered, members, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  w?.release();
  await w?.close();
});

describe("cancelling an event while its invitations are being sent", () => {
  it("stops the invitations still queued; only those in flight arrive", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 40, { locale: "ru" });
    const event = await w.db.transaction((tx) => tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(w.now.getTime() + 7 * 86_400_000) } }));
    w.hold();
    const published = await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members" }));
    expect(published).toMatchObject({ ok: true, total: 40 });
    if (!published.ok) return;
    // Sends reach the gate (in flight); the rest wait queued.
    while (w.waiting() === 0) await new Promise((r) => setTimeout(r, 10));
    const rev = (await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: event.id } }))).revision;
    expect(await w.run(w.staff, (u) => cancelEvent(u, event.id, rev, null))).toEqual({ ok: true });
    const rows = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: published.id } }));
    const inFlight = rows.filter((r) => r.status === "sending").length;
    expect(inFlight).toBeLessThan(40);
    expect(rows.filter((r) => r.status === "queued" || r.status === "held")).toEqual([]);
    w.release();
    await w.core.dispatcher.idle();
    w.later(3000);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    const reached = chats.filter((c) => delivered(w, c).some((t) => t.includes("Съезд"))).length;
    expect(reached).toBe(inFlight);
    expect(await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id: published.id } }))).toMatchObject({ status: "cancelled", finishedAt: expect.any(Date) });
  });

  it("a reschedule while its invitations are being sent: those still waiting go out with the new time", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 40, { locale: "ru" });
    const startsAt = new Date("2027-03-15T05:00:00Z"); // 10:00 in Almaty
    const event = await w.db.transaction((tx) => tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt, venue: "Алматы" } }));
    w.hold();
    const published = await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members" }));
    expect(published).toMatchObject({ ok: true, total: 40 });
    if (!published.ok) return;
    while (w.waiting() === 0) await new Promise((r) => setTimeout(r, 10));
    const row = await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: event.id } }));
    const moved = new Date("2027-03-16T07:00:00Z"); // 16.03.2027 12:00 in Almaty
    const input = { title: { ru: "Съезд" }, description: {}, startsAt: moved.toISOString(), venue: "Астана", location: null, capacity: null, rsvpDeadline: null, reminders: [1440, 120] };
    expect(await w.run(w.staff, (u) => updateEvent(u, event.id, row.revision, input))).toEqual({ ok: true });
    const inFlight = (await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: published.id, status: "sending" } }))).length;
    w.release();
    await w.core.dispatcher.idle();
    const invitations = chats.map((c) => delivered(w, c).find((t) => t.includes("Съезд"))!);
    expect(invitations.filter((t) => t.includes("15.03.2027 10:00")).length).toBe(inFlight);
    expect(invitations.filter((t) => t.includes("16.03.2027 12:00") && t.includes("Астана")).length).toBe(40 - inFlight);
  });
});
