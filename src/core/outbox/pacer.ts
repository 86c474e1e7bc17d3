/**
 * Keeps a channel's sends under its declared rate limits (ChannelCapabilities.limits) and honours
 * a rate-limit answer (429) for its whole scope: a global one holds back every chat, a chat's one
 * that chat only, until `retry_after` has passed. Token buckets per scope (the bot's total, each
 * chat), time injected, no timers: the dispatcher asks how long to wait and sleeps itself.
 *
 * (Bottleneck was considered: its groups give per-key limiters, but a pause for a whole scope on a
 * 429 and fake time in tests would need as much glue as this file is long.)
 */
import type { ChannelCapabilities, LimitScope, RateLimit } from "../channel.ts";

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** Chat buckets kept before full (idle) ones are forgotten. */
const PRUNE_AT = 5000;

export class Pacer {
  readonly #global = new Map<string, Bucket>();
  readonly #chats = new Map<string, Bucket>();
  #globalPause = 0;
  readonly #chatPause = new Map<string, number>();

  /** `now` in ms (Date.now by default; a fake clock in tests). */
  constructor(
    private readonly caps: ChannelCapabilities | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * How long (ms) a send to `chatId` must wait; 0 means it may go now, and it is counted. Call
   * again after waiting: another send may have taken the slot meanwhile.
   */
  take(chatId: string): number {
    const now = this.now();
    const paused = Math.max(this.#globalPause, this.#chatPause.get(chatId) ?? 0) - now;
    if (paused > 0) return paused;
    this.#chatPause.delete(chatId);
    const limits = this.caps?.limits;
    const chatLimit = this.caps?.isGroup?.(chatId) ? limits?.group : limits?.privateChat;
    const global = limits?.global ? this.bucket(this.#global, "", limits.global, now) : undefined;
    const chat = chatLimit ? this.bucket(this.#chats, chatId, chatLimit, now) : undefined;
    const wait = Math.max(global ? need(global, limits!.global!) : 0, chat ? need(chat, chatLimit!) : 0);
    if (wait > 0) return Math.ceil(wait);
    if (global) global.tokens -= 1;
    if (chat) chat.tokens -= 1;
    if (this.#chats.size > PRUNE_AT) this.prune(now);
    return 0;
  }

  /** A rate-limit answer: nothing in `scope` goes out for `ms`. */
  pause(chatId: string, scope: LimitScope, ms: number): void {
    const until = this.now() + ms;
    if (scope === "global") this.#globalPause = Math.max(this.#globalPause, until);
    else this.#chatPause.set(chatId, Math.max(this.#chatPause.get(chatId) ?? 0, until));
  }

  private bucket(map: Map<string, Bucket>, key: string, limit: RateLimit, now: number): Bucket {
    let b = map.get(key);
    if (!b) map.set(key, (b = { tokens: limit.burst, at: now }));
    b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) / limit.everyMs);
    b.at = now;
    return b;
  }

  private prune(now: number): void {
    const limits = this.caps?.limits;
    for (const [chatId, b] of this.#chats) {
      const limit = this.caps?.isGroup?.(chatId) ? limits?.group : limits?.privateChat;
      if (!limit || b.tokens + (now - b.at) / limit.everyMs >= limit.burst) this.#chats.delete(chatId);
    }
  }
}

/** Time until the bucket holds a whole token (0 if it does). */
function need(b: Bucket, limit: RateLimit): number {
  return b.tokens >= 1 ? 0 : (1 - b.tokens) * limit.everyMs;
}
