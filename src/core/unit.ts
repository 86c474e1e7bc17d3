/**
 * A unit of work: what every domain function takes, whoever started the work. One database
 * transaction, the time it runs at, who acts, an outbox of messages (delivered after the commit),
 * and the renderer. A chat turn (turn.ts) wraps one; so do work the bot does on its own (a staff
 * group that moved or stopped answering, in core.ts) and, later, a scheduled job or an HTTP
 * handler of a dashboard: each calls {@link runUnit} with its actor.
 *
 * `tx` is for the data modules (members/enterprises.ts, people.ts, bookkeeping.ts, ...): services
 * and flows call those, not Prisma.
 */
import type { Database, Tx } from "../db/database.ts";
import type { I18n, MessageArgs } from "../i18n/i18n.ts";
import type { Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import type { QueuedMessage } from "./bookkeeping.ts";
import type { ChannelName, ResolvedCapabilities } from "./channel.ts";
import { render, type Label } from "./message.ts";
import { Outbox, type ChatRef } from "./outbox/outbox.ts";
import type { StaffChat } from "./staff/staff-chat.ts";
import type { JobSpec, Jobs } from "./jobs/jobs.ts";
import type { FileStore } from "./files/store.ts";

export interface CoreSettings {
  defaultLocale: Locale;
  /** The staff group as configured, when it is; otherwise staff are notified privately. At run time see CoreServices.staffChat. */
  staffChat?: { channel: ChannelName; chatId: string };
  /** Admins by configuration (STAFF_TELEGRAM_IDS; the console's operator persona). */
  admins: { channel: ChannelName; id: string }[];
  /** Days sent, failed and unreachable outbox rows are kept for delivery reports (OUTBOX_RETENTION_DAYS); default 30. */
  outboxRetentionDays?: number;
}

/** What a unit of work runs with: built once by createCore. */
export interface CoreServices {
  i18n: I18n;
  log: Logger;
  clock: () => Date;
  settings: CoreSettings;
  /** Where the staff group is now (it may have moved since the configuration was written), and whether it can be reached. */
  staffChat: StaffChat;
  /** What each channel can show (its adapter declares it; DEFAULT_CAPABILITIES for what it does not). */
  capabilities: (channel: string) => ResolvedCapabilities;
  /** Hands committed outbox rows to the dispatcher. */
  dispatch: (queued: QueuedMessage[]) => void;
  /** Job kinds, and scheduling (see Unit.schedule). */
  jobs: Jobs;
  /** Where kept files are (core/files): a file the bot makes itself (an export) is kept here too. */
  files: FileStore;
}

/** A person acting, as read at the start of the unit (permissions.ts reads the role again). */
export interface Actor {
  personId: number;
  role: string;
  locale: Locale | null;
}

/**
 * Who a unit acts for: a known person or nobody known (`person` null: the bot itself, or a sender
 * in a group the bot does not know), and how the audit log names them ("telegram:123", "system").
 */
export interface Acting {
  person: Actor | null;
  ref: string;
}

/** The bot itself: work no person started (a staff group that moved, a scheduled job). */
export const SYSTEM: Acting = { person: null, ref: "system" };

export class Unit {
  readonly outbox: Outbox;
  readonly #afterCommit: (() => void)[] = [];

  constructor(
    readonly tx: Tx,
    readonly services: CoreServices,
    /** The time this unit runs at: every timestamp it writes. */
    readonly now: Date,
    /** The person acting, when known; a chat turn updates its `locale` when they pick another. */
    public actor: Actor | null,
    /** How the audit log names who acted. */
    readonly actorRef: string,
    /** The chat a chat turn answers in (see Outbox); none for work outside a chat. */
    readonly conversation?: ChatRef,
  ) {
    this.outbox = new Outbox(tx, services, now, conversation);
  }

  get clock(): () => Date {
    return this.services.clock;
  }

  get log(): Logger {
    return this.services.log;
  }

  get settings(): CoreSettings {
    return this.services.settings;
  }

  get staffChat(): StaffChat {
    return this.services.staffChat;
  }

  /** A message in `locale`. */
  t(locale: Locale, key: string, args?: MessageArgs): string {
    return this.services.i18n.t(locale, key, args);
  }

  render(locale: Locale, label: Label): string {
    return render(this.services.i18n, locale, label);
  }

  /**
   * Schedules a job in this unit (jobs/jobs.ts Jobs.schedule): it exists only if the unit commits,
   * together with what it is about (a reminder with its event). True when inserted; false when a
   * job with the same `key` exists already (scheduled once cluster-wide).
   */
  async schedule(job: JobSpec): Promise<boolean> {
    const inserted = await this.services.jobs.schedule(this.tx, job, this.now);
    // This instance's worker wakes for it once it exists (otherwise only its next poll finds it).
    if (inserted) this.afterCommit(() => this.services.jobs.scheduled(job.runAt));
    return inserted;
  }

  /** What `channel` can show (buttons, a share-contact button, edits). */
  capabilities(channel: string): ResolvedCapabilities {
    return this.services.capabilities(channel);
  }

  /** Runs `fn` once the unit has committed, before its messages are handed to the dispatcher (in-memory state that must follow the data). */
  afterCommit(fn: () => void): void {
    this.#afterCommit.push(fn);
  }

  /** Called by whoever ran the unit, after its transaction committed. */
  committed(): void {
    for (const fn of this.#afterCommit) fn();
    this.services.dispatch(this.outbox.queued);
  }
}

/**
 * Runs `fn` as one unit of work for `acting`: one transaction; once it commits, the after-commit
 * steps run and the queued messages go to the dispatcher. If `fn` throws, nothing is committed
 * or sent, and the error is passed on.
 */
export async function runUnit<T>(db: Database, services: CoreServices, acting: Acting, fn: (unit: Unit) => Promise<T>): Promise<T> {
  const { unit, value } = await db.transaction(async (tx) => {
    // What other instances learned about the staff group (moved, unreachable) holds here too.
    await services.staffChat.sync(tx);
    const unit = new Unit(tx, services, services.clock(), acting.person, acting.ref);
    return { unit, value: await fn(unit) };
  });
  unit.committed();
  return value;
}
