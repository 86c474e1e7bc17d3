/**
 * A chat turn: the handling of one inbound event. It wraps a unit of work (unit.ts: the
 * transaction, clock, actor, outbox and renderer) and adds what belongs to a chat: the inbound
 * event, the language the turn answers in, and what the adapter shows for the event itself (a
 * toast `notice`, whether a press was `consumed`). Everything a turn decides commits together or
 * not at all; its messages are delivered after the commit (outbox/dispatcher.ts).
 */
import type { MessageArgs } from "../i18n/i18n.ts";
import type { Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import type { Inbound, ResolvedCapabilities } from "./channel.ts";
import type { Target } from "./message.ts";
import type { Actor, Unit } from "./unit.ts";

// Kept for modules that imported these from here before they moved (tests, other branches).
export { foldLabel } from "./message.ts";
export type { CoreSettings } from "./unit.ts";

export class Turn {
  /** A short notice for the adapter (e.g. a Telegram toast). */
  notice?: string;
  /** The press was accepted as an answer. */
  consumed = false;

  constructor(
    readonly unit: Unit,
    readonly inbound: Inbound,
    /** The language this turn answers in; changes when the person picks another. */
    public locale: Locale,
  ) {}

  /** The person who acted, when known (always in a private chat). */
  get actor(): Actor | null {
    return this.unit.actor;
  }

  get log(): Logger {
    return this.unit.log;
  }

  t(key: string, args?: MessageArgs, locale: Locale = this.locale): string {
    return this.unit.t(locale, key, args);
  }

  /** What `channel` can show (buttons, a share-contact button). */
  capabilities(channel: string = this.inbound.channel): ResolvedCapabilities {
    return this.unit.capabilities(channel);
  }

  /** Where replies to this turn go: the chat, and the thread (forum topic) the inbound came from. */
  get here(): Target {
    const { channel, chatId, threadId } = this.inbound;
    return { channel, chatId, locale: this.locale, ...(threadId ? { threadId } : {}) };
  }

  /**
   * A short answer to what the person did: a toast (the turn's `notice`) for a button press, where
   * the platform shows one; a message for anything typed.
   */
  async answer(key: string): Promise<void> {
    this.notice = this.t(key);
    if (this.inbound.event.type !== "choice") await this.unit.outbox.send(this.here, { text: key });
  }
}
