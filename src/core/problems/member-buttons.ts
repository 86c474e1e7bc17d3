/**
 * Member buttons on problem messages, outside any dialog ("pm:…"; problems/buttons.ts routes them):
 * - "pm:solved:<id>:<rev36>:y|n": "is it really solved?" (sent by service.ts changeStatus, branch
 *   `problems`): yes closes the problem, no asks why (flow "problem-unsolved") and reopens it;
 * - "pm:open:<id>": the problem's timeline (flow "problem-view"), e.g. from a staff reply's notice;
 * - "pm:write:<id>": "Write to staff" on that problem (flow "problem-write", member-focus.ts).
 * The data is untrusted: parsed strictly (anything else is audited as forged); whether the person
 * may see the problem is the service's check on every press (another enterprise's problem is
 * refused as not found, and audited there). A press that no longer applies (answered already, a
 * double tap) gets a toast and changes nothing.
 */
import type { FlowStart } from "../dialog/engine.ts";
import { recordRefusal } from "../permissions.ts";
import type { Turn } from "../turn.ts";
import { parseSolvedButton } from "./notify.ts";
import { confirmSolved, openProblem } from "./service.ts";

type MemberButton = { kind: "solved"; id: number; revision: number; solved: boolean } | { kind: "open"; id: number } | { kind: "write"; id: number };

const ID = "([1-9][0-9]{0,9})";

/** Parses a "pm:…" button's data strictly; null for anything else (forged, or of an older version). */
export function parseMemberButton(data: string): MemberButton | null {
  // The question's buttons are made (and parsed) by notify.ts, which sends it.
  const solved = parseSolvedButton(data);
  if (solved) return { kind: "solved", id: solved.problemId, revision: solved.revision, solved: solved.yes };
  const m = new RegExp(`^pm:(open|write):${ID}$`).exec(data);
  if (m) return { kind: m[1] as "open" | "write", id: Number(m[2]) };
  return null;
}

/** Answers the press with a toast (message `key`); nothing to start. */
function toast(t: Turn, key: string): null {
  t.notice = t.t(key);
  return null;
}

/** The data of a member's "open this problem" button (e.g. under a staff reply's notice). */
export const openButtonData = (problemId: number): string => `pm:open:${problemId}`;
/** The data of a member's "Write to staff" button on problem `problemId`. */
export const writeButtonData = (problemId: number): string => `pm:write:${problemId}`;

/** A pressed "pm:…" button: parsed strictly; only a person of the problem's enterprise (or one that joined) may use it. */
export async function memberProblemButton(t: Turn, data: string): Promise<FlowStart | null> {
  const button = parseMemberButton(data);
  if (!button || Number.isNaN(button.id) || t.inbound.chatType !== "private") {
    await recordRefusal(t.unit, "problem.member-button", undefined);
    t.notice = t.t("button-stale");
    return null;
  }
  if (button.kind === "open") return { flow: "problem-view", args: { id: button.id } };
  // A flow, so that a press in the middle of another task (a report half answered) does not take
  // that task's next answers to staff: the core refuses to start it then (startFlow).
  if (button.kind === "write") return { flow: "problem-write", args: { id: button.id } };
  const opened = await openProblem(t.unit, button.id);
  if (!opened.ok) return toast(t, opened.reason);
  if (opened.problem.status !== "resolved" || opened.problem.revision !== button.revision) {
    // Answered already (a double tap, or a second device), or staff changed it meanwhile.
    return toast(t, "problem-solved-outdated");
  }
  if (!button.solved) return { flow: "problem-unsolved", args: { id: button.id, ref: opened.problem.ref, revision: button.revision } };
  const r = await confirmSolved(t.unit, button.id, true, null, { revision: button.revision });
  if (!r.ok) return toast(t, r.reason === "problem-bad-transition" || r.reason === "problem-outdated" ? "problem-solved-outdated" : r.reason);
  t.consumed = true;
  t.notice = t.t("problem-solved-thanks-short");
  await t.unit.outbox.send(t.here, { text: { key: "problem-solved-thanks", args: { ref: opened.problem.ref } } });
  return null;
}
