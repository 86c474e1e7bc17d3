/**
 * The delivery engine. A unit writes its messages to the Outbox table in its own transaction; this
 * engine sends them. The table is the queue, shared by every bot instance on the database: nothing
 * is held in memory beyond the rows being sent (at most `concurrency` per channel).
 *
 * - Rows: status queued → sending (claimed, with a lease) → sent | failed | unreachable; a
 *   broadcast's rows may also be `held` (paused: never claimed, holding back nothing) and
 *   `cancelled` (finished, never sent) by core/broadcasts. Finished
 *   rows are kept (chat, lane, times, the platform's message id, the last error) for reports, and
 *   pruned after OUTBOX_RETENTION_DAYS by `pruneDelivered` (bookkeeping.ts), a scheduled job. Their
 *   content (payload) is cleared when they finish: message texts carry personal data, which an
 *   erasure must not leave behind in a delivery log.
 * - Claim: one atomic `UPDATE … WHERE id IN (SELECT … ORDER BY priority, id LIMIT n) RETURNING`
 *   (with `FOR UPDATE SKIP LOCKED` on PostgreSQL) per batch, after rows `sending` under an expired
 *   lease (a crashed instance's) are queued again in the same transaction. A row is claimable when
 *   it is queued and due (notBefore), and no earlier
 *   unfinished row of its chat waits in its lane or a more urgent one: the conversation lane waits
 *   only for itself, notices for the conversation and notices, bulk for all. So a row waiting for
 *   a retry or a later time holds back only the later rows of its chat (never other chats, never
 *   the chat's conversation), and an edit (notice lane) never overtakes its copy.
 * - Pace: the channel's declared limits (ChannelCapabilities.limits) as token buckets in the
 *   OutboxPace table, charged per platform message (ChannelCapabilities.messageCount: an album of
 *   ten photos is ten messages to Telegram, a text split in three is three), taken in the claim's transaction (on PostgreSQL the global bucket's row is
 *   locked FOR UPDATE, so instances share it). A rate-limit answer (429) pauses its scope (every
 *   chat, or that chat) in the table until `retry_after` has passed: the row goes back to queued
 *   without counting an attempt, and this instance sends nothing more of that scope meanwhile.
 *   The conversation lane goes first within the budget (priority 0).
 * - Pause between chats: a channel that declares `limits.chatSwitch` (WhatsApp) sends to one chat
 *   at a time: a row of another chat than the last one is claimed only once `pauseMs` plus a
 *   random 0..`jitterMs` (drawn at each change of chat) have passed since the last send ended (or,
 *   for another instance, was claimed), and no send to another chat is in flight; the rows the
 *   last chat had queued when its run began go on without it (a turn's several answers), its later
 *   rows wait for the pause like any other chat's (a chat that keeps writing must not hold every
 *   other chat back). The state (the delay drawn, when the next chat may go, the last chat and its
 *   run's last row) is in OutboxPace (keys SWITCH and LAST), locked in the claim, so
 *   instances share it. Rows are claimed only when they may be sent at once: nothing claimed waits
 *   out a pause inside its lease (no send aborted at SEND_DEADLINE_MS and sent again). The
 *   conversation lane still goes first, at the next change of chat.
 * - First messages: a channel that declares `limits.firstMessages` (WhatsApp) counts its notice and
 *   bulk rows to chats whose person has not written within `quietMs` (ChannelIdentity.lastInboundAt;
 *   no identity counts too) in DailyCounter per Asia/Almaty day; over `perDay`, such a row is put
 *   back with notBefore at the start of the next day (not failed, not retried before). Counted once
 *   per row, at its first claim (a retry does not count again; a row handed back unsent, e.g. while
 *   the session is down, is taken off the count, since its next claim counts it). Conversation answers never count.
 * - Paid mode: a channel that declares `limits.paid` (Telegram's paid broadcasts, when the operator
 *   turned them on) gets its bulk-lane rows sent flagged (OutboundMessage.paid) and charged to a
 *   bucket of their own (key PAID) instead of the global one, at their own rate; the other lanes
 *   keep the global budget to themselves. A global 429 to a paid message pauses the paid ones only.
 * - Results (sent with its message id, retries, failures) are written in the next claim's
 *   transaction: while sends are in flight, at most one transaction per FLUSH_MS; the end of the
 *   last send in flight is written (and the rows committed meanwhile claimed) at once, so a lone
 *   member's answer never waits for a batch.
 * - Lease: LEASE_MS; a send is aborted at SEND_DEADLINE_MS, so it ends (and its result is
 *   written) within its lease, and no live instance loses a row mid-send to another.
 * - Wake-up: `enqueue` (a unit committed rows) claims at once (with the batch while sends are in
 *   flight, see above); otherwise the engine waits for the
 *   earliest due time, lease expiry or pause end it can see, and polls every `pollMs` for rows
 *   other instances queued.
 * - Files and anchors: a row's files (MessageSpec.files) are read from the file store when it is
 *   sent, with this channel's id for each when known; an anchored row replies to its anchor's
 *   message, in its thread, as SentMessage records them then (any instance reads the same). A
 *   tagged row's thread and every message id of its delivery are recorded in SentMessage, and the
 *   channel's new file ids in StoredFile. A thread that is gone (a deleted forum topic) does not
 *   lose the message: the adapter sends it to the chat itself and says so (Delivered.threadLost),
 *   and the chat's SentMessage rows stop naming that thread.
 * - At-least-once: a send whose answer is lost (a crash, an abort at stop, a lease that expired
 *   mid-send) is sent again; nothing else is sent twice.
 * - Stop: no new claims; sends in flight get `graceMs`, then are aborted; their rows are handed
 *   back (queued, lease cleared) before `stop` resolves.
 */
import { randomUUID } from "node:crypto";
import { DateTime } from "luxon";
import { forUpdate, sqlOf, type Database, type Sql, type Tx } from "../../db/database.ts";
import type { Logger } from "../../log.ts";
import type { Lane, QueuedMessage } from "../bookkeeping.ts";
import {
  DEFAULT_CAPABILITIES,
  DeliveryError,
  type ChannelCapabilities,
  type ChannelName,
  type ChatSwitch,
  type ChannelSender,
  type LimitScope,
  type RateLimit,
  type ResolvedCapabilities,
} from "../channel.ts";
import { markUnreachable } from "../people.ts";
import { forgetPace, LANE_PRIORITY, PART_SUFFIX } from "../bookkeeping.ts";
import { outboundFiles, recordPlatformIds } from "../files/records.ts";
import type { FileStore } from "../files/store.ts";
import type { QueuedPayload, SendPayload } from "./outbox.ts";
import { ZONE } from "../time.ts";

/** Time as the dispatcher sees it; a fake one in tests makes waits instant and exact. */
export interface DispatcherTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (the dispatcher may stop waiting earlier, at stop). */
  wait(ms: number): Promise<void>;
}

export interface DispatcherOptions {
  db: Database;
  log: Logger;
  /** Default: real time. */
  timers?: DispatcherTimers;
  /** Rows sent at the same time (and so held in memory at most), per channel. Default 16. */
  concurrency?: number;
  /** Attempts before a message that keeps failing transiently is given up (status failed). Default 15. */
  maxAttempts?: number;
  /**
   * How long a claim holds a row before another instance may take it over (ms). Default and least:
   * LEASE_MS (30 s); a shorter one is raised to it, so that no send outlives its lease.
   */
  leaseMs?: number;
  /** How often the table is read for rows queued by other instances (ms, real time). Default 500. */
  pollMs?: number;
  /** This instance's name in `leasedBy`. Default: random. */
  instanceId?: string;
  /** Told about a chat that cannot be reached, with the messages dropped for it. */
  onUnreachable?: (channel: string, chatId: string, dropped: QueuedMessage[], reason: string) => Promise<void>;
  /** Told when a channel cannot send at all (a revoked token); its messages stay queued. */
  onFatal?: (channel: string, reason: string) => void;
  /**
   * Told that a chat refused a message because it has a new id (a group upgraded to a supergroup);
   * expected to move what is recorded about it (its outbox rows included). The refused message is
   * then delivered to the new id, in its place in the order.
   */
  onMoved?: (channel: string, from: string, to: string) => Promise<void>;
  /** Where kept files are (core/files): a message's files are read from it when it is delivered. */
  files?: FileStore;
  /** A number in [0, 1) for the pause's jitter (ChannelCapabilities.limits.chatSwitch). Default Math.random. */
  random?: () => number;
}

/**
 * The longest a send may take: the engine aborts it then (counted as a failed attempt, retried).
 * The Telegram sender gives up by itself at 20 s (channels/telegram SEND_TIMEOUT_SECONDS); this
 * bounds every sender, whatever its own timeout.
 */
export const SEND_DEADLINE_MS = 20_000;
/** Time left in a lease after the longest send for its result to be written (a batch, a busy database). */
const RESULT_MARGIN_MS = 10_000;
/**
 * A claim's lease, and the least one allowed: longer than the longest send plus the result's write,
 * so that a live instance never loses a row mid-send to another (which would send it twice); no
 * longer, because after a crash the rows the dead instance had claimed (a member's answer) wait for it.
 */
export const LEASE_MS = SEND_DEADLINE_MS + RESULT_MARGIN_MS;
/** How long sends in flight may finish at stop before they are aborted. */
export const STOP_GRACE_MS = 5000;
/** A channel that reported a fatal failure is not tried again for this long. */
const FATAL_PAUSE_MS = 60_000;
/** Results are written at most once per this many ms while other sends are still in flight. */
const FLUSH_MS = 20;
const UNFINISHED = `('queued', 'sending')`;

const realTimers: DispatcherTimers = {
  now: () => Date.now(),
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A claimed row, as the claim returns it. */
interface Claimed extends QueuedMessage {
  priority: number;
}

/** What became of a send, written in the next batch. */
type Result =
  | {
      id: number;
      kind: "sent";
      messageId: string | null;
      tagged?: { tag: string; chatId: string; locale: string | null; threadId?: string; others?: string[] };
      /** The channel's ids for the files sent (StoredFile.platformIds). */
      platformIds?: { fileId: number; platformId: string }[];
    }
  | { id: number; kind: "retry"; attempts: number; notBefore: Date; error: string }
  | { id: number; kind: "failed"; error: string }
  /** Back to queued as it was (rate limit, stop, a chat that moved): no attempt counted. */
  | { id: number; kind: "release" };

/** A row as read back from either provider. */
interface RawRow {
  id: number | string;
  chatId: string;
  payload: string;
  tag: string | null;
  locale: string | null;
  attempts: number | string;
  notBefore: string | Date | null;
  lane: string;
  priority: number | string;
}

const toRow = (channel: string, r: RawRow): Claimed => ({
  id: Number(r.id),
  channel,
  chatId: r.chatId,
  payload: r.payload,
  tag: r.tag,
  locale: r.locale,
  attempts: Number(r.attempts),
  notBefore: r.notBefore === null ? null : new Date(r.notBefore),
  lane: r.lane as Lane,
  priority: Number(r.priority),
});

const RETURNED = `"id", "chatId", "payload", "tag", "locale", "attempts", "notBefore", "lane", "priority"`;

/** The claim: heads of their chat's lanes, due, not paced, most urgent first (see the header). */
const claimSql = (provider: Sql["provider"], lanes = "", oneChat = false) => `UPDATE "Outbox" SET "status" = 'sending', "leaseUntil" = ?, "leasedBy" = ?, "updatedAt" = ?
  WHERE "id" IN (
    SELECT o."id" FROM "Outbox" o
    WHERE o."channel" = ? AND o."status" = 'queued'
      AND (o."notBefore" IS NULL OR o."notBefore" <= ?)${lanes}${oneChat ? ` AND o."chatId" = ? AND o."id" <= ?` : ""}
      AND NOT EXISTS (SELECT 1 FROM "Outbox" e WHERE e."channel" = o."channel" AND e."chatId" = o."chatId"
        AND e."status" IN ${UNFINISHED} AND e."id" < o."id" AND e."priority" <= o."priority")
      AND NOT EXISTS (SELECT 1 FROM "OutboxPace" p WHERE p."channel" = o."channel" AND p."key" = o."chatId" AND p."readyAt" > ?)
    ORDER BY o."priority", o."id" LIMIT ?${forUpdate(provider, { skipLocked: true })}
  ) RETURNING ${RETURNED}`;
const CLAIM = { sqlite: claimSql("sqlite"), postgresql: claimSql("postgresql") };
/**
 * The claim of one chat's rows up to a row id (a channel with a pause between chats, while the next
 * chat must wait): the rest of the turn that opened the chat's run, nothing queued after it.
 */
const CLAIM_CHAT = { sqlite: claimSql("sqlite", "", true), postgresql: claimSql("postgresql", "", true) };
/**
 * The claims of paid mode (ChannelCapabilities.limits.paid), one per budget: the rows of the other
 * lanes within the global budget, the bulk rows within the paid one. Separate, so that neither
 * kind fills the other's claim while its own budget is empty (bulk rows stuck behind a
 * conversation waiting for global tokens, or the reverse).
 */
// By priority, which the lane sets (LANE_PRIORITY): a range of the claim's index (channel, status,
// priority, id), so that neither claim walks through the other's rows (10,000 queued bulk rows).
const NOT_BULK = ` AND o."priority" < ${LANE_PRIORITY.bulk}`;
const BULK = ` AND o."priority" >= ${LANE_PRIORITY.bulk}`;
const CLAIM_FREE = { sqlite: claimSql("sqlite", NOT_BULK), postgresql: claimSql("postgresql", NOT_BULK) };
const CLAIM_PAID = { sqlite: claimSql("sqlite", BULK), postgresql: claimSql("postgresql", BULK) };

/** A token bucket as stored in OutboxPace. */
export interface Bucket {
  tokens: number;
  at: number;
  pausedUntil: number;
}

/** The key of a channel's global bucket (chat ids are never empty). */
const GLOBAL = "";
/** The key of a channel's paid bucket (ChannelCapabilities.limits.paid); no chat id starts with "*". */
const PAID = "*paid";
/**
 * The pause between chats (ChannelCapabilities.limits.chatSwitch): `tokens` is the delay drawn for
 * the current chat (ms), `at` the last claim, `readyAt` when another chat may go. Locked in the claim.
 */
const SWITCH = "*switch";
/**
 * The last chat sent to: the one row whose key is LAST followed by its chat id; its `tokens` hold the
 * id of that chat's last row queued when its run began (SwitchState.mark).
 */
const LAST = "*last:";

/** The state of the pause between chats, as the claim reads and writes it. */
interface SwitchState {
  /** The chat the last send went to (null: none known). */
  last: string | null;
  /** When a send to another chat may start (ms). */
  readyAt: number;
  /** The pause drawn for the current chat (ms): each of its sends pushes readyAt to its end plus this. */
  delayMs: number;
  at: number;
  /**
   * The last chat's rows up to this Outbox id go on without the pause: those queued when its run
   * began (a turn's several answers). A later turn of the same chat waits for the pause like any
   * other chat's, so a chat that keeps writing cannot hold every other chat back.
   */
  mark: number;
}

/** Reads the pause between chats (locking its row on PostgreSQL). */
async function readSwitch(tx: Tx, channel: string, now: number): Promise<SwitchState> {
  const sql = sqlOf(tx);
  await sql.run(
    `INSERT INTO "OutboxPace" ("channel", "key", "tokens", "at", "readyAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    channel, SWITCH, 0, new Date(now), new Date(0),
  );
  const row = await sql.get<{ tokens: number | string; at: string | Date; readyAt: string | Date }>(
    `SELECT "tokens", "at", "readyAt" FROM "OutboxPace" WHERE "channel" = ? AND "key" = ?${forUpdate(sql.provider)}`,
    channel, SWITCH,
  );
  const last = await sql.get<{ key: string; tokens: number | string }>(`SELECT "key", "tokens" FROM "OutboxPace" WHERE "channel" = ? AND "key" LIKE '*last:%' ORDER BY "at" DESC LIMIT 1`, channel);
  return {
    last: last ? last.key.slice(LAST.length) : null,
    mark: last ? Number(last.tokens) : 0,
    readyAt: row ? new Date(row.readyAt).getTime() : 0,
    delayMs: row ? Number(row.tokens) : 0,
    at: row ? new Date(row.at).getTime() : now,
  };
}

/** Writes the pause between chats back; `moved`: the last chat changed. */
async function writeSwitch(tx: Tx, channel: string, s: SwitchState, moved: boolean): Promise<void> {
  const sql = sqlOf(tx);
  await sql.run(
    `UPDATE "OutboxPace" SET "tokens" = ?, "at" = ?, "readyAt" = ? WHERE "channel" = ? AND "key" = ?`,
    s.delayMs, new Date(s.at), new Date(s.readyAt), channel, SWITCH,
  );
  if (!s.last) return;
  if (moved) await sql.run(`DELETE FROM "OutboxPace" WHERE "channel" = ? AND "key" LIKE '*last:%'`, channel);
  await sql.run(
    `INSERT INTO "OutboxPace" ("channel", "key", "tokens", "at", "readyAt") VALUES (?, ?, ?, ?, ?)
     ON CONFLICT ("channel", "key") DO UPDATE SET "tokens" = excluded."tokens", "at" = excluded."at", "readyAt" = excluded."readyAt"`,
    channel, LAST + s.last, s.mark, new Date(s.at), new Date(s.readyAt),
  );
}

/** The pause before the next chat: `pauseMs` plus 0..`jitterMs` (ms). */
function drawDelay(sw: ChatSwitch, random: () => number): number {
  return Math.max(0, Math.round(sw.pauseMs + Math.max(0, sw.jitterMs) * Math.min(1, Math.max(0, random()))));
}

/** Today's count of `key` in DailyCounter (its row locked on PostgreSQL until the claim commits). */
async function readCounter(tx: Tx, key: string, day: string): Promise<number> {
  const sql = sqlOf(tx);
  await sql.run(`INSERT INTO "DailyCounter" ("key", "day", "count") VALUES (?, ?, 0) ON CONFLICT DO NOTHING`, key, day);
  const row = await sql.get<{ count: number | string }>(`SELECT "count" FROM "DailyCounter" WHERE "key" = ? AND "day" = ?${forUpdate(sql.provider)}`, key, day);
  return Number(row?.count ?? 0);
}

/** Adds `n` to today's count of `key` (its row read and locked by {@link readCounter} in the same claim). */
async function addToCounter(tx: Tx, key: string, day: string, n: number): Promise<void> {
  await sqlOf(tx).run(`UPDATE "DailyCounter" SET "count" = "count" + ? WHERE "key" = ? AND "day" = ?`, n, key, day);
}

/** The Asia/Almaty day of `ms` ("2026-11-30") and when the next one begins (ms). */
export function almatyDay(ms: number): { day: string; next: number } {
  const at = DateTime.fromMillis(ms, { zone: ZONE });
  return { day: at.toISODate()!, next: at.plus({ days: 1 }).startOf("day").toMillis() };
}

/**
 * Reads a bucket (locking its row on PostgreSQL, where instances claim at the same time); a full
 * one when absent. `now` in ms. Exported for tests.
 */
export async function readBucket(tx: Tx, channel: string, key: string, limit: RateLimit | undefined, now: number, lock: boolean): Promise<Bucket> {
  const sql = sqlOf(tx);
  const lockRow = lock ? forUpdate(sql.provider) : "";
  if (lockRow) {
    // The row must exist to be locked.
    await sql.run(
      `INSERT INTO "OutboxPace" ("channel", "key", "tokens", "at", "readyAt") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      channel, key, limit?.burst ?? 0, new Date(now), new Date(now),
    );
  }
  const row = await sql.get<{ tokens: number | string; at: string | Date; pausedUntil: string | Date | null }>(
    `SELECT "tokens", "at", "pausedUntil" FROM "OutboxPace" WHERE "channel" = ? AND "key" = ?${lockRow}`,
    channel, key,
  );
  const pausedUntil = row?.pausedUntil ? new Date(row.pausedUntil).getTime() : 0;
  if (!row || !limit) return { tokens: limit?.burst ?? 0, at: now, pausedUntil };
  // `now` was read before the row's lock was granted: another instance may have written a later
  // time meanwhile. The bucket's clock never goes back (that would credit the same time twice).
  const at = new Date(row.at).getTime();
  return { tokens: Math.min(limit.burst, Number(row.tokens) + Math.max(0, now - at) / limit.everyMs), at: Math.max(now, at), pausedUntil };
}

/** When the bucket holds `need` tokens (default one) again and is not paused (ms). */
function readyAt(b: Bucket, limit: RateLimit | undefined, need = 1): number {
  const refill = !limit || b.tokens >= need ? b.at : b.at + Math.ceil((need - b.tokens) * limit.everyMs);
  return Math.max(refill, b.pausedUntil);
}

/**
 * The tokens a delivery of `cost` platform messages waits for: all of them, or a full bucket when
 * it costs more than the bucket holds (then the bucket goes into debt, and later sends wait until
 * it is paid back). Platforms count an album as several messages but accept it whole from a full
 * bucket.
 */
function needOf(cost: number, limit: RateLimit): number {
  return Math.max(1, Math.min(cost, limit.burst));
}

/** Writes a bucket back, with when it holds `need` tokens again (readyAt). Exported for tests. */
export async function writeBucket(tx: Tx, channel: string, key: string, b: Bucket, limit: RateLimit | undefined, need = 1): Promise<void> {
  await sqlOf(tx).run(
    `INSERT INTO "OutboxPace" ("channel", "key", "tokens", "at", "pausedUntil", "readyAt") VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("channel", "key") DO UPDATE SET "tokens" = excluded."tokens", "at" = excluded."at",
       "pausedUntil" = excluded."pausedUntil", "readyAt" = excluded."readyAt"`,
    channel, key, b.tokens, new Date(b.at), b.pausedUntil ? new Date(b.pausedUntil) : null, new Date(readyAt(b, limit, need)),
  );
}

/** The engine of one channel: its claim loop and its sends in flight. */
class ChannelEngine {
  readonly inFlight = new Map<number, Promise<void>>();
  /** Most rows held at once (claimed, not yet written back): bounded by `concurrency`. */
  maxHeld = 0;
  #results: Result[] = [];
  /** The wait the loop is in: "work" ends at any wake, "flush" (batching results) only at an urgent one. */
  #waiting: { kind: "work" | "flush"; done: () => void } | undefined;
  /** Something happened since the last pass began (a send ended, rows were committed): look at the table again. */
  #woken = false;
  /** Something happened that must not wait for the batch: the last send in flight ended, stop. */
  #urgent = false;
  #lastTx = -Infinity;
  #stopping = false;
  /** Local pauses (ms since epoch): the whole channel, and per chat, from rate limits and fatal failures. */
  #globalPause = 0;
  /** Local pause of the paid messages (a rate limit on them, a fatal failure): they are counted apart from the rest. */
  #paidPause = 0;
  readonly #chatPause = new Map<string, number>();
  /** The chat of each send in flight (the pause between chats: no other chat starts meanwhile). */
  readonly #inFlightChat = new Map<number, string>();
  /**
   * The rows in hand counted as first messages (limits.firstMessages), with the DailyCounter row
   * they were counted in: one handed back unsent (a session down, a rate limit, a stop) is taken
   * off that count again, since it is counted anew at its next claim (its attempts stay 0).
   */
  readonly #firstCounted = new Map<number, { key: string; day: string }>();
  /** Rows in flight that end an erased person's chat (SendPayload.forgetChat): their chat ids, forgotten once they finish. */
  readonly #forgetting = new Map<number, string>();
  /** When this engine's last send ended (ms): the pause between chats counts from there. */
  #lastEnd = 0;
  #idleWaiters: (() => void)[] = [];
  readonly loop: Promise<void>;

  constructor(
    readonly d: Dispatcher,
    readonly sender: ChannelSender,
  ) {
    this.loop = this.run();
  }

  get channel(): string {
    return this.sender.channel;
  }

  private get caps(): ChannelCapabilities | undefined {
    return this.sender.capabilities;
  }

  /**
   * The platform messages a row's delivery takes (ChannelCapabilities.messageCount), read from its
   * payload before it is sent: 1 for an edit, or when the channel does not say.
   */
  private costOf(row: Claimed): number {
    const count = this.caps?.messageCount;
    if (!count) return 1;
    try {
      const payload = JSON.parse(row.payload) as QueuedPayload;
      if (payload.kind !== "send") return 1;
      const n = count(payload.message, payload.files?.length ?? 0);
      return Number.isFinite(n) && n >= 1 ? Math.ceil(n) : 1;
    } catch {
      return 1;
    }
  }

  /**
   * Whether a row goes under the channel's paid mode (ChannelCapabilities.limits.paid): a bulk-lane
   * row while the channel declares it. Decided when the row is claimed, not when it was queued, so
   * that turning the mode off (or on) applies to a broadcast already under way.
   */
  private isPaid(row: { lane: Lane }): boolean {
    return row.lane === "bulk" && !!this.caps?.limits?.paid;
  }

  /**
   * Whether a message to `chatId` opens a conversation (ChannelCapabilities.limits.firstMessages):
   * its person has not written from there within `quietMs`, or no person is known there.
   */
  private async quiet(tx: Tx, chatId: string, quietMs: number, nowMs: number): Promise<boolean> {
    const identity = await tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: this.channel, externalId: chatId } }, select: { lastInboundAt: true } });
    return !identity?.lastInboundAt || identity.lastInboundAt.getTime() < nowMs - quietMs;
  }

  private chatLimit(chatId: string): RateLimit | undefined {
    const limits = this.caps?.limits;
    return this.caps?.isGroup?.(chatId) ? limits?.group : limits?.privateChat;
  }

  /**
   * Looks at the table again (a unit committed rows, a chat moved, idle() asks): at once when the
   * engine is idle; while other sends are in flight, with their batch of results (within FLUSH_MS:
   * a pass per commit under load would cost more than it gains).
   */
  wake(): void {
    this.#signal(false);
  }

  /** `urgent` (stop, the last send in flight ended): end a batching wait too; otherwise only an idle one (the next pass comes within FLUSH_MS). */
  #signal(urgent: boolean): void {
    this.#woken = true;
    if (urgent) this.#urgent = true;
    if (this.#waiting && (urgent || this.#waiting.kind === "work")) this.#waiting.done();
  }

  get concurrency(): number {
    return this.d.opts.concurrency ?? 16;
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.wake();
    });
  }

  /** Stops claiming; waits for the loop to end (the sends in flight are the dispatcher's to wait for). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#signal(true);
    await this.loop;
  }

  private async run(): Promise<void> {
    const d = this.d;
    while (!this.#stopping) {
      // Batch: while sends are in flight, what comes (results, rows committed) waits for the next
      // pass, at most FLUSH_MS after the last one; the end of the last send in flight ends the wait.
      // So a lone member's answer never waits for the batch: the next row of the chat (held back
      // until the last result is written) is claimed with that result, at once. (The wakes that came
      // before a pass are seen by it: they must not send the loop into a batching wait after it.)
      if (this.inFlight.size > 0 && !this.#urgent && d.now() - this.#lastTx < FLUSH_MS) {
        await this.waitFor("flush", this.#lastTx + FLUSH_MS);
        if (this.#stopping) break;
      }
      // Whatever woke the loop until now is seen by this pass (it reads the table after this point).
      this.#woken = false;
      this.#urgent = false;
      let next: number | undefined;
      let claimed: Claimed[] = [];
      try {
        this.#lastTx = d.now();
        ({ claimed, next } = await this.pass());
      } catch (error) {
        // The database is busy or broken: try again in a second (the results wait in memory).
        d.log.error("could not claim or record outbox rows; trying again", { error });
        // Nothing can move until the database answers: whoever waits for idle() is not kept waiting on it.
        if (!this.inFlight.size) this.resolveIdle();
        this.#woken = false;
        this.#urgent = false;
        await this.waitFor("work", d.now() + 1000);
        continue;
      }
      for (const row of claimed) this.start(row);
      if (claimed.length) {
        // Nothing more is claimable until a send ends, a unit commits or `next` comes.
        if (!this.#woken) await this.waitFor("work", next);
        continue;
      }
      if (!this.inFlight.size && !this.#results.length && this.#idleWaiters.length && !(await this.pending())) this.resolveIdle();
      if (this.#woken || this.#results.length) continue;
      await this.waitFor("work", next);
    }
    await this.flush();
    this.resolveIdle();
  }

  private resolveIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Sleeps until `next` (the clock's time) or a wake: "work" (idle) ends at any wake and at a poll
   * interval (real time); "flush" (results batched while sends are in flight) only at an urgent one.
   */
  private async waitFor(kind: "work" | "flush", next: number | undefined): Promise<void> {
    const d = this.d;
    await new Promise<void>((resolve) => {
      let poll: NodeJS.Timeout | undefined;
      let over = false;
      const done = () => {
        if (over) return;
        over = true;
        clearTimeout(poll);
        this.#waiting = undefined;
        resolve();
      };
      if (this.#urgent || (kind === "work" && this.#woken)) return done();
      this.#waiting = { kind, done };
      if (kind === "work") {
        poll = setTimeout(done, d.opts.pollMs ?? 500);
        poll.unref?.();
      }
      if (next !== undefined) void d.sleep(Math.max(0, next - d.now())).then(done);
    });
  }

  /** Whether any row of this channel is still to be sent (a scheduled one that was never tried does not count). */
  private async pending(): Promise<boolean> {
    const now = new Date(this.d.now());
    // A database that cannot be read has nothing this engine could send now: idle (the claim logs the failure).
    const row = await this.d.opts.db.transaction(
      (tx) =>
        sqlOf(tx).get(
          `SELECT 1 AS "x" FROM "Outbox" WHERE "channel" = ? AND "status" IN ${UNFINISHED}
           AND ("status" = 'sending' OR "attempts" > 0 OR "notBefore" IS NULL OR "notBefore" <= ?) LIMIT 1`,
          this.channel, now,
        ),
      { rawOnly: true },
    ).catch(() => undefined);
    return !!row;
  }

  /** Writes what is left to write (stop). */
  async flush(): Promise<void> {
    while (this.#results.length) {
      try {
        const results = this.#results.splice(0);
        await this.d.opts.db.transaction((tx) => this.write(tx, results));
        this.written(results);
      } catch (error) {
        this.d.log.error("could not record delivery results", { error });
        return;
      }
    }
  }

  /** One transaction: the results so far, then a claim for the free slots. */
  private async pass(): Promise<{ claimed: Claimed[]; next?: number }> {
    const d = this.d;
    const results = this.#results.splice(0);
    const free = this.#stopping ? 0 : this.concurrency - this.inFlight.size;
    // Raw SQL alone (the cheaper transaction) unless a step needs Prisma's API: file ids to
    // record (recordPlatformIds), first messages to count (quiet).
    const rawOnly = !results.some((r) => r.kind === "sent" && r.platformIds?.length) && !this.caps?.limits?.firstMessages;
    try {
      const out = await d.opts.db.transaction(async (tx) => {
        await this.write(tx, results);
        if (free <= 0) return { claimed: [] };
        return await this.claim(tx, free);
      }, { rawOnly });
      this.written(results);
      return out;
    } catch (error) {
      this.#results.unshift(...results);
      throw error;
    }
  }

  /**
   * After the last message to an erased person's chat (SendPayload.forgetChat) finished: its row
   * keeps no chat id nor platform message id (a WhatsApp id carries the phone number), and the
   * chat's pace keys (its bucket, "*last:<chat>") go. In write()'s transaction, after the row's own
   * update; the ids stay known until that commits (write may run again with the same results).
   */
  private async forgetAfter(tx: Tx, ids: number[]): Promise<void> {
    const sql = sqlOf(tx);
    for (const id of ids) {
      const chatId = this.#forgetting.get(id);
      if (chatId === undefined) continue;
      await sql.run(`UPDATE "Outbox" SET "chatId" = '', "messageId" = NULL WHERE "id" = ?`, id);
      await forgetPace(tx, this.channel, chatId);
    }
  }

  /**
   * Results committed: their rows are no longer in hand (see #firstCounted), and the chats of those
   * that finished are forgotten for good (see forgetAfter).
   */
  private written(results: Result[]): void {
    for (const r of results) this.#firstCounted.delete(r.id);
    if (this.#forgetting.size) for (const r of results) if (r.kind !== "release") this.#forgetting.delete(r.id);
  }

  private async write(tx: Tx, results: Result[]): Promise<void> {
    if (!results.length) return;
    const sql = sqlOf(tx);
    const now = new Date(this.d.now());
    // The channel's ids for the files sent, recorded together at the end: their rows are locked in
    // one order (by id), so that two instances' batches never wait for each other in a circle.
    const fileIds: { fileId: number; platformId: string }[] = [];
    for (const r of results) {
      switch (r.kind) {
        case "sent":
          await sql.run(
            `UPDATE "Outbox" SET "status" = 'sent', "payload" = '', "messageId" = ?, "sentAt" = ?, "updatedAt" = ?, "leaseUntil" = NULL WHERE "id" = ?`,
            r.messageId, now, now, r.id,
          );
          if (r.tagged) {
            // The message itself, then the other messages of the same delivery (an album's other
            // files, a long text's other parts) under the tag with PART_SUFFIX: a reply to any of
            // them is found by the tag (bookkeeping.ts tagOfSent), and an edit changes only the
            // message itself (the one with the text or caption and the buttons).
            const { tag, chatId, locale } = r.tagged;
            const threadId = r.tagged.threadId ?? null;
            const copies: [string, string][] = [[tag, r.messageId ?? ""], ...(r.tagged.others ?? []).map((id): [string, string] => [tag + PART_SUFFIX, id])];
            for (const [t, messageId] of copies) {
              // Not when a press on the copy, answered before this record committed, adopted it already (staff/notices.ts adoptCopy).
              await sql.run(
                `INSERT INTO "SentMessage" ("tag", "channel", "chatId", "messageId", "locale", "threadId", "createdAt") SELECT ?, ?, ?, ?, ?, ?, ?
                   WHERE NOT EXISTS (SELECT 1 FROM "SentMessage" WHERE "tag" = ? AND "channel" = ? AND "chatId" = ? AND "messageId" = ?)`,
                t, this.channel, chatId, messageId, locale, threadId, now,
                t, this.channel, chatId, messageId,
              );
            }
          }
          if (r.platformIds) fileIds.push(...r.platformIds);
          break;
        case "retry":
          await sql.run(
            `UPDATE "Outbox" SET "status" = 'queued', "attempts" = ?, "notBefore" = ?, "lastError" = ?, "updatedAt" = ?, "leaseUntil" = NULL, "leasedBy" = NULL
             WHERE "id" = ? AND "status" = 'sending' AND "leasedBy" = ?`,
            r.attempts, r.notBefore, r.error, now, r.id, this.d.instanceId,
          );
          break;
        case "failed":
          await sql.run(
            `UPDATE "Outbox" SET "status" = 'failed', "payload" = '', "lastError" = ?, "updatedAt" = ?, "leaseUntil" = NULL WHERE "id" = ?`,
            r.error, now, r.id,
          );
          break;
        case "release": {
          const released = await sql.run(
            // Only while the claim is still this instance's: after its lease expired, another may be sending it.
            `UPDATE "Outbox" SET "status" = 'queued', "updatedAt" = ?, "leaseUntil" = NULL, "leasedBy" = NULL WHERE "id" = ? AND "status" = 'sending' AND "leasedBy" = ?`,
            now, r.id, this.d.instanceId,
          );
          const counted = this.#firstCounted.get(r.id);
          if (released && counted) {
            await sql.run(`UPDATE "DailyCounter" SET "count" = "count" - 1 WHERE "key" = ? AND "day" = ? AND "count" > 0`, counted.key, counted.day);
          }
          break;
        }
      }
    }
    if (fileIds.length) await recordPlatformIds(tx, this.channel, fileIds);
    if (this.#forgetting.size) await this.forgetAfter(tx, results.filter((r) => r.kind !== "release").map((r) => r.id));
  }

  /** Claims up to `want` rows within the budget; `next`: when to look again if fewer came. */
  private async claim(tx: Tx, want: number): Promise<{ claimed: Claimed[]; next?: number }> {
    const d = this.d;
    const sql = sqlOf(tx);
    const nowMs = d.now();
    const now = new Date(nowMs);
    const globalLimit = this.caps?.limits?.global;
    const paidLimit = this.caps?.limits?.paid;
    // Two budgets: the global one, and the paid one (bulk rows in paid mode) counted apart.
    if (this.#globalPause > nowMs && (!paidLimit || this.#paidPause > nowMs)) {
      return { claimed: [], next: paidLimit ? Math.min(this.#globalPause, this.#paidPause) : this.#globalPause };
    }
    // Locked (PostgreSQL) only when there is a budget to take: with no global limit, only its pause is read.
    const global = await readBucket(tx, this.channel, GLOBAL, globalLimit, nowMs, !!globalLimit);
    const paid = paidLimit ? await readBucket(tx, this.channel, PAID, paidLimit, nowMs, true) : undefined;
    const freeOpen = this.#globalPause <= nowMs && global.pausedUntil <= nowMs;
    const paidOpen = !!paid && this.#paidPause <= nowMs && paid.pausedUntil <= nowMs;
    /** When a closed or empty budget opens again (ms). */
    const freeReady = freeOpen ? readyAt(global, globalLimit) : Math.max(this.#globalPause, global.pausedUntil);
    const paidReady = paid ? (paidOpen ? readyAt(paid, paidLimit) : Math.max(this.#paidPause, paid.pausedUntil)) : Infinity;
    const freeBudget = Math.min(want, !freeOpen ? 0 : globalLimit ? Math.floor(global.tokens) : want);
    const paidBudget = Math.min(want, paidOpen ? Math.floor(paid!.tokens) : 0);
    if (freeBudget <= 0 && paidBudget <= 0) return { claimed: [], next: earliestAfter(nowMs, freeReady, paidReady) };
    const lease = new Date(nowMs + d.leaseMs);
    // Leases of a crashed (or stopped-by-force) instance that have expired: queued again, to be
    // claimed below in their place in the order (a separate statement keeps the claim's scan on
    // one index range, ordered: no sort of every unfinished row).
    const expired = await sql.run(
      `UPDATE "Outbox" SET "status" = 'queued', "leaseUntil" = NULL, "leasedBy" = NULL WHERE "channel" = ? AND "status" = 'sending' AND "leaseUntil" < ?`,
      this.channel, now,
    );
    if (expired) d.log.warn("took over messages whose lease had expired (an instance stopped mid-send); they may arrive twice", { count: expired });
    const claimWith = (statement: Record<Sql["provider"], string>, limit: number) =>
      sql.all<RawRow>(statement[sql.provider], lease, d.instanceId, now, this.channel, now, now, limit);
    const chatSwitch = this.caps?.limits?.chatSwitch;
    const sw = chatSwitch ? await readSwitch(tx, this.channel, nowMs) : undefined;
    let switchHeld = false;
    let moved = false;
    if (sw) {
      // The pause counts from the end of this engine's last send to the last chat.
      if (this.#lastEnd) sw.readyAt = Math.max(sw.readyAt, this.#lastEnd + sw.delayMs);
    }
    // A send in flight here holds back every other chat, whatever the time (the pause counts from its end).
    const inFlightChats = new Set(this.#inFlightChat.values());
    const switchOpen = () => !!sw && sw.readyAt <= nowMs && ![...inFlightChats].some((c) => c !== sw.last);
    const raw: RawRow[] = [];
    if (sw && !switchOpen()) {
      // Only the last chat may go now: claim nothing else (claimed, it would only go back).
      if (sw.last && freeBudget > 0) {
        raw.push(...(await sql.all<RawRow>(CLAIM_CHAT[sql.provider], lease, d.instanceId, now, this.channel, now, sw.last, sw.mark, now, freeBudget)));
      }
      switchHeld = true;
    } else if (sw) {
      // One new chat at most (the first in the order: a conversation first) and the last chat's rows.
      raw.push(...(await claimWith(CLAIM, Math.min(freeBudget, 4))));
    } else if (!paid) raw.push(...(await claimWith(CLAIM, freeBudget)));
    else {
      if (freeBudget > 0) raw.push(...(await claimWith(CLAIM_FREE, freeBudget)));
      const left = Math.min(paidBudget, want - raw.length);
      if (left > 0) raw.push(...(await claimWith(CLAIM_PAID, left)));
    }
    const rows = raw.map((r) => toRow(this.channel, r)).sort((a, b) => a.priority - b.priority || a.id - b.id);
    // Each chat's budget: a chat may have a head in more than one lane; those over budget go back.
    // A row costs the platform messages its delivery takes (ChannelCapabilities.messageCount: an
    // album of ten is ten), charged to the global bucket and the chat's.
    const kept: Claimed[] = [];
    const back: number[] = [];
    const buckets = new Map<string, Bucket>();
    /** What a chat's held-back row waits for (its bucket's readyAt says when). */
    const chatNeed = new Map<string, number>();
    /** Once a row waits for the global (or the paid) budget, the later ones wait too (the big one is not starved). */
    let globalNeed = 0;
    let paidNeed = 0;
    const first = this.caps?.limits?.firstMessages;
    /** The first messages counted today (locked on first use), and how many this claim adds. */
    let counter: { day: string; next: number; count: number; added: number; read: boolean } | undefined;
    /** Rows over the day's cap of first messages: back to queued until the next day. */
    const tomorrow: number[] = [];
    for (const row of rows) {
      const cost = this.costOf(row);
      const isPaid = this.isPaid(row);
      const limit = this.chatLimit(row.chatId);
      const paused = (this.#chatPause.get(row.chatId) ?? 0) > nowMs;
      let b: Bucket | undefined;
      if (limit) {
        b = buckets.get(row.chatId);
        if (!b) buckets.set(row.chatId, (b = await readBucket(tx, this.channel, row.chatId, limit, nowMs, false)));
      }
      const chatShort = !!limit && !!b && (b.tokens < needOf(cost, limit) || b.pausedUntil > nowMs);
      if (chatShort) chatNeed.set(row.chatId, Math.max(chatNeed.get(row.chatId) ?? 1, needOf(cost, limit!)));
      let budgetShort: boolean;
      if (isPaid) {
        budgetShort = !paidOpen || paidNeed > 0 || paid!.tokens < needOf(cost, paidLimit!);
        if (budgetShort && paidNeed === 0) paidNeed = needOf(cost, paidLimit!);
      } else {
        budgetShort = !freeOpen || (!!globalLimit && (globalNeed > 0 || global.tokens < needOf(cost, globalLimit)));
        if (budgetShort && globalNeed === 0) globalNeed = globalLimit ? needOf(cost, globalLimit) : 1;
      }
      const switchShort = !!sw && row.chatId !== sw.last && !switchOpen();
      if (switchShort) switchHeld = true;
      if (paused || chatShort || budgetShort || switchShort) {
        back.push(row.id);
        continue;
      }
      if (first && row.lane !== "conversation" && row.attempts === 0 && (await this.quiet(tx, row.chatId, first.quietMs, nowMs))) {
        if (!counter) counter = { ...almatyDay(nowMs), count: 0, added: 0, read: false };
        if (!counter.read) {
          counter.count = await readCounter(tx, first.counter, counter.day);
          counter.read = true;
        }
        if (counter.count + counter.added >= first.perDay) {
          tomorrow.push(row.id);
          continue;
        }
        counter.added++;
        this.#firstCounted.set(row.id, { key: first.counter, day: counter.day });
      }
      if (sw && chatSwitch) {
        if (row.chatId !== sw.last || switchOpen()) {
          // A run begins (another chat, or the same one once the pause is over): the rows its
          // chat has queued by now go on without the pause, later ones wait for the next turn.
          moved ||= row.chatId !== sw.last;
          sw.last = row.chatId;
          sw.delayMs = drawDelay(chatSwitch, d.opts.random ?? Math.random);
          const top = await sql.get<{ m: number | string | null }>(`SELECT MAX("id") AS "m" FROM "Outbox" WHERE "channel" = ? AND "chatId" = ?`, this.channel, row.chatId);
          sw.mark = Number(top?.m ?? row.id);
        }
        // The next chat waits at least the pause after this send (its end pushes it further).
        sw.at = nowMs;
        sw.readyAt = Math.max(sw.readyAt, nowMs + sw.delayMs);
      }
      if (b) b.tokens -= cost;
      if (isPaid) paid!.tokens -= cost;
      else if (globalLimit) global.tokens -= cost;
      kept.push(row);
    }
    for (const [chatId, b] of buckets) await writeBucket(tx, this.channel, chatId, b, this.chatLimit(chatId), chatNeed.get(chatId));
    for (const id of back) {
      await sql.run(`UPDATE "Outbox" SET "status" = 'queued', "leaseUntil" = NULL, "leasedBy" = NULL WHERE "id" = ?`, id);
    }
    if (tomorrow.length) {
      d.log.info("daily cap of first messages reached; the rest wait for the next day", { channel: this.channel, count: tomorrow.length });
      for (const id of tomorrow) {
        await sql.run(`UPDATE "Outbox" SET "status" = 'queued', "leaseUntil" = NULL, "leasedBy" = NULL, "notBefore" = ? WHERE "id" = ?`, new Date(counter!.next), id);
      }
    }
    if (counter?.added) await addToCounter(tx, first!.counter, counter.day, counter.added);
    if (sw) await writeSwitch(tx, this.channel, sw, moved);
    if (globalLimit) await writeBucket(tx, this.channel, GLOBAL, global, globalLimit, globalNeed || 1);
    if (paid) await writeBucket(tx, this.channel, PAID, paid, paidLimit, paidNeed || 1);
    if (kept.length >= want) return { claimed: kept };
    // When each budget has tokens again (or its pause ends); one ready now must not hide the other's later time.
    const ready = earliestAfter(
      nowMs,
      freeOpen ? (globalLimit ? readyAt(global, globalLimit, globalNeed || 1) : Infinity) : freeReady,
      !paid ? Infinity : paidOpen ? readyAt(paid, paidLimit, paidNeed || 1) : paidReady,
      // The next chat's turn (a send in flight to another chat wakes the loop when it ends).
      sw && switchHeld && !this.#inFlightChat.size ? sw.readyAt : Infinity,
    );
    return { claimed: kept, next: await this.nextDue(tx, nowMs, ready) };
  }

  /** The earliest time something not claimable now may become so: a notBefore, a lease, a chat's pace. */
  private async nextDue(tx: Tx, nowMs: number, globalReady: number | undefined): Promise<number | undefined> {
    const sql = sqlOf(tx);
    const now = new Date(nowMs);
    const times: (string | Date | null | undefined)[] = [];
    times.push((await sql.get<{ t: string | Date | null }>(
      `SELECT MIN("notBefore") AS "t" FROM "Outbox" WHERE "channel" = ? AND "status" = 'queued' AND "notBefore" > ?`, this.channel, now))?.t);
    times.push((await sql.get<{ t: string | Date | null }>(
      `SELECT MIN("leaseUntil") AS "t" FROM "Outbox" WHERE "channel" = ? AND "status" = 'sending' AND "leaseUntil" > ? AND "leasedBy" <> ?`,
      this.channel, now, this.d.instanceId))?.t);
    times.push((await sql.get<{ t: string | Date | null }>(
      `SELECT MIN(p."readyAt") AS "t" FROM "OutboxPace" p WHERE p."channel" = ? AND p."key" <> '' AND p."readyAt" > ?
         AND EXISTS (SELECT 1 FROM "Outbox" o WHERE o."channel" = p."channel" AND o."chatId" = p."key" AND o."status" = 'queued')`,
      this.channel, now))?.t);
    let next = globalReady !== undefined && globalReady > nowMs ? globalReady : undefined;
    for (const t of times) {
      if (t === null || t === undefined) continue;
      const ms = new Date(t).getTime();
      if (next === undefined || ms < next) next = ms;
    }
    for (const until of this.#chatPause.values()) if (until > nowMs && (next === undefined || until < next)) next = until;
    return next;
  }

  private start(row: Claimed): void {
    const p = this.send(row)
      .catch((error: unknown) => {
        this.d.log.error("delivery failed unexpectedly; the message is handed back", { error, outbox: row.id });
        this.#results.push({ id: row.id, kind: "release" });
      })
      .finally(() => {
        this.inFlight.delete(row.id);
        this.#inFlightChat.delete(row.id);
        this.#lastEnd = Math.max(this.#lastEnd, this.d.now());
        // The last send in flight: its result is written at once (the chat's next row waits for it).
        this.#signal(this.inFlight.size === 0);
      });
    this.inFlight.set(row.id, p);
    this.#inFlightChat.set(row.id, row.chatId);
    this.maxHeld = Math.max(this.maxHeld, this.inFlight.size);
  }

  /** Whether a local pause (a rate limit seen by this instance, a fatal failure) holds the row back now. */
  private paused(row: Claimed): boolean {
    const now = this.d.now();
    return (this.isPaid(row) ? this.#paidPause : this.#globalPause) > now || (this.#chatPause.get(row.chatId) ?? 0) > now;
  }

  private async send(row: Claimed): Promise<void> {
    const d = this.d;
    const sender = this.sender;
    // Aborted at stop (after the grace), or when the send outlives SEND_DEADLINE_MS: it must end within its lease.
    const signal = AbortSignal.any([d.abort.signal, AbortSignal.timeout(SEND_DEADLINE_MS)]);
    // Claimed before a rate limit (or stop) came in: not sent inside the window, handed back.
    if (this.paused(row) || d.stopped) return void this.#results.push({ id: row.id, kind: "release" });
    const payload = JSON.parse(row.payload) as QueuedPayload;
    if (payload.kind === "send" && payload.forgetChat) this.#forgetting.set(row.id, row.chatId);
    try {
      if (payload.kind === "edit-tag") {
        await this.edit(row, payload, signal);
        return void this.#results.push({ id: row.id, kind: "sent", messageId: null });
      }
      const outbound = await this.prepare(row, payload);
      const delivered = await sender.deliver(row.chatId, outbound, signal);
      const { messageId } = delivered;
      // A thread that is gone (a deleted forum topic): the message went to the chat itself.
      const threadId = delivered.threadLost ? undefined : (delivered.threadId ?? outbound.message.threadId);
      if (delivered.threadLost && outbound.message.threadId) await this.forgetThread(row, outbound.message.threadId);
      const others = (delivered.messageIds ?? []).filter((id) => id !== messageId);
      const files = outbound.message.files ?? [];
      const platformIds = (delivered.platformIds ?? []).flatMap((platformId, i) => (platformId && files[i] ? [{ fileId: files[i].id, platformId }] : []));
      const result: Result = {
        id: row.id,
        kind: "sent",
        messageId,
        ...(row.tag
          ? { tagged: { tag: row.tag, chatId: row.chatId, locale: row.locale, ...(threadId ? { threadId } : {}), ...(others.length ? { others: [...new Set(others)] } : {}) } }
          : {}),
        ...(platformIds.length ? { platformIds } : {}),
      };
      // A tagged message (a staff notice) is recorded at once, not with the next batch: its buttons
      // may be pressed the moment it arrives, and the press must find it (and a message anchored to
      // it, next in the chat, its id and thread).
      if (row.tag) {
        await d.opts.db.transaction((tx) => this.write(tx, [result]), { rawOnly: !platformIds.length });
        this.written([result]);
      }
      else this.#results.push(result);
    } catch (error) {
      await this.failed(row, error, signal);
    }
  }

  /**
   * The message as the channel gets it: its files (MessageSpec.files) with their paths and this
   * channel's ids for them as they are now, and for an anchored message the anchor's message id
   * (`replyTo`) and thread (`threadId`), read from SentMessage in the same chat. An anchor not
   * delivered (or not recorded) yet: sent without. A file whose bytes are gone: left out, logged.
   */
  private async prepare(row: Claimed, payload: SendPayload): Promise<{ kind: "send"; message: SendPayload["message"] }> {
    const { files, anchor } = payload;
    // The paid mode is the engine's decision (the row's lane and the channel's limits), never the payload's.
    const { paid: _queued, ...queued } = payload.message;
    const base = this.isPaid(row) ? { ...queued, paid: true as const } : queued;
    if (!files?.length && !anchor) return { kind: "send", message: base };
    const d = this.d;
    const message = { ...base };
    await d.opts.db.transaction(async (tx) => {
      if (anchor) {
        const post = await tx.sentMessage.findFirst({
          where: { tag: anchor, channel: row.channel, chatId: row.chatId },
          select: { messageId: true, threadId: true },
          orderBy: { id: "asc" },
        });
        if (post) {
          message.replyTo = post.messageId;
          if (post.threadId && !message.threadId) message.threadId = post.threadId;
        }
      }
      if (files?.length) {
        if (!d.opts.files) {
          d.log.error("a message has files but the dispatcher has no file store; sent without them", { outbox: row.id });
          return;
        }
        const found = await outboundFiles(tx, d.opts.files, files, row.channel);
        if (found.missing.length) d.log.error("files of a message are missing; sent without them", { outbox: row.id, files: found.missing });
        if (found.files.length) message.files = found.files;
      }
    });
    return { kind: "send", message };
  }

  /**
   * A chat's thread is gone (Delivered.threadLost): the messages recorded in it no longer name it,
   * so that later messages anchored to them go to the chat itself at once (their anchor's reply is
   * dropped by the platform where the message went with the thread) instead of failing first.
   */
  private async forgetThread(row: Claimed, threadId: string): Promise<void> {
    this.d.log.warn("a thread of a chat is gone; its messages go to the chat itself", { channel: row.channel });
    await this.d.opts.db.transaction((tx) => tx.sentMessage.updateMany({ where: { channel: row.channel, chatId: row.chatId, threadId }, data: { threadId: null } }));
  }

  /** Edits every copy of a tagged message in the chat (each on its own: one that cannot be edited does not stop the rest). */
  private async edit(row: Claimed, payload: Extract<QueuedPayload, { kind: "edit-tag" }>, signal: AbortSignal): Promise<void> {
    const d = this.d;
    const sent = await d.opts.db.transaction((tx) =>
      tx.sentMessage.findMany({ where: { tag: payload.tag, channel: row.channel, chatId: row.chatId }, select: { id: true, messageId: true }, orderBy: { id: "asc" } }),
    );
    // One edit per message: a copy recorded twice (a press adopting it while its record was being written) is edited once.
    const copies = [...new Map(sent.map((c) => [c.messageId, c])).values()];
    const limit = this.chatLimit(row.chatId);
    for (const [i, copy] of copies.entries()) {
      // The first edit used the claim's slot; a further copy in the same chat waits its turn (rare: one copy per chat).
      if (i > 0 && limit) await d.sleep(limit.everyMs);
      if (d.stopped) throw new DeliveryError("retry", "stopped");
      try {
        await this.sender.deliver(row.chatId, { kind: "edit", messageId: copy.messageId, message: payload.message }, signal);
      } catch (error) {
        if (!(error instanceof DeliveryError) || error.failure !== "rejected") throw error;
        d.log.info("a copy of a message cannot be edited any more; forgotten", { channel: row.channel, reason: error.message });
        await d.opts.db.transaction((tx) => tx.sentMessage.deleteMany({ where: { tag: payload.tag, channel: row.channel, chatId: row.chatId, messageId: copy.messageId } }));
      }
    }
    if (payload.forget) {
      await d.opts.db.transaction(async (tx) => {
        await tx.sentMessage.deleteMany({ where: { id: { in: sent.map((c) => c.id) } } });
        await tx.sentMessage.deleteMany({ where: { tag: payload.tag + PART_SUFFIX, channel: row.channel, chatId: row.chatId } });
      });
    }
  }

  private async failed(row: Claimed, error: unknown, signal: AbortSignal): Promise<void> {
    const d = this.d;
    const log = d.log;
    if (error instanceof DeliveryError && error.movedTo && d.opts.onMoved) {
      const movedTo = error.movedTo;
      log.warn("chat has a new id; its messages follow it", { channel: row.channel, from: row.chatId, to: movedTo });
      try {
        // Moves the rows (this one too) to the new id; this one goes back to queued, still first in its chat's order.
        await d.opts.onMoved(row.channel, row.chatId, movedTo);
        return void this.#results.push({ id: row.id, kind: "release" });
      } catch (cause) {
        log.error("could not follow a chat to its new id", { error: cause });
      }
    }
    const failure = error instanceof DeliveryError ? error.failure : "retry";
    const reason = error instanceof Error ? error.message : String(error);
    if (failure === "unreachable") {
      log.info("chat unreachable; dropping its queue", { channel: row.channel, group: !!this.caps?.isGroup?.(row.chatId), reason });
      const now = new Date(d.now());
      const dropped = await d.opts.db.transaction(async (tx) => {
        const sql = sqlOf(tx);
        // Read before the update (RETURNING gives the new values, and the content is cleared).
        // A paused broadcast's rows (held) go too: resumed, they would only meet the same refusal.
        const raw = await sql.all<RawRow>(
          `SELECT ${RETURNED} FROM "Outbox" WHERE "channel" = ? AND "chatId" = ? AND ("id" = ? OR "status" IN ('queued', 'held'))`,
          row.channel, row.chatId, row.id,
        );
        for (const r of raw) {
          await sql.run(
            `UPDATE "Outbox" SET "status" = 'unreachable', "payload" = '', "lastError" = ?, "updatedAt" = ?, "leaseUntil" = NULL WHERE "id" = ?`,
            reason.slice(0, 300), now, Number(r.id),
          );
        }
        await markUnreachable(tx, row.channel as ChannelName, row.chatId);
        await this.forgetAfter(tx, [row.id]);
        return raw.map((r) => toRow(row.channel, r)).sort((a, b) => a.id - b.id);
      });
      this.#forgetting.delete(row.id);
      await d.opts.onUnreachable?.(row.channel, row.chatId, dropped, reason).catch((e: unknown) =>
        log.error("could not handle an unreachable chat", { error: e }),
      );
      return;
    }
    if (failure === "rejected") {
      log.error("message refused by the platform; dropped", { channel: row.channel, outbox: row.id, reason });
      return void this.#results.push({ id: row.id, kind: "failed", error: reason.slice(0, 300) });
    }
    if (failure === "fatal") {
      // Nothing can be sent on this channel: keep the message, hold the channel back, say so.
      log.error("the channel refuses every send; messages stay queued", { channel: row.channel, reason });
      this.#globalPause = Math.max(this.#globalPause, d.now() + FATAL_PAUSE_MS);
      this.#paidPause = Math.max(this.#paidPause, d.now() + FATAL_PAUSE_MS);
      d.opts.onFatal?.(row.channel, reason);
      d.reportFatal({ channel: row.channel, reason });
      return void this.#results.push({ id: row.id, kind: "release" });
    }
    if (error instanceof DeliveryError && error.retryAfterMs !== undefined) {
      // A rate limit is not the message's fault: pause its scope here and for every instance, count no attempt.
      // The platform counts paid messages apart: a global limit on one holds back the paid ones only.
      const scope: LimitScope | "paid" = (error.scope ?? "chat") === "global" && this.isPaid(row) ? "paid" : (error.scope ?? "chat");
      log.warn("rate limited; pausing", { channel: row.channel, scope, retryAfter: error.retryAfterMs });
      await this.pause(row.chatId, scope, error.retryAfterMs);
      return void this.#results.push({ id: row.id, kind: "release" });
    }
    if (d.stopped && signal.aborted) return void this.#results.push({ id: row.id, kind: "release" }); // aborted at stop: handed back as it is
    const attempts = row.attempts + 1;
    if (attempts >= (d.opts.maxAttempts ?? 15)) {
      log.error("message kept failing; dropped", { channel: row.channel, outbox: row.id, attempts, reason });
      return void this.#results.push({ id: row.id, kind: "failed", error: reason.slice(0, 300) });
    }
    const retryAfter = backoff(attempts);
    log.warn("delivery failed; will retry", { channel: row.channel, outbox: row.id, attempts, retryAfter, reason });
    this.#results.push({ id: row.id, kind: "retry", attempts, notBefore: new Date(d.now() + retryAfter), error: reason.slice(0, 300) });
  }

  /** A rate-limit answer: nothing in `scope` goes out for `ms`, on this instance at once and on every other through the table. */
  private async pause(chatId: string, scope: LimitScope | "paid", ms: number): Promise<void> {
    const d = this.d;
    const now = d.now();
    const until = now + ms;
    if (scope === "global") this.#globalPause = Math.max(this.#globalPause, until);
    else if (scope === "paid") this.#paidPause = Math.max(this.#paidPause, until);
    else this.#chatPause.set(chatId, Math.max(this.#chatPause.get(chatId) ?? 0, until));
    const key = scope === "global" ? GLOBAL : scope === "paid" ? PAID : chatId;
    const limit = scope === "global" ? this.caps?.limits?.global : scope === "paid" ? this.caps?.limits?.paid : this.chatLimit(chatId);
    try {
      await d.opts.db.transaction(async (tx) => {
        const b = await readBucket(tx, this.channel, key, limit, now, true);
        b.pausedUntil = Math.max(b.pausedUntil, until);
        await writeBucket(tx, this.channel, key, b, limit);
      });
    } catch (error) {
      d.log.error("could not record a rate limit for the other instances", { error });
    }
    for (const [chat, until] of this.#chatPause) if (until <= now) this.#chatPause.delete(chat);
  }
}

/** A sender's capabilities over DEFAULT_CAPABILITIES, per the object it declares (capabilitiesOf). */
const RESOLVED = new WeakMap<ChannelCapabilities, ResolvedCapabilities>();

export class Dispatcher {
  readonly #engines = new Map<string, ChannelEngine>();
  #stopped = false;
  /** Waiters (retry, pace, the stop grace): woken (and ended) by stop(). */
  readonly #sleepers = new Set<() => void>();
  /** Aborts the sends in flight when the grace period at stop has passed. */
  readonly abort = new AbortController();
  /** This instance's name in the rows it claims. */
  readonly instanceId: string;
  reportFatal: (failure: { channel: string; reason: string }) => void = () => {};
  /**
   * Resolves at the first fatal failure of any channel (a revoked token): the process should stop
   * with an error. The messages stay in the outbox.
   */
  readonly fatal = new Promise<{ channel: string; reason: string }>((resolve) => (this.reportFatal = resolve));

  constructor(readonly opts: DispatcherOptions) {
    this.instanceId = opts.instanceId ?? randomUUID();
  }

  get log(): Logger {
    return this.opts.log;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** The lease of a claim (ms): `leaseMs`, at least LEASE_MS (a send must end, and its result be written, within it). */
  get leaseMs(): number {
    return Math.max(this.opts.leaseMs ?? LEASE_MS, LEASE_MS);
  }

  now(): number {
    return (this.opts.timers ?? realTimers).now();
  }

  /** Starts delivering for a channel: whatever the outbox holds for it is claimed from the table. */
  async register(sender: ChannelSender): Promise<void> {
    if (this.#engines.has(sender.channel)) return;
    this.#engines.set(sender.channel, new ChannelEngine(this, sender));
  }

  /** The registered sender of a channel (core: an apology sent directly when the database fails). */
  sender(channel: string): ChannelSender | undefined {
    return this.#engines.get(channel)?.sender;
  }

  /** What a registered channel can show (DEFAULT_CAPABILITIES for one that declares nothing or is not registered). */
  capabilitiesOf(channel: string): ResolvedCapabilities {
    // Asked several times for every message queued: resolved once per capabilities object.
    const declared = this.#engines.get(channel)?.sender.capabilities;
    if (!declared) return { ...DEFAULT_CAPABILITIES };
    let resolved = RESOLVED.get(declared);
    if (!resolved) RESOLVED.set(declared, (resolved = { ...DEFAULT_CAPABILITIES, ...declared }));
    return resolved;
  }

  /**
   * A chat has a new id. Its rows were moved in the table (staff/staff-chat.ts moveChatRecords),
   * which is all the engine reads; this only looks again at once.
   */
  redirect(channel: string, _from: string, _to: string): void {
    this.#engines.get(channel)?.wake();
  }

  unregister(channel: ChannelName): void {
    const engine = this.#engines.get(channel);
    if (!engine) return;
    this.#engines.delete(channel);
    void engine.stop();
  }

  /** Rows a unit has committed: their channels look at the table at once (a member is answered without waiting for a poll). */
  enqueue(rows: QueuedMessage[]): void {
    const channels = new Set(rows.map((r) => r.channel));
    for (const channel of channels) this.#engines.get(channel)?.wake();
  }

  /**
   * Resolves once nothing is in flight, every result is written and no row of a registered channel
   * waits (a retry included; a scheduled row never tried does not count) (tests, shutdown).
   */
  async idle(): Promise<void> {
    if (this.#stopped) return;
    await Promise.all([...this.#engines.values()].map((e) => e.idle()));
  }

  /** The most rows held in memory at once by a channel's engine (claimed, not yet written back); bounded by `concurrency`. */
  maxHeld(channel: string): number {
    return this.#engines.get(channel)?.maxHeld ?? 0;
  }

  /**
   * Stops delivering: nothing new is claimed; sends in flight get `graceMs` to finish and are then
   * aborted. Every result is written, and every claimed row not sent is handed back (queued, lease
   * cleared), before this resolves.
   */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const engines = [...this.#engines.values()];
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
    await Promise.all(engines.map((e) => e.stop()));
    const sends = Promise.allSettled(engines.flatMap((e) => [...e.inFlight.values()]));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), opts.graceMs ?? STOP_GRACE_MS)));
    if ((await Promise.race([sends, graceOver])) === "late") {
      this.log.warn("sends still in flight at stop; aborted (they stay in the outbox)", { count: engines.reduce((n, e) => n + e.inFlight.size, 0) });
      this.abort.abort();
      await sends;
    }
    clearTimeout(timer);
    for (const e of engines) await e.flush();
  }

  /** Waits `ms` on the dispatcher's clock, or until stop(). */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      this.#sleepers.add(wake);
      if (this.opts.timers) void this.opts.timers.wait(ms).then(wake);
      else timer = setTimeout(wake, ms);
    });
  }
}

/** The earliest of `times` after `now` (ms); undefined when none is. */
function earliestAfter(now: number, ...times: number[]): number | undefined {
  const later = times.filter((t) => t > now && Number.isFinite(t));
  return later.length ? Math.min(...later) : undefined;
}

/** 1 s, 2 s, 4 s ... capped at 10 minutes. */
function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** (attempts - 1));
}

