/**
 * Who may do what to which record, in one place. Every staff handler, button and command asks
 * {@link authorize} (or {@link may} when it only needs the answer), with the actor's role read from
 * the database on every call: a role revoked a second ago no longer counts, and a button's data
 * (untrusted) names at most the record, never the right to act on it.
 */
import type { Tx } from "../db/database.ts";
import type { RecordType } from "./members/status.ts";
import { audit } from "./people.ts";
import type { Turn } from "./turn.ts";

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
  | { action: "enterprise.edit"; membership: { personId: number; role: string; status: string; enterpriseStatus: string } };

/** Why not: each reason is also the key of the answer the person gets. */
export type Refusal = "error-not-allowed" | "error-admins-only" | "staff-own-application";
export type Verdict = { ok: true } | { ok: false; reason: Refusal };

const isStaffRole = (role: string): boolean => role === "staff" || role === "admin";

const allow: Verdict = { ok: true };
const refuse = (reason: Refusal): Verdict => ({ ok: false, reason });

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
  }
}

/** The actor's current role from the database (null for nobody, or someone erased). */
export async function subjectOf(tx: Tx, personId: number | undefined | null): Promise<Subject | null> {
  if (!personId) return null;
  const p = await tx.person.findUnique({ where: { id: personId }, select: { role: true, erasedAt: true } });
  return p ? { personId, role: p.role, erased: !!p.erasedAt } : null;
}

/** Whether the turn's actor may do `p` (no answer, no audit): for menus and quiet checks. */
export async function allowed(turn: Turn, p: Permission): Promise<boolean> {
  return may(await subjectOf(turn.tx, turn.actor?.personId), p).ok;
}

/** "telegram:123": who acted, as the audit log names them. */
export function actorRef(turn: Turn): string {
  return `${turn.inbound.channel}:${turn.inbound.userId}`;
}

/**
 * Checks `p` for the turn's actor. A refusal is logged (no personal data), written to the audit
 * log as `auditAction` on `auditSubject`, and answered (a toast for a button, else a message).
 */
export async function authorize(turn: Turn, p: Permission, auditAction: string, auditSubject?: string): Promise<boolean> {
  const verdict = may(await subjectOf(turn.tx, turn.actor?.personId), p);
  if (verdict.ok) return true;
  await refuseAction(turn, auditAction, auditSubject, verdict.reason);
  return false;
}

/** Records and answers a refused action (also used for forged button data, which names no permission). */
export async function refuseAction(turn: Turn, auditAction: string, auditSubject: string | undefined, reason: Refusal): Promise<void> {
  turn.log.warn("action refused", { action: auditAction, actor: turn.actor?.personId ?? null });
  await audit(
    turn.tx,
    { actorId: turn.actor?.personId ?? null, actorRef: actorRef(turn), action: auditAction, ...(auditSubject ? { subject: auditSubject } : {}), outcome: "denied" },
    turn.now,
  );
  await turn.answer(reason);
}
