/**
 * The Telegram channel: grammY turns updates into core turns, and delivers the core's outbox.
 * Long polling by default (an update is confirmed only when the next batch is fetched, so a crash
 * re-delivers rather than loses; the core drops what it has already handled), or a webhook that
 * checks Telegram's secret-token header.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Bot, GrammyError, HttpError, webhookCallback, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { autoRetry } from "@grammyjs/auto-retry";
import { DeliveryError, type ChannelSender, type Outbound } from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import { MEMBER_COMMANDS, STAFF_COMMANDS } from "../../core/core.ts";
import { LOCALES } from "../../i18n/locales.ts";
import { toPlain } from "../../core/rich-text.ts";
import type { Logger } from "../../log.ts";
import { toEditParams, toInbound, toSendCalls } from "./translate.ts";
import { Poller } from "./polling.ts";

export const ALLOWED_UPDATES = ["message", "callback_query"] as const;

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
}

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
}

export function createTelegramChannel(opts: TelegramOptions): TelegramChannel {
  const { core, log } = opts;
  const bot = new Bot(opts.token, {
    ...(opts.botInfo ? { botInfo: opts.botInfo } : {}),
    client: { ...(opts.apiRoot ? { apiRoot: opts.apiRoot } : {}), timeoutSeconds: 60 },
  });
  // 429: wait retry_after and try again (sending nothing meanwhile); 5xx and network errors: retry.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 4, maxDelaySeconds: 60 }));

  bot.on(["message", "callback_query"], async (ctx: Context) => {
    const inbound = toInbound(ctx.update, ctx.me);
    if (!inbound) {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
      return;
    }
    const result = await core.handle(inbound);
    const query = ctx.callbackQuery;
    if (!query || result.duplicate) return;
    const text = result.notice ? clip(toPlain(result.notice), 200) : undefined;
    await ctx.answerCallbackQuery(text ? { text } : {}).catch((error: unknown) => log.debug("answerCallbackQuery failed", { error }));
    const message = query.message;
    if (result.consumed && message && "reply_markup" in message && message.reply_markup) {
      // The question is answered: take its buttons away so it cannot be answered twice.
      await ctx.api
        .editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: { inline_keyboard: [] } })
        .catch((error: unknown) => log.debug("could not remove answered buttons", { error }));
    }
  });
  bot.catch((err) => log.error("update failed", { error: err.error, update: err.ctx.update.update_id }));

  const sender: ChannelSender = {
    channel: "telegram",
    async deliver(chatId: string, outbound: Outbound) {
      try {
        if (outbound.kind === "edit") {
          const { text, ...rest } = toEditParams(outbound.message);
          try {
            await bot.api.editMessageText(chatId, Number(outbound.messageId), text, rest);
          } catch (error) {
            if (error instanceof GrammyError && /message is not modified/i.test(error.description)) {
              return { messageId: outbound.messageId };
            }
            throw error;
          }
          return { messageId: outbound.messageId };
        }
        let messageId = "";
        for (const { text, ...rest } of toSendCalls(outbound.message)) {
          const sent = await bot.api.sendMessage(chatId, text, rest);
          messageId = String(sent.message_id);
        }
        return { messageId };
      } catch (error) {
        throw classify(error);
      }
    },
  };

  let server: Server | undefined;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let poller: Poller | undefined;
  let port = opts.port;

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

  function listen(handler?: (req: IncomingMessage, res: ServerResponse) => void): Promise<void> {
    const path = opts.webhook ? new URL(opts.webhook.url).pathname : undefined;
    server = createServer((req, res) => {
      inFlight++;
      res.once("close", () => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && url.pathname === "/healthz") {
        const ok = opts.webhook ? true : !!poller?.healthy;
        res
          .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
          .end(JSON.stringify({ ok, mode: opts.webhook ? "webhook" : "polling" }));
        return;
      }
      if (handler && req.method === "POST" && url.pathname === path) return handler(req, res);
      res.writeHead(404).end();
    });
    return new Promise((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(opts.port, () => {
        const address = server!.address();
        if (address && typeof address === "object") port = address.port;
        resolve();
      });
    });
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
      await registerCommands();
      // The staff commands follow the staff group when Telegram gives it a new id.
      core.staffChat.onMove(() => void registerCommands());
      if (opts.webhook) {
        const handle = webhookCallback(bot, "http", { secretToken: opts.webhook.secret, timeoutMilliseconds: 55_000 });
        await listen(handle);
        await bot.api.setWebhook(opts.webhook.url, {
          secret_token: opts.webhook.secret,
          allowed_updates: [...ALLOWED_UPDATES],
          drop_pending_updates: false,
        });
        log.info("telegram: webhook mode", { bot: bot.botInfo.username, port });
        return;
      }
      await listen();
      // A webhook left over from an earlier deployment would make getUpdates fail with 409.
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      poller = new Poller({ bot, log, timeout: opts.pollingTimeout ?? 30, allowedUpdates: ALLOWED_UPDATES });
      await poller.start();
      poller.done.catch(reportFatal);
      log.info("telegram: long polling", { bot: bot.botInfo.username, port });
    },
    async stop() {
      await poller?.stop();
      if (server) {
        // Stop accepting; let the updates in progress finish (at most a minute), then close the
        // keep-alive connections Telegram holds open instead of waiting for their timeout.
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve;
            setTimeout(resolve, 60_000).unref();
          });
        }
        server.closeAllConnections();
        await closed;
      }
    },
  };
}

/** How a failed call affects delivery: 403 and a vanished chat are final, 429/5xx/network are retried. */
export function classify(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GrammyError) {
    const what = `${error.method}: ${error.error_code} ${error.description}`;
    if (error.error_code === 403) return new DeliveryError("unreachable", what);
    const moved = error.parameters.migrate_to_chat_id;
    if (moved !== undefined) {
      // A group that became a supergroup has a new id: the core follows it there (and says so).
      return new DeliveryError("unreachable", `${what} (new chat id ${moved})`, undefined, String(moved));
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
      return new DeliveryError("retry", what, (error.parameters.retry_after ?? 5) * 1000);
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
