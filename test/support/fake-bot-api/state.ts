/**
 * The simulated Telegram world: users, chats, stored messages and callback
 * queries. Method handlers change it; FakeUser/FakeGroup read it.
 */
import type {
  Chat,
  ForceReply,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  ReplyKeyboardMarkup,
  ReplyKeyboardRemove,
  User,
  UserFromGetMe,
} from "grammy/types";
import type { FormattedText, ReplyMarkup } from "./validation.ts";
import { FileStore, sha256 } from "./files.ts";

/** Chats the fake simulates (no channels). */
export type FakeChat = Chat.PrivateChat | Chat.GroupChat | Chat.SupergroupChat;

/** A message the fake keeps for a chat (from the bot or from a person). */
export interface StoredMessage {
  message: Message;
  fromBot: boolean;
  /** For bot messages: the `text` parameter as sent (HTML source). */
  source: string;
  parseMode: string | undefined;
  /** Non-inline markup the bot attached (reply keyboard, removal, force reply). */
  keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | undefined;
  edits: number;
  deleted: boolean;
  /** A service message (a forum topic's creation): not shown among the bot's messages. */
  service?: boolean;
}

/** A file the bot sent, as tests see it. */
export interface SentFile {
  kind: "photo" | "document";
  /** The file_id Telegram gave (for a photo: the largest size's). */
  file_id: string;
  /** Documents: the file name. */
  name: string | undefined;
  mime: string | undefined;
  bytes: Buffer;
  sha256: string;
}

/** A bot message as tests see it: a snapshot taken when it was read. */
export interface BotMessage {
  message_id: number;
  chat_id: number;
  /** Plain text after entity parsing (what the user reads); a photo's or document's caption. */
  text: string;
  /** The `text` (or `caption`) parameter exactly as the bot sent it (HTML source for parse_mode HTML). */
  html: string;
  /** The photo or document the message carries. */
  file: SentFile | undefined;
  /** The forum topic it is in (message_thread_id), if any. */
  thread: number | undefined;
  /** The message it replies to (explicitly: not a topic's root), if any. */
  reply_to: number | undefined;
  /** Shared by the messages of one album. */
  media_group_id: string | undefined;
  parse_mode: string | undefined;
  entities: MessageEntity[];
  /** The inline keyboard, if any (as Telegram returns it). */
  reply_markup: InlineKeyboardMarkup | undefined;
  /** A reply keyboard / keyboard removal / force reply sent with the message. */
  keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | undefined;
  edits: number;
  deleted: boolean;
  date: number;
  /** The Message object as the Bot API would return it now. */
  message: Message;
}

/** What `waitFor` accepts: substring, pattern or predicate on a bot message. */
export type MessageMatch = string | RegExp | ((message: BotMessage) => boolean);

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** Default 15000 (room for a loaded machine). */
  timeoutMs?: number;
  /**
   * Only messages with a greater message_id count. Without it, messages that
   * exist when `waitFor` is called count only if they are edited later.
   */
  after?: number;
}

/** How the bot answered a callback query. */
export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

/** Per-chat state. */
export interface ChatState {
  chat: FakeChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** The reply keyboard currently shown, if any. */
  replyKeyboard: ReplyKeyboardMarkup | undefined;
  listeners: Set<(stored: StoredMessage) => void>;
  chatInstance: string;
  /** Set once the group was upgraded to a supergroup: every call with the old id is refused. */
  migratedTo?: number;
  /** A forum where the bot is not an admin allowed to manage topics (createForumTopic refused). */
  noTopicRights?: true;
  /** Forum topics by message_thread_id (the id of the topic's creation message). */
  topics: Map<number, { name: string; icon_color: number }>;
}

/**
 * The placeholder sender of messages that an anonymous group admin posts in the group's name
 * (Telegram's @GroupAnonymousBot); such messages carry `sender_chat` = the group.
 */
export const GROUP_ANONYMOUS_BOT: User = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };

/** Per-user state. */
export interface UserState {
  user: User;
  /** Has written to the bot in private (or was created with `started`). */
  started: boolean;
  blocked: boolean;
  /** The account was deleted: every send gets 403 "user is deactivated". */
  deactivated?: boolean;
}

interface QueryState {
  answered: boolean;
  resolve: (answer: CallbackAnswer) => void;
}

interface Waiter {
  timer: NodeJS.Timeout;
  reject: (error: Error) => void;
}

/** Unix time in seconds, like every `date` in the Bot API. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** Copies an object without its `undefined` fields (Telegram omits them). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function describeMessage(stored: StoredMessage): string {
  const m = stored.message;
  const media = m.photo ? "[photo]" : m.document ? `[document ${JSON.stringify(m.document.file_name ?? "")}]` : undefined;
  const body =
    m.text !== undefined
      ? JSON.stringify(m.text)
      : media !== undefined
        ? `${media}${m.caption !== undefined ? ` ${JSON.stringify(m.caption)}` : ""}`
        : m.contact ? "[contact]" : m.sticker ? "[sticker]" : m.forum_topic_created ? `[topic ${JSON.stringify(m.forum_topic_created.name)}]` : "[message]";
  const flags = [stored.edits > 0 ? `edited ${stored.edits}×` : "", stored.deleted ? "deleted" : ""].filter(Boolean).join(", ");
  const buttons = m.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
  const who = stored.fromBot ? "bot " : `${m.from?.first_name ?? "user"} `;
  return `  #${m.message_id} ${who}${body}${flags ? ` (${flags})` : ""}${buttons.length ? ` [buttons: ${buttons.join(" | ")}]` : ""}`;
}

/** The shared state of one fake Bot API server. */
export class World {
  /** The bot as a message sender (`from`): a plain User, not the getMe object. */
  readonly botUser: User;
  readonly users = new Map<number, UserState>();
  readonly chats = new Map<number, ChatState>();
  private readonly queries = new Map<string, QueryState>();
  private readonly waiters = new Set<Waiter>();
  private queryCounter = 0;
  /** Every file's bytes (people's and the bot's). */
  readonly files = new FileStore();

  constructor(
    readonly bot: UserFromGetMe,
    /** Lines describing recent failed API calls for a chat, for error messages. */
    private readonly describeFailures: (chatId: number) => string[],
  ) {
    this.botUser = compact({
      id: bot.id,
      is_bot: true,
      first_name: bot.first_name,
      last_name: bot.last_name,
      username: bot.username,
    });
  }

  /** The chat, created on first use. */
  ensureChat(chat: FakeChat): ChatState {
    let state = this.chats.get(chat.id);
    if (state === undefined) {
      const hash = BigInt.asIntN(64, BigInt(chat.id) * 2654435761n + 7046029254386353131n);
      state = {
        chat,
        nextMessageId: 1,
        messages: new Map(),
        replyKeyboard: undefined,
        listeners: new Set(),
        chatInstance: hash.toString(),
        topics: new Map(),
      };
      this.chats.set(chat.id, state);
    }
    return state;
  }

  /**
   * A group becomes a supergroup, like Telegram's upgrade: the supergroup `to` takes over the
   * group's messages (with their ids, now in the new chat), later messages continue the numbering,
   * and the old id is dead (calls with it are refused with `migrate_to_chat_id`).
   */
  migrateChat(from: ChatState, to: Chat.SupergroupChat): ChatState {
    if (this.chats.has(to.id)) throw new Error(`migrateChat: chat ${to.id} exists already`);
    if (from.chat.type !== "group") throw new Error(`migrateChat: only a basic group can be upgraded (chat ${from.chat.id} is ${from.chat.type})`);
    for (const stored of from.messages.values()) stored.message = { ...stored.message, chat: to } as Message;
    const state: ChatState = {
      chat: to,
      nextMessageId: from.nextMessageId,
      messages: from.messages,
      replyKeyboard: undefined,
      listeners: from.listeners,
      chatInstance: from.chatInstance,
      topics: new Map(),
    };
    from.migratedTo = to.id;
    this.chats.set(to.id, state);
    return state;
  }

  /** Stores a message a person sent; returns the Message for the update. */
  addIncoming(chat: ChatState, from: User, content: Partial<Message>): Message {
    const message = compact({
      message_id: chat.nextMessageId++,
      from,
      chat: chat.chat,
      date: unixNow(),
      ...content,
    }) as Message;
    chat.messages.set(message.message_id, {
      message,
      fromBot: false,
      source: message.text ?? "",
      parseMode: undefined,
      keyboard: undefined,
      edits: 0,
      deleted: false,
    });
    return message;
  }

  /**
   * Stores a message the bot sent and tells waiters about it. `media`: a photo or document (then
   * `text` is its caption, if any); `thread`: the forum topic it goes to (without an explicit
   * reply, Telegram makes a topic message reply to the topic's creation message).
   */
  addOutgoing(
    chat: ChatState,
    text: FormattedText | undefined,
    markup: ReplyMarkup | undefined,
    replyTo: Message | undefined,
    extra: { media?: Partial<Message>; thread?: number; service?: Partial<Message> } = {},
  ): StoredMessage {
    const caption = extra.media !== undefined;
    const message = compact({
      message_id: chat.nextMessageId++,
      from: this.botUser,
      chat: chat.chat,
      date: unixNow(),
      ...(extra.thread !== undefined ? { message_thread_id: extra.thread, is_topic_message: true } : {}),
      reply_to_message: replyTo ?? (extra.thread !== undefined ? this.topicRoot(chat, extra.thread) : undefined),
      ...extra.media,
      ...extra.service,
      [caption ? "caption" : "text"]: text?.text,
      [caption ? "caption_entities" : "entities"]: text && text.entities.length > 0 ? text.entities : undefined,
      reply_markup: markup?.kind === "inline" ? markup.markup : undefined,
    }) as Message;
    const stored: StoredMessage = {
      message,
      fromBot: true,
      source: text?.source ?? "",
      parseMode: text?.parseMode,
      keyboard: markup !== undefined && markup.kind !== "inline" ? markup.markup : undefined,
      edits: 0,
      deleted: false,
      ...(extra.service ? { service: true } : {}),
    };
    chat.messages.set(message.message_id, stored);
    if (markup?.kind === "keyboard") chat.replyKeyboard = markup.markup;
    else if (markup?.kind === "remove") chat.replyKeyboard = undefined;
    this.notify(chat, stored);
    return stored;
  }

  /** Replaces text and/or inline keyboard of a bot message (an edit). */
  edit(
    chat: ChatState,
    stored: StoredMessage,
    text: FormattedText | undefined,
    markup: InlineKeyboardMarkup | undefined,
    /** "caption": `text` replaces a photo's or document's caption (editMessageCaption). */
    field: "text" | "caption" = "text",
  ): void {
    const { entities: _e, caption_entities: _c, reply_markup: _r, edit_date: _d, ...rest } = stored.message;
    const entities = field === "text" ? "entities" : "caption_entities";
    stored.message = compact({
      ...rest,
      [field]: text ? text.text : stored.message[field],
      [entities]: text ? (text.entities.length > 0 ? text.entities : undefined) : stored.message[entities],
      // An edit of the other field keeps this message's own entities.
      ...(field === "text" ? { caption_entities: stored.message.caption_entities } : { entities: stored.message.entities }),
      edit_date: unixNow(),
      reply_markup: markup,
    }) as Message;
    if (field === "caption" && !text) delete (stored.message as { caption?: string }).caption;
    if (text !== undefined) {
      stored.source = text.source;
      stored.parseMode = text.parseMode;
    }
    stored.edits++;
    this.notify(chat, stored);
  }

  /** Tells `waitFor` listeners of the chat about a new or changed message. */
  notify(chat: ChatState, stored: StoredMessage): void {
    for (const listener of [...chat.listeners]) listener(stored);
  }

  /** The creation message of a forum topic, as a topic message's implicit reply_to_message. */
  topicRoot(chat: ChatState, thread: number): Message | undefined {
    const root = chat.messages.get(thread)?.message;
    if (root === undefined) return undefined;
    const { reply_to_message: _nested, ...rest } = structuredClone(root);
    return rest as Message;
  }

  /** The test-facing snapshot of a stored bot message. */
  snapshot(chatId: number, stored: StoredMessage): BotMessage {
    const m = structuredClone(stored.message);
    const fileId = m.photo?.at(-1)?.file_id ?? m.document?.file_id;
    const held = fileId === undefined ? undefined : this.files.get(fileId);
    const file: SentFile | undefined =
      fileId === undefined
        ? undefined
        : {
            kind: m.photo ? "photo" : "document",
            file_id: fileId,
            name: m.document?.file_name,
            mime: m.document?.mime_type ?? (m.photo ? "image/jpeg" : undefined),
            bytes: held?.bytes ?? Buffer.alloc(0),
            sha256: sha256(held?.bytes ?? Buffer.alloc(0)),
          };
    const replyTo = m.reply_to_message?.message_id;
    return {
      message_id: m.message_id,
      chat_id: chatId,
      text: m.text ?? m.caption ?? "",
      html: stored.source,
      file,
      thread: m.message_thread_id,
      reply_to: replyTo !== undefined && replyTo !== m.message_thread_id ? replyTo : undefined,
      media_group_id: m.media_group_id,
      parse_mode: stored.parseMode,
      entities: m.entities ?? m.caption_entities ?? [],
      reply_markup: m.reply_markup,
      keyboard: stored.keyboard === undefined ? undefined : structuredClone(stored.keyboard),
      edits: stored.edits,
      deleted: stored.deleted,
      date: m.date,
      message: m,
    };
  }

  /** All bot messages of a chat, oldest first, as snapshots. */
  botMessages(chat: ChatState): BotMessage[] {
    return [...chat.messages.values()].filter((s) => s.fromBot && !s.service).map((s) => this.snapshot(chat.chat.id, s));
  }

  /** A readable dump of the chat for error messages. */
  describeChat(chat: ChatState, label: string): string {
    const recent = [...chat.messages.values()].slice(-10).map(describeMessage);
    const failures = this.describeFailures(chat.chat.id);
    return [
      `Chat with ${label} (id ${chat.chat.id}), last ${recent.length} messages (oldest first):`,
      ...(recent.length > 0 ? recent : ["  (no messages)"]),
      ...(failures.length > 0 ? ["Failed Bot API calls for this chat:", ...failures] : []),
    ].join("\n");
  }

  /** Resolves with the first matching bot message; see {@link WaitForOptions}. */
  waitFor(chat: ChatState, match: MessageMatch, options: WaitForOptions, label: string): Promise<BotMessage> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const predicate = (m: BotMessage): boolean =>
      typeof match === "string" ? m.text.includes(match) : match instanceof RegExp ? match.test(m.text) : match(m);
    const baseline = new Map([...chat.messages].map(([id, s]) => [id, s.edits] as const));
    const eligible = (s: StoredMessage): boolean => {
      if (!s.fromBot || s.deleted || s.service) return false;
      const id = s.message.message_id;
      if (options.after !== undefined) return id > options.after;
      const editsBefore = baseline.get(id);
      return editsBefore === undefined || s.edits > editsBefore;
    };
    try {
      for (const stored of chat.messages.values()) {
        if (eligible(stored)) {
          const snap = this.snapshot(chat.chat.id, stored);
          if (predicate(snap)) return Promise.resolve(snap);
        }
      }
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<BotMessage>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        chat.listeners.delete(listener);
      };
      const listener = (stored: StoredMessage): void => {
        if (!eligible(stored)) return;
        const snap = this.snapshot(chat.chat.id, stored);
        let matched: boolean;
        try {
          matched = predicate(snap);
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (matched) {
          finish();
          resolve(snap);
        }
      };
      const waiter: Waiter = {
        timer: setTimeout(() => {
          finish();
          const what = typeof match === "function" ? "a predicate" : String(match);
          reject(new Error(`waitFor(${what}) timed out after ${timeoutMs} ms.\n${this.describeChat(chat, label)}`));
        }, timeoutMs),
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      this.waiters.add(waiter);
      chat.listeners.add(listener);
    });
  }

  /** Issues a callback query id; the promise resolves when the bot answers. */
  newQuery(userId: number): { id: string; answer: Promise<CallbackAnswer> } {
    const id = (BigInt(userId) * 1_000_000n + BigInt(++this.queryCounter)).toString();
    let resolve: (answer: CallbackAnswer) => void = () => {};
    const answer = new Promise<CallbackAnswer>((r) => (resolve = r));
    this.queries.set(id, { answered: false, resolve });
    return { id, answer };
  }

  /** Marks a query answered; false if unknown or already answered. */
  answerQuery(id: string, answer: CallbackAnswer): boolean {
    const query = this.queries.get(id);
    if (query === undefined || query.answered) return false;
    query.answered = true;
    query.resolve(answer);
    return true;
  }

  /** Rejects pending `waitFor`s (the fake is closing). */
  close(): void {
    for (const waiter of [...this.waiters]) waiter.reject(new Error("the fake Bot API was closed"));
  }
}
