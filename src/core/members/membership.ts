/**
 * Membership services: what a person submits (an application, a join or take-over request, edits
 * of their details) and what follows from it for staff. Each takes a unit of work (unit.ts), so a
 * flow (inside `d.act`), a job or an HTTP handler calls them alike; data access is in
 * enterprises.ts, permissions in permissions.ts, notices in staff/notices.ts.
 */
import { sqlOf } from "../../db/database.ts";
import { may, subjectOf } from "../permissions.ts";
import { notifyStaff, refreshNotice } from "../staff/notices.ts";
import type { Unit } from "../unit.ts";
import {
  enterpriseById,
  holderOfBin,
  isMemberEnterprise,
  lockEnterprise,
  membershipOf,
  pendingChangesOf,
  requestChange,
  submitApplication,
  submitJoinRequest,
  updateContact,
  updateEnterprise,
  withdrawChange,
  type ContactDraft,
  type EnterpriseDraft,
  type MembershipView,
} from "./enterprises.ts";

/** The acting person's id; these services are for a person, never for the bot itself. */
function personOf(unit: Unit): number {
  if (!unit.actor) throw new Error("a membership service needs a person acting (unit.actor is null)");
  return unit.actor.personId;
}

/**
 * Files the acting person's application and tells staff. Fails with the enterprise that holds the
 * BIN when someone registered it meanwhile.
 */
export async function applyForMembership(
  unit: Unit,
  draft: EnterpriseDraft & ContactDraft,
): Promise<{ ok: true } | { ok: false; taken: { id: number; name: string; status: string } }> {
  // Two applications with one BIN on two instances: the second waits, then finds the first's.
  await sqlOf(unit.tx).lock(`bin:${draft.bin}`);
  const r = await submitApplication(unit.tx, personOf(unit), draft, unit.now);
  if (!r.ok) return { ok: false, taken: { id: r.taken.id, name: r.taken.name, status: r.taken.status } };
  await notifyStaff(unit, "application", r.enterpriseId);
  return { ok: true };
}

/** Whether a request of this kind may be filed for an enterprise in this status. */
export const joinable = (status: string, takeover: boolean): boolean => (takeover ? status === "ownerless" : status === "pending" || isMemberEnterprise(status));

/** The enterprise a join (or, with `takeover`, a take-over) request may be filed for now; null when none. */
export async function joinableEnterprise(unit: Unit, enterpriseId: number, takeover: boolean): Promise<{ name: string; bin: string; binKind: string } | null> {
  const e = await enterpriseById(unit.tx, enterpriseId);
  return e && joinable(e.status, takeover) ? { name: e.name, bin: e.bin, binKind: e.binKind } : null;
}

/**
 * Files the acting person's request to join an enterprise as its employee, or (`takeover`) to take
 * over an ownerless member enterprise as its owner, and tells staff. False when the enterprise
 * can no longer take that request.
 */
export async function askToJoin(unit: Unit, enterpriseId: number, contact: ContactDraft, takeover: boolean): Promise<boolean> {
  await lockEnterprise(unit.tx, enterpriseId);
  if (!(await joinableEnterprise(unit, enterpriseId, takeover))) return false;
  const { membershipId } = await submitJoinRequest(unit.tx, personOf(unit), enterpriseId, contact, unit.now, takeover ? "claimant" : "employee");
  await notifyStaff(unit, "join", membershipId);
  return true;
}

/** The acting person's membership, as plain data; null when they have none (or nobody acts). */
export async function myMembership(unit: Unit): Promise<MembershipView | null> {
  return unit.actor ? membershipOf(unit.tx, unit.actor.personId) : null;
}

/** An enterprise's change requests that wait for staff, as plain data. */
export async function pendingChanges(unit: Unit, enterpriseId: number): Promise<{ field: "name" | "bin"; newValue: string }[]> {
  return pendingChangesOf(unit.tx, enterpriseId);
}

/** Whether a BIN is held by a live enterprise other than `exceptId`; its holder, as plain data. */
export async function binHolder(unit: Unit, bin: string, exceptId?: number): Promise<{ id: number; name: string; status: string } | null> {
  const h = await holderOfBin(unit.tx, bin, exceptId);
  return h ? { id: h.id, name: h.name, status: h.status } : null;
}

/**
 * Changes a member's own contact name or phone; a notice that still waits shows the new contact
 * (refreshNotice leaves decided ones alone).
 */
export async function changeContact(unit: Unit, m: { personId: number; id: number; role: string; enterprise: { id: number } }, patch: { name?: string; phone?: string }): Promise<void> {
  await lockEnterprise(unit.tx, m.enterprise.id);
  await updateContact(unit.tx, m.personId, patch, unit.now);
  await refreshNotice(unit, m.role === "owner" ? "application" : "join", m.role === "owner" ? m.enterprise.id : m.id);
}

/**
 * An owner's edit of their enterprise (read again: staff may have decided while they typed).
 * While its application waits, every field changes at once; once approved, a new name or BIN goes
 * to staff as a change request (replacing an earlier one) and the rest changes at once.
 * "gone": not theirs to edit any more (permissions.ts); "unchanged": the same value again;
 * "withdrawn": the current value typed again while a change of that field waited for staff (the
 * owner takes it back: it is withdrawn and its notice says so).
 */
export async function editEnterprise(
  unit: Unit,
  m: { personId: number; enterprise: { id: number } },
  field: string,
  patch: Partial<EnterpriseDraft>,
): Promise<"gone" | "unchanged" | "withdrawn" | "sent" | "saved"> {
  await lockEnterprise(unit.tx, m.enterprise.id);
  const now = await membershipOf(unit.tx, m.personId);
  if (!now || now.enterprise.id !== m.enterprise.id) return "gone";
  const e = now.enterprise;
  const permitted = may(await subjectOf(unit.tx, unit.actor?.personId), {
    action: "enterprise.edit",
    membership: { personId: now.personId, role: now.role, status: now.status, enterpriseStatus: e.status },
  });
  if (!permitted.ok) return "gone";
  if (e.status !== "pending" && (field === "name" || field === "bin")) {
    const newValue = field === "name" ? patch.name! : patch.bin!;
    const oldValue = field === "name" ? e.name : e.bin;
    if (newValue === oldValue) {
      // The current value typed again: the owner takes back a change still waiting for staff.
      const waiting = (await pendingChangesOf(unit.tx, e.id)).filter((c) => c.field === field);
      let withdrawn = false;
      for (const c of waiting) {
        if (!(await withdrawChange(unit.tx, c.id, unit.now))) continue;
        await refreshNotice(unit, "change", c.id, { decision: "withdrawn" });
        withdrawn = true;
      }
      return withdrawn ? "withdrawn" : "unchanged";
    }
    const { changeId, replaced } = await requestChange(unit.tx, { enterpriseId: e.id, field, oldValue, newValue, requestedById: m.personId }, unit.now);
    for (const id of replaced) await refreshNotice(unit, "change", id, { decision: "superseded" });
    await notifyStaff(unit, "change", changeId);
    return "sent";
  }
  await updateEnterprise(unit.tx, e.id, patch);
  if (e.status === "pending") await refreshNotice(unit, "application", e.id);
  return "saved";
}
