/**
 * A broadcast's Outbox rows in the delivery engine: written by multi-row INSERTs (more rows than one
 * statement takes), `held` rows never pruned, and dropped with their chat when it turns out
 * unreachable (a resumed broadcast would only meet the same refusal).
 */
import { afterEach, describe, expect, it } from "vitest";
import { enqueueMany, ENQUEUE_BATCH } from "../../../src/core/bookkeeping.ts";
import { housekeeping } from "../../../src/core/core.ts";
import { createBroadcast, pauseBroadcast, resumeBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
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
});
