/**
 * Delivers the outbox. Turns write messages to the Outbox table in their transaction; this sends
 * them afterwards through the channel adapters, in order within each chat and several chats at a
 * time. A crash before delivery loses nothing (the row stays); a crash between delivery and the
 * row's removal sends that one message again (at-least-once).
 */
import type { Database } from "../../db/database.ts";
import type { Logger } from "../../log.ts";
import { DeliveryError, type ChannelName, type ChannelSender, type Outbound } from "../channel.ts";
import { markUnreachable } from "../people.ts";

export interface DispatcherOptions {
  db: Database;
  log: Logger;
  clock?: () => Date;
  /** Chats served at the same time. */
  concurrency?: number;
  /** Attempts before a message that keeps failing transiently is dropped (and logged). */
  maxAttempts?: number;
}

interface Row {
  id: number;
  channel: string;
  chatId: string;
  payload: string;
  tag: string | null;
  locale: string | null;
  attempts: number;
  notBefore: Date | null;
}

const BATCH = 500;

export class Dispatcher {
  readonly #senders = new Map<string, ChannelSender>();
  readonly #busy = new Set<string>();
  readonly #workers = new Set<Promise<void>>();
  #pumping = false;
  #again = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: DispatcherOptions) {}

  private get log(): Logger {
    return this.opts.log;
  }

  private now(): Date {
    return this.opts.clock?.() ?? new Date();
  }

  register(sender: ChannelSender): void {
    this.#senders.set(sender.channel, sender);
    this.kick();
  }

  unregister(channel: ChannelName): void {
    this.#senders.delete(channel);
  }

  /** Something was queued: deliver soon. Cheap to call often. */
  kick(): void {
    if (this.#stopped || this.#senders.size === 0) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.pump().finally(() => {
      this.#pumping = false;
      if (this.#again) this.kick();
      else this.maybeIdle();
    });
  }

  /** Resolves once nothing deliverable is queued and nothing is in flight (tests, shutdown). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.kick();
      this.maybeIdle();
    });
  }

  /** Stops delivering; messages in flight finish, the rest wait in the outbox for the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#workers]);
  }

  private maybeIdle(): void {
    if (this.#pumping || this.#workers.size > 0 || this.#again) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  private async pump(): Promise<void> {
    do {
      this.#again = false;
      const channels = [...this.#senders.keys()];
      const rows: Row[] = await this.opts.db.transaction((tx) =>
        tx.outbox.findMany({ where: { channel: { in: channels } }, orderBy: { id: "asc" }, take: BATCH }),
      );
      const now = this.now().getTime();
      const chats = new Map<string, Row[]>();
      let wakeAt = Infinity;
      for (const row of rows) {
        const key = `${row.channel}\u0000${row.chatId}`;
        let list = chats.get(key);
        if (!list) chats.set(key, (list = []));
        list.push(row);
      }
      for (const [key, list] of chats) {
        if (this.#stopped) return;
        if (this.#busy.has(key)) continue;
        // Only the leading run that is due: a message waiting for a retry holds back the later ones.
        const due: Row[] = [];
        for (const row of list) {
          if (row.notBefore && row.notBefore.getTime() > now) {
            wakeAt = Math.min(wakeAt, row.notBefore.getTime());
            break;
          }
          due.push(row);
        }
        if (!due.length) continue;
        if (this.#workers.size >= (this.opts.concurrency ?? 8)) {
          this.#again = true;
          break;
        }
        this.#busy.add(key);
        const worker: Promise<void> = this.work(due).finally(() => {
          this.#busy.delete(key);
          this.#workers.delete(worker);
          this.kick();
          this.maybeIdle();
        });
        this.#workers.add(worker);
      }
      if (wakeAt < Infinity) this.wakeAt(wakeAt);
    } while (this.#again && this.#workers.size < (this.opts.concurrency ?? 8) && !this.#stopped);
  }

  private wakeAt(at: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), Math.max(10, at - this.now().getTime()));
    this.#timer.unref();
  }

  private async work(rows: Row[]): Promise<void> {
    for (const row of rows) {
      if (this.#stopped) return;
      const sender = this.#senders.get(row.channel);
      if (!sender) return;
      try {
        const outbound = JSON.parse(row.payload) as Outbound;
        const { messageId } = await sender.deliver(row.chatId, outbound);
        await this.opts.db.transaction(async (tx) => {
          await tx.outbox.delete({ where: { id: row.id } });
          if (row.tag) {
            await tx.sentMessage.create({
              data: { tag: row.tag, channel: row.channel, chatId: row.chatId, messageId, locale: row.locale },
            });
          }
        });
      } catch (error) {
        const failure = error instanceof DeliveryError ? error.failure : "retry";
        const reason = error instanceof Error ? error.message : String(error);
        if (failure === "unreachable") {
          // Blocked or gone: nothing queued for this chat can be delivered.
          this.log.info("chat unreachable; dropping its queue", { channel: row.channel, reason });
          await this.opts.db.transaction(async (tx) => {
            await tx.outbox.deleteMany({ where: { channel: row.channel, chatId: row.chatId } });
            await markUnreachable(tx, row.channel as ChannelName, row.chatId);
          });
          return;
        }
        if (failure === "rejected") {
          this.log.error("message refused by the platform; dropped", { channel: row.channel, outbox: row.id, reason });
          await this.opts.db.transaction((tx) => tx.outbox.delete({ where: { id: row.id } }));
          continue;
        }
        const attempts = row.attempts + 1;
        if (attempts >= (this.opts.maxAttempts ?? 15)) {
          this.log.error("message kept failing; dropped", { channel: row.channel, outbox: row.id, attempts, reason });
          await this.opts.db.transaction((tx) => tx.outbox.delete({ where: { id: row.id } }));
          continue;
        }
        const retryAfter = error instanceof DeliveryError && error.retryAfterMs ? error.retryAfterMs : backoff(attempts);
        this.log.warn("delivery failed; will retry", { channel: row.channel, outbox: row.id, attempts, retryAfter, reason });
        const notBefore = new Date(this.now().getTime() + retryAfter);
        await this.opts.db.transaction((tx) =>
          tx.outbox.update({ where: { id: row.id }, data: { attempts, notBefore, lastError: reason.slice(0, 300) } }),
        );
        this.wakeAt(notBefore.getTime());
        return;
      }
    }
  }
}

/** 1 s, 2 s, 4 s ... capped at 10 minutes. */
function backoff(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** (attempts - 1));
}
