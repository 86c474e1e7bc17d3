/**
 * Runs the real core (real SQLite file, real locales, real flows and dispatcher) against a fake
 * channel that records what would be delivered. For flow tests that need no platform.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "./db-template.ts";
import { createI18n, type I18n, type MessageArgs } from "../../src/i18n/i18n.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { createCore, type Core } from "../../src/core/core.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelName, type ChannelSender, type Delivered as Sent, type Inbound, type InboundEvent, type InboundFileRef, type Outbound, type OutboundMessage, type TurnResult } from "../../src/core/channel.ts";
import { FileStore } from "../../src/core/files/store.ts";
import type { CoreSettings } from "../../src/core/turn.ts";
import { toPlain } from "../../src/core/rich-text.ts";

let sharedI18n: I18n | undefined;
export const i18n = (): I18n => (sharedI18n ??= createI18n());

/** A message as a person sees it (visible text), rendered from the locales. */
export function tr(locale: Locale, key: string, args?: MessageArgs): string {
  return toPlain(i18n().t(locale, key, args));
}

export interface Delivered {
  chatId: string;
  messageId: string;
  message: OutboundMessage;
  /** Visible text. */
  text: string;
  edited: number;
  /** The files sent with it (an album: the first message carries them all here, the others are `albumOf` it). */
  files: { name: string; kind: string; size: number; bytes: Uint8Array; reused: boolean }[];
  /** The thread it went into: the one it opened (in a forum), or `message.threadId`. */
  threadId?: string;
  /** The message it replies to (`message.replyTo`). */
  replyTo?: string;
  /** The thread title it asked to open (`message.openThread`), whether or not the chat is a forum. */
  openThread?: string;
  /** Another message of the same album (its first message's id). */
  albumOf?: string;
}

/** A file a person sends in a core test (TestPerson.sendFile). */
export interface TestFile {
  kind: "photo" | "document";
  name?: string;
  bytes: Uint8Array;
  /** The size the platform announces (default the real one); `null`: none announced. */
  announced?: number | null;
  caption?: string;
  mediaGroup?: string;
  replyTo?: string;
  threadId?: string;
}

/**
 * Records deliveries like a platform would show them: sends append, edits replace. Files: a
 * message with several files is an album (one message per file, the first carrying the text as
 * its caption and the buttons: its id is `messageId`); each file gets a platform id, reused when
 * the core hands one back. Chats in `forums` open a thread for `openThread`.
 */
export class RecordingChannel implements ChannelSender {
  readonly messages: Delivered[] = [];
  /** Chats that refuse messages, as a platform does for a blocked bot or a chat it is not in. */
  readonly unreachable = new Set<string>();
  /** Chats that are forums: `openThread` opens a thread there (Telegram: a forum supergroup's topic). */
  readonly forums = new Set<string>();
  /** The files people "sent", by platform id: what `download` serves. */
  readonly uploads = new Map<string, Uint8Array>();
  /** Files the bot sent, by the platform id the channel gave them (sent from `path` or reused). */
  readonly sentFiles = new Map<string, Uint8Array>();
  /** How many times `download` was called. */
  downloads = 0;
  /** Replaces `download` (a failure, a hang) when set. */
  downloadHook?: (file: InboundFileRef, signal?: AbortSignal) => Promise<Uint8Array>;
  #next = 1;
  #threads = 1;
  #files = 1;
  constructor(
    readonly channel: ChannelName = "telegram",
    /** What the recorded channel can show (the console's: no buttons, no share-contact button). */
    readonly capabilities?: ChannelCapabilities,
  ) {}

  async deliver(chatId: string, outbound: Outbound): Promise<Sent> {
    if (this.unreachable.has(chatId)) throw new DeliveryError("unreachable", `chat ${chatId} not found`);
    if (outbound.kind === "edit") {
      const m = this.messages.find((x) => x.chatId === chatId && x.messageId === outbound.messageId);
      if (!m) throw new Error(`edit of unknown message ${outbound.messageId}`);
      if (m.albumOf) throw new Error(`edit of an album's other message ${outbound.messageId}`);
      // Only the text (or caption) and the buttons change: the files stay.
      m.message = { ...outbound.message, ...(m.message.files ? { files: m.message.files } : {}) };
      m.text = toPlain(outbound.message.text);
      m.edited++;
      return { messageId: m.messageId };
    }
    const message = outbound.message;
    let threadId = message.threadId;
    if (message.openThread && this.forums.has(chatId)) threadId = `thread-${this.#threads++}`;
    const files = await Promise.all(
      (message.files ?? []).map(async (f) => {
        const known = f.platformId ? this.sentFiles.get(f.platformId) ?? this.uploads.get(f.platformId) : undefined;
        const bytes = known ?? new Uint8Array(await readFile(f.path));
        const platformId = known ? f.platformId! : `file-${this.#files++}`;
        this.sentFiles.set(platformId, bytes);
        return { name: f.name, kind: f.kind, size: f.size, bytes, reused: !!known, platformId };
      }),
    );
    const messageId = String(this.#next++);
    this.messages.push({
      chatId,
      messageId,
      message,
      text: toPlain(message.text),
      edited: 0,
      files: files.map(({ platformId: _, ...f }) => f),
      ...(threadId ? { threadId } : {}),
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      ...(message.openThread ? { openThread: message.openThread } : {}),
    });
    const others = files.slice(1).map(() => {
      const id = String(this.#next++);
      this.messages.push({ chatId, messageId: id, message: { text: "" }, text: "", edited: 0, files: [], albumOf: messageId, ...(threadId ? { threadId } : {}) });
      return id;
    });
    return {
      messageId,
      ...(others.length ? { messageIds: [messageId, ...others] } : {}),
      ...(threadId ? { threadId } : {}),
      ...(files.length ? { platformIds: files.map((f) => f.platformId) } : {}),
    };
  }

  async download(file: InboundFileRef, signal?: AbortSignal): Promise<Uint8Array> {
    this.downloads++;
    if (this.downloadHook) return this.downloadHook(file, signal);
    const bytes = this.uploads.get(file.platformId) ?? this.sentFiles.get(file.platformId);
    if (!bytes) throw new DeliveryError("rejected", "Bad Request: invalid file_id");
    return bytes;
  }

  /** Keeps `bytes` as a file a person sent; returns its platform id. */
  upload(bytes: Uint8Array): string {
    const id = `upload-${this.#files++}`;
    this.uploads.set(id, bytes);
    return id;
  }

  in(chatId: string): Delivered[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }
}

export interface Harness {
  core: Core;
  db: Database;
  channel: RecordingChannel;
  dir: string;
  /** Where the core keeps files (`<dir>/files`). */
  files: FileStore;
  /** A person writing from a private chat. */
  /** A person writing from a private chat; `phone`: the number the platform vouches for (Inbound.phone, WhatsApp). */
  person(id: string, opts?: { language?: string; name?: string; phone?: string }): TestPerson;
  /** A person writing in a group chat (the staff group). */
  inGroup(groupId: string, userId: string, opts?: { language?: string; name?: string }): TestPerson;
  /** Sends one raw event (e.g. the same update id twice). */
  handle(inbound: Inbound): Promise<TurnResult>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestPerson {
  id: string;
  /** Sends text; `replyTo` is the message id it replies to (answers in a group must reply to the question). */
  send(text: string, opts?: { replyTo?: string }): Promise<TurnResult>;
  press(label: string | RegExp): Promise<TurnResult>;
  pressData(data: string): Promise<TurnResult>;
  contact(phone: string, own?: boolean): Promise<TurnResult>;
  sticker(): Promise<TurnResult>;
  /** Sends a photo or a document: its bytes are served by the channel's `download`. */
  sendFile(file: TestFile): Promise<TurnResult>;
  messages(): Delivered[];
  /** The newest message (of an album, the one with the text). */
  last(): Delivered;
  /** Texts of the messages delivered since the previous call (an album's other messages left out). */
  fresh(): string[];
  buttons(): string[];
}

export async function startHarness(
  opts: {
    settings?: Partial<CoreSettings>;
    log?: Logger;
    channel?: ChannelName;
    capabilities?: ChannelCapabilities;
    downloadTimeoutMs?: number;
    /** The core's clock (default: the real one), to let time pass between turns. */
    clock?: () => Date;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "qti-core-"));
  const url = `file:${join(dir, "bot.db")}`;
  const settings: CoreSettings = { defaultLocale: "ru", admins: [], ...opts.settings };
  const channel = new RecordingChannel(opts.channel ?? "telegram", opts.capabilities);
  const files = new FileStore(join(dir, "files"));
  const coreOf = (db: Database) =>
    createCore({
      db,
      i18n: i18n(),
      log: opts.log ?? silentLogger,
      settings,
      files,
      ...(opts.downloadTimeoutMs ? { downloadTimeoutMs: opts.downloadTimeoutMs } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
  let db = await openTestDatabase(url);
  let core = coreOf(db);
  await core.start();
  await core.dispatcher.register(channel);
  let updateId = 1;
  const seen = new Map<string, number>();

  const handle = async (
    userId: string,
    event: InboundEvent,
    extra: { language?: string; name?: string; group?: string; phone?: string } = {},
    replyTo?: string,
    more: { mediaGroup?: string; threadId?: string } = {},
  ) => {
    const result = await core.handle({
      id: `${channel.channel}:${updateId++}`,
      channel: channel.channel,
      chatId: extra.group ?? userId,
      userId,
      chatType: extra.group ? "group" : "private",
      ...(extra.language ? { languageHint: extra.language } : {}),
      ...(extra.name ? { displayName: extra.name } : {}),
      ...(extra.phone ? { phone: extra.phone } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(more.mediaGroup ? { mediaGroup: more.mediaGroup } : {}),
      ...(more.threadId ? { threadId: more.threadId } : {}),
      event,
    });
    await core.dispatcher.idle();
    return result;
  };

  const harness: Harness = {
    get core() {
      return core;
    },
    get db() {
      return db;
    },
    channel,
    dir,
    files,
    async handle(inbound) {
      const result = await core.handle(inbound);
      await core.dispatcher.idle();
      return result;
    },
    inGroup(groupId, userId, extra = {}) {
      return harness.person(userId, { ...extra, group: groupId } as never);
    },
    person(userId, extra: { language?: string; name?: string; group?: string; phone?: string } = {}) {
      const id = extra.group ?? userId;
      const p: TestPerson = {
        id,
        send: (text, opts = {}) => handle(userId, { type: "text", text }, extra, opts.replyTo),
        pressData: (data) => handle(userId, { type: "choice", data }, extra),
        async press(label) {
          // Like a person scrolling up: the newest message that has such a button.
          const matches = (b: { label: string }) => (typeof label === "string" ? b.label === label || b.label.includes(label) : label.test(b.label));
          const withButtons = [...channel.in(id)].reverse().find((m) => m.message.choices?.flat().some(matches));
          const button = withButtons?.message.choices?.flat().find(matches);
          if (!button) {
            throw new Error(`No button ${String(label)}; last buttons: ${JSON.stringify(withButtons?.message.choices?.flat().map((b) => b.label))}`);
          }
          return handle(userId, { type: "choice", data: button.data }, extra);
        },
        contact: (phone, own = true) => handle(userId, { type: "contact", phone, own }, extra),
        sticker: () => handle(userId, { type: "unsupported", kind: "sticker" }, extra),
        sendFile(f) {
          const platformId = channel.upload(f.bytes);
          const announced = f.announced === undefined ? f.bytes.length : f.announced;
          const file: InboundFileRef = { kind: f.kind, platformId, ...(f.name ? { name: f.name } : {}), ...(announced !== null ? { size: announced } : {}) };
          return handle(userId, { type: "file", file, ...(f.caption ? { caption: f.caption } : {}) }, extra, f.replyTo, {
            ...(f.mediaGroup ? { mediaGroup: f.mediaGroup } : {}),
            ...(f.threadId ? { threadId: f.threadId } : {}),
          });
        },
        messages: () => channel.in(id),
        last: () => {
          // An album's other messages carry no text: the last message is the one with the text.
          const all = channel.in(id).filter((m) => !m.albumOf);
          const m = all[all.length - 1];
          if (!m) throw new Error(`no messages to ${id}`);
          return m;
        },
        fresh() {
          const all = channel.in(id);
          const from = seen.get(id) ?? 0;
          seen.set(id, all.length);
          return all.slice(from).filter((m) => !m.albumOf).map((m) => m.text);
        },
        buttons: () => {
          const withButtons = [...channel.in(id)].reverse().find((m) => m.message.choices?.length);
          return withButtons?.message.choices?.flat().map((b) => b.label) ?? [];
        },
      };
      return p;
    },
    async restart() {
      await core.stop();
      await core.dispatcher.stop();
      await db.close();
      db = await openTestDatabase(url);
      core = coreOf(db);
      await core.start();
      await core.dispatcher.register(channel);
    },
    async close() {
      await core.stop();
      await core.dispatcher.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Walks a person from /start to the application summary, answering every question correctly. */
export async function fillApplication(p: TestPerson, locale: Locale, opts: { bin?: string; name?: string } = {}): Promise<void> {
  await p.send("/start");
  await p.press(tr(locale, "menu-register"));
  await p.press(tr(locale, "consent-agree"));
  await p.send(opts.bin ?? "061211600012");
  await p.send(opts.name ?? "Textile Company");
  await p.press(tr(locale, "region-almaty-city"));
  await p.press(tr(locale, "sector-apparel"));
  await p.send("45");
  await p.send("Aigerim");
  await p.contact("77011234567");
}

/** Fills an application and sends it. */
export async function applyForMembership(p: TestPerson, locale: Locale, opts: { bin?: string; name?: string } = {}): Promise<void> {
  await fillApplication(p, locale, opts);
  await p.press(tr(locale, "reg-confirm-button"));
}
