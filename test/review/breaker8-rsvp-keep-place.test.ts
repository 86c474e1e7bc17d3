/**
 * Breaker 8: staff lowered an event's capacity below the delegates already placed ("nobody is
 * taken off"), then a placed enterprise answered "Going" again with the same number (a double
 * tap, or from My events): it was put on the waiting list, losing the place it held. An enterprise
 * placed keeps its place when it asks for no more delegates than it holds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { answerEvent, createEvent, updateEvent } from "../../src/core/events/service.ts";
import { input, member, publish, staff, startWorld, type World } from "../core/events/support.ts";

let w: World;
afterEach(async () => {
  await w?.close();
});

describe("a placed enterprise answering again after the capacity was lowered", () => {
  it("keeps its place with the same or fewer delegates; more waits", async () => {
    w = await startWorld();
    const s = await staff(w);
    const r = await w.run(s, (u) => createEvent(u, input({ capacity: 10 })));
    if (!r.ok) throw new Error(r.reason);
    await publish(w, r.id);
    const a = await member(w, "501");
    const b = await member(w, "502");
    await w.run(a, (u) => answerEvent(u, r.id, "going", 6));
    await w.run(b, (u) => answerEvent(u, r.id, "going", 4));
    const revision = (await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: r.id } }))).revision;
    expect(await w.run(s, (u) => updateEvent(u, r.id, revision, input({ capacity: 8 })))).toEqual({ ok: true });
    // The same answer again: still placed.
    const again = await w.run(a, (u) => answerEvent(u, r.id, "going", 6));
    expect(again).toMatchObject({ ok: true, rsvp: { answer: "going", delegates: 6, waiting: null } });
    // Fewer: still placed.
    const fewer = await w.run(a, (u) => answerEvent(u, r.id, "going", 5));
    expect(fewer).toMatchObject({ ok: true, rsvp: { answer: "going", delegates: 5, waiting: null } });
    // More than it holds, and more than fits: it waits.
    const more = await w.run(a, (u) => answerEvent(u, r.id, "going", 6));
    expect(more).toMatchObject({ ok: true, rsvp: { answer: "going", delegates: 6, waiting: 1 } });
  });
});
