/**
 * Breaker 8: `/broadcasts` ("📬 Sent announcements") listed every draft the compose flow saved for
 * a preview or a test, and the drafts it dropped when the author edited after a preview ("cancelled"
 * with nothing sent): one announcement sent appeared as three. Only broadcasts started or
 * scheduled are listed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelBroadcast, createBroadcast, previewBroadcast, recentBroadcasts, scheduleBroadcast } from "../../src/core/broadcasts/service.ts";
import { announcement, members, send, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  await w?.close();
});

describe("/broadcasts", () => {
  it("lists what was sent or scheduled, not the drafts of a preview", async () => {
    w = await startBroadcastWorld();
    await members(w, "10", 2);
    const draft = async () => {
      const r = await w.run(w.staff, (u) => createBroadcast(u, { texts: announcement, file: null, audience: { kind: "members" } }));
      if (!r.ok) throw new Error(r.reason);
      return r.id;
    };
    // A preview, then an edit: the flow drops that draft and saves a new one, which is sent.
    const previewed = await draft();
    await w.run(w.staff, (u) => previewBroadcast(u, previewed, "ru"));
    await w.run(w.staff, (u) => cancelBroadcast(u, previewed));
    const { id: sent } = await send(w);
    const scheduled = await draft();
    expect(await w.run(w.staff, (u) => scheduleBroadcast(u, scheduled, new Date(w.now.getTime() + 3_600_000)))).toEqual({ ok: true });
    await draft(); // a preview left open
    const r = await w.run(w.staff, (u) => recentBroadcasts(u, { page: 0, size: 10 }));
    if (!r.ok) throw new Error(r.reason);
    expect(r.items.map((f) => f.id)).toEqual([scheduled, sent]);
    expect(r.total).toBe(2);
  });
});
