/**
 * Scheduled jobs: rows of the `Job` table, run once cluster-wide by whichever instance claims them
 * first (issue 6, item 7). A job is a kind (the name of a handler defined in code), a JSON payload
 * and a time to run at. Recurring jobs are declared with a cron expression (croner, Asia/Almaty);
 * one-off jobs are scheduled from any unit of work (`Jobs.schedule`), so that a reminder is
 * committed together with what it reminds of. The worker (worker.ts) claims and runs them.
 *
 * Storage is ours, not a library's: the table must work on SQLite and PostgreSQL alike, through
 * `sqlOf(tx)` (src/db/database.ts).
 */
import { Cron } from "croner";
import { sqlOf, type Tx } from "../../db/database.ts";
import type { Unit } from "../unit.ts";

/** A JSON value (a job's payload). */
export type JobPayload = null | boolean | number | string | JobPayload[] | { [key: string]: JobPayload };

/** The claimed job a handler runs for. `attempts` counts this one (1 on the first run). */
export interface JobRun {
  id: number;
  kind: string;
  key: string;
  payload: JobPayload;
  attempts: number;
  maxAttempts: number;
}

/**
 * Runs a job inside a unit of work (src/core/unit.ts): its writes and its messages commit together
 * with the job being marked done, or not at all. Throwing fails this attempt (retried with backoff).
 */
export type JobHandler = (unit: Unit, payload: JobPayload, job: JobRun) => Promise<void>;

export interface JobOptions {
  /** A recurring job: a cron expression (5 or 6 fields, croner's syntax), in {@link JOB_TIMEZONE}. */
  cron?: string;
  /** Attempts before the job fails for good and staff are told (default {@link DEFAULT_MAX_ATTEMPTS}). */
  maxAttempts?: number;
}

/** The association's time zone: cron expressions name local times there. */
export const JOB_TIMEZONE = "Asia/Almaty";
export const DEFAULT_MAX_ATTEMPTS = 5;

/** A job to insert: see {@link Jobs.schedule}. */
export interface JobSpec {
  kind: string;
  payload?: JobPayload;
  runAt: Date;
  /**
   * Inserted once cluster-wide under this key: a second schedule with the same key does nothing.
   * Default: a fresh random key (every call a new job).
   */
  key?: string;
  maxAttempts?: number;
}

interface Definition {
  handler: JobHandler;
  maxAttempts: number;
  cron?: Cron;
}

/** The key of a cron occurrence: the same in every instance, so that it is inserted once. */
export function occurrenceKey(kind: string, at: Date): string {
  return `${kind}@${at.toISOString()}`;
}

/** The registry of job kinds (built once at start, before the worker runs). */
export class Jobs {
  readonly #defs = new Map<string, Definition>();
  readonly #listeners: ((runAt: Date) => void)[] = [];

  /** Calls `fn` with the run time of every job scheduled (and committed) in this process: the worker wakes for it. */
  onScheduled(fn: (runAt: Date) => void): void {
    this.#listeners.push(fn);
  }

  /** A job due at `runAt` was scheduled and its unit committed (Unit.schedule calls it). */
  scheduled(runAt: Date): void {
    for (const fn of this.#listeners) fn(runAt);
  }

  /**
   * Declares the handler of `kind`; with `cron`, a recurring job whose occurrences the worker
   * inserts (each once, by key `kind@<ISO time>`). Throws on a kind defined twice or a bad cron.
   */
  define(kind: string, handler: JobHandler, opts: JobOptions = {}): this {
    if (this.#defs.has(kind)) throw new Error(`job kind "${kind}" is defined twice`);
    if (kind.includes("@")) throw new Error(`job kind "${kind}": "@" separates a kind from its occurrence`);
    this.#defs.set(kind, {
      handler,
      maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      ...(opts.cron ? { cron: new Cron(opts.cron, { timezone: JOB_TIMEZONE, paused: true }) } : {}),
    });
    return this;
  }

  /** The kinds defined (the worker claims only these: an instance of an older version leaves newer kinds alone). */
  get kinds(): string[] {
    return [...this.#defs.keys()];
  }

  handler(kind: string): Definition | undefined {
    return this.#defs.get(kind);
  }

  /**
   * Inserts a job in `tx` (any unit's transaction: it exists only if that commits). With a `key`
   * already present, nothing happens (INSERT … ON CONFLICT DO NOTHING): true when inserted.
   * Throws for a kind not defined (a typo would otherwise wait forever). `now`: when it is queued
   * (its createdAt; the unit's time).
   */
  async schedule(tx: Tx, job: JobSpec, now: Date): Promise<boolean> {
    const def = this.#defs.get(job.kind);
    if (!def) throw new Error(`job kind "${job.kind}" is not defined`);
    return insertJob(tx, { ...job, maxAttempts: job.maxAttempts ?? def.maxAttempts }, now);
  }

  /**
   * Inserts the next occurrence after `now` of every recurring job (once cluster-wide: by key).
   * Only the next one: while every instance is down, nothing is inserted, so missed occurrences
   * collapse into the one inserted before (it is overdue at start and runs once).
   */
  async scheduleRecurring(tx: Tx, now: Date): Promise<void> {
    for (const [kind, def] of this.#defs) {
      const next = def.cron?.nextRun(now);
      if (!next) continue;
      await insertJob(tx, { kind, runAt: next, key: occurrenceKey(kind, next), maxAttempts: def.maxAttempts }, now);
    }
  }
}

async function insertJob(tx: Tx, job: JobSpec & { maxAttempts: number }, now: Date): Promise<boolean> {
  const key = job.key ?? `${job.kind}#${crypto.randomUUID()}`;
  const inserted = await sqlOf(tx).run(
    `INSERT INTO "Job" ("kind", "payload", "key", "runAt", "status", "attempts", "maxAttempts", "createdAt")
     VALUES (?, ?, ?, ?, 'queued', 0, ?, ?) ON CONFLICT ("key") DO NOTHING`,
    job.kind,
    JSON.stringify(job.payload ?? null),
    key,
    job.runAt,
    job.maxAttempts,
    now,
  );
  return inserted > 0;
}

/** How long finished jobs are kept: done ones briefly, failed ones long enough for staff to look. */
export const JOB_RETENTION = { doneDays: 7, failedDays: 90 } as const;

/** Deletes done jobs finished before `now - doneDays` and failed ones before `now - failedDays`; returns how many. */
export async function pruneJobs(tx: Tx, now: Date): Promise<number> {
  const sql = sqlOf(tx);
  const done = await sql.run(`DELETE FROM "Job" WHERE "status" = 'done' AND "finishedAt" < ?`, new Date(now.getTime() - JOB_RETENTION.doneDays * 86_400_000));
  const failed = await sql.run(`DELETE FROM "Job" WHERE "status" = 'failed' AND "finishedAt" < ?`, new Date(now.getTime() - JOB_RETENTION.failedDays * 86_400_000));
  return done + failed;
}
