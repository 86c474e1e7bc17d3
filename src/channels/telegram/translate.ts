/**
 * Telegram ⇄ core: updates become Inbound events; OutboundMessages become Bot API parameters.
 * Translation only: no decisions are made here.
 */
import type { InlineKeyboardMarkup, ForceReply, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update, UserFromGetMe } from "grammy/types";
import type { Inbound, InboundFileRef, OutboundFile, OutboundMessage } from "../../core/channel.ts";
import { escapeHtml, splitRich, toPlain, visibleLength } from "../../core/rich-text.ts";

export const TEXT_LIMIT = 4096;
/** Longest caption of a photo or document (Bot API: 0-1024 characters after entity parsing). */
export const CAPTION_LIMIT = 1024;
/** Items of one sendMediaGroup call (Bot API: 2-10). */
export const ALBUM_MAX = 10;
/** Forum topic names (Bot API createForumTopic: 1-128 characters). */
export const TOPIC_NAME_LIMIT = 128;
const BUTTON_TEXT_LIMIT = 64;
const CALLBACK_DATA_BYTES = 64;

type ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply;

/** The Inbound for an update, or null for updates the bot does not act on (channel posts, other bots' commands...). */
export function toInbound(update: Update, me: UserFromGetMe): Inbound | null {
  const id = `telegram:${me.id}:${update.update_id}`;
  if (update.callback_query) {
    const q = update.callback_query;
    const chat = q.message?.chat;
    if (!q.data) return null;
    return {
      id,
      channel: "telegram",
      chatId: String(chat?.id ?? q.from.id),
      userId: String(q.from.id),
      chatType: !chat || chat.type === "private" ? "private" : "group",
      ...(q.from.language_code ? { languageHint: q.from.language_code } : {}),
      displayName: displayName(q.from),
      ...(q.message ? { messageId: String(q.message.message_id) } : {}),
      // A button under a message in a forum topic: the answers go to that topic.
      ...(q.message && "is_topic_message" in q.message && q.message.is_topic_message && q.message.message_thread_id !== undefined
        ? { threadId: String(q.message.message_thread_id) }
        : {}),
      event: { type: "choice", data: q.data },
    };
  }
  const member = update.my_chat_member;
  if (member) {
    // Only a person's private chat: the bot added to or removed from a group is not a person's reachability.
    if (member.chat.type !== "private") return null;
    const status = member.new_chat_member.status;
    const reachable = status === "member" ? true : status === "kicked" ? false : undefined;
    if (reachable === undefined) return null;
    return { id, channel: "telegram", chatId: String(member.chat.id), userId: String(member.from.id), chatType: "private", event: { type: "reachability", reachable } };
  }
  const message = update.message;
  if (!message) return null;
  const chat = message.chat;
  const chatType = chat.type === "private" ? ("private" as const) : ("group" as const);
  // A group upgraded to a supergroup: Telegram says so in the old chat (migrate_to_chat_id) and in
  // the new one (migrate_from_chat_id, sent in the group's name); both are service messages.
  const moved =
    message.migrate_to_chat_id !== undefined
      ? { from: String(chat.id), to: String(message.migrate_to_chat_id) }
      : message.migrate_from_chat_id !== undefined
        ? { from: String(message.migrate_from_chat_id), to: String(chat.id) }
        : undefined;
  if (moved) {
    return { id, channel: "telegram", chatId: String(chat.id), userId: String(message.from?.id ?? chat.id), chatType, event: { type: "chat-moved", ...moved } };
  }
  // An anonymous admin posts in the group's name: `from` is a placeholder bot (GroupAnonymousBot)
  // and `sender_chat` is the group itself. Other bots, and posts in a channel's name, are not ours.
  const asGroup = message.sender_chat?.id === chat.id && chat.type !== "private";
  if (!message.from || (message.from.is_bot && !asGroup)) return null;
  // In a forum topic, Telegram makes a post that replies to nothing reply to the topic's creation
  // message: that is where it is, not what it answers.
  const thread = message.is_topic_message && message.message_thread_id !== undefined ? message.message_thread_id : undefined;
  const reply = message.reply_to_message;
  const repliesTo = reply && !(thread !== undefined && (reply.message_id === thread || reply.forum_topic_created)) ? reply : undefined;
  const base = {
    id,
    channel: "telegram" as const,
    chatId: String(chat.id),
    chatType,
    ...(repliesTo ? { replyTo: String(repliesTo.message_id) } : {}),
    ...(thread !== undefined ? { threadId: String(thread) } : {}),
    ...(message.media_group_id ? { mediaGroup: message.media_group_id } : {}),
    ...(asGroup
      ? // Who wrote is unknown (the core resolves it by the question replied to); an admin's custom
        // title, when Telegram gives one, is the only name there is.
        { userId: String(chat.id), asGroup: true as const, ...(message.author_signature ? { displayName: message.author_signature } : {}) }
      : {
          userId: String(message.from.id),
          ...(message.from.language_code ? { languageHint: message.from.language_code } : {}),
          displayName: displayName(message.from),
        }),
  };
  if (message.text !== undefined) {
    const text = commandFor(message.text, me.username);
    if (text === null) return null;
    return { ...base, event: { type: "text", text } };
  }
  if (message.contact) {
    const c = message.contact;
    return {
      ...base,
      event: {
        type: "contact",
        phone: c.phone_number,
        own: c.user_id === message.from.id,
        ...(c.user_id ? { userId: String(c.user_id) } : {}),
      },
    };
  }
  // A shared point: a location (live ones too) or a venue picked on the map, which carries one.
  const point = message.location ?? message.venue?.location;
  if (point) return { ...base, event: { type: "location", latitude: point.latitude, longitude: point.longitude } };
  const file = fileRef(message);
  if (file) return { ...base, event: { type: "file", file, ...(message.caption ? { caption: message.caption } : {}) } };
  const kind = ["photo", "document", "sticker", "voice", "video", "video_note", "audio", "animation", "location", "poll"].find(
    (k) => k in message,
  );
  return { ...base, event: { type: "unsupported", kind: kind ?? "other" } };
}

/** A photo (its largest size: Telegram lists sizes smallest first) or a document, as announced. */
function fileRef(message: Message): InboundFileRef | undefined {
  if (message.photo?.length) {
    const largest = message.photo.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
    return { kind: "photo", platformId: largest.file_id, ...(largest.file_size !== undefined ? { size: largest.file_size } : {}) };
  }
  const d = message.document;
  if (!d) return undefined;
  return {
    kind: "document",
    platformId: d.file_id,
    ...(d.file_name !== undefined ? { name: d.file_name } : {}),
    ...(d.mime_type !== undefined ? { mime: d.mime_type } : {}),
    ...(d.file_size !== undefined ? { size: d.file_size } : {}),
  };
}

function displayName(user: { first_name: string; last_name?: string }): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

/** "/start@ThisBot x" → "/start x"; a command addressed to another bot → null (not ours). */
function commandFor(text: string, username: string): string | null {
  const m = /^(\/[A-Za-z0-9_]+)@([A-Za-z0-9_]+)(.*)$/s.exec(text);
  if (!m) return text;
  return m[2]!.toLowerCase() === username.toLowerCase() ? `${m[1]}${m[3]}` : null;
}

/** Where a message goes: a forum topic, a reply (Bot API message_thread_id, reply_parameters). */
export interface Placement {
  message_thread_id?: number;
  reply_parameters?: { message_id: number; allow_sending_without_reply: true };
}

export interface SendParams extends Placement {
  text: string;
  parse_mode: "HTML";
  reply_markup?: ReplyMarkup;
  link_preview_options: { is_disabled: true };
}

/**
 * The placement of an outbound's first message: its thread (`threadId`, or the one just opened)
 * and the message it replies to. A reply may be gone by now: it is then sent without the reply.
 */
export function placement(message: OutboundMessage, threadId: string | undefined = message.threadId): Placement {
  return {
    ...(threadId !== undefined ? { message_thread_id: Number(threadId) } : {}),
    ...(message.replyTo !== undefined ? { reply_parameters: { message_id: Number(message.replyTo), allow_sending_without_reply: true as const } } : {}),
  };
}

/** The placement of the later messages of the same outbound: the same thread, no reply. */
function later(place: Placement): Placement {
  return place.message_thread_id !== undefined ? { message_thread_id: place.message_thread_id } : {};
}

/**
 * The sendMessage calls for one OutboundMessage: long texts are split at paragraph or line
 * boundaries with markup balanced in each piece; buttons go with the last piece; every piece in
 * the thread, the first one as the reply.
 */
export function toSendCalls(message: OutboundMessage, place: Placement = placement(message)): SendParams[] {
  const pieces = splitRich(withMention(message), TEXT_LIMIT);
  const markup = replyMarkup(message);
  return pieces.map((text, i) => ({
    text,
    parse_mode: "HTML" as const,
    ...(i === 0 ? place : later(place)),
    ...(i === pieces.length - 1 && markup ? { reply_markup: markup } : {}),
    link_preview_options: { is_disabled: true as const },
  }));
}

/** One call that sends files: a single photo or document, or an album of the same kind. */
export type FileCall =
  | { method: "sendPhoto" | "sendDocument"; files: [OutboundFile]; caption?: string; reply_markup?: ReplyMarkup; place: Placement }
  | { method: "sendMediaGroup"; files: OutboundFile[]; caption?: string; place: Placement };

/** The calls that send an OutboundMessage with files: its text first when it cannot be a caption, then the files. */
export interface FilePlan {
  texts: SendParams[];
  calls: FileCall[];
}

/**
 * How an OutboundMessage with files is sent: photos together and documents together (Telegram
 * does not mix documents into an album), in albums of at most 10, one file alone by
 * sendPhoto/sendDocument. The text is the caption of the first file when it fits in 1,024
 * characters (and its buttons, if any, can go with it: an album cannot carry buttons); otherwise
 * it is sent first as messages of its own. The first message sent is the reply; all are in the thread.
 */
export function toFilePlan(message: OutboundMessage, place: Placement = placement(message)): FilePlan {
  const files = message.files ?? [];
  const kinds = [...new Set(files.map((f) => f.kind))];
  const chunks: OutboundFile[][] = [];
  for (const kind of kinds) {
    const same = files.filter((f) => f.kind === kind);
    for (let i = 0; i < same.length; i += ALBUM_MAX) chunks.push(same.slice(i, i + ALBUM_MAX));
  }
  const text = withMention(message);
  const markup = replyMarkup(message);
  const asCaption = text.trim() !== "" && visibleLength(text) <= CAPTION_LIMIT && !(markup && chunks[0]!.length > 1);
  const texts = text.trim() !== "" && !asCaption ? toSendCalls(message, place) : [];
  const first = texts.length === 0 ? place : later(place);
  const calls = chunks.map((chunk, i): FileCall => {
    const where = i === 0 ? first : later(place);
    const caption = i === 0 && asCaption ? text : undefined;
    if (chunk.length > 1) return { method: "sendMediaGroup", files: chunk, ...(caption !== undefined ? { caption } : {}), place: where };
    return {
      method: chunk[0]!.kind === "photo" ? "sendPhoto" : "sendDocument",
      files: [chunk[0]!],
      ...(caption !== undefined ? { caption } : {}),
      ...(i === 0 && asCaption && markup ? { reply_markup: markup } : {}),
      place: where,
    };
  });
  return { texts, calls };
}

/**
 * How many messages Telegram counts for sending `message` with `files` files (its flood limits
 * are per message: an album is one per item, a long text one per part), as toSendCalls and
 * toFilePlan send it; when it cannot know whether the text will be a caption (an album with
 * buttons), it counts the text apart (one more, never fewer).
 */
export function messageCount(message: OutboundMessage, files: number): number {
  if (files <= 0) return toSendCalls(message).length;
  const text = withMention(message);
  if (text.trim() === "") return files;
  const asCaption = visibleLength(text) <= CAPTION_LIMIT && !(replyMarkup(message) && files > 1);
  return files + (asCaption ? 0 : splitRich(text, TEXT_LIMIT).length);
}

/** An edit replaces text and buttons; an edit cannot carry a reply keyboard, and a long text is cut. */
export function toEditParams(message: OutboundMessage): { text: string; parse_mode: "HTML"; reply_markup: InlineKeyboardMarkup } {
  const [first] = splitRich(message.text, TEXT_LIMIT);
  return { text: first ?? "…", parse_mode: "HTML", reply_markup: inlineKeyboard(message) ?? { inline_keyboard: [] } };
}

/** An edit of a photo's or document's caption (the text cut to 1,024 characters), with the buttons. */
export function toCaptionEditParams(message: OutboundMessage): { caption: string; parse_mode: "HTML"; reply_markup: InlineKeyboardMarkup } {
  const [first] = splitRich(message.text, CAPTION_LIMIT);
  return { caption: first ?? "", parse_mode: "HTML", reply_markup: inlineKeyboard(message) ?? { inline_keyboard: [] } };
}

function withMention(message: OutboundMessage): string {
  if (!message.replyFrom) return message.text;
  // In a group, force_reply reaches only a mentioned user; the mention is a link to their id. On
  // its own line: "Dana, Please write…" would put a capital after a vocative comma in every language.
  const { userId, name } = message.replyFrom;
  return `<a href="tg://user?id=${encodeURIComponent(userId)}">${escapeHtml(name || "…")}</a>\n${message.text}`;
}

function inlineKeyboard(message: OutboundMessage): InlineKeyboardMarkup | undefined {
  if (!message.choices?.length) return undefined;
  return {
    inline_keyboard: message.choices.map((row) =>
      row.map((b) => {
        if (Buffer.byteLength(b.data, "utf8") > CALLBACK_DATA_BYTES) throw new Error(`callback_data over 64 bytes: ${b.data}`);
        return { text: clip(b.label, BUTTON_TEXT_LIMIT), callback_data: b.data };
      }),
    ),
  };
}

function replyMarkup(message: OutboundMessage): ReplyMarkup | undefined {
  const inline = inlineKeyboard(message);
  if (inline) return inline;
  if (message.requestPhone) {
    return {
      keyboard: [[{ text: clip(message.requestPhone, BUTTON_TEXT_LIMIT), request_contact: true }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    };
  }
  if (message.replyFrom) return { force_reply: true, selective: true };
  if (message.removeKeyboard) return { remove_keyboard: true };
  return undefined;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * A topic name Telegram takes: plain text (a name has no markup: rich text from the core is shown
 * as its visible text, `&amp;` as `&`), one line, 1-128 characters counted in UTF-16 units (the
 * stricter reading: an emoji counts two), cut at a whole character with "…".
 */
export function topicName(title: string): string {
  const line = toPlain(title).replace(/\s+/g, " ").trim() || "…";
  if (line.length <= TOPIC_NAME_LIMIT) return line;
  let cut = "";
  for (const char of line) {
    if (cut.length + char.length > TOPIC_NAME_LIMIT - 1) break;
    cut += char;
  }
  return `${cut}…`;
}
