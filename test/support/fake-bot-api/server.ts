/**
 * The HTTP side of the fake Bot API: `POST|GET /bot<token>/<method>` with
 * JSON, form or multipart bodies, `GET /file/bot<token>/<file_path>` (file downloads), Telegram's response envelope and status
 * codes, call recording, fault injection, and the test-facing FakeBotApi.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ResponseParameters, UserFromGetMe, WebhookInfo } from "grammy/types";
import { BotApiError, TEXT } from "./errors.ts";
import { createMethods, Described, type MethodHandler } from "./methods.ts";
import { isRecord, optBool, optJson, type Params } from "./params.ts";
import { type HeldFile, type UploadedFile } from "./files.ts";
export type { UploadedFile } from "./files.ts";
import { FakeGroup, type FakeGroupInit, FakeUser, type FakeUserInit, type PeopleContext } from "./people.ts";
import { compact, World } from "./state.ts";
import { UpdateQueue, type UpdateInput } from "./updates.ts";

/** Options of {@link startFakeBotApi}. */
export interface FakeBotApiOptions {
  /** Default "123456789:AAFakeTokenForQazTextileTests_123456". */
  token?: string;
  /** Overrides of the getMe result (id defaults to the token's number). */
  botInfo?: Partial<UserFromGetMe>;
  /** Delay before a failed webhook delivery is retried. Default 100 ms. */
  webhookRetryDelayMs?: number;
  /** Webhook POSTs in flight at once (also capped by max_connections). Default 1. */
  webhookConcurrency?: number;
  /** How long a webhook POST may take before it counts as failed. Default 10000 ms. */
  webhookTimeoutMs?: number;
  /** Reject bare `&` in HTML (Telegram shows it literally). Default true. */
  strictHtml?: boolean;
  /** Keep every call in `calls`. Default true; turn off for long benchmarks. */
  recordCalls?: boolean;
  /**
   * Enforce Telegram's flood limits on sent messages (send*, copy*, forward*), as Telegram answers
   * them (it documents its limits for messages sent; edits are not limited here): a call over a
   * limit fails with 429 and `retry_after`, and its scope stays closed until then (calls inside
   * that window fail too, and are counted in `floodStats.inWindow`). Off by default. Numbers from
   * core.telegram.org/bots/faq ("My bot is hitting limits"): 30 messages per second overall, about
   * one per second in a private chat (short bursts tolerated), 20 per minute in a group. A message
   * sent with `allow_paid_broadcast` (Telegram's paid broadcasts, Bot API 7.11) counts against the
   * `paid` bucket instead of the global one (up to 1,000 a second), and still against its chat's.
   */
  limits?: boolean | Partial<FakeLimits>;
}

/** The fake's flood limits, as token buckets: `burst` calls at once, then one per `everyMs`. */
export interface FakeLimits {
  global: { burst: number; everyMs: number };
  privateChat: { burst: number; everyMs: number };
  group: { burst: number; everyMs: number };
  /** Messages sent with `allow_paid_broadcast`, instead of `global`. */
  paid: { burst: number; everyMs: number };
}

/** Telegram's documented limits with the bursts it tolerates (see FakeBotApiOptions.limits). */
export const TELEGRAM_FLOOD_LIMITS: FakeLimits = {
  global: { burst: 30, everyMs: 1000 / 30 },
  privateChat: { burst: 5, everyMs: 1000 },
  group: { burst: 5, everyMs: 3000 },
  paid: { burst: 1000, everyMs: 1 },
};

/** What the fake's flood limits saw (see FakeBotApiOptions.limits). */
export interface FloodStats {
  /** Calls refused with 429 because they went over a limit (each opens a window). */
  overLimit: number;
  /** Calls that arrived inside a window already announced with `retry_after` (ignoring it). */
  inWindow: number;
  /** Calls performed under the limits. */
  performed: number;
  /** Of `performed`, the messages sent with `allow_paid_broadcast` (billed by Telegram). */
  paid: number;
}

/** One recorded Bot API call. */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  ok: boolean;
  /** Telegram's description when `ok` is false. */
  error?: string;
  error_code?: number;
  result?: unknown;
  /** Arrival time (ms since epoch). */
  at: number;
  durationMs: number;
  /** "webhook-reply" when the call came as a webhook response body. */
  via: "http" | "webhook-reply";
  /** The client hung up before the answer (e.g. grammY aborting its long poll on `bot.stop()`). */
  clientAborted?: true;
}

/** An error to inject with `failNext`. */
export interface InjectedError {
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

/** Options of `settled`. */
export interface SettledOptions {
  /** How long nothing may happen before the bot counts as idle. Default 50 ms. */
  quietMs?: number;
  /** Default 15000 ms (room for a loaded machine). */
  timeoutMs?: number;
}

/** Options of `confirmed`. */
export interface ConfirmedOptions {
  /** Default 15000 ms (room for a loaded machine). */
  timeoutMs?: number;
}

type Envelope =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

const DEFAULT_TOKEN = "123456789:AAFakeTokenForQazTextileTests_123456";
const MAX_BODY = 50 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BotApiError(413, "Request Entity Too Large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}


/**
 * A lenient multipart/form-data parser: grammY writes headers without spaces
 * and unquoted file names (`filename=a b.pdf`), which strict parsers (undici's
 * `Request.formData()`, hence Hono's `parseBody`) reject while Telegram accepts
 * them, so a hand-written one is the faithful choice here. Fields whose
 * value is `attach://<name>` are replaced by the file sent under that name.
 */
function parseMultipart(body: Buffer, contentType: string): Params {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw new BotApiError(400, "Bad Request: multipart boundary is missing");
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Params = {};
  const files = new Map<string, UploadedFile>();
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      let content = part.subarray(headerEnd + 4);
      if (content.subarray(-2).toString() === "\r\n") content = content.subarray(0, -2);
      const disposition = /content-disposition:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? "";
      const name = /(?:^|;)\s*name="?([^";]*)"?/i.exec(disposition)?.[1];
      const fileName = /filename="?([^";\r\n]*)"?/i.exec(disposition)?.[1];
      const mime = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1];
      if (name !== undefined && fileName !== undefined) {
        const file = { file_name: fileName, mime_type: mime, size: content.length } as UploadedFile;
        Object.defineProperty(file, "bytes", { value: Buffer.from(content), enumerable: false });
        files.set(name, file);
      } else if (name !== undefined) {
        fields[name] = content.toString("utf8");
      }
    }
    start = next;
  }
  const attached = new Set<string>();
  for (const [key, value] of Object.entries(fields)) {
    const id = typeof value === "string" && value.startsWith("attach://") ? value.slice("attach://".length) : undefined;
    const file = id === undefined ? undefined : files.get(id);
    if (id !== undefined && file !== undefined) {
      fields[key] = file;
      attached.add(id);
    }
  }
  for (const [name, file] of files) if (!attached.has(name) && !(name in fields)) fields[name] = file;
  return fields;
}

/** Parameters from the query string and a JSON, urlencoded or multipart body. */
async function readParams(req: http.IncomingMessage, url: URL): Promise<Params> {
  const params: Params = Object.fromEntries(url.searchParams);
  const body = await readBody(req);
  if (body.length === 0) return params;
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded")) {
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  }
  if (type.includes("multipart/form-data")) {
    return { ...params, ...parseMultipart(body, req.headers["content-type"] ?? "") };
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new BotApiError(400, "Bad Request: can't parse JSON object");
  }
  if (!isRecord(json)) throw new BotApiError(400, "Bad Request: JSON object expected");
  return { ...params, ...json };
}

/**
 * A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real
 * grammY bot: it speaks the real wire format, validates like Telegram and
 * simulates people. Create it with {@link startFakeBotApi}.
 */
export class FakeBotApi {
  /** Give this to grammY: `new Bot(token, { client: { apiRoot } })`. */
  readonly apiRoot: string;
  readonly token: string;
  /** The getMe result; also usable as grammY's `botInfo` to skip getMe. */
  readonly botInfo: UserFromGetMe;
  /** Every call the bot made, in order of completion. */
  readonly calls: RecordedCall[] = [];
  /** Every file download (GET /file/bot…/<path>), in order. */
  readonly downloads: { path: string; ok: boolean }[] = [];

  private readonly world: World;
  private readonly updates: UpdateQueue;
  private readonly methods: Map<string, MethodHandler>;
  private readonly methodNames = new Map<string, string>();
  private readonly faults = new Map<string, (InjectedError & { chatId?: string })[]>();
  private readonly delays = new Map<string, number>();
  private readonly answerDelays = new Map<string, { ms: number; chatId: string | undefined }>();
  /** Flood-control windows (see `flood`). */
  private readonly floods: { method: string; chatId: string | undefined; until: number }[] = [];
  /** Telegram-like limits (see FakeBotApiOptions.limits), when on. */
  private readonly limits: FakeLimits | undefined;
  private readonly buckets = new Map<string, { tokens: number; at: number; closedUntil: number }>();
  /** See FloodStats. */
  readonly floodStats: FloodStats = { overLimit: 0, inWindow: 0, performed: 0, paid: 0 };
  /** Calls to perform and then answer as failed (see `loseAnswerNext`). */
  private readonly lostAnswers = new Map<string, { as: "5xx" | "drop"; chatId: string | undefined }[]>();
  private readonly openResponses = new Set<http.ServerResponse>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private inFlight = 0;
  private lastActivity = Date.now();
  /** Woken when a call starts or ends, the last pending update is confirmed, or the fake closes. */
  private readonly changeListeners = new Set<() => void>();
  private nextUserId = 700_000_001;
  private nextGroupId = 1;
  private closed = false;
  private readonly recordCalls: boolean;

  private constructor(
    private readonly server: http.Server,
    options: FakeBotApiOptions,
  ) {
    this.token = options.token ?? DEFAULT_TOKEN;
    this.recordCalls = options.recordCalls ?? true;
    if (options.limits) this.limits = { ...TELEGRAM_FLOOD_LIMITS, ...(options.limits === true ? {} : options.limits) };
    const port = (server.address() as AddressInfo).port;
    this.apiRoot = `http://127.0.0.1:${port}`;
    const botId = Number(this.token.split(":")[0]) || 123456789;
    this.botInfo = {
      id: botId,
      is_bot: true,
      first_name: "Qaz Textile Test Bot",
      username: "qaz_textile_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
      ...options.botInfo,
    };
    this.world = new World(this.botInfo, (chatId) => this.describeFailures(chatId));
    this.updates = new UpdateQueue({
      webhookRetryDelayMs: options.webhookRetryDelayMs ?? 100,
      webhookConcurrency: options.webhookConcurrency ?? 1,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
      onWebhookReply: (call) => {
        const { method, ...params } = call;
        const name = this.methodNames.get(String(method).toLowerCase());
        if (name !== undefined) void this.invoke(name, params, new AbortController().signal, "webhook-reply");
      },
    });
    this.updates.onDrained(() => this.changed());
    this.methods = createMethods({ world: this.world, updates: this.updates, strictHtml: options.strictHtml ?? true });
    for (const name of this.methods.keys()) this.methodNames.set(name.toLowerCase(), name);
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.onRequest(req, res).catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        this.respond(res, { ok: false, error_code: 500, description: `Internal Server Error (fake Bot API bug: ${detail})` });
      });
    });
  }

  /** @internal Use {@link startFakeBotApi}. */
  static async start(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new FakeBotApi(server, options);
  }

  // ---------------------------------------------------------------- people

  /** A simulated person; they must `send` something before the bot may write to them (unless `started`). */
  user(init: FakeUserInit = {}): FakeUser {
    const id = init.id ?? this.nextUserId++;
    if (this.world.users.has(id)) throw new Error(`fake.user: user ${id} exists already`);
    const info = compact({
      id,
      is_bot: false,
      first_name: init.first_name ?? `User${id % 10_000}`,
      last_name: init.last_name,
      username: init.username,
      language_code: init.language_code,
    });
    return new FakeUser(this.peopleContext(), info, init.started ?? false);
  }

  /** A group the bot is a member of (so it may send there). */
  group(init: FakeGroupInit = {}): FakeGroup {
    const type = init.type ?? "group";
    const n = this.nextGroupId++;
    const id = init.id ?? (type === "supergroup" ? -1_001_000_000_000 - n : -4_000_000_000 - n);
    if (this.world.chats.has(id)) throw new Error(`fake.group: chat ${id} exists already`);
    const title = init.title ?? `Test group ${n}`;
    if (init.forum && type !== "supergroup") throw new Error("fake.group: only a supergroup can be a forum");
    const chat =
      type === "supergroup"
        ? compact({ id, type, title, username: init.username, is_forum: init.forum ? (true as const) : undefined })
        : { id, type, title };
    const group = new FakeGroup(this.peopleContext(), chat);
    if (init.forum && init.botManagesTopics === false) group.chatState.noTopicRights = true;
    return group;
  }

  private peopleContext(): PeopleContext {
    return { world: this.world, enqueue: (update: UpdateInput) => this.updates.enqueue(update) };
  }

  // ----------------------------------------------------------------- files

  /** A file the fake holds (sent by a person or uploaded by the bot), by file_id. */
  file(fileId: string): HeldFile | undefined {
    return this.world.files.get(fileId);
  }

  /** Makes Telegram refuse a file_id from now on ("wrong file identifier"), as for an expired one. */
  forgetFile(fileId: string): void {
    this.world.files.forget(fileId);
  }

  // --------------------------------------------------------------- updates

  /**
   * Enqueues a raw update (update_id assigned if missing); returns its
   * update_id. Chats and senders of messages in it become known, so the bot
   * may answer them.
   */
  injectUpdate(update: UpdateInput): number {
    const message = update.message ?? update.edited_message ?? update.callback_query?.message;
    if (message !== undefined && message.chat.type !== "channel") {
      this.world.ensureChat(message.chat);
      const from = update.message?.from ?? update.edited_message?.from ?? update.callback_query?.from;
      if (message.chat.type === "private" && from !== undefined && !this.world.users.has(from.id)) {
        this.world.users.set(from.id, { user: from, started: true, blocked: false });
      }
    }
    return this.updates.enqueue(update);
  }

  /** Delivers an already delivered update again (polling restart / webhook retry). */
  redeliver(updateId: number): void {
    this.updates.redeliver(updateId);
  }

  /** getWebhookInfo as the bot would see it. */
  webhookInfo(): WebhookInfo {
    return this.updates.webhookInfo();
  }

  /**
   * Resolves once every update was confirmed (polling) or acknowledged
   * (webhook) and no API call has been in flight for `quietMs`.
   *
   * The quiet period is a guess (the fake cannot know what the bot is about
   * to call), so prefer a definite event before a negative assertion:
   * `confirmed()` (a bot that confirms an update only once it is handled has
   * then handled it), the harness's `settled()`, or `waitFor` of the answer.
   */
  async settled(options: SettledOptions = {}): Promise<void> {
    const quietMs = options.quietMs ?? 50;
    const timeoutMs = options.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new Error("settled(): the fake Bot API was closed");
      const busy = this.updates.pendingCount() > 0 || this.inFlight > 0;
      const quietFor = Date.now() - this.lastActivity;
      if (!busy && quietFor >= quietMs) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `settled() timed out after ${timeoutMs} ms: ${this.updates.describePending()}; ` +
            `${this.inFlight} API call(s) in flight`,
        );
      }
      // Sleep until something changes, the quiet period is over, or the deadline.
      await this.nextChange(busy ? left : Math.min(left, quietMs - quietFor));
    }
  }

  /**
   * Resolves once no update is pending: each was confirmed (polling: a later
   * getUpdates offset) or acknowledged (webhook: a 2xx answer). A bot that
   * confirms an update only after handling it has then handled every update
   * (its answers may still be on their way). Rejects after `timeoutMs`.
   */
  async confirmed(options: ConfirmedOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed) throw new Error("confirmed(): the fake Bot API was closed");
      if (this.updates.pendingCount() === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`confirmed() timed out after ${timeoutMs} ms: ${this.updates.describePending()}`);
      await this.nextChange(left);
    }
  }

  /** Resolves at the next change (see `changeListeners`) or after `ms`, whichever comes first. */
  private nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.changeListeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.changeListeners.add(done);
    });
  }

  private changed(): void {
    // A microtask later: an update taken out and put back at once (redeliver) is no change.
    queueMicrotask(() => {
      for (const listener of [...this.changeListeners]) listener();
    });
  }

  /** Calls (other than a held getUpdates) that arrived and are not answered yet. */
  get callsInFlight(): number {
    return this.inFlight;
  }

  // ------------------------------------------------------- fault injection

  /**
   * The next `times` calls of `method` (to `chatId`, when given: the calls to other chats go on)
   * fail with `error` and are not performed: a 5xx, a network-side refusal, any Bot API answer.
   */
  failNext(method: string, error: InjectedError, times = 1, chatId?: number | string): void {
    const key = method.toLowerCase();
    const queue = this.faults.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push({ ...error, ...(chatId !== undefined ? { chatId: String(chatId) } : {}) });
    this.faults.set(key, queue);
  }

  /**
   * Flood control like Telegram's: for `seconds`, every call of `method` (to any chat, or only to
   * `chatId`) fails with 429 and `retry_after` = the seconds left of the window (not performed).
   * Without `chatId` it is the bot's global limit: all chats at once.
   */
  flood(seconds: number, opts: { method?: string; chatId?: number | string } = {}): void {
    this.floods.push({
      method: (opts.method ?? "sendMessage").toLowerCase(),
      chatId: opts.chatId === undefined ? undefined : String(opts.chatId),
      until: Date.now() + seconds * 1000,
    });
  }

  /**
   * The next `times` calls of `method` (to `chatId`, if given) are performed, but their answer is
   * lost: "5xx" answers 500 after storing, "drop" cuts the connection without an answer.
   */
  loseAnswerNext(method: string, opts: { as?: "5xx" | "drop"; chatId?: number | string; times?: number } = {}): void {
    const key = method.toLowerCase();
    const queue = this.lostAnswers.get(key) ?? [];
    for (let i = 0; i < (opts.times ?? 1); i++) queue.push({ as: opts.as ?? "5xx", chatId: opts.chatId === undefined ? undefined : String(opts.chatId) });
    this.lostAnswers.set(key, queue);
  }

  /** Delays every call of `method` ("*" for all) by `ms` before it is performed; 0 removes. */
  delay(method: string, ms: number): void {
    if (ms <= 0) this.delays.delete(method.toLowerCase());
    else this.delays.set(method.toLowerCase(), ms);
  }

  /**
   * Delays the answer of every call of `method` (to `chatId`, if given) by `ms` after it is
   * performed (the message is in the chat, the bot does not know yet); 0 removes.
   */
  delayAnswer(method: string, ms: number, chatId?: number | string): void {
    if (ms <= 0) this.answerDelays.delete(method.toLowerCase());
    else this.answerDelays.set(method.toLowerCase(), { ms, chatId: chatId === undefined ? undefined : String(chatId) });
  }

  /** Implements (or overrides) a method; throw BotApiError from `handler` to fail. */
  stub(method: string, handler: (params: Record<string, unknown>) => unknown): void {
    this.methods.set(method, (params) => handler(params));
    this.methodNames.set(method.toLowerCase(), method);
  }

  /** Recorded calls of one method. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
  }

  // ------------------------------------------------------------------ HTTP

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.openResponses.add(res);
    const forget = (): void => void this.openResponses.delete(res);
    res.on("finish", forget);
    res.on("close", forget);
    if (this.closed) {
      return this.respond(res, { ok: false, error_code: 500, description: "Internal Server Error: the fake Bot API is closed" });
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    if (download !== null) return this.serveFile(res, decodeURIComponent(download[1] ?? ""), decodeURIComponent(download[2] ?? ""));
    const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    if (match === null) return this.respond(res, { ok: false, error_code: 404, description: TEXT.notFound });
    const [, token = "", rawMethod = ""] = match;
    if (decodeURIComponent(token) !== this.token) {
      const code = /^\d+:[\w-]+$/.test(decodeURIComponent(token)) ? 401 : 404;
      return this.respond(res, { ok: false, error_code: code, description: code === 401 ? TEXT.unauthorized : TEXT.notFound });
    }
    let params: Params;
    try {
      params = await readParams(req, url);
    } catch (error) {
      const e = error instanceof BotApiError ? error : new BotApiError(400, "Bad Request: can't read request");
      return this.respond(res, { ok: false, error_code: e.error_code, description: e.description });
    }
    const method = this.methodNames.get(rawMethod.toLowerCase());
    if (method === undefined) {
      this.record(rawMethod, params, { ok: false, error_code: 404, description: TEXT.notFound }, Date.now(), "http");
      return this.respond(res, { ok: false, error_code: 404, description: TEXT.notFound });
    }
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const envelope = await this.invoke(method, params, abort.signal, "http");
    if (this.dropAnswer.delete(envelope)) {
      res.socket?.destroy();
      return;
    }
    this.respond(res, envelope);
  }

  /**
   * GET /file/bot<token>/<file_path>: the bytes of a file getFile announced (Telegram's download
   * URL). An unknown path or token answers 404 like Telegram's file server.
   */
  private serveFile(res: http.ServerResponse, token: string, path: string): void {
    const file = token === this.token ? this.world.files.byFilePath(path) : undefined;
    this.downloads.push({ path, ok: file !== undefined });
    if (file === undefined) return this.respond(res, { ok: false, error_code: 404, description: TEXT.notFound });
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.length });
    res.end(file.bytes);
  }

  /** Envelopes whose connection is cut instead of answered (loseAnswerNext "drop"). */
  private readonly dropAnswer = new WeakSet<Envelope>();

  private respond(res: http.ServerResponse, envelope: Envelope): void {
    if (res.destroyed || res.writableEnded) return;
    const body = JSON.stringify(envelope);
    res.writeHead(envelope.ok ? 200 : envelope.error_code, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  }

  /** Runs one method call with delays/faults and records it. */
  private async invoke(method: string, params: Params, signal: AbortSignal, via: RecordedCall["via"]): Promise<Envelope> {
    const at = Date.now();
    // A held getUpdates is not "busy": the bot is idle while it waits.
    const tracked = method !== "getUpdates";
    if (tracked) {
      this.inFlight++;
      this.lastActivity = at;
      this.changed();
    }
    let envelope: Envelope;
    try {
      const delay = this.delays.get(method.toLowerCase()) ?? this.delays.get("*");
      if (delay !== undefined) await this.cancellableSleep(delay);
      const now = Date.now();
      const flood = this.floods.find(
        (f) => f.until > now && f.method === method.toLowerCase() && (f.chatId === undefined || f.chatId === String(params.chat_id)),
      );
      if (flood !== undefined) {
        const retryAfter = Math.ceil((flood.until - now) / 1000);
        throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
      this.enforceLimits(method, params, now);
      const faults = this.faults.get(method.toLowerCase());
      const at = faults?.findIndex((f) => f.chatId === undefined || f.chatId === String(params.chat_id)) ?? -1;
      if (faults && at >= 0) {
        const [fault] = faults.splice(at, 1);
        throw new BotApiError(fault!.error_code, fault!.description, fault!.parameters);
      }
      const handler = this.methods.get(method);
      if (handler === undefined) throw new BotApiError(404, TEXT.notFound);
      const value: unknown = await handler(params, signal);
      const answerDelay = this.answerDelays.get(method.toLowerCase());
      if (answerDelay && (answerDelay.chatId === undefined || answerDelay.chatId === String(params.chat_id))) await this.cancellableSleep(answerDelay.ms);
      envelope =
        value instanceof Described
          ? { ok: true, result: value.result, description: value.description }
          : { ok: true, result: value };
      const lost = this.lostAnswers.get(method.toLowerCase());
      const i = lost?.findIndex((l) => l.chatId === undefined || l.chatId === String(params.chat_id)) ?? -1;
      if (lost && i >= 0) {
        const [how] = lost.splice(i, 1);
        // Stored, but the bot never learns it.
        envelope = { ok: false, error_code: 500, description: "Internal Server Error" };
        if (how!.as === "drop") this.dropAnswer.add(envelope);
      }
    } catch (error) {
      if (error instanceof BotApiError) {
        envelope = compact({
          ok: false as const,
          error_code: error.error_code,
          description: error.description,
          parameters: error.parameters,
        });
      } else {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        envelope = { ok: false, error_code: 500, description: `Internal Server Error (fake Bot API bug: ${detail})` };
      }
    } finally {
      if (tracked) {
        this.inFlight--;
        this.lastActivity = Date.now();
        this.changed();
      }
    }
    this.record(method, params, envelope, at, via, signal.aborted);
    return envelope;
  }

  private record(
    method: string,
    params: Params,
    envelope: Envelope,
    at: number,
    via: RecordedCall["via"],
    clientAborted = false,
  ): void {
    if (!this.recordCalls && envelope.ok) return;
    const durationMs = Date.now() - at;
    const call: RecordedCall = envelope.ok
      ? { method, params, ok: true, result: envelope.result, at, durationMs, via }
      : { method, params, ok: false, error: envelope.description, error_code: envelope.error_code, at, durationMs, via };
    if (clientAborted) call.clientAborted = true;
    this.calls.push(call);
  }

  /**
   * Telegram's flood limits (FakeBotApiOptions.limits) for a message sent: the bot's global
   * bucket and the chat's (group or private). Over a limit: 429 with `retry_after` (whole seconds,
   * as Telegram gives them), and the scope stays closed until then.
   */
  private enforceLimits(method: string, params: Params, now: number): void {
    if (!this.limits || !/^(send|copy|forward)/i.test(method) || /^sendChatAction$/i.test(method)) return;
    const chatId = String(params.chat_id ?? "");
    const group = chatId.startsWith("-");
    // Paid broadcasts are counted apart from the free 30 a second (and billed).
    const paid = optBool(params, "allow_paid_broadcast") === true;
    const scopes: [string, { burst: number; everyMs: number }][] = [
      paid ? ["paid", this.limits.paid] : ["global", this.limits.global],
      [`chat:${chatId}`, group ? this.limits.group : this.limits.privateChat],
    ];
    // An album counts as one message per item (Telegram's limits are on messages).
    const media = method.toLowerCase() === "sendmediagroup" ? optJson(params, "media") : undefined;
    const cost = Array.isArray(media) ? Math.max(1, media.length) : 1;
    for (const [key] of scopes) {
      const b = this.buckets.get(key);
      if (b && b.closedUntil > now) {
        this.floodStats.inWindow++;
        throw new BotApiError(429, `Too Many Requests: retry after ${Math.ceil((b.closedUntil - now) / 1000)}`, {
          retry_after: Math.ceil((b.closedUntil - now) / 1000),
        });
      }
    }
    const fresh = scopes.map(([key, limit]) => {
      let b = this.buckets.get(key);
      if (!b) this.buckets.set(key, (b = { tokens: limit.burst, at: now, closedUntil: 0 }));
      b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) / limit.everyMs);
      b.at = now;
      return { b, limit };
    });
    // An album larger than a bucket's burst is taken from a full bucket (which goes into debt):
    // Telegram accepts an album of ten in a private chat.
    const need = (limit: { burst: number }) => Math.min(cost, limit.burst);
    const over = fresh.find(({ b, limit }) => b.tokens < need(limit));
    if (over) {
      const retryAfter = Math.max(1, Math.ceil(((need(over.limit) - over.b.tokens) * over.limit.everyMs) / 1000));
      over.b.closedUntil = now + retryAfter * 1000;
      this.floodStats.overLimit++;
      throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    for (const { b } of fresh) b.tokens -= cost;
    this.floodStats.performed++;
    if (paid) this.floodStats.paid++;
  }

  private describeFailures(chatId: number): string[] {
    return this.calls
      .filter((c) => !c.ok && String(c.params.chat_id) === String(chatId))
      .slice(-5)
      .map((c) => `  ${c.method} → ${c.error_code ?? ""} ${c.error ?? ""}`);
  }

  private cancellableSleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  /**
   * Stops everything: answers a held getUpdates with `[]`, cancels webhook
   * retries and delays, rejects pending `waitFor`s and closes all sockets.
   * Stop the bot first (`await bot.stop()` needs the fake to answer).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changed();
    this.updates.close();
    this.world.close();
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.sleeps.clear();
    // Give answered requests a moment (at most 200 ms) to flush before sockets are cut.
    const flushed = [...this.openResponses].map(
      (res) => new Promise<void>((resolve) => (res.writableFinished || res.destroyed ? resolve() : res.once("close", resolve).once("finish", resolve))),
    );
    let cap: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(flushed), new Promise<void>((resolve) => (cap = setTimeout(resolve, 200)))]);
    clearTimeout(cap);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Starts a fake Bot API on 127.0.0.1 (free port). */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  return FakeBotApi.start(options);
}
