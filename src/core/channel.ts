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
  /** Anything the bot cannot read yet (sticker, photo, voice...), so it can say so. */
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
  | { type: "chat-moved"; from: string; to: string };

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
   * of every message still shown in that chat. Absent where the channel has real buttons.
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
}

export type Outbound =
  | { kind: "send"; message: OutboundMessage }
  /** Replace a message sent earlier (found by tag through SentMessage). */
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

/** Which sends a rate-limit answer (429) holds back: every chat of the channel, or this chat only. */
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
  limits?: {
    /** All sends of the bot together. */
    global?: RateLimit;
    /** Per private chat. */
    privateChat?: RateLimit;
    /** Per group chat. */
    group?: RateLimit;
  };
  /** Whether a chat id names a group (so that the group limit applies). */
  isGroup?(chatId: string): boolean;
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
  deliver(chatId: string, outbound: Outbound, signal?: AbortSignal): Promise<{ messageId: string }>;
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
