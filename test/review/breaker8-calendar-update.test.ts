/**
 * Breaker 8: an enterprise going got the event's calendar file with its confirmation; when staff
 * moved the event (or cancelled it) the notice came without a file, so the phone calendar kept the
 * old time (or a cancelled event), although ics.ts writes the same UID with a higher SEQUENCE (and
 * STATUS:CANCELLED) precisely so that a new file replaces the entry. Those placed going get the
 * new file with a change of time, place or title, and with the cancellation; the others do not.
 */
import { afterEach, describe, expect, it } from "vitest";
import { answerEvent, cancelEvent, createEvent, eventIcs, updateEvent } from "../../src/core/events/service.ts";
import { input, member, publish, staff, START, startWorld, type World } from "../core/events/support.ts";

let w: World;
afterEach(async () => {
  await w?.close();
});

const ics = (chat: string) => {
  const last = w.channel.in(chat).at(-1)!;
  return last.files.map((f) => new TextDecoder().decode(f.bytes));
};

describe("the calendar file follows the event", () => {
  it("a reschedule and a cancellation bring those going a new file; maybe and no get the notice only", async () => {
    w = await startWorld();
    const s = await staff(w);
    const r = await w.run(s, (u) => createEvent(u, input()));
    if (!r.ok) throw new Error(r.reason);
    await publish(w, r.id);
    const going = await member(w, "501", "en");
    const maybe = await member(w, "502", "en");
    await w.run(going, (u) => answerEvent(u, r.id, "going", 2));
    await w.run(maybe, (u) => answerEvent(u, r.id, "maybe", null));
    const revision = (await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: r.id } }))).revision;
    const moved = new Date(new Date(START).getTime() + 86_400_000).toISOString();
    expect(await w.run(s, (u) => updateEvent(u, r.id, revision, input({ startsAt: moved })))).toEqual({ ok: true });
    await w.core.dispatcher.idle();
    const now = (await w.run(s, (u) => eventIcs(u, r.id, "en")))!.content;
    expect(now).toContain("DTSTART:20270316T050000Z");
    expect(ics("501")).toEqual([now]);
    expect(ics("502")).toEqual([]);
    // A change of the reminders only (nothing members are told): no notice, no file.
    const count501 = w.channel.in("501").length;
    expect(await w.run(s, (u) => updateEvent(u, r.id, revision + 1, input({ startsAt: moved, reminders: [60] })))).toEqual({ ok: true });
    await w.core.dispatcher.idle();
    expect(w.channel.in("501").length).toBe(count501);
    expect(await w.run(s, (u) => cancelEvent(u, r.id, revision + 2, null))).toEqual({ ok: true });
    await w.core.dispatcher.idle();
    const cancelled = (await w.run(s, (u) => eventIcs(u, r.id, "en")))!.content;
    expect(cancelled).toContain("STATUS:CANCELLED");
    expect(ics("501")).toEqual([cancelled]);
    expect(ics("502")).toEqual([]);
  });
});
