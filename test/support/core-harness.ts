/**
 * Runs the real core (real SQLite file, real locales, real flows and dispatcher) against a fake
 * channel that records what would be delivered. For flow tests that need no platform.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "./db-template.ts";
import { createI18n, type I18n, type MessageArgs } from "../../src/i18n/i18n.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import { createCore, type Core } from "../../src/core/core.ts";
import { DeliveryError, type ChannelCapabilities, type ChannelName, type ChannelSender, type Inbound, type InboundEvent, type Outbound, type OutboundMessage, type TurnResult } from "../../src/core/channel.ts";
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
}

/** Records deliveries like a platform would show them: sends append, edits replace. */
export class RecordingChannel implements ChannelSender {
  readonly messages: Delivered[] = [];
  /** Chats that refuse messages, as a platform does for a blocked bot or a chat it is not in. */
  readonly unreachable = new Set<string>();
  #next = 1;
  constructor(
    readonly channel: ChannelName = "telegram",
    /** What the recorded channel can show (the console's: no buttons, no share-contact button). */
    readonly capabilities?: ChannelCapabilities,
  ) {}

  async deliver(chatId: string, outbound: Outbound): Promise<{ messageId: string }> {
    if (this.unreachable.has(chatId)) throw new DeliveryError("unreachable", `chat ${chatId} not found`);
    if (outbound.kind === "edit") {
      const m = this.messages.find((x) => x.chatId === chatId && x.messageId === outbound.messageId);
      if (!m) throw new Error(`edit of unknown message ${outbound.messageId}`);
      m.message = outbound.message;
      m.text = toPlain(outbound.message.text);
      m.edited++;
      return { messageId: m.messageId };
    }
    const messageId = String(this.#next++);
    this.messages.push({ chatId, messageId, message: outbound.message, text: toPlain(outbound.message.text), edited: 0 });
    return { messageId };
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
  /** A person writing from a private chat. */
  person(id: string, opts?: { language?: string; name?: string }): TestPerson;
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
  messages(): Delivered[];
  last(): Delivered;
  /** Texts of the messages delivered since the previous call. */
  fresh(): string[];
  buttons(): string[];
}

export async function startHarness(
  opts: { settings?: Partial<CoreSettings>; log?: Logger; channel?: ChannelName; capabilities?: ChannelCapabilities } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "qti-core-"));
  const url = `file:${join(dir, "bot.db")}`;
  const settings: CoreSettings = { defaultLocale: "ru", admins: [], ...opts.settings };
  const channel = new RecordingChannel(opts.channel ?? "telegram", opts.capabilities);
  let db = await openTestDatabase(url);
  let core = createCore({ db, i18n: i18n(), log: opts.log ?? silentLogger, settings });
  await core.start();
  await core.dispatcher.register(channel);
  let updateId = 1;
  const seen = new Map<string, number>();

  const handle = async (
    userId: string,
    event: InboundEvent,
    extra: { language?: string; name?: string; group?: string } = {},
    replyTo?: string,
  ) => {
    const result = await core.handle({
      id: `${channel.channel}:${updateId++}`,
      channel: channel.channel,
      chatId: extra.group ?? userId,
      userId,
      chatType: extra.group ? "group" : "private",
      ...(extra.language ? { languageHint: extra.language } : {}),
      ...(extra.name ? { displayName: extra.name } : {}),
      ...(replyTo ? { replyTo } : {}),
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
    async handle(inbound) {
      const result = await core.handle(inbound);
      await core.dispatcher.idle();
      return result;
    },
    inGroup(groupId, userId, extra = {}) {
      return harness.person(userId, { ...extra, group: groupId } as never);
    },
    person(userId, extra: { language?: string; name?: string; group?: string } = {}) {
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
        messages: () => channel.in(id),
        last: () => {
          const all = channel.in(id);
          const m = all[all.length - 1];
          if (!m) throw new Error(`no messages to ${id}`);
          return m;
        },
        fresh() {
          const all = channel.in(id);
          const from = seen.get(id) ?? 0;
          seen.set(id, all.length);
          return all.slice(from).map((m) => m.text);
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
      core = createCore({ db, i18n: i18n(), log: opts.log ?? silentLogger, settings });
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
