/**
 * "Write to staff" on a member's problem: what the member writes next in this chat goes to the
 * problem's staff thread (ThreadFocus, read by relay.ts `routeThreadMessage` before any dialog).
 * The `thread` branch owns the focus; this is the one call the member screens make, so that it
 * can be pointed at that branch's `focusOn` when they are merged.
 */
import type { Inbound } from "../channel.ts";
import type { Unit } from "../unit.ts";
import { openProblem, type Outcome } from "./service.ts";

/** The conversation key of a private chat (core.ts conversationKey; not imported: core.ts imports the flows). */
const privateKey = (inbound: Pick<Inbound, "channel" | "chatId">): string => `${inbound.channel}:${inbound.chatId}`;

/**
 * Focuses the member's private chat (`inbound`) on problem `problemId`, after checking they may
 * see it (openProblem: refused as not found, and audited, otherwise). Replaces an earlier focus.
 */
export async function writeToStaff(unit: Unit, inbound: Pick<Inbound, "channel" | "chatId">, problemId: number): Promise<Outcome<{ ref: string }>> {
  const opened = await openProblem(unit, problemId);
  if (!opened.ok) return opened;
  const key = privateKey(inbound);
  await unit.tx.threadFocus.upsert({ where: { key }, create: { key, problemId, since: unit.now }, update: { problemId, since: unit.now } });
  return { ok: true, ref: opened.problem.ref };
}
