/**
 * Breaker 8: an event cancelled (or changed) while its publication is still queued. "Never for a
 * cancelled event": the invitations not yet sent must not go out (those in flight at the moment
 * may); the publication ends cancelled with its report.
 */
import { afterEach, describe, expect, it } from "vitest";
import { publishEvent } from "../../src/core/broadcasts/service.ts";
import { cancelEvent, createEvent, updateEvent } from "../../src/core/events/service.ts";
import { formatLocalDateTime } from "../../src/core/time.ts";
import { input } from "../core/events/support.ts";
import { delivered, members, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  if (!w) return;
  w.release();
  await w.close();
});

const statuses = async (id: number) => {
  const rows = await w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: id } }));
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe("cancelling an event while its invitations are queued", () => {
  it("the invitations not yet sent never go out; the publication ends cancelled", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 30);
    const created = await w.run(w.staff, (u) => createEvent(u, input({ startsAt: new Date(w.now.getTime() + 7 * 86_400_000).toISOString() })));
    if (!created.ok) throw new Error(created.reason);
    w.hold();
    const pub = await w.run(w.staff, (u) => publishEvent(u, created.id, { kind: "members" }));
    if (!pub.ok) throw new Error(pub.reason);
    const revision = (await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: created.id } }))).revision;
    expect(await w.run(w.staff, (u) => cancelEvent(u, created.id, revision, null))).toEqual({ ok: true });
    // After the cancel nothing is queued, so the rows in flight can only end (read once).
    const after = await statuses(pub.id);
    const inFlight = after.sending ?? 0;
    expect(after).toEqual({ cancelled: 30 - inFlight, ...(inFlight ? { sending: inFlight } : {}) });
    w.release();
    await w.core.dispatcher.idle();
    const invited = chats.filter((c) => delivered(w, c).length > 0);
    expect(invited.length).toBe(inFlight);
    w.later(3000);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    const b = await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id: pub.id } }));
    expect(b.status).toBe("cancelled");
    expect(b.finishedAt).not.toBeNull();
  });
});

describe("changing an event while its invitations are queued", () => {
  it("the invitations not yet sent carry the new time and venue, not the old ones", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 30);
    const startsAt = new Date(w.now.getTime() + 7 * 86_400_000);
    const created = await w.run(w.staff, (u) => createEvent(u, input({ startsAt: startsAt.toISOString(), venue: "Old hall" })));
    if (!created.ok) throw new Error(created.reason);
    w.hold();
    const pub = await w.run(w.staff, (u) => publishEvent(u, created.id, { kind: "members" }));
    if (!pub.ok) throw new Error(pub.reason);
    const revision = (await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: created.id } }))).revision;
    const moved = new Date(startsAt.getTime() + 86_400_000);
    const r = await w.run(w.staff, (u) => updateEvent(u, created.id, revision, input({ startsAt: moved.toISOString(), venue: "New <hall> & co" })));
    expect(r).toEqual({ ok: true });
    const inFlight = (await statuses(pub.id)).sending ?? 0;
    w.release();
    await w.core.dispatcher.idle();
    const invitations = chats.map((c) => w.channel.in(c)[0]!.message.text);
    const stale = invitations.filter((text) => text.includes("Old hall"));
    // Only those in flight at the change may carry the old details.
    expect(stale.length).toBeLessThanOrEqual(inFlight);
    const fresh = invitations.filter((text) => !text.includes("Old hall"));
    expect(fresh.length).toBeGreaterThanOrEqual(30 - inFlight);
    for (const text of fresh) {
      expect(text).toContain(formatLocalDateTime(moved));
      expect(text).toContain("New &lt;hall&gt; &amp; co");
      expect(text).not.toContain(formatLocalDateTime(startsAt));
    }
    // The RSVP buttons are still there.
    expect(w.channel.in(chats[29]!)[0]!.message.choices?.flat().map((c) => c.data)).toEqual([`ev:g:${created.id}`, `ev:m:${created.id}`, `ev:n:${created.id}`]);
  });
});
