/**
 * breaker7b: My problems for someone who is not (yet) a member of an enterprise said "Your
 * enterprise has no problems reported or joined yet": untrue for an employee whose request to join
 * an enterprise that has problems is still under review, and for a visitor with no enterprise at
 * all. They are told why, with the same answer as Report a problem gives them.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { ADMIN, IIN, activeMember, lastSaid, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

describe("My problems for someone who is not a member", () => {
  it("a pending employee is told the request is under review, not that the enterprise has no problems", async () => {
    const owner = await activeMember(h, "100", "ru");
    await reportProblem(owner, "ru");
    const p = h.person("200", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-agree"));
    await p.send(IIN);
    await p.press(tr("ru", "reg-join-button"));
    await p.send("Болат");
    await p.send("87021112233");
    await p.press(tr("ru", "join-confirm-button"));
    await p.send("/myproblems");
    expect(lastSaid(p)).toBe(tr("ru", "problem-access-pending"));
    expect(p.messages().some((m) => m.text === tr("ru", "problem-my-none"))).toBe(false);
  }, 120_000); // whole flows on a shared machine

  it("a visitor without an enterprise is told to register first", async () => {
    const v = h.person("300", { language: "kk" });
    await v.send("/start");
    await v.send("/myproblems");
    expect(v.last().text).toBe(tr("kk", "problem-access-none"));
    expect(v.buttons()).toContain(tr("kk", "menu-register"));
  }, 120_000); // whole flows on a shared machine
});
