/**
 * A date and time typed by staff for an event (issue 8), as the flows need it: core/time.ts
 * `parseLocalDateTime` ("15.03.2027 10:00", "15.03 10:00", ISO; Asia/Almaty, Luxon) with the
 * instant as an ISO string (flows record JSON), and the format people see.
 */
import { formatLocalDateTime, parseLocalDateTime } from "../time.ts";

export type TypedTime = { ok: true; iso: string } | { ok: false; reason: "unreadable" | "past" };

/** Reads `text` at `now`: "unreadable" when no format fits (or the day does not exist), "past" when not after `now`. */
export function parseEventTime(text: string, now: Date): TypedTime {
  const r = parseLocalDateTime(text, now);
  if (r.ok) return { ok: true, iso: r.at.toISOString() };
  return { ok: false, reason: r.reason === "time-past" ? "past" : "unreadable" };
}

/** An instant (ISO) as people see it: dd.mm.yyyy HH:mm in Asia/Almaty. */
export const eventTime = (iso: string): string => formatLocalDateTime(new Date(iso));
