/**
 * What people are told about events (issue 8): a change (title, time, venue, capacity, deadline)
 * and a cancellation to everyone who answered; a place freed for an enterprise on the waiting
 * list; the "going" confirmation with the calendar file; the reminders. Each in the language of
 * the person who gets it (people.ts targetsOf), the event's texts in that language else the
 * fallback order. Everything typed by staff is a Fluent argument, which escapes it (i18n.ts).
 */
import { keepOwnFile } from "../files/records.ts";
import type { Locale } from "../../i18n/locales.ts";
import type { FileSpec, MessageSpec, Target, Translate } from "../message.ts";
import { targetsOfPeople } from "../people.ts";
import { formatLocalDateTime } from "../time.ts";
import type { Unit } from "../unit.ts";
import { answerSide, parseTexts, pickText, type EventRow, type RsvpRow } from "./data.ts";
import { buildIcs } from "./ics.ts";

/** What changed in an event, as its answerers are told it. */
export type EventChange = "title" | "time" | "venue" | "capacity" | "deadline";

/** The chat of each of `people`, in their language (people.ts targetsOfPeople: one per person). */
const targetsOfAll = (unit: Unit, people: number[]): Promise<Target[]> => targetsOfPeople(unit.tx, people, unit.settings.defaultLocale);

/** Everyone who answered the event (any answer, waiting or not): the person who answered for each enterprise. */
export async function answerers(unit: Unit, eventId: number, where: { answer?: string[]; placed?: boolean } = {}): Promise<number[]> {
  const rows = await unit.tx.eventRsvp.findMany({
    where: { eventId, ...(where.answer ? { answer: { in: where.answer } } : {}), ...(where.placed ? { waiting: false } : {}) },
    orderBy: { id: "asc" },
  });
  const people: number[] = [];
  for (const r of rows) for (const id of await answerSide(unit.tx, r)) if (!people.includes(id)) people.push(id);
  return people;
}

const titleIn = (event: EventRow, locale: Locale): string => pickText(parseTexts(event.title), locale);
const when = (at: Date | null, locale: Locale): string => (at ? formatLocalDateTime(at, locale) : "");

/** The lines of a change notice in one language. */
function changeText(t: Translate, locale: Locale, before: EventRow, after: EventRow, changes: EventChange[]): string {
  const lines = [t("event-changed", { title: titleIn(after, locale) })];
  for (const c of changes) {
    if (c === "title") lines.push(t("event-changed-title", { before: titleIn(before, locale), title: titleIn(after, locale) }));
    if (c === "time") lines.push(t("event-changed-time", { before: when(before.startsAt, locale), time: when(after.startsAt, locale) }));
    if (c === "venue") lines.push(after.venue ? t("event-changed-venue", { venue: after.venue }) : t("event-changed-venue-none"));
    if (c === "capacity") lines.push(after.capacity !== null ? t("event-changed-capacity", { count: after.capacity }) : t("event-changed-capacity-none"));
    if (c === "deadline") lines.push(after.rsvpDeadline ? t("event-changed-deadline", { deadline: when(after.rsvpDeadline, locale) }) : t("event-changed-deadline-none"));
  }
  return lines.join("\n");
}

/**
 * The chats of those placed "going" (they got the calendar file): a notice that changes what the
 * calendar shows, or cancels the event, carries the new file (the same UID, a higher SEQUENCE:
 * ics.ts), so that the entry in their phone's calendar is replaced.
 */
async function calendarChats(unit: Unit, eventId: number): Promise<Set<string>> {
  const going = await targetsOfAll(unit, await answerers(unit, eventId, { answer: ["going"], placed: true }));
  return new Set(going.map((t) => `${t.channel}:${t.chatId}`));
}

/** What a calendar entry shows: a change of these brings a new file. */
const CALENDAR_CHANGES: readonly EventChange[] = ["title", "time", "venue"];

/** Everyone who answered is told what changed, in their language (those going with the new calendar file). Returns how many chats. */
export async function notifyChanged(unit: Unit, before: EventRow, after: EventRow, changes: EventChange[]): Promise<number> {
  if (!changes.length) return 0;
  const targets = await targetsOfAll(unit, await answerers(unit, after.id));
  const calendar = changes.some((c) => CALENDAR_CHANGES.includes(c)) ? await calendarChats(unit, after.id) : new Set<string>();
  for (const target of targets) {
    const files = calendar.has(`${target.channel}:${target.chatId}`) ? [await icsFile(unit, after, target.locale)] : [];
    await unit.outbox.send(target, { text: (t) => changeText(t, target.locale, before, after, changes), ...(files.length ? { files } : {}) }, { lane: "notice", tag: `event:${after.id}` });
  }
  return targets.length;
}

/** Everyone who answered is told the event is cancelled, with the reason when staff gave one (those going with the cancelling calendar file). Returns how many chats. */
export async function notifyCancelled(unit: Unit, event: EventRow): Promise<number> {
  const targets = await targetsOfAll(unit, await answerers(unit, event.id));
  const calendar = await calendarChats(unit, event.id);
  for (const target of targets) {
    const files = calendar.has(`${target.channel}:${target.chatId}`) ? [await icsFile(unit, event, target.locale)] : [];
    const text = (t: Translate) =>
      [
        t("event-cancelled-notice", { title: titleIn(event, target.locale), time: when(event.startsAt, target.locale) }),
        ...(event.cancelReason ? [t("event-cancelled-reason", { reason: event.cancelReason })] : []),
      ].join("\n");
    await unit.outbox.send(target, { text, ...(files.length ? { files } : {}) }, { lane: "notice", tag: `event:${event.id}` });
  }
  return targets.length;
}

/**
 * The calendar file of `event` in `locale`, kept in the FileStore (the same bytes are kept once:
 * the same event at the same revision in the same language is one file).
 */
export async function icsFile(unit: Unit, event: EventRow, locale: Locale): Promise<FileSpec> {
  const ics = buildIcs(event, locale);
  const kept = await keepOwnFile(unit.tx, unit.services.files, new TextEncoder().encode(ics.content), { name: ics.name }, unit.now);
  return { fileId: kept.id, name: ics.name };
}

/**
 * The "going" confirmation with the event's calendar file, to `people` (each chat in its
 * language). `movedUp`: said as a place freed on the waiting list. answerEvent queues it to the
 * person who answered (their own chat: the flow shows the outcome only); a moved-up enterprise
 * gets it as a notice.
 */
export async function sendGoingConfirmation(unit: Unit, event: EventRow, rsvp: Pick<RsvpRow, "delegates">, people: number[], opts: { movedUp?: boolean } = {}): Promise<number> {
  const targets = await targetsOfAll(unit, people);
  for (const target of targets) {
    const file = await icsFile(unit, event, target.locale);
    const spec: MessageSpec = {
      text: (t) =>
        [
          t(opts.movedUp ? "event-moved-up" : "event-going-confirmed", { title: titleIn(event, target.locale), time: when(event.startsAt, target.locale), count: rsvp.delegates }),
          ...(event.venue ? [t("event-venue-line", { venue: event.venue })] : []),
          t("event-ics-hint"),
        ].join("\n"),
      files: [file],
    };
    await unit.outbox.send(target, spec, { lane: "notice", tag: `event:${event.id}` });
  }
  return targets.length;
}

/** Those on the waiting list who got a place are told (with the calendar file). */
export async function notifyMovedUp(unit: Unit, event: EventRow, moved: RsvpRow[]): Promise<void> {
  for (const r of moved) await sendGoingConfirmation(unit, event, r, await answerSide(unit.tx, r), { movedUp: true });
}

/** A reminder, `minutes` before the start, to those going (placed) or maybe. Returns how many chats. */
export async function sendReminder(unit: Unit, event: EventRow): Promise<number> {
  const people = [...(await answerers(unit, event.id, { answer: ["going"], placed: true })), ...(await answerers(unit, event.id, { answer: ["maybe"] }))];
  const targets = await targetsOfAll(unit, [...new Set(people)]);
  for (const target of targets) {
    const text = (t: Translate) =>
      [
        t("event-reminder", { title: titleIn(event, target.locale), time: when(event.startsAt, target.locale) }),
        ...(event.venue ? [t("event-venue-line", { venue: event.venue })] : []),
      ].join("\n");
    await unit.outbox.send(target, { text }, { lane: "notice", tag: `event:${event.id}` });
  }
  return targets.length;
}
