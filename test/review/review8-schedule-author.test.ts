/**
 * Review of issue 8: a scheduled announcement went out at its time even when its author had since
 * stopped being staff (removed, or erased): the job started it as the bot without asking whether
 * the one who scheduled it may still send. Permission now holds at the start too.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBroadcast, scheduleBroadcast } from "../../src/core/broadcasts/service.ts";
import { announcement, delivered, members, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => w?.close());

const HOUR = 3_600_000;

describe("a scheduled announcement whose author is no longer staff", () => {
  it("sends nothing at its time: cancelled, the refusal audited", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 3);
    const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: announcement, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(created.reason);
    expect(await w.run(w.staff, (u) => scheduleBroadcast(u, created.id, new Date(w.now.getTime() + HOUR)))).toEqual({ ok: true });
    await w.db.transaction((tx) => tx.person.update({ where: { id: w.staff.person.personId }, data: { role: "member" } }));
    w.later(HOUR + 1000);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    for (const c of chats) expect(delivered(w, c)).toEqual([]);
    expect(await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id: created.id } }))).toMatchObject({ status: "cancelled", total: 0 });
    const refusals = await w.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "broadcast.start" } }));
    expect(refusals.map((a) => [a.outcome, a.detail])).toEqual([["denied", "author-not-staff"]]);
  });
});
