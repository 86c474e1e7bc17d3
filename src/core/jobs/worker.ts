/**
 * The job worker of one instance: inserts the next occurrence of each recurring job, claims due
 * jobs one at a time with one atomic `UPDATE … RETURNING` and a lease, runs each in a unit of work,
 * and retries failures with backoff; a job that fails for good is reported to staff. Several
 * instances on one database each run a worker: a job runs once, by whichever claims it. A lease
 * left by a crashed instance expires and the job is taken over (it may then run twice: handlers
 * must be idempotent, which their unit's transaction makes easy: the work and "done" commit together).
 */
import { randomUUID } from "node:crypto";
import { forUpdate, sqlOf, type Database } from "../../db/database.ts";
import { adminTargets } from "../people.ts";
import { runUnit, SYSTEM, type CoreServices, type Unit } from "../unit.ts";
import type { Target } from "../message.ts";
import type { JobPayload, JobRun, Jobs } from "./jobs.ts";

export interface JobWorkerOptions {
  db: Database;
  services: CoreServices;
  jobs: Jobs;
  /** This instance's name in `leasedBy` (default: a random one per worker). */
  instance?: string;
  /** How long a claim holds a job (ms); past it another instance takes the job over. */
  leaseMs?: number;
  /** How often an idle worker looks for due jobs (ms). */
  pollMs?: number;
}

/** Backoff before the next attempt (ms): 1 min, 5 min, 25 min, … capped at 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 5 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

/**
 * Longer than a transaction may last (database.ts: 120 s), and a job runs in one: a live
 * instance's lease never expires under it.
 */
export const DEFAULT_LEASE_MS = 5 * 60_000;
export const DEFAULT_POLL_MS = 15_000;
/** How long after a scheduled job's time the worker wakes for it (see `wake`). */
const WAKE_MARGIN_MS = 5;
/** Wakes further ahead than this are left to the poll (see `wake`). */
const WAKE_HORIZON_MS = 3_600_000;

interface ClaimedRow {
  id: number;
  kind: string;
  key: string;
  payload: string;
  attempts: number | string;
  maxAttempts: number | string;
}

export class JobWorker {
  readonly instance: string;
  readonly #o: Required<Omit<JobWorkerOptions, "instance">>;
  #timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (epoch ms), while there is one. */
  #timerAt = Infinity;
  /** Wakes asked for (epoch ms) and not yet passed: each timer fires no later than the earliest. */
  #wakes: number[] = [];
  #stopping = false;
  /** The tick in progress (claims and runs), awaited by `stop`. */
  #busy: Promise<void> | undefined;

  constructor(opts: JobWorkerOptions) {
    this.instance = opts.instance ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#o = { db: opts.db, services: opts.services, jobs: opts.jobs, leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, pollMs: opts.pollMs ?? DEFAULT_POLL_MS };
    opts.jobs.onScheduled((runAt) => this.wake(runAt));
  }

  /**
   * A job due at `runAt` (the core's clock) was scheduled in this process: the worker ticks then
   * instead of at its next poll, so that a broadcast's progress every few seconds and a job
   * scheduled soon run on time (jobs scheduled by other instances are found by the poll).
   */
  wake(runAt: Date): void {
    if (this.#stopping) return;
    // A few ms late rather than early: a tick just before the job is due would not claim it.
    const at = Date.now() + Math.max(0, runAt.getTime() - this.#o.services.clock().getTime()) + WAKE_MARGIN_MS;
    // Far ones are left to the poll (a reminder months ahead need not be held in memory till then).
    if (at - Date.now() > WAKE_HORIZON_MS) return;
    // Every wake is kept until its time passes: a tick running now, or one that comes sooner, may
    // find the job not yet due, and the timer set after it must still honour this one.
    this.#wakes.push(at);
    if (this.#timer === undefined || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule(at - Date.now());
  }

  /** Starts polling: a tick now, then every pollMs. */
  start(): void {
    this.#stopping = false;
    this.#schedule(0);
  }

  /** Graceful stop: no new claims; the job running now finishes (or fails) and is recorded. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#busy;
  }

  #schedule(ms: number): void {
    if (this.#stopping) return;
    const earliest = this.#wakes.reduce((a, b) => Math.min(a, b), Infinity);
    const delay = Math.max(0, Math.min(ms, earliest - Date.now()));
    this.#timerAt = Date.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      // A wake is done with once a tick starts at or after its time (a timer may fire a ms early).
      const now = Date.now();
      this.#wakes = this.#wakes.filter((at) => at > now);
      this.#busy = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.#o.services.log.error("job worker tick failed", { error }))
        .finally(() => {
          this.#busy = undefined;
          this.#schedule(this.#o.pollMs);
        });
    }, delay);
    this.#timer.unref();
  }

  /**
   * One round: inserts the recurring jobs' next occurrences, then claims and runs due jobs until
   * none is left (or the worker stops). Resolves to the number of jobs run. Tests call it directly.
   */
  async tick(): Promise<number> {
    const { db, jobs, services } = this.#o;
    await db.transaction((tx) => jobs.scheduleRecurring(tx, services.clock()));
    let ran = 0;
    while (!this.#stopping) {
      const job = await this.claim();
      if (!job) break;
      await this.run(job);
      ran++;
    }
    return ran;
  }

  /**
   * Claims the first due job: queued and due, or running under an expired lease (its instance
   * crashed). One statement, so two workers never claim the same row; on PostgreSQL the inner
   * SELECT skips rows another transaction is claiming instead of waiting for them.
   */
  async claim(): Promise<JobRun | undefined> {
    const { db, jobs, services } = this.#o;
    const kinds = jobs.kinds;
    if (!kinds.length) return undefined;
    const row = await db.transaction(async (tx) => {
      const sql = sqlOf(tx);
      const now = services.clock();
      const skipLocked = forUpdate(sql.provider, { skipLocked: true });
      return sql.get<ClaimedRow>(
        `UPDATE "Job" SET "status" = 'running', "attempts" = "attempts" + 1, "leaseUntil" = ?, "leasedBy" = ?
         WHERE "id" = (SELECT "id" FROM "Job"
                        WHERE "kind" IN (${kinds.map(() => "?").join(", ")})
                          AND (("status" = 'queued' AND "runAt" <= ?) OR ("status" = 'running' AND "leaseUntil" < ?))
                        ORDER BY "runAt", "id" LIMIT 1${skipLocked})
         RETURNING "id", "kind", "key", "payload", "attempts", "maxAttempts"`,
        new Date(now.getTime() + this.#o.leaseMs),
        this.instance,
        ...kinds,
        now,
        now,
      );
    });
    if (!row) return undefined;
    return { id: row.id, kind: row.kind, key: row.key, payload: JSON.parse(row.payload) as JobPayload, attempts: Number(row.attempts), maxAttempts: Number(row.maxAttempts) };
  }

  /**
   * Runs a claimed job: its handler and "done" in one unit (so its work commits only while this
   * instance still holds the lease); on failure, a retry later or, after maxAttempts, failed for good.
   */
  async run(job: JobRun): Promise<void> {
    const { db, services, jobs } = this.#o;
    const def = jobs.handler(job.kind);
    try {
      if (!def) throw new Error(`no handler for job kind "${job.kind}"`);
      // Claimed again after its instance crashed more often than it may be tried: not run again.
      if (job.attempts > job.maxAttempts) throw new Error("its lease expired on every attempt (the instance running it stopped)");
      await runUnit(db, services, SYSTEM, async (unit) => {
        await def.handler(unit, job.payload, job);
        const done = await sqlOf(unit.tx).run(
          `UPDATE "Job" SET "status" = 'done', "finishedAt" = ?, "leaseUntil" = NULL, "lastError" = NULL WHERE "id" = ? AND "status" = 'running' AND "leasedBy" = ?`,
          unit.now,
          job.id,
          this.instance,
        );
        // The lease expired and another instance took the job over: its run counts, not this one.
        if (!done) throw new LeaseLost();
      });
    } catch (error) {
      if (error instanceof LeaseLost) {
        services.log.warn("a job's lease was taken over while it ran; its work was rolled back", { job: job.id, kind: job.kind });
        return;
      }
      await this.#failed(job, error);
    }
  }

  async #failed(job: JobRun, error: unknown): Promise<void> {
    const { db, services } = this.#o;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const forGood = job.attempts >= job.maxAttempts;
    await runUnit(db, services, SYSTEM, async (unit) => {
      const sql = sqlOf(unit.tx);
      const changed = forGood
        ? await sql.run(
            `UPDATE "Job" SET "status" = 'failed', "finishedAt" = ?, "leaseUntil" = NULL, "lastError" = ? WHERE "id" = ? AND "status" = 'running' AND "leasedBy" = ?`,
            unit.now,
            message,
            job.id,
            this.instance,
          )
        : await sql.run(
            `UPDATE "Job" SET "status" = 'queued', "runAt" = ?, "leaseUntil" = NULL, "leasedBy" = NULL, "lastError" = ? WHERE "id" = ? AND "status" = 'running' AND "leasedBy" = ?`,
            new Date(unit.now.getTime() + retryDelayMs(job.attempts)),
            message,
            job.id,
            this.instance,
          );
      if (!changed) return; // taken over meanwhile: the other instance reports it
      if (forGood) {
        services.log.error("a job failed for good", { job: job.id, kind: job.kind, attempts: job.attempts, error });
        await tellStaffJobFailed(unit, job);
      } else {
        services.log.warn("a job failed; it will be retried", { job: job.id, kind: job.kind, attempts: job.attempts, error });
      }
    });
  }
}

class LeaseLost extends Error {}

/**
 * A job failed for good: the staff group is told (in the association's language), or, when there
 * is none or it cannot be reached, each admin privately in their language.
 */
async function tellStaffJobFailed(unit: Unit, job: JobRun): Promise<void> {
  const group = unit.staffChat.target;
  const targets: Target[] = group ? [{ ...group, locale: unit.settings.defaultLocale }] : await adminTargets(unit.tx, unit.settings.defaultLocale);
  for (const target of targets) {
    await unit.outbox.send(target, { text: { key: "job-failed", args: { kind: job.kind, attempts: job.attempts, ref: `#${job.id}` } } });
  }
}
