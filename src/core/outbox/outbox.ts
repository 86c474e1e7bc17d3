/**
 * A unit of work's outbox: the one way the core sends a message. Every message is a row of the
 * `Outbox` table written in the unit's transaction, so it commits (and is delivered, by
 * outbox/dispatcher.ts, the delivery engine) together with what the unit decided, or not at all. The rows queued are
 * handed to the dispatcher once the unit commits (unit.ts `runUnit`, core.ts for chat turns).
 *
 * It also keeps each chat's menu (bookkeeping.ts `ChatMenu`): what a typed "2" or a typed button
 * label means in a chat, on channels with and without real buttons.
 */
import type { Tx } from "../../db/database.ts";
import type { I18n } from "../../i18n/i18n.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import type { ChannelName, OutboundMessage } from "../channel.ts";
import { deleteMenu, enqueue, enqueueMany, PART_SUFFIX, type BulkRow, loadMenu, saveMenu, updatePayload, type Lane, type MenuChoice, type QueuedMessage } from "../bookkeeping.ts";
import { coalesceInto } from "./coalesce.ts";
import { escapeHtml, toPlain } from "../rich-text.ts";
import { asLocale, foldLabel, render, type ButtonSpec, type FileSpec, type MessageSpec, type Target } from "../message.ts";
import type { CoreServices } from "../unit.ts";

/** What an outbox row carries: a message to send, or a new version of the messages tagged `tag` in that chat. */
export type QueuedPayload =
  | SendPayload
  /** `forget`: after the edit, stop tracking those copies (they no longer belong to a staff member). */
  | { kind: "edit-tag"; tag: string; message: OutboundMessage; forget?: boolean };

/**
 * A message to send. `files` (MessageSpec.files) and `anchor` (the tag of the message it replies
 * to) are resolved when it is delivered (dispatcher.ts): the file's path and this channel's id for
 * it, the anchor's message and thread ids, as they are then.
 */
export interface SendPayload {
  kind: "send";
  message: OutboundMessage;
  files?: FileSpec[];
  anchor?: string;
  /**
   * The last message to a chat whose person erased their data (the erasure's confirmation): once it
   * is delivered (or given up), the dispatcher forgets the chat in its row and its pace keys
   * (a WhatsApp chat id is a phone number).
   */
  forgetChat?: true;
}

/** A chat, without a language. */
export interface ChatRef {
  channel: string;
  chatId: string;
}

export class Outbox {
  /** Messages this unit queued, handed to the dispatcher once it commits. */
  readonly queued: QueuedMessage[] = [];
  /** Chats whose menu this unit knows to be absent (no write needed to clear it). */
  readonly #noMenu = new Set<string>();

  /**
   * `conversation`: the chat a chat turn answers in. Its own questions replace the chat's typed
   * menu; messages to other chats (notices) only add to theirs. A unit outside a chat has none.
   */
  constructor(
    private readonly tx: Tx,
    private readonly services: CoreServices,
    private readonly now: Date,
    private readonly conversation?: ChatRef,
  ) {}

  /**
   * Queues a message to `to`, in `to.locale`; it is delivered after the unit commits. `tag` names it
   * for later edits. `lane`: by default "conversation" for the unit's own chat and "notice" for any
   * other; "bulk" for announcements (sent after both, within the budget left). `notBefore`: not
   * sent before then (it holds back the later messages of its chat and lane, never the conversation).
   * `anchor`: the tag of a message sent earlier to the same chat; when this one is delivered it
   * replies to that message and goes into its thread (the dispatcher reads both from SentMessage):
   * a problem's thread in the staff chat. If the anchor is not delivered yet when this one is, this
   * one goes without (an anchor queued earlier to the same chat and lane is delivered first).
   * `spec.files` go with the message (their bytes and this channel's ids are read when it is
   * delivered); a message with files, a thread or an anchor is never merged with another.
   */
  async send(to: Target, spec: MessageSpec, opts: { tag?: string; lane?: Lane; notBefore?: Date; anchor?: string } = {}): Promise<void> {
    const message = this.build(to.locale, spec);
    // An anchor decides the thread itself (its post's, read when delivered); otherwise the target's.
    if (to.threadId && !opts.anchor) message.threadId = to.threadId;
    if (this.capabilities(to.channel).buttons) await this.rememberChoices(to, spec);
    else await this.numberChoices(to, spec, message, opts.tag);
    const lane = opts.lane ?? (this.isConversation(to) ? "conversation" : "notice");
    const files = spec.files?.filter((f) => Number.isSafeInteger(f.fileId) && f.fileId > 0).map((f) => ({ fileId: f.fileId, ...(f.name ? { name: f.name } : {}) }));
    const payload: SendPayload = { kind: "send", message, ...(files?.length ? { files } : {}), ...(opts.anchor ? { anchor: opts.anchor } : {}) };
    await this.queue(to, payload, opts.tag ?? null, lane, opts.notBefore ?? null);
  }

  /**
   * Queues one message to each of `to` (a broadcast: distinct chats), all in `opts.lane` with
   * `opts.broadcastId`, written by multi-row INSERTs (bookkeeping.ts enqueueMany). The message is
   * `specFor(locale)`, rendered once per language; it is never merged with other messages. What
   * {@link send} does per chat beyond the row is done where it matters: on channels without real
   * buttons (the console) each chat's numbered choices are remembered (numberChoices, per chat), and
   * the unit's own chat keeps its typed menu as with send. Returns the rows (also handed to the
   * dispatcher once the unit commits).
   */
  async sendMany(to: Target[], specFor: (locale: Locale) => MessageSpec, opts: { lane: Lane; broadcastId: number | null; tag?: string }): Promise<QueuedMessage[]> {
    const specs = new Map<Locale, MessageSpec>();
    const payloads = new Map<Locale, string>();
    const rows: BulkRow[] = [];
    for (const target of to) {
      let spec = specs.get(target.locale);
      if (!spec) specs.set(target.locale, (spec = specFor(target.locale)));
      const files = spec.files?.filter((f) => Number.isSafeInteger(f.fileId) && f.fileId > 0).map((f) => ({ fileId: f.fileId, ...(f.name ? { name: f.name } : {}) }));
      const payloadOf = (message: OutboundMessage): string => JSON.stringify({ kind: "send", message, ...(files?.length ? { files } : {}) } satisfies SendPayload);
      let payload: string;
      // A broadcast is nobody's turn, not even in its author's chat: it never replaces the chat's
      // own menu (its buttons are pressed, or on the console typed by their numbers, kept apart).
      if (this.capabilities(target.channel).buttons) {
        payload = payloads.get(target.locale) ?? payloadOf(this.build(target.locale, spec));
        payloads.set(target.locale, payload);
      } else {
        // Numbers are per chat (unique among the chat's live options): built for each.
        const message = this.build(target.locale, spec);
        await this.numberChoices(target, spec, message, opts.tag, false);
        payload = payloadOf(message);
      }
      rows.push({ channel: target.channel, chatId: target.chatId, payload, tag: opts.tag ?? null, locale: target.locale });
    }
    const queued = await enqueueMany(this.tx, rows, { lane: opts.lane, broadcastId: opts.broadcastId }, this.now);
    this.queued.push(...queued);
    return queued;
  }

  /**
   * Re-renders every copy of the message tagged `tag` (a staff notice once it is decided), in the
   * language each was written in. The edit is queued behind the copy in its chat, so it applies
   * even to a copy that is still on its way; the dispatcher finds the message id when its turn comes.
   * A message sent with files keeps them: an edit changes its text (the caption) and buttons only
   * (`files`, `openThread` and an anchor of the new spec are not applied), and only the message
   * that carries the text (Delivered.messageId), not an album's other messages.
   */
  async editTagged(
    tag: string,
    build: (locale: Locale) => MessageSpec,
    opts: { allow?: (target: Target) => Promise<boolean>; forget?: boolean; only?: ChatRef } = {},
  ): Promise<void> {
    for (const target of await this.chatsWith(tag, opts.only)) {
      if (opts.allow && !(await opts.allow(target))) continue;
      const spec = build(target.locale);
      const message = this.build(target.locale, spec);
      if (!this.capabilities(target.channel).buttons) await this.numberChoices(target, spec, message, tag);
      await this.rewriteWaiting(target, tag, message);
      // A thread is opened by the first send only; an edit changes the message where it is.
      const { openThread: _thread, ...edited } = message;
      const payload: QueuedPayload = { kind: "edit-tag", tag, message: edited, ...(opts.forget ? { forget: true } : {}) };
      // The notice lane waits for the chat's earlier conversation and notice rows (dispatcher.ts),
      // so the edit never overtakes its copy, whichever of the two lanes the copy took.
      await this.queue(target, payload, null, "notice", null);
    }
  }

  /**
   * Re-renders the text of broadcast `broadcastId`'s rows still waiting (queued, or held by a
   * pause) with `specFor`, in the language each was written in: an event changed while its
   * invitations are being sent, so the rest go out with the new details. Only the text changes (the
   * buttons, numbered per chat on channels without buttons, and the files stay). Rows being sent or
   * finished are left alone. Returns how many were rewritten.
   */
  async rewriteBroadcast(broadcastId: number, specFor: (locale: Locale) => MessageSpec): Promise<number> {
    const rows = await this.tx.outbox.findMany({ where: { broadcastId, status: { in: ["queued", "held"] } }, select: { id: true, payload: true, locale: true } });
    const texts = new Map<Locale, string>();
    let n = 0;
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as QueuedPayload;
      if (payload.kind !== "send") continue;
      const locale = asLocale(row.locale, this.services.settings.defaultLocale);
      let text = texts.get(locale);
      if (text === undefined) texts.set(locale, (text = this.build(locale, specFor(locale)).text));
      const next = JSON.stringify({ ...payload, message: { ...payload.message, text } });
      await updatePayload(this.tx, row.id, next);
      const mine = this.queued.find((q) => q.id === row.id);
      if (mine) mine.payload = next;
      n++;
    }
    return n;
  }

  /**
   * The rows of `tag` in a chat that still wait (queued, not claimed: a send or an earlier edit)
   * take the new content now, so that what the edit removes (an erased person's data, a staff
   * member's lost access) neither stays in the table nor reaches the chat first. Rows being sent
   * are the edit's to correct. Tagged rows are never merged with others (coalesce.ts), so the
   * whole message is replaced.
   */
  private async rewriteWaiting(chat: ChatRef, tag: string, message: OutboundMessage): Promise<void> {
    const rows = await this.tx.outbox.findMany({
      // A paused broadcast's rows (held) wait too, and take the new content as well.
      where: { channel: chat.channel, chatId: chat.chatId, status: { in: ["queued", "held"] } },
      select: { id: true, tag: true, payload: true },
    });
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as QueuedPayload;
      if (payload.kind === "send" ? row.tag !== tag : payload.tag !== tag) continue;
      // A send still waiting keeps the thread it will open (and its files and anchor: the payload's).
      const thread = payload.kind === "send" && payload.message.openThread && !message.openThread ? { openThread: payload.message.openThread } : {};
      const next = JSON.stringify({ ...payload, message: { ...message, ...thread } });
      await updatePayload(this.tx, row.id, next);
      const mine = this.queued.find((q) => q.id === row.id);
      if (mine) mine.payload = next;
    }
  }

  /**
   * Forgets an erased person's chat in the outbox: the messages still waiting (their texts may
   * carry the person's data, and must neither stay in the table nor reach them after the erasure)
   * and the finished rows kept for reports (they name the chat, an identifier the erasure removes
   * elsewhere). A message being sent finishes, and its text is cleared then (dispatcher.ts). This
   * unit's own messages stay (the confirmation of the erasure), marked `forgetChat`: once they are
   * delivered the dispatcher forgets the chat in their rows and in its pace keys.
   */
  async forgetChat(chat: ChatRef): Promise<void> {
    const mine = this.queued.map((q) => q.id);
    // This unit's own messages to the chat go, then the chat is forgotten with them (dispatcher.ts).
    for (const q of this.queued) {
      if (q.channel !== chat.channel || q.chatId !== chat.chatId) continue;
      const payload = JSON.parse(q.payload) as QueuedPayload;
      if (payload.kind !== "send") continue;
      q.payload = JSON.stringify({ ...payload, forgetChat: true } satisfies SendPayload);
      await updatePayload(this.tx, q.id, q.payload);
    }
    await this.tx.outbox.deleteMany({
      where: { channel: chat.channel, chatId: chat.chatId, status: { in: ["queued", "held", "sent", "failed", "unreachable", "cancelled"] }, id: { notIn: mine } },
    });
  }

  /**
   * Forgets the record of the tagged messages sent to an erased person's chat (SentMessage: kept to
   * edit them later), but those tagged `keep(tag)` (a staff notice whose copy is edited once more,
   * then forgotten by the dispatcher). The record names the chat and the platform's message ids (on
   * WhatsApp "true_<phone>@c.us_...").
   */
  async forgetSent(chat: ChatRef, keep: (tag: string) => boolean): Promise<void> {
    const kept = (await this.tagsLike("", chat)).filter(keep);
    await this.tx.sentMessage.deleteMany({
      where: { channel: chat.channel, chatId: chat.chatId, tag: { notIn: [...kept, ...kept.map((t) => t + PART_SUFFIX)] } },
    });
  }

  /** The chats that hold (or will hold) a message tagged `tag`, in the language it was written in. */
  async chatsWith(tag: string, only?: ChatRef): Promise<Target[]> {
    const chats = new Map<string, Target>();
    const fallback = this.services.settings.defaultLocale;
    const where = { tag, ...(only ? { channel: only.channel, chatId: only.chatId } : {}) };
    const select = { channel: true, chatId: true, locale: true } as const;
    // Outbox rows still on their way (finished ones are kept as history: a sent one is in SentMessage).
    const waiting = { ...where, status: { in: ["queued", "sending", "held"] } };
    for (const row of [...(await this.tx.sentMessage.findMany({ where, select })), ...(await this.tx.outbox.findMany({ where: waiting, select }))]) {
      chats.set(`${row.channel}:${row.chatId}`, { channel: row.channel as ChannelName, chatId: row.chatId, locale: asLocale(row.locale, fallback) });
    }
    return [...chats.values()];
  }

  /** The distinct tags beginning with `prefix` (every submission's notices of one request). */
  async tagsLike(prefix: string, only?: ChatRef): Promise<string[]> {
    const where = { tag: { startsWith: prefix }, ...(only ? { channel: only.channel, chatId: only.chatId } : {}) };
    const rows = [
      ...(await this.tx.sentMessage.findMany({ where, select: { tag: true }, distinct: ["tag"] })),
      ...(await this.tx.outbox.findMany({ where: { ...where, status: { in: ["queued", "sending", "held"] } }, select: { tag: true }, distinct: ["tag"] })),
    ];
    // The other messages of a delivery (PART_SUFFIX) belong to their message's tag.
    const tags = rows.map((r) => (r.tag?.endsWith(PART_SUFFIX) ? r.tag.slice(0, -PART_SUFFIX.length) : r.tag));
    return [...new Set(tags.filter((t): t is string => !!t))];
  }

  /**
   * Records that a message already in a chat (one the platform names, e.g. a pressed copy the bot
   * had no record of) carries `tag`, so that later edits of that tag reach it.
   */
  async adopt(chat: ChatRef, messageId: string, tag: string, locale: string): Promise<void> {
    await this.tx.sentMessage.create({ data: { channel: chat.channel, chatId: chat.chatId, tag, messageId, locale } });
  }

  /** Whether the bot recorded message `messageId` in `chat`. */
  async known(chat: ChatRef, messageId: string): Promise<boolean> {
    return !!(await this.tx.sentMessage.findFirst({ where: { channel: chat.channel, chatId: chat.chatId, messageId }, select: { id: true } }));
  }

  /** Whether a message tagged `tag` to `chat` is being sent now (claimed; its copy is recorded when the platform's answer is). */
  async sending(chat: ChatRef, tag: string): Promise<boolean> {
    return !!(await this.tx.outbox.findFirst({ where: { channel: chat.channel, chatId: chat.chatId, tag, status: "sending" }, select: { id: true } }));
  }

  /** The language a copy tagged `tag` in `chat` was written in, if there is one. */
  async localeOf(chat: ChatRef, tag: string): Promise<string | null> {
    return (await this.tx.sentMessage.findFirst({ where: { channel: chat.channel, chatId: chat.chatId, tag }, select: { locale: true } }))?.locale ?? null;
  }

  /** Records that a chat has no menu (read at the start of the turn), so clearing it costs nothing. */
  knowNoMenu(channel: string, chatId: string): void {
    this.#noMenu.add(`${channel}:${chatId}`);
  }

  private capabilities(channel: string) {
    return this.services.capabilities(channel);
  }

  private build(locale: Locale, spec: MessageSpec): OutboundMessage {
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
    // A thread's title is plain text, one line (Telegram: a forum topic's name, 1-128 characters).
    // Rich text like every text of a message (the adapter shows its visible text): what a person
    // typed in it (a problem's title with "<b>" or "&") stays as typed, not read as markup again.
    if (spec.openThread) message.openThread = escapeHtml(oneLine(toPlain(render(i18n, locale, spec.openThread)), THREAD_TITLE_LIMIT));
    return message;
  }

  private async queue(to: Target, payload: QueuedPayload, tag: string | null, lane: Lane, notBefore: Date | null): Promise<void> {
    // One step, one message: merged into this unit's previous message to the chat when the content
    // allows (and it waits in the same lane, for the same time).
    const mergeable = this.queued.filter((r) => r.lane === lane && (r.notBefore?.getTime() ?? null) === (notBefore?.getTime() ?? null));
    const merge = payload.kind === "send" && this.capabilities(to.channel).mergeMessages ? coalesceInto(mergeable, to, payload.message, tag, payload) : null;
    if (merge) {
      await updatePayload(this.tx, merge.row.id, merge.payload);
      merge.row.payload = merge.payload;
      return;
    }
    const row = await enqueue(
      this.tx,
      { channel: to.channel, chatId: to.chatId, payload: JSON.stringify(payload), tag, locale: to.locale, lane, notBefore },
      this.now,
    );
    this.queued.push(row);
  }

  private isConversation(to: ChatRef): boolean {
    return !!this.conversation && to.channel === this.conversation.channel && to.chatId === this.conversation.chatId;
  }

  /**
   * On a channel with real buttons, the newest message with buttons in the chat's own conversation
   * decides what a typed number or button label means there ("2", "Да"); a question without buttons
   * clears that (its answer is text). Messages from someone else's turn do not count: their buttons
   * are pressed, not typed.
   */
  private async rememberChoices(to: Target, spec: MessageSpec): Promise<void> {
    const key = `${to.channel}:${to.chatId}`;
    if (!this.isConversation(to)) return;
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
  private async numberChoices(to: Target, spec: MessageSpec, message: OutboundMessage, tag: string | undefined, own = this.isConversation(to)): Promise<void> {
    const key = `${to.channel}:${to.chatId}`;
    const ownChat = own;
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
    // A question whose answer is a typed number (MessageSpec.numeric): its options take no number
    // (key "": shown as "• label", chosen by their text), and the menu says that digits are answers.
    const numeric = !!spec.numeric && buttons.length > 0;
    const added = buttons.map((b, i) => ({ ...this.entry(b), ...(numeric ? {} : { n: first + i }), ...(tag !== undefined ? { tag } : {}) }));
    const byData = new Map(added.map((c) => [c.data, c.n]));
    for (const row of message.choices ?? []) for (const b of row) b.key = numeric ? "" : String(byData.get(b.data));
    const choices = [...kept, ...added];
    if (!choices.length) {
      if (before.length) await deleteMenu(this.tx, to.channel, to.chatId);
      this.#noMenu.add(key);
      return;
    }
    await saveMenu(this.tx, to.channel, to.chatId, { foreign: false, choices, ...(numeric ? { numeric: true } : {}) }, this.now);
    this.#noMenu.delete(key);
  }

  /** A button as a menu entry: its label in every language and its other words, folded. */
  private entry(b: ButtonSpec): MenuChoice {
    const { i18n } = this.services;
    // A label that is a message key (most are: the 17 regions, the sectors) folds the same every
    // time, and every question showing the menu remembers it: folded once per I18n (fixed texts).
    const cache = typeof b.label === "string" ? foldedLabels(i18n) : undefined;
    const cacheKey = cache ? `${b.label as string}\u0000${b.words ?? ""}` : "";
    const hit = cache?.get(cacheKey);
    if (hit) return { data: b.data, match: [...hit] };
    const words = b.words ? LOCALES.flatMap((l) => i18n.t(l, b.words!).split(",")) : [];
    const match = [...new Set([...LOCALES.map((l) => toPlain(render(i18n, l, b.label))), ...words].map(foldLabel).filter(Boolean))];
    cache?.set(cacheKey, match);
    return { data: b.data, match: [...match] };
  }
}

const folded = new WeakMap<I18n, Map<string, string[]>>();
/** The folded typed forms of buttons whose label is a message key, per I18n (bounded by the locales' keys). */
function foldedLabels(i18n: I18n): Map<string, string[]> {
  let map = folded.get(i18n);
  if (!map) folded.set(i18n, (map = new Map()));
  return map;
}

/** The longest thread title (Telegram: a forum topic's name is 1-128 characters). */
export const THREAD_TITLE_LIMIT = 128;

/** `text` on one line, cut to `limit` characters (whole code points) with "…". */
function oneLine(text: string, limit: number): string {
  const line = text.replace(/\s+/g, " ").trim() || "…";
  const chars = [...line];
  return chars.length <= limit ? line : `${chars.slice(0, limit - 1).join("")}…`;
}
