/**
 * The channel-neutral contract between the core and its adapters (Telegram, WhatsApp, console).
 * Adapters turn platform events into `Inbound` and deliver `Outbound`; the core decides everything.
 */

export const CHANNELS = ["telegram", "whatsapp", "console"] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** What a person did. */
export type InboundEvent =
  /** Typed text, including commands such as "/start" (adapters strip a "@botname" suffix). */
  | { type: "text"; text: string }
  /** A pressed button: the `data` of a choice the core sent. Untrusted: anyone can forge it. */
  | { type: "choice"; data: string }
  /** A shared contact; `own` when it is the sender's own (Telegram's "share my phone" button). */
  | { type: "contact"; phone: string; own: boolean; userId?: string }
  /**
   * A photo or a document (one per event: a Telegram album arrives as several updates sharing
   * `Inbound.mediaGroup`). The adapter fills `file` from the platform's announcement; before the
   * turn runs, the core fetches and keeps the bytes (core/files) and adds `stored` (what the bytes
   * are) or `refused` (why they are not kept), so flows never see a file that is not on disk.
   */
  | { type: "file"; file: InboundFileRef; caption?: string; stored?: StoredFileInfo; refused?: FileRefusal }
  /** A shared map point (Telegram's location; issue 8: an event's venue on the map). Untrusted: range-checked by its reader. */
  | { type: "location"; latitude: number; longitude: number }
  /** Anything the bot cannot read yet (sticker, voice, video...), so it can say so. */
  | { type: "unsupported"; kind: string }
  /**
   * The channel (re)opened the chat (the console at start): show again the question its
   * conversation waits at, if any. Not an answer; nothing is stored.
   */
  | { type: "resume" }
  /**
   * The chat got a new id and keeps its messages under it (Telegram: a group upgraded to a
   * supergroup). Announced in the old chat and in the new one; either may come first.
   */
  | { type: "chat-moved"; from: string; to: string }
  /**
   * The person blocked the bot (`reachable` false) or unblocked it (true) in their private chat
   * (Telegram's my_chat_member update). Nobody is answered; blocked people stop counting as
   * recipients at once, not only after a send is refused.
   */
  | { type: "reachability"; reachable: boolean };

/** A file as the platform announced it, before the core fetched it. Every field is the sender's claim. */
export interface InboundFileRef {
  /** How the platform shows it: a compressed photo, or a document (any file, sent as is). */
  kind: "photo" | "document";
  /** The platform's handle to download it (Telegram: file_id). */
  platformId: string;
  /**
   * Whether `platformId` can send the file again later, so that the core keeps it with the file
   * (Telegram's file_id: yes, the default). False where it only names the received message for the
   * download (WhatsApp: the message id, which carries the sender's chat id, a phone number: kept, it
   * would outlive the person's erasure).
   */
  reusable?: boolean;
  /** The file name the sender's app gave (documents). Untrusted: shown escaped, never used as a path. */
  name?: string;
  /** The type the sender's app claimed. Untrusted: the core sniffs the bytes. */
  mime?: string;
  /** Size in bytes as the platform says, when it says (lets the core refuse before downloading). */
  size?: number;
}

/** A file the core keeps (core/files): content-addressed on disk, described in `StoredFile`. */
export interface StoredFileInfo {
  /** The `StoredFile` row. */
  id: number;
  sha256: string;
  size: number;
  /** Sniffed from the bytes (file-type), e.g. "image/jpeg", "application/pdf". */
  mime: string;
  kind: "photo" | "document";
}

/** Why a file was not kept: over the platform's download limit, a type refused (executables, scripts), or it could not be fetched. */
export type FileRefusal = "too-big" | "type" | "unavailable";

export interface Inbound {
  /**
   * Unique per platform event (e.g. "telegram:<bot>:<update_id>"). The same id twice is a
   * redelivery and changes nothing. Console input has none.
   */
  id?: string;
  channel: ChannelName;
  /** Where replies go: a chat id, a WhatsApp id, a console persona. */
  chatId: string;
  /** Who acted: the same as chatId in a private chat, the sender in a group. */
  userId: string;
  chatType: "private" | "group";
  /** The client's language tag (Telegram's language_code), a hint for the first answer. */
  languageHint?: string;
  /**
   * The sender's phone number as the platform vouches for it, E.164 ("+77011234567"): WhatsApp
   * chats are phone numbers. Used only in the moment, to offer it at the phone question (the
   * person confirms it or types another); stored only after consent, like a typed one.
   */
  phone?: string;
  /** The sender's display name, used only in the moment (e.g. "approved by …"); never stored for members. */
  displayName?: string;
  /** The platform id of the message this one replies to (in a group, an answer must reply to the question). */
  replyTo?: string;
  /**
   * For a pressed button: the platform id of the message that carries it. A copy the bot sent but
   * never recorded (its answer was lost) is found by it and brought up to date.
   */
  messageId?: string;
  /**
   * Messages sent together as one (Telegram's media_group_id of an album) share this id: the
   * person gets one answer for all of them.
   */
  mediaGroup?: string;
  /**
   * Posted by an anonymous admin of the group in the group's name (Telegram: `sender_chat` is the
   * group itself): who it is cannot be known, and `userId` is the group's id.
   */
  asGroup?: true;
  /**
   * The thread the message was posted in, where the platform has threads (a Telegram forum
   * topic's message_thread_id, for messages with is_topic_message).
   */
  threadId?: string;
  event: InboundEvent;
}

/**
 * What a channel can show, read by the core instead of testing channel names.
 * - `buttons`: real buttons that carry their data (Telegram's inline keyboard). Without them
 *   (console, WhatsApp text) the core numbers the options uniquely across every message still
 *   shown, so that any of them can be chosen by typing its number.
 * - `shareContact`: a "share my phone number" button; without it, the phone is typed.
 */
/** Capabilities with the display features settled (defaults filled in). */
export type ResolvedCapabilities = ChannelCapabilities & { buttons: boolean; shareContact: boolean };

/** What a channel that declares nothing is taken to have (Telegram's set, no send limits). */
export const DEFAULT_CAPABILITIES: ResolvedCapabilities = { buttons: true, shareContact: true };

/** A button: the `data` comes back in a choice event when it is pressed. */
export interface ChoiceButton {
  data: string;
  label: string;
  /**
   * What to type to choose it, on channels without real buttons ("3"): unique among the options
   * of every message still shown in that chat. Absent where the channel has real buttons. Empty
   * ("") for an option of a question whose answer is a typed number (MessageSpec.numeric): shown
   * unnumbered ("• No limit") and chosen by its text.
   */
  key?: string;
}

export interface OutboundMessage {
  /** Rich text (see rich-text.ts), already in the recipient's language. */
  text: string;
  /** Rows of buttons (inline keyboard on Telegram, a numbered list elsewhere). */
  choices?: ChoiceButton[][];
  /** Offer the platform's "share my phone number" button, with this label. */
  requestPhone?: string;
  /** Take away a "share my phone" keyboard shown earlier. */
  removeKeyboard?: boolean;
  /** Ask a group member to answer by replying (Telegram force_reply, selective to the mentioned user). */
  replyFrom?: { userId: string; name: string };
  /**
   * Files sent with the text (the text becomes their caption where it fits: Telegram 1,024
   * characters, else it goes as a message of its own first). Several files go as one album where
   * the platform has them (Telegram sendMediaGroup: 2 to 10 photos, or 2 to 10 documents).
   */
  files?: OutboundFile[];
  /** Send inside this thread (Telegram: message_thread_id of a forum topic). */
  threadId?: string;
  /** Reply to this platform message id (Telegram reply_parameters, allow_sending_without_reply). */
  replyTo?: string;
  /**
   * Open a new thread with this title first, where the chat has threads (a Telegram forum
   * supergroup: createForumTopic), and send the message in it; elsewhere sent as a plain message.
   * `deliver` returns the new thread's id. Rich text like `text` (one line): the title is its
   * visible text (core/rich-text.ts toPlain).
   */
  openThread?: string;
  /**
   * Send it under the platform's paid high-rate mode (Telegram: `allow_paid_broadcast`, billed per
   * message). Set by the delivery engine, never by flows: for bulk-lane rows when the channel
   * declares `limits.paid` (the mode is on), and such a message is charged to that bucket instead
   * of the global one.
   */
  paid?: true;
}

/** A kept file to send (core/files): the adapter reads the bytes from `path`, or reuses `platformId`. */
export interface OutboundFile {
  /** The `StoredFile` row. */
  id: number;
  kind: "photo" | "document";
  /** Absolute path of the bytes on disk (data/files/...). */
  path: string;
  /** The name to show (documents); safe for the platform (no path, no control characters). */
  name: string;
  mime: string;
  size: number;
  /** This channel's id for the same file from an earlier send or receipt, reused while the platform accepts it. */
  platformId?: string;
}

export type Outbound =
  | { kind: "send"; message: OutboundMessage }
  /**
   * Replace a message sent earlier (found by tag through SentMessage): its text, or its caption when
   * it was sent with a file (the adapter tells which, e.g. Telegram's "no text in the message" answer
   * to editMessageText), and its buttons. `message.files`, `openThread`, `threadId`, `replyTo` are not set.
   */
  | { kind: "edit"; messageId: string; message: OutboundMessage };

/** Why a delivery failed, which decides what the dispatcher does next. */
export type DeliveryFailure =
  /** The person blocked the bot or cannot be reached at all: mark unreachable, do not retry. */
  | "unreachable"
  /** The platform refused this message (bad request): drop it, log it, do not retry. */
  | "rejected"
  /** A transient failure (network, 5xx, rate limit): retry later. */
  | "retry"
  /**
   * The channel cannot send anything (a revoked token): the message stays in the outbox, delivery
   * on this channel pauses, and the process is told (it should stop with an error).
   */
  | "fatal";

/**
 * Which sends a rate-limit answer (429) holds back: every chat of the channel, or this chat only.
 * A "global" answer to a paid message (OutboundMessage.paid) holds back the paid messages only:
 * the platform counts them apart.
 */
export type LimitScope = "global" | "chat";

export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    readonly retryAfterMs?: number,
    /** For a rate limit: what it applies to (default "chat"). */
    readonly scope?: LimitScope,
    /** The chat has a new id (a group upgraded to a supergroup): deliver there instead. */
    readonly movedTo?: string,
  ) {
    super(message);
  }
}

/** A token bucket: `burst` sends at once, then one per `everyMs` on average. */
export interface RateLimit {
  burst: number;
  everyMs: number;
}

/** ChannelCapabilities.limits.chatSwitch: the pause between messages to different chats (ms). */
export interface ChatSwitch {
  pauseMs: number;
  jitterMs: number;
}

/** ChannelCapabilities.limits.firstMessages: the daily cap on messages to people who have not written lately. */
export interface FirstMessages {
  /** Messages a day (Asia/Almaty); 0: none. */
  perDay: number;
  /** How recent a person's last message must be for a message to them not to count (ms). */
  quietMs: number;
  /** The DailyCounter key, e.g. "whatsapp:first". */
  counter: string;
}

/**
 * What a channel can do and how fast it may send, declared by the adapter so that the core never
 * tests channel names. Limits are the platform's published ones, kept a little below; absent
 * display features default to DEFAULT_CAPABILITIES.
 */
export interface ChannelCapabilities {
  /** Real buttons (an inline keyboard); without them the options are numbered for typing. */
  buttons?: boolean;
  /** A "share my phone number" button. */
  shareContact?: boolean;
  /**
   * A turn's consecutive messages to a chat may be merged into one where the content allows
   * (core/outbox/coalesce.ts): for platforms that limit messages per chat (Telegram: about one a
   * second). Default false: every message is delivered as the turn wrote it.
   */
  mergeMessages?: boolean;
  /** The largest file the platform lets the bot download, in bytes (Telegram Bot API: 20 MB). */
  maxDownloadBytes?: number;
  limits?: {
    /** All sends of the bot together. */
    global?: RateLimit;
    /** Per private chat. */
    privateChat?: RateLimit;
    /** Per group chat. */
    group?: RateLimit;
    /**
     * The platform's paid bulk mode, when the operator turned it on (Telegram: paid broadcasts, up
     * to 1,000 a second, billed in Stars). Bulk-lane messages are then sent flagged
     * (`OutboundMessage.paid`) and charged to this bucket instead of `global`; they still keep the
     * per-chat limits. Absent: bulk messages share `global` with everything else.
     */
    paid?: RateLimit;
    /**
     * A pause between messages to different chats (platforms that ban numbers which write to many
     * people quickly: WhatsApp through an unofficial client). A message to another chat than the
     * channel's last one is sent at least `pauseMs` plus a random 0..`jitterMs` (drawn anew at each
     * change of chat) after the last message; the messages of one chat that follow each other (a
     * turn's several answers) go without it. Shared by every instance through OutboxPace.
     */
    chatSwitch?: ChatSwitch;
    /**
     * A daily cap on messages that open a conversation: a notice or bulk message (never a
     * conversation answer) to a chat whose person has not written within `quietMs`
     * (ChannelIdentity.lastInboundAt) counts against `perDay` a calendar day (Asia/Almaty, counted in
     * DailyCounter under `counter`). Over the cap the message waits for the next day.
     */
    firstMessages?: FirstMessages;
  };
  /** Whether a chat id names a group (so that the group limit applies). */
  isGroup?(chatId: string): boolean;
  /**
   * How many platform messages sending `message` with `files` files takes, as the platform counts
   * them against its `limits` (Telegram: an album is one message per item, a long text one per
   * part). The pacer charges a delivery this many tokens. Default 1.
   */
  messageCount?(message: OutboundMessage, files: number): number;
}

/** An adapter's delivery side. */
export interface ChannelSender {
  readonly channel: ChannelName;
  /** Limits and features; none means "no limits". */
  readonly capabilities?: ChannelCapabilities;
  /**
   * Delivers one outbound to a chat; resolves with the platform's message id, throws DeliveryError.
   * `signal` aborts the call at shutdown (whether the platform stored the message is then unknown).
   */
  deliver(chatId: string, outbound: Outbound, signal?: AbortSignal): Promise<Delivered>;
  /**
   * Fetches the bytes of a file a person sent (Telegram: getFile, then the file download URL).
   * Throws DeliveryError("rejected") when the platform will not serve it (Telegram: over 20 MB).
   */
  download?(file: InboundFileRef, signal?: AbortSignal): Promise<Uint8Array>;
}

/** What a delivery produced. */
export interface Delivered {
  /**
   * The platform's id of the message that carries the text (or the caption) and the buttons: the
   * last part of a split text, the captioned file of a message with files. An edit by tag edits
   * this one only (the other messages of `messageIds` are recorded so that a reply to any of them
   * is found by the tag, never edited).
   */
  messageId: string;
  /** The ids of every message sent for this outbound (an album, a text split in parts), first to last. */
  messageIds?: string[];
  /** The thread the message opened (OutboundMessage.openThread) or was sent in. */
  threadId?: string;
  /**
   * The thread it was to go into (OutboundMessage.threadId) is gone (Telegram: a forum topic
   * deleted): it was sent in the chat without it, and without its reply. The dispatcher then
   * forgets that thread for the chat, so later messages do not try it first.
   */
  threadLost?: true;
  /** Per file sent, in order: the platform's id for it now (Telegram file_id), to reuse next time. */
  platformIds?: string[];
}

/** The core's answer to one inbound, for what the adapter must do in the moment. */
export interface TurnResult {
  /** A redelivered event, skipped. */
  duplicate?: boolean;
  /** A short notice for the person, e.g. a Telegram callback-query toast. */
  notice?: string;
  /** The press was an answer the core accepted, so its buttons can be taken away. */
  consumed?: boolean;
}
