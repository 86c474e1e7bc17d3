/**
 * A turn: the handling of one inbound event, inside one database transaction. Everything a turn
 * decides (state, data, and the messages it sends) commits together or not at all; messages go to
 * the outbox and are delivered after the commit (outbox/dispatcher.ts).
 */
import type { Tx } from "../db/database.ts";
import type { I18n, MessageArgs } from "../i18n/i18n.ts";
import { LOCALES, type Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_CAPABILITIES, type ChannelName, type Inbound, type OutboundMessage, type ResolvedCapabilities } from "./channel.ts";
import { toPlain } from "./rich-text.ts";
import { deleteMenu, enqueue, loadMenu, saveMenu, updatePayload, type MenuChoice, type QueuedMessage } from "./bookkeeping.ts";
import { coalesceInto } from "./outbox/coalesce.ts";
import type { StaffChat } from "./staff/staff-chat.ts";

export type Translate = (key: string, args?: MessageArgs) => string;

/** Text to show: a message key, a key with arguments, or a function of the translator (for composed texts). */
export type Label = string | { key: string; args?: MessageArgs } | ((t: Translate) => string);

export interface ButtonSpec {
  data: string;
  label: Label;
  /** Key of a comma-separated list of other words that choose it when typed ("words-yes": "да, ага"). */
  words?: string;
}

export interface MessageSpec {
  text: Label;
  choices?: ButtonSpec[][];
  requestPhone?: Label;
  removeKeyboard?: boolean;
  replyFrom?: { userId: string; name: string };
}

/** Where a message goes, and in which language it is written. */
export interface Target {
  channel: ChannelName;
  chatId: string;
  locale: Locale;
}

export interface CoreSettings {
  defaultLocale: Locale;
  /** The staff group as configured, when it is; otherwise staff are notified privately. At run time see CoreServices.staffChat. */
  staffChat?: { channel: ChannelName; chatId: string };
  /** Admins by configuration (STAFF_TELEGRAM_IDS; the console's operator persona). */
  admins: { channel: ChannelName; id: string }[];
}

export interface CoreServices {
  i18n: I18n;
  log: Logger;
  clock: () => Date;
  settings: CoreSettings;
  /** Where the staff group is now (it may have moved since the configuration was written), and whether it can be reached. */
  staffChat: StaffChat;
  /** What each channel can show (its adapter declares it); DEFAULT_CAPABILITIES when absent. */
  capabilities?: (channel: string) => ResolvedCapabilities;
}

export interface Actor {
  personId: number;
  role: string;
  locale: Locale | null;
}

export function render(i18n: I18n, locale: Locale, label: Label): string {
  const t: Translate = (key, args) => i18n.t(locale, key, args);
  if (typeof label === "string") return t(label);
  if (typeof label === "function") return label(t);
  return t(label.key, label.args);
}

/** Text people may type for a button: its label in every language, folded. */
export function foldLabel(text: string): string {
  return text
    .normalize("NFKC")
    .toLocaleLowerCase()
    .replace(/[\p{Emoji_Presentation}\p{Extended_Pictographic}\u200b-\u200f\ufe0f\u2060\ufeff]/gu, "")
    .replace(/[\s.,!?;:«»"'()]+/g, " ")
    .trim();
}

export class Turn {
  /** A short notice for the adapter (e.g. a Telegram toast). */
  notice?: string;
  /** The press was accepted as an answer. */
  consumed = false;
  /** Messages this turn queued, handed to the dispatcher once it commits. */
  readonly queued: QueuedMessage[] = [];
  /** Chats whose menu this turn knows to be absent (no write needed to clear it). */
  readonly #noMenu = new Set<string>();

  constructor(
    readonly tx: Tx,
    readonly services: CoreServices,
    readonly inbound: Inbound,
    readonly now: Date,
    /** The person who acted, when known (always in a private chat). */
    public actor: Actor | null,
    /** The language this turn answers in; changes when the person picks another. */
    public locale: Locale,
  ) {}

  get log(): Logger {
    return this.services.log;
  }

  t(key: string, args?: MessageArgs, locale: Locale = this.locale): string {
    return this.services.i18n.t(locale, key, args);
  }

  /** What `channel` can show (buttons, a share-contact button). */
  capabilities(channel: string = this.inbound.channel): ResolvedCapabilities {
    return this.services.capabilities?.(channel) ?? DEFAULT_CAPABILITIES;
  }

  /** Where replies to this turn go. */
  get here(): Target {
    return { channel: this.inbound.channel, chatId: this.inbound.chatId, locale: this.locale };
  }

  /**
   * A short answer to what the person did: a toast for a button press (where the platform shows
   * one), a message for anything typed.
   */
  async answer(key: string): Promise<void> {
    this.notice = this.t(key);
    if (this.inbound.event.type !== "choice") await this.reply(key);
  }

  reply(spec: MessageSpec | Label, opts: { tag?: string } = {}): Promise<void> {
    return this.send(this.here, isSpec(spec) ? spec : { text: spec }, opts);
  }

  build(locale: Locale, spec: MessageSpec): OutboundMessage {
    const { i18n } = this.services;
    const message: OutboundMessage = { text: render(i18n, locale, spec.text) };
    if (spec.choices?.length) {
      message.choices = spec.choices.map((row) =>
        row.map((b) => ({ data: b.data, label: toPlain(render(i18n, locale, b.label)) })),
      );
    }
    if (spec.requestPhone) message.requestPhone = toPlain(render(i18n, locale, spec.requestPhone));
    if (spec.removeKeyboard) message.removeKeyboard = true;
    if (spec.replyFrom) message.replyFrom = spec.replyFrom;
    return message;
  }

  /** Queues a message; it is delivered after this turn commits. */
  async send(to: Target, spec: MessageSpec, opts: { tag?: string } = {}): Promise<void> {
    const message = this.build(to.locale, spec);
    if (this.capabilities(to.channel).buttons) await this.rememberChoices(to, spec);
    else await this.numberChoices(to, spec, message, opts.tag);
    await this.queue(to, { kind: "send", message }, opts.tag ?? null);
  }

  private async queue(to: Target, payload: QueuedPayload, tag: string | null): Promise<void> {
    // One step, one message: merged into this turn's previous message to the chat when the content allows.
    const merge = payload.kind === "send" && this.capabilities(to.channel).mergeMessages ? coalesceInto(this.queued, to, payload.message, tag) : null;
    if (merge) {
      await updatePayload(this.tx, merge.row.id, merge.payload);
      merge.row.payload = merge.payload;
      return;
    }
    const row = await enqueue(
      this.tx,
      { channel: to.channel, chatId: to.chatId, payload: JSON.stringify(payload), tag, locale: to.locale },
      this.now,
    );
    this.queued.push(row);
  }

  /**
   * Re-renders every copy of the message tagged `tag` (a staff notice once it is decided), in the
   * language each was written in. The edit is queued behind the copy in its chat, so it applies
   * even to a copy that is still on its way; the dispatcher finds the message id when its turn comes.
   */
  async editTagged(
    tag: string,
    build: (locale: Locale) => MessageSpec,
    opts: { allow?: (target: Target) => Promise<boolean>; forget?: boolean; only?: { channel: string; chatId: string } } = {},
  ): Promise<void> {
    for (const target of await this.chatsWith(tag, opts.only)) {
      if (opts.allow && !(await opts.allow(target))) continue;
      const spec = build(target.locale);
      const message = this.build(target.locale, spec);
      if (!this.capabilities(target.channel).buttons) await this.numberChoices(target, spec, message, tag);
      const payload: QueuedPayload = { kind: "edit-tag", tag, message, ...(opts.forget ? { forget: true } : {}) };
      await this.queue(target, payload, null);
    }
  }

  /** The chats that hold (or will hold) a message tagged `tag`, in the language it was written in. */
  async chatsWith(tag: string, only?: { channel: string; chatId: string }): Promise<Target[]> {
    const chats = new Map<string, Target>();
    const fallback = this.services.settings.defaultLocale;
    const where = { tag, ...(only ? { channel: only.channel, chatId: only.chatId } : {}) };
    const select = { channel: true, chatId: true, locale: true } as const;
    for (const row of [...(await this.tx.sentMessage.findMany({ where, select })), ...(await this.tx.outbox.findMany({ where, select }))]) {
      chats.set(`${row.channel}:${row.chatId}`, { channel: row.channel as ChannelName, chatId: row.chatId, locale: asLocale(row.locale, fallback) });
    }
    return [...chats.values()];
  }

  /** The distinct tags beginning with `prefix` (every submission's notices of one request). */
  async tagsLike(prefix: string, only?: { channel: string; chatId: string }): Promise<string[]> {
    const where = { tag: { startsWith: prefix }, ...(only ? { channel: only.channel, chatId: only.chatId } : {}) };
    const rows = [
      ...(await this.tx.sentMessage.findMany({ where, select: { tag: true }, distinct: ["tag"] })),
      ...(await this.tx.outbox.findMany({ where, select: { tag: true }, distinct: ["tag"] })),
    ];
    return [...new Set(rows.map((r) => r.tag).filter((t): t is string => !!t))];
  }

  /** Records that a chat has no menu (read at the start of the turn), so clearing it costs nothing. */
  knowNoMenu(channel: string, chatId: string): void {
    this.#noMenu.add(`${channel}:${chatId}`);
  }

  /**
   * On a channel with real buttons, the newest message with buttons in the chat's own conversation
   * decides what a typed number or button label means there ("2", "Да"); a question without buttons
   * clears that (its answer is text). Messages from someone else's turn do not count: their buttons
   * are pressed, not typed.
   */
  private async rememberChoices(to: Target, spec: MessageSpec): Promise<void> {
    const key = `${to.channel}:${to.chatId}`;
    const ownChat = to.channel === this.inbound.channel && to.chatId === this.inbound.chatId;
    if (!ownChat) return;
    if (!spec.choices?.length) {
      if (this.#noMenu.has(key)) return;
      await deleteMenu(this.tx, to.channel, to.chatId);
      this.#noMenu.add(key);
      return;
    }
    await saveMenu(this.tx, to.channel, to.chatId, { foreign: false, choices: spec.choices.flat().map((b) => this.entry(b)) }, this.now);
    this.#noMenu.delete(key);
  }

  /**
   * On a channel without real buttons (console, WhatsApp text), options are shown as a numbered
   * list, and every option still shown in the chat must stay choosable: a staff member may decide on
   * any of ten notices listed by /pending, not only the newest. So each option gets a number unique
   * among the chat's live options (`message`'s buttons get it as `key`), kept in the chat's menu:
   * - a tagged message (a notice) keeps its options until it is edited (decided: no buttons left);
   * - an untagged message is the chat's current question: the chat's own next message replaces its
   *   options (a question without buttons leaves none: its answer is text);
   * - a message's options take the first run of free numbers (an ordinary member sees 1, 2, 3; an
   *   operator with two notices 1–4 sees the menu as 5–9).
   */
  private async numberChoices(to: Target, spec: MessageSpec, message: OutboundMessage, tag: string | undefined): Promise<void> {
    const key = `${to.channel}:${to.chatId}`;
    const ownChat = to.channel === this.inbound.channel && to.chatId === this.inbound.chatId;
    const buttons = spec.choices?.flat() ?? [];
    if (!buttons.length && this.#noMenu.has(key)) return;
    const before = ((await loadMenu(this.tx, to.channel, to.chatId))?.choices ?? []).filter((c) => c.n !== undefined);
    const kept = before.filter((c) =>
      tag !== undefined ? c.tag !== tag : c.tag !== undefined || !ownChat,
    );
    if (!buttons.length && kept.length === before.length) return;
    // The first run of free numbers long enough for all of this message's options (contiguous: "1 2 3").
    const used = new Set(kept.map((c) => c.n!));
    let first = 1;
    for (let i = 0; i < buttons.length; i++) {
      if (used.has(first + i)) {
        first += i + 1;
        i = -1;
      }
    }
    const added = buttons.map((b, i) => ({ ...this.entry(b), n: first + i, ...(tag !== undefined ? { tag } : {}) }));
    const byData = new Map(added.map((c) => [c.data, c.n]));
    for (const row of message.choices ?? []) for (const b of row) b.key = String(byData.get(b.data));
    const choices = [...kept, ...added];
    if (!choices.length) {
      if (before.length) await deleteMenu(this.tx, to.channel, to.chatId);
      this.#noMenu.add(key);
      return;
    }
    await saveMenu(this.tx, to.channel, to.chatId, { foreign: false, choices }, this.now);
    this.#noMenu.delete(key);
  }

  /** A button as a menu entry: its label in every language and its other words, folded. */
  private entry(b: ButtonSpec): MenuChoice {
    const { i18n } = this.services;
    const words = b.words ? LOCALES.flatMap((l) => i18n.t(l, b.words!).split(",")) : [];
    const match = [...LOCALES.map((l) => toPlain(render(i18n, l, b.label))), ...words].map(foldLabel).filter(Boolean);
    return { data: b.data, match: [...new Set(match)] };
  }
}

/** What an outbox row carries: a message to send, or a new version of the messages tagged `tag` in that chat. */
export type QueuedPayload =
  | { kind: "send"; message: OutboundMessage }
  /** `forget`: after the edit, stop tracking those copies (they no longer belong to a staff member). */
  | { kind: "edit-tag"; tag: string; message: OutboundMessage; forget?: boolean };

function isSpec(x: MessageSpec | Label): x is MessageSpec {
  return typeof x === "object" && x !== null && "text" in x;
}

export function asLocale(value: string | null | undefined, fallback: Locale): Locale {
  return (LOCALES as readonly string[]).includes(value ?? "") ? (value as Locale) : fallback;
}
