/**
 * The Telegram channel: grammY turns updates into core turns, and delivers the core's outbox.
 * Long polling by default (polling.ts: per-chat queues, an update confirmed only once it and all
 * before it are handled, so a crash re-delivers rather than loses; the core drops what it has
 * already handled), or a webhook (http.ts, on Hono) that checks Telegram's secret-token header.
 * A turn that failed transiently is not confirmed either way, so that it comes again.
 */
import { access } from "node:fs/promises";
import { Api, Bot, BotError, GrammyError, HttpError, InputFile, type Context } from "grammy";
import type { InputMediaDocument, InputMediaPhoto, Message, Update, UserFromGetMe } from "grammy/types";
import { autoRetry } from "@grammyjs/auto-retry";
import {
  DeliveryError,
  type ChannelCapabilities,
  type RateLimit,
  type ChannelSender,
  type Delivered,
  type InboundFileRef,
  type Outbound,
  type OutboundFile,
  type OutboundMessage,
} from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import { MEMBER_COMMANDS, RetryLater, STAFF_COMMANDS } from "../../core/core.ts";
import { LOCALES } from "../../i18n/locales.ts";
import { toPlain } from "../../core/rich-text.ts";
import type { Logger } from "../../log.ts";
import { messageCount, placement, toCaptionEditParams, toEditParams, toFilePlan, toInbound, toSendCalls, topicName, type FileCall, type Placement } from "./translate.ts";
import { Poller } from "./polling.ts";
import { telegramHttpApp, type HealthReport, type ReceiveOutcome } from "./http.ts";
import { startHttpServer, type HttpServer } from "../../http/server.ts";

/** my_chat_member: a person blocking or unblocking the bot (Bot API: sent only when asked for in allowed_updates). */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;

/** How long a best-effort call after a turn may take, retries included (ms). */
export const BEST_EFFORT_MS = 5000;
/**
 * How long /healthz trusts a good getWebhookInfo (ms). A per-instance cache of Telegram's answer:
 * stale at most this long, and only ever towards "working" after a check that said so.
 */
const WEBHOOK_CHECK_MS = 10_000;

export interface TelegramOptions {
  token: string;
  apiRoot?: string;
  webhook?: { url: string; secret: string };
  /** Port of the HTTP server (webhook and /healthz); 0 picks a free one. */
  port: number;
  core: Core;
  log: Logger;
  /** Known bot info skips getMe (tests, benchmarks). */
  botInfo?: UserFromGetMe;
  /** Long-polling timeout in seconds (Telegram allows up to 50). */
  pollingTimeout?: number;
  /** Send limits; default TELEGRAM_LIMITS, null for none (benchmarks against a fake server). */
  limits?: NonNullable<ChannelCapabilities["limits"]> | null;
}

/**
 * The burst of the bot's global bucket. The pacer spends tokens when it claims a message; Telegram
 * counts it when it arrives, and claims by two instances arrive with different delays. A burst
 * of B at R a second stays within Telegram's 30 (with its burst of about 30) as long as no send
 * arrives more than (30 - B) / R seconds late: 0.2 s with B = 25, 0.8 s with 10, enough for a
 * busy machine. Idle-to-busy costs nothing noticeable (10 at once, then R a second).
 */
export const TELEGRAM_GLOBAL_BURST = 10;

/**
 * Telegram's flood limits (core.telegram.org/bots/faq "My bot is hitting limits"; DESIGN.md
 * "Channel facts"), kept a little below: about 30 messages per second overall, about one per second
 * in a private chat with short bursts allowed, 20 per minute in a group.
 */
export const TELEGRAM_LIMITS: NonNullable<ChannelCapabilities["limits"]> = {
  global: { burst: TELEGRAM_GLOBAL_BURST, everyMs: 40 },
  privateChat: { burst: 3, everyMs: 1000 },
  group: { burst: 3, everyMs: 3500 },
};

/**
 * The pace of Telegram's paid broadcasts (TELEGRAM_PAID_BROADCAST) at `perSecond` (up to 1,000, as
 * Telegram allows them): a burst of a tenth of a second's worth, for the same reason as
 * TELEGRAM_GLOBAL_BURST. Counted apart from the free global budget (Telegram bills them instead).
 */
export function telegramPaidLimit(perSecond: number): RateLimit {
  return { burst: Math.max(1, Math.ceil(perSecond / 10)), everyMs: 1000 / perSecond };
}

/** Seconds a send may take before it counts as failed (and, being uncertain, is retried later). */
const SEND_TIMEOUT_SECONDS = 20;

/** Seconds a send with files may take (an upload of up to 50 MB). */
const UPLOAD_TIMEOUT_SECONDS = 120;

/** The largest file a bot may download (Bot API docs, getFile: 20 MB). */
export const TELEGRAM_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** How long the download of one file may take, getFile included (ms). */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * How long a group stays known as one where topics cannot be created (not a forum, or the bot may
 * not manage topics) before trying again: admins may turn topics on later.
 */
const NO_TOPICS_MS = 60 * 60 * 1000;

export interface TelegramChannel {
  bot: Bot;
  sender: ChannelSender;
  /** Starts receiving updates; resolves once running. */
  start(): Promise<void>;
  /** Stops receiving, lets the updates in hand finish. */
  stop(): Promise<void>;
  /** The HTTP server's address (webhook, health). */
  readonly port: number;
  /** Rejects when the channel stopped for good (long polling refused: a revoked token). */
  readonly fatal: Promise<never>;
  /**
   * Resolves once the command menu is registered (or failed to be: not fatal). It runs after the
   * bot is ready, in the background: four setMyCommands round trips need not delay the first answer.
   */
  readonly commandsRegistered: Promise<void>;
}

export function createTelegramChannel(opts: TelegramOptions): TelegramChannel {
  const { core, log } = opts;
  const bot = new Bot(opts.token, {
    ...(opts.botInfo ? { botInfo: opts.botInfo } : {}),
    client: { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: 60 },
  });
  // 429: wait retry_after and try again (sending nothing meanwhile); 5xx and network errors: retry.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 4, maxDelaySeconds: 60 }));

  // Calls made after a turn (the callback-query answer, taking answered buttons away) are best
  // effort: a separate client without auto-retry, bounded by BEST_EFFORT_MS, not awaited by the
  // update. A toast is useless seconds later, and nothing may wait on it: neither this chat's next
  // update nor the offset confirmed to Telegram.
  const quick = new Api(opts.token, { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: BEST_EFFORT_MS / 1000 });
  const stopping = new AbortController();
  const bestEffort = new Set<Promise<unknown>>();
  function afterTurn(what: string, call: (signal: AbortSignal) => Promise<unknown>): void {
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(BEST_EFFORT_MS)]);
    const p = call(signal)
      .catch((error: unknown) => log.debug(`${what} failed`, { error }))
      .finally(() => bestEffort.delete(p));
    bestEffort.add(p);
  }
  type Signal = Parameters<Api["answerCallbackQuery"]>[2];

  bot.on(["message", "callback_query", "my_chat_member"], async (ctx: Context) => {
    const inbound = toInbound(ctx.update, ctx.me);
    const query = ctx.callbackQuery;
    if (!inbound) {
      if (query) afterTurn("answerCallbackQuery", (signal) => quick.answerCallbackQuery(query.id, {}, signal as Signal));
      return;
    }
    const result = await core.handle(inbound, { redeliverable: true });
    if (!query || result.duplicate) return;
    const text = result.notice ? clip(toPlain(result.notice), 200) : undefined;
    afterTurn("answerCallbackQuery", (signal) => quick.answerCallbackQuery(query.id, text ? { text } : {}, signal as Signal));
    const message = query.message;
    if (result.consumed && message && "reply_markup" in message && message.reply_markup) {
      // The question is answered: take its buttons away so it cannot be answered twice.
      afterTurn("removing answered buttons", (signal) =>
        quick.editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: { inline_keyboard: [] } }, signal as Signal),
      );
    }
  });

  /** Runs one update through grammY and the core; shared by long polling and the webhook. */
  async function receive(update: Update): Promise<ReceiveOutcome> {
    try {
      await bot.handleUpdate(update);
    } catch (err) {
      const error = err instanceof BotError ? err.error : err;
      // Not confirmed to Telegram: the poller retries it, the webhook answers 503.
      if (error instanceof RetryLater) return "retry";
      log.error("update failed", { error, update: update.update_id });
    }
    return "done";
  }

  // Sends use their own client, without auto-retry: a 429 must pause its whole scope (the
  // dispatcher's pacer does that), not sleep inside one call where stop cannot reach it; and a send
  // that failed on the network may have been stored, so it is not repeated at once but handed back
  // to the dispatcher, which retries it later (at-least-once; see README "What can repeat").
  const sendApi = new Api(opts.token, { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: SEND_TIMEOUT_SECONDS });
  const fileApi = new Api(opts.token, { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: UPLOAD_TIMEOUT_SECONDS });
  const limits = opts.limits === undefined ? TELEGRAM_LIMITS : opts.limits;
  const files = telegramFiles({ token: opts.token, apiRoot: opts.apiRoot ?? "https://api.telegram.org", sendApi, fileApi });
  const sender: ChannelSender = {
    channel: "telegram",
    // mergeMessages: one step, one message (an answer's acknowledgement and the next question in one):
    // half the sends, and a person answering quickly stays under the per-chat limit.
    capabilities: { ...(limits ? { limits } : {}), isGroup: isGroupChat, mergeMessages: true, maxDownloadBytes: TELEGRAM_MAX_DOWNLOAD_BYTES, messageCount },
    download: (file, signal) => files.download(file, signal),
    async deliver(chatId: string, outbound: Outbound, signal?: AbortSignal) {
      // grammY types its signal with the abort-controller shim; Node's own works the same.
      const abort = signal as Parameters<Api["sendMessage"]>[3];
      try {
        if (outbound.kind === "edit") {
          const id = Number(outbound.messageId);
          const editText = async () => {
            const { text, ...rest } = toEditParams(outbound.message);
            await sendApi.editMessageText(chatId, id, text, rest, abort);
          };
          const editCaption = async () => {
            const { caption, ...rest } = toCaptionEditParams(outbound.message);
            await sendApi.editMessageCaption(chatId, id, { caption, ...rest }, abort);
          };
          // A message sent with files carries its text as a caption (when it fitted): edited as
          // such. Which one it is shows in Telegram's answer when the guess from `files` is wrong.
          const [first, other] = outbound.message.files?.length ? [editCaption, editText] : [editText, editCaption];
          try {
            try {
              await first();
            } catch (error) {
              if (!(error instanceof GrammyError && /there is no (text|caption|media) in the message to edit/i.test(error.description))) throw error;
              await other();
            }
          } catch (error) {
            if (error instanceof GrammyError && /message is not modified/i.test(error.description)) {
              return { messageId: outbound.messageId };
            }
            throw error;
          }
          return { messageId: outbound.messageId };
        }
        return await files.send(chatId, outbound.message, abort);
      } catch (error) {
        throw classify(error, chatId);
      }
    },
  };

  let server: HttpServer | undefined;
  let poller: Poller | undefined;
  let port = opts.port;

  let commandsRegistered: Promise<void> = Promise.resolve();

  async function registerCommands(): Promise<void> {
    const { i18n, settings } = core;
    const list = (commands: readonly string[], locale: (typeof LOCALES)[number]) =>
      commands.map((command) => ({ command, description: toPlain(i18n.t(locale, `cmd-${command}`)) }));
    try {
      for (const locale of LOCALES) {
        await bot.api.setMyCommands(list(MEMBER_COMMANDS, locale), { scope: { type: "all_private_chats" }, language_code: locale });
      }
      await bot.api.setMyCommands(list(MEMBER_COMMANDS, settings.defaultLocale), { scope: { type: "all_private_chats" } });
      const staffChat = core.staffChat.current;
      if (staffChat?.channel === "telegram") {
        await bot.api.setMyCommands(list(STAFF_COMMANDS, settings.defaultLocale), {
          scope: { type: "chat", chat_id: Number(staffChat.chatId) },
        });
      }
    } catch (error) {
      // Not fatal: the bot works without a command menu (e.g. the bot is not yet in the staff group).
      log.warn("could not register commands", { error });
    }
  }

  /** When a webhook request last brought an update that was handled (ms). */
  let webhookDeliveredAt = 0;
  let webhookCheck: { at: number; result: HealthReport["receiving"] } | undefined;

  /**
   * Webhook mode receives when Telegram still has our URL and reports no delivery error newer
   * than the last update we handled (Telegram retries a failed delivery, so a success follows
   * when things work). A good answer is trusted for WEBHOOK_CHECK_MS; a bad one is checked again.
   */
  async function webhookReceiving(url: string): Promise<HealthReport["receiving"]> {
    if (webhookCheck && Date.now() - webhookCheck.at < WEBHOOK_CHECK_MS) return webhookCheck.result;
    let result: HealthReport["receiving"];
    try {
      const info = await quick.getWebhookInfo(AbortSignal.timeout(BEST_EFFORT_MS) as Signal);
      // An update handled since by another instance (behind the same load balancer) counts too:
      // the webhook works; this instance just was not picked.
      const handled = async () => Math.max(webhookDeliveredAt, (await core.lastHandledAt())?.getTime() ?? 0);
      if (info.url !== url) result = { ok: false, detail: "Telegram has another webhook URL or none (was it changed elsewhere?)" };
      else if (info.last_error_date && info.last_error_date * 1000 > (await handled())) {
        result = { ok: false, detail: `Telegram reports a delivery error: ${info.last_error_message ?? "unknown"}` };
      } else result = { ok: true };
    } catch (error) {
      result = { ok: false, detail: `getWebhookInfo failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    webhookCheck = result.ok ? { at: Date.now(), result } : undefined;
    return result;
  }

  /** What /healthz reports: updates arriving (per mode) and the database answering. */
  async function health(): Promise<HealthReport> {
    const [receiving, database] = await Promise.all([
      opts.webhook ? webhookReceiving(opts.webhook.url) : (poller?.status() ?? { ok: false, detail: "polling has not started" }),
      core.health(),
    ]);
    return { ok: receiving.ok && database.ok, mode: opts.webhook ? "webhook" : "polling", receiving, database };
  }

  async function listen(): Promise<void> {
    const webhook = opts.webhook
      ? {
          path: new URL(opts.webhook.url).pathname,
          secret: opts.webhook.secret,
          receive: async (update: Update) => {
            const outcome = await receive(update);
            if (outcome === "done") webhookDeliveredAt = Date.now();
            return outcome;
          },
        }
      : undefined;
    server = await startHttpServer(telegramHttpApp({ log, health, ...(webhook ? { webhook } : {}) }), opts.port);
    port = server.port;
  }

  let reportFatal: (error: unknown) => void = () => {};
  const fatal = new Promise<never>((_, reject) => (reportFatal = reject));
  fatal.catch(() => {});

  return {
    bot,
    sender,
    fatal,
    get port() {
      return port;
    },
    async start() {
      await bot.init();
      // The staff commands follow the staff group when Telegram gives it a new id.
      core.staffChat.onMove(() => void registerCommands());
      if (opts.webhook) {
        await listen();
        await bot.api.setWebhook(opts.webhook.url, {
          secret_token: opts.webhook.secret,
          allowed_updates: [...ALLOWED_UPDATES],
          drop_pending_updates: false,
        });
        log.info("telegram: webhook mode", { bot: bot.botInfo.username, port });
        commandsRegistered = registerCommands();
        return;
      }
      await listen();
      // A webhook left over from an earlier deployment would make getUpdates fail with 409.
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      poller = new Poller({ bot, log, timeout: opts.pollingTimeout ?? 30, allowedUpdates: ALLOWED_UPDATES, receive });
      await poller.start();
      poller.done.catch(reportFatal);
      log.info("telegram: long polling", { bot: bot.botInfo.username, port });
      commandsRegistered = registerCommands();
    },
    get commandsRegistered() {
      return commandsRegistered;
    },
    async stop() {
      // The command menu is not waited for: a stop stays bounded whatever Telegram's answer time.
      await poller?.stop();
      // Stop accepting; let the updates in progress finish (at most a minute).
      await server?.close();
      stopping.abort();
      await Promise.all(bestEffort);
    },
  };
}

type Signal = Parameters<Api["sendMessage"]>[3];
/** Telegram's paid broadcast flag on a send call (Bot API 7.11), or nothing. */
type PaidFlag = { allow_paid_broadcast?: true };

/**
 * Sending messages with their thread, reply and files, and downloading files people sent. No
 * decisions: the core chose what to send; this only says it in Bot API calls.
 */
function telegramFiles(deps: { token: string; apiRoot: string; sendApi: Api; fileApi: Api }) {
  const { sendApi, fileApi } = deps;
  /** Groups where topics cannot be opened, until when (see NO_TOPICS_MS). */
  const noTopics = new Map<string, number>();
  /**
   * Topics opened for a delivery that then failed, by chat, title and text: its retry goes to the
   * same topic instead of opening another (within this process).
   */
  const opened = new Map<string, string>();

  /** createForumTopic where the chat can have topics; undefined where it cannot (then sent plainly). */
  async function openThread(chatId: string, title: string, abort: Signal): Promise<string | undefined> {
    // Private chats of this bot have no topics; basic groups and ordinary supergroups answer so.
    if (!isGroupChat(chatId) || (noTopics.get(chatId) ?? 0) > Date.now()) return undefined;
    try {
      const topic = await sendApi.createForumTopic(chatId, topicName(title), {}, abort);
      return String(topic.message_thread_id);
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400 && /not a forum|enough rights to (create|manage) .*topic|CHAT_ADMIN_REQUIRED|method is available only for supergroups/i.test(error.description)) {
        noTopics.set(chatId, Date.now() + NO_TOPICS_MS);
        return undefined;
      }
      throw error;
    }
  }

  /** One file call; a reused file_id Telegram refuses is sent again from the bytes on disk. `paid`: allow_paid_broadcast. */
  async function sendFileCall(chatId: string, call: FileCall, abort: Signal, paid: PaidFlag): Promise<Message[]> {
    const attempt = async (reuse: boolean): Promise<Message[]> => {
      // A file missing on disk would fail inside the upload as a network error and be retried
      // forever: it is a refusal of this message.
      for (const f of call.files) {
        if (reuse && f.platformId) continue;
        await access(f.path).catch(() => {
          throw new DeliveryError("rejected", `file ${f.id} is missing on disk`);
        });
      }
      const input = (f: OutboundFile): InputFile | string => (reuse && f.platformId ? f.platformId : new InputFile(f.path, f.name));
      const caption = call.caption !== undefined ? { caption: call.caption, parse_mode: "HTML" as const } : {};
      if (call.method === "sendMediaGroup") {
        const media = call.files.map((f, i) => ({ type: f.kind, media: input(f), ...(i === 0 ? caption : {}) }));
        const group = media as InputMediaPhoto[] | InputMediaDocument[];
        return await fileApi.sendMediaGroup(chatId, group, { ...call.place, ...paid }, abort);
      }
      const [file] = call.files;
      const other = { ...caption, ...call.place, ...(call.reply_markup ? { reply_markup: call.reply_markup } : {}), ...paid };
      return [
        call.method === "sendPhoto"
          ? await fileApi.sendPhoto(chatId, input(file), other, abort)
          : await fileApi.sendDocument(chatId, input(file), other, abort),
      ];
    };
    const reused = call.files.some((f) => f.platformId);
    try {
      return await attempt(true);
    } catch (error) {
      if (reused && error instanceof GrammyError && error.error_code === 400 && /wrong file identifier|file reference|FILE_ID_INVALID|type of file mismatch|MEDIA_EMPTY/i.test(error.description)) {
        return await attempt(false);
      }
      throw error;
    }
  }

  /** The file_id of what a message carries: for a photo its largest size. */
  function fileIdOf(message: Message): string | undefined {
    return message.photo?.at(-1)?.file_id ?? message.document?.file_id;
  }

  return {
    /** Sends one OutboundMessage (text, files, thread, reply); resolves with what was sent. */
    async send(chatId: string, message: OutboundMessage, abort: Signal): Promise<Delivered> {
      const key = message.openThread !== undefined ? `${chatId}\n${message.openThread}\n${message.text}` : undefined;
      let threadId = message.threadId;
      if (message.openThread !== undefined) {
        threadId = opened.get(key!) ?? (await openThread(chatId, message.openThread, abort)) ?? threadId;
        if (threadId !== undefined) opened.set(key!, threadId);
      }
      const ids: string[] = [];
      /** The message that carries the text (and the buttons): what an edit replaces. */
      let textId: string | undefined;
      const platformIds = new Map<OutboundFile, string>();
      // A paid broadcast (OutboundMessage.paid, set by the delivery engine in paid mode): every
      // message of it goes paid, an album and a long text's parts included.
      const paid: PaidFlag = message.paid ? { allow_paid_broadcast: true } : {};
      const run = async (place: Placement): Promise<void> => {
        const plan = message.files?.length ? toFilePlan(message, place) : { texts: toSendCalls(message, place), calls: [] };
        for (const { text, ...rest } of plan.texts) {
          textId = String((await sendApi.sendMessage(chatId, text, { ...rest, ...paid }, abort)).message_id);
          ids.push(textId);
        }
        for (const call of plan.calls) {
          const sent = await sendFileCall(chatId, call, abort, paid);
          if (call.caption !== undefined && sent[0]) textId = String(sent[0].message_id);
          sent.forEach((m, i) => {
            const id = fileIdOf(m);
            if (id !== undefined && call.files[i]) platformIds.set(call.files[i], id);
          });
          ids.push(...sent.map((m) => String(m.message_id)));
        }
      };
      let threadLost = false;
      try {
        try {
          await run(placement(message, threadId));
        } catch (error) {
          // The topic was deleted (or is not there any more): a message must not be lost for it.
          // Nothing of it went out (its first call failed): sent again in the chat itself, without
          // the thread and without the reply (that message was in the topic).
          if (!(threadId !== undefined && ids.length === 0 && isThreadGone(error))) throw error;
          threadLost = true;
          await run({});
        }
      } catch (error) {
        // Only a delivery that will be retried needs its topic again.
        if (key !== undefined && classify(error, chatId).failure !== "retry") opened.delete(key);
        throw error;
      }
      if (key !== undefined) opened.delete(key);
      const perFile = (message.files ?? []).map((f) => platformIds.get(f) ?? f.platformId ?? "");
      return {
        messageId: textId ?? ids.at(-1) ?? "",
        messageIds: ids,
        ...(threadLost ? { threadLost: true as const } : threadId !== undefined ? { threadId } : {}),
        ...(perFile.length > 0 ? { platformIds: perFile } : {}),
      };
    },

    /**
     * The bytes of a file a person sent: getFile, then GET <apiRoot>/file/bot<token>/<file_path>,
     * bounded by DOWNLOAD_TIMEOUT_MS and `signal`. Over 20 MB (announced, or Telegram's "file is
     * too big", or more bytes arriving): DeliveryError("rejected"). Errors never carry the URL (it
     * holds the token).
     */
    async download(file: InboundFileRef, signal?: AbortSignal): Promise<Uint8Array> {
      if (file.size !== undefined && file.size > TELEGRAM_MAX_DOWNLOAD_BYTES) throw new DeliveryError("rejected", "download: file over 20 MB");
      const bounded = AbortSignal.any([AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), ...(signal ? [signal] : [])]);
      let path: string;
      try {
        const info = await sendApi.getFile(file.platformId, bounded as Signal);
        if (info.file_size !== undefined && info.file_size > TELEGRAM_MAX_DOWNLOAD_BYTES) throw new DeliveryError("rejected", "download: file over 20 MB");
        if (!info.file_path) throw new DeliveryError("rejected", "download: Telegram gave no file_path");
        path = info.file_path;
      } catch (error) {
        throw classify(error);
      }
      let response: Response;
      try {
        response = await fetch(`${deps.apiRoot}/file/bot${deps.token}/${path}`, { signal: bounded });
      } catch (error) {
        throw new DeliveryError("retry", `download: ${error instanceof Error ? error.name : "failed"}`);
      }
      // A file_path is valid for an hour: a 404 after getFile gets a fresh one on retry.
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new DeliveryError(response.status >= 500 || response.status === 404 || response.status === 429 ? "retry" : "rejected", `download: HTTP ${response.status}`);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of response.body ?? []) {
          size += chunk.length;
          if (size > TELEGRAM_MAX_DOWNLOAD_BYTES) {
            await response.body?.cancel().catch(() => {});
            throw new DeliveryError("rejected", "download: file over 20 MB");
          }
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        throw new DeliveryError("retry", `download: ${error instanceof Error ? error.name : "failed"}`);
      }
      return Buffer.concat(chunks);
    },
  };
}

/** Group and supergroup ids are negative, users' positive. */
/** Telegram's answer to a message sent into a forum topic that is not there (deleted). */
function isThreadGone(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message thread not found|TOPIC_DELETED|TOPIC_ID_INVALID/i.test(error.description);
}

function isGroupChat(chatId: string): boolean {
  return chatId.startsWith("-");
}

/**
 * How a failed call affects delivery: 403 and a vanished chat are final, 401 stops the channel,
 * 429/5xx/network are retried. A 429 names no scope; in a group it is taken as the group's limit,
 * in a private chat (the pacer keeps each under its limit) as the bot's overall limit.
 */
export function classify(error: unknown, chatId = ""): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GrammyError) {
    const what = `${error.method}: ${error.error_code} ${error.description}`;
    if (error.error_code === 401) return new DeliveryError("fatal", what);
    if (error.error_code === 403) return new DeliveryError("unreachable", what);
    const moved = error.parameters.migrate_to_chat_id;
    if (moved !== undefined) {
      // A group that became a supergroup has a new id: the core follows it there (and says so).
      return new DeliveryError("unreachable", `${what} (new chat id ${moved})`, undefined, undefined, String(moved));
    }
    // A chat that refuses one kind of content (photos, documents) or topics still takes text.
    if (error.error_code === 400 && /not enough rights to (send (photos|documents|media|videos|audio)|create a topic|manage topics)/i.test(error.description)) {
      return new DeliveryError("rejected", what);
    }
    // A private chat Telegram does not know (never started, a wrong id): that message fails; the
    // address is not marked (issue 8: "400 chat not found failing that recipient"). A group the bot
    // is no longer in is gone for every message (the staff chat falls back to private notices).
    if (error.error_code === 400 && /chat not found/i.test(error.description) && !isGroupChat(chatId)) {
      return new DeliveryError("rejected", what);
    }
    if (
      error.error_code === 400 &&
      /chat not found|user is deactivated|PEER_ID_INVALID|bot was kicked|upgraded to a supergroup|not enough rights|have no rights|CHAT_WRITE_FORBIDDEN/i.test(
        error.description,
      )
    ) {
      return new DeliveryError("unreachable", what);
    }
    if (error.error_code === 429) {
      return new DeliveryError("retry", what, (error.parameters.retry_after ?? 5) * 1000, isGroupChat(chatId) ? "chat" : "global");
    }
    if (error.error_code >= 500) return new DeliveryError("retry", what);
    return new DeliveryError("rejected", what);
  }
  if (error instanceof HttpError) return new DeliveryError("retry", `network: ${error.message}`);
  return new DeliveryError("rejected", error instanceof Error ? error.message : String(error));
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
