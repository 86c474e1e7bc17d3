/**
 * Delivers the outbox. A turn writes its messages to the Outbox table in its own transaction and,
 * once committed, hands the same rows to `enqueue`; the table is the durable log, these in-memory
 * queues the working copy. At start (`register`) whatever a previous run left is loaded back.
 *
 * - Order: within a chat, strictly in outbox order (a message waiting for a retry holds back the
 *   later ones); several chats are served at once.
 * - Pace: each send first asks the channel's Pacer (its declared limits); a rate-limit answer
 *   pauses the whole scope it names (every chat, or that chat), not just the one message.
 * - Durability: a row is deleted only after the platform accepted it. Deletions of plain messages
 *   are batched while there is more to send (FLUSH_MS) and written at once when the dispatcher
 *   runs out of work; `stop` writes the batch before it returns, so only a crash (kill -9) inside
 *   that window sends those few again (at-least-once).
 * - Tagged messages (staff notices) record their platform message id at once, so that an edit
 *   queued behind them ("edit-tag") finds it.
 * - Stop: no new sends; sends in flight get `graceMs`, then are aborted; messages waiting for a
 *   retry or a pace slot stay in the table for the next start.
 */
import type { Database } from "../../db/database.ts";
import type { Logger } from "../../log.ts";
import { deleteOutbox, type QueuedMessage } from "../bookkeeping.ts";
import { DEFAULT_CAPABILITIES, DeliveryError, type ResolvedCapabilities, type ChannelName, type ChannelSender } from "../channel.ts";
import { markUnreachable } from "../people.ts";
import type { QueuedPayload } from "./outbox.ts";
import { Pacer } from "./pacer.ts";

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
  /** Chats served at the same time, per channel. */
  concurrency?: number;
  /** Attempts before a message that keeps failing transiently is dropped (and logged). */
  maxAttempts?: number;
  /** Told about a chat that cannot be reached, with the messages dropped for it. */
  onUnreachable?: (channel: string, chatId: string, dropped: QueuedMessage[], reason: string) => Promise<void>;
  /** Told when a channel cannot send at all (a revoked token); its messages stay queued. */
  onFatal?: (channel: string, reason: string) => void;
  /**
   * Told that a chat refused a message because it has a new id (a group upgraded to a supergroup);
   * expected to move what is recorded about it and call `redirect`. The refused message is then
   * delivered to the new id, in its place in the order.
   */
  onMoved?: (channel: string, from: string, to: string) => Promise<void>;
}

interface ChatQueue {
  channel: string;
  chatId: string;
  rows: QueuedMessage[];
  running: boolean;
  /** Waiting (retry, pace, rate limit) without holding a worker: woken into the ready list. */
  parked: boolean;
}

/** Rows loaded from the table per page at start. */
const PAGE = 1000;
const FLUSH_MS = 20;
const FLUSH_ROWS = 200;
/** How long sends in flight may finish at stop before they are aborted. */
export const STOP_GRACE_MS = 5000;
/** A channel that reported a fatal failure is not tried again for this long. */
const FATAL_PAUSE_MS = 60_000;

const realTimers: DispatcherTimers = {
  now: () => Date.now(),
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class Dispatcher {
  readonly #senders = new Map<string, ChannelSender>();
  readonly #pacers = new Map<string, Pacer>();
  readonly #chats = new Map<string, ChatQueue>();
  /** Ids queued or in flight, so that loading the table does not queue a row twice. */
  readonly #known = new Set<number>();
  readonly #ready: ChatQueue[] = [];
  readonly #running = new Map<string, number>();
  readonly #workers = new Set<Promise<void>>();
  #deletions: number[] = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Workers waiting (for a retry, a pace slot): woken (and ended) by stop(). */
  readonly #sleepers = new Set<() => void>();
  /** Aborts the sends in flight when the grace period at stop has passed. */
  readonly #abort = new AbortController();
  #reportFatal: (failure: { channel: string; reason: string }) => void = () => {};
  /**
   * Resolves at the first fatal failure of any channel (a revoked token): the process should stop
   * with an error. The messages stay in the outbox.
   */
  readonly fatal = new Promise<{ channel: string; reason: string }>((resolve) => (this.#reportFatal = resolve));

  constructor(private readonly opts: DispatcherOptions) {}

  private get log(): Logger {
    return this.opts.log;
  }

  private get timers(): DispatcherTimers {
    return this.opts.timers ?? realTimers;
  }

  private now(): number {
    return this.timers.now();
  }

  /** Starts delivering for a channel, beginning with what the outbox still holds for it. */
  async register(sender: ChannelSender): Promise<void> {
    this.#senders.set(sender.channel, sender);
    this.#pacers.set(sender.channel, new Pacer(sender.capabilities, () => this.now()));
    let after = 0;
    for (;;) {
      const rows = await this.opts.db.transaction((tx) =>
        tx.outbox.findMany({ where: { channel: sender.channel, id: { gt: after } }, orderBy: { id: "asc" }, take: PAGE }),
      );
      this.enqueue(rows);
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The registered sender of a channel (core: an apology sent directly when the database fails). */
  sender(channel: string): ChannelSender | undefined {
    return this.#senders.get(channel);
  }

  /** What a registered channel can show (DEFAULT_CAPABILITIES for one that declares nothing or is not registered). */
  capabilitiesOf(channel: string): ResolvedCapabilities {
    return { ...DEFAULT_CAPABILITIES, ...this.#senders.get(channel)?.capabilities };
  }

  /**
   * Messages queued for chat `from` go to `to` instead (the same chat under a new id), ahead of any
   * already queued for `to`. While a message is in flight to `from`, its queue stays: if that
   * message is refused for the same reason, its worker moves it with the rest in order (see `work`).
   */
  redirect(channel: string, from: string, to: string): void {
    if (from === to) return;
    const old = this.#chats.get(`${channel}\u0000${from}`);
    if (!old || old.running) return;
    this.#chats.delete(`${channel}\u0000${from}`);
    this.adopt(channel, to, old.rows.splice(0));
  }

  /** Puts `rows` at the front of chat `to`'s queue (behind the row in flight, if any). */
  private adopt(channel: string, to: string, rows: QueuedMessage[]): void {
    if (!rows.length) return;
    for (const row of rows) row.chatId = to;
    const key = `${channel}\u0000${to}`;
    let chat = this.#chats.get(key);
    if (!chat) {
      chat = { channel, chatId: to, rows: [], running: false, parked: false };
      this.#chats.set(key, chat);
    }
    chat.rows.splice(chat.running ? 1 : 0, 0, ...rows);
    if (!chat.running) this.#ready.push(chat);
    this.schedule();
  }

  unregister(channel: ChannelName): void {
    this.#senders.delete(channel);
  }

  /** Rows a turn has committed. Rows of channels without a sender stay in the table for later. */
  enqueue(rows: QueuedMessage[]): void {
    for (const row of rows) {
      if (this.#known.has(row.id) || !this.#senders.has(row.channel)) continue;
      this.#known.add(row.id);
      const key = `${row.channel}\u0000${row.chatId}`;
      let chat = this.#chats.get(key);
      if (!chat) {
        chat = { channel: row.channel, chatId: row.chatId, rows: [], running: false, parked: false };
        this.#chats.set(key, chat);
      }
      chat.rows.push(row);
      if (!chat.running && !chat.parked && chat.rows.length === 1) this.#ready.push(chat);
    }
    this.schedule();
  }

  /** Resolves once nothing is queued, in flight or waiting to be deleted (tests, shutdown). */
  async idle(): Promise<void> {
    if (!this.busy()) return this.flush();
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.flush();
  }

  /**
   * Stops delivering: nothing new is sent; sends in flight get `graceMs` to finish and are then
   * aborted (their rows stay: whether the platform stored them is unknown); rows waiting for a
   * retry or a pace slot stay in the table for the next start. Delivered rows are removed before
   * this resolves.
   */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
    const workers = Promise.allSettled([...this.#workers]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), opts.graceMs ?? STOP_GRACE_MS)));
    if ((await Promise.race([workers, graceOver])) === "late") {
      this.log.warn("sends still in flight at stop; aborted (they stay in the outbox)", { count: this.#workers.size });
      this.#abort.abort();
      await workers;
    }
    clearTimeout(timer);
    await this.flush();
    // Idle waiters (tests, the console) must not hang on a stopped dispatcher.
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  private busy(): boolean {
    return this.#workers.size > 0 || [...this.#chats.values()].some((c) => c.rows.length > 0);
  }

  private settle(): void {
    if (this.busy()) return;
    // Nothing left to batch with: write the deletions now instead of after FLUSH_MS, so an idle
    // dispatcher (a shutdown, a test step) never waits on the batch timer.
    if (this.#deletions.length) void this.flush();
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.#stopped) return;
    const limit = this.opts.concurrency ?? 16;
    const waiting: ChatQueue[] = [];
    while (this.#ready.length) {
      const chat = this.#ready.shift()!;
      if (chat.running || chat.parked || chat.rows.length === 0) continue;
      const running = this.#running.get(chat.channel) ?? 0;
      if (running >= limit) {
        waiting.push(chat);
        continue;
      }
      this.#running.set(chat.channel, running + 1);
      chat.running = true;
      const worker: Promise<void> = this.work(chat).finally(() => {
        chat.running = false;
        this.#running.set(chat.channel, (this.#running.get(chat.channel) ?? 1) - 1);
        this.#workers.delete(worker);
        if (chat.parked) {
          // woken into the ready list by its timer
        } else if (chat.rows.length) this.#ready.push(chat);
        else this.#chats.delete(`${chat.channel}\u0000${chat.chatId}`);
        this.schedule();
        this.settle();
      });
      this.#workers.add(worker);
    }
    this.#ready.push(...waiting);
    this.settle();
  }

  private async work(chat: ChatQueue): Promise<void> {
    while (chat.rows.length && !this.#stopped) {
      const row = chat.rows[0]!;
      const sender = this.#senders.get(row.channel);
      if (!sender) return;
      const notBefore = row.notBefore ? row.notBefore.getTime() - this.now() : 0;
      // Keep the chat's order: later messages wait behind this one.
      const wait = notBefore > 0 ? notBefore : this.#pacers.get(row.channel)!.take(row.chatId);
      if (wait > 0) {
        // Free the worker for other chats meanwhile; this chat comes back when its time has come.
        chat.parked = true;
        void this.sleep(wait).then(() => {
          chat.parked = false;
          if (this.#stopped) return;
          this.#ready.push(chat);
          this.schedule();
        });
        return;
      }
      const { outcome, reason, movedTo } = await this.deliver(sender, row);
      if (outcome === "retry") continue;
      if (outcome === "moved") {
        // The chat has a new id: this message goes there first, then whatever still follows it here.
        chat.rows.shift();
        this.adopt(row.channel, movedTo!, [row, ...chat.rows.splice(0)]);
        continue;
      }
      chat.rows.shift();
      this.#known.delete(row.id);
      if (outcome === "unreachable") {
        // Blocked or gone: nothing queued for this chat can be delivered.
        const dropped = [row, ...chat.rows];
        for (const r of chat.rows) this.#known.delete(r.id);
        chat.rows.length = 0;
        await this.opts.onUnreachable?.(row.channel, row.chatId, dropped, reason ?? "").catch((error: unknown) =>
          this.log.error("could not handle an unreachable chat", { error }),
        );
        return;
      }
    }
  }

  /** Delivers one row; "retry" means it stays at the head of its chat's queue (paced or with a later notBefore). */
  private async deliver(
    sender: ChannelSender,
    row: QueuedMessage,
  ): Promise<{ outcome: "done" | "retry" | "unreachable" | "moved"; reason?: string; movedTo?: string }> {
    const payload = JSON.parse(row.payload) as QueuedPayload;
    const signal = this.#abort.signal;
    try {
      if (payload.kind === "edit-tag") {
        const sent = await this.opts.db.transaction((tx) =>
          tx.sentMessage.findMany({ where: { tag: payload.tag, channel: row.channel, chatId: row.chatId }, select: { id: true, messageId: true } }),
        );
        // Each copy on its own: one deleted by someone (or too old to edit) does not keep the others
        // from being edited (an erasure must reach them all). Re-editing a copy is harmless.
        for (const [i, copy] of sent.entries()) {
          // The first edit took the slot the worker asked for; further copies ask for their own.
          for (let wait = i === 0 ? 0 : this.#pacers.get(row.channel)!.take(row.chatId); wait > 0; wait = this.#pacers.get(row.channel)!.take(row.chatId)) {
            if (this.#stopped) return { outcome: "retry" };
            await this.sleep(wait);
          }
          try {
            await sender.deliver(row.chatId, { kind: "edit", messageId: copy.messageId, message: payload.message }, signal);
          } catch (error) {
            if (!(error instanceof DeliveryError) || error.failure !== "rejected") throw error;
            this.log.info("a copy of a message cannot be edited any more; forgotten", { channel: row.channel, reason: error.message });
            await this.opts.db.transaction((tx) => tx.sentMessage.deleteMany({ where: { id: copy.id } }));
          }
        }
        if (payload.forget) {
          await this.opts.db.transaction((tx) => tx.sentMessage.deleteMany({ where: { id: { in: sent.map((c) => c.id) } } }));
        }
        this.deleteSoon(row.id);
        return { outcome: "done" };
      }
      const { messageId } = await sender.deliver(row.chatId, payload, signal);
      if (row.tag) {
        const tag = row.tag;
        await this.opts.db.transaction(async (tx) => {
          await tx.outbox.deleteMany({ where: { id: row.id } });
          await tx.sentMessage.create({ data: { tag, channel: row.channel, chatId: row.chatId, messageId, locale: row.locale } });
        });
      } else {
        this.deleteSoon(row.id);
      }
      return { outcome: "done" };
    } catch (error) {
      if (error instanceof DeliveryError && error.movedTo && this.opts.onMoved) {
        const movedTo = error.movedTo;
        this.log.warn("chat has a new id; its messages follow it", { channel: row.channel, from: row.chatId, to: movedTo });
        try {
          await this.opts.onMoved(row.channel, row.chatId, movedTo);
          return { outcome: "moved", movedTo };
        } catch (cause) {
          this.log.error("could not follow a chat to its new id", { error: cause });
        }
      }
      const failure = error instanceof DeliveryError ? error.failure : "retry";
      const reason = error instanceof Error ? error.message : String(error);
      if (failure === "unreachable") {
        this.log.info("chat unreachable; dropping its queue", { channel: row.channel, group: !!sender.capabilities?.isGroup?.(row.chatId), reason });
        await this.opts.db.transaction(async (tx) => {
          await tx.outbox.deleteMany({ where: { channel: row.channel, chatId: row.chatId } });
          await markUnreachable(tx, row.channel as ChannelName, row.chatId);
        });
        return { outcome: "unreachable", reason };
      }
      if (failure === "rejected") {
        this.log.error("message refused by the platform; dropped", { channel: row.channel, outbox: row.id, reason });
        this.deleteSoon(row.id);
        return { outcome: "done" };
      }
      if (failure === "fatal") {
        // Nothing can be sent on this channel: keep the message, hold the channel back, say so.
        this.log.error("the channel refuses every send; messages stay queued", { channel: row.channel, reason });
        this.#pacers.get(row.channel)!.pause(row.chatId, "global", FATAL_PAUSE_MS);
        this.opts.onFatal?.(row.channel, reason);
        this.#reportFatal({ channel: row.channel, reason });
        return { outcome: "retry" };
      }
      if (error instanceof DeliveryError && error.retryAfterMs !== undefined) {
        // A rate limit is not the message's fault: pause its scope, do not count an attempt.
        this.log.warn("rate limited; pausing", { channel: row.channel, scope: error.scope ?? "chat", retryAfter: error.retryAfterMs });
        this.#pacers.get(row.channel)!.pause(row.chatId, error.scope ?? "chat", error.retryAfterMs);
        return { outcome: "retry" };
      }
      if (this.#stopped && signal.aborted) return { outcome: "retry" }; // aborted at stop: handed back as it is
      const attempts = row.attempts + 1;
      if (attempts >= (this.opts.maxAttempts ?? 15)) {
        this.log.error("message kept failing; dropped", { channel: row.channel, outbox: row.id, attempts, reason });
        this.deleteSoon(row.id);
        return { outcome: "done" };
      }
      const retryAfter = backoff(attempts);
      this.log.warn("delivery failed; will retry", { channel: row.channel, outbox: row.id, attempts, retryAfter, reason });
      row.attempts = attempts;
      row.notBefore = new Date(this.now() + retryAfter);
      const notBefore = row.notBefore;
      await this.opts.db.transaction((tx) =>
        tx.outbox.updateMany({ where: { id: row.id }, data: { attempts, notBefore, lastError: reason.slice(0, 300) } }),
      );
      return { outcome: "retry" };
    }
  }

  /** Waits `ms`, or until stop(). */
  private sleep(ms: number): Promise<void> {
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

  /**
   * Delivered rows are removed in batches: one transaction per FLUSH_MS (or FLUSH_ROWS rows), or at
   * once when nothing else is queued (`settle`). The timer holds the process open (a batch is never
   * left behind at exit); `flush` writes at once.
   */
  private deleteSoon(id: number): void {
    this.#deletions.push(id);
    if (this.#deletions.length >= FLUSH_ROWS) void this.flush();
    else this.#flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes the pending deletions now; resolves when every deletion so far is in the database. */
  private async flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    while (this.#flushing) await this.#flushing;
    if (!this.#deletions.length) return;
    const ids = this.#deletions;
    this.#deletions = [];
    this.#flushing = (async () => {
      try {
        await this.opts.db.transaction((tx) => deleteOutbox(tx, ids));
      } catch (error) {
        this.log.error("could not remove delivered messages from the outbox", { error, count: ids.length });
      } finally {
        this.#flushing = undefined;
      }
    })();
    await this.#flushing;
    if (this.#deletions.length) await this.flush();
  }
}

/** 1 s, 2 s, 4 s ... capped at 10 minutes. */
function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** (attempts - 1));
}
