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
}

/** A bot message as tests see it: a snapshot taken when it was read. */
export interface BotMessage {
  message_id: number;
  chat_id: number;
  /** Plain text after entity parsing (what the user reads). */
  text: string;
  /** The `text` parameter exactly as the bot sent it (HTML source for parse_mode HTML). */
  html: string;
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
  /** Default 5000. */
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
  const body = m.text !== undefined ? JSON.stringify(m.text) : m.contact ? "[contact]" : m.sticker ? "[sticker]" : m.photo ? "[photo]" : "[message]";
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

  /** Stores a message the bot sent and tells waiters about it. */
  addOutgoing(chat: ChatState, text: FormattedText, markup: ReplyMarkup | undefined, replyTo: Message | undefined): StoredMessage {
    const message = compact({
      message_id: chat.nextMessageId++,
      from: this.botUser,
      chat: chat.chat,
      date: unixNow(),
      reply_to_message: replyTo,
      text: text.text,
      entities: text.entities.length > 0 ? text.entities : undefined,
      reply_markup: markup?.kind === "inline" ? markup.markup : undefined,
    }) as Message;
    const stored: StoredMessage = {
      message,
      fromBot: true,
      source: text.source,
      parseMode: text.parseMode,
      keyboard: markup !== undefined && markup.kind !== "inline" ? markup.markup : undefined,
      edits: 0,
      deleted: false,
    };
    chat.messages.set(message.message_id, stored);
    if (markup?.kind === "keyboard") chat.replyKeyboard = markup.markup;
    else if (markup?.kind === "remove") chat.replyKeyboard = undefined;
    this.notify(chat, stored);
    return stored;
  }

  /** Replaces text and/or inline keyboard of a bot message (an edit). */
  edit(chat: ChatState, stored: StoredMessage, text: FormattedText | undefined, markup: InlineKeyboardMarkup | undefined): void {
    const { entities: _e, reply_markup: _r, edit_date: _d, ...rest } = stored.message;
    stored.message = compact({
      ...rest,
      text: text?.text ?? stored.message.text,
      entities: text ? (text.entities.length > 0 ? text.entities : undefined) : stored.message.entities,
      edit_date: unixNow(),
      reply_markup: markup,
    }) as Message;
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

  /** The test-facing snapshot of a stored bot message. */
  snapshot(chatId: number, stored: StoredMessage): BotMessage {
    const m = structuredClone(stored.message);
    return {
      message_id: m.message_id,
      chat_id: chatId,
      text: m.text ?? "",
      html: stored.source,
      parse_mode: stored.parseMode,
      entities: m.entities ?? [],
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
    return [...chat.messages.values()].filter((s) => s.fromBot).map((s) => this.snapshot(chat.chat.id, s));
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
    const timeoutMs = options.timeoutMs ?? 5000;
    const predicate = (m: BotMessage): boolean =>
      typeof match === "string" ? m.text.includes(match) : match instanceof RegExp ? match.test(m.text) : match(m);
    const baseline = new Map([...chat.messages].map(([id, s]) => [id, s.edits] as const));
    const eligible = (s: StoredMessage): boolean => {
      if (!s.fromBot || s.deleted) return false;
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
