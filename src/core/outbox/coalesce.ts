/**
 * One step, one message: a turn's consecutive messages to the same chat are merged into one where
 * the content allows, when the turn queues them (fewer outbox rows, fewer platform calls, and a
 * person who answers quickly stays under the per-chat limit: Telegram allows about one message a
 * second in a private chat). Typically the acknowledgement of an answer ("✓ BIN: …") and the next
 * question become one message.
 *
 * A message is merged into the chat's previous one of the same turn only when nothing is lost:
 * - the earlier one carries nothing but text (no buttons, no reply keyboard, no force-reply, no
 *   tag: a tagged message is edited later by its tag, and the edit would drop the merged text);
 * - the later one is untagged too and asks no group member to reply (its mention leads the text);
 * - at most one reply markup results: the earlier may take a "share my phone" keyboard away
 *   (`removeKeyboard`) only if the later one shows no markup of its own (a message has one
 *   reply_markup, and inline buttons cannot remove a reply keyboard);
 * - the merged text fits in one message of the smallest platform limit (Telegram's 4096 visible
 *   characters), so it is still one send;
 * - neither carries files, a thread to open, a reply or an anchor: a file's caption has a smaller
 *   limit, and a message replying to another belongs there alone; two messages in a thread (a
 *   turn's answers in a forum topic) merge only when it is the same thread.
 */
import type { OutboundMessage } from "../channel.ts";
import { visibleLength } from "../rich-text.ts";
import type { QueuedMessage } from "../bookkeeping.ts";
import type { QueuedPayload, SendPayload } from "./outbox.ts";

/** The smallest text limit of a message among the channels (Telegram: 4096 characters after entities parsing). */
export const MERGED_TEXT_LIMIT = 4096;

/** Between the merged texts: a blank line, as between paragraphs. */
const SEPARATOR = "\n\n";

/**
 * `next` appended to `earlier` as one message, or null when they must stay two (see the module's
 * rules). Neither argument is changed.
 */
export function mergeMessages(earlier: OutboundMessage, next: OutboundMessage): OutboundMessage | null {
  if (placed(earlier) || placed(next)) return null;
  // Two answers in the same thread (a turn in a forum topic) may be one message; never across threads.
  if (earlier.threadId !== next.threadId) return null;
  if (earlier.choices?.length || earlier.requestPhone || earlier.replyFrom) return null;
  if (next.replyFrom) return null;
  const nextHasMarkup = !!(next.choices?.length || next.requestPhone);
  if (earlier.removeKeyboard && nextHasMarkup) return null;
  const text = `${earlier.text}${SEPARATOR}${next.text}`;
  if (visibleLength(text) > MERGED_TEXT_LIMIT) return null;
  const merged: OutboundMessage = { ...next, text };
  if (earlier.removeKeyboard || next.removeKeyboard) merged.removeKeyboard = true;
  return merged;
}

/** Whether a message carries files or has a place of its own (a thread to open, a reply): never merged. */
function placed(m: OutboundMessage): boolean {
  return !!(m.files?.length || m.openThread || m.replyTo);
}

/** Whether a queued send carries files or an anchor (resolved when delivered): never merged. */
function bound(p: SendPayload): boolean {
  return !!(p.files?.length || p.anchor);
}

/**
 * Where a turn's new send to `channel`/`chatId` can go instead of a row of its own: the turn's
 * latest row for that chat, if it is an untagged send that `message` can be merged into. Returns
 * that row and its new payload, or null (then queue a row). Rows of other chats in between do not
 * matter: order is kept within a chat only.
 */
export function coalesceInto(
  queued: readonly QueuedMessage[],
  to: { channel: string; chatId: string },
  message: OutboundMessage,
  tag: string | null,
  /** What the new send carries besides its message (files, an anchor): such a send is never merged. */
  extra: Omit<SendPayload, "kind" | "message"> = {},
): { row: QueuedMessage; payload: string } | null {
  if (tag !== null || bound({ kind: "send", message, ...extra })) return null;
  let last: QueuedMessage | undefined;
  for (let i = queued.length - 1; i >= 0 && !last; i--) {
    if (queued[i]!.channel === to.channel && queued[i]!.chatId === to.chatId) last = queued[i];
  }
  if (!last || last.tag !== null) return null;
  const previous = JSON.parse(last.payload) as QueuedPayload;
  if (previous.kind !== "send" || bound(previous)) return null;
  const merged = mergeMessages(previous.message, message);
  if (!merged) return null;
  const payload: QueuedPayload = { kind: "send", message: merged };
  return { row: last, payload: JSON.stringify(payload) };
}
