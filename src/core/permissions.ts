/**
 * Who may do what to which record, in one place. Every staff handler, button and command asks
 * {@link authorize} (or {@link may} when it only needs the answer), with the actor's role read from
 * the database on every call: a role revoked a second ago no longer counts, and a button's data
 * (untrusted) names at most the record, never the right to act on it.
 */
import type { Tx } from "../db/database.ts";
import type { RecordType } from "./members/status.ts";
import { audit } from "./people.ts";
import type { Unit } from "./unit.ts";

/** The facts about an actor that permissions depend on, read fresh from the database. */
export interface Subject {
  personId: number;
  role: string;
  erased: boolean;
}

/** What someone wants to do; a record carries what the rule needs to know about it. */
export type Permission =
  /** See what waits for staff (/pending, the staff menu). */
  | { action: "staff.view" }
  /** Approve or reject an application, join/take-over request or change request. */
  | { action: "staff.decide"; record: { type: RecordType; id: number; applicantId: number | null } }
  /** Grant or revoke staff and admin roles. */
  | { action: "team.manage" }
  /** Change an enterprise's details ("My enterprise"): its owner, while it is theirs to change. */
  | { action: "enterprise.edit"; membership: { personId: number; role: string; status: string; enterpriseStatus: string } }
  /**
   * Report an industry problem (issue 7): a person with an active membership of a member
   * enterprise (active, or ownerless: still a member). `membership`: the actor's, read fresh; null for none.
   */
  | { action: "problem.report"; membership: { status: string; enterpriseStatus: string } | null }
  /**
   * See a problem (and write to it, answer "is it solved?"): staff see every problem; a member sees
   * their enterprise's and those it joined (`problem.enterprises`: the reporting enterprise and
   * those that joined; `membership`: the actor's, null for none). Refused as not found.
   */
  | { action: "problem.view"; problem: { enterprises: number[] }; membership: { enterpriseId: number; status: string; enterpriseStatus: string } | null }
  /** Staff's work on problems: take, change status, note, reply, list, stats, export. */
  | { action: "problem.staff" }
  /** Staff's work on events (issue 8): create, edit, reschedule, cancel, publish, attendee lists. */
  | { action: "event.manage" }
  /** Answer an event for one's enterprise: an active membership of a member enterprise. */
  | { action: "event.answer"; membership: { status: string; enterpriseStatus: string } | null }
  /** Staff's announcements (issue 8): compose, preview, test, send, schedule, pause, resume, cancel, reports. */
  | { action: "broadcast.send" };

/** Why not: each reason is also the key of the answer the person gets. */
export type Refusal = "error-not-allowed" | "error-admins-only" | "staff-own-application" | "problem-not-member" | "problem-not-found" | "event-not-member";
export type Verdict = { ok: true } | { ok: false; reason: Refusal };

const isStaffRole = (role: string): boolean => role === "staff" || role === "admin";

const allow: Verdict = { ok: true };
const refuse = (reason: Refusal): Verdict => ({ ok: false, reason });

/** An active membership of a member enterprise (members/status.ts MEMBER_ENTERPRISE: active or ownerless). */
const activeMember = (m: { status: string; enterpriseStatus: string } | null): boolean =>
  !!m && m.status === "active" && (m.enterpriseStatus === "active" || m.enterpriseStatus === "ownerless");

/** The rule itself: pure, so that it can be read (and tested) as a table. */
export function may(subject: Subject | null, p: Permission): Verdict {
  if (!subject || subject.erased) return refuse("error-not-allowed");
  switch (p.action) {
    case "staff.view":
      return isStaffRole(subject.role) ? allow : refuse("error-not-allowed");
    case "staff.decide":
      if (!isStaffRole(subject.role)) return refuse("error-not-allowed");
      // Nobody decides on their own request: another staff member does.
      return p.record.applicantId === subject.personId ? refuse("staff-own-application") : allow;
    case "team.manage":
      // Staff asking for an admin's task are told it is for admins; others, that it is not theirs.
      return subject.role === "admin" ? allow : refuse(isStaffRole(subject.role) ? "error-admins-only" : "error-not-allowed");
    case "enterprise.edit": {
      const m = p.membership;
      if (m.personId !== subject.personId || m.role !== "owner") return refuse("error-not-allowed");
      // Their own application while it waits, or the member enterprise they own.
      const open = (m.status === "pending" && m.enterpriseStatus === "pending") || (m.status === "active" && (m.enterpriseStatus === "active" || m.enterpriseStatus === "suspended"));
      return open ? allow : refuse("error-not-allowed");
    }
    case "problem.report":
      return activeMember(p.membership) ? allow : refuse("problem-not-member");
    case "problem.view":
      if (isStaffRole(subject.role)) return allow;
      return activeMember(p.membership) && p.problem.enterprises.includes(p.membership!.enterpriseId) ? allow : refuse("problem-not-found");
    case "problem.staff":
    case "event.manage":
    case "broadcast.send":
      return isStaffRole(subject.role) ? allow : refuse("error-not-allowed");
    case "event.answer":
      return activeMember(p.membership) ? allow : refuse("event-not-member");
  }
}

/** The actor's current role from the database (null for nobody, or someone erased). */
export async function subjectOf(tx: Tx, personId: number | undefined | null): Promise<Subject | null> {
  if (!personId) return null;
  const p = await tx.person.findUnique({ where: { id: personId }, select: { role: true, erasedAt: true } });
  return p ? { personId, role: p.role, erased: !!p.erasedAt } : null;
}

/** Whether the unit's actor may do `p` (no answer, no audit): for menus and quiet checks. */
export async function allowed(unit: Unit, p: Permission): Promise<boolean> {
  return may(await subjectOf(unit.tx, unit.actor?.personId), p).ok;
}

/**
 * Checks `p` for the unit's actor. A refusal is logged (no personal data) and written to the audit
 * log as `auditAction` on `auditSubject`; the verdict says why, for the caller to answer.
 */
export async function enforce(unit: Unit, p: Permission, auditAction: string, auditSubject?: string): Promise<Verdict> {
  const verdict = may(await subjectOf(unit.tx, unit.actor?.personId), p);
  if (!verdict.ok) await recordRefusal(unit, auditAction, auditSubject);
  return verdict;
}

/** Logs and audits a refused action (also used for forged button data, which names no permission). */
export async function recordRefusal(unit: Unit, auditAction: string, auditSubject: string | undefined): Promise<void> {
  unit.log.warn("action refused", { action: auditAction, actor: unit.actor?.personId ?? null });
  await audit(
    unit.tx,
    { actorId: unit.actor?.personId ?? null, actorRef: unit.actorRef, action: auditAction, ...(auditSubject ? { subject: auditSubject } : {}), outcome: "denied" },
    unit.now,
  );
}

/** Someone who can be answered in a chat: a chat turn (turn.ts). */
interface Answerable {
  unit: Unit;
  answer(key: string): Promise<void>;
}

/**
 * {@link enforce}, in a chat: a refusal is also answered (a toast for a button, else a message).
 */
export async function authorize(turn: Answerable, p: Permission, auditAction: string, auditSubject?: string): Promise<boolean> {
  const verdict = await enforce(turn.unit, p, auditAction, auditSubject);
  if (!verdict.ok) await turn.answer(verdict.reason);
  return verdict.ok;
}

/** Records and answers a refused action in a chat. */
export async function refuseAction(turn: Answerable, auditAction: string, auditSubject: string | undefined, reason: Refusal): Promise<void> {
  await recordRefusal(turn.unit, auditAction, auditSubject);
  await turn.answer(reason);
}
