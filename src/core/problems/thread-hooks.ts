/**
 * What the problem services (service.ts) ask of the staff thread (branch `thread`): posting a new
 * problem to the staff chat, relaying a member's message into the problem's thread, re-rendering
 * the post after a change. The services call these in the same unit (transaction) as the change,
 * so the post and relays are queued in the outbox together with it, or not at all.
 *
 * The defaults are the staff thread (thread.ts, branch `thread`); tests may record the calls with
 * {@link setThreadHooks}.
 *
 * Tags: everything in the staff thread is tagged `problem:<id>` (the post) or
 * `problem:<id>:<suffix>`; a message to a MEMBER about their problem (a staff reply, a status
 * notice) is tagged {@link memberTag}, so that the member's reply to it is routed to the problem
 * (relay.ts). The post's own tag is exact, so editing it never touches a member's messages.
 */
import type { Unit } from "../unit.ts";
import { postProblemThread, problemThreadChanged, relayEntryToStaff } from "./thread.ts";

export interface ProblemThreadHooks {
  /** A new problem was filed (submitProblem): post it to the staff chat (tag `problem:<id>`), opening its thread. */
  postProblem(unit: Unit, problemId: number): Promise<void>;
  /**
   * A timeline entry (`entryId`: a member's message, an enterprise joining with its comment, a
   * "not solved" answer, a staff note) must reach staff: relay it into the problem's thread (anchor `problem:<id>`).
   */
  relayToStaff(unit: Unit, problemId: number, entryId: number): Promise<void>;
  /** What the staff post shows changed (status, assignee, affected enterprises, revision): re-render it. */
  problemChanged(unit: Unit, problemId: number): Promise<void>;
}

/** The hooks in force: the staff thread (thread.ts). */
export const threadHooks: ProblemThreadHooks = {
  postProblem: postProblemThread,
  relayToStaff: relayEntryToStaff,
  problemChanged: problemThreadChanged,
};

/** The tag of a message to a member about problem `problemId` (`suffix`: what it is, e.g. "u"), so that their reply to it is routed. */
export const memberTag = (problemId: number, suffix = "u"): string => `problem:${problemId}:${suffix}`;

/** Replaces some or all hooks (branch `thread`; tests that record the calls). Returns the previous ones, to restore. */
export function setThreadHooks(hooks: Partial<ProblemThreadHooks>): ProblemThreadHooks {
  const previous = { ...threadHooks };
  Object.assign(threadHooks, hooks);
  return previous;
}
