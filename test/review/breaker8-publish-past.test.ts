/**
 * Breaker 8: staff pressed "Publish" on the card of an event that has already started: the answer
 * was "the state of the broadcast has changed" (broadcast-wrong-state), which says nothing of why.
 * The answer says the event has already started or taken place.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEvents, text, type EventsWorld } from "../core/events/flows-support.ts";

let w: EventsWorld;
afterEach(async () => w?.close());

const en = (key: string, args?: Record<string, string | number>) => text("en", key, args);

describe("publishing an event that has started", () => {
  it("is refused with the reason", async () => {
    w = await startEvents();
    await w.member("501", "Cotton LLP", "en");
    await w.published();
    w.later(120 * 86_400_000); // past 15.03.2027
    const s = w.staff;
    await s.send("/events");
    await s.press(/Congress/);
    await s.press(en("evf-button-publish"));
    await s.press(en("evf-audience-all"));
    s.fresh();
    await s.press(en("evf-publish-yes"));
    const said = s.fresh();
    expect(said).not.toContain(en("broadcast-wrong-state"));
    expect(said).toContain(en("evf-refused-event-past"));
  }, 120_000);
});
