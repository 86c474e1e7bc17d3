/**
 * A member's problems after reporting (issue 7 items 2-3), through the real core: "My problems"
 * paged, a problem's timeline, colleagues seeing the enterprise's problems, a typed reference,
 * "Write to staff", and the answer to "is it really solved?".
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import { personAt } from "../../../src/core/people.ts";
import { addStaffReply, changeStatus, submitProblem, type ProblemDraft } from "../../../src/core/problems/service.ts";
import { solvedButton } from "../../../src/core/problems/notify.ts";
import type { Unit } from "../../../src/core/unit.ts";
import { MY_PAGE } from "../../../src/core/problems/member-flows.ts";
import { ADMIN, BIN, activeMember, colleague, lastSaid, reportProblem } from "./report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

/** Runs `fn` as the person of chat `id` (a service call outside any chat). */
async function as<T>(id: string, fn: (unit: Unit) => Promise<T>): Promise<T> {
  const who = await h.db.transaction((tx) => personAt(tx, "telegram", id));
  if (!who) throw new Error(`nobody at ${id}`);
  const value = await h.core.run({ person: { personId: who.personId, role: who.role, locale: "en" }, ref: `telegram:${id}` }, fn);
  await h.core.dispatcher.idle();
  return value;
}

const draft = (title: string): ProblemDraft => ({ category: "finance", title, description: `About ${title}.`, files: [], anonymous: false });
const problemByRef = (ref: string) => h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
const audits = (action: string) => h.db.transaction((tx) => tx.auditLog.findMany({ where: { action } }));

/** Staff mark the problem resolved (the member is asked "is it really solved?"). */
async function resolve(ref: string, comment = "The tax office agreed.") {
  const p = await problemByRef(ref);
  const r = await as(ADMIN, (unit) => changeStatus(unit, p.id, p.revision, "resolved", { comment }));
  expect(r.ok).toBe(true);
  return problemByRef(ref);
}

describe("My problems", () => {
  it("lists the enterprise's problems newest first, in pages, and opens one with its timeline", async () => {
    const p = await activeMember(h, "100", "en");
    const first = await reportProblem(p, "en", "VAT refunds take months", "taxes");
    for (let i = 2; i <= MY_PAGE + 1; i++) await as("100", (unit) => submitProblem(unit, draft(`Problem number ${i}`)));
    const id = (await problemByRef(first)).id;
    await as(ADMIN, (unit) => addStaffReply(unit, id, { text: "We wrote to the ministry <i>today</i>.", files: [] }));

    await p.send("/myproblems");
    const page1 = p.last().text;
    expect(page1).toContain(`Problem number ${MY_PAGE + 1}`);
    expect(page1).not.toContain("VAT refunds take months");
    expect(page1).toContain(tr("en", "problem-status-new"));
    expect(p.buttons()).toContain(tr("en", "problem-page-next"));
    expect(p.buttons()).not.toContain(tr("en", "problem-page-prev"));
    await p.press(tr("en", "problem-page-next"));
    expect(p.last().text).toContain("VAT refunds take months");
    expect(p.buttons()).toContain(tr("en", "problem-page-prev"));
    await p.press(new RegExp(first));
    const view = p.last().text;
    expect(view).toContain(first);
    expect(view).toContain("Our fabric waits at the border for three weeks.");
    expect(view).toContain("We wrote to the ministry <i>today</i>.");
    expect(view).toMatch(/\d\d\.\d\d\.\d{4} \d\d:\d\d/);
    await p.press(tr("en", "problem-back-list"));
    expect(p.last().text).toContain("VAT refunds take months");
    await p.press(tr("en", "problem-back-menu"));
    expect(p.last().text).toBe(tr("en", "menu-prompt"));
  });

  it("shows a hostile title as typed, in the list, its button and the timeline", async () => {
    const p = await activeMember(h, "100", "en");
    const title = "<b>Fake</b> & <a href='x'>link</a> 🧵";
    await p.send("/problem");
    await p.press(tr("en", "problem-cat-other"));
    await p.send(`\u200b${title}\u200b`);
    await p.send("Details & <i>more</i>.");
    await p.press(tr("en", "problem-done-button"));
    await p.press(tr("en", "problem-skip-button"));
    await p.press(tr("en", "problem-anon-named"));
    await p.press(tr("en", "problem-send-button"));
    await p.send("/myproblems");
    expect(p.last().text).toContain(title);
    expect(p.buttons()).toContainEqual(expect.stringContaining("<b>Fake</b> & <a href='x'>"));
    await p.press(/Fake/);
    expect(p.last().text).toContain(title);
    expect(p.last().text).toContain("Details & <i>more</i>.");
  });

  it("shows a colleague of the same enterprise its problems, and says when there are none", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const worker = await colleague(h, "101", "ru");
    await worker.send("/start");
    await worker.press(tr("ru", "menu-myproblems"));
    expect(worker.last().text).toContain(ref);
    await worker.press(new RegExp(ref));
    expect(worker.last().text).toContain("Our fabric waits at the border");

    const stranger = await activeMember(h, "200", "ru", { bin: BIN, name: "Other LLP" });
    await stranger.send("/myproblems");
    expect(stranger.last().text).toBe(tr("ru", "problem-my-none"));
  });

  it("long timelines show the newest entries and say how many earlier ones are left out", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const id = (await problemByRef(ref)).id;
    for (let i = 0; i < 12; i++) await as(ADMIN, (unit) => addStaffReply(unit, id, { text: `Reply ${i} ${"x".repeat(400)}`, files: [] }));
    await p.send(`/problem ${ref}`);
    const view = p.last().text;
    expect(view.length).toBeLessThan(4096);
    expect(view).toContain("Reply 11");
    expect(view).not.toContain("Reply 0 ");
    expect(view).toMatch(/\(\d+ earlier entries are not shown\)/);
  });
});

describe("a typed reference and buttons of another enterprise's problem", () => {
  it("opens the member's own problem by its reference; another enterprise's is refused as not found and audited", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    await p.send(`/problem ${ref.toLowerCase()}`);
    expect(p.last().text).toContain("Customs delays for fabric imports");

    const stranger = await activeMember(h, "200", "ru", { bin: BIN, name: "Other LLP" });
    const before = (await audits("problem.view")).length;
    await stranger.send(`/problem ${ref}`);
    expect(lastSaid(stranger)).toBe(tr("ru", "problem-not-found"));
    expect((await audits("problem.view")).length).toBe(before + 1);
    await stranger.send("/problem QT-1999-0001");
    expect(lastSaid(stranger)).toBe(tr("ru", "problem-not-found"));

    // Forged buttons naming that problem: refused the same way.
    const id = (await problemByRef(ref)).id;
    await stranger.pressData(`pm:write:${id}`);
    expect(lastSaid(stranger)).toBe(tr("ru", "problem-not-found"));
    await stranger.pressData(`pm:open:${id}`);
    expect(lastSaid(stranger)).toBe(tr("ru", "problem-not-found"));
    expect((await stranger.pressData(solvedButton(id, 0, true))).notice).toBe(tr("ru", "problem-not-found"));
    // Data that is no button of ours at all.
    expect((await stranger.pressData("pm:solved:1:zz")).notice).toBe(tr("ru", "button-stale"));
    expect((await stranger.pressData(`pm:open:${id}:extra`)).notice).toBe(tr("ru", "button-stale"));
    expect((await audits("problem.member-button")).length).toBe(2);
    expect((await problemByRef(ref)).status).toBe("new");
  });

  it("Write to staff focuses the chat on the problem", async () => {
    const p = await activeMember(h, "100", "kk");
    const ref = await reportProblem(p, "kk");
    await p.send(`/problem ${ref}`);
    await p.press(tr("kk", "problem-write-button"));
    expect(p.last().text).toBe(tr("kk", "problem-write-intro", { ref }));
    const focus = await h.db.transaction((tx) => tx.threadFocus.findMany());
    expect(focus).toMatchObject([{ key: "telegram:100", problemId: (await problemByRef(ref)).id }]);
    // Nothing waits in the chat: what the member writes next is the thread's (relay.ts).
    expect(await h.db.transaction((tx) => tx.dialogState.findMany({ where: { key: "telegram:100" } }))).toEqual([]);
  });

  it("Write to staff under a notice focuses the chat, but not in the middle of another task", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const id = (await problemByRef(ref)).id;
    await p.send("/problem");
    await p.press(tr("en", "problem-cat-other"));
    // Half a report: the press must not take its next answers to staff.
    expect((await p.pressData(`pm:write:${id}`)).notice).toBe(tr("en", "staff-finish-current"));
    expect(await h.db.transaction((tx) => tx.threadFocus.findMany())).toEqual([]);
    await p.send("/cancel");
    await p.press(tr("en", "flow-leave-button"));
    await p.pressData(`pm:write:${id}`);
    expect(p.last().text).toBe(tr("en", "problem-write-intro", { ref }));
    expect(await h.db.transaction((tx) => tx.threadFocus.findMany())).toMatchObject([{ key: "telegram:100", problemId: id }]);
  });
});

describe("is it really solved?", () => {
  async function askedMember(locale: "en" | "ru" | "kk"): Promise<{ p: TestPerson; ref: string }> {
    const p = await activeMember(h, "100", locale);
    const ref = await reportProblem(p, locale);
    await resolve(ref);
    expect(p.buttons()).toEqual([tr(locale, "problem-solved-yes"), tr(locale, "problem-solved-no")]);
    return { p, ref };
  }

  it("yes closes the problem; a second tap changes nothing and is answered", async () => {
    const { p, ref } = await askedMember("ru");
    await p.press(tr("ru", "problem-solved-yes"));
    expect(p.last().text).toBe(tr("ru", "problem-solved-thanks", { ref }));
    expect((await problemByRef(ref)).status).toBe("closed");
    const again = await p.press(tr("ru", "problem-solved-yes"));
    expect(again.notice).toBe(tr("ru", "problem-solved-outdated"));
    const no = await p.press(tr("ru", "problem-solved-no"));
    expect(no.notice).toBe(tr("ru", "problem-solved-outdated"));
    expect((await problemByRef(ref)).status).toBe("closed");
  });

  it("no asks why (required), reopens the problem with the comment; the old buttons are outdated then", async () => {
    const { p, ref } = await askedMember("kk");
    await p.press(tr("kk", "problem-solved-no"));
    expect(p.last().text).toBe(tr("kk", "problem-unsolved-ask", { ref }));
    await p.send("   ");
    expect(p.last().text).toContain(tr("kk", "problem-comment-empty", { max: 1000 }));
    await p.send("Салық органы әлі жауап бермеді.");
    expect(lastSaid(p)).toBe(tr("kk", "problem-unsolved-done", { ref }));
    const problem = await problemByRef(ref);
    expect(problem.status).toBe("reopened");
    const entries = await h.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: problem.id, kind: "status" }, orderBy: { id: "asc" } }));
    expect(entries.at(-1)).toMatchObject({ status: "reopened", text: "Салық органы әлі жауап бермеді." });
    expect((await p.press(tr("kk", "problem-solved-yes"))).notice).toBe(tr("kk", "problem-solved-outdated"));
    expect((await problemByRef(ref)).status).toBe("reopened");
  });

  it("an answer to an older resolution's question is outdated", async () => {
    const { p, ref } = await askedMember("en");
    const old = await problemByRef(ref);
    const oldYes = solvedButton(old.id, old.revision, true);
    await p.press(tr("en", "problem-solved-no"));
    await p.send("Still waiting.");
    // Staff resolve it again: a new question; the first one's buttons no longer count.
    const reopened = await problemByRef(ref);
    await as(ADMIN, (unit) => changeStatus(unit, reopened.id, reopened.revision, "resolved", { comment: "Now it is." }));
    expect((await p.pressData(oldYes)).notice).toBe(tr("en", "problem-solved-outdated"));
    expect((await problemByRef(ref)).status).toBe("resolved");
    await p.press(tr("en", "problem-solved-yes"));
    expect((await problemByRef(ref)).status).toBe("closed");
  });
});
