/**
 * Time as people in Kazakhstan read and type it: every calendar question (which day, which hour,
 * which weekday) is answered in Asia/Almaty through Luxon and the IANA time-zone data, never by
 * adding offsets by hand (Almaty changed from UTC+6 to UTC+5 on 1 March 2024; the data knows, a
 * constant does not).
 */
import { DateTime } from "luxon";
import type { Locale } from "../i18n/locales.ts";

/** The association's time zone: every date shown or typed is in it. */
export const ZONE = "Asia/Almaty";

/** An instant as a Luxon DateTime in Almaty. */
export function inAlmaty(at: Date): DateTime {
  return DateTime.fromJSDate(at, { zone: ZONE });
}

/** Why a typed date and time was refused: each is a locale key (`time-unreadable`, `time-past`). */
export type TimeRefusal = "time-unreadable" | "time-past";

export type ParsedTime = { ok: true; at: Date } | { ok: false; reason: TimeRefusal };

const DOTTED = /^(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?[\s,]+(\d{1,2})[:.](\d{2})$/;

/**
 * A date and time staff typed, in Almaty: "15.03.2027 10:00", "15.03 10:00" (the nearest such
 * moment, last year's, this year's or next year's: typed in December, "15.03" is next March, while
 * a moment a minute ago, or yesterday, is in the past and refused, never moved a year ahead), or
 * ISO 8601 ("2027-03-15T10:00", read in Almaty; "2027-03-15T10:00+05:00" or "…Z" as given).
 * Refused "time-unreadable" for anything else (31.02, 24:00 and 25:00, words) and "time-past" for
 * a moment not after `now`.
 */
export function parseLocalDateTime(text: string, now: Date): ParsedTime {
  const typed = text.normalize("NFKC").trim();
  let at: DateTime | null = null;
  const m = DOTTED.exec(typed);
  if (m) {
    const [day, month, hour, minute] = [m[1], m[2], m[4], m[5]].map(Number) as [number, number, number, number];
    const fields = { day, month, hour, minute };
    // Luxon reads 24:00 as the next day's 00:00: a day shown back other than the one typed.
    if (hour > 23) return { ok: false, reason: "time-unreadable" };
    if (m[3]) at = DateTime.fromObject({ ...fields, year: Number(m[3]) }, { zone: ZONE });
    else {
      // The nearest of last, this and next year's (each a real date: 29.02 only in a leap year).
      const year = inAlmaty(now).year;
      const near = [year - 1, year, year + 1].map((y) => DateTime.fromObject({ ...fields, year: y }, { zone: ZONE })).filter((c) => c.isValid);
      const distance = (c: DateTime) => Math.abs(c.toMillis() - now.getTime());
      at = near.reduce<DateTime | null>((best, c) => (best === null || distance(c) < distance(best) ? c : best), null);
    }
  } else if (/^\d{4}-\d{2}-\d{2}[T ]24:/.test(typed)) {
    return { ok: false, reason: "time-unreadable" };
  } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(typed)) {
    at = DateTime.fromISO(typed.replace(" ", "T"), { zone: ZONE, setZone: false });
  }
  if (!at || !at.isValid) return { ok: false, reason: "time-unreadable" };
  if (at.toMillis() <= now.getTime()) return { ok: false, reason: "time-past" };
  return { ok: true, at: at.toJSDate() };
}

/**
 * A date and time as shown to people: "15.03.2027 10:00" in Almaty. The same in every language
 * (`locale` is taken for when a language wants another order: none does today).
 */
export function formatLocalDateTime(at: Date, _locale?: Locale): string {
  return inAlmaty(at).toFormat("dd.MM.yyyy HH:mm");
}

/** A day as shown to people: "30.11.2026" in Almaty. */
export function formatLocalDate(at: Date): string {
  return inAlmaty(at).toFormat("dd.MM.yyyy");
}

/** "YYYY-MM-DD" of the day in Almaty at `at` (file names, comparisons of calendar days). */
export function localIsoDate(at: Date): string {
  // Asked for at every BIN parsed (bin.ts: not issued in the future), replays included, and Luxon's
  // zone conversion is the costly part: the last answer is kept for its UTC hour. Almaty's offsets
  // since 1930 are whole hours (the IANA data), so its day only changes on a UTC hour boundary.
  const hour = Math.floor(at.getTime() / HOUR_MS);
  if (hour === lastIsoDate.hour) return lastIsoDate.date;
  const date = inAlmaty(at).toISODate()!;
  if (at.getTime() >= WHOLE_HOURS_SINCE) Object.assign(lastIsoDate, { hour, date });
  return date;
}

const HOUR_MS = 3_600_000;
/** From here on Asia/Almaty's offsets are whole hours (before 1924 it kept local mean time, +5:07:48). */
const WHOLE_HOURS_SINCE = Date.UTC(1930, 0, 1);
const lastIsoDate = { hour: NaN, date: "" };

/** The calendar year in Almaty at `at`. */
export function localYear(at: Date): number {
  return inAlmaty(at).year;
}

/** The weekday in Almaty at `at`: 1 Monday … 7 Sunday (ISO). */
export function localWeekday(at: Date): number {
  return inAlmaty(at).weekday;
}

/** `at` plus `days` calendar days in Almaty (the same wall-clock time). */
export function plusLocalDays(at: Date, days: number): Date {
  return inAlmaty(at).plus({ days }).toJSDate();
}
