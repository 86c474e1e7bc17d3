/**
 * What the problem services (service.ts, branch `problems`) call so that the staff thread follows
 * the data (branch `thread` implements them in thread.ts). Each runs in the caller's unit, so the
 * thread's messages commit together with the change, or not at all.
 *
 * Tags (for whoever sends messages about a problem): everything in the staff thread is tagged
 * `problem:<id>` (the post) or `problem:<id>:<suffix>`; a message to a MEMBER about their problem
 * (a relayed staff reply, a status notice) should be tagged with {@link memberTag}, so that the
 * member's reply to it is routed to the problem (relay.ts). The post's own tag is exact
 * (`problem:<id>`), so editing it never touches a member's messages.
 */
import type { Unit } from "../unit.ts";
import { postProblemThread, problemThreadChanged, relayEntryToStaff } from "./thread.ts";

/** A new problem was submitted (in this unit): post it to the staff chat (the thread). */
export async function postProblem(unit: Unit, problemId: number): Promise<void> {
  await postProblemThread(unit, problemId);
}

/**
 * A timeline entry staff must see in the thread (a member's message, an enterprise joining with
 * its comment, the member's "not solved", a note): sent as a reply to the post / into its topic.
 * Entries of kind "staff" are not echoed (the staff member wrote them in the thread already).
 */
export async function relayToStaff(unit: Unit, problemId: number, entryId: number): Promise<void> {
  await relayEntryToStaff(unit, problemId, entryId);
}

/** The problem changed (taken, status, affected count, forwardedTo): the post is re-rendered with current buttons. */
export async function problemChanged(unit: Unit, problemId: number): Promise<void> {
  await problemThreadChanged(unit, problemId);
}

/** The tag of a message to a member about problem `problemId` (`suffix`: e.g. "u" + entry id), so that their reply to it is routed. */
export const memberTag = (problemId: number, suffix: string): string => `problem:${problemId}:${suffix}`;
