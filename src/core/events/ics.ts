/**
 * An event as a calendar file (.ics, RFC 5545) that phone calendars open: built with the `ics`
 * library. The start is written in UTC ("DTSTART:20270315T050000Z"): every calendar reads a UTC
 * time the same way and shows it in the phone's own zone, so 10:00 in Almaty is 10:00 on a phone
 * in Almaty, whatever zone the server runs in (a floating local time would be read in the phone's
 * zone, wrong for a member travelling; a TZID needs a VTIMEZONE block the library does not write).
 */
import { createEvent, type EventAttributes } from "ics";
import type { Locale } from "../../i18n/locales.ts";
import { parseTexts, pickText, type EventRow } from "./data.ts";

/** How long an event lasts in the calendar: the bot knows its start only. */
export const ICS_DURATION = { hours: 2 } as const;

/** The UID of an event's calendar entry: the same for every file of the event, so a new file updates the entry. */
export const icsUid = (eventId: number): string => `event-${eventId}@qaz-textile-bot`;

/** The file's name: "event-12.ics". */
export const icsName = (eventId: number): string => `event-${eventId}.ics`;

/**
 * The .ics text of `event` in `locale` (title, description: that language, else the fallback
 * order). SEQUENCE is the event's revision and the stamp its last change, so the same event at the
 * same revision gives the same bytes (kept once in the FileStore), and a changed one replaces the
 * entry in the calendar. A cancelled event is written with STATUS:CANCELLED.
 */
export function buildIcs(event: EventRow, locale: Locale): { content: string; name: string } {
  const title = pickText(parseTexts(event.title), locale);
  const description = pickText(parseTexts(event.description), locale);
  const attrs: EventAttributes & { timestamp?: number } = {
    start: event.startsAt.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    duration: { ...ICS_DURATION },
    title,
    ...(description ? { description } : {}),
    ...(event.venue ? { location: event.venue } : {}),
    ...(event.latitude !== null && event.longitude !== null ? { geo: { lat: event.latitude, lon: event.longitude } } : {}),
    uid: icsUid(event.id),
    sequence: event.revision,
    status: event.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    productId: "qaz-textile-bot",
    timestamp: event.updatedAt.getTime(),
  };
  const { error, value } = createEvent(attrs);
  if (error || !value) throw error ?? new Error("the calendar file could not be written");
  return { content: value, name: icsName(event.id) };
}
