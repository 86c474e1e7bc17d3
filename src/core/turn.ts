/**
 * A turn: the handling of one inbound event, inside one database transaction. Everything a turn
 * decides (state, data, and the messages it sends) commits together or not at all; messages go to
 * the outbox and are delivered after the commit (outbox/dispatcher.ts).
 */
import type { Tx } from "../db/database.ts";
import type { I18n, MessageArgs } from "../i18n/i18n.ts";
import { LOCALES, type Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import type { ChannelName, Inbound, OutboundMessage } from "./channel.ts";
import { toPlain } from "./rich-text.ts";

export type Translate = (key: string, args?: MessageArgs) => string;

/** Text to show: a message key, a key with arguments, or a function of the translator (for composed texts). */
export type Label = string | { key: string; args?: MessageArgs } | ((t: Translate) => string);

export interface ButtonSpec {
  data: string;
  label: Label;
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
  /** The staff group, when configured; otherwise staff are notified privately. */
  staffChat?: { channel: ChannelName; chatId: string };
  /** Telegram user ids that are admins by configuration. */
  adminTelegramIds: string[];
}

export interface CoreServices {
  i18n: I18n;
  log: Logger;
  clock: () => Date;
  settings: CoreSettings;
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

  /** Where replies to this turn go. */
  get here(): Target {
    return { channel: this.inbound.channel, chatId: this.inbound.chatId, locale: this.locale };
  }

  reply(spec: MessageSpec | Label): Promise<void> {
    return this.send(this.here, isSpec(spec) ? spec : { text: spec });
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
    await this.tx.outbox.create({
      data: {
        channel: to.channel,
        chatId: to.chatId,
        payload: JSON.stringify({ kind: "send", message }),
        tag: opts.tag ?? null,
        locale: to.locale,
      },
    });
    await this.rememberChoices(to, spec);
  }

  /**
   * Re-renders every message sent (or still queued) with `tag`, e.g. a staff notice once it is
   * decided, in the language each copy was written in.
   */
  async editTagged(tag: string, build: (locale: Locale) => MessageSpec): Promise<void> {
    const queued = await this.tx.outbox.findMany({ where: { tag } });
    for (const row of queued) {
      const locale = asLocale(row.locale, this.services.settings.defaultLocale);
      const parsed = JSON.parse(row.payload) as { kind: string };
      if (parsed.kind !== "send") continue;
      const message = this.build(locale, build(locale));
      await this.tx.outbox.update({ where: { id: row.id }, data: { payload: JSON.stringify({ kind: "send", message }) } });
    }
    const sent = await this.tx.sentMessage.findMany({ where: { tag } });
    for (const row of sent) {
      const locale = asLocale(row.locale, this.services.settings.defaultLocale);
      const message = this.build(locale, build(locale));
      await this.tx.outbox.create({
        data: {
          channel: row.channel,
          chatId: row.chatId,
          payload: JSON.stringify({ kind: "edit", messageId: row.messageId, message }),
          locale,
        },
      });
    }
  }

  /** The newest message in a chat decides what a typed number or button label means there. */
  private async rememberChoices(to: Target, spec: MessageSpec): Promise<void> {
    const key = { channel_chatId: { channel: to.channel, chatId: to.chatId } };
    if (!spec.choices?.length) {
      await this.tx.chatMenu.deleteMany({ where: { channel: to.channel, chatId: to.chatId } });
      return;
    }
    const { i18n } = this.services;
    const choices = spec.choices.flat().map((b) => ({
      data: b.data,
      match: [...new Set(LOCALES.map((l) => foldLabel(toPlain(render(i18n, l, b.label)))))].filter(Boolean),
    }));
    const json = JSON.stringify(choices);
    await this.tx.chatMenu.upsert({
      where: key,
      create: { channel: to.channel, chatId: to.chatId, choices: json },
      update: { choices: json },
    });
  }
}

function isSpec(x: MessageSpec | Label): x is MessageSpec {
  return typeof x === "object" && x !== null && "text" in x;
}

export function asLocale(value: string | null | undefined, fallback: Locale): Locale {
  return (LOCALES as readonly string[]).includes(value ?? "") ? (value as Locale) : fallback;
}
