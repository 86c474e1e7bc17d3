/**
 * Database access of events (issue 8): the Event and EventRsvp tables. Only the event services,
 * notices and jobs call these; flows call the services.
 */
import type { Prisma } from "../../db/generated/client.ts";
import { sqlOf, type Tx } from "../../db/database.ts";
import type { Locale } from "../../i18n/locales.ts";
import { LOCALES } from "../../i18n/locales.ts";
import { FALLBACK_ORDER, type EventInput, type EventStatus, type EventView, type RsvpAnswer, type RsvpView, type Texts } from "./service.ts";
import { isEventStatus, isRsvpAnswer } from "./status.ts";

export type EventRow = Prisma.EventGetPayload<object>;
export type RsvpRow = Prisma.EventRsvpGetPayload<object>;

/** Texts stored as JSON {kk?, ru?, en?}: only known languages with non-empty text are kept. */
export function parseTexts(json: string | null | undefined): Texts {
  try {
    const value = JSON.parse(json ?? "{}") as unknown;
    return cleanTexts(value && typeof value === "object" ? (value as Texts) : {});
  } catch {
    // A title written before texts were JSON (or by hand): the one text there is, as Russian.
    return json ? { ru: json } : {};
  }
}

/** Only the known languages with a non-blank text, trimmed. */
export function cleanTexts(texts: Texts): Texts {
  const out: Texts = {};
  for (const l of LOCALES) {
    const v = texts[l];
    if (typeof v === "string" && v.trim()) out[l] = v.trim();
  }
  return out;
}

/** The text in `locale`, else the first present in FALLBACK_ORDER; "" when there is none. */
export function pickText(texts: Texts, locale: Locale): string {
  if (texts[locale]) return texts[locale]!;
  for (const l of FALLBACK_ORDER) if (texts[l]) return texts[l]!;
  return "";
}

/** The reminder minutes stored as JSON: positive integers, largest first, each once. */
export function parseReminders(json: string | null | undefined): number[] {
  try {
    const value = JSON.parse(json ?? "[]") as unknown;
    return cleanReminders(Array.isArray(value) ? value : []);
  } catch {
    return [];
  }
}

/** At most this far ahead (minutes) a reminder may be: 30 days. */
export const MAX_REMINDER_MINUTES = 30 * 1440;

export function cleanReminders(values: unknown[]): number[] {
  const ok = values.filter((m): m is number => typeof m === "number" && Number.isSafeInteger(m) && m > 0 && m <= MAX_REMINDER_MINUTES);
  return [...new Set(ok)].sort((a, b) => b - a);
}

/** Holds the event's lock until the transaction ends (every read-modify-write of an event and its answers). */
export async function lockEvent(tx: Tx, id: number): Promise<void> {
  await sqlOf(tx).lock(`event:${id}`);
}

export async function eventById(tx: Tx, id: number): Promise<EventRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return tx.event.findUnique({ where: { id } });
}

export type Counts = EventView["counts"];
const noCounts = (): Counts => ({ delegates: 0, going: 0, maybe: 0, no: 0, waiting: 0 });

/** The answers' figures of each event: delegates and enterprises placed, maybe, no, waiting. */
export async function countsOf(tx: Tx, ids: number[]): Promise<Map<number, Counts>> {
  const out = new Map(ids.map((id) => [id, noCounts()]));
  if (!ids.length) return out;
  const rows = await tx.eventRsvp.groupBy({ by: ["eventId", "answer", "waiting"], where: { eventId: { in: ids } }, _count: { _all: true }, _sum: { delegates: true } });
  for (const r of rows) {
    const c = out.get(r.eventId)!;
    if (r.answer === "going" && r.waiting) c.waiting += r._count._all;
    else if (r.answer === "going") {
      c.going += r._count._all;
      c.delegates += Number(r._sum.delegates ?? 0);
    } else if (r.answer === "maybe") c.maybe += r._count._all;
    else if (r.answer === "no") c.no += r._count._all;
  }
  return out;
}

/** The input part of an event as stored. */
export function inputOf(row: EventRow): EventInput {
  return {
    title: parseTexts(row.title),
    description: parseTexts(row.description),
    startsAt: row.startsAt.toISOString(),
    venue: row.venue,
    location: row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : null,
    capacity: row.capacity,
    rsvpDeadline: row.rsvpDeadline ? row.rsvpDeadline.toISOString() : null,
    reminders: parseReminders(row.reminders),
  };
}

export function viewOf(row: EventRow, counts: Counts | undefined): EventView {
  return {
    id: row.id,
    status: (isEventStatus(row.status) ? row.status : "draft") as EventStatus,
    revision: row.revision,
    ...inputOf(row),
    counts: counts ?? noCounts(),
  };
}

/** Delegates placed (going, not waiting) for the event, without `exceptEnterprise`'s. */
export async function placedDelegates(tx: Tx, eventId: number, exceptEnterprise?: number): Promise<number> {
  const r = await tx.eventRsvp.aggregate({
    where: { eventId, answer: "going", waiting: false, ...(exceptEnterprise !== undefined ? { enterpriseId: { not: exceptEnterprise } } : {}) },
    _sum: { delegates: true },
  });
  return Number(r._sum.delegates ?? 0);
}

/** The waiting list in its order: who waits longest first (ties by row id). */
export async function waitingList(tx: Tx, eventId: number): Promise<RsvpRow[]> {
  return tx.eventRsvp.findMany({ where: { eventId, answer: "going", waiting: true }, orderBy: [{ waitingSince: "asc" }, { id: "asc" }] });
}

/** An answer as its enterprise's people see it (`waiting`: its place in line, 1-based). */
export async function rsvpViewOf(tx: Tx, row: RsvpRow): Promise<RsvpView> {
  let waiting: number | null = null;
  if (row.answer === "going" && row.waiting) {
    const line = await waitingList(tx, row.eventId);
    waiting = line.findIndex((r) => r.id === row.id) + 1 || null;
  }
  return { eventId: row.eventId, answer: (isRsvpAnswer(row.answer) ? row.answer : "no") as RsvpAnswer, delegates: row.delegates, waiting };
}

/**
 * Moves the waiting list up while places are free: strictly in its order (the first in line that
 * does not fit stops it: nobody overtakes a larger delegation that waited longer). Returns those
 * moved. Call with the event locked.
 */
export async function moveUp(tx: Tx, event: Pick<EventRow, "id" | "capacity">, now: Date): Promise<RsvpRow[]> {
  const line = await waitingList(tx, event.id);
  if (!line.length) return [];
  let free = event.capacity === null ? Number.POSITIVE_INFINITY : event.capacity - (await placedDelegates(tx, event.id));
  const moved: RsvpRow[] = [];
  for (const r of line) {
    if (r.delegates > free) break;
    free -= r.delegates;
    moved.push(await tx.eventRsvp.update({ where: { id: r.id }, data: { waiting: false, waitingSince: null, updatedAt: now } }));
  }
  return moved;
}

/** The people of an enterprise with an active membership, oldest membership first. */
export async function activePeopleOf(tx: Tx, enterpriseId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({ where: { enterpriseId, status: "active" }, select: { personId: true }, orderBy: { id: "asc" } });
  return rows.map((r) => r.personId);
}

/**
 * Who hears about an enterprise's answer: the person who answered, while they are an active
 * person of it (not erased); else its people with an active membership.
 */
export async function answerSide(tx: Tx, rsvp: Pick<RsvpRow, "personId" | "enterpriseId">): Promise<number[]> {
  if (rsvp.personId !== null) {
    const m = await tx.membership.findFirst({ where: { personId: rsvp.personId, enterpriseId: rsvp.enterpriseId, status: "active" }, select: { person: { select: { erasedAt: true } } } });
    if (m && !m.person.erasedAt) return [rsvp.personId];
  }
  return activePeopleOf(tx, rsvp.enterpriseId);
}

/**
 * Erasure of a person (members/erasure.ts): their enterprise's answers stay the enterprise's, no
 * longer naming them as who answered; events they created no longer name them as author.
 */
export async function forgetEventPerson(tx: Tx, personId: number): Promise<void> {
  await tx.eventRsvp.updateMany({ where: { personId }, data: { personId: null } });
  await tx.event.updateMany({ where: { createdById: personId }, data: { createdById: null } });
}
