/**
 * Breaker 9: on a text channel (console, WhatsApp) options are typed by their number, but some
 * questions take a number as their answer. At the event capacity question ("type a number, or
 * No limit") a typed "1" chose "No limit"; at "how many delegates?" (options 1..5, numbered after
 * the invitation's own options) a typed "2" chose the invitation's second option. Rule: where the
 * answer is a number (AskSpec.numeric), typed digits are that number; the options are shown
 * unnumbered ("• No limit") and chosen by their text.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEvents, text, type EventsWorld } from "../core/events/flows-support.ts";

let w: EventsWorld;
afterEach(async () => w?.close());

const TEXT_CHANNEL = { buttons: false, shareContact: false } as const;
const en = (key: string, args?: Record<string, string | number>) => text("en", key, args);
const ru = (key: string, args?: Record<string, string | number>) => text("ru", key, args);

describe("a typed number at a question whose answer is a number", () => {
  it("capacity: '1' is one place, not 'No limit' (shown unnumbered)", { timeout: 120_000 }, async () => {
    w = await startEvents({ capabilities: TEXT_CHANNEL });
    const s = w.staff;
    await s.send("/events");
    await s.press(en("evf-button-new"));
    await s.send("ru");
    await s.send("Семинар");
    await s.send("Программа");
    await s.send("15.03.2027 10:00");
    await s.send("Зал");
    await s.press(en("evf-button-no-location"));
    expect(s.last().text).toContain(en("evf-ask-capacity"));
    // The option is shown without a number of its own.
    expect(s.last().message.choices?.flat().map((b) => b.key)).toEqual([""]);
    await s.send("1");
    expect(s.last().text).toBe(en("evf-ask-deadline"));
    await s.press(en("evf-button-no-deadline"));
    await s.send("2880");
    expect(s.last().text).toContain(en("evf-field-capacity", { count: 1 }));
  });

  it("delegates: '2' typed after the invitation's numbered options is two delegates", { timeout: 120_000 }, async () => {
    w = await startEvents({ capabilities: TEXT_CHANNEL });
    const a = await w.member("501", "Cotton LLP");
    await w.published({ capacity: 20 });
    await a.press(ru("broadcast-rsvp-going"));
    expect(a.last().text).toBe(ru("evf-ask-delegates", { title: "Съезд", max: 20 }));
    await a.send("2");
    const rows = await w.h.db.transaction((tx) => tx.eventRsvp.findMany());
    expect(rows.map((r) => [r.answer, r.delegates])).toEqual([["going", 2]]);
  });
});
