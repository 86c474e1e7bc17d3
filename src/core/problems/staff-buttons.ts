/**
 * Staff buttons of a problem's post ("ps:…", thread.ts postButtons): Take ("ps:t:<id>:<rev36>"),
 * Status ("ps:s:<id>:<rev36>", starts the status flow) and Note ("ps:n:<id>", starts the note flow).
 * The data is untrusted: parsed strictly (anything else is a forged button, audited), and the
 * presser's role is read from the database on every press (permissions.ts); refusals are answered
 * and audited. The revision binds Take and Status to what the post showed: a problem changed since
 * is refused as outdated (the services check it again when they write).
 */
import type { FlowStart } from "../dialog/engine.ts";
import { authorize, recordRefusal } from "../permissions.ts";
import type { Turn } from "../turn.ts";
import { problemHeader, takeProblem } from "./service.ts";

const BUTTON = /^ps:(?:([ts]):(\d{1,9}):([0-9a-z]{1,7})|(n):(\d{1,9}))$/;
const ACTIONS = { t: "problem.take", s: "problem.status", n: "problem.note" } as const;

/**
 * Answers with a service's refusal (a locale key of the problems part, e.g. "problem-outdated");
 * a key this build's locales lack gets the generic refusal rather than failing the turn.
 */
export async function answerRefusal(turn: Turn, reason: string): Promise<void> {
  await turn.answer(turn.unit.services.i18n.has(reason) ? reason : "thread-refused");
}

/** A pressed "ps:…" button: parsed strictly, permission checked, audited. Returns the flow to start (Status, Note), or null. */
export async function staffProblemButton(t: Turn, data: string): Promise<FlowStart | null> {
  const m = BUTTON.exec(data);
  if (!m) {
    await recordRefusal(t.unit, "forged-button", data.slice(0, 64));
    await t.answer("error-not-allowed");
    return null;
  }
  const verb = (m[1] ?? m[4]) as keyof typeof ACTIONS;
  const id = Number(m[2] ?? m[5]);
  const revision = m[3] !== undefined ? parseInt(m[3], 36) : null;
  if (!(await authorize(t, { action: "problem.staff" }, ACTIONS[verb], `problem:${id}`))) return null;
  const problem = await problemHeader(t.unit, id);
  if (!problem) {
    await recordRefusal(t.unit, ACTIONS[verb], `problem:${id}`);
    await t.answer("thread-problem-gone");
    return null;
  }
  if (verb === "n") return { flow: "problem-note", args: { id } };
  // Taken already by the presser (a double tap before the post's edit arrived): answered as taken.
  const mine = verb === "t" && problem.assigneeId !== null && problem.assigneeId === t.actor?.personId;
  if (revision !== problem.revision && !mine) {
    await answerRefusal(t, "problem-outdated");
    return null;
  }
  if (verb === "s") return { flow: "problem-status", args: { id, revision } };
  const outcome = await takeProblem(t.unit, id, mine ? problem.revision : revision!);
  if (outcome.ok) t.notice = t.t("thread-taken");
  else await answerRefusal(t, outcome.reason);
  return null;
}
