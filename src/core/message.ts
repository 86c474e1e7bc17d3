/**
 * What the core says, before a channel renders it: message specs with localizable labels, and
 * where a message goes. Channel-free; the outbox (outbox/outbox.ts) turns a spec into a row.
 */
import type { I18n, MessageArgs } from "../i18n/i18n.ts";
import { LOCALES, type Locale } from "../i18n/locales.ts";
import type { ChannelName } from "./channel.ts";

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
  /** The question takes a typed number as its answer (AskSpec.numeric): its options get no number on text channels. */
  numeric?: boolean;
  requestPhone?: Label;
  removeKeyboard?: boolean;
  replyFrom?: { userId: string; name: string };
  /** Kept files to send with the text (core/files; OutboundMessage.files): a StoredFile id and the name to show. */
  files?: FileSpec[];
  /** Open a thread with this title first where the chat has threads (a forum topic): OutboundMessage.openThread. */
  openThread?: Label;
}

/** A kept file in a message: the StoredFile row, and the name to show (documents). */
export interface FileSpec {
  fileId: number;
  name?: string | null;
}

/** Where a message goes, and in which language it is written. */
export interface Target {
  channel: ChannelName;
  chatId: string;
  locale: Locale;
  /**
   * The thread of the chat a message goes into (a forum topic): a turn answering a message
   * written in a topic answers in that topic (Turn.here), not in the chat's general one.
   */
  threadId?: string;
}

/** A label or a whole spec, as a spec. */
export function asSpec(spec: MessageSpec | Label): MessageSpec {
  return typeof spec === "object" && spec !== null && "text" in spec ? spec : { text: spec };
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

export function asLocale(value: string | null | undefined, fallback: Locale): Locale {
  return (LOCALES as readonly string[]).includes(value ?? "") ? (value as Locale) : fallback;
}

/** Kazakh letters as people type them on a Russian keyboard (ә → а, қ → к, ...), and ё as е. */
const LOOSE: Record<string, string> = { ә: "а", ғ: "г", қ: "к", ң: "н", ө: "о", ұ: "у", ү: "у", һ: "х", і: "и", ё: "е" };

/**
 * A folded label (foldLabel) with the letters people leave out folded too: "казакша" is
 * "қазақша", "комек" is "көмек", "все" is "всё" (WhatsApp users type on whatever keyboard they
 * have). Applied when comparing, so menus stored with foldLabel's output keep matching.
 */
export function looseLabel(folded: string): string {
  return folded.replace(/[әғқңөұүһіё]/g, (c) => LOOSE[c] ?? c);
}
