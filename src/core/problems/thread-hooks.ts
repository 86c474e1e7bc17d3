/**
 * What the problem services (service.ts) ask of the staff thread (branch `thread`): posting a new
 * problem to the staff chat, relaying a member's message into the problem's thread, re-rendering
 * the post after a change. The services call these in the same unit (transaction) as the change,
 * so the post and relays are queued in the outbox together with it, or not at all.
 *
 * The defaults do nothing: until branch `thread` is merged, a problem has no staff post. Branch
 * `thread` fills them with {@link setThreadHooks} (called once at import of its module, or wired in
 * core.ts), or by replacing the defaults below.
 */
import type { Unit } from "../unit.ts";

export interface ProblemThreadHooks {
  /** A new problem was filed (submitProblem): post it to the staff chat (tag `problem:<id>`), opening its thread. */
  postProblem(unit: Unit, problemId: number): Promise<void>;
  /**
   * A member's timeline entry (`entryId`: a message, an enterprise joining with its comment, a
   * "not solved" answer) must reach staff: relay it into the problem's thread (anchor `problem:<id>`).
   */
  relayToStaff(unit: Unit, problemId: number, entryId: number): Promise<void>;
  /** What the staff post shows changed (status, assignee, affected enterprises, revision): re-render it. */
  problemChanged(unit: Unit, problemId: number): Promise<void>;
}

const noop = async (): Promise<void> => {};

/** The hooks in force (the no-op defaults until branch `thread` sets its own). */
export const threadHooks: ProblemThreadHooks = {
  postProblem: noop,
  relayToStaff: noop,
  problemChanged: noop,
};

/** Replaces some or all hooks (branch `thread`; tests that record the calls). Returns the previous ones, to restore. */
export function setThreadHooks(hooks: Partial<ProblemThreadHooks>): ProblemThreadHooks {
  const previous = { ...threadHooks };
  Object.assign(threadHooks, hooks);
  return previous;
}
