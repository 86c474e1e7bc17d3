/**
 * A date and time staff type to schedule an announcement, read in Asia/Almaty (Luxon): "15.03.2027
 * 10:00", "15.03 10:00" (this year, or the next when that day has passed) or ISO 8601. A stand-in
 * with the formats of src/core/time.ts (branch `events`), to be replaced by it at merge.
 */
import { DateTime } from "luxon";

const ZONE = "Asia/Almaty";

/** The instant `text` names, or null when unreadable; `now` picks the year of "15.03 10:00". Past times are returned (the caller refuses them). */
export function parseWhen(text: string, now: Date): Date | null {
  const s = text.trim().replace(/\s+/g, " ");
  for (const format of ["d.M.yyyy H:mm", "d.M.yy H:mm"]) {
    const dt = DateTime.fromFormat(s, format, { zone: ZONE });
    if (dt.isValid) return dt.toJSDate();
  }
  const short = DateTime.fromFormat(s, "d.M H:mm", { zone: ZONE });
  if (short.isValid) {
    const year = DateTime.fromJSDate(now, { zone: ZONE }).year;
    let dt = short.set({ year });
    if (dt.toMillis() <= now.getTime()) dt = dt.plus({ years: 1 });
    return dt.isValid ? dt.toJSDate() : null;
  }
  const iso = DateTime.fromISO(s, { zone: ZONE });
  return iso.isValid ? iso.toJSDate() : null;
}
