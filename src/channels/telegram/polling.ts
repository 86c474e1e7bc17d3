/**
 * Long polling that loses nothing and keeps chats independent.
 *
 * Telegram confirms every update below the `offset` of a getUpdates call, and a confirmed update
 * is never delivered again. So the offset sent is always the *safe* one: the lowest update still
 * unfinished (fetched but its turn not committed), or one past the highest when all are done. A
 * crash then re-delivers what was in hand, and the core drops what it had already handled.
 *
 * Polling never waits for handling: each chat has its own ordered queue (a conversation's updates
 * run one after another, different chats at once), and the next getUpdates goes out at once. While
 * something is unfinished Telegram answers getUpdates at once with the unconfirmed updates again
 * (they are skipped: every id up to the highest fetched is known), so then the loop waits until
 * everything in hand is finished or {@link HELD_POLL_MS} has passed before asking again, instead
 * of spinning: a chat stuck in a slow turn delays other chats' new updates by at most that.
 *
 * The backlog in memory is bounded by getUpdates' `limit`: everything unfinished lies within the
 * first `limit` updates from the safe offset, so one stuck chat lets at most `limit - 1` further
 * updates be fetched until it moves.
 *
 * (grammY's bot.start() handles updates strictly one at a time; @grammyjs/runner confirms updates
 * before handling them, which can lose up to a batch on a crash.)
 */
import { GrammyError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.ts";
import type { ReceiveOutcome } from "./http.ts";

/** How often getUpdates is repeated while an update is unfinished and nothing new arrives (ms). */
export const HELD_POLL_MS = 250;
/** Consecutive failed getUpdates after which the bot counts as not receiving. */
export const FAILURES_UNHEALTHY = 3;
/** Backoff of an update whose turn failed transiently: first wait and cap (ms). */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface PollerOptions {
  bot: Bot;
  log: Logger;
  /** Seconds Telegram holds a getUpdates open when there is nothing new. */
  timeout: number;
  allowedUpdates: readonly string[];
  /** Handles one update; "retry" (a transient failure) keeps it unconfirmed and runs it again later. */
  receive: (update: Update) => Promise<ReceiveOutcome>;
  /** Updates per getUpdates, and so the most held in memory (Telegram allows 1 to 100). */
  limit?: number;
}

interface ChatQueue {
  updates: Update[];
  running: boolean;
}

export class Poller {
  #running = false;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  /** Highest update_id fetched so far (everything up to it is known). */
  #highest: number | undefined;
  /** Fetched updates whose turn has not finished. */
  readonly #unfinished = new Set<number>();
  readonly #chats = new Map<string, ChatQueue>();
  readonly #workers = new Set<Promise<void>>();
  /** Wakes the loop (an update finished, or stop). */
  #wake: (() => void) | undefined;
  #lastOkAt: number | undefined;
  #failures = 0;
  /** Wakes retry sleeps on stop. */
  readonly #sleeps = new Set<() => void>();

  constructor(private readonly opts: PollerOptions) {}

  /** Set when polling ended for good (401: the token was revoked or is wrong). */
  failure: unknown;

  /** Starts polling; resolves at once. `done` rejects on a fatal error. */
  start(): Promise<void> {
    this.#running = true;
    this.#loop = this.loop();
    this.#loop.catch((error: unknown) => {
      this.failure = error;
      this.#running = false;
      this.opts.log.error("polling stopped", { error });
    });
    return Promise.resolve();
  }

  /**
   * Whether updates are being received: polling runs, and getUpdates has not failed
   * {@link FAILURES_UNHEALTHY} times in a row. `lastOkAt` is the last successful getUpdates (ms).
   */
  status(): { ok: boolean; detail?: string; lastOkAt?: number } {
    const lastOkAt = this.#lastOkAt !== undefined ? { lastOkAt: this.#lastOkAt } : {};
    if (this.failure !== undefined) return { ok: false, detail: "polling stopped for good (token refused)", ...lastOkAt };
    if (!this.#running) return { ok: false, detail: "polling is not running", ...lastOkAt };
    if (this.#failures >= FAILURES_UNHEALTHY) return { ok: false, detail: `the last ${this.#failures} getUpdates failed`, ...lastOkAt };
    return { ok: true, ...lastOkAt };
  }

  /** The offset that confirms exactly the updates whose turns have finished. */
  get safeOffset(): number | undefined {
    if (this.#unfinished.size > 0) return Math.min(...this.#unfinished);
    return this.#highest !== undefined ? this.#highest + 1 : undefined;
  }

  /**
   * Stops: the open request is cancelled, each chat finishes the update in hand (a failed one
   * waiting for its retry is left), and the safe offset is confirmed. What was not handled stays
   * unconfirmed and comes again at the next start.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort?.abort();
    this.#wake?.();
    for (const wake of this.#sleeps) wake();
    await this.#loop?.catch(() => {});
    await Promise.all(this.#workers);
    const offset = this.safeOffset;
    if (offset !== undefined) {
      await this.opts.bot.api.getUpdates({ offset, limit: 1, timeout: 0 }).catch((error: unknown) => {
        // Not confirmed: the updates come again at the next start and are dropped as duplicates.
        this.opts.log.warn("could not confirm the last updates", { error });
      });
    }
  }

  /** The loop's promise (tests: wait for a fatal error). */
  get done(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    const { bot, log } = this.opts;
    let allowed: string[] | undefined = [...this.opts.allowedUpdates];
    while (this.#running) {
      this.#abort = new AbortController();
      const offset = this.safeOffset;
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            limit: this.opts.limit ?? 100,
            timeout: this.opts.timeout,
            ...(allowed ? { allowed_updates: allowed as never } : {}),
          },
          // grammY types its signal with the abort-controller shim; Node's own works the same.
          this.#abort.signal as Parameters<Bot["api"]["getUpdates"]>[1],
        );
        this.#failures = 0;
        this.#lastOkAt = Date.now();
        allowed = undefined; // Telegram remembers it
      } catch (error) {
        if (!this.#running) return;
        if (error instanceof GrammyError && error.error_code === 401) throw error;
        this.#failures++;
        const wait =
          error instanceof GrammyError && error.error_code === 429
            ? (error.parameters.retry_after ?? 5) * 1000
            : Math.min(30_000, 250 * 2 ** Math.min(this.#failures, 7));
        log.warn("getUpdates failed; retrying", { error, wait, failures: this.#failures });
        await this.sleep(wait);
        continue;
      }
      const fresh = updates.filter((u) => this.#highest === undefined || u.update_id > this.#highest);
      for (const update of fresh) this.enqueue(update);
      if (fresh.length === 0 && this.#unfinished.size > 0 && this.#running) {
        // Telegram answered at once with what is still unconfirmed: wait for progress.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, HELD_POLL_MS);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  private enqueue(update: Update): void {
    this.#highest = Math.max(this.#highest ?? update.update_id, update.update_id);
    this.#unfinished.add(update.update_id);
    const key = chatKey(update);
    let chat = this.#chats.get(key);
    if (!chat) this.#chats.set(key, (chat = { updates: [], running: false }));
    chat.updates.push(update);
    if (chat.running) return;
    chat.running = true;
    const worker = this.work(key, chat).finally(() => this.#workers.delete(worker));
    this.#workers.add(worker);
  }

  /** Runs one chat's updates in order; a transient failure is retried with backoff until stop. */
  private async work(key: string, chat: ChatQueue): Promise<void> {
    try {
      while (this.#running && chat.updates.length > 0) {
        const update = chat.updates[0]!;
        let wait = RETRY_FIRST_MS;
        let outcome: ReceiveOutcome = "retry";
        while (this.#running) {
          outcome = await this.opts.receive(update).catch((error: unknown) => {
            this.opts.log.error("update failed", { error, update: update.update_id });
            return "done" as const;
          });
          if (outcome === "done" || !this.#running) break;
          this.opts.log.warn("update will be retried", { update: update.update_id, wait });
          await this.sleep(wait);
          wait = Math.min(RETRY_MAX_MS, wait * 2);
        }
        if (outcome !== "done") return; // stopped: left unconfirmed, it comes again at the next start
        chat.updates.shift();
        this.#unfinished.delete(update.update_id);
        if (this.#unfinished.size === 0) this.#wake?.();
      }
    } finally {
      chat.running = false;
      if (chat.updates.length === 0) this.#chats.delete(key);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}

/**
 * The queue an update belongs to: its conversation (a private chat; in a group, one member's),
 * whose order matters. Updates without a chat each get their own.
 */
function chatKey(u: Update): string {
  const chat = u.message?.chat ?? u.callback_query?.message?.chat;
  const from = u.message?.from ?? u.callback_query?.from;
  if (chat) return chat.type === "private" ? String(chat.id) : `${chat.id}:${from?.id ?? ""}`;
  return from ? String(from.id) : `update:${u.update_id}`;
}
