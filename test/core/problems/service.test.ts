/**
 * The problem services (src/core/problems/service.ts) on a real database: references, permissions
 * and their audit, the life cycle table, revisions, what members are told (in their language,
 * escaped), joining, the member's list and timeline, erasure.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addMemberMessage,
  addNote,
  addStaffReply,
  changeStatus,
  confirmSolved,
  exportProblemsCsv,
  joinProblem,
  listProblems,
  memberProblems,
  openProblem,
  problemIdByRef,
  problemStats,
  reportAccess,
  staffView,
  submitProblem,
  takeProblem,
} from "../../../src/core/problems/service.ts";
import { PROBLEM_STATUSES, STAFF_TRANSITIONS, type ProblemStatus } from "../../../src/core/problems/status.ts";
import { CATEGORIES } from "../../../src/core/problems/categories.ts";
import { entryById, formatRef, parseRef } from "../../../src/core/problems/data.ts";
import { parseSolvedButton, solvedButton } from "../../../src/core/problems/notify.ts";
import { setThreadHooks, type ProblemThreadHooks } from "../../../src/core/problems/thread-hooks.ts";
import { may } from "../../../src/core/permissions.ts";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { LOCALES } from "../../../src/i18n/locales.ts";
import { i18n, tr } from "../../support/core-harness.ts";
import { draft, startWorld, type World } from "./setup.ts";

let w: World;
let hooks: string[];
let restore: ProblemThreadHooks;

beforeEach(async () => {
  w = await startWorld();
  hooks = [];
  restore = setThreadHooks({
    postProblem: async (_u, id) => void hooks.push(`post:${id}`),
    relayToStaff: async (_u, id, entry) => void hooks.push(`relay:${id}:${entry}`),
    problemChanged: async (_u, id) => void hooks.push(`changed:${id}`),
  });
});

afterEach(async () => {
  setThreadHooks(restore);
  await w.close();
});

/** A member enterprise with its owner (chat `chat`), a staff member, and one reported problem. */
async function reported(opts: { locale?: "kk" | "ru" | "en"; title?: string } = {}) {
  const enterpriseId = await w.enterprise({ name: "Алма Текстиль" });
  const member = await w.person("501", { locale: opts.locale ?? "ru", name: "Айгерим", enterpriseId });
  const staff = await w.person("900", { role: "staff", name: "Дана" });
  const r = await w.run(member, (u) => submitProblem(u, draft(opts.title ? { title: opts.title } : {})));
  if (!r.ok) throw new Error(r.reason);
  return { enterpriseId, member, staff, id: r.id, ref: r.ref };
}

const audits = (action: string) =>
  w.db.transaction((tx) => tx.auditLog.findMany({ where: { action }, orderBy: { id: "asc" }, select: { outcome: true, subject: true, actorId: true } }));

describe("references", () => {
  it("are QT-<year in Almaty>-<4 digits>, counted per year, with more digits after 9999", async () => {
    const enterpriseId = await w.enterprise();
    const member = await w.person("501", { enterpriseId });
    const submit = async () => {
      const r = await w.run(member, (u) => submitProblem(u, draft()));
      if (!r.ok) throw new Error(r.reason);
      return r.ref;
    };
    w.now = new Date("2026-12-31T18:00:00Z"); // 23:00 in Almaty
    expect(await submit()).toBe("QT-2026-0001");
    expect(await submit()).toBe("QT-2026-0002");
    w.now = new Date("2026-12-31T19:30:00Z"); // 00:30 on 1 January in Almaty
    expect(await submit()).toBe("QT-2027-0001");
    w.now = new Date("2026-12-31T18:59:00Z");
    expect(await submit()).toBe("QT-2026-0003");
    await w.db.transaction((tx) => tx.problemCounter.update({ where: { year: 2026 }, data: { last: 9999 } }));
    expect(await submit()).toBe("QT-2026-10000");
    expect(formatRef(2026, 42)).toBe("QT-2026-0042");
  });

  it("stay unique under concurrent submissions", async () => {
    const people = await Promise.all(Array.from({ length: 8 }, (_, i) => w.person(String(600 + i))));
    // Each in an enterprise of their own, so nothing else serializes them.
    for (const p of people) {
      const e = await w.enterprise();
      await w.db.transaction((tx) => tx.membership.create({ data: { personId: p.person.personId, enterpriseId: e, role: "owner", status: "active", requestedAt: w.now } }));
    }
    const refs = await Promise.all(people.map((p) => w.run(p, (u) => submitProblem(u, draft()))));
    const got = refs.map((r) => (r.ok ? r.ref : r.reason)).sort();
    expect(got).toEqual(Array.from({ length: 8 }, (_, i) => formatRef(2026, i + 1)));
  });

  it("a typed reference is found whatever its case, spacing or dash", async () => {
    const { id, member } = await reported();
    for (const typed of ["QT-2026-0001", "qt-2026-1", " QT 2026 0001 ", "QT–2026–0001"]) {
      expect(await w.run(member, (u) => problemIdByRef(u, typed))).toBe(id);
    }
    expect(await w.run(member, (u) => problemIdByRef(u, "QT-2026-0002"))).toBeNull();
    expect(parseRef("QT-2026-0")).toBeNull();
    expect(parseRef("<b>QT-2026-0001</b>")).toBeNull();
  });
});

describe("who may do what", () => {
  it("the rules, as a table (permissions.ts)", () => {
    const member = { personId: 1, role: "member", erased: false };
    const staff = { personId: 2, role: "staff", erased: false };
    const admin = { personId: 3, role: "admin", erased: false };
    const m = (status: string, enterpriseStatus: string, enterpriseId = 10) => ({ enterpriseId, status, enterpriseStatus });
    const report = (s: typeof member | null, ms: ReturnType<typeof m> | null) => may(s, { action: "problem.report", membership: ms }).ok;
    expect(report(member, m("active", "active"))).toBe(true);
    expect(report(member, m("active", "ownerless"))).toBe(true);
    for (const [st, es] of [["pending", "active"], ["active", "suspended"], ["active", "pending"], ["ended", "active"], ["rejected", "active"]]) expect(report(member, m(st!, es!))).toBe(false);
    expect(report(member, null)).toBe(false);
    expect(report(null, m("active", "active"))).toBe(false);
    expect(report({ ...member, erased: true }, m("active", "active"))).toBe(false);
    const view = (s: typeof member, ms: ReturnType<typeof m> | null, enterprises: number[]) => may(s, { action: "problem.view", problem: { enterprises }, membership: ms });
    expect(view(member, m("active", "active"), [10, 11]).ok).toBe(true);
    expect(view(member, m("active", "active"), [11, 10]).ok).toBe(true);
    expect(view(member, m("active", "active"), [11])).toEqual({ ok: false, reason: "problem-not-found" });
    expect(view(member, m("pending", "active"), [10])).toEqual({ ok: false, reason: "problem-not-found" });
    expect(view(staff, null, [11]).ok).toBe(true);
    expect(view(admin, null, [11]).ok).toBe(true);
    expect(may(member, { action: "problem.staff" })).toEqual({ ok: false, reason: "error-not-allowed" });
    expect(may(staff, { action: "problem.staff" }).ok).toBe(true);
    expect(may(admin, { action: "problem.staff" }).ok).toBe(true);
  });

  it("only people with an active membership of a member enterprise report", async () => {
    const pending = await w.enterprise({ status: "pending" });
    const applicant = await w.person("510", { enterpriseId: pending, membership: "pending" });
    const nobody = await w.person("511");
    const active = await w.enterprise();
    const waiting = await w.person("512", { enterpriseId: active, membership: "pending" });
    for (const p of [applicant, nobody, waiting]) {
      expect(await w.run(p, (u) => reportAccess(u))).toEqual({ ok: false, reason: "problem-not-member" });
      expect(await w.run(p, (u) => submitProblem(u, draft()))).toEqual({ ok: false, reason: "problem-not-member" });
    }
    expect((await audits("problem.submit")).map((a) => a.outcome)).toEqual(["denied", "denied", "denied"]);
    const ownerless = await w.enterprise({ status: "ownerless" });
    const employee = await w.person("513", { enterpriseId: ownerless });
    expect(await w.run(employee, (u) => reportAccess(u))).toEqual({ ok: true, enterpriseId: ownerless });
  });

  it("another enterprise's problem is refused as not found, and audited, for every member action", async () => {
    const { id, member } = await reported();
    const other = await w.person("520", { enterpriseId: await w.enterprise({ name: "Other" }) });
    expect(await w.run(other, (u) => openProblem(u, id))).toEqual({ ok: false, reason: "problem-not-found" });
    expect(await w.run(other, (u) => addMemberMessage(u, id, { text: "hi", files: [] }))).toEqual({ ok: false, reason: "problem-not-found" });
    expect(await w.run(other, (u) => confirmSolved(u, id, true, null))).toEqual({ ok: false, reason: "problem-not-found" });
    // A forged id of no problem at all answers the same.
    expect(await w.run(other, (u) => openProblem(u, 999))).toEqual({ ok: false, reason: "problem-not-found" });
    const denied = await w.db.transaction((tx) => tx.auditLog.findMany({ where: { outcome: "denied" }, orderBy: { id: "asc" } }));
    expect(denied.map((a) => [a.action, a.subject, a.actorId])).toEqual([
      ["problem.view", `problem:${id}`, other.person.personId],
      ["problem.message", `problem:${id}`, other.person.personId],
      ["problem.confirm", `problem:${id}`, other.person.personId],
      ["problem.view", "problem:999", other.person.personId],
    ]);
    // A colleague of the same enterprise sees it; so does staff.
    const colleague = await w.person("521", { enterpriseId: (await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).enterpriseId });
    expect((await w.run(colleague, (u) => openProblem(u, id))).ok).toBe(true);
    expect((await w.run(member, (u) => openProblem(u, id))).ok).toBe(true);
  });

  it("a member trying every staff service is refused and audited; staff actions are audited too", async () => {
    const { id, member, staff } = await reported();
    const tries: [string, () => Promise<{ ok: boolean }>][] = [
      ["problem.take", () => w.run(member, (u) => takeProblem(u, id, 0))],
      ["problem.status", () => w.run(member, (u) => changeStatus(u, id, 0, "review", {}))],
      ["problem.note", () => w.run(member, (u) => addNote(u, id, "x"))],
      ["problem.reply", () => w.run(member, (u) => addStaffReply(u, id, { text: "x", files: [] }))],
      ["problem.list", () => w.run(member, (u) => listProblems(u, {}, 0, 10))],
      ["problem.stats", () => w.run(member, (u) => problemStats(u))],
      ["problem.export", () => w.run(member, (u) => exportProblemsCsv(u, { forGovernment: false }))],
    ];
    for (const [action, attempt] of tries) {
      expect(await attempt()).toEqual({ ok: false, reason: "error-not-allowed" });
      expect(await audits(action)).toEqual([{ outcome: "denied", subject: action.endsWith("list") || action.endsWith("stats") || action.endsWith("export") ? null : `problem:${id}`, actorId: member.person.personId }]);
    }
    const problem = await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
    expect(problem).toMatchObject({ status: "new", assigneeId: null, revision: 0 });
    // Nothing reached the member either.
    expect(await w.texts("501")).toEqual([]);
    // Staff do it, and each is audited.
    expect(await w.run(staff, (u) => takeProblem(u, id, 0))).toEqual({ ok: true });
    expect(await w.run(staff, (u) => addNote(u, id, "call them"))).toEqual({ ok: true });
    expect(await w.run(staff, (u) => changeStatus(u, id, 1, "review", {}))).toEqual({ ok: true });
    for (const action of ["problem.take", "problem.note", "problem.status"]) {
      expect((await audits(action)).at(-1)).toEqual({ outcome: "ok", subject: `problem:${id}`, actorId: staff.person.personId });
    }
  });
});

describe("the life cycle", () => {
  it("staff may set exactly the statuses the table lists, from each status", async () => {
    const { id, staff } = await reported();
    for (const from of PROBLEM_STATUSES) {
      for (const to of PROBLEM_STATUSES) {
        await w.db.transaction((tx) => tx.problem.update({ where: { id }, data: { status: from } }));
        const { revision } = await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
        const r = await w.run(staff, (u) => changeStatus(u, id, revision, to, { comment: "why", forwardedTo: "Министерство торговли" }));
        const allowed = (STAFF_TRANSITIONS[from] as readonly ProblemStatus[]).includes(to);
        expect([from, to, r]).toEqual([from, to, allowed ? { ok: true } : { ok: false, reason: "problem-bad-transition" }]);
        const after = await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
        expect(after.status).toBe(allowed ? to : from);
        expect(after.revision).toBe(allowed ? revision + 1 : revision);
      }
    }
  });

  it("every change is one timeline entry with who, when and why; declined needs a reason and forwarded a body", async () => {
    const { id, staff, member } = await reported();
    expect(await w.run(staff, (u) => changeStatus(u, id, 0, "declined", { comment: "  " }))).toEqual({ ok: false, reason: "problem-comment-needed" });
    expect(await w.run(staff, (u) => changeStatus(u, id, 0, "forwarded", {}))).toEqual({ ok: false, reason: "problem-forwarded-needed" });
    w.later(60_000);
    expect(await w.run(staff, (u) => changeStatus(u, id, 0, "forwarded", { forwardedTo: "Комитет технического регулирования", comment: "ждём ответа" }))).toEqual({ ok: true });
    const opened = await w.run(member, (u) => openProblem(u, id));
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.problem).toMatchObject({ status: "forwarded", forwardedTo: "Комитет технического регулирования", revision: 1 });
    expect(opened.timeline.map((e) => [e.kind, e.status, e.fromStatus, e.text, e.author, e.at])).toEqual([
      ["report", null, null, draft().description, "Айгерим", new Date("2026-11-30T06:00:00Z").toISOString()],
      ["status", "forwarded", "new", "Комитет технического регулирования\nждём ответа", "Дана", new Date("2026-11-30T06:01:00Z").toISOString()],
    ]);
    expect(hooks).toEqual([`post:${id}`, `changed:${id}`]);
  });

  it("a change from an outdated post is refused; taking and joining make posts outdated, replies and notes do not", async () => {
    const { id, staff } = await reported();
    expect(await w.run(staff, (u) => takeProblem(u, id, 0))).toEqual({ ok: true });
    expect(await w.run(staff, (u) => changeStatus(u, id, 0, "review", {}))).toEqual({ ok: false, reason: "problem-outdated" });
    // Taken by them already (a double tap from the old post): nothing changes, and it is not refused (breaker7).
    expect(await w.run(staff, (u) => takeProblem(u, id, 0))).toEqual({ ok: true });
    await w.run(staff, (u) => addNote(u, id, "note"));
    await w.run(staff, (u) => addStaffReply(u, id, { text: "reply", files: [] }));
    expect(await w.run(staff, (u) => changeStatus(u, id, 1, "review", {}))).toEqual({ ok: true });
    const joiner = await w.person("530", { enterpriseId: await w.enterprise({ name: "Joiner" }) });
    expect(await w.run(joiner, (u) => joinProblem(u, id, null))).toMatchObject({ ok: true });
    expect(await w.run(staff, (u) => changeStatus(u, id, 2, "resolved", {}))).toEqual({ ok: false, reason: "problem-outdated" });
    expect(await w.run(staff, (u) => changeStatus(u, id, 3, "resolved", {}))).toEqual({ ok: true });
  });

  it("the member's answer: yes closes, no reopens with the comment and tells staff; a stale or repeated answer is refused", async () => {
    const { id, staff, member } = await reported();
    await w.run(staff, (u) => changeStatus(u, id, 0, "resolved", { comment: "готово" }));
    const asked = (await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).revision;
    expect(await w.run(member, (u) => confirmSolved(u, id, false, "всё ещё требуют испытания", { revision: asked }))).toEqual({ ok: true });
    const reopened = await w.db.transaction((tx) => tx.problemEntry.findFirstOrThrow({ where: { problemId: id }, orderBy: { id: "desc" } }));
    expect(reopened).toMatchObject({ kind: "status", status: "reopened", fromStatus: "resolved", text: "всё ещё требуют испытания", authorId: member.person.personId });
    expect(hooks).toContain(`relay:${id}:${reopened.id}`);
    // The same button pressed again: outdated.
    expect(await w.run(member, (u) => confirmSolved(u, id, true, null, { revision: asked }))).toEqual({ ok: false, reason: "problem-outdated" });
    await w.run(staff, (u) => changeStatus(u, id, asked + 1, "resolved", {}));
    expect(await w.run(member, (u) => confirmSolved(u, id, true, null, { revision: asked + 2 }))).toEqual({ ok: true });
    expect((await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).status).toBe("closed");
    // Closed: nothing more can be written to it.
    expect(await w.run(member, (u) => addMemberMessage(u, id, { text: "ещё", files: [] }))).toEqual({ ok: false, reason: "problem-not-open" });
  });

  it("the solved buttons fit in 64 bytes and parse strictly", () => {
    const data = solvedButton(2_147_483_647, 2_147_483_647, false);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseSolvedButton(data)).toEqual({ problemId: 2_147_483_647, revision: 2_147_483_647, yes: false });
    expect(parseSolvedButton(solvedButton(12, 35, true))).toEqual({ problemId: 12, revision: 35, yes: true });
    for (const bad of ["pm:solved:12:z:x", "pm:solved:0:1:y", "pm:solved:12:1:y:", "pm:solved:-1:1:y", "pm:solved:12::y", "ps:solved:12:1:y"]) expect(parseSolvedButton(bad)).toBeNull();
  });
});

describe("what members are told", () => {
  it("a staff reply and a status change reach the reporter in their language, escaped, with the staff comment", async () => {
    for (const locale of LOCALES) {
      const world = w;
      const enterpriseId = await world.enterprise();
      const chat = `7${locale}`;
      const member = await world.person(chat, { locale, enterpriseId });
      const staff = await world.person(`9${locale}`, { role: "staff", locale: "kk" });
      const title = `<b>Ткань</b> & "ё" <i>`;
      const r = await world.run(member, (u) => submitProblem(u, draft({ title })));
      if (!r.ok) throw new Error(r.reason);
      await world.run(staff, (u) => addStaffReply(u, r.id, { text: "Пришлите <протокол> & акт", files: [] }));
      await world.run(staff, (u) => changeStatus(u, r.id, 0, "declined", { comment: "Не в компетенции <ассоциации>" }));
      const got = await world.texts(chat);
      expect(got).toEqual([
        tr(locale, "problem-notice-reply", { ref: r.ref, title, text: "Пришлите <протокол> & акт" }),
        [tr(locale, "problem-notice-status", { ref: r.ref, title, status: tr(locale, "problem-status-declined") }), tr(locale, "problem-notice-comment", { text: "Не в компетенции <ассоциации>" })].join("\n"),
      ]);
      // The raw text carries the typed markup escaped.
      const raw = world.channel.in(chat).map((m) => m.message.text);
      expect(raw[0]).toContain("&lt;b&gt;Ткань&lt;/b&gt; &amp; &quot;ё&quot; &lt;i&gt;");
      expect(raw[0]).not.toContain("<b>Ткань");
    }
  });

  it("resolved asks the reporter with yes/no buttons naming the revision; enterprises that joined hear the change without buttons", async () => {
    const { id, ref, staff } = await reported({ locale: "kk" });
    const joiner = await w.person("540", { locale: "en", enterpriseId: await w.enterprise({ name: "Joiner" }) });
    await w.run(joiner, (u) => joinProblem(u, id, "us too"));
    await w.run(staff, (u) => changeStatus(u, id, 1, "resolved", {}));
    await w.core.dispatcher.idle();
    const [asked] = w.channel.in("501");
    const title = draft().title;
    expect(asked?.text).toBe([tr("kk", "problem-notice-status", { ref, title, status: tr("kk", "problem-status-resolved") }), "", tr("kk", "problem-notice-solved-ask", { days: 14 })].join("\n"));
    expect(asked?.message.choices?.flat().map((b) => [b.label, b.data])).toEqual([
      [tr("kk", "problem-solved-yes"), solvedButton(id, 2, true)],
      [tr("kk", "problem-solved-no"), solvedButton(id, 2, false)],
    ]);
    const [told] = w.channel.in("540");
    expect(told?.text).toBe(tr("en", "problem-notice-status", { ref, title, status: tr("en", "problem-status-resolved") }));
    expect(told?.message.choices).toBeUndefined();
  });

  it("notes never reach members, nor their timeline", async () => {
    const { id, staff, member } = await reported();
    await w.run(staff, (u) => addNote(u, id, "внутреннее"));
    expect(await w.texts("501")).toEqual([]);
    const seen = await w.run(member, (u) => openProblem(u, id));
    const staffSees = await w.run(staff, (u) => openProblem(u, id));
    if (!seen.ok || !staffSees.ok) throw new Error("refused");
    expect(seen.timeline.map((e) => e.kind)).toEqual(["report"]);
    expect(staffSees.timeline.map((e) => e.kind)).toEqual(["report", "note"]);
    expect(seen.problem.reporter).toBeNull();
    // What the bot shows staff, in the member's own unit (the staff post): the staff view, no refusal audited.
    const posted = await w.run(member, (u) => staffView(u, id));
    expect(posted).toEqual({ problem: staffSees.problem, timeline: staffSees.timeline });
    expect(await audits("problem.view")).toEqual([]);
  });
});

describe("joining and the member's list", () => {
  it("joining is idempotent, relays the comment to staff, and shows in My problems; the joined view hides the reporter", async () => {
    const { id, ref, staff } = await reported();
    const joinerEnterprise = await w.enterprise({ name: "Joiner" });
    const joiner = await w.person("550", { enterpriseId: joinerEnterprise, name: "Ерлан" });
    expect(await w.run(joiner, (u) => joinProblem(u, id, "у нас то же"))).toEqual({ ok: true, ref });
    expect(await w.run(joiner, (u) => joinProblem(u, id, "again"))).toEqual({ ok: true, ref });
    const entries = await w.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id, kind: "joined" } }));
    expect(entries.map((e) => e.text)).toEqual(["у нас то же"]);
    expect(hooks.filter((h) => h.startsWith("relay"))).toEqual([`relay:${id}:${entries[0]!.id}`]);
    // What the thread's relay reads of it.
    expect(await w.db.transaction((tx) => entryById(tx, entries[0]!.id))).toMatchObject({ problemId: id, kind: "joined", text: "у нас то же", author: "Ерлан", files: [] });
    const list = await w.run(joiner, (u) => memberProblems(u, 0, 10));
    expect(list).toMatchObject({ total: 1, items: [{ id, ref, affected: 2, joined: true }] });
    const view = await w.run(joiner, (u) => openProblem(u, id));
    if (!view.ok) throw new Error(view.reason);
    expect(view.problem.enterprise).toBeNull();
    expect(view.timeline.map((e) => [e.kind, e.author])).toEqual([
      ["report", null],
      ["joined", "Ерлан"],
    ]);
    // Staff replies to the reporter stay theirs.
    await w.run(staff, (u) => addStaffReply(u, id, { text: "Уточните", files: [] }));
    const again = await w.run(joiner, (u) => openProblem(u, id));
    expect(again.ok && again.timeline.map((e) => e.kind)).toEqual(["report", "joined"]);
    // A closed problem cannot be joined.
    await w.db.transaction((tx) => tx.problem.update({ where: { id }, data: { status: "closed" } }));
    const late = await w.person("551", { enterpriseId: await w.enterprise({ name: "Late" }) });
    expect(await w.run(late, (u) => joinProblem(u, id, null))).toEqual({ ok: false, reason: "problem-not-open" });
  });

  it("My problems: the enterprise's and joined ones, newest first, paged", async () => {
    const e = await w.enterprise();
    const a = await w.person("560", { enterpriseId: e });
    const b = await w.person("561", { enterpriseId: e });
    for (let i = 0; i < 3; i++) {
      await w.run(i % 2 ? b : a, (u) => submitProblem(u, draft({ title: `T${i}` })));
      w.later(1000);
    }
    const page0 = await w.run(a, (u) => memberProblems(u, 0, 2));
    const page1 = await w.run(a, (u) => memberProblems(u, 1, 2));
    expect(page0.total).toBe(3);
    expect([...page0.items, ...page1.items].map((p) => [p.title, p.joined])).toEqual([
      ["T2", false],
      ["T1", false],
      ["T0", false],
    ]);
  });
});

describe("lists and stats", () => {
  it("filters by status, category, region, assignee and unanswered; medians in hours", async () => {
    const { id, staff } = await reported();
    const other = await w.person("570", { enterpriseId: await w.enterprise({ region: "astana" }) });
    const second = await w.run(other, (u) => submitProblem(u, draft({ category: "taxes", title: "НДС" })));
    if (!second.ok) throw new Error(second.reason);
    w.later(2 * 3_600_000);
    await w.run(staff, (u) => addStaffReply(u, id, { text: "ok", files: [] }));
    await w.run(staff, (u) => takeProblem(u, id, 0));
    w.later(2 * 3_600_000);
    await w.run(staff, (u) => changeStatus(u, id, 1, "resolved", {}));
    const ids = async (f: Parameters<typeof listProblems>[1]) => {
      const r = await w.run(staff, (u) => listProblems(u, f, 0, 10));
      return r.ok ? r.items.map((p) => p.id) : r.reason;
    };
    expect(await ids({})).toEqual([second.id, id]);
    expect(await ids({ status: "open" })).toEqual([second.id]);
    expect(await ids({ status: "resolved" })).toEqual([id]);
    expect(await ids({ category: "taxes" })).toEqual([second.id]);
    expect(await ids({ region: "astana" })).toEqual([second.id]);
    expect(await ids({ assignee: staff.person.personId })).toEqual([id]);
    expect(await ids({ assignee: "none" })).toEqual([second.id]);
    expect(await ids({ unanswered: true })).toEqual([second.id]);
    const stats = await w.run(staff, (u) => problemStats(u));
    if (!stats.ok) throw new Error(stats.reason);
    expect(stats.stats).toMatchObject({
      byCategory: { certification: 1, taxes: 1 },
      byStatus: { resolved: 1, new: 1 },
      byRegion: { "almaty-city": 1, astana: 1 },
      medianFirstReplyHours: 2,
      medianResolutionHours: 4,
      mostJoined: [],
    });
    expect(Object.keys(stats.stats.byCategory)).toEqual([...CATEGORIES]);
  });
});

describe("erasure", () => {
  it("keeps the enterprise's problem but no longer names the person who reported it", async () => {
    const { id, enterpriseId, member, staff } = await reported();
    await w.db.transaction((tx) => tx.person.update({ where: { id: member.person.personId }, data: { phone: "+77011234567" } }));
    const before = await w.run(staff, (u) => openProblem(u, id));
    expect(before.ok && before.problem.reporter).toEqual({ personId: member.person.personId, name: "Айгерим", phone: "+77011234567" });
    const colleague = await w.person("580", { enterpriseId, name: "Коллега" });
    await w.db.transaction((tx) => tx.membership.update({ where: { personId: colleague.person.personId }, data: { role: "employee" } }));
    await w.run(member, (u) => addMemberMessage(u, id, { text: "добавляю протокол", files: [] }));
    await w.run(member, (u) => erasePerson(u, member.person.personId));
    const problem = await w.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
    expect(problem.reporterId).toBeNull();
    expect(problem.description).toBe(draft().description);
    const entries = await w.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id } }));
    expect(entries.map((e) => [e.kind, e.authorId, e.text])).toEqual([
      ["report", null, draft().description],
      ["member", null, "добавляю протокол"],
    ]);
    expect(hooks).toContain(`changed:${id}`);
    const seen = await w.run(staff, (u) => openProblem(u, id));
    if (!seen.ok) throw new Error(seen.reason);
    expect(seen.problem.reporter).toBeNull();
    expect(JSON.stringify(seen)).not.toContain("Айгерим");
    expect(JSON.stringify(seen)).not.toContain("7701");
    // A staff reply now reaches the enterprise's remaining people.
    await w.run(staff, (u) => addStaffReply(u, id, { text: "Ответ", files: [] }));
    expect((await w.texts("580")).length).toBe(1);
  });
});

describe("locale keys", () => {
  it("every category, hint and status has a name in every language", () => {
    for (const locale of LOCALES) {
      for (const c of CATEGORIES) {
        expect(i18n().t(locale, `problem-cat-${c}`)).toBeTruthy();
        expect(i18n().t(locale, `problem-cat-${c}-hint`)).toBeTruthy();
      }
      for (const s of PROBLEM_STATUSES) expect(i18n().t(locale, `problem-status-${s}`)).toBeTruthy();
    }
  });
});

