/**
 * Telegram's validation of message text, entities, reply markup and bot
 * commands, with Telegram's error descriptions. Texts marked "fake" are ones
 * where the fake is stricter than Telegram, and say so.
 */
import type {
  BotCommand,
  ForceReply,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  KeyboardButton,
  MessageEntity,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
} from "grammy/types";
import { normalizeFormattedText, normalizeLink, parseTelegramHtml, TelegramHtmlError } from "../telegram-html.ts";
import { badRequest, TEXT } from "./errors.ts";
import { fieldBool, fieldString, isRecord, optJson, optString, type Params } from "./params.ts";

/** Longest message text, in UTF-16 code units after entity parsing. */
export const MAX_TEXT_LENGTH = 4096;

/** A message text as Telegram stores it, plus what the bot sent. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
  /** The `text` parameter exactly as sent (HTML source for parse_mode HTML). */
  source: string;
  parseMode: string | undefined;
}

const ENTITY_TYPES = new Set([
  "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
  "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
  "text_link", "text_mention", "custom_emoji", "date_time",
]);

/**
 * Reads `text` + `parse_mode`/`entities` like sendMessage and editMessageText.
 * `strictHtml` rejects bare `&` (see telegram-html.ts).
 */
export function readFormattedText(params: Params, strictHtml: boolean): FormattedText {
  const source = optString(params, "text");
  if (source === undefined || source === "") throw badRequest(TEXT.messageTextEmpty);
  const parseMode = optString(params, "parse_mode") || undefined;
  const explicit = optJson(params, "entities");

  let parsed: { text: string; entities: MessageEntity[] };
  if (Array.isArray(explicit) && explicit.length > 0) {
    parsed = normalizeFormattedText(source, readEntities(explicit, source.length));
  } else if (parseMode === undefined) {
    parsed = normalizeFormattedText(source, []);
  } else if (parseMode.toLowerCase() === "html") {
    try {
      parsed = parseTelegramHtml(source, { strict: strictHtml });
    } catch (error) {
      if (error instanceof TelegramHtmlError) throw badRequest(`c${error.description.slice(1)}`);
      throw error;
    }
  } else if (["markdown", "markdownv2"].includes(parseMode.toLowerCase())) {
    throw badRequest(`unsupported parse_mode "${parseMode}" (the fake Bot API only implements HTML)`);
  } else {
    throw badRequest("unsupported parse_mode");
  }

  if (parsed.text === "") throw badRequest(TEXT.textMustBeNonEmpty);
  if (parsed.text.length > MAX_TEXT_LENGTH) throw badRequest(TEXT.messageTooLong);
  return { ...parsed, source, parseMode };
}

/** Longest caption, in UTF-16 code units after entity parsing (Bot API docs: 0-1024 characters). */
export const MAX_CAPTION_LENGTH = 1024;

/**
 * Reads `caption` + `parse_mode`/`caption_entities` of a photo, document or InputMedia item, like
 * a text (same HTML parsing), but optional and limited to 1024 characters.
 */
export function readCaption(params: Params, strictHtml: boolean): FormattedText | undefined {
  const source = optString(params, "caption");
  if (source === undefined || source === "") return undefined;
  let text: FormattedText;
  try {
    text = readFormattedText({ text: source, parse_mode: params.parse_mode, entities: params.caption_entities }, strictHtml);
  } catch (error) {
    if (error instanceof Error && error.message === `Bad Request: ${TEXT.messageTooLong}`) throw badRequest("message caption is too long");
    if (error instanceof Error && error.message === `Bad Request: ${TEXT.textMustBeNonEmpty}`) return undefined;
    throw error;
  }
  if (text.text.length > MAX_CAPTION_LENGTH) throw badRequest("message caption is too long");
  return text;
}

/** Validates an explicit `entities` array against a text of `textLength`. */
function readEntities(raw: unknown[], textLength: number): MessageEntity[] {
  return raw.map((item): MessageEntity => {
    if (!isRecord(item)) throw badRequest("can't parse MessageEntity: MessageEntity must be an Object");
    const type = item.type;
    if (typeof type !== "string" || !ENTITY_TYPES.has(type)) {
      throw badRequest("can't parse MessageEntity: Unsupported type specified");
    }
    const offset = item.offset;
    const length = item.length;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
      throw badRequest(`receive an entity with incorrect offset ${String(offset)}`);
    }
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw badRequest(`receive an entity with incorrect length ${String(length)}`);
    }
    if (offset > textLength) throw badRequest(`entity begins after the end of the text at UTF-16 offset ${offset}`);
    if (offset + length > textLength) {
      throw badRequest(
        `entity beginning at UTF-16 offset ${offset} ends after the end of the text at UTF-16 offset ${offset + length}`,
      );
    }
    const need = (field: string): unknown => {
      if (item[field] === undefined) throw badRequest(`can't parse MessageEntity: Can't find field "${field}"`);
      return item[field];
    };
    if (type === "text_link") {
      const url = String(need("url"));
      const normalized = normalizeLink(url);
      if (normalized === undefined) throw badRequest(`entity URL '${url}' is invalid: Wrong HTTP URL`);
      return { type, offset, length, url: normalized };
    }
    if (type === "custom_emoji") {
      const id = String(need("custom_emoji_id"));
      if (!/^\d{1,19}$/.test(id) || BigInt(id) > 9223372036854775807n) {
        throw badRequest('can\'t parse MessageEntity: Field "custom_emoji_id" must be a valid Number');
      }
      return { type, offset, length, custom_emoji_id: id };
    }
    if (type === "text_mention") {
      const user = need("user");
      if (!isRecord(user) || typeof user.id !== "number") throw badRequest("user not found");
      return { type, offset, length, user: { id: user.id, is_bot: false, first_name: String(user.first_name ?? "") } };
    }
    if (type === "pre") {
      return typeof item.language === "string" && item.language !== ""
        ? { type, offset, length, language: item.language }
        : { type, offset, length };
    }
    if (type === "date_time") {
      const format = String(need("date_time_format"));
      if (!/^(?:r|w?[dD]?[tT]?)$/.test(format)) throw badRequest("Invalid date format used");
      const dateTimeFormat = format as MessageEntity.DateTimeMessageEntity["date_time_format"];
      return { type, offset, length, unix_time: Number(need("unix_time")), date_time_format: dateTimeFormat };
    }
    return { type: type as MessageEntity.CommonMessageEntity["type"], offset, length };
  });
}

/** Checks `link_preview_options` field types like Telegram (the options are otherwise ignored). */
export function checkLinkPreviewOptions(params: Params): void {
  const options = optJson(params, "link_preview_options");
  if (options === undefined) return;
  if (!isRecord(options)) throw badRequest("can't parse link preview options JSON object");
  for (const flag of ["is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text"]) {
    fieldBool(options, flag);
  }
  if (options.url !== undefined && normalizeLink(String(options.url)) === undefined) throw badRequest("WEBPAGE_URL_INVALID");
}

/** A validated `reply_markup`, tagged with its kind. */
export type ReplyMarkup =
  | { kind: "inline"; markup: InlineKeyboardMarkup }
  | { kind: "keyboard"; markup: ReplyKeyboardMarkup }
  | { kind: "remove"; markup: ReplyKeyboardRemove }
  | { kind: "force_reply"; markup: ForceReply };

const INLINE_ACTIONS = [
  "url", "login_url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
] as const;

const MAX_PLACEHOLDER = 64;

/**
 * Reads and validates `reply_markup`. With `inlineOnly` (edit methods) any
 * other kind is rejected, as Telegram does.
 */
export function readReplyMarkup(params: Params, inlineOnly = false): ReplyMarkup | undefined {
  const raw = optJson(params, "reply_markup");
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) throw badRequest("object expected as reply markup");
  let markup: ReplyMarkup;
  if (raw.keyboard !== undefined) markup = { kind: "keyboard", markup: readReplyKeyboard(raw) };
  else if (raw.inline_keyboard !== undefined) markup = { kind: "inline", markup: readInlineKeyboard(raw) };
  else if (raw.remove_keyboard !== undefined || raw.hide_keyboard !== undefined) {
    const remove = fieldBool(raw, "remove_keyboard") ?? fieldBool(raw, "hide_keyboard");
    const selective = fieldBool(raw, "selective");
    if (remove !== true) throw badRequest('field "remove_keyboard" must be true');
    markup = { kind: "remove", markup: selective === undefined ? { remove_keyboard: true } : { remove_keyboard: true, selective } };
  } else if (raw.force_reply !== undefined) {
    const force = fieldBool(raw, "force_reply");
    if (force !== true) throw badRequest('field "force_reply" must be true');
    const result: ForceReply = { force_reply: true };
    const placeholder = readPlaceholder(raw);
    if (placeholder !== undefined) result.input_field_placeholder = placeholder;
    const selective = fieldBool(raw, "selective");
    if (selective !== undefined) result.selective = selective;
    markup = { kind: "force_reply", markup: result };
  } else {
    throw badRequest("can't parse reply keyboard markup JSON object");
  }
  if (inlineOnly && markup.kind !== "inline") throw badRequest("inline keyboard expected");
  return markup;
}

function readPlaceholder(raw: Record<string, unknown>): string | undefined {
  const placeholder = fieldString(raw, "input_field_placeholder");
  if (placeholder !== undefined && [...placeholder].length > MAX_PLACEHOLDER) {
    throw badRequest(
      `input_field_placeholder must be at most ${MAX_PLACEHOLDER} characters (fake: documented limit enforced)`,
    );
  }
  return placeholder;
}

function readInlineKeyboard(raw: Record<string, unknown>): InlineKeyboardMarkup {
  const rows = raw.inline_keyboard;
  if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" must be of type Array');
  const inline_keyboard = rows.map((row: unknown) => {
    if (!Array.isArray(row)) throw badRequest('field "inline_keyboard" must be an Array of Arrays');
    return row.map((button: unknown) => readInlineButton(button));
  });
  return { inline_keyboard };
}

function readInlineButton(button: unknown): InlineKeyboardButton {
  const prefix = "can't parse inline keyboard button: ";
  if (!isRecord(button)) throw badRequest(`${prefix}InlineKeyboardButton must be an Object`);
  if (button.text === undefined) throw badRequest(`${prefix}Can't find field "text"`);
  const text = fieldString(button, "text", prefix) ?? "";
  const actions = INLINE_ACTIONS.filter((field) => button[field] !== undefined && button[field] !== "");
  const [action, ...extra] = actions;
  if (action === undefined) throw badRequest(`${prefix}Text buttons are unallowed in the inline keyboard`);
  if (extra.length > 0) {
    throw badRequest(
      `${prefix}exactly one of the fields ${actions.map((a) => `"${a}"`).join(", ")} must be used ` +
        "(fake: Telegram silently uses the first one)",
    );
  }
  if (text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
  switch (action) {
    case "callback_data": {
      const data = fieldString(button, "callback_data", prefix) ?? "";
      const bytes = Buffer.byteLength(data, "utf8");
      if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
      break;
    }
    case "url": {
      const url = fieldString(button, "url", prefix) ?? "";
      const problem = checkButtonUrl(url);
      if (problem !== undefined) throw badRequest(`inline keyboard button URL '${url}' is invalid: ${problem}`);
      break;
    }
    case "web_app": {
      const url = isRecord(button.web_app) ? String(button.web_app.url ?? "") : "";
      if (!url.startsWith("https://")) {
        throw badRequest(`inline keyboard button Web App URL '${url}' is invalid: Only HTTPS links are allowed`);
      }
      break;
    }
    case "copy_text": {
      const copy = isRecord(button.copy_text) ? button.copy_text.text : undefined;
      if (typeof copy !== "string" || copy.length < 1 || copy.length > 256) throw badRequest("BUTTON_COPY_TEXT_INVALID");
      break;
    }
    case "callback_game":
    case "pay":
      throw badRequest("BUTTON_TYPE_INVALID");
    default:
      break;
  }
  return { ...button, text } as InlineKeyboardButton;
}

/** Why an inline button URL is invalid, in Telegram's words, or undefined. */
function checkButtonUrl(url: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === "tg") return undefined;
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") return "Unsupported URL protocol";
  return normalizeLink(url) === undefined ? "Wrong HTTP URL" : undefined;
}

function readReplyKeyboard(raw: Record<string, unknown>): ReplyKeyboardMarkup {
  const rows = raw.keyboard;
  if (!Array.isArray(rows)) throw badRequest('field "keyboard" must be of type Array');
  const keyboard = rows.map((row: unknown) => {
    if (!Array.isArray(row)) throw badRequest('field "keyboard" must be an Array of Arrays');
    return row.map((button: unknown) => readKeyboardButton(button));
  });
  const markup: ReplyKeyboardMarkup = { keyboard };
  for (const flag of ["is_persistent", "resize_keyboard", "one_time_keyboard", "selective"] as const) {
    const value = fieldBool(raw, flag);
    if (value !== undefined) markup[flag] = value;
  }
  const placeholder = readPlaceholder(raw);
  if (placeholder !== undefined) markup.input_field_placeholder = placeholder;
  return markup;
}

function readKeyboardButton(button: unknown): KeyboardButton {
  const prefix = "can't parse keyboard button: ";
  if (typeof button === "string") {
    if (button.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
    return button;
  }
  if (!isRecord(button)) throw badRequest(`${prefix}KeyboardButton must be a String or an Object`);
  if (button.text === undefined) throw badRequest(`${prefix}Can't find field "text"`);
  const text = fieldString(button, "text", prefix) ?? "";
  if (text.trim() === "") throw badRequest("BUTTON_TEXT_INVALID");
  for (const flag of ["request_contact", "request_location"]) {
    if (button[flag] !== undefined && typeof button[flag] !== "boolean") {
      throw badRequest(`${prefix}Field "${flag}" must be of type Boolean`);
    }
  }
  if (isRecord(button.web_app)) {
    const url = String(button.web_app.url ?? "");
    if (!url.startsWith("https://")) {
      throw badRequest(`keyboard button Web App URL '${url}' is invalid: Only HTTPS links are allowed`);
    }
  }
  return { ...button, text } as KeyboardButton;
}

/** Reads and validates `setMyCommands`' `commands`. */
export function readCommands(params: Params): BotCommand[] {
  const raw = optJson(params, "commands");
  if (raw === undefined) throw badRequest('parameter "commands" is required');
  if (!Array.isArray(raw)) throw badRequest("can't parse commands JSON object");
  if (raw.length > 100) throw badRequest("BOT_COMMANDS_TOO_MUCH");
  return raw.map((item: unknown): BotCommand => {
    if (!isRecord(item)) throw badRequest("can't parse BotCommand: BotCommand must be an Object");
    const command = typeof item.command === "string" ? item.command.replace(/^\//, "") : "";
    const description = typeof item.description === "string" ? item.description.trim() : "";
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    const length = [...description].length;
    if (length < 1 || length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    return { command, description };
  });
}
