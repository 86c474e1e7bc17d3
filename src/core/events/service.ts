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
import { stringify } from "csv-stringify/sync";
import type { Locale } from "../../i18n/locales.ts";
import { keepOwnFile } from "../files/records.ts";
import { myMembership } from "../members/membership.ts";
import { asLocale } from "../message.ts";
import { audit } from "../people.ts";
import { allowed, enforce, may, recordRefusal, subjectOf } from "../permissions.ts";
import { formatLocalDateTime, localIsoDate } from "../time.ts";
import type { Unit } from "../unit.ts";
import {
  cleanReminders,
  cleanTexts,
  countsOf,
  eventById,
  lockEvent,
  moveUp,
  parseTexts,
  pickText,
  placedDelegates,
  rsvpViewOf,
  viewOf,
  waitingList,
  type EventRow,
} from "./data.ts";
import { cancelBroadcast, refreshInvitations } from "../broadcasts/service.ts";
import { buildIcs } from "./ics.ts";
import { scheduleReminders } from "./jobs.ts";
import { notifyCancelled, notifyChanged, notifyMovedUp, sendGoingConfirmation, type EventChange } from "./notify.ts";
import { isRsvpAnswer } from "./status.ts";

export { pickText } from "./data.ts";
export { scheduleReminders } from "./jobs.ts";

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

// ---------------------------------------------------------------------------------------------
// Helpers.

const subjectTag = (id: number): string => `event:${id}`;

/** Staff only (`event.manage`): a refusal is audited as `action` (answered "not allowed"). */
async function staffOnly(unit: Unit, action: string, eventId?: number): Promise<boolean> {
  return (await enforce(unit, { action: "event.manage" }, action, eventId === undefined ? undefined : subjectTag(eventId))).ok;
}

/** An audit line for a staff action that was done (no personal data in `detail`). */
async function audited(unit: Unit, action: string, eventId: number, detail?: string): Promise<void> {
  await audit(unit.tx, { actorId: unit.actor?.personId ?? null, actorRef: unit.actorRef, action, subject: subjectTag(eventId), outcome: "ok", ...(detail ? { detail } : {}) }, unit.now);
}

/** A refusal, audited as `action` on the event. */
async function refused<T>(unit: Unit, action: string, eventId: number, reason: EventRefusal): Promise<EventOutcome<T>> {
  await recordRefusal(unit, action, subjectTag(eventId));
  return { ok: false, reason };
}

/** An instant from an ISO string; throws on anything else (flows parse typed times with core/time.ts). */
function instant(iso: string, what: string): Date {
  const d = new Date(iso);
  if (typeof iso !== "string" || Number.isNaN(d.getTime())) throw new Error(`the event's ${what} is not an ISO instant`);
  return d;
}

/** The columns of an input, checked: one title at least; a capacity a positive integer; reminders cleaned. Throws on malformed input (a flow's fault). */
function dataOf(input: EventInput) {
  const title = cleanTexts(input.title ?? {});
  if (!Object.keys(title).length) throw new Error("an event needs a title in one language at least");
  const capacity = input.capacity === null || input.capacity === undefined ? null : input.capacity;
  if (capacity !== null && (!Number.isSafeInteger(capacity) || capacity < 1)) throw new Error("an event's capacity is a positive integer or null");
  const loc = input.location;
  const located = loc && Number.isFinite(loc.latitude) && Number.isFinite(loc.longitude) && Math.abs(loc.latitude) <= 90 && Math.abs(loc.longitude) <= 180;
  return {
    title: JSON.stringify(title),
    description: JSON.stringify(cleanTexts(input.description ?? {})),
    startsAt: instant(input.startsAt, "start"),
    venue: input.venue?.trim() || null,
    latitude: located ? loc.latitude : null,
    longitude: located ? loc.longitude : null,
    capacity,
    rsvpDeadline: input.rsvpDeadline ? instant(input.rsvpDeadline, "deadline") : null,
    reminders: JSON.stringify(cleanReminders(input.reminders ?? [...DEFAULT_REMINDERS])),
  };
}

/** The actor's membership as permissions.ts needs it; null for none (or nobody acting). */
async function memberFacts(unit: Unit): Promise<{ enterpriseId: number; status: string; enterpriseStatus: string } | null> {
  const m = await myMembership(unit);
  return m ? { enterpriseId: m.enterprise.id, status: m.status, enterpriseStatus: m.enterprise.status } : null;
}

/** The event as a reader sees it: title and description in their language (else the fallback order) under that language's key. */
function readerView(view: EventView, locale: Locale): EventView {
  const title = pickText(view.title, locale);
  const description = pickText(view.description, locale);
  return { ...view, title: { [locale]: title }, description: description ? { [locale]: description } : {} };
}

async function viewsOf(unit: Unit, rows: EventRow[]): Promise<EventView[]> {
  const counts = await countsOf(unit.tx, rows.map((r) => r.id));
  return rows.map((r) => viewOf(r, counts.get(r.id)));
}

const readerLocale = (unit: Unit): Locale => asLocale(unit.actor?.locale, unit.settings.defaultLocale);

// ---------------------------------------------------------------------------------------------
// Staff.

/** Staff create an event (a draft until published: broadcasts/service.ts publishEvent). Refused: a start in the past. */
export async function createEvent(unit: Unit, input: EventInput): Promise<EventOutcome<{ id: number }>> {
  if (!(await staffOnly(unit, "event.create"))) return { ok: false, reason: "error-not-allowed" };
  const data = dataOf(input);
  if (data.startsAt.getTime() <= unit.now.getTime()) {
    await recordRefusal(unit, "event.create", undefined);
    return { ok: false, reason: "event-past" };
  }
  const row = await unit.tx.event.create({ data: { ...data, status: "draft", revision: 0, createdById: unit.actor?.personId ?? null, createdAt: unit.now, updatedAt: unit.now } });
  await audited(unit, "event.create", row.id);
  return { ok: true, id: row.id };
}

/** What differs between two versions of an event, as answerers are told it. */
function changesOf(before: EventRow, after: EventRow): EventChange[] {
  const changes: EventChange[] = [];
  if (before.title !== after.title) changes.push("title");
  if (before.startsAt.getTime() !== after.startsAt.getTime()) changes.push("time");
  if (before.venue !== after.venue || before.latitude !== after.latitude || before.longitude !== after.longitude) changes.push("venue");
  if (before.capacity !== after.capacity) changes.push("capacity");
  if ((before.rsvpDeadline?.getTime() ?? null) !== (after.rsvpDeadline?.getTime() ?? null)) changes.push("deadline");
  return changes;
}

/**
 * Staff change an event shown at `revision` (refused "event-outdated" otherwise). Everyone who
 * answered is told, in their language, what changed (title, time, venue, capacity, deadline);
 * reminders follow a new start time; a larger capacity moves the waiting list up (and tells them).
 * A smaller capacity keeps the places already given (nobody is taken off). Refused: a cancelled
 * event ("event-cancelled"), a start in the past ("event-past").
 */
export async function updateEvent(unit: Unit, id: number, revision: number, input: EventInput): Promise<EventOutcome> {
  if (!(await staffOnly(unit, "event.update", id))) return { ok: false, reason: "error-not-allowed" };
  if (Number.isSafeInteger(id) && id > 0) await lockEvent(unit.tx, id);
  const before = await eventById(unit.tx, id);
  if (!before) return refused(unit, "event.update", id, "event-not-found");
  if (before.revision !== revision) return refused(unit, "event.update", id, "event-outdated");
  if (before.status === "cancelled") return refused(unit, "event.update", id, "event-cancelled");
  const data = dataOf(input);
  if (data.startsAt.getTime() <= unit.now.getTime()) return refused(unit, "event.update", id, "event-past");
  const after = await unit.tx.event.update({ where: { id }, data: { ...data, revision: { increment: 1 }, updatedAt: unit.now } });
  const changes = changesOf(before, after);
  await audited(unit, "event.update", id, changes.join(",") || "texts");
  const moved = await moveUp(unit.tx, after, unit.now);
  if (after.status === "published") {
    await notifyChanged(unit, before, after, changes);
    await notifyMovedUp(unit, after, moved);
    await scheduleReminders(unit, id);
    // Its invitations still waiting to be sent go out with the new details.
    await refreshInvitations(unit, id);
  }
  return { ok: true };
}

/** Staff cancel an event: everyone who answered is told (with the reason); no reminder fires after. */
export async function cancelEvent(unit: Unit, id: number, revision: number, reason: string | null): Promise<EventOutcome> {
  if (!(await staffOnly(unit, "event.cancel", id))) return { ok: false, reason: "error-not-allowed" };
  if (Number.isSafeInteger(id) && id > 0) await lockEvent(unit.tx, id);
  const before = await eventById(unit.tx, id);
  if (!before) return refused(unit, "event.cancel", id, "event-not-found");
  if (before.revision !== revision) return refused(unit, "event.cancel", id, "event-outdated");
  if (before.status === "cancelled") return refused(unit, "event.cancel", id, "event-cancelled");
  const after = await unit.tx.event.update({ where: { id }, data: { status: "cancelled", cancelReason: reason?.trim() || null, revision: { increment: 1 }, updatedAt: unit.now } });
  await audited(unit, "event.cancel", id);
  // Its publications still going are cancelled with it: the invitations still waiting never go
  // out (only the sends in flight end), and the author gets the report (broadcasts/service.ts).
  const going = await unit.tx.broadcast.findMany({ where: { eventId: id, kind: "event", status: { in: ["scheduled", "sending", "paused"] } }, select: { id: true } });
  for (const b of going) await cancelBroadcast(unit, b.id);
  // A draft was never published: nobody answered it. The reminder jobs find it cancelled (jobs.ts).
  if (before.status === "published") await notifyCancelled(unit, after);
  return { ok: true };
}

/** One event as staff see it (any status), or null (also for someone not staff: the refusal is audited). */
export async function eventForStaff(unit: Unit, id: number): Promise<EventView | null> {
  if (!(await staffOnly(unit, "event.view", id))) return null;
  const row = await eventById(unit.tx, id);
  return row ? (await viewsOf(unit, [row]))[0]! : null;
}

/** Staff's list: upcoming first (drafts and published, soonest first), then past and cancelled ones (latest first). */
export async function listEvents(unit: Unit, opts: { page: number; size: number }): Promise<{ items: EventView[]; total: number }> {
  if (!(await staffOnly(unit, "event.list"))) return { items: [], total: 0 };
  const take = Math.max(1, Math.min(100, Math.floor(opts.size) || 1));
  const skip = Math.max(0, Math.floor(opts.page) || 0) * take;
  const upcoming = { status: { in: ["draft", "published"] }, startsAt: { gt: unit.now } };
  const rest = { NOT: upcoming };
  const [nUpcoming, nRest] = await Promise.all([unit.tx.event.count({ where: upcoming }), unit.tx.event.count({ where: rest })]);
  const rows: EventRow[] = [];
  if (skip < nUpcoming) rows.push(...(await unit.tx.event.findMany({ where: upcoming, orderBy: [{ startsAt: "asc" }, { id: "asc" }], skip, take })));
  if (rows.length < take) {
    rows.push(...(await unit.tx.event.findMany({ where: rest, orderBy: [{ startsAt: "desc" }, { id: "desc" }], skip: Math.max(0, skip - nUpcoming), take: take - rows.length })));
  }
  return { items: await viewsOf(unit, rows), total: nUpcoming + nRest };
}

// ---------------------------------------------------------------------------------------------
// Members.

/**
 * A member answers for their enterprise (any active person of an active member enterprise).
 * "going" needs `delegates` (1..MAX_DELEGATES); over capacity it joins the waiting list. Changing
 * an answer frees places (the waiting list moves up, and those moved are told). Refused after the
 * deadline, for a cancelled or past event, or for someone not of a member enterprise.
 *
 * The rules of the line: a new "going" joins the waiting list when its delegates do not fit, or
 * when others already wait (nobody overtakes the line). An enterprise already placed that changes
 * its number keeps its place while the new number fits; one that asks for more than fits waits
 * (with the new number, and the places it held are freed for the line). Waiting and changing the
 * number keeps its place in line. The event's lock serializes concurrent answers, so the placed
 * delegates never exceed the capacity.
 *
 * A placed "going" is confirmed to the person who answered, with the calendar file (queued here:
 * the flow only shows the outcome).
 */
export async function answerEvent(unit: Unit, eventId: number, answer: RsvpAnswer, delegates: number | null): Promise<EventOutcome<{ rsvp: RsvpView }>> {
  const action = "event.answer";
  if (!isRsvpAnswer(answer)) throw new Error("not an answer");
  if (answer === "going" && (delegates === null || !Number.isSafeInteger(delegates) || delegates < 1 || delegates > MAX_DELEGATES)) {
    return { ok: false, reason: "event-delegates-range" };
  }
  if (Number.isSafeInteger(eventId) && eventId > 0) await lockEvent(unit.tx, eventId);
  const event = await eventById(unit.tx, eventId);
  if (!event || event.status === "draft") return refused(unit, action, eventId, "event-not-found");
  const membership = await memberFacts(unit);
  const verdict = may(await subjectOf(unit.tx, unit.actor?.personId), { action: "event.answer", membership });
  if (!verdict.ok || !membership) return refused(unit, action, eventId, "event-not-member");
  if (event.status === "cancelled") return refused(unit, action, eventId, "event-cancelled");
  if (event.startsAt.getTime() <= unit.now.getTime()) return refused(unit, action, eventId, "event-past");
  if (event.rsvpDeadline && event.rsvpDeadline.getTime() <= unit.now.getTime()) return refused(unit, action, eventId, "event-deadline-passed");

  const enterpriseId = membership.enterpriseId;
  const existing = await unit.tx.eventRsvp.findUnique({ where: { eventId_enterpriseId: { eventId, enterpriseId } } });
  const count = answer === "going" ? delegates! : 0;
  let waiting = false;
  let waitingSince: Date | null = null;
  if (answer === "going") {
    const wasPlaced = existing?.answer === "going" && !existing.waiting;
    const wasWaiting = existing?.answer === "going" && existing.waiting;
    const fits = event.capacity === null || (await placedDelegates(unit.tx, eventId, enterpriseId)) + count <= event.capacity;
    const othersWait = (await waitingList(unit.tx, eventId)).some((r) => r.enterpriseId !== enterpriseId);
    if (wasPlaced ? !fits : !fits || othersWait || wasWaiting) {
      waiting = true;
      waitingSince = wasWaiting ? existing.waitingSince : unit.now;
    }
  }
  const data = { answer, delegates: count, waiting, waitingSince, personId: unit.actor?.personId ?? null, updatedAt: unit.now };
  const row = existing
    ? await unit.tx.eventRsvp.update({ where: { id: existing.id }, data })
    : await unit.tx.eventRsvp.create({ data: { eventId, enterpriseId, ...data, createdAt: unit.now } });
  // Places this answer freed (fewer delegates, maybe/no, or its own turn come) go to the line, in order.
  const moved = await moveUp(unit.tx, event, unit.now);
  const self = moved.find((r) => r.id === row.id);
  await notifyMovedUp(unit, event, moved.filter((r) => r.id !== row.id));
  const now = self ?? row;
  const changed = !existing || existing.answer !== now.answer || existing.delegates !== now.delegates || existing.waiting !== now.waiting;
  if (now.answer === "going" && !now.waiting && changed && unit.actor) await sendGoingConfirmation(unit, event, now, [unit.actor.personId]);
  return { ok: true, rsvp: await rsvpViewOf(unit.tx, now) };
}

/** The enterprise's answer to each event, as its people see it. */
async function answersOf(unit: Unit, enterpriseId: number | null, eventIds: number[]): Promise<Map<number, RsvpView>> {
  const out = new Map<number, RsvpView>();
  if (enterpriseId === null || !eventIds.length) return out;
  for (const r of await unit.tx.eventRsvp.findMany({ where: { enterpriseId, eventId: { in: eventIds } } })) out.set(r.eventId, await rsvpViewOf(unit.tx, r));
  return out;
}

/**
 * The event as the member sees it with their enterprise's answer: title and description in the
 * reader's language (else the fallback order), under that language's key (`title[locale]`).
 * Published and cancelled events are shown (a cancelled one says so); a draft is not found.
 */
export async function eventForMember(unit: Unit, eventId: number): Promise<EventOutcome<{ event: EventView; rsvp: RsvpView | null }>> {
  const row = await eventById(unit.tx, eventId);
  if (!row || row.status === "draft") return refused(unit, "event.view", eventId, "event-not-found");
  const membership = await memberFacts(unit);
  const view = (await viewsOf(unit, [row]))[0]!;
  const rsvp = (await answersOf(unit, membership?.enterpriseId ?? null, [row.id])).get(row.id) ?? null;
  return { ok: true, event: readerView(view, readerLocale(unit)), rsvp };
}

/**
 * My events: published upcoming events the person's enterprise answered, or that were sent to one
 * of the person's chats (an event publication's delivery rows), soonest first; texts in the reader's language.
 */
export async function myEvents(unit: Unit): Promise<{ event: EventView; rsvp: RsvpView | null }[]> {
  if (!unit.actor) return [];
  const membership = await memberFacts(unit);
  const upcoming = { status: "published", startsAt: { gt: unit.now } };
  const answered = membership ? (await unit.tx.eventRsvp.findMany({ where: { enterpriseId: membership.enterpriseId, event: upcoming }, select: { eventId: true } })).map((r) => r.eventId) : [];
  const chats = await unit.tx.channelIdentity.findMany({ where: { personId: unit.actor.personId }, select: { channel: true, externalId: true } });
  const sent: number[] = [];
  const coming = chats.length ? (await unit.tx.event.findMany({ where: upcoming, select: { id: true } })).map((e) => e.id) : [];
  if (coming.length) {
    const broadcasts = await unit.tx.broadcast.findMany({ where: { kind: "event", eventId: { in: coming } }, select: { id: true, eventId: true } });
    if (broadcasts.length) {
      const rows = await unit.tx.outbox.findMany({
        where: { broadcastId: { in: broadcasts.map((b) => b.id) }, OR: chats.map((c) => ({ channel: c.channel, chatId: c.externalId })) },
        select: { broadcastId: true },
        distinct: ["broadcastId"],
      });
      const byId = new Map(broadcasts.map((b) => [b.id, b.eventId!]));
      for (const r of rows) if (r.broadcastId !== null && byId.has(r.broadcastId)) sent.push(byId.get(r.broadcastId)!);
    }
  }
  const ids = [...new Set([...answered, ...sent])];
  if (!ids.length) return [];
  const rows = await unit.tx.event.findMany({ where: { id: { in: ids }, ...upcoming }, orderBy: [{ startsAt: "asc" }, { id: "asc" }] });
  const views = await viewsOf(unit, rows);
  const answers = await answersOf(unit, membership?.enterpriseId ?? null, ids);
  const locale = readerLocale(unit);
  return views.map((v) => ({ event: readerView(v, locale), rsvp: answers.get(v.id) ?? null }));
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

type Totals = { delegates: number; going: number; maybe: number; no: number; waiting: number };

/**
 * Staff: who answered, with delegate totals (going, waiting), enterprise names as typed. In order:
 * placed, the waiting list in its order, maybe, no; each by time of answer.
 */
export async function attendees(unit: Unit, eventId: number): Promise<EventOutcome<{ items: Attendee[]; totals: Totals }>> {
  if (!(await staffOnly(unit, "event.attendees", eventId))) return { ok: false, reason: "error-not-allowed" };
  const event = await eventById(unit.tx, eventId);
  if (!event) return { ok: false, reason: "event-not-found" };
  const rows = await unit.tx.eventRsvp.findMany({ where: { eventId }, orderBy: [{ updatedAt: "asc" }, { id: "asc" }] });
  const line = (await waitingList(unit.tx, eventId)).map((r) => r.id);
  const rank = (r: (typeof rows)[number]) => (r.answer === "going" ? (r.waiting ? 1 : 0) : r.answer === "maybe" ? 2 : 3);
  rows.sort((a, b) => rank(a) - rank(b) || (rank(a) === 1 ? line.indexOf(a.id) - line.indexOf(b.id) : 0));
  const enterprises = new Map(
    (await unit.tx.enterprise.findMany({ where: { id: { in: rows.map((r) => r.enterpriseId) } }, select: { id: true, name: true } })).map((e) => [e.id, e.name]),
  );
  const personIds = rows.map((r) => r.personId).filter((id): id is number => id !== null);
  const people = new Map(
    (personIds.length ? await unit.tx.person.findMany({ where: { id: { in: personIds } }, select: { id: true, name: true, erasedAt: true } }) : []).map((p) => [p.id, p.erasedAt ? null : p.name]),
  );
  const items: Attendee[] = rows.map((r) => ({
    enterpriseId: r.enterpriseId,
    enterprise: enterprises.get(r.enterpriseId) ?? "",
    answer: (isRsvpAnswer(r.answer) ? r.answer : "no") as RsvpAnswer,
    delegates: r.delegates,
    waiting: r.answer === "going" && r.waiting,
    person: r.personId !== null ? (people.get(r.personId) ?? null) : null,
    answeredAt: r.updatedAt.toISOString(),
  }));
  const totals = (await countsOf(unit.tx, [eventId])).get(eventId)!;
  return { ok: true, items, totals };
}

/** The CSV's columns, in order: the locale key of each header is `event-csv-<column>`. */
export const ATTENDEE_CSV_COLUMNS = ["enterprise", "answer", "delegates", "waiting", "person", "answered"] as const;

/**
 * Staff: the attendee list as CSV in the actor's language (csv-stringify; UTF-8 with a BOM, ";"
 * between fields, CRLF rows, formulas defused with a leading "'": opens in Excel with Cyrillic),
 * the totals in a last row. The bytes are also kept as a StoredFile (`fileId`, to send it: an
 * addition to the contract).
 */
export async function attendeesCsv(unit: Unit, eventId: number): Promise<EventOutcome<{ csv: string; name: string; fileId: number }>> {
  const list = await attendees(unit, eventId);
  if (!list.ok) return list;
  const locale = readerLocale(unit);
  const plain = (key: string, args?: Record<string, string | number>) => unit.t(locale, key, args).replace(/<[^>]*>/g, "");
  const records = list.items.map((a) => [
    a.enterprise,
    plain(`event-answer-${a.answer}`),
    String(a.delegates),
    plain(a.waiting ? "event-csv-yes" : "event-csv-no"),
    a.person ?? "",
    formatLocalDateTime(new Date(a.answeredAt), locale),
  ]);
  const t = list.totals;
  const totals = [plain("event-csv-totals"), plain(`event-answer-going`), String(t.delegates), String(t.waiting), "", ""];
  const csv = stringify([ATTENDEE_CSV_COLUMNS.map((c) => plain(`event-csv-${c}`)), ...records, totals], {
    bom: true,
    delimiter: ";",
    record_delimiter: "windows",
    quote_record_delimiter: true,
    quoted_match: /[\r\n]/,
    escape_formulas: true,
  });
  const name = `event-${eventId}-attendees-${localIsoDate(unit.now)}.csv`;
  const kept = await keepOwnFile(unit.tx, unit.services.files, new TextEncoder().encode(csv), { name }, unit.now);
  await audited(unit, "event.export", eventId);
  return { ok: true, csv, name, fileId: kept.id };
}

/**
 * The event as an .ics calendar file (the `ics` library; the start in UTC, read right by every
 * calendar; summary, location, description in `locale`): events/ics.ts. Null for no such event,
 * and for a draft unless staff ask.
 */
export async function eventIcs(unit: Unit, eventId: number, locale: Locale): Promise<{ content: string; name: string } | null> {
  const row = await eventById(unit.tx, eventId);
  if (!row) return null;
  if (row.status === "draft" && !(await allowed(unit, { action: "event.manage" }))) return null;
  return buildIcs(row, locale);
}
