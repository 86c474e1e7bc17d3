/**
 * Where a conversation's messages go outside a dialog (ThreadFocus, one row per conversation key):
 * a member who chose "Write to staff" on a problem, or staff who opened one in a private chat with
 * `/problem QT-…`. Their following messages are relayed to that problem (relay.ts) until they leave.
 *
 * Leaving needs no bookkeeping of its own: a focus holds only while the conversation's dialog has
 * not moved since it was set (a menu button, another command, /cancel all update or remove the
 * dialog state: {@link activeFocus}), and for FOCUS_IDLE_MS after the last message relayed.
 */
import { sqlOf, type Tx } from "../../db/database.ts";
import type { Unit } from "../unit.ts";

/** A focus ends after this long without a message relayed through it (30 minutes). */
export const FOCUS_IDLE_MS = 30 * 60_000;

/**
 * Sets the focus of conversation `key` (core.ts conversationKey: "<channel>:<chatId>" for a
 * private chat) on problem `problemId`, replacing any other. Call it in the same turn that shows
 * the problem (the card, "Write to staff"), so that the dialog saved by that turn does not end it.
 * The caller has checked that the person may write to that problem (the services check again).
 */
export async function focusOn(unit: Unit, key: string, problemId: number): Promise<void> {
  await unit.tx.threadFocus.upsert({ where: { key }, create: { key, problemId, since: unit.now }, update: { problemId, since: unit.now } });
}

/** Ends the focus of conversation `key`, if any. */
export async function clearFocus(unit: Unit, key: string): Promise<void> {
  // Raw (bookkeeping.ts's reason): every command in a private chat comes here, nearly always with no focus.
  await sqlOf(unit.tx).run(`DELETE FROM "ThreadFocus" WHERE "key" = ?`, key);
}

/**
 * The problem conversation `key` is focused on at `now`, or null. A focus older than the
 * conversation's dialog (it moved since: the person went elsewhere) or idle for FOCUS_IDLE_MS is
 * over, and removed.
 */
export async function activeFocus(tx: Tx, key: string, now: Date): Promise<number | null> {
  // Raw (bookkeeping.ts's reason): read for nearly every message typed in a private chat, rarely set.
  const row = await sqlOf(tx).get<{ problemId: number; since: string | Date }>(`SELECT "problemId", "since" FROM "ThreadFocus" WHERE "key" = ?`, key);
  if (!row) return null;
  const focus = { problemId: Number(row.problemId), since: new Date(row.since) };
  const dialog = await tx.dialogState.findUnique({ where: { key }, select: { updatedAt: true } });
  const moved = !!dialog && dialog.updatedAt.getTime() > focus.since.getTime();
  if (moved || now.getTime() - focus.since.getTime() > FOCUS_IDLE_MS) {
    await tx.threadFocus.deleteMany({ where: { key } });
    return null;
  }
  return focus.problemId;
}

/** A message went through the focus: it stays on for another FOCUS_IDLE_MS. */
export async function touchFocus(tx: Tx, key: string, now: Date): Promise<void> {
  await tx.threadFocus.updateMany({ where: { key }, data: { since: now } });
}
