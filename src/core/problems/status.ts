/**
 * A problem's life cycle (issue 7 item 5), one table like members/status.ts: every status write
 * goes through {@link canChangeStatus}. Staff move a problem between new, in review, forwarded (to a
 * named body), resolved and declined; a resolved problem is closed by its member's "yes, solved" (or
 * after 14 days without an answer) and reopened by their "no"; staff may reopen a declined or closed
 * one. Locale keys: `problem-status-<status>`.
 */
export const PROBLEM_STATUSES = ["new", "review", "forwarded", "resolved", "declined", "reopened", "closed"] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

/** Statuses a problem counts as open in (similar-problem search, joining, the digest). */
export const OPEN_STATUSES: readonly ProblemStatus[] = ["new", "review", "forwarded", "reopened"];

/** What staff may set from each status (the member's confirmation and the auto-close are not staff's: see MEMBER_TRANSITIONS). */
export const STAFF_TRANSITIONS: Readonly<Record<ProblemStatus, readonly ProblemStatus[]>> = {
  new: ["review", "forwarded", "resolved", "declined"],
  review: ["forwarded", "resolved", "declined"],
  forwarded: ["review", "resolved", "declined"],
  reopened: ["review", "forwarded", "resolved", "declined"],
  resolved: ["reopened"],
  declined: ["reopened"],
  closed: ["reopened"],
};

/** The member's answer to "is it really solved?" (and the 14-day auto-close, as the bot). */
export const MEMBER_TRANSITIONS: Readonly<Partial<Record<ProblemStatus, readonly ProblemStatus[]>>> = {
  resolved: ["closed", "reopened"],
};

export function isProblemStatus(value: unknown): value is ProblemStatus {
  return typeof value === "string" && (PROBLEM_STATUSES as readonly string[]).includes(value);
}

/** Whether `by` may change a problem from `from` to `to`. */
export function canChangeStatus(by: "staff" | "member", from: string, to: string): boolean {
  const table = by === "staff" ? STAFF_TRANSITIONS : MEMBER_TRANSITIONS;
  return isProblemStatus(from) && (table[from] ?? []).includes(to as ProblemStatus);
}
