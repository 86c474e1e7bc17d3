/**
 * core → WhatsApp text: the core's rich text (core/rich-text.ts: <b>, <i>, <u>, <code>) in
 * WhatsApp's own markup, with every character that could be read as markup in the text itself
 * (names, enterprise names, problem texts people typed) made inert; numbered options as lines;
 * long texts in parts. Translation only: no decisions are made here.
 *
 * WhatsApp's markup (faq.whatsapp.com "How to format your messages"): *bold*, _italic_,
 * ~strikethrough~, ```monospace```, `inline code`, "> " quotes, "- " and "1. " lists. A marker
 * counts only where it touches a word on its inner side and a space, punctuation or the line's end
 * on its outer side. So a marker character in a person's text is wrapped in U+2060 WORD JOINER
 * on both sides: invisible, not a space or punctuation, it leaves the character unable to open or
 * close anything, and the visible text unchanged.
 */
import type { ChoiceButton, OutboundMessage } from "../../core/channel.ts";
import { escapeHtml, parseRich, splitRich, type Span } from "../../core/rich-text.ts";

/**
 * The longest text part the adapter sends (visible characters). WhatsApp clients accept up to
 * 65,536 characters in a message, but fold anything past about 700 behind "Read more", and
 * whatsapp-web.js documents no limit of its own; 4,096 (Telegram's, so both channels split the
 * same texts alike) keeps parts readable and leaves ample room for the markers and word joiners
 * rendering adds.
 */
export const WHATSAPP_TEXT_LIMIT = 4096;

/**
 * The longest caption put on a sent file (visible characters): the WhatsApp Business Platform's
 * media caption limit (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages: 1,024),
 * the nearest documented figure; a longer text goes as a message of its own before the files.
 */
export const WHATSAPP_CAPTION_LIMIT = 1024;

/** U+2060 WORD JOINER: zero width, no line break, neither space nor punctuation. */
export const WORD_JOINER = "\u2060";

/** Characters that WhatsApp can read as markup: bold, italic, strikethrough, monospace/code. */
const MARKUP = /[*_~`]/g;

/**
 * Makes text shown as is: each markup character gets a word joiner on both sides, and a ">"
 * starting a line (a quote) one before it. The visible text is unchanged.
 */
export function neutralize(text: string): string {
  return text.replace(MARKUP, (c) => `${WORD_JOINER}${c}${WORD_JOINER}`).replace(/^>/gm, `${WORD_JOINER}>`);
}

const MARKERS: Record<Span["styles"][number], string> = { b: "*", i: "_", u: "", code: "```" };

/** One styled line: markers around its words, its leading and trailing spaces outside them (WhatsApp ignores "* x *"). */
function styleLine(line: string, styles: Span["styles"]): string {
  const inert = neutralize(line);
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inert)!;
  const [, lead, core, trail] = m as unknown as [string, string, string, string];
  if (!core) return inert;
  // Innermost style first: <b><i>x</i></b> → *_x_*.
  const wrapped = [...styles].reverse().reduce((inner, s) => (MARKERS[s] ? `${MARKERS[s]}${inner}${MARKERS[s]}` : inner), core);
  return `${lead}${wrapped}${trail}`;
}

/**
 * Rich text → WhatsApp markup. Each styled span is marked line by line (WhatsApp's markers do not
 * reach across a line break); underline has no WhatsApp form and stays plain; everything the
 * text itself contains is neutralized.
 */
export function toWhatsApp(rich: string): string {
  return parseRich(rich)
    .map((span) => (span.styles.some((s) => MARKERS[s]) ? span.text.split("\n").map((line) => styleLine(line, span.styles)).join("\n") : neutralize(span.text)))
    .join("");
}

/**
 * The options as lines "key. label" (ChoiceButton.key, numbered by the core; a list without keys
 * counts from 1); "• label" for an empty key (a question whose answer is a typed number: chosen by its text).
 */
export function choiceLines(choices: ChoiceButton[][] | undefined): string {
  const flat = choices?.flat() ?? [];
  return flat.map((b, i) => (b.key === "" ? `• ${escapeHtml(b.label)}` : `${escapeHtml(b.key ?? String(i + 1))}. ${escapeHtml(b.label)}`)).join("\n");
}

/**
 * The message's text with its options after it (rich text), before splitting: what the person
 * reads in one go. Options come last, so that a split keeps them together with the end of the text.
 */
export function fullText(message: OutboundMessage): string {
  const lines = choiceLines(message.choices);
  return lines ? (message.text ? `${message.text}\n\n${lines}` : lines) : message.text;
}

/**
 * The parts to send for a message's text and options, in WhatsApp markup, each within `limit`
 * visible characters (split on the rich text, so that markup is balanced in every part).
 */
export function renderParts(message: OutboundMessage, limit = WHATSAPP_TEXT_LIMIT): string[] {
  const text = fullText(message);
  if (!text.trim()) return [];
  return splitRich(text, limit).map(toWhatsApp);
}
