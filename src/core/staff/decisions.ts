/**
 * Staff decisions in a chat: a pressed button and the reason question (the services are in
 * decide.ts). A button's data is untrusted: it is parsed strictly, and the presser's role is
 * read from the database on every press. Refusals are answered and written to the audit log.
 */
import { allowed, refuseAction, type Refusal } from "../permissions.ts";
import { cleanText } from "../text.ts";
import type { Turn } from "../turn.ts";
import { decidable, decide, isTakeover } from "./decide.ts";
import { fail, ok, type Json } from "../dialog/dialog.ts";
import type { FlowDef, FlowStart } from "../dialog/engine.ts";
import { adoptCopy, refOf, refreshNotice, type NoticeKind } from "./notices.ts";

/**
 * Buttons sent before revisions were integers name a timestamp (ms): any revision from here up is
 * one of those (no record is edited 10^11 times). Pressed, it is outdated, and its notice is shown
 * again with current buttons, so that notices waiting at an upgrade can still be decided.
 */
const LEGACY_REVISION = 1e11;

const VERBS: Record<string, { kind: NoticeKind; decision: "approve" | "reject" }> = {
  ap: { kind: "application", decision: "approve" },
  rj: { kind: "application", decision: "reject" },
  ja: { kind: "join", decision: "approve" },
  jr: { kind: "join", decision: "reject" },
  ca: { kind: "change", decision: "approve" },
  cr: { kind: "change", decision: "reject" },
};

export const REASON_MAX = 500;

/** Refuses an action and records the attempt (see permissions.ts: refuseAction). */
export async function deny(turn: Turn, action: string, subject?: string, reason: Refusal = "error-not-allowed"): Promise<void> {
  await refuseAction(turn, action, subject, reason);
}

/** The staff member's name as shown on decisions ("approved by …"), from the chat they decided in. */
function staffName(turn: Turn): string | undefined {
  // Without a name (an anonymous admin's answer), each copy of the notice says "a staff member"
  // in its own language (notices.ts), not in the language of whoever decided.
  return turn.inbound.displayName?.trim() || undefined;
}

/**
 * A pressed staff button ("s:<verb>:<id>:<revision>"). Approvals happen at once; a rejection
 * starts the flow that asks for the reason (returned for the caller to start). The revision
 * (base 36; the record's integer revision) binds the button to what the notice showed: a request
 * changed or sent again since is not decided by an old button. Data without one, or with a
 * timestamp (older formats), is outdated, not forged.
 */
export async function staffButton(turn: Turn, data: string): Promise<FlowStart | null> {
  const m = /^s:([a-z]{2}):(\d{1,9})(?::([0-9a-z]{1,12}))?$/.exec(data);
  const verb = m ? VERBS[m[1]!] : undefined;
  if (!m || !verb) {
    await deny(turn, "forged-button", data.slice(0, 64));
    return null;
  }
  const id = Number(m[2]);
  // No revision (the oldest format) matches none: -1. A button of the format before integer
  // revisions names a timestamp (ms, ~1.8e12), which no record's revision reaches: outdated too.
  const revision = m[3] ? parseInt(m[3], 36) : -1;
  // A duplicate the bot never recorded (its send's answer was lost) is brought up to date, for
  // staff only: a notice carries applicants' contact details.
  const { unit } = turn;
  if (await allowed(unit, { action: "staff.view" })) {
    await adoptCopy(unit, { channel: turn.inbound.channel, chatId: turn.inbound.chatId, messageId: turn.inbound.messageId, locale: turn.locale }, verb.kind, id);
  }
  const renewLegacy = async (answer: string) => {
    if (revision >= LEGACY_REVISION && answer === "already-outdated") await refreshNotice(unit, verb.kind, id);
  };
  if (verb.decision === "reject") {
    const refused = await decidable(unit, verb.kind, id, revision, verb.decision);
    if (refused) {
      await renewLegacy(refused);
      await turn.answer(refused);
      return null;
    }
    // A take-over request is named as such in the question and the confirmation.
    const takeover = verb.kind === "join" && (await isTakeover(unit, id));
    return { flow: "reject", args: { kind: verb.kind, id, revision, ...(takeover ? { takeover: true } : {}) } };
  }
  const outcome = await decide(unit, verb.kind, id, revision, { decision: "approve" }, staffName(turn));
  if (outcome.ok) turn.notice = turn.t("staff-approved-notice");
  else {
    await renewLegacy(outcome.answer);
    await turn.answer(outcome.answer);
  }
  return null;
}

/** Rejecting asks for the reason first (it is sent to the applicant); /cancel leaves it undecided. */
export const rejectFlow: FlowDef<{ kind: NoticeKind; id: number; revision: number } & { [k: string]: Json }> = {
  name: "reject",
  version: 1,
  title: "flow-reject",
  async run(d, args) {
    const reason = await d.text(
      (t) => t(`staff-reject-ask-${args.takeover ? "takeover" : args.kind}`, { id: refOf(args.kind, args.id) }),
      (text) => {
        const r = cleanText(text, { max: REASON_MAX, multiline: true, letters: true });
        return r.ok ? ok(r.value) : fail({ key: `error-reason-${r.reason}`, args: { max: REASON_MAX } });
      },
    );
    // decide() asks permissions.ts again: the role may have been revoked while they typed.
    const done = await d.act("reject", async (turn) => {
      const outcome = await decide(turn.unit, args.kind, args.id, args.revision, { decision: "reject", reason }, staffName(turn));
      if (!outcome.ok) await turn.answer(outcome.answer);
      return outcome.ok;
    });
    // One confirmation, naming the request by its own reference (no toast: the reason was typed).
    if (done) await d.say({ key: `staff-rejected-done-${args.takeover ? "takeover" : args.kind}`, args: { ref: refOf(args.kind, args.id) } });
  },
};

