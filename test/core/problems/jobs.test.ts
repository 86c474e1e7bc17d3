/**
 * The problem jobs (src/core/problems/jobs.ts) with the jobs engine's injectable clock and a worker
 * ticked by hand: the 14-day auto-close (once, across restarts; never after a reopening) and the
 * staff's daily digest at 09:00 in Almaty.
 */
import { afterEach, describe, expect, it } from "vitest";
import { addStaffReply, changeStatus, confirmSolved, submitProblem } from "../../../src/core/problems/service.ts";
import { addWorkingDays, DIGEST_JOB } from "../../../src/core/problems/jobs.ts";
import { AUTOCLOSE_JOB } from "../../../src/core/problems/notify.ts";
import { occurrenceKey } from "../../../src/core/jobs/jobs.ts";
import { tr } from "../../support/core-harness.ts";
import { draft, startWorld, type World } from "./setup.ts";

let w: World;
afterEach(async () => {
  await w.close();
});

const DAY = 86_400_000;
const problem = (id: number) => w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));

async function resolvedProblem(locale: "kk" | "ru" | "en" = "ru") {
  const enterpriseId = await w.enterprise();
  const member = await w.person("501", { locale, enterpriseId });
  const staff = await w.person("900", { role: "staff" });
  const r = await w.run(member, (u) => submitProblem(u, draft()));
  if (!r.ok) throw new Error(r.reason);
  await w.run(staff, (u) => changeStatus(u, r.id, 0, "resolved", {}));
  return { id: r.id, ref: r.ref, member, staff };
}

describe("auto-close", () => {
  it("closes a resolved problem 14 days later, once, even across a restart, and tells the member in their language", async () => {
    w = await startWorld();
    const { id, ref } = await resolvedProblem("en");
    const jobs = await w.db.transaction((tx) => tx.job.findMany({ where: { kind: AUTOCLOSE_JOB } }));
    expect(jobs.map((j) => [j.key, j.runAt.getTime()])).toEqual([[`${AUTOCLOSE_JOB}:${id}:1`, w.now.getTime() + 14 * DAY]]);
    w.later(14 * DAY - 60_000);
    await w.core.jobWorker.tick();
    expect((await problem(id)).status).toBe("resolved");
    w.later(120_000);
    await w.core.jobWorker.tick();
    const closed = await problem(id);
    expect(closed).toMatchObject({ status: "closed", revision: 2 });
    const last = await w.db.transaction((tx) => tx.problemEntry.findFirstOrThrow({ where: { problemId: id }, orderBy: { id: "desc" } }));
    expect(last).toMatchObject({ kind: "status", status: "closed", fromStatus: "resolved", authorId: null });
    const told = (await w.texts("501")).slice(1);
    expect(told).toEqual([tr("en", "problem-notice-autoclosed", { ref, title: draft().title, days: 14 })]);
    // Another instance after a restart: nothing runs twice, nothing is said twice.
    await w.restart();
    w.later(DAY);
    await w.core.jobWorker.tick();
    expect((await w.texts("501")).length).toBe(2);
    expect(await w.db.transaction((tx) => tx.problemEntry.count({ where: { problemId: id, status: "closed" } }))).toBe(1);
    const done = await w.db.transaction((tx) => tx.job.findMany({ where: { kind: AUTOCLOSE_JOB } }));
    expect(done.map((j) => [j.status, j.attempts])).toEqual([["done", 1]]);
  });

  it("does not close a problem the member reopened, nor one resolved again later (that one has its own 14 days)", async () => {
    w = await startWorld();
    const { id, member, staff } = await resolvedProblem();
    w.later(DAY);
    await w.run(member, (u) => confirmSolved(u, id, false, "не решена", { revision: 1 }));
    w.later(15 * DAY);
    await w.core.jobWorker.tick();
    expect((await problem(id)).status).toBe("reopened");
    // Resolved again: only the new question's 14 days count.
    await w.run(staff, (u) => changeStatus(u, id, 2, "resolved", {}));
    w.later(13 * DAY);
    await w.core.jobWorker.tick();
    expect((await problem(id)).status).toBe("resolved");
    w.later(DAY + 1000);
    await w.core.jobWorker.tick();
    expect((await problem(id)).status).toBe("closed");
  });
});

describe("daily digest", () => {
  it("working days skip the weekend (public holidays are not known)", () => {
    // Friday 27.11.2026 10:00 in Almaty (UTC+5).
    const friday = new Date("2026-11-27T05:00:00Z");
    expect(addWorkingDays(friday, 1).toISOString()).toBe("2026-11-30T05:00:00.000Z");
    expect(addWorkingDays(friday, 2).toISOString()).toBe("2026-12-01T05:00:00.000Z");
    // Saturday: Monday is the first working day.
    expect(addWorkingDays(new Date("2026-11-28T05:00:00Z"), 2).toISOString()).toBe("2026-12-01T05:00:00.000Z");
    // Late Friday evening in Almaty (Friday 23:30 = 18:30Z) is still Friday there.
    expect(addWorkingDays(new Date("2026-11-27T18:30:00Z"), 1).toISOString()).toBe("2026-11-30T18:30:00.000Z");
  });

  it("lists at 09:00 in Almaty the open problems without a staff answer for two working days, once a day across restarts; nothing when there are none", async () => {
    // Friday 27.11.2026 10:00 in Almaty.
    w = await startWorld({ staffChat: "-100", start: new Date("2026-11-27T05:00:00Z") });
    const enterpriseId = await w.enterprise();
    const member = await w.person("501", { enterpriseId });
    const staff = await w.person("900", { role: "staff", locale: "kk" });
    const title = "Таможня <держит> & груз";
    const r = await w.run(member, (u) => submitProblem(u, draft({ category: "customs-export", title })));
    if (!r.ok) throw new Error(r.reason);
    const answered = await w.run(member, (u) => submitProblem(u, draft({ title: "Answered" })));
    if (!answered.ok) throw new Error(answered.reason);
    await w.core.jobWorker.tick();
    const digests = async () => (await w.texts("-100")).filter((t) => t.startsWith("⏰"));
    const at0900 = (day: string) => (w.now = new Date(`${day}T04:00:30Z`));
    // Saturday, Sunday, Monday, Tuesday 09:00: not yet two working days (Friday 10:00 + 2 = Tuesday 10:00).
    for (const day of ["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"]) {
      at0900(day);
      await w.core.jobWorker.tick();
      // The other problem gets a staff reply on Monday at noon: its two working days end on Wednesday at noon.
      if (day === "2026-11-30") {
        w.later(3 * 3_600_000);
        await w.run(staff, (u) => addStaffReply(u, answered.id, { text: "ok", files: [] }));
      }
    }
    expect(await digests()).toEqual([]);
    const ran = await w.db.transaction((tx) => tx.job.findMany({ where: { kind: DIGEST_JOB.kind, status: "done" } }));
    expect(ran.map((j) => j.key)).toEqual(["2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"].map((d) => occurrenceKey(DIGEST_JOB.kind, new Date(`${d}T04:00:00Z`))));
    // Wednesday 09:00: the unanswered one, in the staff chat's language (ru by default), escaped.
    at0900("2026-12-02");
    await w.core.jobWorker.tick();
    const expected = [
      tr("ru", "problem-digest", { count: 1, days: 2 }),
      tr("ru", "problem-digest-line", { ref: r.ref, title, category: tr("ru", "problem-cat-customs-export"), status: tr("ru", "problem-status-new"), since: "27.11.2026" }),
    ].join("\n");
    expect(await digests()).toEqual([expected]);
    expect(w.channel.in("-100").at(-1)!.message.text).toContain("&lt;держит&gt; &amp; груз");
    // A restart the same day: no second digest.
    await w.restart();
    w.later(60_000);
    await w.core.jobWorker.tick();
    expect((await digests()).length).toBe(1);
    // Staff answer both; Thursday's digest has nothing to say, so nothing is sent.
    await w.run(staff, (u) => changeStatus(u, r.id, 0, "review", {}));
    await w.run(staff, (u) => addStaffReply(u, answered.id, { text: "ещё", files: [] }));
    at0900("2026-12-03");
    await w.core.jobWorker.tick();
    expect((await digests()).length).toBe(1);
  });
});
