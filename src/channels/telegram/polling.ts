/**
 * Long polling that loses nothing and keeps chats independent. Updates are confirmed to Telegram
 * only by the next getUpdates, after the whole batch is handled, so a crash re-delivers instead
 * of losing (the core drops what it already handled). Within a batch, each chat's updates run in
 * order and different chats run at once, so one slow conversation does not hold up the others.
 * (grammY's bot.start() handles a batch strictly one update at a time; @grammyjs/runner confirms
 * updates before handling them, which can lose up to a batch on a crash.)
 */
import { GrammyError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.ts";

export interface PollerOptions {
  bot: Bot;
  log: Logger;
  /** Seconds Telegram holds a getUpdates open when there is nothing new. */
  timeout: number;
  allowedUpdates: readonly string[];
}

export class Poller {
  #running = false;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #offset: number | undefined;

  constructor(private readonly opts: PollerOptions) {}

  /** Set when polling ended for good (401: the token was revoked or is wrong). */
  failure: unknown;

  /** Starts polling; resolves once the first request is on its way. `done` rejects on a fatal error. */
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

  /** Whether updates are being received. */
  get healthy(): boolean {
    return this.#running && this.failure === undefined;
  }

  /** Stops: the open request is cancelled, the batch in hand finishes, and its offset is confirmed. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort?.abort();
    await this.#loop?.catch(() => {});
    if (this.#offset !== undefined) {
      await this.opts.bot.api.getUpdates({ offset: this.#offset, limit: 1, timeout: 0 }).catch((error: unknown) => {
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
    let failures = 0;
    let allowed: string[] | undefined = [...this.opts.allowedUpdates];
    while (this.#running) {
      this.#abort = new AbortController();
      let updates: Update[];
      try {
        updates = await bot.api.getUpdates(
          {
            ...(this.#offset !== undefined ? { offset: this.#offset } : {}),
            limit: 100,
            timeout: this.opts.timeout,
            ...(allowed ? { allowed_updates: allowed as never } : {}),
          },
          // grammY types its signal with the abort-controller shim; Node's own works the same.
          this.#abort.signal as Parameters<Bot["api"]["getUpdates"]>[1],
        );
        failures = 0;
        allowed = undefined; // Telegram remembers it
      } catch (error) {
        if (!this.#running) return;
        if (error instanceof GrammyError && error.error_code === 401) throw error;
        failures++;
        const wait =
          error instanceof GrammyError && error.error_code === 429
            ? (error.parameters.retry_after ?? 5) * 1000
            : Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        log.warn("getUpdates failed; retrying", { error, wait });
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      if (updates.length === 0) continue;
      await this.handle(updates);
      this.#offset = updates[updates.length - 1]!.update_id + 1;
    }
  }

  private async handle(updates: Update[]): Promise<void> {
    const byChat = new Map<string, Update[]>();
    for (const u of updates) {
      const key = String(u.message?.chat.id ?? u.callback_query?.message?.chat.id ?? u.callback_query?.from.id ?? `update:${u.update_id}`);
      let list = byChat.get(key);
      if (!list) byChat.set(key, (list = []));
      list.push(u);
    }
    await Promise.all(
      [...byChat.values()].map(async (list) => {
        for (const update of list) {
          try {
            await this.opts.bot.handleUpdate(update);
          } catch (error) {
            this.opts.log.error("update failed", { error, update: update.update_id });
          }
        }
      }),
    );
  }
}
