/**
 * The update queue with Telegram's two delivery modes: long polling
 * (`getUpdates`, confirmation by offset, one poller at a time) and webhooks
 * (POST in update_id order, retried until a 2xx answer).
 */
import http from "node:http";
import https from "node:https";
import type { Update, WebhookInfo } from "grammy/types";
import { BotApiError, TEXT } from "./errors.ts";
import { unixNow } from "./state.ts";

/** An update to enqueue; `update_id` is assigned when missing. */
export type UpdateInput = Omit<Update, "update_id"> & { update_id?: number };

/** Update types delivered when allowed_updates is empty or never set. */
const NOT_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

interface Entry {
  update: Update;
  type: string;
  /** Returned by getUpdates at least once (polling). */
  delivered: boolean;
  /** Re-added by `redeliver`: survives offsets until delivered once. */
  forced: boolean;
  inFlight: boolean;
  retryAt: number | undefined;
}

interface HeldPoll {
  limit: number;
  finish: (result: Update[] | BotApiError) => void;
}

/** Webhook settings from setWebhook. */
export interface WebhookConfig {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
}

/** Tunables of delivery. */
export interface UpdateQueueOptions {
  webhookRetryDelayMs: number;
  webhookConcurrency: number;
  webhookTimeoutMs: number;
  /** Runs a method call the webhook answered with (a "webhook reply"). */
  onWebhookReply: (call: Record<string, unknown>) => void;
}

function typeOf(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}

/** Holds updates until the bot has confirmed (polling) or acknowledged (webhook) them. */
export class UpdateQueue {
  private pending: Entry[] = [];
  private readonly drainListeners = new Set<() => void>();
  private readonly history = new Map<number, Update>();
  private nextId = 100_000_001;
  private held: HeldPoll | undefined;
  private wakeScheduled = false;
  /** `undefined`: Telegram's default set. */
  private allowed: Set<string> | undefined;
  private allowedExplicit: string[] | undefined;
  private webhook: WebhookConfig | undefined;
  private lastError: { date: number; message: string } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly requests = new Set<http.ClientRequest>();
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  private closed = false;

  constructor(private readonly options: UpdateQueueOptions) {}

  /** Every update not yet confirmed/acknowledged; setting it tells the drain listeners when it empties. */
  private get entries(): Entry[] {
    return this.pending;
  }

  private set entries(next: Entry[]) {
    this.pending = next;
    if (next.length === 0) for (const listener of [...this.drainListeners]) listener();
  }

  /**
   * Calls `listener` each time the last pending update is confirmed (polling) or acknowledged
   * (webhook); returns the unsubscribe function.
   */
  onDrained(listener: () => void): () => void {
    this.drainListeners.add(listener);
    return () => void this.drainListeners.delete(listener);
  }

  /** Adds an update (from a simulated person or a test); returns its update_id. */
  enqueue(input: UpdateInput): number {
    const id = input.update_id !== undefined && input.update_id > 0 ? input.update_id : this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const update = { ...input, update_id: id } as Update;
    this.history.set(id, update);
    this.insert({ update, type: typeOf(update), delivered: false, forced: false, inFlight: false, retryAt: undefined });
    return id;
  }

  /** Delivers an update again, as Telegram does after a restart or a failed webhook call. */
  redeliver(updateId: number): void {
    const update = this.history.get(updateId);
    if (update === undefined) throw new Error(`redeliver: no update with update_id ${updateId} was ever enqueued`);
    if (this.entries.some((e) => e.update.update_id === updateId && !e.delivered)) return;
    this.entries = this.entries.filter((e) => e.update.update_id !== updateId || e.inFlight);
    this.insert({ update, type: typeOf(update), delivered: false, forced: true, inFlight: false, retryAt: undefined });
  }

  private insert(entry: Entry): void {
    const last = this.entries.at(-1);
    const index =
      last === undefined || last.update.update_id < entry.update.update_id
        ? -1
        : this.entries.findIndex((e) => e.update.update_id > entry.update.update_id);
    if (index === -1) this.entries.push(entry);
    else this.entries.splice(index, 0, entry);
    this.scheduleWake();
    this.pump();
  }

  /** Updates not yet confirmed/acknowledged (what `settled` and `confirmed` wait for). */
  pendingCount(): number {
    return this.entries.length;
  }

  /** Short human description of what is still pending, for timeouts. */
  describePending(): string {
    if (this.entries.length === 0) return "no pending updates";
    const ids = this.entries.map((e) => `${e.update.update_id}(${e.type}${e.delivered ? ", fetched, not confirmed" : ""}${e.retryAt ? ", webhook retry" : ""})`);
    const mode = this.webhook ? `webhook ${this.webhook.url}` : this.held ? "a getUpdates is waiting" : "no getUpdates is waiting — is the bot running?";
    return `${this.entries.length} pending update(s): ${ids.join(", ")}; ${mode}`;
  }

  /** Whether a webhook POST is under way. */
  webhookBusy(): boolean {
    return this.entries.some((e) => e.inFlight);
  }

  /** True while a getUpdates is held open. */
  hasPoller(): boolean {
    return this.held !== undefined;
  }

  private isAllowed(type: string): boolean {
    return this.allowed === undefined ? !NOT_BY_DEFAULT.has(type) : this.allowed.has(type);
  }

  /** Stores `allowed_updates` (Telegram keeps the last value given). */
  setAllowedUpdates(value: unknown): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) throw new BotApiError(400, "Bad Request: can't parse allowed updates");
    const types = value.filter((v): v is string => typeof v === "string");
    this.allowed = types.length === 0 ? undefined : new Set(types);
    this.allowedExplicit = types.length === 0 ? undefined : types;
  }

  /** Drops updates the bot did not ask for (Telegram never sends them). */
  private dropDisallowed(): void {
    this.entries = this.entries.filter((e) => e.inFlight || this.isAllowed(e.type));
  }

  /** The getUpdates method: confirms by offset, then answers now or holds. */
  async getUpdates(offset: number, limit: number, timeoutSeconds: number, signal: AbortSignal): Promise<Update[]> {
    if (this.webhook !== undefined) throw new BotApiError(409, TEXT.conflictWebhook);
    if (this.held !== undefined) {
      // Let a just-aborted poller's disconnect arrive first (grammY aborts, then calls again).
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.held?.finish(new BotApiError(409, TEXT.conflictPolling));
    }
    this.confirm(offset);
    const batch = this.take(limit);
    if (batch.length > 0 || timeoutSeconds <= 0 || this.closed) return batch;

    return new Promise<Update[]>((resolve, reject) => {
      const timer = setTimeout(() => poll.finish([]), timeoutSeconds * 1000);
      const onAbort = (): void => poll.finish([]);
      const poll: HeldPoll = {
        limit,
        finish: (result) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (this.held === poll) this.held = undefined;
          if (result instanceof BotApiError) reject(result);
          else resolve(result);
        },
      };
      this.held = poll;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Telegram's offset rule: every update below `offset` is confirmed and forgotten. */
  private confirm(offset: number): void {
    if (offset > 0) {
      this.entries = this.entries.filter((e) => e.update.update_id >= offset || (e.forced && !e.delivered));
    } else if (offset < 0) {
      this.entries = this.entries.slice(offset);
    }
  }

  private take(limit: number): Update[] {
    this.dropDisallowed();
    const batch = this.entries.slice(0, limit);
    for (const entry of batch) {
      entry.delivered = true;
      entry.forced = false;
    }
    return batch.map((e) => e.update);
  }

  private scheduleWake(): void {
    if (this.held === undefined || this.wakeScheduled) return;
    this.wakeScheduled = true;
    // Answer on the next turn so updates enqueued together arrive in one batch.
    setImmediate(() => {
      this.wakeScheduled = false;
      const poll = this.held;
      if (poll === undefined) return;
      const batch = this.take(poll.limit);
      if (batch.length > 0) poll.finish(batch);
    });
  }

  /** setWebhook; returns Telegram's description. */
  setWebhook(config: WebhookConfig, dropPending: boolean): string {
    if (dropPending) this.entries = this.entries.filter((e) => e.inFlight);
    const same = this.webhook?.url === config.url && this.webhook.secretToken === config.secretToken;
    this.webhook = config;
    this.held?.finish(new BotApiError(409, TEXT.conflictWebhook));
    for (const entry of this.entries) entry.retryAt = undefined;
    this.pump();
    return same ? "Webhook is already set" : "Webhook was set";
  }

  /** deleteWebhook; returns Telegram's description. */
  deleteWebhook(dropPending: boolean): string {
    if (dropPending) this.entries = this.entries.filter((e) => e.inFlight);
    const was = this.webhook !== undefined;
    this.webhook = undefined;
    this.lastError = undefined;
    clearTimeout(this.retryTimer);
    for (const entry of this.entries) entry.retryAt = undefined;
    return was ? "Webhook was deleted" : "Webhook is already deleted";
  }

  /** getWebhookInfo's result. */
  webhookInfo(): WebhookInfo {
    const info: WebhookInfo = { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.entries.length };
    if (this.webhook !== undefined) {
      info.ip_address = "127.0.0.1";
      info.max_connections = this.webhook.maxConnections;
    }
    if (this.lastError !== undefined) {
      info.last_error_date = this.lastError.date;
      info.last_error_message = this.lastError.message;
    }
    if (this.allowedExplicit !== undefined) info.allowed_updates = [...this.allowedExplicit] as WebhookInfo["allowed_updates"];
    return info;
  }

  /** Starts webhook POSTs for as many updates as concurrency allows, in update_id order. */
  private pump(): void {
    const webhook = this.webhook;
    if (webhook === undefined || this.closed) return;
    this.dropDisallowed();
    const now = Date.now();
    const limit = Math.max(1, Math.min(this.options.webhookConcurrency, webhook.maxConnections));
    // An update waiting for its retry keeps its slot, so order is kept with concurrency 1.
    const busy = this.entries.filter((e) => e.inFlight || e.retryAt !== undefined).length;
    let free = limit - busy;
    for (const entry of this.entries) {
      if (free <= 0) break;
      if (entry.inFlight || entry.retryAt !== undefined) continue;
      free--;
      void this.deliver(entry, webhook);
    }
    const nextRetry = Math.min(...this.entries.filter((e) => !e.inFlight && e.retryAt !== undefined).map((e) => e.retryAt ?? 0));
    if (Number.isFinite(nextRetry)) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        const due = Date.now();
        for (const entry of this.entries) if (entry.retryAt !== undefined && entry.retryAt <= due) entry.retryAt = undefined;
        this.pump();
      }, Math.max(0, nextRetry - now));
    }
  }

  private async deliver(entry: Entry, webhook: WebhookConfig): Promise<void> {
    entry.inFlight = true;
    entry.delivered = true;
    let error: string | undefined;
    let body = "";
    try {
      const response = await this.post(webhook, JSON.stringify(entry.update));
      body = response.body;
      if (response.status < 200 || response.status > 299) {
        error = `Wrong response from the webhook: ${response.status} ${http.STATUS_CODES[response.status] ?? ""}`.trim();
      }
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    entry.inFlight = false;
    if (this.closed) return;
    if (error === undefined) {
      this.entries = this.entries.filter((e) => e !== entry);
      this.runWebhookReply(body);
    } else {
      this.lastError = { date: unixNow(), message: error };
      if (this.webhook !== undefined && this.entries.includes(entry)) {
        entry.retryAt = Date.now() + this.options.webhookRetryDelayMs;
      }
    }
    this.pump();
  }

  private runWebhookReply(body: string): void {
    if (body.trim() === "") return;
    try {
      const call: unknown = JSON.parse(body);
      if (typeof call === "object" && call !== null && !Array.isArray(call) && "method" in call) {
        this.options.onWebhookReply(call as Record<string, unknown>);
      }
    } catch {
      // Telegram ignores bodies that are not a method call.
    }
  }

  private post(webhook: WebhookConfig, json: string): Promise<{ status: number; body: string }> {
    const url = new URL(webhook.url);
    const secure = url.protocol === "https:";
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(json)),
    };
    if (webhook.secretToken !== undefined) headers["x-telegram-bot-api-secret-token"] = webhook.secretToken;
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        { method: "POST", headers, agent: secure ? this.httpsAgent : this.httpAgent, timeout: this.options.webhookTimeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            this.requests.delete(request);
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
          });
          response.on("error", (err) => reject(err));
        },
      );
      this.requests.add(request);
      request.on("timeout", () => request.destroy(new Error("Read timeout expired")));
      request.on("error", (err: NodeJS.ErrnoException) => {
        this.requests.delete(request);
        reject(new Error(err.code === "ECONNREFUSED" ? "Connection refused" : err.message));
      });
      request.end(json);
    });
  }

  /** Answers a held getUpdates, stops webhook delivery, frees sockets. */
  close(): void {
    this.closed = true;
    this.held?.finish([]);
    clearTimeout(this.retryTimer);
    for (const request of this.requests) request.destroy();
    this.requests.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
