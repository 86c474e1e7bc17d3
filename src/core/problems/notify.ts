/**
 * What members are told about their problems (issue 7 item 2): staff replies and status changes,
 * each in the language of the person who gets it (people.ts targetsOf), with the staff comment;
 * the "is it really solved?" question with its buttons; the auto-close after 14 days.
 * Everything typed by people (title, comment, the body it was forwarded to) is placed as a Fluent
 * argument, which escapes it (i18n.ts).
 */
import { activePeopleOf } from "./data.ts";
import type { ProblemRow } from "./data.ts";
import type { AttachedFile } from "./service.ts";
import type { ProblemStatus } from "./status.ts";
import { targetsOfPeople } from "../people.ts";
import type { MessageSpec, Target, Translate } from "../message.ts";
import type { Unit } from "../unit.ts";
import { memberTag } from "./thread-hooks.ts";

/** The job kind that closes a resolved problem nobody confirmed (payload `{ id, revision }`). */
export const AUTOCLOSE_JOB = "problem-autoclose";
/** Days a resolved problem waits for its member's answer before it is closed. */
export const AUTOCLOSE_DAYS = 14;

/**
 * The data of the "is it really solved?" buttons (≤ 64 bytes): `pm:solved:<problem id>:<revision,
 * base 36>:y` (yes, solved) or `…:n` (no). The revision is the one the question was asked at: an
 * answer after a later change is refused as outdated (confirmSolved's `revision`). The `report`
 * branch parses it with {@link parseSolvedButton} and calls confirmSolved.
 */
export function solvedButton(problemId: number, revision: number, yes: boolean): string {
  return `pm:solved:${problemId}:${revision.toString(36)}:${yes ? "y" : "n"}`;
}

/** Parses {@link solvedButton} data strictly; null for anything else. */
export function parseSolvedButton(data: string): { problemId: number; revision: number; yes: boolean } | null {
  const m = /^pm:solved:([1-9]\d{0,9}):([0-9a-z]{1,8}):([yn])$/.exec(data);
  if (!m) return null;
  const problemId = Number(m[1]);
  const revision = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(problemId) || !Number.isSafeInteger(revision)) return null;
  return { problemId, revision, yes: m[3] === "y" };
}

/**
 * Who hears about a problem of an enterprise: its reporter; when the reporter is gone (erased, or
 * left), the enterprise's people with an active membership.
 */
export async function reporterSide(unit: Unit, problem: Pick<ProblemRow, "reporterId" | "enterpriseId">): Promise<number[]> {
  if (problem.reporterId !== null) {
    const p = await unit.tx.person.findUnique({ where: { id: problem.reporterId }, select: { erasedAt: true } });
    if (p && !p.erasedAt) return [problem.reporterId];
  }
  return activePeopleOf(unit.tx, problem.enterpriseId);
}

/** The people of the enterprises that joined: who joined for each (or its active people, when that person is gone). */
async function joinedSide(unit: Unit, problemId: number, except: Set<number>): Promise<number[]> {
  const joined = await unit.tx.problemAffected.findMany({ where: { problemId }, orderBy: { joinedAt: "asc" } });
  const people: number[] = [];
  for (const j of joined) {
    const ids = j.personId !== null ? await reporterSide(unit, { reporterId: j.personId, enterpriseId: j.enterpriseId }) : await activePeopleOf(unit.tx, j.enterpriseId);
    for (const id of ids) if (!except.has(id) && !people.includes(id)) people.push(id);
  }
  return people;
}

/** The chat of each of `people`, in their language (people.ts targetsOfPeople: one per person). */
const targetsOfAll = (unit: Unit, people: number[]): Promise<Target[]> => targetsOfPeople(unit.tx, people, unit.settings.defaultLocale);

/**
 * A staff reply (text, files) to `people` (default: the reporting enterprise's side, {@link
 * reporterSide}), in each person's language. Returns how many chats it was sent to (0: nobody left to tell).
 */
export async function notifyStaffReply(unit: Unit, problem: ProblemRow, text: string | null, files: AttachedFile[], people?: number[]): Promise<number> {
  const spec: MessageSpec = {
    text: (t: Translate) => t(text ? "problem-notice-reply" : "problem-notice-reply-files", { ref: problem.ref, title: problem.title, text: text ?? "" }),
    ...(files.length ? { files: files.map((f) => ({ fileId: f.fileId, name: f.name })) } : {}),
  };
  // Tagged: the member's reply to it goes back into the problem's thread (relay.ts).
  const targets = await targetsOfAll(unit, people ?? (await reporterSide(unit, problem)));
  for (const target of targets) await unit.outbox.send(target, spec, { lane: "notice", tag: memberTag(problem.id) });
  return targets.length;
}

/**
 * A status change: the reporting enterprise and the enterprises that joined are told, each in
 * their language, with the comment (and where it was forwarded to). A resolved problem's reporter
 * side is asked "is it really solved?" with {@link solvedButton}s for `problem.revision` (the new one).
 * Returns how many chats were told (0: nobody left to tell).
 */
export async function notifyStatus(unit: Unit, problem: ProblemRow, _from: ProblemStatus, why: { comment: string | null; forwardedTo: string | null }): Promise<number> {
  const status = problem.status as ProblemStatus;
  const text = (t: Translate, ask: boolean): string => {
    const lines = [t("problem-notice-status", { ref: problem.ref, title: problem.title, status: t(`problem-status-${status}`) })];
    if (status === "forwarded" && why.forwardedTo) lines.push(t("problem-notice-forwarded", { to: why.forwardedTo }));
    if (why.comment) lines.push(t("problem-notice-comment", { text: why.comment }));
    if (ask) lines.push("", t("problem-notice-solved-ask", { days: AUTOCLOSE_DAYS }));
    return lines.join("\n");
  };
  const reporters = await reporterSide(unit, problem);
  const ask = status === "resolved";
  const own: MessageSpec = {
    text: (t) => text(t, ask),
    ...(ask
      ? {
          choices: [
            [
              { data: solvedButton(problem.id, problem.revision, true), label: "problem-solved-yes" },
              { data: solvedButton(problem.id, problem.revision, false), label: "problem-solved-no" },
            ],
          ],
        }
      : {}),
  };
  // Tagged: the member's reply to a notice reaches staff (relay.ts: tags "problem:<id>…"). The
  // question has a tag of its own ("solved:…", not routed): a tagged message keeps its numbered
  // options on channels without buttons while the chat shows other things (an untagged one loses
  // them at the member's next screen), so "2" still answers it from the menu.
  const owners = await targetsOfAll(unit, reporters);
  for (const target of owners) {
    await unit.outbox.send(target, own, { lane: "notice", tag: ask ? `solved:${problem.id}@${problem.revision.toString(36)}` : memberTag(problem.id) });
  }
  const others: MessageSpec = { text: (t) => text(t, false) };
  const joined = await targetsOfAll(unit, await joinedSide(unit, problem.id, new Set(reporters)));
  for (const target of joined) await unit.outbox.send(target, others, { lane: "notice", tag: memberTag(problem.id) });
  return owners.length + joined.length;
}

/** The reporting enterprise is told that its resolved problem was closed without an answer. */
export async function notifyAutoclosed(unit: Unit, problem: ProblemRow): Promise<void> {
  const spec: MessageSpec = { text: (t) => t("problem-notice-autoclosed", { ref: problem.ref, title: problem.title, days: AUTOCLOSE_DAYS }) };
  for (const target of await targetsOfAll(unit, await reporterSide(unit, problem))) await unit.outbox.send(target, spec, { lane: "notice" });
}
