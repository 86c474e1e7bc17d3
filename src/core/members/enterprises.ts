/**
 * Enterprises, memberships and identity changes: the data behind registration, approval and
 * "My enterprise". Functions take the turn's transaction and return plain JSON-safe objects.
 */
import { sqlOf, type Tx } from "../../db/database.ts";
import type { Prisma } from "../../db/generated/client.ts";
import {
  assertTransition,
  LIVE_ENTERPRISE,
  MEMBER_ENTERPRISE,
  sourcesOf,
  type ChangeStatus,
  type EnterpriseStatus,
  type MembershipStatus,
} from "./status.ts";

export { ENTERPRISE_STATUSES, MEMBERSHIP_STATUSES, type EnterpriseStatus, type MembershipStatus } from "./status.ts";

/** Marks the BIN column of an old application that gave its BIN up (not a 12-digit number). */
export const RELEASED = "released-";

/** A person's role in an enterprise: its owner, an employee, or someone asking to take over an ownerless one. */
export type MembershipRole = "owner" | "employee" | "claimant";

/** What an application carries; also the draft a registration collects. */
export interface EnterpriseDraft {
  name: string;
  bin: string;
  binKind: string;
  region: string;
  sector: string;
  employees: number;
}

export interface ContactDraft {
  contactName: string;
  phone: string;
}

export interface EnterpriseView extends EnterpriseDraft {
  id: number;
  status: EnterpriseStatus;
  rejectReason: string | null;
  /** When this submission was filed (ms): each submission has notices of its own. */
  submitted: number;
  /** Its revision (incremented by every update, see `revise`): staff decide on what their notice showed, not on a later edit. */
  revised: number;
}

export interface MembershipView {
  id: number;
  role: MembershipRole;
  status: MembershipStatus;
  /** When the request was filed (ms). */
  requested: number;
  /** Its revision (incremented by every update, see `revise`). */
  revised: number;
  rejectReason: string | null;
  personId: number;
  contactName: string | null;
  phone: string | null;
  locale: string | null;
  enterprise: EnterpriseView;
}

const enterpriseSelect = {
  id: true,
  name: true,
  bin: true,
  binKind: true,
  region: true,
  sector: true,
  employees: true,
  status: true,
  rejectReason: true,
  submittedAt: true,
  revision: true,
} as const;

function toEnterprise(row: Prisma.EnterpriseGetPayload<{ select: typeof enterpriseSelect }>): EnterpriseView {
  const { submittedAt, revision, ...rest } = row;
  return { ...rest, status: row.status as EnterpriseStatus, submitted: submittedAt.getTime(), revised: revision };
}

export async function membershipOf(tx: Tx, personId: number): Promise<MembershipView | null> {
  const m = await tx.membership.findUnique({
    where: { personId },
    include: { enterprise: { select: enterpriseSelect }, person: { select: { name: true, phone: true, locale: true } } },
  });
  return m ? toMembership(m) : null;
}

export async function membershipById(tx: Tx, id: number): Promise<MembershipView | null> {
  const m = await tx.membership.findUnique({
    where: { id },
    include: { enterprise: { select: enterpriseSelect }, person: { select: { name: true, phone: true, locale: true } } },
  });
  return m ? toMembership(m) : null;
}

function toMembership(m: {
  id: number;
  role: string;
  status: string;
  requestedAt: Date;
  revision: number;
  rejectReason: string | null;
  personId: number;
  person: { name: string | null; phone: string | null; locale: string | null };
  enterprise: Parameters<typeof toEnterprise>[0];
}): MembershipView {
  return {
    id: m.id,
    role: m.role === "owner" || m.role === "claimant" ? m.role : "employee",
    status: m.status as MembershipStatus,
    requested: m.requestedAt.getTime(),
    revised: m.revision,
    rejectReason: m.rejectReason,
    personId: m.personId,
    contactName: m.person.name,
    phone: m.person.phone,
    locale: m.person.locale,
    enterprise: toEnterprise(m.enterprise),
  };
}

/** An enterprise holding this BIN that blocks a new application (pending, a member, or suspended). */
export async function holderOfBin(tx: Tx, bin: string, exceptId?: number): Promise<EnterpriseView | null> {
  const e = await tx.enterprise.findUnique({ where: { bin }, select: enterpriseSelect });
  if (!e || e.id === exceptId) return null;
  return LIVE_ENTERPRISE.includes(e.status as EnterpriseStatus) ? toEnterprise(e) : null;
}

/**
 * Holds the lock of an enterprise until the transaction ends (Sql.lock: pg_advisory_xact_lock on
 * PostgreSQL, nothing on SQLite, whose transactions run one at a time). Work that reads an
 * enterprise, its memberships or change requests and then writes what it decided takes it before
 * reading, so that two instances deciding on one enterprise (two staff pressing Approve at once,
 * an owner editing while staff decide) run one after the other, the second reading what the first
 * committed. Only after the conversation's lock (core.ts): always in that order, never two
 * enterprises in one transaction, so no two transactions wait for each other.
 */
export async function lockEnterprise(tx: Tx, enterpriseId: number): Promise<void> {
  await sqlOf(tx).lock(`enterprise:${enterpriseId}`);
}

/**
 * The data of every update of an Enterprise, Membership or EnterpriseChange row: its `revision`
 * goes up by one, so that a staff button shown for an earlier state of the record is refused (a
 * timestamp could not tell apart two edits within one millisecond, or two clocks). Every write of
 * those models in this module goes through it; they are written nowhere else.
 */
function revise<T extends object>(data: T): T & { revision: { increment: 1 } } {
  return { ...data, revision: { increment: 1 } };
}

// ---- Status writes: each one checked against the tables in status.ts ------------------------

/**
 * Moves an enterprise to `to`, only from a status the table allows (and, when given, only from
 * `from` and at `revision`), in one conditional statement: of two simultaneous writers exactly one
 * wins. Returns the status it was in, or null when it was not moved.
 */
async function moveEnterprise(
  tx: Tx,
  id: number,
  to: EnterpriseStatus,
  data: Prisma.EnterpriseUpdateManyMutationInput = {},
  expect: { from?: EnterpriseStatus; revision?: number } = {},
): Promise<boolean> {
  const sources = sourcesOf("application", to).filter((s) => !expect.from || s === expect.from);
  const { count } = await tx.enterprise.updateMany({
    where: { id, status: { in: sources }, ...(expect.revision !== undefined ? { revision: expect.revision } : {}) },
    data: revise({ ...data, status: to }),
  });
  return count > 0;
}

/** As moveEnterprise, for a membership. */
async function moveMembership(
  tx: Tx,
  where: Prisma.MembershipWhereInput,
  to: MembershipStatus,
  data: Prisma.MembershipUpdateManyMutationInput = {},
): Promise<number> {
  const { count } = await tx.membership.updateMany({ where: { ...where, status: { in: sourcesOf("join", to) } }, data: revise({ ...data, status: to }) });
  return count;
}

/** As moveEnterprise, for a change request. */
async function moveChange(tx: Tx, where: Prisma.EnterpriseChangeWhereInput, to: ChangeStatus, data: Prisma.EnterpriseChangeUpdateManyMutationInput = {}): Promise<number> {
  const { count } = await tx.enterpriseChange.updateMany({ where: { ...where, status: { in: sourcesOf("change", to) } }, data: revise({ ...data, status: to }) });
  return count;
}

/**
 * An approved enterprise whose owner erased their data: it stays a member without an owner, until
 * someone's take-over request is approved. Throws when it is not an approved member.
 */
export async function makeOwnerless(tx: Tx, enterpriseId: number): Promise<void> {
  if (!(await moveEnterprise(tx, enterpriseId, "ownerless"))) {
    const e = await tx.enterprise.findUnique({ where: { id: enterpriseId }, select: { status: true } });
    assertTransition("application", e?.status ?? "missing", "ownerless");
  }
}

/**
 * Withdraws an enterprise's application or membership (its owner erased their data); `data` may
 * anonymise it at the same time. Throws when the table does not allow it.
 */
export async function withdrawEnterprise(tx: Tx, enterpriseId: number, data: Prisma.EnterpriseUpdateManyMutationInput = {}): Promise<void> {
  if (!(await moveEnterprise(tx, enterpriseId, "withdrawn", data))) {
    const e = await tx.enterprise.findUnique({ where: { id: enterpriseId }, select: { status: true } });
    assertTransition("application", e?.status ?? "missing", "withdrawn");
  }
}

export async function enterpriseById(tx: Tx, id: number): Promise<EnterpriseView | null> {
  const e = await tx.enterprise.findUnique({ where: { id }, select: enterpriseSelect });
  return e ? toEnterprise(e) : null;
}

export async function ownerOf(tx: Tx, enterpriseId: number): Promise<MembershipView | null> {
  const m = await tx.membership.findFirst({ where: { enterpriseId, role: "owner" }, orderBy: { requestedAt: "desc" } });
  return m ? membershipById(tx, m.id) : null;
}

export type SubmitResult = { ok: true; enterpriseId: number } | { ok: false; taken: EnterpriseView };

/**
 * Files an application: the enterprise (pending), the applicant as its owner (pending) and their
 * contact details. A BIN held by a live enterprise is refused (the person may ask to join it
 * instead). A BIN held by a rejected or withdrawn application is reused by its own applicant (a
 * corrected application); another person's new application gets a record of its own, and the old
 * one gives up the BIN, so neither applicant ever sees, or erases, the other's data.
 */
export async function submitApplication(
  tx: Tx,
  personId: number,
  draft: EnterpriseDraft & ContactDraft,
  now: Date,
): Promise<SubmitResult> {
  const taken = await holderOfBin(tx, draft.bin);
  if (taken) return { ok: false, taken };
  const previous = await tx.enterprise.findUnique({ where: { bin: draft.bin }, select: { id: true } });
  if (previous) {
    const owner = await tx.membership.findFirst({ where: { enterpriseId: previous.id, role: "owner" }, select: { personId: true } });
    if (owner?.personId !== personId) await releaseBin(tx, draft.bin);
  }
  const data = {
    name: draft.name,
    binKind: draft.binKind,
    region: draft.region,
    sector: draft.sector,
    employees: draft.employees,
    submittedAt: now,
    decidedAt: null,
    decidedById: null,
    rejectReason: null,
  };
  const existing = await tx.enterprise.findUnique({ where: { bin: draft.bin }, select: { id: true, status: true } });
  let enterpriseId: number;
  if (existing) {
    // A corrected application: rejected or withdrawn → pending (holderOfBin refused live ones).
    assertTransition("application", existing.status, "pending");
    await tx.enterprise.update({ where: { id: existing.id }, data: revise({ ...data, status: "pending" }) });
    enterpriseId = existing.id;
  } else {
    enterpriseId = (await tx.enterprise.create({ data: { ...data, bin: draft.bin, status: "pending" } })).id;
  }
  await tx.person.update({ where: { id: personId }, data: { name: draft.contactName, phone: draft.phone } });
  await fileMembership(tx, personId, { enterpriseId, role: "owner", requestedAt: now });
  return { ok: true, enterpriseId };
}

/** A person's (new or renewed) request: pending, whatever their previous one ended as (per the table). */
async function fileMembership(tx: Tx, personId: number, m: { enterpriseId: number; role: MembershipRole; requestedAt: Date }): Promise<number> {
  const data = { ...m, status: "pending", decidedAt: null, decidedById: null, rejectReason: null };
  const previous = await tx.membership.findUnique({ where: { personId }, select: { status: true } });
  if (previous) assertTransition("join", previous.status, "pending");
  const row = await tx.membership.upsert({ where: { personId }, create: { personId, ...data }, update: revise(data) });
  return row.id;
}

/**
 * Files a request to join an enterprise as its employee, or (`role` "claimant") to take over an
 * ownerless member enterprise as its owner; pending until staff approve.
 */
export async function submitJoinRequest(
  tx: Tx,
  personId: number,
  enterpriseId: number,
  contact: ContactDraft,
  now: Date,
  role: "employee" | "claimant" = "employee",
): Promise<{ membershipId: number }> {
  await tx.person.update({ where: { id: personId }, data: { name: contact.contactName, phone: contact.phone } });
  return { membershipId: await fileMembership(tx, personId, { enterpriseId, role, requestedAt: now }) };
}

/** Whether employees may join (or be approved into) an enterprise in this status. */
export const isMemberEnterprise = (status: string): boolean => MEMBER_ENTERPRISE.includes(status as EnterpriseStatus);

export type Decision = { decision: "approve" } | { decision: "reject"; reason: string };

/** Which revision a decision is about (the record's `revision`, see `revise`); a changed request is not decided by it. */
export type Revision = number;
export type DecideResult = { ok: true } | { ok: false; status: string };

const decisionData = (d: Decision, staffId: number, now: Date) => ({
  decidedAt: now,
  decidedById: staffId,
  rejectReason: d.decision === "reject" ? d.reason : null,
});
const decided = (d: Decision) => (d.decision === "approve" ? "active" : "rejected") as "active" | "rejected";

/**
 * Decides a pending application. The status test and the write are one statement, so two staff
 * deciding at once (or one pressing twice) give exactly one decision.
 */
export async function decideApplication(
  tx: Tx,
  enterpriseId: number,
  staffId: number,
  d: Decision,
  now: Date,
  revision: Revision,
): Promise<DecideResult> {
  const moved = await moveEnterprise(tx, enterpriseId, decided(d), decisionData(d, staffId, now), { from: "pending", revision });
  if (!moved) {
    const e = await tx.enterprise.findUnique({ where: { id: enterpriseId }, select: { status: true, submittedAt: true } });
    return { ok: false, status: e?.status === "pending" ? "outdated" : (e?.status ?? "missing") };
  }
  await moveMembership(tx, { enterpriseId, role: "owner", status: "pending" }, decided(d), decisionData(d, staffId, now));
  return { ok: true };
}

/**
 * Why a pending join or take-over request cannot be approved now, or null when it can: an employee
 * joins only a member enterprise (one still under review makes the request wait), and a take-over
 * is approved only while the enterprise has no owner.
 */
export function joinBlocker(role: MembershipRole, enterpriseStatus: string): "waiting" | "closed" | null {
  if (role === "claimant") return enterpriseStatus === "ownerless" ? null : "closed";
  if (isMemberEnterprise(enterpriseStatus)) return null;
  return enterpriseStatus === "pending" ? "waiting" : "closed";
}

/**
 * Decides a pending join or take-over request, exactly once (see decideApplication). Approving a
 * take-over makes the claimant the owner and the enterprise active again.
 */
export async function decideJoin(
  tx: Tx,
  membershipId: number,
  staffId: number,
  d: Decision,
  now: Date,
  revision: Revision,
): Promise<DecideResult> {
  const target = await tx.membership.findUnique({ where: { id: membershipId }, select: { role: true, enterpriseId: true, enterprise: { select: { status: true } } } });
  if (d.decision === "approve" && target) {
    const blocker = joinBlocker(target.role as MembershipRole, target.enterprise.status);
    if (blocker) return { ok: false, status: blocker };
  }
  const count = await moveMembership(
    tx,
    { id: membershipId, role: { in: ["employee", "claimant"] }, status: "pending", revision },
    decided(d),
    decisionData(d, staffId, now),
  );
  if (count === 0) {
    const m = await tx.membership.findUnique({ where: { id: membershipId }, select: { status: true } });
    return { ok: false, status: m?.status === "pending" ? "outdated" : (m?.status ?? "missing") };
  }
  if (d.decision === "approve" && target?.role === "claimant") {
    await tx.membership.update({ where: { id: membershipId }, data: revise({ role: "owner" }) });
    if (!(await moveEnterprise(tx, target.enterpriseId, "active", { decidedAt: now, decidedById: staffId }, { from: "ownerless" }))) {
      assertTransition("application", target.enterprise.status, "active");
    }
  }
  return { ok: true };
}

/** Other pending take-over requests of an enterprise (closed once one of them is approved). */
export async function closeClaims(tx: Tx, enterpriseId: number, now: Date): Promise<{ id: number; personId: number }[]> {
  const open = await tx.membership.findMany({ where: { enterpriseId, role: "claimant", status: "pending" }, select: { id: true, personId: true } });
  if (open.length) await moveMembership(tx, { id: { in: open.map((m) => m.id) } }, "closed", { decidedAt: now });
  return open;
}

/**
 * Frees `bin` from a rejected or withdrawn application (someone else's, or an older one), so that
 * another record can take it: the old record keeps its own history under a marker that is no BIN.
 */
export async function releaseBin(tx: Tx, bin: string, except?: number): Promise<void> {
  const held = await tx.enterprise.findUnique({ where: { bin }, select: { id: true, status: true } });
  if (!held || held.id === except) return;
  if (LIVE_ENTERPRISE.includes(held.status as EnterpriseStatus)) throw new Error(`BIN of a live enterprise ${held.id} cannot be released`);
  await tx.enterprise.update({ where: { id: held.id }, data: revise({ bin: `${RELEASED}${held.id}` }) });
}

/**
 * Ends the employees' (and claimants') memberships of an enterprise that is not (or no longer)
 * becoming a member: its application rejected or withdrawn. Pending requests become `closed`,
 * approved memberships `ended`; neither is a staff decision, so nobody is named as deciding.
 * Returns them, with the status each now has, for their notices and people.
 */
export async function closeEmployees(tx: Tx, enterpriseId: number, now: Date): Promise<{ id: number; personId: number; status: "closed" | "ended" }[]> {
  const open = await tx.membership.findMany({
    where: { enterpriseId, role: { in: ["employee", "claimant"] }, status: { in: ["pending", "active"] } },
    select: { id: true, personId: true, status: true },
  });
  const pending = open.filter((m) => m.status === "pending").map((m) => m.id);
  const active = open.filter((m) => m.status === "active").map((m) => m.id);
  if (pending.length) await moveMembership(tx, { id: { in: pending } }, "closed", { decidedAt: now, decidedById: null });
  if (active.length) await moveMembership(tx, { id: { in: active } }, "ended", { decidedAt: now, decidedById: null });
  return open.map((m) => ({ id: m.id, personId: m.personId, status: m.status === "pending" ? "closed" : "ended" }));
}

/** Pending join requests of an enterprise (their notices change when the enterprise is decided). */
export async function pendingJoinsOf(tx: Tx, enterpriseId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({ where: { enterpriseId, role: "employee", status: "pending" }, select: { id: true } });
  return rows.map((r) => r.id);
}

export const EDITABLE_FIELDS = ["name", "bin", "region", "sector", "employees"] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
/** Fields that identify an enterprise: changing them once it is approved needs staff approval. */
export const IDENTITY_FIELDS: readonly EditableField[] = ["name", "bin"];

/** Changes a pending application (or the descriptive fields of a member); a new BIN must be free. */
export async function updateEnterprise(tx: Tx, enterpriseId: number, patch: Partial<EnterpriseDraft>): Promise<void> {
  if (patch.bin) await releaseBin(tx, patch.bin, enterpriseId);
  await tx.enterprise.update({ where: { id: enterpriseId }, data: revise(patch) });
}

/**
 * Changes a person's contact details. A request of theirs that waits for staff gets a new revision,
 * so that staff decide on the details their (refreshed) notice shows.
 */
export async function updateContact(tx: Tx, personId: number, patch: { name?: string; phone?: string }, now: Date): Promise<void> {
  await tx.person.update({ where: { id: personId }, data: patch });
  const m = await tx.membership.findUnique({ where: { personId }, select: { id: true, role: true, status: true, enterpriseId: true } });
  if (!m || m.status !== "pending") return;
  if (m.role === "owner") await tx.enterprise.updateMany({ where: { id: m.enterpriseId, status: "pending" }, data: revise({ updatedAt: now }) });
  else await tx.membership.update({ where: { id: m.id }, data: revise({ updatedAt: now }) });
}

export interface ChangeView {
  id: number;
  requested: number;
  /** Incremented by every update: what staff buttons name. */
  revision: number;
  enterpriseId: number;
  field: "name" | "bin";
  oldValue: string;
  newValue: string;
  newKind: string | null;
  status: string;
  requestedById: number;
}

/** Files a change of name or BIN of an approved enterprise; an earlier pending one of the same field is replaced. */
export async function requestChange(
  tx: Tx,
  e: { enterpriseId: number; field: "name" | "bin"; oldValue: string; newValue: string; requestedById: number },
  now: Date,
): Promise<{ changeId: number; replaced: number[] }> {
  const earlier = await tx.enterpriseChange.findMany({
    where: { enterpriseId: e.enterpriseId, field: e.field, status: "pending" },
    select: { id: true },
  });
  if (earlier.length) await moveChange(tx, { id: { in: earlier.map((c) => c.id) } }, "superseded", { decidedAt: now });
  const c = await tx.enterpriseChange.create({ data: { ...e, requestedAt: now } });
  return { changeId: c.id, replaced: earlier.map((x) => x.id) };
}

/** Withdraws a person's pending change request (they erased their data); true when it was pending. */
export async function withdrawChange(tx: Tx, id: number, now: Date): Promise<boolean> {
  return (await moveChange(tx, { id, status: "pending" }, "withdrawn", { decidedAt: now })) > 0;
}

/** Changes of an enterprise that wait for staff, oldest first ("My enterprise" shows them). */
export async function pendingChangesOf(tx: Tx, enterpriseId: number): Promise<{ id: number; field: "name" | "bin"; newValue: string }[]> {
  const rows = await tx.enterpriseChange.findMany({ where: { enterpriseId, status: "pending" }, orderBy: { requestedAt: "asc" }, select: { id: true, field: true, newValue: true } });
  return rows.map((r) => ({ id: r.id, field: r.field === "bin" ? "bin" : "name", newValue: r.newValue }));
}

export async function changeById(tx: Tx, id: number): Promise<ChangeView | null> {
  const c = await tx.enterpriseChange.findUnique({ where: { id } });
  if (!c) return null;
  return {
    id: c.id,
    requested: c.requestedAt.getTime(),
    revision: c.revision,
    enterpriseId: c.enterpriseId,
    field: c.field === "bin" ? "bin" : "name",
    oldValue: c.oldValue,
    newValue: c.newValue,
    newKind: null,
    status: c.status,
    requestedById: c.requestedById,
  };
}

export type ChangeDecideResult = DecideResult | { ok: false; status: "bin-taken"; holder: string };

/** Decides a pending change exactly once; approving a BIN change re-checks that the BIN is free. */
export async function decideChange(
  tx: Tx,
  changeId: number,
  staffId: number,
  d: Decision,
  now: Date,
  revision: Revision,
  binKindOf: (bin: string) => string | null,
): Promise<ChangeDecideResult> {
  const change = await tx.enterpriseChange.findUnique({ where: { id: changeId } });
  if (!change || change.status !== "pending") return { ok: false, status: change?.status ?? "missing" };
  if (change.revision !== revision) return { ok: false, status: "outdated" };
  if (d.decision === "approve" && change.field === "bin") {
    const holder = await holderOfBin(tx, change.newValue, change.enterpriseId);
    if (holder) return { ok: false, status: "bin-taken", holder: holder.name };
  }
  const count = await moveChange(tx, { id: changeId, status: "pending", revision }, d.decision === "approve" ? "approved" : "rejected", {
    decidedAt: now,
    decidedById: staffId,
    rejectReason: d.decision === "reject" ? d.reason : null,
  });
  if (count === 0) return { ok: false, status: "decided" };
  if (d.decision === "approve") {
    if (change.field === "bin") {
      // A rejected or withdrawn enterprise may still hold the BIN; free it for this one.
      await releaseBin(tx, change.newValue, change.enterpriseId);
      await tx.enterprise.update({
        where: { id: change.enterpriseId },
        data: revise({ bin: change.newValue, binKind: binKindOf(change.newValue) ?? undefined }),
      });
    } else {
      await tx.enterprise.update({ where: { id: change.enterpriseId }, data: revise({ name: change.newValue }) });
    }
  }
  return { ok: true };
}

export async function pendingWork(tx: Tx, limit: number) {
  const [applications, joins, changes] = await Promise.all([
    tx.enterprise.findMany({ where: { status: "pending" }, orderBy: { submittedAt: "asc" }, take: limit, select: { id: true } }),
    tx.membership.findMany({ where: { status: "pending", role: { in: ["employee", "claimant"] } }, orderBy: { requestedAt: "asc" }, take: limit, select: { id: true } }),
    tx.enterpriseChange.findMany({ where: { status: "pending" }, orderBy: { requestedAt: "asc" }, take: limit, select: { id: true } }),
  ]);
  const [a, j, c] = await Promise.all([
    tx.enterprise.count({ where: { status: "pending" } }),
    tx.membership.count({ where: { status: "pending", role: { in: ["employee", "claimant"] } } }),
    tx.enterpriseChange.count({ where: { status: "pending" } }),
  ]);
  return {
    applications: applications.map((x) => x.id),
    joins: joins.map((x) => x.id),
    changes: changes.map((x) => x.id),
    totals: { applications: a, joins: j, changes: c },
  };
}

/** The ids of the join and take-over requests (not the owner's membership) of an enterprise. */
export async function joinRequestsOf(tx: Tx, enterpriseId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({ where: { enterpriseId, role: { not: "owner" } }, select: { id: true } });
  return rows.map((r) => r.id);
}

export async function deleteMembership(tx: Tx, id: number): Promise<void> {
  await tx.membership.delete({ where: { id } });
}

/** Every change request a person filed, with the kind of BIN of its enterprise (a sole proprietor's values are personal data). */
export async function changesRequestedBy(tx: Tx, personId: number): Promise<{ id: number; binKind: string }[]> {
  const rows = await tx.enterpriseChange.findMany({ where: { requestedById: personId }, select: { id: true, enterprise: { select: { binKind: true } } } });
  return rows.map((c) => ({ id: c.id, binKind: c.enterprise.binKind }));
}

/** Drops a change request's values (erasure: a sole proprietor's names and IINs). */
export async function blankChange(tx: Tx, id: number): Promise<void> {
  await tx.enterpriseChange.update({ where: { id }, data: revise({ oldValue: "—", newValue: "—" }) });
}

/** Erasure: a sole proprietor's enterprise no longer shows their trade name and IIN. */
export async function anonymiseEnterprise(tx: Tx, id: number, anonymous: { name: string; bin: string }): Promise<void> {
  await tx.enterprise.update({ where: { id }, data: revise(anonymous) });
}
