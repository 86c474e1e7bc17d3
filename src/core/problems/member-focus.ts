/**
 * "Write to staff" on a member's problem: what the member writes next in this chat goes to the
 * problem's staff thread (ThreadFocus, focus.ts, read by relay.ts `routeThreadMessage` before any
 * dialog). The one call the member screens make.
 */
import type { Inbound } from "../channel.ts";
import type { Unit } from "../unit.ts";
import { focusOn } from "./focus.ts";
import { openProblem, type Outcome } from "./service.ts";

/** The conversation key of a private chat (core.ts conversationKey; not imported: core.ts imports the flows). */
const privateKey = (inbound: Pick<Inbound, "channel" | "chatId">): string => `${inbound.channel}:${inbound.chatId}`;

/**
 * Focuses the member's private chat (`inbound`) on problem `problemId`, after checking they may
 * see it (openProblem: refused as not found, and audited, otherwise) and that it is not closed
 * ("problem-not-open"). Replaces an earlier focus.
 */
export async function writeToStaff(unit: Unit, inbound: Pick<Inbound, "channel" | "chatId">, problemId: number): Promise<Outcome<{ ref: string }>> {
  const opened = await openProblem(unit, problemId);
  if (!opened.ok) return opened;
  // A closed problem takes no messages (addMemberMessage): refused now, not after a promise.
  if (opened.problem.status === "closed") return { ok: false, reason: "problem-not-open" };
  await focusOn(unit, privateKey(inbound), problemId);
  return { ok: true, ref: opened.problem.ref };
}
