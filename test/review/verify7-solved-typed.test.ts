/**
 * On a channel without real buttons (the console, WhatsApp), "is it really solved?" must stay
 * answerable by its number after the member's own chat showed something else (found by a tester:
 * /as you, the menu, then "8" got "please choose one of the options").
 */
import { afterEach, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { personAt } from "../../src/core/people.ts";
import { changeStatus } from "../../src/core/problems/service.ts";
import { ADMIN, activeMember, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
afterEach(async () => h.close());

it("the member answers 'not solved' by typing its number after opening the menu", { timeout: 120_000 }, async () => {
  h = await startHarness({
    settings: { admins: [{ channel: "console", id: ADMIN }] },
    channel: "console",
    capabilities: { buttons: false, shareContact: false },
  });
  const p = await activeMember(h, "100", "ru");
  const ref = await reportProblem(p, "ru");
  const problem = await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
  const staff = await h.db.transaction((tx) => personAt(tx, "console", ADMIN));
  await h.core.run({ person: { personId: staff!.personId, role: staff!.role, locale: "ru" }, ref: `console:${ADMIN}` }, (unit) =>
    changeStatus(unit, problem.id, problem.revision, "resolved", { comment: "Готово." }),
  );
  await h.core.dispatcher.idle();
  const question = [...p.messages()].reverse().find((m) => m.message.choices?.flat().some((b) => b.label === tr("ru", "problem-solved-no")));
  const no = question?.message.choices?.flat().find((b) => b.label === tr("ru", "problem-solved-no"));
  expect(no?.key).toBeDefined();
  // The member's own chat moves on: the main menu.
  await p.send("/menu");
  await p.send(no!.key!);
  expect(p.last().text).toContain(tr("ru", "problem-unsolved-ask", { ref }));
});
