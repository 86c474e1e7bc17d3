/**
 * The allowed status changes of each record type, in one table per type. Every status write of an
 * enterprise (its application), a membership (an owner's application, a join or take-over request)
 * or an identity change goes through {@link assertTransition} (see enterprises.ts), so a change the
 * table does not list cannot be written: an approved join to an enterprise that is not a member,
 * a rejected approval, an "active" enterprise without anyone behind it.
 */

/** An enterprise's status: its application, then its membership of the association. */
export const ENTERPRISE_STATUSES = ["pending", "active", "ownerless", "rejected", "suspended", "withdrawn"] as const;
export type EnterpriseStatus = (typeof ENTERPRISE_STATUSES)[number];

/**
 * A person's place in an enterprise. `closed`: a pending request ended because its enterprise did
 * not become (or stopped being) a member; `ended`: an approved membership ended the same way.
 * Neither is a staff decision.
 */
export const MEMBERSHIP_STATUSES = ["pending", "active", "rejected", "closed", "ended"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const CHANGE_STATUSES = ["pending", "approved", "rejected", "superseded", "withdrawn"] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** The record types with a life cycle; "join" covers every membership (owner, employee, claimant). */
export type RecordType = "application" | "join" | "change";

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * Application (the Enterprise row). A member whose owner erased their data becomes `ownerless`
 * (still a member; staff are told) until someone's take-over request is approved. A rejected or
 * withdrawn application can be filed again (back to pending).
 */
export const APPLICATION_TRANSITIONS: Table<EnterpriseStatus> = {
  pending: ["active", "rejected", "withdrawn"],
  active: ["ownerless", "suspended", "withdrawn"],
  ownerless: ["active", "withdrawn"],
  suspended: ["active", "withdrawn"],
  rejected: ["pending"],
  withdrawn: ["pending"],
};

/** Membership (an owner's application, a join request, a take-over request). */
export const MEMBERSHIP_TRANSITIONS: Table<MembershipStatus> = {
  pending: ["active", "rejected", "closed"],
  active: ["ended"],
  rejected: ["pending"],
  closed: ["pending"],
  ended: ["pending"],
};

/** A change of an approved enterprise's name or BIN. Decided changes are final. */
export const CHANGE_TRANSITIONS: Table<ChangeStatus> = {
  pending: ["approved", "rejected", "superseded", "withdrawn"],
  approved: [],
  rejected: [],
  superseded: [],
  withdrawn: [],
};

const TABLES: Record<RecordType, Table<string>> = {
  application: APPLICATION_TRANSITIONS,
  join: MEMBERSHIP_TRANSITIONS,
  change: CHANGE_TRANSITIONS,
};

/** Whether `type` may go from `from` to `to` (unknown statuses may go nowhere). */
export function canTransition(type: RecordType, from: string, to: string): boolean {
  return (TABLES[type][from] ?? []).includes(to);
}

/** The statuses from which `type` may go to `to`: the `where` of a conditional status write. */
export function sourcesOf(type: RecordType, to: string): string[] {
  return Object.entries(TABLES[type])
    .filter(([, targets]) => targets.includes(to))
    .map(([from]) => from);
}

/** A status write the table does not allow: a bug in the caller, never a person's mistake. */
export class StatusTransitionError extends Error {
  override name = "StatusTransitionError";
  constructor(
    readonly type: RecordType,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${type}: ${from} → ${to} is not an allowed status change (see src/core/members/status.ts)`);
  }
}

/** Throws {@link StatusTransitionError} unless `type` may go from `from` to `to`. */
export function assertTransition(type: RecordType, from: string, to: string): void {
  if (!canTransition(type, from, to)) throw new StatusTransitionError(type, from, to);
}

/** Enterprises that are members of the association (employees may join them). */
export const MEMBER_ENTERPRISE: readonly EnterpriseStatus[] = ["active", "ownerless"];
/** Enterprises whose BIN is taken: a new application for it is refused. */
export const LIVE_ENTERPRISE: readonly EnterpriseStatus[] = ["pending", "active", "ownerless", "suspended"];
