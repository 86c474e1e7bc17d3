/**
 * A date and time typed by staff for an event (issue 8): "15.03.2027 10:00", "15.03 10:00" (the
 * next such day from now) or ISO 8601, read in Asia/Almaty with Luxon (no hand arithmetic).
 *
 * Branch `events` writes src/core/time.ts `parseLocalDateTime` for the same formats; once merged,
 * this module can delegate to it (kept apart here so both branches build on their own).
 */
import { DateTime } from "luxon";

/** The association's time zone: every typed or shown event time is in it. */
export const ZONE = "Asia/Almaty";

export type TypedTime = { ok: true; iso: string } | { ok: false; reason: "unreadable" | "past" };

/**
 * Reads `text` as a local date and time at `now`; refused as "unreadable" when no format fits (or
 * the day does not exist, 31.02), "past" when it is not after `now`. Returns the instant as ISO (UTC).
 */
export function parseEventTime(text: string, now: Date): TypedTime {
  const s = text.trim().replace(/\s+/g, " ");
  const at = DateTime.fromJSDate(now, { zone: ZONE });
  let dt: DateTime | null = null;
  const full = /^(\d{1,2})\.(\d{1,2})\.(\d{4}),? (\d{1,2})[:.](\d{2})$/.exec(s);
  const short = /^(\d{1,2})\.(\d{1,2}),? (\d{1,2})[:.](\d{2})$/.exec(s);
  if (full) {
    dt = DateTime.fromObject({ day: +full[1]!, month: +full[2]!, year: +full[3]!, hour: +full[4]!, minute: +full[5]! }, { zone: ZONE });
  } else if (short) {
    const of = (year: number) => DateTime.fromObject({ day: +short[1]!, month: +short[2]!, year, hour: +short[3]!, minute: +short[4]! }, { zone: ZONE });
    dt = of(at.year);
    // Without a year: the next such moment (in December, "15.03" is next March).
    if (dt.isValid && dt <= at) dt = of(at.year + 1);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    dt = DateTime.fromISO(s, { zone: ZONE, setZone: false });
  }
  if (!dt || !dt.isValid) return { ok: false, reason: "unreadable" };
  if (dt <= at) return { ok: false, reason: "past" };
  return { ok: true, iso: dt.toUTC().toISO()! };
}

/** An instant as people see it: dd.mm.yyyy HH:mm in Asia/Almaty. */
export function eventTime(iso: string): string {
  return DateTime.fromISO(iso, { zone: ZONE }).toFormat("dd.MM.yyyy HH:mm");
}
