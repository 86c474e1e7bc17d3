/**
 * Breaker 8: a staff member erased (their data deleted) while their announcement sends. The
 * broadcast kept their chat id (Broadcast.authorChatId) and their id as author, and the progress
 * job went on posting the progress and the report into the erased person's chat. Erasure forgets
 * the author of their broadcasts as it forgets the author of their events; the sending goes on.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { erasePerson } from "../../src/core/members/erasure.ts";
import { delivered, members, send, startBroadcastWorld, type BroadcastWorld } from "../core/broadcasts/setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  if (!w) return;
  w.release();
  await w.close();
});

describe("erasing the author of a broadcast in progress", () => {
  it("forgets their chat and id on the broadcast; nothing more reaches their chat; the rest is sent", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 20);
    w.hold();
    const { id } = await send(w);
    // The progress message reaches the author (their chat is not held back).
    await vi.waitFor(() => expect(w.channel.in("900")).toHaveLength(1));
    await w.run(w.staff, (u) => erasePerson(u, w.staff.person.personId));
    const progress = { ...w.channel.in("900")[0]! };
    const b = await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));
    expect({ authorId: b.authorId, authorChannel: b.authorChannel, authorChatId: b.authorChatId }).toEqual({ authorId: null, authorChannel: null, authorChatId: null });
    w.release();
    await w.core.dispatcher.idle();
    for (let i = 0; i < 3; i++) {
      w.later(3000);
      await w.core.jobWorker.tick();
      await w.core.dispatcher.idle();
    }
    expect((await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }))).status).toBe("done");
    for (const c of chats) expect(delivered(w, c)).toHaveLength(1);
    // Nothing was posted to, or edited in, the erased person's chat after the erasure.
    expect(w.channel.in("900")).toHaveLength(1);
    expect(w.channel.in("900")[0]).toMatchObject({ text: progress.text, edited: progress.edited });
  });
});
