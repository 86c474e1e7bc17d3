/**
 * Staff decisions as services on a unit of work (unit.ts): who may decide (permissions.ts), the
 * decision applied once, the notices edited and the people concerned told. What a staff member
 * pressed or typed is handled in decisions.ts, which shows the outcome (a toast or a message).
 */
import { parseBin } from "../members/bin.ts";
import {
  decideApplication,
  decideChange,
  decideJoin,
  enterpriseById,
  changeById,
  membershipById,
  ownerOf,
  closeClaims,
  closeEmployees,
  lockEnterprise,
  pendingJoinsOf,
  pendingWork,
  type Decision,
} from "../members/enterprises.ts";
import { audit, targetsOf } from "../people.ts";
import { allowed, may, recordRefusal, subjectOf as actorSubject } from "../permissions.ts";
import { rich } from "../rich-text.ts";
import { nameFor } from "../members/render.ts";
import type { MessageSpec } from "../message.ts";
import type { Unit } from "../unit.ts";
import { refreshNotice, type NoticeKind } from "./notices.ts";

/** Whether the unit's actor may see staff work (the staff menu, /pending): permissions.ts decides. */
export async function isStaff(unit: Unit): Promise<boolean> {
  return allowed(unit, { action: "staff.view" });
}

const DECIDED_STATES = ["active", "approved", "rejected", "withdrawn", "superseded", "suspended", "outdated", "closed", "ended", "waiting", "ownerless"];

/** What to tell a staff member when someone else decided first (or the request is gone or changed). */
function alreadyDecided(status: string, takeoverOwned = false): string {
  // A take-over request closed because another one was approved says so (see notices.ts).
  if (takeoverOwned && status === "closed") return "already-closed-takeover";
  return `already-${DECIDED_STATES.includes(status) ? status : "gone"}`;
}

/**
 * How a decision ended: applied, or not, with the key of what to tell the staff member (the
 * caller shows it: a toast for a button, a message in a flow).
 */
export type DecideOutcome = { ok: true } | { ok: false; answer: string };

/** What a decision is about: its state, which revision it is at, and who asked. */
async function subjectOf(unit: Unit, kind: NoticeKind, id: number) {
  if (kind === "application") {
    const e = await enterpriseById(unit.tx, id);
    return e ? { status: e.status as string, revision: e.revised, applicant: (await ownerOf(unit.tx, id))?.personId } : null;
  }
  if (kind === "join") {
    const m = await membershipById(unit.tx, id);
    // A take-over request is closed when a rival one was approved: its enterprise has an owner again.
    const takeoverOwned = m?.role === "claimant" && m.enterprise.status === "active";
    return m ? { status: m.status as string, revision: m.revised, applicant: m.personId, takeoverOwned } : null;
  }
  const c = await changeById(unit.tx, id);
  return c ? { status: c.status, revision: c.revision, applicant: c.requestedById } : null;
}

/** The enterprise a request is about (an application's is its own id), or null when the request is gone. */
async function enterpriseOfRequest(unit: Unit, kind: NoticeKind, id: number): Promise<number | null> {
  if (kind === "application") return id;
  if (kind === "join") return (await membershipById(unit.tx, id))?.enterprise.id ?? null;
  return (await changeById(unit.tx, id))?.enterpriseId ?? null;
}

/**
 * Whether this actor may decide on this request now: permissions.ts says who may (staff, not on
 * their own request), and the request is still pending and still what the notice showed.
 * Returns null when it may, else the key of the answer (a refusal is audited here).
 */
export async function decidable(unit: Unit, kind: NoticeKind, id: number, revision: number, decision: Decision["decision"]): Promise<string | null> {
  const subject = await subjectOf(unit, kind, id);
  const verdict = may(await actorSubject(unit.tx, unit.actor?.personId), {
    action: "staff.decide",
    record: { type: kind, id, applicantId: subject?.applicant ?? null },
  });
  if (!verdict.ok) {
    const action = verdict.reason === "staff-own-application" ? `${kind}-decide-own` : `${kind}-${decision}`;
    await recordRefusal(unit, action, `${kind}:${id}`);
    return verdict.reason;
  }
  if (!subject) return alreadyDecided("missing");
  if (subject.status !== "pending") return alreadyDecided(subject.status, "takeoverOwned" in subject && subject.takeoverOwned);
  if (subject.revision !== revision) return alreadyDecided("outdated");
  return null;
}

/**
 * Applies a decision once: the conditional update in enterprises.ts (status and submission in one
 * statement) lets exactly one of two simultaneous presses through; the other is told it was
 * already decided. The caller tells the staff member the outcome, once (a toast or a message).
 * `by`: the decider's name as the notices show it (none: "a staff member", in each copy's language).
 */
export async function decide(unit: Unit, kind: NoticeKind, id: number, revision: number, decision: Decision, by?: string): Promise<DecideOutcome> {
  // Two staff deciding on two instances: one after the other, the second reading the first's decision.
  const enterpriseId = await enterpriseOfRequest(unit, kind, id);
  if (enterpriseId !== null) await lockEnterprise(unit.tx, enterpriseId);
  const refused = await decidable(unit, kind, id, revision, decision.decision);
  if (refused) return { ok: false, answer: refused };
  const staffId = unit.actor!.personId;
  const result =
    kind === "application"
      ? await decideApplication(unit.tx, id, staffId, decision, unit.now, revision)
      : kind === "join"
        ? await decideJoin(unit.tx, id, staffId, decision, unit.now, revision)
        : await decideChange(unit.tx, id, staffId, decision, unit.now, revision, (bin) => {
            const r = parseBin(bin);
            return r.ok ? r.kind : null;
          });
  const subject = `${kind}:${id}`;
  if (!result.ok) {
    const status = result.status;
    const now = status === "closed" ? await subjectOf(unit, kind, id) : null;
    const takeoverOwned = !!now && "takeoverOwned" in now && now.takeoverOwned;
    const answer = status === "bin-taken" ? "staff-change-bin-taken" : status === "waiting" ? "staff-join-waits" : alreadyDecided(status, takeoverOwned);
    return { ok: false, answer };
  }
  const approved = decision.decision === "approve";
  await audit(
    unit.tx,
    {
      actorId: staffId,
      actorRef: unit.actorRef,
      action: `${kind}-${decision.decision}`,
      subject,
      outcome: "ok",
      ...(decision.decision === "reject" ? { detail: decision.reason } : {}),
    },
    unit.now,
  );
  await refreshNotice(unit, kind, id, {
    decision: approved ? "approved" : "rejected",
    // Who decided is always a staff member; without a name (an anonymous admin), each copy says so in its own language.
    ...(by ? { by } : { someone: true }),
    ...(decision.decision === "reject" ? { reason: decision.reason } : {}),
  });
  await tellApplicant(unit, kind, id, decision);
  if (kind === "application" && !approved) await closeEmployeesOf(unit, id, "rejected");
  // Joins that waited for this enterprise can now be approved: their notices get the button.
  if (kind === "application" && approved) for (const j of await pendingJoinsOf(unit.tx, id)) await refreshNotice(unit, "join", j);
  if (kind === "join" && approved) {
    const m = await membershipById(unit.tx, id);
    // A take-over approved: the other claimants' requests are closed.
    if (m?.role === "owner") {
      for (const other of await closeClaims(unit.tx, m.enterprise.id, unit.now)) {
        await refreshNotice(unit, "join", other.id, { decision: "closed" });
        await tellPerson(unit, other.personId, { text: "membership-claim-closed" });
      }
    }
  }
  // The notice itself is edited through the outbox (every copy of it), so no `consumed` here.
  return { ok: true };
}

/** Tells a person something wherever they can be reached, in their language. */
export async function tellPerson(unit: Unit, personId: number, message: MessageSpec): Promise<void> {
  for (const target of await targetsOf(unit.tx, personId, unit.settings.defaultLocale)) await unit.outbox.send(target, message);
}

/**
 * Employees who asked to join (or joined) an enterprise whose application failed are closed
 * (pending) or ended (approved): their notices say so without naming a decider, and they are told.
 * `why`: "rejected" (staff rejected the enterprise's application) or "owner-left" (its owner erased
 * their data; nothing of the erased person, not even the enterprise's name, is repeated).
 */
export async function closeEmployeesOf(unit: Unit, enterpriseId: number, why: "rejected" | "owner-left"): Promise<void> {
  const enterprise = await enterpriseById(unit.tx, enterpriseId);
  if (!enterprise) return;
  for (const m of await closeEmployees(unit.tx, enterpriseId, unit.now)) {
    await refreshNotice(unit, "join", m.id, { decision: m.status });
    await tellPerson(unit, m.personId, {
      text: why === "rejected" ? (t) => t("decision-join-enterprise-rejected", { name: nameFor(t, enterprise, false) }) : `membership-${m.status}-owner-left`,
    });
  }
}

/** The applicant hears the outcome in their own language, wherever they can be reached. */
async function tellApplicant(unit: Unit, kind: NoticeKind, id: number, decision: Decision): Promise<void> {
  let personId: number | undefined;
  let name = "";
  let joinedName: { name: string; bin: string; binKind: string } | undefined;
  let field: "name" | "bin" | undefined;
  let key = "";
  const args: Record<string, string> = {};
  if (kind === "application") {
    const owner = await ownerOf(unit.tx, id);
    personId = owner?.personId;
    name = owner?.enterprise.name ?? "";
    key = decision.decision === "approve" ? "decision-application-approved" : "decision-application-rejected";
  } else if (kind === "join") {
    const m = await membershipById(unit.tx, id);
    personId = m?.personId;
    // Told before they are a member: a sole proprietor's name stays hidden (see nameFor).
    joinedName = m?.enterprise;
    const takeover = m?.role === "owner" || m?.role === "claimant";
    key = decision.decision === "approve" ? (takeover ? "decision-takeover-approved" : "decision-join-approved") : takeover ? "decision-takeover-rejected" : "decision-join-rejected";
  } else {
    const c = await changeById(unit.tx, id);
    personId = c?.requestedById;
    const e = c ? await enterpriseById(unit.tx, c.enterpriseId) : null;
    // After an approved name change the enterprise's name is the new one: show the old one.
    name = c && decision.decision === "approve" && c.field === "name" ? c.oldValue : (e?.name ?? "");
    if (c) {
      args.value = c.newValue;
      field = c.field;
    }
    key = decision.decision === "approve" ? "decision-change-approved-field" : "decision-change-rejected";
  }
  if (!personId) return;
  if (decision.decision === "reject") args.reason = decision.reason;
  await tellPerson(unit, personId, {
    text: (t) =>
      t(key, {
        name: joinedName ? nameFor(t, joinedName, decision.decision === "approve") : name,
        ...args,
        ...(field ? { field: rich(t(`field-${field}`)) } : {}),
      }),
  });
}


/** Whether join request `id` asks to take over an enterprise (named so in the reason question). */
export async function isTakeover(unit: Unit, id: number): Promise<boolean> {
  return (await membershipById(unit.tx, id))?.role === "claimant";
}

/** What waits for staff: the first `page` ids of each kind, and how many there are. */
export async function pendingFor(unit: Unit, page: number): ReturnType<typeof pendingWork> {
  return pendingWork(unit.tx, page);
}
