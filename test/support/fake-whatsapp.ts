/**
 * A fake whatsapp-web.js client (the adapter's WhatsAppClient) for tests: no browser, no network.
 * It emits "message" with the library's REAL `Message` objects, built offline with
 * `new Message(client, rawData)` from the raw model WhatsApp Web hands the library (the fields
 * Message.js reads: id, from, to, t, type, body, directPath, mimetype, filename, size, caption,
 * lat/lng, vcardList, notifyName...). `downloadMedia()` is the library's own: it asks
 * `pupPage.evaluate` for the message's media, which this fake answers with the bytes it was given
 * (base64, as WhatsApp Web's page does). It records what the bot sends, can fail the next sends,
 * has chats with unread messages (the missed-messages pass at start) and emits
 * "disconnected"/"ready" on demand.
 */
import { EventEmitter } from "node:events";
import wwebjs from "whatsapp-web.js";
import type { Chat, Message as WMessage, MessageContent, MessageSendOptions } from "whatsapp-web.js";
import type { WhatsAppClient } from "../../src/channels/whatsapp/client.ts";
import { WORD_JOINER } from "../../src/channels/whatsapp/render.ts";

// The library's classes; its typings declare Message as an interface only.
const { Message, MessageMedia } = wwebjs as unknown as { Message: new (client: unknown, data: RawMessage) => WMessage; MessageMedia: typeof wwebjs.MessageMedia };

/** The bot's own WhatsApp id in the fake. */
export const BOT_ID = "77000000000@c.us";

/** What the bot sent, as the fake recorded it. */
export interface SentMessage {
  /** The id the fake gave it ("true_<chat>_<n>", as whatsapp-web.js serializes ids). */
  id: string;
  chatId: string;
  /** The text as sent (WhatsApp markup, word joiners included), or a file's caption; "" for a file without one. */
  raw: string;
  /** What a person reads: `raw` without the invisible word joiners (markup characters stay). */
  text: string;
  options: MessageSendOptions;
  /** A file sent: its bytes decoded from the base64 MessageMedia. */
  media?: { mimetype: string; filename: string | null | undefined; bytes: Buffer; asDocument: boolean };
}

/** The raw model of a received message, as whatsapp-web.js gets it from WhatsApp Web. */
export type RawMessage = Record<string, unknown> & { id: { fromMe: boolean; remote: string; id: string; _serialized: string }; type: string };

/** A chat as getChats() lists it (the part the adapter reads). */
export interface FakeChat {
  id: { _serialized: string; server: string; user: string };
  isGroup: boolean;
  unreadCount: number;
  /** The unread messages, oldest first. */
  messages: WMessage[];
  seen: number;
}

let counter = 0;
const nextId = () => `3EB0${(++counter).toString(16).toUpperCase().padStart(16, "0")}`;

/** "+77011234567", "77011234567" or a full id → "77011234567@c.us". */
export function waId(who: string): string {
  return who.includes("@") ? who : `${who.replace(/^\+/, "")}@c.us`;
}

export class FakeWhatsApp extends EventEmitter implements WhatsAppClient {
  readonly sent: SentMessage[] = [];
  /** Calls of sendMessage that failed (their errors), in order. */
  readonly failedSends: Error[] = [];
  readonly chats = new Map<string, FakeChat>();
  /** Media of received messages by serialized id: what WhatsApp Web's page would decrypt. */
  readonly #media = new Map<string, { data: string; mimetype: string; filename?: string; filesize: number }>();
  #failures: Error[] = [];
  #sent = 0;
  readonly #waiters = new Set<(m: SentMessage) => void>();
  downloads = 0;
  destroyed = false;
  pupBrowser = null;

  /** The page whatsapp-web.js evaluates in: answers Message.downloadMedia()'s call (its argument is the message id). */
  readonly pupPage = {
    evaluate: async (_fn: unknown, ...args: unknown[]): Promise<unknown> => {
      const media = this.#media.get(String(args[0]));
      if (!media) throw new Error("Evaluation failed: fake page: unknown message");
      this.downloads++;
      return media;
    },
  };

  async initialize(): Promise<void> {
    this.emit("ready");
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  /** The next `n` sends (default 1) throw `error` (default a generic failure inside the page). */
  failNext(error: Error = new Error("Evaluation failed: Error: fake send failure"), n = 1): void {
    for (let i = 0; i < n; i++) this.#failures.push(error);
  }

  async sendMessage(chatId: string, content: MessageContent, options: MessageSendOptions = {}): Promise<WMessage> {
    const failure = this.#failures.shift();
    if (failure) {
      this.failedSends.push(failure);
      throw failure;
    }
    const id = `true_${chatId}_BOT${++this.#sent}`;
    let raw: string;
    let media: SentMessage["media"];
    if (content instanceof MessageMedia) {
      raw = options.caption ?? "";
      media = { mimetype: content.mimetype, filename: content.filename, bytes: Buffer.from(content.data, "base64"), asDocument: !!options.sendMediaAsDocument };
    } else if (typeof content === "string") raw = content;
    else throw new Error("fake: only text and MessageMedia are sent by the adapter");
    const record: SentMessage = { id, chatId, raw, text: raw.replaceAll(WORD_JOINER, ""), options, ...(media ? { media } : {}) };
    this.sent.push(record);
    for (const waiter of [...this.#waiters]) waiter(record);
    // Sending marks the chat read (whatsapp-web.js sendSeen defaults to true).
    const chat = this.chats.get(chatId);
    if (chat && options.sendSeen !== false) chat.unreadCount = 0;
    return new Message(this, {
      id: { fromMe: true, remote: chatId, id: id.split("_").at(-1), _serialized: id },
      from: BOT_ID,
      to: chatId,
      t: Math.floor(Date.now() / 1000),
      type: media ? (media.asDocument ? "document" : "image") : "chat",
      body: raw,
    } as unknown as RawMessage);
  }

  async getChats(): Promise<Chat[]> {
    return [...this.chats.values()].map(
      (c) =>
        ({
          id: c.id,
          isGroup: c.isGroup,
          unreadCount: c.unreadCount,
          fetchMessages: async (o: { limit?: number; fromMe?: boolean }) =>
            c.messages.filter((m) => o.fromMe === undefined || m.fromMe === o.fromMe).slice(-(o.limit ?? c.messages.length)),
          sendSeen: async () => {
            c.seen++;
            c.unreadCount = 0;
            return true;
          },
        }) as unknown as Chat,
    );
  }

  // ---- building received messages (the library's Message over a raw model) ----

  /** A raw model of a message from `from`; `extra` overrides fields (e.g. `id` to repeat one). */
  raw(from: string, type: string, extra: Record<string, unknown> = {}): RawMessage {
    const chat = waId(from);
    const id = nextId();
    return {
      id: { fromMe: false, remote: chat, id, _serialized: `false_${chat}_${id}` },
      from: chat,
      to: BOT_ID,
      t: Math.floor(Date.now() / 1000),
      type,
      body: "",
      notifyName: "Fake Person",
      ack: 1,
      ...extra,
    } as RawMessage;
  }

  /** Wraps a raw model in the library's Message. */
  message(raw: RawMessage): WMessage {
    return new Message(this, raw);
  }

  text(from: string, body: string, extra: Record<string, unknown> = {}): WMessage {
    return this.message(this.raw(from, "chat", { body, ...extra }));
  }

  /** A photo with real bytes (downloadMedia() returns them); `caption` as WhatsApp gives it. */
  image(from: string, bytes: Uint8Array, o: { caption?: string; mimetype?: string } = {}): WMessage {
    return this.withMedia(from, "image", bytes, { mimetype: o.mimetype ?? "image/jpeg", ...(o.caption ? { caption: o.caption } : {}) });
  }

  /** A document with real bytes and its file name. */
  document(from: string, bytes: Uint8Array, o: { filename: string; caption?: string; mimetype?: string }): WMessage {
    return this.withMedia(from, "document", bytes, { mimetype: o.mimetype ?? "application/pdf", filename: o.filename, ...(o.caption ? { caption: o.caption } : {}) });
  }

  /** A voice note (ptt), media that the bot does not read. */
  voice(from: string): WMessage {
    return this.withMedia(from, "ptt", new Uint8Array([0x4f, 0x67, 0x67, 0x53]), { mimetype: "audio/ogg; codecs=opus", duration: 3 });
  }

  sticker(from: string): WMessage {
    return this.withMedia(from, "sticker", new Uint8Array([0x52, 0x49, 0x46, 0x46]), { mimetype: "image/webp" });
  }

  location(from: string, lat: number, lng: number, description?: string): WMessage {
    return this.message(this.raw(from, "location", { lat, lng, ...(description ? { loc: description } : {}) }));
  }

  /** A contact card (vCard 3.0 as WhatsApp writes it). */
  contact(from: string, name: string, phoneDigits: string): WMessage {
    const vcard = `BEGIN:VCARD\nVERSION:3.0\nN:;${name};;;\nFN:${name}\nTEL;type=CELL;type=VOICE;waid=${phoneDigits}:+${phoneDigits}\nEND:VCARD`;
    return this.message(this.raw(from, "vcard", { body: vcard, vcardFormattedName: name }));
  }

  private withMedia(from: string, type: string, bytes: Uint8Array, extra: Record<string, unknown>): WMessage {
    const raw = this.raw(from, type, { directPath: `/v/t62.fake/${nextId()}`, size: bytes.length, mediaKey: "ZmFrZQ==", ...extra });
    this.#media.set(raw.id._serialized, {
      data: Buffer.from(bytes).toString("base64"),
      mimetype: String(extra.mimetype),
      ...(typeof extra.filename === "string" ? { filename: extra.filename } : {}),
      filesize: bytes.length,
    });
    return this.message(raw);
  }

  // ---- events ----

  /** WhatsApp delivers a message to the bot (the "message" event). */
  receive(msg: WMessage): void {
    this.emit("message", msg);
  }

  /** Messages that arrived while the bot was away: unread in their private chat, listed by getChats(). */
  unread(chatId: string, messages: WMessage[]): void {
    const id = waId(chatId);
    const chat = this.chats.get(id) ?? {
      id: { _serialized: id, server: id.split("@")[1]!, user: id.split("@")[0]! },
      isGroup: id.endsWith("@g.us"),
      unreadCount: 0,
      messages: [],
      seen: 0,
    };
    chat.messages.push(...messages);
    chat.unreadCount += messages.length;
    this.chats.set(id, chat);
  }

  disconnect(reason = "NAVIGATION"): void {
    this.emit("disconnected", reason);
  }

  ready(): void {
    this.emit("ready");
  }

  /**
   * Resolves with the first message sent to `who` after its `after`-th one (default: any sent
   * from now on) that `match` accepts; rejects after `timeoutMs` (default 10 s).
   */
  waitFor(who: string, match: (m: SentMessage) => boolean, opts: { after?: number; timeoutMs?: number } = {}): Promise<SentMessage> {
    const id = waId(who);
    const after = opts.after ?? this.to(id).length;
    const already = this.to(id).slice(after).find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`nothing matching sent to ${who} within ${timeoutMs} ms; last: ${JSON.stringify(this.to(id).at(-1)?.text)}`));
      }, timeoutMs);
      const waiter = (m: SentMessage) => {
        if (m.chatId !== id || !match(m)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(m);
      };
      this.#waiters.add(waiter);
    });
  }

  /** What was sent to a chat (a phone or an id). */
  to(who: string): SentMessage[] {
    const id = waId(who);
    return this.sent.filter((m) => m.chatId === id);
  }
}
