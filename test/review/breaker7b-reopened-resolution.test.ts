/**
 * breaker7b: a problem marked resolved that the member then said was not solved (reopened) kept
 * its resolution time: /stats counted it in the median time to resolution (a problem nobody has
 * solved), and the CSV's "resolved" date stood beside the status "Reopened". Reopening clears the
 * resolution as it already cleared the closing date.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { personAt } from "../../src/core/people.ts";
import { changeStatus, problemStats } from "../../src/core/problems/service.ts";
import { ADMIN, activeMember, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

describe("a resolution the member rejected", () => {
  it("is no resolution: cleared on reopening, not in the /stats median", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const problem = await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
    const admin = await h.db.transaction((tx) => personAt(tx, "telegram", ADMIN));
    const asAdmin = { person: { personId: admin!.personId, role: admin!.role, locale: "en" as const }, ref: `telegram:${ADMIN}` };
    await h.core.run(asAdmin, (unit) => changeStatus(unit, problem.id, problem.revision, "resolved", { comment: null }));
    await h.core.dispatcher.idle();
    await p.press(tr("en", "problem-solved-no"));
    await p.send("The supplier is late again");
    const after = await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
    expect(after.status).toBe("reopened");
    expect(after.resolvedAt).toBeNull();
    const stats = await h.core.run(asAdmin, (unit) => problemStats(unit));
    expect(stats.ok && stats.stats.medianResolutionHours).toBeNull();
  }, 120_000); // whole flows on a shared machine
});
