/**
 * core/time.ts: what staff type (15.03.2027 10:00, 15.03 10:00, ISO) read in Asia/Almaty through
 * Luxon, and dates shown as dd.mm.yyyy HH:mm there; the helpers that replaced hand arithmetic
 * elsewhere, checked across Almaty's change from UTC+6 to UTC+5 (1 March 2024).
 */
import { describe, expect, it } from "vitest";
import { formatLocalDate, formatLocalDateTime, localIsoDate, localWeekday, localYear, parseLocalDateTime } from "../../../src/core/time.ts";
import { localDate, localDateTime } from "../../../src/core/members/render.ts";
import { almatyYear } from "../../../src/core/problems/data.ts";
import { addWorkingDays } from "../../../src/core/problems/jobs.ts";
import { parseBin } from "../../../src/core/members/bin.ts";

const NOW = new Date("2026-11-30T06:00:00Z"); // 11:00 in Almaty

describe("parseLocalDateTime", () => {
  it("reads a full date and time in Almaty (UTC+5)", () => {
    expect(parseLocalDateTime("15.03.2027 10:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T05:00:00Z") });
    expect(parseLocalDateTime(" 5.3.2027  9:05 ", NOW)).toEqual({ ok: true, at: new Date("2027-03-05T04:05:00Z") });
  });

  it("a day without a year is this year's, or next year's once passed (year rollover)", () => {
    expect(parseLocalDateTime("15.12 10:00", NOW)).toEqual({ ok: true, at: new Date("2026-12-15T05:00:00Z") });
    expect(parseLocalDateTime("15.03 10:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T05:00:00Z") });
    // Today earlier than now (11:00 in Almaty): in the past (breaker8: not moved a year ahead); later today: today's.
    expect(parseLocalDateTime("30.11 10:59", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseLocalDateTime("30.11 11:01", NOW)).toEqual({ ok: true, at: new Date("2026-11-30T06:01:00Z") });
    // 31 December 20:00 UTC is already 1 January in Almaty: "02.01" is the coming day, this (Almaty) year.
    expect(parseLocalDateTime("02.01 10:00", new Date("2026-12-31T20:00:00Z"))).toEqual({ ok: true, at: new Date("2027-01-02T05:00:00Z") });
  });

  it("reads ISO: without an offset in Almaty, with one as given", () => {
    expect(parseLocalDateTime("2027-03-15T10:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T05:00:00Z") });
    expect(parseLocalDateTime("2027-03-15 10:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T05:00:00Z") });
    expect(parseLocalDateTime("2027-03-15T10:00+03:00", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T07:00:00Z") });
    expect(parseLocalDateTime("2027-03-15T10:00:00Z", NOW)).toEqual({ ok: true, at: new Date("2027-03-15T10:00:00Z") });
  });

  it("refuses what is not a real date and time, and a moment not in the future", () => {
    for (const bad of ["", "tomorrow", "31.02.2027 10:00", "15.13.2027 10:00", "15.03.2027 25:00", "15.03.2027 10:60", "15.03.2027", "<b>15.03</b> 10:00", "2027-02-30T10:00"]) {
      expect(parseLocalDateTime(bad, NOW), bad).toEqual({ ok: false, reason: "time-unreadable" });
    }
    expect(parseLocalDateTime("30.11.2026 10:59", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseLocalDateTime("30.11.2026 11:00", NOW)).toEqual({ ok: false, reason: "time-past" });
    expect(parseLocalDateTime("2025-01-01T10:00", NOW)).toEqual({ ok: false, reason: "time-past" });
  });
});

describe("formatting and calendar questions in Almaty", () => {
  it("formats dd.mm.yyyy HH:mm in Almaty whatever the server's zone", () => {
    expect(formatLocalDateTime(new Date("2027-03-15T05:00:00Z"), "ru")).toBe("15.03.2027 10:00");
    expect(formatLocalDateTime(new Date("2026-12-31T19:30:00Z"), "kk")).toBe("01.01.2027 00:30");
    expect(formatLocalDate(new Date("2026-12-31T19:30:00Z"))).toBe("01.01.2027");
    expect(localDate(new Date("2026-12-31T19:30:00Z"))).toBe("01.01.2027");
    expect(localDateTime(new Date("2026-11-30T09:05:00Z"))).toBe("30.11.2026 14:05");
    expect(localYear(new Date("2026-12-31T19:30:00Z"))).toBe(2027);
    expect(almatyYear(new Date("2026-12-31T19:30:00Z"))).toBe(2027);
  });

  it("follows the zone's rules, not a fixed offset: Almaty was UTC+6 before 1 March 2024", () => {
    // 18:30 UTC on 10 February 2024 was already 00:30 on the 11th in Almaty (UTC+6 then).
    const feb = new Date("2024-02-10T18:30:00Z");
    expect(formatLocalDateTime(feb)).toBe("11.02.2024 00:30");
    expect(localIsoDate(feb)).toBe("2024-02-11");
    expect(localWeekday(feb)).toBe(7); // a Sunday there
    // A person born on 11.02.2024 (IIN 240211…) was born "today" in Almaty at that instant: not in the future.
    const iin = withCheckDigit("24021150001");
    expect(parseBin(iin, feb).ok).toBe(true);
  });

  it("working days count Almaty's weekdays (the digest's rule)", () => {
    // Friday 29.11.2024 20:00 UTC is Saturday 01:00 in Almaty (UTC+5): two working days later is Tuesday 01:00 there.
    expect(addWorkingDays(new Date("2024-11-29T20:00:00Z"), 2).toISOString()).toBe("2024-12-02T20:00:00.000Z");
    // Friday 09.02.2024 18:30 UTC was Saturday 00:30 in Almaty (UTC+6 then; a fixed +5 read Friday and gave the 13th).
    expect(addWorkingDays(new Date("2024-02-09T18:30:00Z"), 2).toISOString()).toBe("2024-02-12T18:30:00.000Z");
  });
});

/** The twelfth digit of an IIN/BIN (bin.ts's algorithm: weights 1..11, then 3..11,1,2 when the first sum gives 10). */
function withCheckDigit(first11: string): string {
  const d = [...first11].map(Number);
  const sum = (w: number[]) => d.reduce((s, x, i) => s + x * w[i]!, 0) % 11;
  let c = sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (c === 10) c = sum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  if (c === 10) throw new Error("no valid check digit");
  return first11 + c;
}

describe("localIsoDate's kept answer (per UTC hour)", () => {
  it("gives Luxon's day for every minute around Almaty's midnights, before and after 1 March 2024, whatever was asked before", () => {
    const luxonDay = (d: Date) => formatLocalDate(d).split(".").reverse().join("-");
    // Midnight in Almaty was 18:00 UTC at UTC+6 and is 19:00 UTC at UTC+5; 1992: UTC+7 in summer (DST until 2004).
    const around = [Date.UTC(2024, 1, 28, 17), Date.UTC(2024, 1, 29, 17), Date.UTC(2024, 2, 1, 18), Date.UTC(2026, 10, 29, 18), Date.UTC(1992, 6, 1, 16)];
    let checked = 0;
    for (const start of around) {
      for (let m = 0; m < 180; m++) {
        const at = new Date(start + m * 60_000);
        expect(localIsoDate(at), at.toISOString()).toBe(luxonDay(at));
        // Asked in between for another day: the kept answer must not leak into the next question.
        expect(localIsoDate(new Date(at.getTime() - 86_400_000))).toBe(luxonDay(new Date(at.getTime() - 86_400_000)));
        checked++;
      }
    }
    expect(checked).toBe(900);
    expect(localIsoDate(new Date("2024-02-28T18:30:00Z"))).toBe("2024-02-29"); // UTC+6: 00:30
    expect(localIsoDate(new Date("2024-02-29T18:30:00Z"))).toBe("2024-02-29"); // UTC+5 from then: 23:30
    expect(localIsoDate(new Date("2024-03-01T18:30:00Z"))).toBe("2024-03-01");
    expect(localIsoDate(new Date("2024-03-01T19:00:00Z"))).toBe("2024-03-02");
  });
});
