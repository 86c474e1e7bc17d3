/**
 * Delivers the outbox. A turn writes its messages to the Outbox table in its own transaction and,
 * once committed, hands the same rows to `enqueue`; the table is the durable log, these in-memory
 * queues the working copy. At start (`register`) whatever a previous run left is loaded back.
 *
 * - Order: within a chat, strictly in outbox order (a message waiting for a retry holds back the
 *   later ones); several chats are served at once.
 * - Durability: a row is deleted only after the platform accepted it. Deletions of plain messages
 *   are batched; a crash between delivery and deletion re-sends those few (at-least-once).
 * - Tagged messages (staff notices) record their platform message id at once, so that an edit
 *   queued behind them ("edit-tag") finds it.
 */
import type { Database } from "../../db/database.ts";
import type { Logger } from "../../log.ts";
import type { QueuedMessage } from "../bookkeeping.ts";
import { DeliveryError, type ChannelName, type ChannelSender } from "../channel.ts";
import { markUnreachable } from "../people.ts";
import type { QueuedPayload } from "../turn.ts";

export interface DispatcherOptions {
  db: Database;
  log: Logger;
  clock?: () => Date;
  /** Chats served at the same time, per channel. */
  concurrency?: number;
  /** Attempts before a message that keeps failing transiently is dropped (and logged). */
  maxAttempts?: number;
  /** Told about a chat that cannot be reached, with the messages dropped for it. */
  onUnreachable?: (channel: string, chatId: string, dropped: QueuedMessage[], reason: string) => Promise<void>;
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
}

/** Rows loaded from the table per page at start. */
const PAGE = 1000;
const FLUSH_MS = 20;
const FLUSH_ROWS = 200;

export class Dispatcher {
  readonly #senders = new Map<string, ChannelSender>();
  readonly #chats = new Map<string, ChatQueue>();
  /** Ids queued or in flight, so that loading the table does not queue a row twice. */
  readonly #known = new Set<number>();
  readonly #ready: ChatQueue[] = [];
  readonly #running = new Map<string, number>();
  readonly #workers = new Set<Promise<void>>();
  #deletions: number[] = [];
  #flushing: Promise<void> | undefined;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];
  /** Workers sleeping until a retry: woken (and ended) by stop(). */
  #sleepers = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly opts: DispatcherOptions) {}

  private get log(): Logger {
    return this.opts.log;
  }

  private now(): number {
    return (this.opts.clock?.() ?? new Date()).getTime();
  }

  /** Starts delivering for a channel, beginning with what the outbox still holds for it. */
  async register(sender: ChannelSender): Promise<void> {
    this.#senders.set(sender.channel, sender);
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
      chat = { channel, chatId: to, rows: [], running: false };
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
        chat = { channel: row.channel, chatId: row.chatId, rows: [], running: false };
        this.#chats.set(key, chat);
      }
      chat.rows.push(row);
      if (!chat.running && chat.rows.length === 1) this.#ready.push(chat);
    }
    this.schedule();
  }

  /** Resolves once nothing is queued, in flight or waiting to be deleted (tests, shutdown). */
  async idle(): Promise<void> {
    if (!this.busy()) return this.flush();
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.flush();
  }

  /** Stops delivering; messages in flight finish, the rest stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [timer, wake] of this.#sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.#sleepers.clear();
    await Promise.allSettled([...this.#workers]);
    await this.flush();
  }

  private busy(): boolean {
    return this.#workers.size > 0 || [...this.#chats.values()].some((c) => c.rows.length > 0);
  }

  private settle(): void {
    if (this.busy()) return;
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
      if (chat.running || chat.rows.length === 0) continue;
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
        if (chat.rows.length) this.#ready.push(chat);
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
      const wait = row.notBefore ? row.notBefore.getTime() - this.now() : 0;
      if (wait > 0) {
        // Keep the chat's order: later messages wait behind this one.
        await this.sleep(wait);
        continue;
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

  /** Delivers one row; "retry" means it stays at the head of its chat's queue with a later notBefore. */
  private async deliver(
    sender: ChannelSender,
    row: QueuedMessage,
  ): Promise<{ outcome: "done" | "retry" | "unreachable" | "moved"; reason?: string; movedTo?: string }> {
    const payload = JSON.parse(row.payload) as QueuedPayload;
    try {
      if (payload.kind === "edit-tag") {
        const sent = await this.opts.db.transaction((tx) =>
          tx.sentMessage.findMany({ where: { tag: payload.tag, channel: row.channel, chatId: row.chatId }, select: { id: true, messageId: true } }),
        );
        // Each copy on its own: one deleted by someone (or too old to edit) does not keep the others
        // from being edited (an erasure must reach them all). Re-editing a copy is harmless.
        for (const copy of sent) {
          try {
            await sender.deliver(row.chatId, { kind: "edit", messageId: copy.messageId, message: payload.message });
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
      const { messageId } = await sender.deliver(row.chatId, payload);
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
        this.log.info("chat unreachable; dropping its queue", { channel: row.channel, group: row.chatId.startsWith("-"), reason });
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
      const attempts = row.attempts + 1;
      if (attempts >= (this.opts.maxAttempts ?? 15)) {
        this.log.error("message kept failing; dropped", { channel: row.channel, outbox: row.id, attempts, reason });
        this.deleteSoon(row.id);
        return { outcome: "done" };
      }
      const retryAfter = error instanceof DeliveryError && error.retryAfterMs ? error.retryAfterMs : backoff(attempts);
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

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#sleepers.delete(t);
        resolve();
      }, ms);
      this.#sleepers.set(t, resolve);
    });
  }

  /**
   * Delivered rows are removed in batches: one transaction per FLUSH_MS (or FLUSH_ROWS rows). A
   * crash inside that window sends those few messages again at the next start.
   */
  private deleteSoon(id: number): void {
    this.#deletions.push(id);
    if (this.#deletions.length >= FLUSH_ROWS) void this.flush();
    else if (!this.#flushing) this.#flushing = new Promise((r) => setTimeout(r, FLUSH_MS).unref()).then(() => this.flushNow());
  }

  private async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#deletions.length) {
      this.#flushing = this.flushNow();
      await this.#flushing;
    }
  }

  private async flushNow(): Promise<void> {
    const ids = this.#deletions;
    this.#deletions = [];
    try {
      if (ids.length) await this.opts.db.transaction((tx) => tx.outbox.deleteMany({ where: { id: { in: ids } } }));
    } catch (error) {
      this.log.error("could not remove delivered messages from the outbox", { error, count: ids.length });
    } finally {
      this.#flushing = undefined;
      if (this.#deletions.length) this.#flushing = new Promise((r) => setTimeout(r, FLUSH_MS).unref()).then(() => this.flushNow());
    }
  }
}

/** 1 s, 2 s, 4 s ... capped at 10 minutes. */
function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** (attempts - 1));
}
