/**
 * The WhatsApp channel: whatsapp-web.js `message` events become core turns, and the core's outbox
 * is delivered with `sendMessage`. Thin: translate.ts reads messages, render.ts writes text; the
 * client's lifecycle (login, Chromium, reconnects) is session.ts's, which hands over the client.
 *
 * WhatsApp does not deliver a message again when the bot missed it: what arrived while the bot was
 * down stays unread in its chat. So on start (the client's "ready") and after every reconnect,
 * the unread messages of private chats are handled first, in order, through the same path as live
 * ones; the core drops those it handled before (Inbound.id is the message's own id).
 */
import { readFile } from "node:fs/promises";
import type { Chat, Message, MessageSendOptions } from "whatsapp-web.js";
import wwebjs from "whatsapp-web.js";
import { DeliveryError, type ChannelCapabilities, type ChannelSender, type Delivered, type InboundFileRef, type Outbound, type OutboundFile } from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import { visibleLength } from "../../core/rich-text.ts";
import type { Logger } from "../../log.ts";
import { WHATSAPP_CAPABILITIES } from "./capabilities.ts";
import type { WhatsAppClient } from "./client.ts";
import { fullText, renderParts, WHATSAPP_CAPTION_LIMIT } from "./render.ts";
import { kindOf, toInbound } from "./translate.ts";

const { MessageMedia } = wwebjs;

/**
 * The largest file the adapter downloads, in bytes: 20 MB, as on Telegram (its Bot API's limit),
 * so that any file a member sends here can also be forwarded to staff on Telegram (whose uploads
 * allow 50 MB). Declared as `maxDownloadBytes` in WHATSAPP_CAPABILITIES.
 */
export const WHATSAPP_MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** Received media messages kept in memory for `download` (the core fetches at once; a few hundred cover any burst). */
export const MEDIA_CACHE_SIZE = 500;

/** How long delivery on WhatsApp pauses while the client is disconnected, before trying again (ms). */
export const RECONNECT_RETRY_MS = 5_000;

export interface WhatsAppOptions {
  core: Core;
  client: WhatsAppClient;
  log: Logger;
  /** Media messages kept for download (default MEDIA_CACHE_SIZE). */
  mediaCacheSize?: number;
  /** Pause of delivery while disconnected (default RECONNECT_RETRY_MS). */
  reconnectRetryMs?: number;
  /** Whether the client is ready when the channel is created (default true: session.ts creates it on "ready"). */
  connected?: boolean;
  /** What the channel declares to the core, with the configured pace (default WHATSAPP_CAPABILITIES: the default pace). */
  capabilities?: ChannelCapabilities;
}

/** The WhatsApp channel as main.ts (and the tests) drive it: its sender for the outbox, and its life cycle. */
export interface WhatsAppChannel {
  sender: ChannelSender;
  /** Handles the messages that arrived while the bot was down, then takes new ones (also after reconnects). */
  start(): Promise<void>;
  /** Takes no more messages; resolves once those in hand are handled. */
  stop(): Promise<void>;
  /** Resolves once every message received so far is handled (tests, benchmarks). */
  idle(): Promise<void>;
  /** Whether the client is connected as far as its events tell ("ready" / "disconnected"). */
  readonly connected: boolean;
}

/**
 * The WhatsApp adapter over a connected client (session.ts makes it): listens to `message`, turns
 * each into core turns (translate.ts), and delivers the outbox with `sendMessage` (render.ts), with
 * the capabilities given (the configured pace). Nothing happens until `start()`.
 */
export function createWhatsAppChannel(opts: WhatsAppOptions): WhatsAppChannel {
  const { core, client, log } = opts;
  const capabilities = opts.capabilities ?? WHATSAPP_CAPABILITIES;
  const cacheSize = opts.mediaCacheSize ?? MEDIA_CACHE_SIZE;
  const retryMs = opts.reconnectRetryMs ?? RECONNECT_RETRY_MS;
  let connected = opts.connected ?? true;
  let running = false;
  /** Live messages held back while the unread ones are caught up with, in arrival order. */
  let held: Message[] | null = null;
  const inFlight = new Set<Promise<unknown>>();
  /** Received media messages by id (insertion order = age), for `download`. */
  const media = new Map<string, Message>();
  let catchingUp: Promise<void> = Promise.resolve();

  /** One received message into the core; the same path for live and missed ones. */
  function accept(msg: Message): boolean {
    let inbound;
    try {
      inbound = toInbound(msg);
    } catch (error) {
      log.warn("whatsapp: a message could not be read; ignored", { reason: reasonOf(error), type: msg?.type ?? null });
      return false;
    }
    if (!inbound) return false;
    if (inbound.event.type === "file") {
      media.delete(inbound.event.file.platformId);
      media.set(inbound.event.file.platformId, msg);
      while (media.size > cacheSize) media.delete(media.keys().next().value!);
    }
    // Called in arrival order: the core's per-conversation queue keeps a chat's messages in it.
    const p = core
      .handle(inbound)
      .catch((error: unknown) => log.error("whatsapp: a message could not be handled", { error, kind: kindOf(msg) }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return true;
  }

  function onMessage(msg: Message): void {
    if (!running) return;
    if (held) held.push(msg);
    else accept(msg);
  }

  /**
   * The unread messages of private chats, oldest first per chat, then the live ones that came
   * meanwhile. A chat whose messages were all handled is marked seen (best effort), so that the
   * next start does not read them again.
   */
  async function catchUp(): Promise<void> {
    try {
      const chats: Chat[] = await bounded(client.getChats(), "getChats");
      let handled = 0;
      for (const chat of chats) {
        const id = chat.id?._serialized ?? "";
        if (chat.isGroup || !(chat.unreadCount > 0) || !/@(c\.us|lid)$/.test(id)) continue;
        const messages = await bounded(chat.fetchMessages({ limit: chat.unreadCount, fromMe: false }), "fetchMessages");
        for (const msg of messages) if (accept(msg)) handled++;
        await Promise.all(inFlight);
        await chat.sendSeen().catch((error: unknown) => log.debug("whatsapp: could not mark a chat seen", { reason: reasonOf(error) }));
      }
      if (handled) log.info("whatsapp: messages that arrived while the bot was away handled", { messages: handled });
    } catch (error) {
      // Not fatal: they stay unread and are read at the next start or reconnect.
      log.warn("whatsapp: could not read the messages missed while away", { reason: reasonOf(error) });
    } finally {
      const later = held ?? [];
      held = null;
      for (const msg of later) accept(msg);
    }
  }

  /** Holds live messages back at once (before any of them can pass), and queues a catch-up. */
  function scheduleCatchUp(): Promise<void> {
    held ??= [];
    catchingUp = catchingUp.then(catchUp);
    return catchingUp;
  }

  const onReady = () => {
    connected = true;
    if (running) void scheduleCatchUp();
  };
  const onDisconnected = (reason: unknown) => {
    connected = false;
    log.warn("whatsapp: disconnected; delivery waits for the connection", { reason: typeof reason === "string" ? reason : null });
  };

  const sender: ChannelSender = {
    channel: "whatsapp",
    capabilities,

    /**
     * The bytes of a received photo or document, through the message's `downloadMedia()`
     * (base64). DeliveryError("rejected") over WHATSAPP_MAX_DOWNLOAD_BYTES ("too big") or when the
     * message is no longer in memory; "retry" when WhatsApp gives nothing (media expired or
     * still being fetched by the phone).
     */
    async download(file: InboundFileRef, signal?: AbortSignal): Promise<Uint8Array> {
      const max = capabilities.maxDownloadBytes ?? WHATSAPP_MAX_DOWNLOAD_BYTES;
      if (file.size !== undefined && file.size > max) throw new DeliveryError("rejected", "download: file too big");
      const msg = media.get(file.platformId);
      if (!msg) throw new DeliveryError("rejected", "download: the message is no longer in memory");
      signal?.throwIfAborted();
      const aborted = new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(new DeliveryError("retry", "download: aborted")), { once: true }));
      aborted.catch(() => {});
      let got;
      try {
        got = await Promise.race([msg.downloadMedia(), aborted]);
      } catch (error) {
        throw classify(error, "download", retryMs);
      }
      if (!got?.data) throw new DeliveryError("retry", "download: WhatsApp gave no media (expired or not fetched yet)");
      // Base64 is 4/3 of the bytes: refused before decoding a string that is already too long.
      if (got.data.length > Math.ceil(max / 3) * 4 + 4) throw new DeliveryError("rejected", "download: file too big");
      const bytes = Buffer.from(got.data, "base64");
      if (bytes.length > max) throw new DeliveryError("rejected", "download: file too big");
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    },

    /**
     * Sends one outbound. An edit is sent as a new message (its id returned): whatsapp-web.js's
     * `Message.edit` needs the message still loaded in WhatsApp Web's page, works only within
     * WhatsApp's 15-minute edit window, and reports a refusal as a silent `null`, so the person
     * could miss a change that matters (a decision, a new status); a new message always arrives.
     */
    async deliver(chatId: string, outbound: Outbound, signal?: AbortSignal): Promise<Delivered> {
      if (!connected) throw new DeliveryError("retry", "whatsapp: not connected", retryMs, "global");
      const message = outbound.message;
      const files = outbound.kind === "send" ? (message.files ?? []) : [];
      const parts = renderParts(message);
      const captioned = files.length > 0 && parts.length === 1 && visibleLength(fullText(message)) <= WHATSAPP_CAPTION_LIMIT;
      const ids: string[] = [];
      let textId: string | undefined;
      const send = async (content: string | InstanceType<typeof MessageMedia>, options: MessageSendOptions): Promise<string> => {
        signal?.throwIfAborted();
        let sent: Message | null | undefined;
        try {
          // parseVCards off: a text that looks like a vCard (a person's, forwarded) stays text.
          sent = await client.sendMessage(chatId, content, { parseVCards: false, ...options });
        } catch (error) {
          throw classify(error, "sendMessage", retryMs);
        }
        // whatsapp-web.js answers null when WhatsApp Web has no such chat.
        if (!sent?.id?._serialized) throw new DeliveryError(ids.length ? "retry" : "rejected", "sendMessage: WhatsApp found no such chat");
        ids.push(sent.id._serialized);
        return sent.id._serialized;
      };
      // A failure after some parts went out fails the whole delivery, which the dispatcher retries
      // from the first part: at least once, as on Telegram (README "What can repeat").
      // A reply (OutboundMessage.replyTo, an id this adapter returned) quotes that message in the
      // first message sent; whatsapp-web.js sends without the quote when it cannot find it.
      let quote: MessageSendOptions = message.replyTo ? { quotedMessageId: message.replyTo } : {};
      const quoted = (): MessageSendOptions => {
        const q = quote;
        quote = {};
        return q;
      };
      if (!captioned) for (const part of parts) textId = await send(part, quoted());
      for (const [i, file] of files.entries()) {
        const mediaOf = await mediaFor(file);
        const caption = captioned && i === 0 ? { caption: parts[0]! } : {};
        // A "photo" that is no image WhatsApp shows inline (jpeg, png, webp) goes as a document.
        const asDocument = file.kind === "document" || !/^image\/(jpeg|png|webp)$/.test(file.mime);
        const id = await send(mediaOf, { ...caption, ...quoted(), ...(asDocument ? { sendMediaAsDocument: true } : {}) });
        if (captioned && i === 0) textId = id;
      }
      if (!ids.length) throw new DeliveryError("rejected", "sendMessage: nothing to send");
      return { messageId: textId ?? ids.at(-1)!, messageIds: ids };
    },
  };

  return {
    sender,
    get connected() {
      return connected;
    },
    async start() {
      if (running) return;
      running = true;
      client.on("message", onMessage);
      client.on("ready", onReady);
      client.on("disconnected", onDisconnected);
      // start() is called once the client is ready: catch up now (later "ready"s: after reconnects).
      connected = true;
      await scheduleCatchUp();
    },
    async stop() {
      running = false;
      client.off("message", onMessage);
      client.off("ready", onReady);
      client.off("disconnected", onDisconnected);
      await catchingUp;
      // Held messages are left: they stay unread and are handled at the next start.
      held = null;
      while (inFlight.size) await Promise.all(inFlight);
    },
    async idle() {
      await catchingUp;
      while (inFlight.size) await Promise.all(inFlight);
    },
  };
}

/** How long one call of the missed-messages pass may take (ms): a browser gone must not hold stop(). */
export const CATCH_UP_CALL_MS = 60_000;

/** `p`, or a rejection after CATCH_UP_CALL_MS. */
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${CATCH_UP_CALL_MS} ms`)), CATCH_UP_CALL_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error's message for a log line, without WhatsApp ids. */
function reasonOf(error: unknown): string {
  return withoutIds(error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);
}

/**
 * `text` with WhatsApp ids ("77011234567@c.us", "...@lid", "...@g.us", also inside serialized
 * message ids such as "true_77011234567@c.us_3EB0...") replaced by "<id>": they are phone numbers,
 * which never go into logs.
 */
export function withoutIds(text: string): string {
  return text.replace(/[\w.-]*\d{5,}[\w.-]*@(?:c\.us|lid|g\.us|s\.whatsapp\.net|newsletter|broadcast)(?:_[\w]+)?/g, "<id>");
}

/** A kept file as whatsapp-web.js media (base64 of the bytes on disk); a file missing on disk is a refusal, not a retry. */
async function mediaFor(file: OutboundFile): Promise<InstanceType<typeof MessageMedia>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch {
    throw new DeliveryError("rejected", `file ${file.id} is missing on disk`);
  }
  return new MessageMedia(file.mime, bytes.toString("base64"), file.name, bytes.length);
}

/**
 * How a failed whatsapp-web.js call affects delivery. The library drives WhatsApp Web in Chromium
 * through puppeteer, so its failures are puppeteer's (the page gone, a timeout: the client is
 * down or reconnecting) or WhatsApp Web's own errors thrown inside the page ("Evaluation failed").
 * - Browser or page gone, timeouts, no page yet: "retry" and the whole channel pauses
 *   (`retryMs`, default RECONNECT_RETRY_MS; no attempt counted): the session is coming back, nothing is lost.
 * - A number that is not on WhatsApp ("No LID for user", "not registered", an invalid wid):
 *   "unreachable".
 * - Anything else: "retry" (counted; the dispatcher gives up after its maximum of attempts).
 * Never "fatal": that would stop the process, and the Telegram side must keep working; a lost
 * session is session.ts's to report.
 */
export function classify(error: unknown, what: string, retryMs = RECONNECT_RETRY_MS): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // Reasons are logged and kept in the outbox row: WhatsApp ids in them are phone numbers.
  const reason = `${what}: ${withoutIds(text).slice(0, 200)}`;
  if (/No LID for user|not registered|invalid wid|wid error/i.test(text)) return new DeliveryError("unreachable", reason);
  if (
    /Session closed|Target closed|Protocol error|Execution context was destroyed|detached Frame|frame was detached|Connection closed|TargetCloseError|TimeoutError|timed out|reading 'evaluate'|pupPage|net::ERR_/i.test(
      text,
    )
  ) {
    return new DeliveryError("retry", reason, retryMs, "global");
  }
  return new DeliveryError("retry", reason);
}
