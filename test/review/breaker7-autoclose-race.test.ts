/**
 * breaker7: the 14-day auto-close racing a member's "not solved". The member pressed "No" while
 * the question stood (the flow asks why); the auto-close ran before they sent the reason. Their
 * answer was refused as "answered already" and the problem stayed closed: the member's "not
 * solved" was lost. A "No" pressed before the auto-close now still reopens the problem with the
 * reason (not a colleague's "yes", not a staff change, not a press after the close).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { personAt } from "../../src/core/people.ts";
import { changeStatus, confirmSolved } from "../../src/core/problems/service.ts";
import { autoclose } from "../../src/core/problems/jobs.ts";
import type { Unit } from "../../src/core/unit.ts";
import { ADMIN, activeMember, colleague, lastSaid, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

async function as<T>(id: string | null, fn: (unit: Unit) => Promise<T>): Promise<T> {
  const who = id ? await h.db.transaction((tx) => personAt(tx, "telegram", id)) : null;
  const value = await h.core.run({ person: who ? { personId: who.personId, role: who.role, locale: "en" } : null, ref: id ? `telegram:${id}` : "job" }, fn);
  await h.core.dispatcher.idle();
  return value;
}
const problemByRef = (ref: string) => h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));

async function resolved(ref: string) {
  const p = await problemByRef(ref);
  expect((await as(ADMIN, (unit) => changeStatus(unit, p.id, p.revision, "resolved", { comment: "Done." }))).ok).toBe(true);
  return problemByRef(ref);
}

describe("auto-close against a member's 'not solved'", () => {
  it("a No pressed before the auto-close still reopens the problem with the reason sent after it", async () => {
    const p = await activeMember(h, "100", "ru");
    const ref = await reportProblem(p, "ru");
    const r = await resolved(ref);
    await p.press(tr("ru", "problem-solved-no"));
    expect(p.last().text).toBe(tr("ru", "problem-unsolved-ask", { ref }));
    // Fourteen days pass while the member writes the reason.
    await as(null, (unit) => autoclose(unit, { id: r.id, revision: r.revision }));
    expect((await problemByRef(ref)).status).toBe("closed");
    await p.send("Таможня так и не выпустила груз.");
    expect(lastSaid(p)).toBe(tr("ru", "problem-unsolved-done", { ref }));
    const now = await problemByRef(ref);
    expect(now.status).toBe("reopened");
    const last = await h.db.transaction((tx) => tx.problemEntry.findFirstOrThrow({ where: { problemId: r.id, kind: "status" }, orderBy: { id: "desc" } }));
    expect(last).toMatchObject({ status: "reopened", fromStatus: "closed", text: "Таможня так и не выпустила груз." });
  });

  it("a No whose question a colleague answered Yes meanwhile stays refused", async () => {
    const p = await activeMember(h, "100", "en");
    const c = await colleague(h, "101", "en");
    const ref = await reportProblem(p, "en");
    const r = await resolved(ref);
    await p.press(tr("en", "problem-solved-no"));
    expect((await as(c.id, (unit) => confirmSolved(unit, r.id, true, null, { revision: r.revision }))).ok).toBe(true);
    expect((await problemByRef(ref)).status).toBe("closed");
    await p.send("Not solved at all.");
    expect(lastSaid(p)).toBe(tr("en", "problem-solved-outdated"));
    expect((await problemByRef(ref)).status).toBe("closed");
  });

  it("a No pressed after the auto-close is outdated", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const r = await resolved(ref);
    await as(null, (unit) => autoclose(unit, { id: r.id, revision: r.revision }));
    expect((await p.press(tr("en", "problem-solved-no"))).notice).toBe(tr("en", "problem-solved-outdated"));
    expect((await problemByRef(ref)).status).toBe("closed");
  });
});
