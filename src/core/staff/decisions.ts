/**
 * Staff decisions. A button's data is untrusted: it is parsed strictly, and the presser's role is
 * read from the database on every press. Refusals are answered and written to the audit log.
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
  closeEmployees,
  type Decision,
} from "../members/enterprises.ts";
import { audit, isStaffRole, targetsOf } from "../people.ts";
import { cleanText } from "../text.ts";
import { nameFor } from "../members/render.ts";
import type { Turn } from "../turn.ts";
import { fail, ok, type Json } from "../dialog/dialog.ts";
import type { FlowDef, FlowStart } from "../dialog/engine.ts";
import { adoptCopy, refreshNotice, type NoticeKind } from "./notices.ts";

const VERBS: Record<string, { kind: NoticeKind; decision: "approve" | "reject" }> = {
  ap: { kind: "application", decision: "approve" },
  rj: { kind: "application", decision: "reject" },
  ja: { kind: "join", decision: "approve" },
  jr: { kind: "join", decision: "reject" },
  ca: { kind: "change", decision: "approve" },
  cr: { kind: "change", decision: "reject" },
};

export const REASON_MAX = 500;

export function actorRef(turn: Turn): string {
  return `${turn.inbound.channel}:${turn.inbound.userId}`;
}

/** Refuses a staff action to someone who is not staff, and records the attempt. */
export async function deny(turn: Turn, action: string, subject?: string, reason: "error-not-allowed" | "error-admins-only" = "error-not-allowed"): Promise<void> {
  turn.log.warn("staff action refused", { action, actor: turn.actor?.personId ?? null });
  await audit(
    turn.tx,
    { actorId: turn.actor?.personId ?? null, actorRef: actorRef(turn), action, ...(subject ? { subject } : {}), outcome: "denied" },
    turn.now,
  );
  await turn.answer(reason);
}

export async function isStaff(turn: Turn): Promise<boolean> {
  if (!turn.actor) return false;
  const p = await turn.tx.person.findUnique({ where: { id: turn.actor.personId }, select: { role: true, erasedAt: true } });
  return !!p && !p.erasedAt && isStaffRole(p.role);
}

const DECIDED_STATES = ["active", "approved", "rejected", "withdrawn", "superseded", "suspended", "outdated", "closed"];

/** Tells a staff member that someone else decided first (a toast for a button, else a message). */
async function alreadyDecided(turn: Turn, status: string): Promise<void> {
  const key = `already-${DECIDED_STATES.includes(status) ? status : "gone"}`;
  await turn.answer(key);
}

/** The staff member's name as shown on decisions ("approved by …"). */
function staffName(turn: Turn): string | undefined {
  // Without a name (an anonymous admin's answer), each copy of the notice says "a staff member"
  // in its own language (notices.ts), not in the language of whoever decided.
  return turn.inbound.displayName?.trim() || undefined;
}

/**
 * A pressed staff button ("s:<verb>:<id>:<revision>"). Approvals happen at once; a rejection
 * starts the flow that asks for the reason (returned for the caller to start). The revision
 * (base 36) binds the button to what the notice showed: a request changed or sent again since is
 * not decided by an old button. Data without one (an older format) is outdated, not forged.
 */
export async function staffButton(turn: Turn, data: string): Promise<FlowStart | null> {
  const m = /^s:([a-z]{2}):(\d{1,9})(?::([0-9a-z]{1,12}))?$/.exec(data);
  const verb = m ? VERBS[m[1]!] : undefined;
  if (!m || !verb) {
    await deny(turn, "forged-button", data.slice(0, 64));
    return null;
  }
  const id = Number(m[2]);
  const revision = m[3] ? parseInt(m[3], 36) : 0;
  if (!(await isStaff(turn))) {
    await deny(turn, `${verb.kind}-${verb.decision}`, `${verb.kind}:${id}`);
    return null;
  }
  // A duplicate the bot never recorded (its send's answer was lost) is brought up to date.
  await adoptCopy(turn, verb.kind, id);
  if (!(await decidable(turn, verb.kind, id, revision))) return null;
  if (verb.decision === "reject") return { flow: "reject", args: { kind: verb.kind, id, revision } };
  await decide(turn, verb.kind, id, revision, { decision: "approve" });
  return null;
}

/** What a decision is about: its state, which revision it is at, and who asked. */
async function subjectOf(turn: Turn, kind: NoticeKind, id: number) {
  if (kind === "application") {
    const e = await enterpriseById(turn.tx, id);
    return e ? { status: e.status as string, revision: e.revised, applicant: (await ownerOf(turn.tx, id))?.personId } : null;
  }
  if (kind === "join") {
    const m = await membershipById(turn.tx, id);
    return m ? { status: m.status as string, revision: m.revised, applicant: m.personId } : null;
  }
  const c = await changeById(turn.tx, id);
  return c ? { status: c.status, revision: c.requested, applicant: c.requestedById } : null;
}

/**
 * Whether this staff member may decide on this request now: it is still pending, still what the
 * notice showed, and not their own (nobody approves their own application).
 */
async function decidable(turn: Turn, kind: NoticeKind, id: number, revision: number): Promise<boolean> {
  const subject = await subjectOf(turn, kind, id);
  const refuse = async (status: string) => {
    await alreadyDecided(turn, status);
    return false;
  };
  if (!subject) return refuse("missing");
  if (subject.applicant === turn.actor?.personId) {
    await audit(turn.tx, { actorId: turn.actor!.personId, actorRef: actorRef(turn), action: `${kind}-decide-own`, subject: `${kind}:${id}`, outcome: "denied" }, turn.now);
    await turn.answer("staff-own-application");
    return false;
  }
  if (subject.status !== "pending") return refuse(subject.status);
  if (subject.revision !== revision) return refuse("outdated");
  return true;
}

/**
 * Applies a decision once: the conditional update in enterprises.ts (status and submission in one
 * statement) lets exactly one of two simultaneous presses through; the other is told it was
 * already decided.
 */
export async function decide(turn: Turn, kind: NoticeKind, id: number, revision: number, decision: Decision): Promise<boolean> {
  if (!(await decidable(turn, kind, id, revision))) return false;
  const staffId = turn.actor!.personId;
  const result =
    kind === "application"
      ? await decideApplication(turn.tx, id, staffId, decision, turn.now, revision)
      : kind === "join"
        ? await decideJoin(turn.tx, id, staffId, decision, turn.now, revision)
        : await decideChange(turn.tx, id, staffId, decision, turn.now, revision, (bin) => {
            const r = parseBin(bin);
            return r.ok ? r.kind : null;
          });
  const subject = `${kind}:${id}`;
  if (!result.ok) {
    const status = result.status;
    if (status === "bin-taken") {
      await turn.answer("staff-change-bin-taken");
    } else {
      await alreadyDecided(turn, status);
    }
    return false;
  }
  const approved = decision.decision === "approve";
  await audit(
    turn.tx,
    {
      actorId: staffId,
      actorRef: actorRef(turn),
      action: `${kind}-${decision.decision}`,
      subject,
      outcome: "ok",
      ...(decision.decision === "reject" ? { detail: decision.reason } : {}),
    },
    turn.now,
  );
  await refreshNotice(turn, kind, id, {
    decision: approved ? "approved" : "rejected",
    ...(staffName(turn) ? { by: staffName(turn) } : {}),
    ...(decision.decision === "reject" ? { reason: decision.reason } : {}),
  });
  await tellApplicant(turn, kind, id, decision);
  if (kind === "application" && !approved) await closeEmployeesOf(turn, id, "decision-join-enterprise-rejected");
  // The notice itself is edited through the outbox (every copy of it), so no `consumed` here.
  turn.notice = turn.t(approved ? "staff-approved-notice" : "staff-rejected-notice");
  return true;
}

/**
 * Employees who asked to join an enterprise whose application failed (rejected, or withdrawn by an
 * erasure) are closed: their notices say so, and they are told.
 */
export async function closeEmployeesOf(turn: Turn, enterpriseId: number, key: string): Promise<void> {
  const enterprise = await enterpriseById(turn.tx, enterpriseId);
  if (!enterprise) return;
  for (const m of await closeEmployees(turn.tx, enterpriseId, turn.now)) {
    await refreshNotice(turn, "join", m.id, { decision: "rejected" });
    for (const target of await targetsOf(turn.tx, m.personId, turn.services.settings.defaultLocale)) {
      await turn.send(target, { text: (t) => t(key, { name: nameFor(t, enterprise, false) }) });
    }
  }
}

/** The applicant hears the outcome in their own language, wherever they can be reached. */
async function tellApplicant(turn: Turn, kind: NoticeKind, id: number, decision: Decision): Promise<void> {
  let personId: number | undefined;
  let name = "";
  let joinedName: { name: string; bin: string; binKind: string } | undefined;
  let key = "";
  const args: Record<string, string> = {};
  if (kind === "application") {
    const owner = await ownerOf(turn.tx, id);
    personId = owner?.personId;
    name = owner?.enterprise.name ?? "";
    key = decision.decision === "approve" ? "decision-application-approved" : "decision-application-rejected";
  } else if (kind === "join") {
    const m = await membershipById(turn.tx, id);
    personId = m?.personId;
    // Told before they are a member: a sole proprietor's name stays hidden (see nameFor).
    joinedName = m?.enterprise;
    key = decision.decision === "approve" ? "decision-join-approved" : "decision-join-rejected";
  } else {
    const c = await changeById(turn.tx, id);
    personId = c?.requestedById;
    const e = c ? await enterpriseById(turn.tx, c.enterpriseId) : null;
    name = e?.name ?? "";
    if (c) args.value = c.newValue;
    key = decision.decision === "approve" ? "decision-change-approved" : "decision-change-rejected";
  }
  if (!personId) return;
  if (decision.decision === "reject") args.reason = decision.reason;
  for (const target of await targetsOf(turn.tx, personId, turn.services.settings.defaultLocale)) {
    await turn.send(target, {
      text: (t) => t(key, { name: joinedName ? nameFor(t, joinedName, decision.decision === "approve") : name, ...args }),
    });
  }
}

/** Rejecting asks for the reason first (it is sent to the applicant); /cancel leaves it undecided. */
export const rejectFlow: FlowDef<{ kind: NoticeKind; id: number; revision: number } & { [k: string]: Json }> = {
  name: "reject",
  version: 1,
  title: "flow-reject",
  async run(d, args) {
    const reason = await d.text(
      (t) => t(`staff-reject-ask-${args.kind}`, { id: String(args.id) }),
      (text) => {
        const r = cleanText(text, { max: REASON_MAX, multiline: true, letters: true });
        return r.ok ? ok(r.value) : fail({ key: `error-reason-${r.reason}`, args: { max: REASON_MAX } });
      },
    );
    const done = await d.act("reject", async (turn) => {
      if (!(await isStaff(turn))) {
        await deny(turn, `${args.kind}-reject`, `${args.kind}:${args.id}`);
        return false;
      }
      return decide(turn, args.kind, args.id, args.revision, { decision: "reject", reason });
    });
    if (done) await d.say({ key: "staff-rejected-done", args: { id: String(args.id) } });
  },
};
