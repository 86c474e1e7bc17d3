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
   * Posted by an anonymous admin of the group in the group's name (Telegram: `sender_chat` is the
   * group itself): who it is cannot be known, and `userId` is the group's id.
   */
  asGroup?: true;
  event: InboundEvent;
}

/** A button: the `data` comes back in a choice event when it is pressed. */
export interface ChoiceButton {
  data: string;
  label: string;
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
  | "retry";

export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    readonly retryAfterMs?: number,
    /** The chat has a new id (a group upgraded to a supergroup): deliver there instead. */
    readonly movedTo?: string,
  ) {
    super(message);
  }
}

/** An adapter's delivery side. */
export interface ChannelSender {
  readonly channel: ChannelName;
  /** Delivers one outbound to a chat; resolves with the platform's message id, throws DeliveryError. */
  deliver(chatId: string, outbound: Outbound): Promise<{ messageId: string }>;
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
