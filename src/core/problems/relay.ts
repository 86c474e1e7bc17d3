/**
 * Messages that belong to a problem's thread, routed before the dialog engine runs (issue 7: a
 * problem is data, not a dialog, so a conversation about it never grows a flow's replay state):
 * - in the staff group: a staff member's reply to any message of a problem's thread, or a message
 *   in the forum topic of a problem, reaches the member (addStaffReply); a non-staff member of the
 *   group is refused politely and audited;
 * - in a private chat of staff: a reply to the post, the card or a relayed member message, or any
 *   message while focused on a problem (`/problem QT-…`: focus.ts) reaches the member too, and is
 *   echoed into the thread so that the other staff see it;
 * - in a private chat of a member: a reply to a message about their problem, or any message while
 *   "Write to staff" is on, goes into the thread (addMemberMessage), with its files.
 * Commands are never relayed (they end a focus). An answer to the sender's own question in the
 * group (a reject reason, a status comment) keeps its precedence: core.ts handles it.
 */
import type { InboundEvent } from "../channel.ts";
import { questionTag } from "../dialog/dialog.ts";
import { globalCommandOf, parseCommand } from "../dialog/commands.ts";
import { loadDialog, tagOfSent } from "../bookkeeping.ts";
import { allowed, enforce } from "../permissions.ts";
import { cleanText } from "../text.ts";
import type { Turn } from "../turn.ts";
import { activeFocus, clearFocus, touchFocus } from "./focus.ts";
import { addMemberMessage, addStaffReply, MESSAGE_MAX, type AttachedFile } from "./service.ts";
import type { Label } from "../message.ts";
import { postTag, problemOfTag, sendToThread } from "./thread.ts";
import { escapeHtml, rich } from "../rich-text.ts";

/** What a relayed message carries, or why it carries nothing (`answer`: what to tell the person, if anything). */
type Content = { ok: true; text: string | null; files: AttachedFile[] } | { ok: false; answer: Label | null };

/** A text over MESSAGE_MAX: refused with the bound, never cut (service.ts). */
const TOO_LONG: Content = { ok: false, answer: { key: "problem-message-too-long", args: { max: MESSAGE_MAX } } };

function contentOf(event: InboundEvent): Content {
  if (event.type === "text") {
    const text = cleanRelayText(event.text);
    if (text === "too-long") return TOO_LONG;
    return text ? { ok: true, text, files: [] } : { ok: false, answer: null };
  }
  if (event.type === "file") {
    if (event.refused) return { ok: false, answer: `thread-file-refused-${event.refused}` };
    if (!event.stored) return { ok: false, answer: null };
    const cleanName = event.file.name ? cleanRelayText(event.file.name) : null;
    const name = cleanName === "too-long" ? null : cleanName;
    const caption = event.caption ? cleanRelayText(event.caption) : null;
    if (caption === "too-long") return TOO_LONG;
    return { ok: true, text: caption, files: [{ fileId: event.stored.id, name, kind: event.stored.kind }] };
  }
  // A sticker, a voice message, a video, a shared contact: nothing a thread can carry. Said so,
  // rather than left to the dialog engine (which answered with a menu: the sender believed it went).
  return { ok: false, answer: "thread-unsupported" };
}

/**
 * Text as people typed it, normalized (invisible and control characters removed); null when
 * nothing visible is left; "too-long" over MESSAGE_MAX (then the person is told, nothing is kept).
 */
function cleanRelayText(text: string): string | null | "too-long" {
  const clean = cleanText(text, { max: MESSAGE_MAX, multiline: true });
  if (clean.ok) return clean.value;
  if (clean.reason === "too-long") return "too-long";
  if (clean.reason !== "no-letters") return null;
  // "👍" or "+" alone is a fine reply (cleanText wants a letter): cleaned the same way, behind a letter.
  const padded = cleanText(`a${text}`, { max: MESSAGE_MAX + 1, multiline: true });
  return padded.ok ? padded.value.slice(1).trim() || null : null;
}

/** The tag of the bot message of this chat a message replies to, when it is about a problem (`problem:<id>…`). */
async function repliedTag(t: Turn): Promise<string | null> {
  const { inbound } = t;
  if (!inbound.replyTo) return null;
  return tagOfSent(t.unit.tx, inbound.channel, inbound.chatId, inbound.replyTo, "problem:");
}

/** The problem a message replies to: a bot message of this chat tagged `problem:<id>…`. */
async function repliedProblem(t: Turn): Promise<number | null> {
  return problemOfTag(await repliedTag(t));
}

/**
 * The timeline entry a staff reply answers: a relayed member message or join in the thread is
 * tagged `problem:<id>:m<entryId>` (its further files `….<n>`, the parts of a long one `…#<n>`); the
 * acknowledgement of a staff reply to it `problem:<id>:m<entryId>:ack…`, so that the later parts
 * of an album (which may not carry the reply) and a reply to the acknowledgement go the same way.
 * The service decides whom that makes the reply for (addStaffReply `inReplyTo`).
 */
export function entryOfTag(tag: string | null | undefined): number | null {
  const m = /^problem:\d{1,9}:m(\d{1,9})(?:[.#:]|$)/.exec(tag ?? "");
  return m ? Number(m[1]) : null;
}

/** The problem whose forum topic a message was posted in (the post opened it: SentMessage.threadId). */
async function topicProblem(t: Turn): Promise<number | null> {
  const { inbound } = t;
  if (!inbound.threadId) return null;
  const row = await t.unit.tx.sentMessage.findFirst({
    where: { channel: inbound.channel, chatId: inbound.chatId, threadId: inbound.threadId, tag: { startsWith: "problem:" } },
    select: { tag: true },
    orderBy: { id: "asc" },
  });
  return problemOfTag(row?.tag);
}

/**
 * The problem an earlier part of the same album went to (Telegram sends an album as several
 * updates, and only some of them may carry the reply): the acknowledgement of that album names it.
 */
async function albumProblem(t: Turn): Promise<number | null> {
  return problemOfTag(await albumTag(t));
}

/** The tag of the acknowledgement of an earlier part of this message's album (`problem:<id>[:m<entryId>]:ack:<group>`), or null. */
async function albumTag(t: Turn): Promise<string | null> {
  const group = t.inbound.mediaGroup;
  if (!group) return null;
  const row = await t.unit.tx.outbox.findFirst({
    where: { channel: t.inbound.channel, chatId: t.inbound.chatId, tag: { startsWith: "problem:", endsWith: `:ack:${group}` } },
    select: { tag: true },
  });
  return row?.tag ?? null;
}

/** Whether a group message replies to the question the bot asked its sender there (core.ts keeps that precedence). */
async function answersOwnQuestion(t: Turn): Promise<boolean> {
  if (!t.inbound.replyTo) return false;
  const tag = questionTag(t.inbound);
  return (await tagOfSent(t.unit.tx, t.inbound.channel, t.inbound.chatId, t.inbound.replyTo, tag)) === tag;
}

/**
 * Whether this turn's message (`event`: after a typed number became a press) belongs to a problem
 * thread; if so it has been handled (stored, relayed, acknowledged) and the dialog engine is not run.
 * Called for private chats and the staff group, never for presses of buttons. A sticker, voice
 * message, contact or location that belongs to a thread is answered "thread-unsupported" (nothing relayed).
 */
export async function routeThreadMessage(t: Turn, key: string, event: InboundEvent): Promise<boolean> {
  // What people send (unsupported kinds too: they are answered, not passed to the dialog engine).
  if (event.type !== "text" && event.type !== "file" && event.type !== "unsupported" && event.type !== "contact" && event.type !== "location") return false;
  if (event.type === "text" && (parseCommand(event.text) || globalCommandOf(event.text, t.unit.services.i18n, t.locale))) {
    // A command is never a message to the thread; it leaves "Write to staff" / an opened problem.
    if (t.inbound.chatType === "private") await clearFocus(t.unit, key);
    return false;
  }
  return t.inbound.chatType === "group" ? routeInGroup(t, key, event) : routeInPrivate(t, key, event);
}

async function routeInGroup(t: Turn, key: string, event: InboundEvent): Promise<boolean> {
  if (await answersOwnQuestion(t)) return false;
  let problemId = (await repliedProblem(t)) ?? (await albumProblem(t));
  if (problemId === null) {
    problemId = await topicProblem(t);
    // Written in the topic without replying while the bot waits for this person's answer (a status
    // comment, a reject reason): core.ts asks them to reply to the question, rather than the
    // member receiving what was meant as an answer.
    if (problemId !== null && (await loadDialog(t.unit.tx, key))) return false;
  }
  if (problemId === null) return false;
  return relayFromStaff(t, problemId, event);
}

async function routeInPrivate(t: Turn, key: string, event: InboundEvent): Promise<boolean> {
  const replied = (await repliedProblem(t)) ?? (await albumProblem(t));
  const focused = replied === null ? await activeFocus(t.unit.tx, key, t.unit.now) : null;
  const problemId = replied ?? focused;
  if (problemId === null) return false;
  if (focused !== null) await touchFocus(t.unit.tx, key, t.unit.now);
  // Staff (the role read fresh) answer the member; anyone else writes as a member (the service
  // checks the problem is their enterprise's, and audits if not).
  const staff = await allowed(t.unit, { action: "problem.staff" });
  return staff ? relayFromStaff(t, problemId, event) : relayFromMember(t, problemId, event);
}

/** A staff member's message to problem `problemId`'s member (the service checks permission again). */
async function relayFromStaff(t: Turn, problemId: number, event: InboundEvent): Promise<boolean> {
  const subject = `problem:${problemId}`;
  const verdict = await enforce(t.unit, { action: "problem.staff" }, "problem.reply", subject);
  if (!verdict.ok) {
    await answerHere(t, problemId, "thread-staff-only");
    return true;
  }
  const content = contentOf(event);
  if (!content.ok) {
    if (content.answer) await answerHere(t, problemId, content.answer);
    return true;
  }
  // A reply to a relayed message of one enterprise is for that enterprise (not the reporting one).
  const inReplyTo = entryOfTag(await repliedTag(t)) ?? entryOfTag(await albumTag(t));
  const outcome = await addStaffReply(t.unit, problemId, { text: content.text, files: content.files }, inReplyTo !== null ? { inReplyTo } : {});
  if (!outcome.ok) {
    await answerHere(t, problemId, { key: outcome.reason, args: { max: MESSAGE_MAX } });
    return true;
  }
  if (t.inbound.chatType === "private") await echoPrivateReply(t, problemId, content);
  // Kept either way; staff are not told "sent" when nobody of the enterprise can be reached.
  await acknowledge(t, problemId, outcome.unheard ? "thread-sent-to-nobody" : "thread-sent-to-member", inReplyTo);
  return true;
}

/**
 * A reply staff wrote in a private chat is shown in the thread too, so that the other staff see what
 * the member was told. Tagged by its own entry: a reply to the echo reaches the same enterprise
 * (addStaffReply `inReplyTo` a staff entry), and erasure re-renders it.
 */
async function echoPrivateReply(t: Turn, problemId: number, content: { text: string | null; files: AttachedFile[] }): Promise<void> {
  const problem = await t.unit.tx.problem.findUnique({ where: { id: problemId }, select: { ref: true } });
  const me = t.unit.actor ? await t.unit.tx.person.findUnique({ where: { id: t.unit.actor.personId }, select: { name: true } }) : null;
  const who = me?.name ?? t.inbound.displayName ?? null;
  const files = content.files.map((f) => ({ fileId: f.fileId, name: f.name }));
  // Tagged by the reply's timeline entry (the newest staff entry: written just now, under the
  // problem's lock), as relayed entries are: an erasure of its author re-renders it without them.
  const entry = await t.unit.tx.problemEntry.findFirst({ where: { problemId, kind: "staff" }, orderBy: { id: "desc" }, select: { id: true } });
  await sendToThread(
    t.unit,
    problemId,
    entry ? `m${entry.id}` : `r${t.inbound.messageId ?? t.unit.now.getTime().toString(36)}`,
    () => ({
      text: (tr) => tr("thread-relay-staff", { ref: problem?.ref ?? "", who: who ?? rich(tr("thread-someone")) }) + (content.text ? `\n\n${escapeHtml(content.text)}` : ""),
      ...(files.length ? { files } : {}),
    }),
    { channel: t.inbound.channel, chatId: t.inbound.chatId },
  );
}

/** A member's message on their problem, into the staff thread (the service checks it is theirs to write to, and audits if not). */
async function relayFromMember(t: Turn, problemId: number, event: InboundEvent): Promise<boolean> {
  const content = contentOf(event);
  if (!content.ok) {
    if (content.answer) await answerHere(t, problemId, content.answer);
    return true;
  }
  const outcome = await addMemberMessage(t.unit, problemId, { text: content.text, files: content.files });
  if (!outcome.ok) {
    await answerHere(t, problemId, { key: outcome.reason, args: { max: MESSAGE_MAX } });
    return true;
  }
  await acknowledge(t, problemId, "thread-sent-to-staff");
  return true;
}

/** Whether problem `problemId`'s post is in this group chat (then answers there go into its thread: a reply to it, or its forum topic). */
async function postHere(t: Turn, problemId: number): Promise<boolean> {
  if (t.inbound.chatType !== "group") return false;
  return !!(await t.unit.tx.sentMessage.findFirst({ where: { channel: t.inbound.channel, chatId: t.inbound.chatId, tag: postTag(problemId) }, select: { id: true } }));
}

/** Answers the sender with message `key` where they wrote: in the staff group, inside the problem's thread (a forum topic's answer in General is not seen). */
async function answerHere(t: Turn, problemId: number, text: Label): Promise<void> {
  await t.unit.outbox.send(t.here, { text }, (await postHere(t, problemId)) ? { anchor: postTag(problemId) } : {});
}

/**
 * One short confirmation per message, or per album (Telegram sends an album as several updates
 * sharing `mediaGroup`): tagged with the album so that its later parts find the problem and stay
 * quiet. In the staff group it goes into the thread (a reply to the post / in the topic).
 * `entryId`: the member entry a staff reply answered (kept in the tag: see {@link entryOfTag}).
 */
async function acknowledge(t: Turn, problemId: number, key: string, entryId: number | null = null): Promise<void> {
  const group = t.inbound.mediaGroup;
  const tag = `${postTag(problemId)}${entryId !== null ? `:m${entryId}` : ""}:ack${group ? `:${group}` : ""}`;
  if (group && (await t.unit.tx.outbox.findFirst({ where: { channel: t.inbound.channel, chatId: t.inbound.chatId, tag }, select: { id: true } }))) return;
  const anchored = await postHere(t, problemId);
  await t.unit.outbox.send(t.here, { text: key }, { tag, ...(anchored ? { anchor: postTag(problemId) } : {}) });
}
