/**
 * Event reminders (issue 8 item 3): one job per reminder of a published event, keyed by the event,
 * the minutes before and the start it was scheduled for. A reschedule schedules new keys; the old
 * jobs still fire, find the start changed and do nothing. A cancelled event's jobs do nothing. A
 * key is inserted once cluster-wide and a job runs once (jobs/jobs.ts), so each reminder fires
 * once, across restarts too. core.ts calls {@link defineEventJobs} next to defineProblemJobs.
 */
import type { JobPayload, Jobs } from "../jobs/jobs.ts";
import type { Unit } from "../unit.ts";
import { eventById, lockEvent, parseReminders } from "./data.ts";
import { sendReminder } from "./notify.ts";

export const REMINDER_JOB = "event-reminder";

/** The key of one reminder: `event-reminder:<id>:<minutes>:<start, ms since epoch>`. */
export const reminderKey = (eventId: number, minutes: number, startsAt: Date): string => `${REMINDER_JOB}:${eventId}:${minutes}:${startsAt.getTime()}`;

/** Declares the event jobs on `jobs` (core.ts). */
export function defineEventJobs(jobs: Jobs): Jobs {
  return jobs.define(REMINDER_JOB, (unit, payload) => remind(unit, payload));
}

/**
 * Schedules the reminders of a published event for its current start (in the unit: they exist if
 * it commits). Reminders whose time has already passed are not scheduled; those scheduled before
 * (same key) are not doubled. Nothing for a draft or cancelled event. publishEvent
 * (broadcasts/service.ts) calls it once the event is published; updateEvent after every change.
 * Returns how many were new.
 */
export async function scheduleReminders(unit: Unit, eventId: number): Promise<number> {
  const event = await eventById(unit.tx, eventId);
  if (!event || event.status !== "published") return 0;
  let added = 0;
  for (const minutes of parseReminders(event.reminders)) {
    const runAt = new Date(event.startsAt.getTime() - minutes * 60_000);
    if (runAt.getTime() <= unit.now.getTime()) continue;
    const payload = { id: event.id, minutes, startsAt: event.startsAt.toISOString() };
    if (await unit.schedule({ kind: REMINDER_JOB, payload, runAt, key: reminderKey(event.id, minutes, event.startsAt) })) added++;
  }
  return added;
}

/**
 * Sends one reminder, if the event is still published, still starts when it was scheduled for,
 * still has this reminder, and has not started yet (a worker that was down past the start sends
 * nothing late).
 */
export async function remind(unit: Unit, payload: JobPayload): Promise<void> {
  const p = payload as { id?: unknown; minutes?: unknown; startsAt?: unknown } | null;
  if (!p || typeof p.id !== "number" || typeof p.minutes !== "number" || typeof p.startsAt !== "string") return;
  await lockEvent(unit.tx, p.id);
  const event = await eventById(unit.tx, p.id);
  if (!event || event.status !== "published") return;
  if (event.startsAt.getTime() !== new Date(p.startsAt).getTime()) return;
  if (!parseReminders(event.reminders).includes(p.minutes)) return;
  if (event.startsAt.getTime() <= unit.now.getTime()) return;
  await sendReminder(unit, event);
}
