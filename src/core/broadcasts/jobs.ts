/**
 * Scheduled work of broadcasts (issue 8): a scheduled start (`broadcast-start`, keyed by id and
 * time: fired once, never for a cancelled or rescheduled one) and the progress ticks
 * (`broadcast-progress`, keyed by id and time: one per tick cluster-wide, each scheduling the next
 * while the broadcast runs). core.ts calls {@link defineBroadcastJobs}.
 */
import type { JobPayload, Jobs } from "../jobs/jobs.ts";
import { PROGRESS_JOB, progressTick, START_JOB, startScheduled } from "./service.ts";

export { PROGRESS_JOB, START_JOB };

const idOf = (p: Record<string, unknown> | null): number | null => (p && typeof p.id === "number" && Number.isSafeInteger(p.id) && p.id > 0 ? p.id : null);

/** Declares the broadcast jobs on `jobs`. */
export function defineBroadcastJobs(jobs: Jobs): Jobs {
  return jobs
    .define(START_JOB, async (unit, payload: JobPayload) => {
      const p = payload as Record<string, unknown> | null;
      const id = idOf(p);
      if (id !== null && typeof p?.at === "string") await startScheduled(unit, id, p.at);
    })
    .define(PROGRESS_JOB, async (unit, payload: JobPayload) => {
      const p = payload as Record<string, unknown> | null;
      const id = idOf(p);
      if (id !== null) await progressTick(unit, id, typeof p?.last === "string" ? p.last : null);
    });
}
