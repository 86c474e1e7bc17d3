/**
 * Typed choices on WhatsApp (no buttons) for options that are not the current question's: a
 * notice's options and a paginated list's pages (issue 9 item 2), in every form; and a voice note
 * in a problem's thread ("please write", nothing relayed).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../../support/core-harness.ts";
import { UNPACED_WHATSAPP as WHATSAPP_CAPABILITIES } from "../../support/whatsapp-caps.ts";
import { LOCALES, type Locale } from "../../../src/i18n/locales.ts";
import { personAt } from "../../../src/core/people.ts";
import { submitProblem, type ProblemDraft } from "../../../src/core/problems/service.ts";
import { MY_PAGE } from "../../../src/core/problems/member-flows.ts";
import type { Unit } from "../../../src/core/unit.ts";
import { ADMIN, activeMember, reportProblem } from "../problems/report-support.ts";
import { applyForMembership } from "../../support/core-harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ channel: "whatsapp", capabilities: WHATSAPP_CAPABILITIES, settings: { admins: [{ channel: "whatsapp", id: ADMIN }] } });
});
afterEach(async () => h.close());

async function as<T>(id: string, fn: (unit: Unit) => Promise<T>): Promise<T> {
  const who = await h.db.transaction((tx) => personAt(tx, "whatsapp", id));
  if (!who) throw new Error(`nobody at ${id}`);
  const value = await h.core.run({ person: { personId: who.personId, role: who.role, locale: "en" }, ref: `whatsapp:${id}` }, fn);
  await h.core.dispatcher.idle();
  return value;
}

const draft = (title: string): ProblemDraft => ({ category: "finance", title, description: `About ${title}.`, files: [], anonymous: false });

describe.each(LOCALES)("a notice's options, typed, in %s", (locale: Locale) => {
  const other = LOCALES[(LOCALES.indexOf(locale) + 1) % 3]!;
  it.each([
    ["its label in another language, without the emoji, in capitals", () => tr(other, "notice-approve").replace(/^\S+\s+/, "").toUpperCase()],
    ["its number, full-width with a dot", () => "１."],
  ])("%s approves the application", async (_what, typed) => {
    const admin = h.person(ADMIN, { language: locale });
    await admin.send("/start");
    await applyForMembership(h.person("applicant", { language: "en" }), "en");
    const notice = [...admin.messages()].reverse().find((m) => m.message.choices?.flat().some((b) => b.label === tr(locale, "notice-approve")))!;
    const approve = notice.message.choices!.flat().find((b) => b.label === tr(locale, "notice-approve"))!;
    // The menu holds 1..n: the notice's options come after it; "１." means the notice's own number.
    const text = typed() === "１." ? `${[...approve.key!].map((d) => String.fromCharCode(0xff10 + Number(d))).join("")}.` : typed();
    await admin.send(text);
    const enterprise = await h.db.transaction((tx) => tx.enterprise.findFirst({ select: { status: true } }));
    expect(enterprise?.status, text).toBe("active");
  });
});

describe.each(LOCALES)("a paginated list, typed, in %s", (locale: Locale) => {
  const other = LOCALES[(LOCALES.indexOf(locale) + 2) % 3]!;
  it("the next page's label in another language, and its number as \"n)\", turn the page", async () => {
    const p = await activeMember(h, "100", locale);
    for (let i = 1; i <= MY_PAGE + 1; i++) await as("100", (unit) => submitProblem(unit, draft(`Problem number ${i}`)));
    await p.send("/myproblems");
    expect(p.last().text).not.toContain("Problem number 1\n");
    await p.send(tr(other, "problem-page-next").replace(/\s*\S+$/, "").toLowerCase());
    expect(p.last().text).toContain("Problem number 1");
    const prev = p.last().message.choices!.flat().find((b) => b.label === tr(locale, "problem-page-prev"))!;
    await p.send(`${prev.key})`);
    expect(p.last().text).toContain(`Problem number ${MY_PAGE + 1}`);
  });
});

describe.each(LOCALES)("a voice note in a problem's thread, in %s", (locale: Locale) => {
  it("is answered with please write, and nothing is relayed", async () => {
    const p = await activeMember(h, "100", locale);
    const ref = await reportProblem(p, locale);
    await p.send(`/problem ${ref}`);
    await p.press(tr(locale, "problem-write-button"));
    p.fresh();
    await h.handle({ id: "voice-1", channel: "whatsapp", chatId: "100", userId: "100", chatType: "private", event: { type: "unsupported", kind: "voice" } });
    expect(p.fresh()).toEqual([tr(locale, "thread-unsupported")]);
    const entries = await h.db.transaction((tx) => tx.problemEntry.findMany({ where: { kind: "member" } }));
    expect(entries).toEqual([]);
  });
});
