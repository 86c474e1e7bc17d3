/**
 * A parser for Telegram's HTML parse mode, modelled on TDLib's `parse_html`
 * (which is what the Bot API runs for `parse_mode: "HTML"`), so that tests see
 * the same plain text, the same entities (offsets in UTF-16 code units) and the
 * same error descriptions as a real bot would.
 *
 * Differences from Telegram, all deliberate:
 * - `strict` (default `true`): a `&` that does not start a complete entity
 *   (`&lt;` `&gt;` `&amp;` `&quot;` `&#NN;` `&#xHH;`, semicolon required) is an
 *   error. Telegram shows such an ampersand literally (and decodes `&lt` without
 *   `;`), which hides missing escaping until a user's name contains `<`.
 * - `tg://user?id=` links become `text_link` entities, not `text_mention`
 *   (Telegram would need the user's profile for that).
 * - `<tg-time>` is not supported.
 */
import type { MessageEntity } from "grammy/types";

/** Thrown for markup Telegram would reject; `description` is TDLib's text. */
export class TelegramHtmlError extends Error {
  /** E.g. `Can't parse entities: Unsupported start tag "x" at byte offset 0`. */
  readonly description: string;

  constructor(reason: string) {
    const description = `Can't parse entities: ${reason}`;
    super(description);
    this.name = "TelegramHtmlError";
    this.description = description;
  }
}

/** Options of {@link parseTelegramHtml}. */
export interface ParseTelegramHtmlOptions {
  /** Reject a bare `&` (see the module comment). Default `true`. */
  strict?: boolean;
  /**
   * Apply what Telegram does after parsing (trim surrounding whitespace, drop
   * entities that may not nest). Default `true`; `false` gives TDLib's raw
   * `parse_html` result, which is what TDLib's own tests describe.
   */
  normalize?: boolean;
}

/** The outcome of parsing: what Telegram stores as `text` and `entities`. */
export interface ParsedTelegramHtml {
  text: string;
  entities: MessageEntity[];
}

const SUPPORTED_TAGS = new Set([
  "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
  "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
]);

/** TDLib's sort priority for entities that start and end at the same place. */
const TYPE_PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, pre: 11, code: 20, text_link: 49,
  text_mention: 49, bold: 90, italic: 91, underline: 92, strikethrough: 93,
  spoiler: 94, custom_emoji: 99,
};

const FORMATTING = new Set(["bold", "italic", "underline", "strikethrough", "spoiler"]);

const INT64_MAX = 9223372036854775807n;

interface OpenTag {
  name: string;
  argument: string;
  /** UTF-16 offset in the result text where the tag's content starts. */
  offset: number;
}

/** An entity while parsing; `code` may still carry a language for `<pre>`. */
type Draft = MessageEntity & { codeLanguage?: string };

function isSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t" || ch === "\r" || ch === "\n" || ch === "\v" || ch === "\f";
}

function isNameTokenChar(ch: string | undefined): boolean {
  return ch !== undefined && /^[A-Za-z0-9.-]$/.test(ch);
}

/**
 * Decodes the character entity starting at `pos` (which holds `&`), as TDLib
 * does; `undefined` when it is not one. In strict mode the `;` is required.
 */
function decodeEntity(
  html: string,
  pos: number,
  strict: boolean,
): { value: string; end: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (html[end] === "#") {
    end++;
    const hex = html[end] === "x" || html[end] === "X";
    if (hex) end++;
    const digits = hex ? /^[0-9A-Fa-f]$/ : /^[0-9]$/;
    const start = end;
    while (end < html.length && digits.test(html[end] ?? "")) {
      code = code * (hex ? 16 : 10) + Number.parseInt(html[end] ?? "0", hex ? 16 : 10);
      end++;
      if (code >= 0x10ffff) return undefined;
    }
    if (end === start || code === 0 || end - pos >= 10) return undefined;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new TelegramHtmlError(
        "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
      );
    }
  } else {
    while (end < html.length && /^[A-Za-z]$/.test(html[end] ?? "")) end++;
    const name = html.slice(pos + 1, end);
    const named: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    const value = named[name];
    if (value === undefined) return undefined;
    code = value;
  }
  if (html[end] === ";") end++;
  else if (strict) return undefined;
  return { value: String.fromCodePoint(code), end };
}

/**
 * A URL the way Telegram stores it for a text link (`telegram.org` becomes
 * `http://telegram.org/`), or `undefined` if Telegram would not accept it.
 */
export function normalizeLink(url: string): string | undefined {
  if (url === "" || /\s/u.test(url)) return undefined;
  let scheme = "http";
  let rest = url;
  const withScheme = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/)?(.*)$/su.exec(url);
  if (withScheme !== null && !/^\d+(?:[/?#]|$)/u.test(withScheme[3] ?? "")) {
    scheme = (withScheme[1] ?? "").toLowerCase();
    if (scheme === "tg" || scheme === "ton" || scheme === "tonsite") return url;
    if ((scheme !== "http" && scheme !== "https") || withScheme[2] === undefined) return undefined;
    rest = withScheme[3] ?? "";
  }
  const [, authority = "", tail = ""] = /^([^/?#]*)(.*)$/su.exec(rest) ?? [];
  const host = authority.replace(/^.*@/u, "").replace(/:\d{1,5}$/u, "").toLowerCase();
  const domain = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}][\p{L}\p{N}-]*$/u.test(host);
  const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/u.test(host);
  if (!domain && !ipv4 && host !== "localhost") return undefined;
  const path = tail === "" || tail.startsWith("?") || tail.startsWith("#") ? `/${tail}` : tail;
  return `${scheme}://${authority}${path}`;
}

/**
 * Parses Telegram-flavoured HTML into plain text plus entities, or throws
 * {@link TelegramHtmlError} with the description Telegram would give.
 */
export function parseTelegramHtml(html: string, options: ParseTelegramHtmlOptions = {}): ParsedTelegramHtml {
  const strict = options.strict ?? true;
  const n = html.length;
  const byteOffset = (index: number): number => Buffer.byteLength(html.slice(0, index), "utf8");
  const stack: OpenTag[] = [];
  const drafts: Draft[] = [];
  let text = "";
  let i = 0;

  while (i < n) {
    const ch = html[i];
    if (ch === "&") {
      const decoded = decodeEntity(html, i, strict);
      if (decoded !== undefined) {
        text += decoded.value;
        i = decoded.end;
        continue;
      }
      if (strict) {
        throw new TelegramHtmlError(
          `Unescaped "&" at byte offset ${byteOffset(i)}; write it as "&amp;" ` +
            `(the fake Bot API is stricter than Telegram, which would show it literally)`,
        );
      }
    }
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }

    const begin = i;
    i++;
    if (html[i] !== "/") {
      i = parseStartTag(html, begin, stack, text.length, strict, byteOffset);
      continue;
    }

    // An end tag.
    if (stack.length === 0) {
      throw new TelegramHtmlError(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    }
    while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
    const endName = html.slice(begin + 2, i);
    while (i < n && isSpace(html[i])) i++;
    if (html[i] !== ">") {
      throw new TelegramHtmlError(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    }
    i++;
    const open = stack.pop() as OpenTag;
    if (endName !== "" && endName !== open.name) {
      throw new TelegramHtmlError(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.name}>", found "</${endName}>"`,
      );
    }
    closeTag(open, text, drafts);
  }

  const unclosed = stack.at(-1);
  if (unclosed !== undefined) {
    throw new TelegramHtmlError(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  }
  const entities = drafts.map(({ codeLanguage: _language, ...entity }) => entity);
  if (options.normalize ?? true) return normalizeFormattedText(text, entities);
  return { text, entities: sortEntities(entities) };
}

/** Parses `<name attr=…>` starting at `begin`; returns the index after `>`. */
function parseStartTag(
  html: string,
  begin: number,
  stack: OpenTag[],
  textOffset: number,
  strict: boolean,
  byteOffset: (index: number) => number,
): number {
  const n = html.length;
  const at = () => byteOffset(begin);
  let i = begin + 1;
  while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
  if (i >= n) throw new TelegramHtmlError(`Unclosed start tag at byte offset ${at()}`);
  const name = html.slice(begin + 1, i).toLowerCase();
  if (!SUPPORTED_TAGS.has(name)) {
    throw new TelegramHtmlError(`Unsupported start tag "${name}" at byte offset ${at()}`);
  }

  let argument = "";
  while (html[i] !== ">") {
    while (i < n && isSpace(html[i])) i++;
    if (html[i] === ">") break;
    const attrBegin = i;
    while (i < n && !isSpace(html[i]) && html[i] !== "=" && html[i] !== ">") i++;
    const attr = html.slice(attrBegin, i);
    if (attr === "") {
      throw new TelegramHtmlError(`Empty attribute name in the tag "${name}" at byte offset ${at()}`);
    }
    while (i < n && isSpace(html[i])) i++;
    if (html[i] !== "=") {
      if (i >= n) throw new TelegramHtmlError(`Unclosed start tag "${name}" at byte offset ${at()}`);
      if (name === "blockquote" && attr === "expandable") argument = "1";
      continue;
    }
    i++;
    while (i < n && isSpace(html[i])) i++;
    if (i >= n) throw new TelegramHtmlError(`Unclosed start tag "${name}" at byte offset ${at()}`);

    let value = "";
    const quote = html[i];
    if (quote !== "'" && quote !== '"') {
      const tokenBegin = i;
      while (isNameTokenChar(html[i])) i++;
      value = html.slice(tokenBegin, i).toLowerCase();
      if (!isSpace(html[i]) && html[i] !== ">") {
        throw new TelegramHtmlError(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
      }
    } else {
      i++;
      while (i < n && html[i] !== quote) {
        if (html[i] === "&") {
          const decoded = decodeEntity(html, i, strict);
          if (decoded !== undefined) {
            value += decoded.value;
            i = decoded.end;
            continue;
          }
          if (strict) {
            throw new TelegramHtmlError(
              `Unescaped "&" at byte offset ${byteOffset(i)} in an attribute of the tag "${name}"; write it as "&amp;"`,
            );
          }
        }
        value += html[i];
        i++;
      }
      if (html[i] === quote) i++;
    }
    if (i >= n) throw new TelegramHtmlError(`Unclosed start tag at byte offset ${at()}`);

    if (name === "a" && attr === "href") argument = value;
    else if (name === "code" && attr === "class" && value.startsWith("language-")) argument = value.slice(9);
    else if (name === "span" && attr === "class" && value.startsWith("tg-")) argument = value.slice(3);
    else if (name === "tg-emoji" && attr === "emoji-id") argument = value;
    else if (name === "blockquote" && attr === "expandable") argument = "1";
  }

  if (name === "span" && argument !== "spoiler") {
    throw new TelegramHtmlError(`Tag "span" must have class "tg-spoiler" at byte offset ${at()}`);
  }
  stack.push({ name, argument, offset: textOffset });
  return i + 1;
}

/** Turns a closed tag into an entity, as TDLib does (empty tags make none). */
function closeTag(open: OpenTag, text: string, drafts: Draft[]): void {
  const offset = open.offset;
  const length = text.length - offset;
  if (length <= 0) return;
  const simple: Record<string, MessageEntity.CommonMessageEntity["type"]> = {
    b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
    s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler",
  };
  const type = simple[open.name];
  if (type !== undefined) {
    drafts.push({ type, offset, length });
    return;
  }
  switch (open.name) {
    case "tg-emoji": {
      const id = open.argument;
      if (!/^\d+$/.test(id) || BigInt(id) === 0n || BigInt(id) > INT64_MAX) {
        throw new TelegramHtmlError("Invalid custom emoji identifier specified");
      }
      drafts.push({ type: "custom_emoji", offset, length, custom_emoji_id: BigInt(id).toString() });
      return;
    }
    case "a": {
      const url = normalizeLink(open.argument !== "" ? open.argument : text.slice(offset));
      if (url !== undefined) drafts.push({ type: "text_link", offset, length, url });
      return;
    }
    case "code": {
      // `<code class="language-x">` right around a `<pre>` makes it a pre with a language.
      const last = drafts.at(-1);
      if (open.argument !== "" && last?.type === "pre" && last.offset === offset && last.length === length) {
        drafts[drafts.length - 1] = { type: "pre", offset, length, language: open.argument };
      } else {
        drafts.push(
          open.argument === ""
            ? { type: "code", offset, length }
            : { type: "code", offset, length, codeLanguage: open.argument },
        );
      }
      return;
    }
    case "pre": {
      const last = drafts.at(-1);
      if (last?.type === "code" && last.codeLanguage !== undefined && last.offset === offset && last.length === length) {
        drafts[drafts.length - 1] = { type: "pre", offset, length, language: last.codeLanguage };
      } else {
        drafts.push({ type: "pre", offset, length });
      }
      return;
    }
    case "blockquote":
      drafts.push({ type: open.argument === "" ? "blockquote" : "expandable_blockquote", offset, length });
      return;
  }
}

/** TDLib's entity order: by offset, longer first, then by type priority. */
function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (TYPE_PRIORITY[a.type] ?? 50) - (TYPE_PRIORITY[b.type] ?? 50),
  );
}

function contains(outer: MessageEntity, inner: MessageEntity): boolean {
  return outer.offset <= inner.offset && inner.offset + inner.length <= outer.offset + outer.length;
}

/**
 * What Telegram does to every formatted text before storing it: trims
 * surrounding whitespace (moving entities along), drops empty entities and
 * ones that may not nest (bold inside code, quote inside quote, …) and sorts
 * them like TDLib (offset, then longer first).
 */
export function normalizeFormattedText(raw: string, input: readonly MessageEntity[]): ParsedTelegramHtml {
  const lead = raw.length - raw.replace(/^[ \t\r\n\v\f]+/, "").length;
  const text = raw.slice(lead).replace(/[ \t\r\n\v\f]+$/, "");
  const clipped: MessageEntity[] = [];
  for (const entity of input) {
    const start = Math.max(entity.offset - lead, 0);
    const end = Math.min(entity.offset + entity.length - lead, text.length);
    if (end > start) clipped.push({ ...entity, offset: start, length: end - start });
  }
  const entities: MessageEntity[] = [];
  for (const entity of sortEntities(clipped)) {
    const forbiddenParent = entities.some((kept) => {
      if (!contains(kept, entity)) return false;
      if (kept.type === "code" || kept.type === "pre") {
        // Formatting that exactly covers a code span (`<b><code>x</code></b>`) survives.
        return !(FORMATTING.has(entity.type) && kept.offset === entity.offset && kept.length === entity.length);
      }
      const quote = (t: string) => t === "blockquote" || t === "expandable_blockquote";
      if (quote(kept.type) && quote(entity.type)) return true;
      const atomic = (t: string) => t === "text_link" || t === "custom_emoji" || t === "text_mention";
      return atomic(kept.type) && (atomic(entity.type) || entity.type === "code" || entity.type === "pre");
    });
    if (!forbiddenParent) entities.push(entity);
  }
  return { text, entities };
}

/** Escapes text for Telegram HTML (`<`, `>`, `&`, `"`), e.g. for test inputs. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
