/**
 * Scheduled work of industry problems (issue 7): the auto-close of a resolved problem nobody
 * confirmed within 14 days, and the staff's daily digest of problems waiting for a reply.
 * core.ts calls {@link defineProblemJobs} where it defines its own jobs; both run once
 * cluster-wide (jobs/jobs.ts: a one-off by its key, a cron occurrence by its time).
 */
import type { JobPayload, Jobs } from "../jobs/jobs.ts";
import type { Translate } from "../message.ts";
import { tellStaff } from "../staff/notices.ts";
import { localDate } from "../members/render.ts";
import type { Unit } from "../unit.ts";
import { localWeekday, plusLocalDays } from "../time.ts";
import { lockProblem, problemById } from "./data.ts";
import { AUTOCLOSE_JOB, notifyAutoclosed } from "./notify.ts";
import { applyStatus } from "./service.ts";
import { canChangeStatus, OPEN_STATUSES } from "./status.ts";
import { threadHooks } from "./thread-hooks.ts";

/** The daily digest to staff: 09:00 in Almaty (jobs run cron in Asia/Almaty). */
export const DIGEST_JOB = { kind: "problem-digest", cron: "0 9 * * *" } as const;
/** A problem waits too long once this many working days passed without a staff reply. */
export const DIGEST_WORKING_DAYS = 2;
/** At most this many problems are listed in one digest (the count says how many there are). */
export const DIGEST_MAX_LINES = 30;

export { AUTOCLOSE_JOB };

/** Declares the problem jobs on `jobs` (core.ts, next to the prune job). */
export function defineProblemJobs(jobs: Jobs): Jobs {
  return jobs
    .define(AUTOCLOSE_JOB, (unit, payload) => autoclose(unit, payload))
    .define(DIGEST_JOB.kind, (unit) => digest(unit), { cron: DIGEST_JOB.cron });
}

/**
 * Closes a resolved problem as the bot, if it is still resolved at the revision the question was
 * asked at (a "no", a reopening or a new resolution since changes the revision: then nothing
 * happens); one timeline entry without an author; the reporting enterprise is told.
 */
export async function autoclose(unit: Unit, payload: JobPayload): Promise<void> {
  const p = payload as { id?: unknown; revision?: unknown } | null;
  if (!p || typeof p.id !== "number" || typeof p.revision !== "number") return;
  await lockProblem(unit.tx, p.id);
  const problem = await problemById(unit.tx, p.id);
  if (!problem || problem.revision !== p.revision || !canChangeStatus("member", problem.status, "closed")) return;
  const closed = await applyStatus(unit, problem, "closed", { authorId: null, text: null });
  await notifyAutoclosed(unit, closed);
  await threadHooks.problemChanged(unit, problem.id);
}


/**
 * `at` plus `days` working days (Monday to Friday in Almaty): Saturdays and Sundays are skipped.
 * Public holidays are NOT counted as days off (the bot has no holiday calendar): a problem reported
 * before a holiday may appear in the digest a day early.
 */
export function addWorkingDays(at: Date, days: number): Date {
  let t = at;
  let left = days;
  while (left > 0) {
    // Calendar days in Almaty (time.ts), Saturday 6 and Sunday 7 (ISO weekdays) not counted.
    t = plusLocalDays(t, 1);
    if (localWeekday(t) < 6) left--;
  }
  return t;
}

/**
 * The digest: open problems whose last staff answer (a reply or a status change; the report itself
 * when there is none, or the member's reopening) is more than two working days old, oldest first.
 * Nothing is sent when there are none. To the staff chat, or to staff privately (tellStaff).
 */
export async function digest(unit: Unit): Promise<void> {
  const open = await unit.tx.problem.findMany({ where: { status: { in: [...OPEN_STATUSES] } }, orderBy: { id: "asc" } });
  if (!open.length) return;
  const last = await unit.tx.problemEntry.groupBy({
    by: ["problemId"],
    where: { problemId: { in: open.map((p) => p.id) }, kind: { in: ["staff", "status"] } },
    _max: { at: true },
  });
  const answered = new Map(last.map((l) => [l.problemId, l._max.at]));
  const waiting = open
    .map((p) => {
      const a = answered.get(p.id);
      return { p, since: a && a > p.createdAt ? a : p.createdAt };
    })
    .filter((x) => addWorkingDays(x.since, DIGEST_WORKING_DAYS).getTime() <= unit.now.getTime())
    .sort((a, b) => a.since.getTime() - b.since.getTime());
  if (!waiting.length) return;
  await tellStaff(unit, {
    text: (t: Translate) =>
      [
        t("problem-digest", { count: waiting.length, days: DIGEST_WORKING_DAYS }),
        ...waiting.slice(0, DIGEST_MAX_LINES).map(({ p, since }) =>
          t("problem-digest-line", { ref: p.ref, title: p.title, category: t(`problem-cat-${p.category}`), status: t(`problem-status-${p.status}`), since: localDate(since) }),
        ),
        ...(waiting.length > DIGEST_MAX_LINES ? [t("problem-digest-more", { count: waiting.length - DIGEST_MAX_LINES })] : []),
      ].join("\n"),
  });
}
