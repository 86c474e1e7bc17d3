/**
 * The Bot API methods the fake implements, with Telegram's validation order
 * and error texts. Each handler gets the call's parameters and returns the
 * `result` (or a {@link Described} result) or throws a BotApiError.
 */
import type { BotCommand, InlineKeyboardMarkup, Message } from "grammy/types";
import { badRequest, BotApiError, forbidden, TEXT } from "./errors.ts";
import { isRecord, optBool, optInt, optJson, optString, type Params } from "./params.ts";
import type { ChatState, StoredMessage, World } from "./state.ts";
import type { UpdateQueue } from "./updates.ts";
import { checkLinkPreviewOptions, readCaption, readCommands, readFormattedText, readReplyMarkup, type FormattedText } from "./validation.ts";
import { isImage, isUploadedFile, mimeFromName, type HeldFile } from "./files.ts";

/** A successful result that also carries Telegram's `description` (setWebhook). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

/** One method implementation. */
export type MethodHandler = (params: Params, signal: AbortSignal) => unknown;

/** What the handlers need from the fake. */
export interface MethodContext {
  world: World;
  updates: UpdateQueue;
  strictHtml: boolean;
}

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

/** The colors a forum topic icon may have (Bot API docs, createForumTopic). */
const TOPIC_COLORS = new Set([0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f]);

/** Telegram's answer to a file_id it does not know or a URL it could not fetch. */
const WRONG_FILE_ID = "wrong file identifier/HTTP URL specified";

const SCOPES = new Set([
  "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
  "chat_administrators", "chat_member",
]);

/** JSON with sorted keys, to compare markup/entities regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]" || hostname === "::1";
}

/** Builds the method table. */
export function createMethods(ctx: MethodContext): Map<string, MethodHandler> {
  const { world, updates } = ctx;
  const commands = new Map<string, BotCommand[]>();
  const settings = new Map<string, unknown>();

  /** Resolves `chat_id` like Telegram, including the private-chat 403s. */
  function resolveChat(params: Params): ChatState {
    const raw = params.chat_id;
    if (raw === undefined || raw === null || raw === "") throw badRequest(TEXT.chatIdEmpty);
    let id: number | undefined;
    if (typeof raw === "number" && Number.isSafeInteger(raw)) id = raw;
    else if (typeof raw === "string" && /^-?\d+$/.test(raw.trim())) id = Number(raw.trim());
    else if (typeof raw === "string" && raw.startsWith("@")) {
      const name = raw.slice(1).toLowerCase();
      id = [...world.chats.values()].find((c) => c.chat.username?.toLowerCase() === name)?.chat.id;
    }
    if (id === undefined) throw badRequest(TEXT.chatNotFound);
    const user = world.users.get(id);
    if (user !== undefined) {
      if (user.deactivated) throw forbidden(TEXT.deactivated);
      if (user.blocked) throw forbidden(TEXT.blocked);
      if (!user.started) throw forbidden(TEXT.cantInitiate);
    }
    const chat = world.chats.get(id);
    if (chat === undefined) throw badRequest(TEXT.chatNotFound);
    refuseMigrated(chat);
    return chat;
  }

  /** Telegram's answer to any call naming a group that became a supergroup. */
  function refuseMigrated(chat: ChatState): void {
    if (chat.migratedTo !== undefined) {
      throw new BotApiError(400, `Bad Request: ${TEXT.upgraded}`, { migrate_to_chat_id: chat.migratedTo });
    }
  }

  function findMessage(chat: ChatState, params: Params, notFound: string): StoredMessage {
    const id = optInt(params, "message_id");
    if (id === undefined) throw badRequest("message identifier is not specified");
    const stored = chat.messages.get(id);
    if (stored === undefined || stored.deleted) throw badRequest(notFound);
    return stored;
  }

  function readReplyTo(params: Params, chat: ChatState): Message | undefined {
    const parameters = optJson(params, "reply_parameters");
    let messageId: number | undefined;
    let allowMissing = optBool(params, "allow_sending_without_reply") ?? false;
    if (parameters !== undefined) {
      if (!isRecord(parameters)) throw badRequest("can't parse reply parameters JSON object");
      if (parameters.message_id === undefined) throw badRequest('can\'t find field "message_id"');
      messageId = Number(parameters.message_id);
      allowMissing = parameters.allow_sending_without_reply === true;
    } else {
      messageId = optInt(params, "reply_to_message_id");
    }
    if (messageId === undefined) return undefined;
    const target = chat.messages.get(messageId);
    if (target === undefined || target.deleted) {
      if (allowMissing) return undefined;
      throw badRequest("message to be replied not found");
    }
    const { reply_to_message: _nested, ...rest } = structuredClone(target.message);
    return rest as Message;
  }

  /**
   * `message_thread_id`: a forum topic of the chat, else Telegram's "message thread not found".
   * Without it, a reply to a message of a topic goes to that topic, as in Telegram.
   */
  function readThread(params: Params, chat: ChatState, replyTo: Message | undefined): number | undefined {
    const thread = optInt(params, "message_thread_id");
    if (thread === undefined) return replyTo?.is_topic_message ? replyTo.message_thread_id : undefined;
    if (!chat.topics.has(thread)) throw badRequest("message thread not found");
    return thread;
  }

  /**
   * A file to send as `kind`: an upload (multipart; `attach://` names resolved), or a file_id
   * Telegram knows. URLs cannot be fetched by the fake, and are refused as Telegram refuses an
   * unreachable one. Returns the held file (new for an upload).
   */
  function readInputFile(value: unknown, kind: "photo" | "document", params: Params): HeldFile | { upload: Buffer; name: string } {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const attached = params[value.slice("attach://".length)];
      if (!isUploadedFile(attached)) throw badRequest("can't parse InputMedia: media not found");
      value = attached;
    }
    if (isUploadedFile(value)) {
      if (value.size === 0) throw badRequest("file must be non-empty");
      if (kind === "photo" && !isImage(value.bytes)) throw badRequest("IMAGE_PROCESS_FAILED");
      return { upload: value.bytes, name: value.file_name };
    }
    if (typeof value !== "string" || value === "") throw badRequest(`there is no ${kind} in the request`);
    const held = world.files.get(value);
    if (held === undefined) throw badRequest(WRONG_FILE_ID);
    if (held.kind !== kind) throw badRequest("type of file mismatch");
    return held;
  }

  /** The message content for a file: new file_ids for an upload, the same ones for a known file. */
  function mediaContent(file: HeldFile | { upload: Buffer; name: string }, kind: "photo" | "document"): Partial<Message> {
    if ("upload" in file) {
      return kind === "photo" ? { photo: world.files.addPhoto(file.upload) } : { document: world.files.addDocument(file.upload, file.name, mimeFromName(file.name)) };
    }
    return kind === "photo" ? { photo: structuredClone(file.sizes ?? []) } : { document: world.files.documentOf(file) };
  }

  /** sendPhoto and sendDocument. */
  function sendFile(kind: "photo" | "document"): MethodHandler {
    return (params) => {
      const caption = readCaption(params, ctx.strictHtml);
      const markup = readReplyMarkup(params);
      const chat = resolveChat(params);
      const file = readInputFile(params[kind], kind, params);
      const replyTo = readReplyTo(params, chat);
      const thread = readThread(params, chat, replyTo);
      return world.addOutgoing(chat, caption, markup, replyTo, { media: mediaContent(file, kind), thread }).message;
    };
  }

  /**
   * sendMediaGroup: 2 to 10 InputMedia items, all photos or all documents (Telegram does not mix
   * documents with other types), each with its own caption; validated whole before anything is
   * sent, then one message per item sharing a media_group_id.
   */
  function sendMediaGroup(params: Params): Message[] {
    const chat = resolveChat(params);
    const media = optJson(params, "media");
    if (media === undefined) throw badRequest('parameter "media" is required');
    if (!Array.isArray(media)) throw badRequest("can't parse media JSON object");
    if (media.length < 2 || media.length > 10) throw badRequest("wrong number of media items specified (must be 2-10)");
    const items: { kind: "photo" | "document"; file: HeldFile | { upload: Buffer; name: string }; caption: FormattedText | undefined }[] = [];
    media.forEach((item: unknown, i) => {
      if (!isRecord(item)) throw badRequest("can't parse InputMedia: Object expected");
      const type = item.type;
      if (type === "video" || type === "audio") throw badRequest(`InputMedia of type "${type}" is not implemented by the fake Bot API`);
      if (type !== "photo" && type !== "document") throw badRequest("can't parse InputMedia: unsupported media type");
      try {
        const caption = readCaption({ caption: item.caption, parse_mode: item.parse_mode, caption_entities: item.caption_entities }, ctx.strictHtml);
        items.push({ kind: type, file: readInputFile(item.media, type, params), caption });
      } catch (error) {
        if (error instanceof BotApiError && error.error_code === 400) {
          throw badRequest(`failed to send message #${i + 1} with the error message "${error.description.replace(/^Bad Request: /, "")}"`);
        }
        throw error;
      }
    });
    if (items.some((i) => i.kind === "document") && items.some((i) => i.kind !== "document")) {
      throw badRequest("document can't be mixed with other media types");
    }
    const replyTo = readReplyTo(params, chat);
    const thread = readThread(params, chat, replyTo);
    const group = String(13_100_000_000_000_000n + BigInt(chat.nextMessageId) * 1000n + BigInt(Math.abs(chat.chat.id) % 1000));
    return items.map(
      (item) => world.addOutgoing(chat, item.caption, undefined, replyTo, { media: { ...mediaContent(item.file, item.kind), media_group_id: group }, thread }).message,
    );
  }

  function scopeKey(params: Params): string {
    const scope = optJson(params, "scope") ?? { type: "default" };
    if (!isRecord(scope) || typeof scope.type !== "string" || !SCOPES.has(scope.type)) {
      throw badRequest("can't parse BotCommandScope: Unsupported type specified");
    }
    const language = optString(params, "language_code") ?? "";
    if (language !== "" && !/^[a-z]{2}$/.test(language)) throw badRequest("invalid language code specified");
    const chat = scope.type.startsWith("chat") ? String(scope.chat_id ?? "") : "";
    if (scope.type.startsWith("chat") && chat === "") throw badRequest(TEXT.chatIdEmpty);
    const user = scope.type === "chat_member" ? String(scope.user_id ?? "") : "";
    return `${scope.type}|${chat}|${user}|${language}`;
  }

  function textSetting(name: string, max: number, field: string): [MethodHandler, MethodHandler] {
    const set: MethodHandler = (params) => {
      const value = optString(params, field) ?? "";
      if ([...value].length > max) throw badRequest(`${field} is too long`);
      settings.set(`${name}|${optString(params, "language_code") ?? ""}`, value);
      return true;
    };
    const get: MethodHandler = (params) => ({
      [field]: String(settings.get(`${name}|${optString(params, "language_code") ?? ""}`) ?? ""),
    });
    return [set, get];
  }

  const [setMyDescription, getMyDescription] = textSetting("description", 512, "description");
  const [setMyShortDescription, getMyShortDescription] = textSetting("short", 120, "short_description");
  const [setMyName, getMyName] = textSetting("name", 64, "name");

  const handlers: Record<string, MethodHandler> = {
    getMe: () => world.bot,

    getUpdates: (params, signal) => {
      updates.setAllowedUpdates(optJson(params, "allowed_updates"));
      const limit = optInt(params, "limit") ?? 100;
      return updates.getUpdates(
        optInt(params, "offset") ?? 0,
        limit < 1 || limit > 100 ? 100 : limit,
        Math.max(0, optInt(params, "timeout") ?? 0),
        signal,
      );
    },

    setWebhook: (params) => {
      const url = optString(params, "url") ?? "";
      const drop = optBool(params, "drop_pending_updates") ?? false;
      if (url === "") return new Described(true, updates.deleteWebhook(drop));
      const secret = optString(params, "secret_token") || undefined;
      if (secret !== undefined && secret.length > 256) throw badRequest("secret token is too long");
      if (secret !== undefined && !/^[A-Za-z0-9_-]+$/.test(secret)) {
        throw badRequest("secret token contains unallowed characters");
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest("bad webhook: invalid URL");
      }
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
        throw badRequest("bad webhook: HTTPS URL must be provided for webhook");
      }
      if (!isLoopback(parsed.hostname)) {
        throw badRequest("bad webhook: the fake Bot API only delivers to 127.0.0.1, localhost or [::1]");
      }
      updates.setAllowedUpdates(optJson(params, "allowed_updates"));
      const maxConnections = Math.min(100, Math.max(1, optInt(params, "max_connections") ?? 40));
      return new Described(true, updates.setWebhook({ url, secretToken: secret, maxConnections }, drop));
    },

    deleteWebhook: (params) => new Described(true, updates.deleteWebhook(optBool(params, "drop_pending_updates") ?? false)),

    getWebhookInfo: () => updates.webhookInfo(),

    sendMessage: (params) => {
      const text = readFormattedText(params, ctx.strictHtml);
      checkLinkPreviewOptions(params);
      const markup = readReplyMarkup(params);
      const chat = resolveChat(params);
      const replyTo = readReplyTo(params, chat);
      const thread = readThread(params, chat, replyTo);
      return world.addOutgoing(chat, text, markup, replyTo, { thread }).message;
    },

    sendPhoto: sendFile("photo"),

    sendDocument: sendFile("document"),

    sendMediaGroup,

    getFile: (params) => {
      const id = optString(params, "file_id");
      if (id === undefined || id === "") throw badRequest('parameter "file_id" is required');
      return world.files.getFile(id);
    },

    createForumTopic: (params) => {
      const chat = resolveChat(params);
      if (chat.chat.type !== "supergroup" || !chat.chat.is_forum) throw badRequest("the chat is not a forum");
      if (chat.noTopicRights) throw badRequest("not enough rights to create a topic");
      const name = optString(params, "name") ?? "";
      if (name === "") throw badRequest('parameter "name" is required');
      // 1-128 characters; counted in UTF-16 units like message texts (an emoji counts two).
      if (name.length > 128) throw badRequest("TOPIC_NAME_INVALID");
      const iconColor = optInt(params, "icon_color") ?? 0x6fb9f0;
      if (!TOPIC_COLORS.has(iconColor)) throw badRequest("TOPIC_ICON_COLOR_INVALID");
      const thread = chat.nextMessageId;
      chat.topics.set(thread, { name, icon_color: iconColor });
      world.addOutgoing(chat, undefined, undefined, undefined, {
        thread,
        service: { forum_topic_created: { name, icon_color: iconColor } },
      });
      return { message_thread_id: thread, name, icon_color: iconColor };
    },

    editMessageText: (params) => {
      if (optString(params, "inline_message_id") !== undefined) throw badRequest("MESSAGE_ID_INVALID");
      const text = readFormattedText(params, ctx.strictHtml);
      checkLinkPreviewOptions(params);
      const markup = readReplyMarkup(params, true);
      const chat = resolveChat(params);
      const stored = findMessage(chat, params, TEXT.messageToEditNotFound);
      if (!stored.fromBot) throw badRequest("message can't be edited");
      if (stored.message.text === undefined) throw badRequest("there is no text in the message to edit");
      const keyboard = markup?.kind === "inline" ? markup.markup : undefined;
      const unchanged =
        stored.message.text === text.text &&
        canonical(stored.message.entities ?? []) === canonical(text.entities) &&
        canonical(stored.message.reply_markup) === canonical(keyboard);
      if (unchanged) throw badRequest(TEXT.notModified);
      // Like Telegram: an edit without reply_markup removes the inline keyboard.
      world.edit(chat, stored, text, keyboard);
      return stored.message;
    },

    editMessageCaption: (params) => {
      if (optString(params, "inline_message_id") !== undefined) throw badRequest("MESSAGE_ID_INVALID");
      const caption = readCaption(params, ctx.strictHtml);
      const markup = readReplyMarkup(params, true);
      const chat = resolveChat(params);
      const stored = findMessage(chat, params, TEXT.messageToEditNotFound);
      if (!stored.fromBot) throw badRequest("message can't be edited");
      if (stored.message.photo === undefined && stored.message.document === undefined) throw badRequest("there is no caption in the message to edit");
      const keyboard = markup?.kind === "inline" ? markup.markup : undefined;
      const unchanged =
        (stored.message.caption ?? "") === (caption?.text ?? "") &&
        canonical(stored.message.caption_entities ?? []) === canonical(caption?.entities ?? []) &&
        canonical(stored.message.reply_markup) === canonical(keyboard);
      if (unchanged) throw badRequest(TEXT.notModified);
      world.edit(chat, stored, caption, keyboard, "caption");
      if (caption === undefined) stored.source = "";
      return stored.message;
    },

    editMessageReplyMarkup: (params) => {
      if (optString(params, "inline_message_id") !== undefined) throw badRequest("MESSAGE_ID_INVALID");
      const markup = readReplyMarkup(params, true);
      const chat = resolveChat(params);
      const stored = findMessage(chat, params, TEXT.messageToEditNotFound);
      if (!stored.fromBot) throw badRequest("message can't be edited");
      const keyboard: InlineKeyboardMarkup | undefined = markup?.kind === "inline" ? markup.markup : undefined;
      if (canonical(stored.message.reply_markup) === canonical(keyboard)) throw badRequest(TEXT.notModified);
      world.edit(chat, stored, undefined, keyboard);
      return stored.message;
    },

    deleteMessage: (params) => {
      const id = params.chat_id;
      if (id === undefined || id === null || id === "") throw badRequest(TEXT.chatIdEmpty);
      const chat = world.chats.get(Number(id));
      if (chat === undefined) throw badRequest(TEXT.chatNotFound);
      refuseMigrated(chat);
      const stored = findMessage(chat, params, TEXT.messageToDeleteNotFound);
      if (!stored.fromBot && chat.chat.type !== "private") throw badRequest("message can't be deleted");
      stored.deleted = true;
      world.notify(chat, stored);
      return true;
    },

    answerCallbackQuery: (params) => {
      const id = optString(params, "callback_query_id") ?? "";
      const text = optString(params, "text");
      if (text !== undefined && [...text].length > 200) throw badRequest("MESSAGE_TOO_LONG");
      const answer = {
        text,
        show_alert: optBool(params, "show_alert"),
        url: optString(params, "url"),
        cache_time: optInt(params, "cache_time"),
      };
      const clean = Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== undefined));
      if (!world.answerQuery(id, clean)) throw badRequest(TEXT.queryTooOld);
      return true;
    },

    sendChatAction: (params) => {
      const action = optString(params, "action") ?? "";
      resolveChat(params);
      if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
      return true;
    },

    setMyCommands: (params) => {
      const list = readCommands(params);
      const key = scopeKey(params);
      if (list.length === 0) commands.delete(key);
      else commands.set(key, list);
      return true;
    },

    getMyCommands: (params) => structuredClone(commands.get(scopeKey(params)) ?? []),

    deleteMyCommands: (params) => {
      commands.delete(scopeKey(params));
      return true;
    },

    setChatMenuButton: (params) => {
      const button = optJson(params, "menu_button") ?? { type: "default" };
      if (!isRecord(button) || !["commands", "web_app", "default"].includes(String(button.type))) {
        throw badRequest("can't parse menu button: Unsupported type specified");
      }
      settings.set(`menu|${optString(params, "chat_id") ?? ""}`, button);
      return true;
    },

    getChatMenuButton: (params) => settings.get(`menu|${optString(params, "chat_id") ?? ""}`) ?? { type: "default" },

    setMyDescription,
    getMyDescription,
    setMyShortDescription,
    getMyShortDescription,
    setMyName,
    getMyName,
  };
  return new Map(Object.entries(handlers));
}

/** Re-exported for stubs: throw it from a stub to answer with an error. */
export { BotApiError };
