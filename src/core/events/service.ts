/**
 * Events of the association (issue 8): the services every flow, button, job and (later) HTTP
 * handler calls. Each takes the unit of work, checks permission itself (permissions.ts
 * `event.manage` for staff work; an active member enterprise to answer), writes the audit log for
 * staff actions and refusals, and queues what must be told in the same transaction.
 *
 * THE SIGNATURES ARE THE CONTRACT between the helpers building issue 8 (branch `events` implements
 * them; `eventflows` and `broadcast` call them). Views are plain JSON (dates as ISO strings) so flows
 * can record them.
 *
 * Texts per language: `Texts` = {kk?, ru?, en?}, one at least; a reader gets their language, else
 * the first present in FALLBACK_ORDER (README states it).
 */
import type { Locale } from "../../i18n/locales.ts";
import type { Unit } from "../unit.ts";

/** Texts in one, two or three languages (one at least). */
export type Texts = Partial<Record<Locale, string>>;

/** The order in which a missing language falls back (ru first: most members read Russian). */
export const FALLBACK_ORDER: readonly Locale[] = ["ru", "kk", "en"];

/** The most delegates an enterprise may send (issue 8: 1 to 20). */
export const MAX_DELEGATES = 20;

/** Reminders by default: a day and two hours before the start (minutes). */
export const DEFAULT_REMINDERS: readonly number[] = [1440, 120];

export type EventStatus = "draft" | "published" | "cancelled";
export type RsvpAnswer = "going" | "maybe" | "no";

/** What staff type to create or change an event. Times are instants (parsed in Asia/Almaty: core/time.ts). */
export interface EventInput {
  title: Texts;
  description: Texts;
  /** ISO instant. */
  startsAt: string;
  venue: string | null;
  location: { latitude: number; longitude: number } | null;
  /** Delegates in total; null: no limit. */
  capacity: number | null;
  /** ISO instant; null: answers until the start. */
  rsvpDeadline: string | null;
  /** Minutes before the start. */
  reminders: number[];
}

/** An event as shown (staff and members). */
export interface EventView extends EventInput {
  id: number;
  status: EventStatus;
  revision: number;
  /** Delegates going (not waiting), enterprises going, maybe, no, waiting. */
  counts: { delegates: number; going: number; maybe: number; no: number; waiting: number };
}

/** An enterprise's answer as its people see it. */
export interface RsvpView {
  eventId: number;
  answer: RsvpAnswer;
  delegates: number;
  /** Going, but over capacity: waits for a place (its place in the line, 1-based). */
  waiting: number | null;
}

export type EventRefusal =
  | "error-not-allowed"
  | "event-not-found"
  | "event-not-member"
  | "event-cancelled"
  | "event-past"
  | "event-deadline-passed"
  | "event-outdated"
  | "event-delegates-range";

export type EventOutcome<T = object> = ({ ok: true } & T) | { ok: false; reason: EventRefusal };

const todo = (): never => {
  throw new Error("not implemented yet (issue 8, branch events)");
};

/** Staff create an event (a draft until published: broadcasts/service.ts publishEvent). Refused: a start in the past. */
export async function createEvent(_unit: Unit, _input: EventInput): Promise<EventOutcome<{ id: number }>> {
  return todo();
}

/**
 * Staff change an event shown at `revision` (refused "event-outdated" otherwise). Everyone who
 * answered is told, in their language, what changed (title, time, venue, capacity, deadline);
 * reminders follow a new start time; a larger capacity moves the waiting list up (and tells them).
 */
export async function updateEvent(_unit: Unit, _id: number, _revision: number, _input: EventInput): Promise<EventOutcome> {
  return todo();
}

/** Staff cancel an event: everyone who answered is told (with the reason); no reminder fires after. */
export async function cancelEvent(_unit: Unit, _id: number, _revision: number, _reason: string | null): Promise<EventOutcome> {
  return todo();
}

/** One event as staff see it (any status), or null. */
export async function eventForStaff(_unit: Unit, _id: number): Promise<EventView | null> {
  return todo();
}

/** Staff's list: upcoming first (drafts and published), then the last past/cancelled ones. */
export async function listEvents(_unit: Unit, _opts: { page: number; size: number }): Promise<{ items: EventView[]; total: number }> {
  return todo();
}

/**
 * A member answers for their enterprise (any active person of an active member enterprise).
 * "going" needs `delegates` (1..MAX_DELEGATES); over capacity it joins the waiting list. Changing
 * an answer frees places (the waiting list moves up, and those moved are told). Refused after the
 * deadline, for a cancelled or past event, or for someone not of a member enterprise.
 */
export async function answerEvent(_unit: Unit, _eventId: number, _answer: RsvpAnswer, _delegates: number | null): Promise<EventOutcome<{ rsvp: RsvpView }>> {
  return todo();
}

/** The event as the member sees it (their language's texts) with their enterprise's answer. */
export async function eventForMember(_unit: Unit, _eventId: number): Promise<EventOutcome<{ event: EventView; rsvp: RsvpView | null }>> {
  return todo();
}

/** My events: published upcoming events the person's enterprise was invited to or answered, soonest first. */
export async function myEvents(_unit: Unit): Promise<{ event: EventView; rsvp: RsvpView | null }[]> {
  return todo();
}

/** One line of the attendee list. */
export interface Attendee {
  enterpriseId: number;
  enterprise: string;
  answer: RsvpAnswer;
  delegates: number;
  waiting: boolean;
  /** The person who answered last (null after erasure). */
  person: string | null;
  answeredAt: string;
}

/** Staff: who answered, with delegate totals (going, waiting), enterprise names as typed. */
export async function attendees(_unit: Unit, _eventId: number): Promise<EventOutcome<{ items: Attendee[]; totals: { delegates: number; going: number; maybe: number; no: number; waiting: number } }>> {
  return todo();
}

/** Staff: the attendee list as CSV (csv-stringify; BOM, ";", CRLF, formulas defused: opens in Excel with Cyrillic). */
export async function attendeesCsv(_unit: Unit, _eventId: number): Promise<EventOutcome<{ csv: string; name: string }>> {
  return todo();
}

/** The event as an .ics calendar file (the `ics` library; Asia/Almaty; summary, location, description in `locale`). */
export async function eventIcs(_unit: Unit, _eventId: number, _locale: Locale): Promise<{ content: string; name: string } | null> {
  return todo();
}
