/**
 * breaker7: "Write to staff" on a closed problem (its button pressed from an old screen, or its
 * data sent by hand) focused the chat and promised "everything you send now reaches staff"; then
 * every message was refused as "the problem is closed". It is refused at once now, and nothing is focused.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { personAt } from "../../src/core/people.ts";
import { changeStatus } from "../../src/core/problems/service.ts";
import { ADMIN, activeMember, lastSaid, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

describe("Write to staff on a closed problem", () => {
  it("is refused as closed, and the chat is not focused on it", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const problem = await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
    const admin = await h.db.transaction((tx) => personAt(tx, "telegram", ADMIN));
    await h.core.run({ person: { personId: admin!.personId, role: admin!.role, locale: "en" }, ref: `telegram:${ADMIN}` }, (unit) =>
      changeStatus(unit, problem.id, problem.revision, "resolved", { comment: null }),
    );
    await h.core.dispatcher.idle();
    await p.press(tr("en", "problem-solved-yes"));
    expect((await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }))).status).toBe("closed");
    // The screen opened before the close still offers Write; or the data typed by hand.
    await p.pressData(`pm:write:${problem.id}`);
    expect(lastSaid(p)).toBe(tr("en", "problem-not-open"));
    expect(await h.db.transaction((tx) => tx.threadFocus.findMany())).toEqual([]);
  });
});
