/**
 * Simulated people and groups: the test-facing side of the fake. A FakeUser
 * sends messages and presses buttons (which become updates for the bot) and
 * reads what the bot wrote to them.
 */
import type {
  Chat,
  InlineKeyboardButton,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyKeyboardMarkup,
  User,
} from "grammy/types";
import {
  type BotMessage,
  type CallbackAnswer,
  type ChatState,
  compact,
  GROUP_ANONYMOUS_BOT,
  type MessageMatch,
  type StoredMessage,
  unixNow,
  type WaitForOptions,
  type World,
} from "./state.ts";
import type { UpdateInput } from "./updates.ts";
import { type FileInput, sampleJpeg, samplePdf } from "./files.ts";

/** Fields for `fake.user()`; everything has a default. */
export interface FakeUserInit {
  id?: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  /** Pretend the user wrote to the bot before (so the bot may message them). Default false. */
  started?: boolean;
}

/** Fields for `fake.group()`. */
export interface FakeGroupInit {
  id?: number;
  title?: string;
  /** Default "group"; supergroups get -100… ids. */
  type?: "group" | "supergroup";
  username?: string;
  /** A forum (topics enabled, `is_forum`); needs type "supergroup". */
  forum?: boolean;
  /** In a forum: the bot is an admin allowed to manage topics (createForumTopic). Default true. */
  botManagesTopics?: boolean;
}

/** What `press` / `pressData` return. */
export interface PressResult {
  updateId: number;
  queryId: string;
  /** Resolves when the bot calls answerCallbackQuery for this query. */
  answer: Promise<CallbackAnswer>;
}

/** Options of `send`. */
export interface SendOptions {
  /** Entities to attach instead of the auto-detected ones (bot_command, url, mention, hashtag). */
  entities?: MessageEntity[];
  /** message_id in the same chat this message replies to. */
  replyTo?: number;
  /**
   * In a group: post as an anonymous admin ("Remain anonymous" on), as Telegram delivers it: `from`
   * is @GroupAnonymousBot and `sender_chat` the group; the person stays unknown to the bot.
   */
  anonymous?: boolean;
  /** With `anonymous`: the admin's custom title, which Telegram adds as `author_signature`. */
  signature?: string;
  /**
   * In a forum group: the topic (its message_thread_id) the message is posted in. Telegram then
   * adds `is_topic_message`, and without `replyTo` makes it reply to the topic's creation message.
   */
  thread?: number;
}

/** Options of `sendPhoto` / `sendDocument`. */
export interface SendFileOptions extends FileInput {
  caption?: string;
  /** message_id in the same chat this message replies to. */
  replyTo?: number;
  /** Post in this group instead of the private chat with the bot. */
  in?: FakeGroup;
  /** In a forum group: the topic (see SendOptions.thread). */
  thread?: number;
  /** The album (media_group_id) the message belongs to; `sendAlbum` sets it. */
  mediaGroup?: string;
}

/** One item of `sendAlbum`: a photo, or a document (with its name). */
export type AlbumItem = ({ kind: "photo" } | { kind: "document" }) & FileInput & { caption?: string };

/** What people need from the fake. */
export interface PeopleContext {
  world: World;
  enqueue: (update: UpdateInput) => number;
}

let fileCounter = 0;
let albumCounter = 0;

function fileIds(kind: string): { file_id: string; file_unique_id: string } {
  fileCounter++;
  const tail = fileCounter.toString(36).padStart(6, "0");
  return { file_id: `AgACAgIAAxkBAAI${kind}${tail}AAHfake`, file_unique_id: `AQAD${kind}${tail}` };
}

/** Auto-detects the entities Telegram adds to a person's text. */
function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const patterns: [RegExp, "bot_command" | "url" | "mention" | "hashtag"][] = [
    [/(?<=^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?=$|\s)/gu, "bot_command"],
    [/(?<=^|\s)https?:\/\/[^\s]+/gu, "url"],
    [/(?<=^|\s)@[A-Za-z0-9_]{5,32}(?=$|[\s.,!?])/gu, "mention"],
    [/(?<=^|\s)#[\p{L}\p{N}_]+/gu, "hashtag"],
  ];
  for (const [pattern, type] of patterns) {
    for (const match of text.matchAll(pattern)) {
      entities.push({ type, offset: match.index, length: match[0].length });
    }
  }
  return entities.sort((a, b) => a.offset - b.offset);
}

function buttonMatches(button: InlineKeyboardButton, query: string | RegExp, exact: boolean): boolean {
  if (query instanceof RegExp) return query.test(button.text);
  return exact ? button.text === query : button.text.includes(query);
}

/** Reading a chat's bot messages; shared by users (private chat) and groups. */
abstract class ChatView {
  protected constructor(
    protected readonly ctx: PeopleContext,
    protected readonly state: ChatState,
    protected readonly label: string,
  ) {}

  /** All bot messages in this chat, oldest first (snapshots; deleted ones included, flagged). */
  get messages(): BotMessage[] {
    return this.ctx.world.botMessages(this.state);
  }

  /** The newest bot message that is not deleted; throws if there is none. */
  last(): BotMessage {
    const last = this.messages.filter((m) => !m.deleted).at(-1);
    if (last === undefined) throw new Error(`The bot has not written anything yet.\n${this.describe()}`);
    return last;
  }

  /** Button texts of a message's inline keyboard (default: the newest message that has one). */
  buttons(messageId?: number): string[] {
    const candidates = this.messages.filter((m) => !m.deleted && m.reply_markup !== undefined);
    const message = messageId === undefined ? candidates.at(-1) : candidates.find((m) => m.message_id === messageId);
    return message?.reply_markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
  }

  /** The reply keyboard currently shown in this chat, if any. */
  replyKeyboard(): ReplyKeyboardMarkup | undefined {
    return this.state.replyKeyboard === undefined ? undefined : structuredClone(this.state.replyKeyboard);
  }

  /**
   * The first bot message (new, or edited after this call) that matches: a
   * substring, a RegExp or a predicate. Rejects after `timeoutMs` (15000) with a
   * dump of the chat and of failed API calls for it.
   */
  waitFor(match: MessageMatch, options: WaitForOptions = {}): Promise<BotMessage> {
    return this.ctx.world.waitFor(this.state, match, options, this.label);
  }

  /** The chat as text: recent messages and failed calls (for debugging). */
  describe(): string {
    return this.ctx.world.describeChat(this.state, this.label);
  }

  /** Finds a callback button and enqueues the callback_query update. */
  protected pressButton(from: User, query: string | RegExp, messageId: number | undefined): PressResult {
    const withKeyboards = [...this.state.messages.values()]
      .filter((s) => s.fromBot && !s.deleted && s.message.reply_markup !== undefined)
      .reverse();
    const targets = messageId === undefined ? withKeyboards : withKeyboards.filter((s) => s.message.message_id === messageId);
    for (const stored of targets) {
      const flat = stored.message.reply_markup?.inline_keyboard.flat() ?? [];
      const button = flat.find((b) => buttonMatches(b, query, true)) ?? flat.find((b) => buttonMatches(b, query, false));
      if (button === undefined) continue;
      if (!("callback_data" in button)) {
        const kind = Object.keys(button).filter((k) => k !== "text").join(", ");
        throw new Error(
          `Button "${button.text}" in message #${stored.message.message_id} is not a callback button (${kind}); ` +
            "pressing it sends nothing to the bot.",
        );
      }
      return this.enqueueCallback(from, stored, button.callback_data);
    }
    const available = withKeyboards
      .map((s) => `  #${s.message.message_id}: ${(s.message.reply_markup?.inline_keyboard.flat() ?? []).map((b) => JSON.stringify(b.text)).join(" | ")}`)
      .join("\n");
    const where = messageId === undefined ? "" : ` in message #${messageId}`;
    throw new Error(
      `No inline button matching ${typeof query === "string" ? JSON.stringify(query) : String(query)}${where} ` +
        `in the chat with ${this.label}. Buttons available (newest message first):\n${available || "  (none)"}`,
    );
  }

  /** Enqueues a callback_query for `stored` carrying `data`. */
  protected enqueueCallback(from: User, stored: StoredMessage, data: string): PressResult {
    const { id, answer } = this.ctx.world.newQuery(from.id);
    const updateId = this.ctx.enqueue({
      callback_query: {
        id,
        from,
        message: structuredClone(stored.message),
        chat_instance: this.state.chatInstance,
        data,
      },
    });
    return { updateId, queryId: id, answer };
  }

  /** The newest bot message, or a given one, for forged callback queries. */
  protected botMessage(messageId: number | undefined): StoredMessage {
    const bot = [...this.state.messages.values()].filter((s) => s.fromBot);
    const stored = messageId === undefined ? bot.at(-1) : bot.find((s) => s.message.message_id === messageId);
    if (stored === undefined) {
      throw new Error(`No bot message ${messageId === undefined ? "at all" : `#${messageId}`} in the chat with ${this.label}.`);
    }
    return stored;
  }
}

/** A group chat the bot is a member of. */
export class FakeGroup extends ChatView {
  /** @internal Use `fake.group()`. */
  constructor(ctx: PeopleContext, readonly chat: Chat.GroupChat | Chat.SupergroupChat) {
    super(ctx, ctx.world.ensureChat(chat), `group "${chat.title}"`);
  }

  get id(): number {
    return this.chat.id;
  }

  /** @internal The chat state, for FakeUser.sendIn/pressIn. */
  get chatState(): ChatState {
    return this.state;
  }

  /** @internal */
  pressAs(from: User, query: string | RegExp, messageId: number | undefined): PressResult {
    return this.pressButton(from, query, messageId);
  }

  /**
   * A person (`by`) creates a topic in this forum, as in a Telegram app: a `forum_topic_created`
   * service message whose message_id is the topic's message_thread_id (the bot gets no update
   * for it: the fake does not deliver service messages of topics). Returns the thread id.
   */
  createTopic(by: FakeUser, name: string): number {
    if (this.chat.type !== "supergroup" || !this.chat.is_forum) throw new Error(`createTopic: ${this.label} is not a forum`);
    const thread = this.state.nextMessageId;
    this.ctx.world.addIncoming(this.state, by.info, {
      message_thread_id: thread,
      is_topic_message: true,
      forum_topic_created: { name, icon_color: 0x6fb9f0 },
    });
    this.state.topics.set(thread, { name, icon_color: 0x6fb9f0 });
    return thread;
  }

  /** The forum topics of this group (thread id → name), including those the bot created. */
  topics(): Map<number, string> {
    return new Map([...this.state.topics].map(([id, t]) => [id, t.name]));
  }

  /**
   * An admin (`by`) upgrades this basic group to a supergroup, as Telegram does: the group's
   * messages move to the supergroup (keeping their ids), the bot gets a service message with
   * `migrate_to_chat_id` in the old chat and one with `migrate_from_chat_id` in the new one (sent
   * in the supergroup's name), and from then on the old id refuses every call. Returns the
   * supergroup; this object keeps naming the old chat. `unheard`: the bot never gets the two
   * service messages (as when they expired while it was down), so only refused calls tell it.
   */
  migrateToSupergroup(by: FakeUser, options: { id?: number; unheard?: boolean } = {}): FakeGroup {
    const old = this.chat;
    const chat: Chat.SupergroupChat = { id: options.id ?? Number(`-100${String(-old.id).padStart(10, "0")}`), type: "supergroup", title: old.title };
    const farewell = this.ctx.world.addIncoming(this.state, by.info, { migrate_to_chat_id: chat.id });
    const state = this.ctx.world.migrateChat(this.state, chat);
    const greeting = this.ctx.world.addIncoming(state, GROUP_ANONYMOUS_BOT, { sender_chat: chat, migrate_from_chat_id: old.id });
    if (!options.unheard) {
      this.ctx.enqueue({ message: farewell as Message & { chat: Chat.GroupChat; from: User } });
      this.ctx.enqueue({ message: greeting as Message & { chat: Chat.SupergroupChat; from: User } });
    }
    return new FakeGroup(this.ctx, chat);
  }
}

/** A person talking to the bot. Create with `fake.user()`. */
export class FakeUser extends ChatView {
  /** The user's Telegram User object (as in `message.from`). */
  readonly info: User;
  readonly chat: Chat.PrivateChat;

  /** @internal Use `fake.user()`. */
  constructor(ctx: PeopleContext, info: User, started: boolean) {
    const chat = compact<Chat.PrivateChat>({
      id: info.id,
      type: "private",
      first_name: info.first_name,
      last_name: info.last_name,
      username: info.username,
    });
    super(ctx, ctx.world.ensureChat(chat), `${info.first_name} (user ${info.id})`);
    this.info = info;
    this.chat = chat;
    ctx.world.users.set(info.id, { user: info, started, blocked: false });
  }

  get id(): number {
    return this.info.id;
  }

  private get userState() {
    const state = this.ctx.world.users.get(this.id);
    if (state === undefined) throw new Error(`user ${this.id} vanished`);
    return state;
  }

  /** Enqueues a private message update with `content`; returns its update_id. */
  private sendPrivate(content: Partial<Message>, replyTo?: number): number {
    const state = this.userState;
    if (state.blocked) {
      throw new Error(`${this.label} has blocked the bot; call unblockBot() first (as the Restart button would).`);
    }
    if (state.deactivated) throw new Error(`${this.label} is deactivated (deleted the account) and cannot write.`);
    state.started = true;
    return this.enqueueMessage(this.state, content, replyTo);
  }

  private enqueueMessage(chat: ChatState, content: Partial<Message>, replyTo?: number, from: User = this.info, thread?: number): number {
    if (thread !== undefined) {
      if (!chat.topics.has(thread)) throw new Error(`thread: no forum topic ${thread} in this chat (create it with group.createTopic)`);
      content = { ...content, message_thread_id: thread, is_topic_message: true };
      // A post in a topic that replies to nothing replies to the topic's creation message.
      if (replyTo === undefined) replyTo = thread;
    }
    const reply = replyTo === undefined ? undefined : chat.messages.get(replyTo)?.message;
    if (replyTo !== undefined && reply === undefined) throw new Error(`replyTo: no message #${replyTo} in this chat`);
    // A reply to a message of a topic is in that topic. In a supergroup without topics, a reply
    // still names its reply thread (the first message of the chain), without is_topic_message.
    if (thread === undefined && reply?.is_topic_message && reply.message_thread_id !== undefined) {
      content = { ...content, message_thread_id: reply.message_thread_id, is_topic_message: true };
    } else if (thread === undefined && reply !== undefined && chat.chat.type === "supergroup" && !chat.chat.is_forum) {
      content = { ...content, message_thread_id: reply.message_thread_id ?? reply.message_id };
    }
    let replyToMessage: Message["reply_to_message"];
    if (reply !== undefined) {
      const { reply_to_message: _nested, ...rest } = structuredClone(reply);
      replyToMessage = rest as NonNullable<Message["reply_to_message"]>;
    }
    const message = this.ctx.world.addIncoming(chat, from, { ...content, reply_to_message: replyToMessage });
    this.hideOneTimeKeyboard(chat, message);
    return this.ctx.enqueue({ message: message as Message & { chat: Chat.PrivateChat; from: User } });
  }

  /** Telegram clients hide a one-time keyboard once one of its buttons is used. */
  private hideOneTimeKeyboard(chat: ChatState, message: Message): void {
    const keyboard = chat.replyKeyboard;
    if (keyboard?.one_time_keyboard !== true) return;
    const buttons = keyboard.keyboard.flat();
    const used = buttons.some((b) =>
      typeof b === "string" ? b === message.text : b.text === message.text || (message.contact !== undefined && "request_contact" in b),
    );
    if (used) chat.replyKeyboard = undefined;
  }

  /** Sends a text message in the private chat (bot commands etc. get entities); returns the update_id. */
  send(text: string, options: SendOptions = {}): number {
    const entities = options.entities ?? detectEntities(text);
    return this.sendPrivate({ text, ...(entities.length > 0 ? { entities } : {}) }, options.replyTo);
  }

  /**
   * Shares a contact. With `own: true` it is the user's own contact with
   * `user_id`, as sent by a `request_contact` keyboard button.
   */
  sendContact(phone: string, options: { own?: boolean; first_name?: string; last_name?: string; user_id?: number } = {}): number {
    const own = options.own ?? false;
    const contact = compact({
      phone_number: phone,
      first_name: own ? this.info.first_name : (options.first_name ?? "Contact"),
      last_name: own ? this.info.last_name : options.last_name,
      user_id: own ? this.id : options.user_id,
    });
    return this.sendPrivate({ contact });
  }

  /** Shares a map point (📎 → Location), as Telegram sends it: a `location` message (horizontal accuracy when given). */
  sendLocation(latitude: number, longitude: number, options: { horizontal_accuracy?: number } = {}): number {
    return this.sendPrivate({ location: compact({ latitude, longitude, horizontal_accuracy: options.horizontal_accuracy }) });
  }

  /** Sends a sticker (a regular static one). */
  sendSticker(options: { emoji?: string; set_name?: string } = {}): number {
    const thumb: PhotoSize = { ...fileIds("ST"), width: 128, height: 128, file_size: 5120 };
    return this.sendPrivate({
      sticker: compact({
        ...fileIds("ST"),
        type: "regular" as const,
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        thumbnail: thumb,
        emoji: options.emoji ?? "👍",
        set_name: options.set_name ?? "QazTextileFakeStickers",
        file_size: 24_576,
      }),
    });
  }

  /**
   * Sends a photo (four sizes, like Telegram; the largest holds `bytes`, which the bot can fetch
   * with getFile and the download URL), optionally with a caption, in the private chat or `in` a
   * group (a forum topic with `thread`). Returns the update_id.
   */
  sendPhoto(options: SendFileOptions = {}): number {
    const photo = this.ctx.world.files.addPhoto(options.bytes ?? sampleJpeg());
    return this.sendContent({ photo }, options);
  }

  /** Sends a document (any file, as is: `name`, `mime`, `bytes`), like sendPhoto. */
  sendDocument(options: SendFileOptions = {}): number {
    const name = options.name ?? "document.pdf";
    const document = this.ctx.world.files.addDocument(options.bytes ?? samplePdf(), name, options.mime);
    return this.sendContent({ document }, options);
  }

  /**
   * Sends an album, as Telegram apps do: one update per item sharing a media_group_id (photos,
   * or documents; Telegram does not mix documents with photos), the album's caption on the first
   * item. Returns the update_ids.
   */
  sendAlbum(items: AlbumItem[], options: Omit<SendFileOptions, keyof FileInput | "mediaGroup" | "caption"> = {}): number[] {
    if (items.length < 2 || items.length > 10) throw new Error("sendAlbum: an album has 2 to 10 items");
    const kinds = new Set(items.map((i) => i.kind));
    if (kinds.size > 1) throw new Error("sendAlbum: Telegram does not mix documents with photos in an album");
    const mediaGroup = String(13_000_000_000_000_000n + BigInt(++albumCounter));
    return items.map(({ kind, ...item }) =>
      kind === "photo" ? this.sendPhoto({ ...options, ...item, mediaGroup }) : this.sendDocument({ ...options, ...item, mediaGroup }),
    );
  }

  private sendContent(content: Partial<Message>, options: SendFileOptions): number {
    const full = {
      ...content,
      ...(options.caption !== undefined ? { caption: options.caption } : {}),
      ...(options.mediaGroup !== undefined ? { media_group_id: options.mediaGroup } : {}),
    };
    if (options.in === undefined) {
      if (options.thread !== undefined) throw new Error("thread: a private chat has no forum topics");
      return this.sendPrivate(full, options.replyTo);
    }
    return this.enqueueMessage(options.in.chatState, full, options.replyTo, this.info, options.thread);
  }

  /**
   * Presses an inline button (exact text first, then substring; or a RegExp)
   * on the newest bot message that has it, or on `options.message`.
   */
  press(button: string | RegExp, options: { message?: number } = {}): PressResult {
    return this.pressButton(this.info, button, options.message);
  }

  /** A forged callback query with any data, on the newest (or given) bot message. */
  pressData(data: string, messageId?: number): PressResult {
    return this.enqueueCallback(this.info, this.botMessage(messageId), data);
  }

  /** Sends a text message in a group (as an anonymous admin with `options.anonymous`). */
  sendIn(group: FakeGroup, text: string, options: SendOptions = {}): number {
    const entities = options.entities ?? detectEntities(text);
    const content: Partial<Message> = { text, ...(entities.length > 0 ? { entities } : {}) };
    if (!options.anonymous) return this.enqueueMessage(group.chatState, content, options.replyTo, this.info, options.thread);
    const anonymous = { ...content, sender_chat: group.chat, ...(options.signature ? { author_signature: options.signature } : {}) };
    return this.enqueueMessage(group.chatState, anonymous, options.replyTo, GROUP_ANONYMOUS_BOT, options.thread);
  }

  /** Presses an inline button on a bot message in a group. */
  pressIn(group: FakeGroup, button: string | RegExp, options: { message?: number } = {}): PressResult {
    return group.pressAs(this.info, button, options.message);
  }

  /** Blocks the bot: later sends get 403, and the bot receives a my_chat_member update (kicked). */
  blockBot(): number {
    this.userState.blocked = true;
    return this.enqueueMemberChange("member", "kicked");
  }

  /**
   * Deletes the account: every later send to it gets 403 "Forbidden: user is deactivated" (Telegram
   * sends the bot no update for it). It cannot write any more.
   */
  deactivate(): void {
    this.userState.deactivated = true;
  }

  /** Unblocks the bot (my_chat_member update back to member). */
  unblockBot(): number {
    this.userState.blocked = false;
    return this.enqueueMemberChange("kicked", "member");
  }

  private enqueueMemberChange(from: "member" | "kicked", to: "member" | "kicked"): number {
    const member = (status: "member" | "kicked") =>
      status === "member"
        ? { status, user: this.ctx.world.botUser }
        : { status, user: this.ctx.world.botUser, until_date: 0 };
    return this.ctx.enqueue({
      my_chat_member: {
        chat: this.chat,
        from: this.info,
        date: unixNow(),
        old_chat_member: member(from),
        new_chat_member: member(to),
      },
    });
  }
}
