/**
 * The bot core: one entry point for every channel. `handle` takes what a person did, runs it as one
 * turn in one transaction (deduplicated by the event id, serialized per conversation), and hands
 * the queued messages to the dispatcher once committed.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqlOf, type Database, type Tx } from "../db/database.ts";
import type { I18n } from "../i18n/i18n.ts";
import { negotiateLocale, type Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import type { ChannelName, Inbound, InboundEvent, TurnResult } from "./channel.ts";
import { globalCommandOf, parseCommand } from "./dialog/commands.ts";
import { GROUP_CANCEL, questionTag } from "./dialog/dialog.ts";
import { DialogEngine, storedRunId, type FlowDef, type FlowStart } from "./dialog/engine.ts";
import { KeyedMutex } from "./keyed-mutex.ts";
import { FileStore, type KeptFile } from "./files/store.ts";
import { DOWNLOAD_TIMEOUT_MS, fetchFile } from "./files/fetch.ts";
import { recordStoredFile } from "./files/records.ts";
import { claimUpdate, deleteDialog, lastClaimedAt, loadDialog, loadMenu, pruneDelivered, pruneProcessed, tagOfSent, untagMessages, wasSent, type QueuedMessage } from "./bookkeeping.ts";
import type { Actor } from "./unit.ts";
import { firstContactStart, helpFlow, languageFlow, menuFlow } from "./menu.ts";
import { privacyFlow } from "./members/privacy.ts";
import { profileFlow } from "./members/profile.ts";
import { linkFlow } from "./identity/flows.ts";
import { joinFlow, registerFlow } from "./members/registration.ts";
import { Dispatcher, type DispatcherTimers } from "./outbox/dispatcher.ts";
import { adminTargets, ensureConfiguredAdmins, identify } from "./people.ts";
import { deny, rejectFlow, staffButton } from "./staff/decisions.ts";
import { isStaff } from "./staff/decide.ts";
import { pendingFlow } from "./staff/pending.ts";
import { notifyStaff, parseNoticeTag } from "./staff/notices.ts";
import { teamFlow } from "./staff/team.ts";
import { moveChat as moveStaffChat, StaffChat } from "./staff/staff-chat.ts";
import { foldLabel, looseLabel, render } from "./message.ts";
import { Turn } from "./turn.ts";
import { Jobs, pruneJobs } from "./jobs/jobs.ts";
import { JobWorker } from "./jobs/worker.ts";
import { runUnit, SYSTEM, Unit, type Acting, type CoreServices, type CoreSettings } from "./unit.ts";
import { isProblemButton, problemButton } from "./problems/buttons.ts";
import { routeThreadMessage } from "./problems/relay.ts";
import { activeFocus, touchFocus } from "./problems/focus.ts";
import { resendDropped } from "./problems/thread.ts";
import { MEMBER_FLOWS } from "./problems/member-flows.ts";
import { THREAD_FLOWS } from "./problems/thread-flows.ts";
import { STAFF_FLOWS } from "./problems/staff-flows.ts";
import { defineProblemJobs } from "./problems/jobs.ts";
import { eventButton, isEventButton } from "./events/member-buttons.ts";
import { MEMBER_EVENT_FLOWS } from "./events/member-flows.ts";
import { STAFF_EVENT_FLOWS } from "./events/staff-flows.ts";
import { COMPOSE_FLOWS } from "./broadcasts/compose-flows.ts";
import { OPTOUT_FLOWS } from "./broadcasts/optout-flows.ts";
import { broadcastButton, isBroadcastButton } from "./broadcasts/progress-buttons.ts";
import { defineEventJobs } from "./events/jobs.ts";
import { defineBroadcastJobs } from "./broadcasts/jobs.ts";

export const FLOWS: FlowDef<never>[] = [
  menuFlow,
  helpFlow,
  languageFlow,
  registerFlow,
  joinFlow,
  profileFlow,
  privacyFlow,
  pendingFlow,
  teamFlow,
  rejectFlow,
  ...MEMBER_FLOWS,
  ...THREAD_FLOWS,
  ...STAFF_FLOWS,
  ...STAFF_EVENT_FLOWS,
  ...MEMBER_EVENT_FLOWS,
  ...COMPOSE_FLOWS,
  ...OPTOUT_FLOWS,
  linkFlow,
] as FlowDef<never>[];

/** Commands offered in the platform's command menu, per audience. */
export const MEMBER_COMMANDS = ["start", "menu", "problem", "myproblems", "myevents", "stop", "subscribe", "link", "language", "help", "cancel"] as const;
export const STAFF_COMMANDS = ["pending", "problems", "stats", "events", "announce", "broadcasts", "help", "cancel"] as const;

/**
 * Staff commands that work in the staff group (everything else there is staff notices and replies).
 * Every command of STAFF_COMMANDS (the group's command menu) is here: /events and /announce answer
 * there that they are done privately, /broadcasts shows its first page (their flows say so).
 */
export const GROUP_COMMANDS: Record<string, string> = {
  pending: "pending",
  problems: "problems",
  stats: "stats",
  export: "export",
  events: "events",
  announce: "announce",
  broadcasts: "broadcasts",
  help: "help",
};

export interface CoreDeps {
  db: Database;
  i18n: I18n;
  log: Logger;
  settings: CoreSettings;
  clock?: () => Date;
  /**
   * Where files people send are kept (core/files). Default: a store in the OS temp directory
   * (tests; content-addressed, so sharing it is harmless). main.ts passes FILES_DIR's.
   */
  files?: FileStore;
  /** How long fetching one file a person sent may take before it counts as unavailable (ms). Default DOWNLOAD_TIMEOUT_MS. */
  downloadTimeoutMs?: number;
  /** The job worker (jobs/worker.ts): `start: false` leaves it stopped (tests tick it by hand). */
  jobs?: { start?: boolean; instance?: string; leaseMs?: number; pollMs?: number };
  /** The delivery engine's clock (tests: virtual time for paced channels). Default: real time. */
  dispatcherTimers?: DispatcherTimers;
}

/** Options of {@link Core.handle}. */
export interface HandleOptions {
  /**
   * The platform delivers the event again if it is not confirmed (Telegram's offset or webhook
   * status): a transient failure then throws {@link RetryLater} instead of apologizing.
   */
  redeliverable?: boolean;
}

/**
 * A turn failed for a reason that passes (the database locked or busy past its timeout, a
 * transaction timeout). Nothing was committed, so the same event must be handled again later:
 * do not confirm it to the platform.
 */
export class RetryLater extends Error {
  override name = "RetryLater";
  constructor(override readonly cause: unknown) {
    super("the turn failed transiently; handle the event again later", { cause });
  }
}

/**
 * Database failures that pass by themselves: SQLite busy/locked, Prisma's connection and transaction
 * timeouts; on PostgreSQL a lost or refused connection (server restart, failover: SQLSTATE class 08,
 * 57P01-57P03 shutdown, 53300 too many connections; Prisma P1001/P1017) and a write conflict. A raw
 * query's driver error sits in `meta.driverAdapterError` (Prisma P2010), so that is followed too.
 */
export function isTransient(error: unknown): boolean {
  const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  for (let e = error, depth = 0; e && depth < 8; e = next(e), depth++) {
    if (typeof e !== "object") return false;
    const { code, message, kind, meta } = e as { code?: unknown; message?: unknown; kind?: unknown; meta?: { code?: unknown } };
    for (const c of [code, meta?.code]) {
      if (typeof c === "string" && /^(SQLITE_BUSY|SQLITE_LOCKED|P1001|P1008|P1017|P2024|P2028|P2034|08...$|57P0[123]$|53300$|40001$|40P01$)/.test(c)) return true;
    }
    if (kind === "SocketTimeout" || kind === "TransactionWriteConflict") return true;
    if (kind === "ConnectionClosed" || kind === "DatabaseNotReachable" || kind === "TooManyConnections") return true;
    if (typeof message === "string" && /database (table )?is locked|SQLITE_BUSY|database is busy|timed out|Transaction already closed|expired transaction/i.test(message)) return true;
  }
  return false;
}

export interface Core {
  /**
   * Handles one inbound event; resolves once its effects are committed. A failed turn is rolled
   * back and the person gets the generic apology (sent directly if even the database's outbox
   * cannot take it); with `redeliverable`, a transient failure throws {@link RetryLater} instead.
   */
  handle(inbound: Inbound, opts?: HandleOptions): Promise<TurnResult>;
  /**
   * When the newest update was handled by any instance on this database (their dedup marks), or
   * undefined: a webhook's health compares Telegram's last delivery error with it, not with this
   * instance's own last update (behind a load balancer another instance may have taken them all).
   */
  lastHandledAt(): Promise<Date | undefined>;
  /** Whether the database answers a cheap read (of its schema) within `timeoutMs` (default 2 s). */
  health(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  readonly dispatcher: Dispatcher;
  /** Where kept files are (core/files). */
  readonly files: FileStore;
  readonly i18n: I18n;
  readonly settings: CoreSettings;
  /** The staff group now: as configured, or where it moved since (see staff/staff-chat.ts). */
  readonly staffChat: StaffChat;
  /** Applies configuration to the data (the configured admins) and reads what earlier runs learned (a moved staff group). */
  start(): Promise<void>;
  /** Waits for turns in progress (shutdown). */
  idle(): Promise<void>;
  /** Graceful stop of the core's own work: the job worker claims nothing more and its running job finishes; turns in progress finish. */
  stop(): Promise<void>;
  /** Job kinds (define more before `start`) and scheduling from a unit: `core.jobs.schedule(unit.tx, …, unit.now)`. */
  readonly jobs: Jobs;
  /** This instance's job worker (started by `start` unless `deps.jobs.start` is false). */
  readonly jobWorker: JobWorker;
  /**
   * Runs `fn` as one unit of work for `acting` outside any chat (a scheduled job, a dashboard's
   * HTTP handler): see unit.ts `runUnit`. Its messages are delivered once it commits.
   */
  run<T>(acting: Acting, fn: (unit: Unit) => Promise<T>): Promise<T>;
  /** Housekeeping, run at start and daily (the "prune" job): see {@link housekeeping}. */
  maintain(): Promise<void>;
}

/** The daily housekeeping job: 03:17 in Almaty (a quiet hour; not on the hour, when others run theirs). */
export const PRUNE_JOB = { kind: "prune", cron: "17 3 * * *" } as const;

/**
 * Housekeeping in `tx` at `now`: forgets dedup marks older than DEDUP_DAYS, finished jobs past
 * their retention (jobs/jobs.ts), and finished outbox rows older than `outboxRetentionDays` (issue
 * 6 item 4: kept until then for delivery reports). Returns how many rows each removed.
 */
export async function housekeeping(
  tx: Tx,
  now: Date,
  outboxRetentionDays = OUTBOX_RETENTION_DAYS,
): Promise<{ updates: number; jobs: number; outbox: number }> {
  const updates = await pruneProcessed(tx, new Date(now.getTime() - DEDUP_DAYS * 86_400_000));
  const jobs = await pruneJobs(tx, now);
  const outbox = await pruneDelivered(tx, new Date(now.getTime() - outboxRetentionDays * 86_400_000));
  return { updates, jobs, outbox };
}

/** Default of OUTBOX_RETENTION_DAYS. */
export const OUTBOX_RETENTION_DAYS = 30;

/** How long a handled update's id is remembered (redeliveries come within a day). */
export const DEDUP_DAYS = 7;

/** One conversation per private chat; in a group, one per member (their reply to a question is theirs). */
export function conversationKey(inbound: Inbound): string {
  return inbound.chatType === "private"
    ? `${inbound.channel}:${inbound.chatId}`
    : `${inbound.channel}:${inbound.chatId}:${inbound.userId}`;
}

/** The name of a conversation's lock across instances (Sql.lock). */
export const conversationLock = (key: string): string => `conversation:${key}`;

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? (() => new Date());
  const staffChat = new StaffChat(deps.settings.staffChat);
  const files = deps.files ?? new FileStore(join(tmpdir(), "qaz-textile-files"));
  const jobs = new Jobs().define(PRUNE_JOB.kind, async (unit) => void (await housekeeping(unit.tx, unit.now, deps.settings.outboxRetentionDays)), { cron: PRUNE_JOB.cron });
  defineProblemJobs(jobs);
  defineEventJobs(jobs);
  defineBroadcastJobs(jobs);
  const services: CoreServices = {
    i18n: deps.i18n,
    log: deps.log,
    clock,
    settings: deps.settings,
    staffChat,
    capabilities: (channel) => dispatcher.capabilitiesOf(channel),
    dispatch: (queued) => dispatcher.enqueue(queued),
    jobs,
    files,
  };
  const jobWorker = new JobWorker({ db: deps.db, services, jobs, ...deps.jobs });
  const engine = new DialogEngine(FLOWS);
  // Orders the turns of one conversation within this instance (no transaction waits on the
  // database for another of its own); across instances the conversation's lock does (`turn`).
  const mutex = new KeyedMutex();
  const { settings } = deps;
  const dispatcher: Dispatcher = new Dispatcher({
    db: deps.db,
    log: deps.log.child({ part: "dispatcher" }),
    onUnreachable: (channel, chatId, dropped, reason) => staffChatUnreachable(channel, chatId, dropped, reason),
    onMoved: (channel, from, to) => chatMovedOnSend(channel, from, to),
    files,
    ...(deps.dispatcherTimers ? { timers: deps.dispatcherTimers } : {}),
  });

  /** A chat has a new id: staff/staff-chat.ts `moveChat`; queued messages follow it once the unit commits. */
  const moveChat = (unit: Unit, channel: ChannelName, from: string, to: string) =>
    moveStaffChat(unit, channel, from, to, () => dispatcher.redirect(channel, from, to));

  /** A send was refused because the chat has a new id: the same move, found on the sending side. */
  async function chatMovedOnSend(channel: string, from: string, to: string): Promise<void> {
    await runUnit(deps.db, services, SYSTEM, (unit) => moveChat(unit, channel as ChannelName, from, to));
  }

  /**
   * The staff group refused a message (the bot was removed, or STAFF_CHAT_ID is wrong): from now on
   * until the next start, staff are notified privately, by every instance (recorded in the
   * database); the notices that were dropped are sent to them, and admins are told once.
   */
  async function staffChatUnreachable(channel: string, chatId: string, dropped: QueuedMessage[], reason: string): Promise<void> {
    if (!staffChat.is(channel, chatId)) return;
    deps.log.error("the staff chat cannot be reached; notifying staff privately (is the bot in the group? is STAFF_CHAT_ID right?)", { reason, chat: chatId });
    await runUnit(deps.db, services, SYSTEM, async (unit) => {
      const firstTime = await staffChat.recordDown(unit.tx, { channel: channel as ChannelName, chatId }, unit.now);
      // The dropped notices below go to staff privately: `target` must say so within this unit already.
      staffChat.fellDown();
      if (firstTime) {
        for (const target of await adminTargets(unit.tx, settings.defaultLocale)) await unit.outbox.send(target, { text: "staff-chat-unreachable" });
      }
      for (const row of dropped) {
        const notice = parseNoticeTag(row.tag);
        if (notice) await notifyStaff(unit, notice.kind, notice.id);
        // A problem's post or a member's message relayed into its thread: to staff privately now.
        await resendDropped(unit, row.tag);
      }
    });
  }

  const isStaffChat = (inbound: Inbound) => staffChat.is(inbound.channel, inbound.chatId);

  /** What a turn returns: the adapter's result, and the unit to commit (none when nothing was done). */
  type TurnOutcome = { result: TurnResult; unit?: Unit };

  /** A chat turn's unit: the sender as the actor, answering in `inbound`'s chat. */
  function turnOf(tx: Tx, inbound: Inbound, now: Date, actor: Actor | null, locale: Locale): Turn {
    const unit = new Unit(tx, services, now, actor, `${inbound.channel}:${inbound.userId}`, { channel: inbound.channel, chatId: inbound.chatId });
    return new Turn(unit, inbound, locale);
  }

  /**
   * The pre-step of a file event (issue 7, "Files are downloaded and kept by the bot"): its bytes
   * are fetched through the channel and kept before the turn's transaction opens (no download
   * inside a transaction). Returns the event with `refused` set, or the file kept (the turn
   * records its row and sets `stored`). Not fetched (returned as is): files in a group that are
   * no reply, in no thread and no album (chatter the turn ignores) and in groups other than the staff group.
   * A redelivered update may fetch again: the store is content-addressed, so that is harmless.
   */
  async function fetchInbound(inbound: Inbound): Promise<{ inbound: Inbound; kept?: KeptFile }> {
    if (inbound.event.type !== "file") return { inbound };
    // Only the core says what a file is: whatever an adapter put there is dropped.
    const { stored: _stored, refused: _refused, ...event } = inbound.event;
    inbound = { ...inbound, event };
    // In a group only the staff group's thread files are fetched. An album's later parts may come
    // without the reply its first part carries (relay.ts finds their problem by the album), so a
    // part of an album in the staff group is fetched too.
    if (inbound.chatType === "group" && (!isStaffChat(inbound) || (!inbound.replyTo && !inbound.threadId && !inbound.mediaGroup))) return { inbound };
    const sender = dispatcher.sender(inbound.channel);
    const outcome = await fetchFile(event.file, sender, files, { timeoutMs: deps.downloadTimeoutMs ?? DOWNLOAD_TIMEOUT_MS, log: deps.log });
    if ("refused" in outcome) return { inbound: { ...inbound, event: { ...event, refused: outcome.refused } } };
    return { inbound, kept: outcome.kept };
  }

  async function turn(tx: Tx, inbound: Inbound, key: string, kept?: KeptFile): Promise<TurnOutcome> {
    // Before anything is read: another instance handling this conversation's previous update holds
    // the lock until it commits, so this turn then reads its dedup mark and dialog state (the
    // in-process mutex below orders the turns of one instance; this, those of all instances).
    await sqlOf(tx).lock(conversationLock(key));
    // What other instances learned about the staff group (moved, unreachable) holds in this turn.
    await staffChat.sync(tx);
    const now = clock();
    if (inbound.id && !(await claimUpdate(tx, inbound.id, now))) return { result: { duplicate: true } };
    if (inbound.event.type === "reachability") {
      // The platform reports a block or an unblock: recorded, nobody answered (a blocked chat cannot be).
      await tx.channelIdentity.updateMany({ where: { channel: inbound.channel, externalId: inbound.userId }, data: { reachable: inbound.event.reachable } });
      return { result: {} };
    }
    if (inbound.event.type === "chat-moved") {
      // Nobody acted: the platform reports the move. Work of the bot itself, in this update's transaction.
      const unit = new Unit(tx, services, now, SYSTEM.person, SYSTEM.ref);
      await moveChat(unit, inbound.channel, inbound.event.from, inbound.event.to);
      return { result: {}, unit };
    }
    // The bot answers in private chats and in the staff group; other groups are not its business.
    if (inbound.chatType === "group" && !isStaffChat(inbound)) {
      if (await repliesToStaffChat(tx, inbound)) return replyElsewhere(tx, inbound, now);
      return { result: elsewhere(inbound) };
    }
    if (inbound.asGroup) return anonymousInGroup(tx, inbound, now);
    // A channel reopening a chat that waits for nothing: nobody to greet, and no one to record.
    if (inbound.event.type === "resume" && !(await loadDialog(tx, key))) return { result: {} };
    if (kept && inbound.event.type === "file") {
      // The file fetched before the transaction: its row, with this channel's id for it (reused to send it again).
      const ref = inbound.event.file;
      const stored = await recordStoredFile(tx, kept, now, ref.reusable === false ? undefined : { channel: inbound.channel, platformId: ref.platformId });
      inbound = { ...inbound, event: { ...inbound.event, stored } };
    }
    const actor = await identify(tx, inbound, now);
    const locale: Locale = actor?.locale ?? negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
    const t = turnOf(tx, inbound, now, actor, locale);
    const event = await typedChoice(t, inbound.event, key, engine.idleFlow);

    // A problem's thread is data, not a dialog: its messages are routed before the engine runs.
    if (event.type !== "choice" && (await routeThreadMessage(t, key, event))) return { result: result(t), unit: t.unit };

    if (event.type === "choice" && (event.data.startsWith("s:") || isProblemButton(event.data) || isEventButton(event.data) || isBroadcastButton(event.data))) {
      const start = event.data.startsWith("s:")
        ? await staffButton(t, event.data)
        : isEventButton(event.data)
          ? await eventButton(t, event.data)
          : isBroadcastButton(event.data)
            ? await broadcastButton(t, event.data)
            : await problemButton(t, event.data);
      // In the group a question waits for one answer only: a new press replaces it, so that a
      // question nobody can answer any more (deleted, or asked of an anonymous admin) blocks nothing.
      if (start && inbound.chatType === "group") {
        await deleteDialog(tx, key);
        await forgetQuestions(t);
      }
      if (start && !(await startFlow(t, key, start))) {
        t.notice = t.t("staff-finish-current");
      }
    } else if (inbound.chatType === "group") {
      // In the staff group: answers to a question the bot asked this member, and staff commands.
      if (event.type === "choice" && event.data.startsWith(GROUP_CANCEL)) {
        // The Cancel button of a question asked in the group: pressed by the one it was asked of
        // (a press carries the real person, even an anonymous admin), it leaves their question.
        const waiting = await loadDialog(tx, key);
        if (waiting && storedRunId(waiting.state) === event.data.slice(GROUP_CANCEL.length)) {
          await engine.handle(t, key, { type: "text", text: "/cancel" }, () => null);
          t.consumed = true;
        } else {
          t.notice = t.t("group-nothing-to-cancel");
        }
        await settleGroupQuestions(t, key);
        return { result: result(t), unit: t.unit };
      }
      if (event.type === "text" && !parseCommand(event.text) && (await loadDialog(tx, key)) && !(await repliesToQuestion(t))) {
        // A remark replying to another message (a notice) is not the answer to this member's question.
        await t.unit.outbox.send(t.here, { text: "group-reply-to-question" });
        return { result: {}, unit: t.unit };
      }
      await engine.handle(t, key, event, async () => {
        const name = event.type === "text" ? parseCommand(event.text)?.name : undefined;
        const flow = name ? GROUP_COMMANDS[name] : undefined;
        if (!flow) return null; // ordinary chatter
        if (await isStaff(t.unit)) return { flow };
        await deny(t, `command-${name}`);
        return null;
      });
      await settleGroupQuestions(t, key);
    } else {
      // A channel reopening the chat (the console's start or `/as NAME`) shows the waiting question
      // again, which saves the dialog: the person did not move, so a problem they had open (staff's
      // `/problem <ref>`, "Write to staff") stays open (focus.ts ends a focus older than the dialog).
      const focused = event.type === "resume" ? await activeFocus(tx, key, now) : null;
      // No language known yet (WhatsApp gives no hint): the language first, then what was asked (menu.ts).
      const first = () => (actor && !actor.locale ? firstContactStart(event, deps.i18n, locale) : null);
      await engine.handle(t, key, event, () => first() ?? privateStart(event));
      if (focused !== null) await touchFocus(tx, key, now);
    }
    return { result: result(t), unit: t.unit };
  }

  /**
   * A button pressed in a group that is not the staff group (a wrong STAFF_CHAT_ID, or a move the
   * bot did not hear of) is answered, not met with silence; other messages there are ignored.
   */
  function elsewhere(inbound: Inbound): TurnResult {
    if (inbound.event.type !== "choice") return {};
    deps.log.warn("a button was pressed in a group that is not the staff group (is STAFF_CHAT_ID right?)", {
      chat: inbound.chatId,
      staffChat: staffChat.current?.chatId ?? null,
    });
    const locale = negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
    return { notice: deps.i18n.t(locale, "group-not-staff-chat") };
  }

  /**
   * A message replying, in a group that is not the staff group, to a message the bot sent to the
   * staff group: the group was moved (a supergroup) without the bot hearing of it, and a staff
   * member is answering its question there. Telegram keeps message ids across the move.
   */
  async function repliesToStaffChat(tx: Tx, inbound: Inbound): Promise<boolean> {
    const staff = staffChat.current;
    if (!inbound.replyTo || inbound.event.type !== "text" || !staff || staff.channel !== inbound.channel) return false;
    return wasSent(tx, staff.channel, staff.chatId, inbound.replyTo);
  }

  /** Says, in that group, what a press there is told (see `elsewhere`), rather than dropping the answer. */
  async function replyElsewhere(tx: Tx, inbound: Inbound, now: Date): Promise<TurnOutcome> {
    deps.log.warn("a reply to the staff group's messages came from a group that is not the staff group (is STAFF_CHAT_ID right?)", {
      chat: inbound.chatId,
      staffChat: staffChat.current?.chatId ?? null,
    });
    const t = turnOf(tx, inbound, now, null, negotiateLocale(inbound.languageHint) ?? settings.defaultLocale);
    await t.unit.outbox.send(t.here, { text: "group-not-staff-chat" });
    return { result: {}, unit: t.unit };
  }

  /**
   * An anonymous admin's message that does not answer a question of theirs (see `handle`): the bot
   * cannot tell who wrote it, so a command gets a plain explanation of what to do; chatter is ignored.
   */
  async function anonymousInGroup(tx: Tx, inbound: Inbound, now: Date): Promise<TurnOutcome> {
    const event = inbound.event;
    if (event.type !== "text" || (!parseCommand(event.text) && !globalCommandOf(event.text, deps.i18n, settings.defaultLocale))) return { result: {} };
    const t = turnOf(tx, inbound, now, null, settings.defaultLocale);
    await t.unit.outbox.send(t.here, { text: "group-anonymous-unknown" });
    return { result: {}, unit: t.unit };
  }

  /**
   * Once a member's question in the group is over (answered, cancelled or replaced), replies to it
   * no longer count as answers: its messages are forgotten, so that a late reply to an old question
   * is not taken as the answer to a newer one.
   */
  async function settleGroupQuestions(t: Turn, key: string): Promise<void> {
    if (!(await loadDialog(t.unit.tx, key))) await forgetQuestions(t);
  }

  /** Forgets the questions the bot asked this member in this group. */
  async function forgetQuestions(t: Turn): Promise<void> {
    await untagMessages(t.unit.tx, questionTag(t.inbound));
  }

  /**
   * Whose question an anonymous admin's message answers: a reply to the question the bot asked
   * member U in the group is U's answer (only admins can post anonymously, and every decision is
   * checked against U's role again). Not a reply to such a question: left anonymous.
   */
  async function asQuestionOwner(inbound: Inbound): Promise<Inbound> {
    if (!inbound.replyTo) return inbound;
    const prefix = questionTag({ channel: inbound.channel, chatId: inbound.chatId, userId: "" });
    const tag = await deps.db.transaction((tx) => tagOfSent(tx, inbound.channel, inbound.chatId, inbound.replyTo!, prefix));
    if (!tag) return inbound;
    const { asGroup: _anonymous, ...rest } = inbound;
    return { ...rest, userId: tag.slice(prefix.length) };
  }

  /** Starts a flow unless the conversation is busy with another task (the menu does not count). */
  async function startFlow(t: Turn, key: string, start: FlowStart): Promise<boolean> {
    const active = await engine.activeFlow(t, key);
    if (active && active !== engine.idleFlow) return false;
    if (active) await deleteDialog(t.unit.tx, key);
    await engine.handle(t, key, { type: "text", text: "" }, () => start);
    return true;
  }

  /**
   * Tells the person their action failed, through the outbox; if the database cannot take even
   * that, straight through the channel's sender (private chats and the staff group only).
   */
  async function apologize(inbound: Inbound): Promise<void> {
    try {
      const unit = await deps.db.transaction(async (tx) => {
        const actor = inbound.chatType === "private" ? await identify(tx, inbound, clock()) : null;
        const locale = actor?.locale ?? negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
        const t = turnOf(tx, inbound, clock(), actor, locale);
        await t.unit.outbox.send(t.here, { text: "error-generic" });
        return t.unit;
      });
      unit.committed();
      return;
    } catch (error) {
      deps.log.error("could not queue the apology; sending it directly", { error });
    }
    if (inbound.chatType !== "private" && !isStaffChat(inbound)) return;
    const sender = dispatcher.sender(inbound.channel);
    const locale = negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
    try {
      await sender?.deliver(inbound.chatId, { kind: "send", message: { text: render(deps.i18n, locale, "error-generic") } });
    } catch (error) {
      deps.log.error("could not even apologize", { error });
    }
  }

  return {
    dispatcher,
    files,
    i18n: deps.i18n,
    settings,
    staffChat,
    async start() {
      await staffChat.load(deps.db, deps.log);
      // Instances starting at once take turns: each would create the same configured admins
      // (found by test/e2e/cluster.test.ts: a unique-key failure ended the second instance).
      const removed = await deps.db.transaction(async (tx) => {
        await sqlOf(tx).lock("core:start");
        return ensureConfiguredAdmins(tx, settings.admins);
      });
      if (removed) deps.log.warn("admins no longer in the configuration lost the role", { count: removed });
      await this.maintain();
      if (deps.jobs?.start !== false) jobWorker.start();
    },
    async maintain() {
      const pruned = await deps.db.transaction((tx) => housekeeping(tx, clock(), deps.settings.outboxRetentionDays));
      if (pruned.updates || pruned.jobs || pruned.outbox) deps.log.info("housekeeping", pruned);
    },
    idle: () => mutex.idle(),
    async stop() {
      await jobWorker.stop();
      await mutex.idle();
    },
    jobs,
    jobWorker,
    run: (acting, fn) => runUnit(deps.db, services, acting, fn),
    lastHandledAt: () => deps.db.transaction((tx) => lastClaimedAt(tx)),
    async health(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([deps.db.transaction((tx) => tx.$queryRawUnsafe(`SELECT 1 FROM "_prisma_migrations" LIMIT 1`)), timeout]);
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    },
    async handle(received, opts = {}) {
      let inbound = received;
      // Rare (an anonymous admin in a group): worth a read, so that a move another instance heard of counts.
      if (inbound.asGroup) {
        await deps.db.transaction((tx) => staffChat.sync(tx)).catch((error: unknown) => deps.log.warn("could not read the staff group's state", { error }));
      }
      if (inbound.asGroup && isStaffChat(inbound)) {
        // Resolved before the conversation is chosen: the answer belongs to its owner's conversation.
        try {
          inbound = await asQuestionOwner(inbound);
        } catch (error) {
          deps.log.error("could not look up the question an anonymous message replies to", { error });
        }
      }
      const key = conversationKey(inbound);
      return mutex.run(key, async () => {
        // In the conversation's order (an album's photos before the "Done" typed after them), outside any transaction.
        const fetched = await fetchInbound(inbound);
        inbound = fetched.inbound;
        try {
          const { result, unit } = await deps.db.transaction((tx) => turn(tx, inbound, key, fetched.kept));
          unit?.committed();
          return result;
        } catch (error) {
          // Rolled back: the conversation stays where it was. Either the platform delivers the
          // event again later, or the person is told to try again: never a silent loss.
          if (opts.redeliverable && isTransient(error)) {
            deps.log.warn("turn failed transiently; the event will come again", { error, channel: inbound.channel, event: inbound.event.type });
            throw new RetryLater(error);
          }
          deps.log.error("turn failed", { error, channel: inbound.channel, event: inbound.event.type });
          await apologize(inbound);
          return {};
        }
      });
    },
  };
}

function result(t: Turn): TurnResult {
  return { ...(t.notice ? { notice: t.notice } : {}), ...(t.consumed ? { consumed: true } : {}) };
}

/** Whether a group message replies to the question the bot asked its sender there. */
async function repliesToQuestion(t: Turn): Promise<boolean> {
  if (!t.inbound.replyTo) return false;
  const tag = questionTag(t.inbound);
  return (await tagOfSent(t.unit.tx, t.inbound.channel, t.inbound.chatId, t.inbound.replyTo, tag)) === tag;
}

/**
 * What to start in a private chat with no flow waiting: the main menu, greeting on /start or a
 * first message; a pressed menu button or a command is handed on to it. Nothing on a "resume".
 */
function privateStart(event: InboundEvent): FlowStart | null {
  // The channel reopened a chat that waits for nothing: nothing to show again.
  if (event.type === "resume") return null;
  // A file with nothing waiting for it: the menu, with where files can be sent.
  if (event.type === "file") return { flow: "menu", args: { file: true } };
  if (event.type === "choice") return { flow: "menu", supply: true };
  if (event.type === "text") {
    const cmd = parseCommand(event.text);
    if (cmd && cmd.name !== "start" && cmd.name !== "menu") return { flow: "menu", supply: true };
  }
  return { flow: "menu", args: { greet: true } };
}

/**
 * A typed "2" or a typed button label means that button (the console and WhatsApp show buttons as
 * numbered lists; see Turn.numberChoices). Not in groups: there a typed answer is text.
 * - With real buttons, the chat's menu holds the newest question's buttons, numbered from 1.
 * - Without, it holds every option still shown, each with its own number: the current question's
 *   and those of notices not yet decided. A label typed is the current question's first, then any
 *   other option's when only one has it. While the person answers a question of their own that
 *   takes text, what they type is their answer, never a press of a notice's button.
 */
export async function typedChoice(t: Turn, event: InboundEvent, key: string, idleFlow: string): Promise<InboundEvent> {
  if (event.type !== "text" || t.inbound.chatType !== "private") return event;
  const menu = await loadMenu(t.unit.tx, t.inbound.channel, t.inbound.chatId);
  if (!menu) {
    t.unit.outbox.knowNoMenu(t.inbound.channel, t.inbound.chatId);
    return event;
  }
  const numbered = menu.choices.some((c) => c.n !== undefined);
  const current = numbered ? menu.choices.filter((c) => c.tag === undefined) : menu.choices;
  if (numbered ? !current.length : menu.foreign) {
    // Only notices' options are live: a typed "1" in the middle of a question is its answer.
    const waiting = await loadDialog(t.unit.tx, key);
    if (waiting && waiting.flow !== idleFlow) return event;
  }
  const press = (c: { data: string } | undefined): InboundEvent => (c ? { type: "choice", data: c.data } : event);
  // Full-width digits ("２") and keycap emoji ("2️⃣") are the same number (NFKC, keycap marks dropped).
  const number = /^\s*(\d{1,3})\s*[.)]?\s*$/.exec(event.text.normalize("NFKC").replace(/[\ufe0f\u20e3]/g, ""));
  // A question whose answer is a number ("how many delegates?"): "2" means two (MessageSpec.numeric).
  if (number && menu.numeric) return event;
  if (number) {
    const n = Number(number[1]);
    return press(numbered ? menu.choices.find((c) => c.n === n) : menu.choices[n - 1]);
  }
  const folded = looseLabel(foldLabel(event.text));
  if (!folded) return event;
  // Compared loosely ("казакша" is "қазақша"): message.ts looseLabel.
  const matches = (c: { match: string[] }) => c.match.some((m) => looseLabel(m) === folded);
  const mine = current.find(matches);
  if (mine) return press(mine);
  const others = menu.choices.filter(matches);
  return others.length === 1 ? press(others[0]) : event;
}
