/**
 * Breaker 8: odd times typed by staff for an event or a scheduled announcement (core/time.ts).
 * "20.12 23:58" typed at 23:59 on 20 December was taken as 20.12 of NEXT year (the event silently
 * a year away) instead of refused as past; "15.03.2027 24:00" was taken as 16.03 00:00 (a day
 * other than the one typed). A day without a year is the nearest such day: "01.01" typed in
 * December is next January, "19.12" typed on 20 December is yesterday, in the past.
 */
import { describe, expect, it } from "vitest";
import { parseLocalDateTime } from "../../src/core/time.ts";
import { parseEventTime } from "../../src/core/events/typed-time.ts";

/** 20.12.2026 23:59 in Almaty (UTC+5): a minute before midnight there, 18:59 in UTC. */
const NOW = new Date("2026-12-20T18:59:00Z");

describe("a day without a year is the nearest such day", () => {
  it("a minute ago, or yesterday, is in the past (not next year's)", () => {
    expect(parseLocalDateTime("20.12 23:58", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseLocalDateTime("20.12 23:59", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseLocalDateTime("19.12 10:00", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseEventTime("20.12 23:58", NOW)).toEqual({ ok: false, reason: "past" });
  });

  it("midnight in Almaty is the coming day although UTC is still the 20th; January typed in December is next year's", () => {
    expect(parseLocalDateTime("21.12 00:00", NOW)).toEqual({ ok: true, at: new Date("2026-12-20T19:00:00Z") });
    expect(parseLocalDateTime("01.01 10:00", NOW)).toEqual({ ok: true, at: new Date("2027-01-01T05:00:00Z") });
    expect(parseLocalDateTime("15.03 10:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T05:00:00Z") });
    // Typed on 1 January just after midnight, "31.12 23:00" is last night's: past, not the coming December.
    expect(parseLocalDateTime("31.12 23:00", new Date("2026-12-31T19:30:00Z"))).toEqual({ ok: false, reason: "time-past" });
  });
});

describe("24:00 is not a time of the day typed", () => {
  it("is refused in every form", () => {
    for (const bad of ["15.03.2027 24:00", "15.03 24:00", "2027-03-15T24:00", "2027-03-15 24:00"]) {
      expect(parseLocalDateTime(bad, NOW), bad).toEqual({ ok: false, reason: "time-unreadable" });
    }
  });
});
