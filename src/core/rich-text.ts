/**
 * The core's message format: plain text with a tiny markup subset (<b>, <i>, <u>, <code>) and the
 * HTML entities &lt; &gt; &amp; &quot;. It is Telegram's HTML parse mode restricted to what every
 * channel can show, so the Telegram adapter sends it as is, and WhatsApp and the console turn it
 * into their own formatting. Person-supplied text enters only through `escapeHtml`.
 */

export type Style = "b" | "i" | "u" | "code";
export interface Span {
  text: string;
  styles: Style[];
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const UNESCAPES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };

/** Rich text that is already safe, to be placed as a message argument without escaping again. */
export class Rich {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}
export const rich = (html: string): Rich => new Rich(html);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

const TOKEN = /<(\/?)(b|i|u|code)>|&(amp|lt|gt|quot);|([^<&]+)|([<&])/g;

/** Parses rich text into styled spans. Unknown markup is kept as literal text. */
export function parseRich(rich: string): Span[] {
  const spans: Span[] = [];
  const open: Style[] = [];
  const push = (text: string) => {
    const last = spans[spans.length - 1];
    if (last && sameStyles(last.styles, open)) last.text += text;
    else spans.push({ text, styles: [...open] });
  };
  for (const m of rich.matchAll(TOKEN)) {
    const [, closing, tag, entity, text, stray] = m;
    if (tag) {
      const style = tag as Style;
      if (closing) {
        const at = open.lastIndexOf(style);
        if (at >= 0) open.splice(at, 1);
      } else open.push(style);
    } else if (entity) push(UNESCAPES[entity] ?? "");
    else if (text) push(text);
    else if (stray) push(stray);
  }
  return spans.filter((s) => s.text.length > 0);
}

function sameStyles(a: Style[], b: Style[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Renders spans back to rich text, with every tag balanced. */
export function renderRich(spans: Span[]): string {
  return spans
    .map((s) => s.styles.reduceRight((inner, st) => `<${st}>${inner}</${st}>`, escapeHtml(s.text)))
    .join("");
}

/** The visible text, without markup. */
export function toPlain(rich: string): string {
  return parseRich(rich)
    .map((s) => s.text)
    .join("");
}

/** Length as Telegram counts it: UTF-16 code units of the visible text. */
export function visibleLength(rich: string): number {
  return toPlain(rich).length;
}

/**
 * Splits rich text into pieces of at most `max` visible UTF-16 units, preferring paragraph, then
 * line, then word boundaries, never cutting a surrogate pair, and re-balancing markup per piece.
 */
export function splitRich(rich: string, max: number): string[] {
  if (visibleLength(rich) <= max) return [rich];
  const spans = parseRich(rich);
  const plain = spans.map((s) => s.text).join("");
  const cuts: number[] = [];
  let start = 0;
  while (plain.length - start > max) {
    const window = plain.slice(start, start + max);
    let cut = lastBreak(window, "\n\n") ?? lastBreak(window, "\n") ?? lastBreak(window, " ");
    if (cut === undefined || cut < max / 4) cut = max;
    let end = start + cut;
    const code = plain.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end -= 1; // keep a surrogate pair together
    if (end <= start) end = Math.min(plain.length, start + 2); // a limit below one character
    cuts.push(end);
    start = end;
  }
  const pieces: string[] = [];
  let from = 0;
  for (const to of [...cuts, plain.length]) {
    const piece = sliceSpans(spans, from, to);
    const rendered = renderRich(trimSpans(piece));
    if (rendered) pieces.push(rendered);
    from = to;
  }
  return pieces;
}

function lastBreak(window: string, sep: string): number | undefined {
  const at = window.lastIndexOf(sep);
  return at > 0 ? at + sep.length : undefined;
}

function sliceSpans(spans: Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  let pos = 0;
  for (const s of spans) {
    const end = pos + s.text.length;
    if (end > from && pos < to) {
      out.push({ text: s.text.slice(Math.max(0, from - pos), Math.min(s.text.length, to - pos)), styles: s.styles });
    }
    pos = end;
  }
  return out;
}

function trimSpans(spans: Span[]): Span[] {
  const out = spans.map((s) => ({ ...s }));
  while (out.length && out[0] && !out[0].text.trimStart()) out.shift();
  while (out.length && out[out.length - 1] && !out[out.length - 1]!.text.trimEnd()) out.pop();
  if (out[0]) out[0].text = out[0].text.trimStart();
  const last = out[out.length - 1];
  if (last) last.text = last.text.trimEnd();
  return out;
}
