/**
 * Breaker 8: the RSVP deadline typed in the new-event flow passed while the summary waited (staff
 * answered a call, then pressed Save): the event was saved with its answers already closed, so no
 * member could ever answer. Saving refuses a deadline already past; the flow asks for it again
 * and keeps everything else.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createEvent } from "../../src/core/events/service.ts";
import { input, staff, startWorld, type World } from "../core/events/support.ts";
import { startEvents, text, type EventsWorld } from "../core/events/flows-support.ts";

const en = (key: string, args?: Record<string, string | number>) => text("en", key, args);

describe("a deadline already past when the event is saved", () => {
  let w: World;
  afterEach(async () => w?.close());

  it("is refused by the service", async () => {
    w = await startWorld();
    const s = await staff(w);
    const past = new Date(w.now.getTime() - 60_000).toISOString();
    expect(await w.run(s, (u) => createEvent(u, input({ rsvpDeadline: past })))).toEqual({ ok: false, reason: "event-deadline-passed" });
  });
});

describe("the new-event flow", () => {
  let w: EventsWorld;
  afterEach(async () => w?.close());

  it("asks for the deadline again when it passed while the summary waited, and keeps the rest", async () => {
    w = await startEvents();
    const s = w.staff;
    await s.send("/events");
    await s.press(en("evf-button-new"));
    await s.press(/^Russian$/);
    await s.send("Семинар");
    await s.send("О налогах");
    await s.send("15.03.2027 10:00");
    await s.send("Офис ассоциации");
    await s.press(en("evf-button-no-location"));
    await s.press(en("evf-button-no-limit"));
    await s.send("30.11.2026 11:10"); // ten minutes from now (11:00 in Almaty)
    await s.press(en("evf-button-reminders-default"));
    w.later(20 * 60_000);
    s.fresh();
    await s.press(en("evf-button-save"));
    const said = s.fresh().join("\n");
    expect(said).toContain(en("evf-bad-time-past"));
    expect(s.last().text).toContain(en("evf-ask-deadline"));
    expect(await w.h.db.transaction((tx) => tx.event.count())).toBe(0);
    await s.press(en("evf-button-no-deadline"));
    expect(s.last().text).toContain(en("evf-field-venue", { venue: "Офис ассоциации" }));
    await s.press(en("evf-button-save"));
    const events = await w.h.db.transaction((tx) => tx.event.findMany());
    expect(events.map((e) => [e.venue, e.rsvpDeadline])).toEqual([["Офис ассоциации", null]]);
  }, 120_000);
});
