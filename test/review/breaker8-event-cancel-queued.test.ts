/**
 * Breaker 8: an event cancelled (or changed) while its publication is still queued. "Never for a
 * cancelled event": the invitations not yet sent must not go out (those in flight at the moment
 * may); the publication ends cancelled with its report.
 */
import { afterEach, describe, expect, it } from "vitest";
import { publishEvent } from "../../src/core/broadcasts/service.ts";
import { cancelEvent, createEvent } from "../../src/core/events/service.ts";
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
