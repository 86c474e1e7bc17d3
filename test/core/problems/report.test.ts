/**
 * Reporting a problem (issue 7 item 1), through the real core: who may report, one question at a
 * time with its refusals, files and albums, the summary and its edits, similar problems, and a
 * restart in the middle of a report.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../../support/core-harness.ts";
import { LOCALES } from "../../../src/i18n/locales.ts";
import { DESCRIPTION_MAX, FILES_PER_MESSAGE, TITLE_MAX } from "../../../src/core/problems/service.ts";
import { ADMIN, BIN, activeMember, lastSaid, reportProblem, reportToSummary, sendFile, startReport } from "./report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

const problems = () => h.db.transaction((tx) => tx.problem.findMany({ orderBy: { id: "asc" }, include: { entries: { include: { files: true } } } }));

describe("reporting a problem", () => {
  it.each(LOCALES)("a member reports in %s: category, title, a description in two messages, an album and a document, anonymity, Send", async (locale) => {
    const p = await activeMember(h, "100", locale);
    p.fresh();
    await p.send("/start");
    await p.press(tr(locale, "menu-problem"));
    // Every category with its one-line explanation.
    const categories = p.last().text;
    expect(categories).toContain(tr(locale, "problem-cat-certification-hint"));
    expect(p.buttons()).toContain(tr(locale, "problem-cat-taxes"));
    await p.press(tr(locale, "problem-cat-taxes"));
    expect(p.last().text).toBe(tr(locale, "problem-ask-title"));
    await p.send("VAT <b>refunds</b> & delays");
    expect(p.last().text).toBe(tr(locale, "problem-ask-description"));
    await p.send("Refunds take six months.");
    expect(p.last().text).toBe(tr(locale, "problem-description-added"));
    await p.send("The tax office asks for the same papers again.");
    await p.press(tr(locale, "problem-done-button"));
    expect(p.last().text).toBe(tr(locale, "problem-ask-files", { max: FILES_PER_MESSAGE }));
    expect(p.buttons()).toEqual([tr(locale, "problem-skip-button")]);

    // An album of two photos: one answer for both.
    p.fresh();
    await sendFile(p, { group: "album-1" });
    await sendFile(p, { group: "album-1" });
    expect(p.fresh()).toEqual([tr(locale, "problem-file-added")]);
    await sendFile(p, { kind: "document", name: "act.pdf" });
    expect(p.fresh()).toEqual([tr(locale, "problem-file-added")]);
    // The Done under the album's answer still counts.
    await p.press(tr(locale, "problem-done-button"));
    await p.press(tr(locale, "problem-anon-anonymous"));

    const summary = p.last().text;
    expect(summary).toContain("VAT <b>refunds</b> & delays");
    expect(summary).toContain(tr(locale, "problem-line-files", { count: 3 }));
    expect(summary).toContain(tr(locale, "problem-line-anonymous"));
    expect(summary).toContain(tr(locale, "problem-cat-taxes"));
    // Nothing is filed before Send.
    expect(await problems()).toEqual([]);
    await p.press(tr(locale, "problem-send-button"));

    const [problem] = await problems();
    expect(problem).toMatchObject({
      category: "taxes",
      title: "VAT <b>refunds</b> & delays",
      description: "Refunds take six months.\n\nThe tax office asks for the same papers again.",
      anonymous: true,
      status: "new",
    });
    expect(problem!.entries[0]!.files.map((f) => f.name)).toEqual([null, null, "act.pdf"]);
    // The reference is told once it is committed.
    expect(lastSaid(p)).toBe(tr(locale, "problem-submitted", { ref: problem!.ref }));
    expect(problem!.ref).toMatch(/^QT-\d{4}-0001$/);
  });

  it("asks a bad title again with the reason, refuses an empty description and one that overflows", async () => {
    const p = await activeMember(h, "100", "en");
    await p.send("/start");
    await p.press(tr("en", "menu-problem"));
    await p.press(tr("en", "problem-cat-finance"));
    await p.send("\u200b  \u200b");
    expect(p.last().text).toBe(`${tr("en", "problem-title-empty")}\n\n${tr("en", "problem-ask-title")}`);
    await p.send("x".repeat(TITLE_MAX + 1));
    expect(p.last().text).toBe(`${tr("en", "problem-title-too-long", { max: TITLE_MAX })}\n\n${tr("en", "problem-ask-title")}`);
    await p.send("!!!");
    expect(p.last().text).toContain(tr("en", "problem-title-no-letters"));
    await p.send("No  loans\nfor   looms");

    // Done before any description: refused, asked again.
    await p.press(tr("en", "problem-done-button"));
    expect(p.last().text).toBe(`${tr("en", "problem-description-empty")}\n\n${tr("en", "problem-ask-description")}`);
    await p.sticker();
    expect(p.last().text).toContain(tr("en", "problem-description-need-text"));
    await p.send("a".repeat(DESCRIPTION_MAX - 10));
    // The message that overflows is refused with what is left; the description so far is kept.
    await p.send("b".repeat(20));
    expect(p.last().text).toContain(tr("en", "problem-description-too-long", { max: DESCRIPTION_MAX, left: 8, button: "done" }));
    await p.send("b".repeat(8));
    // Typed "done" works like the button.
    await p.send("done");
    expect(p.last().text).toBe(tr("en", "problem-ask-files", { max: FILES_PER_MESSAGE }));
    await p.send("skip");
    await p.press(tr("en", "problem-anon-named"));
    await p.press(tr("en", "problem-send-button"));
    const [problem] = await problems();
    expect(problem!.title).toBe("No loans for looms");
    expect(problem!.description).toBe(`${"a".repeat(DESCRIPTION_MAX - 10)}\n\n${"b".repeat(8)}`);
  });

  it("answers refused files with their reason and keeps asking; text sent with the files goes to the description", async () => {
    const p = await activeMember(h, "100", "ru");
    await startReport(p, "ru");
    await p.send("Описание.");
    // A photo sent with the description is kept for the problem.
    await sendFile(p, { caption: "Фото склада" });
    expect(p.last().text).toBe(tr("ru", "problem-file-added-description"));
    await p.press(tr("ru", "problem-done-button"));
    expect(p.last().text).toBe(tr("ru", "problem-ask-more-files", { count: 1, max: FILES_PER_MESSAGE }));
    await sendFile(p, { refused: "too-big" });
    expect(p.last().text).toContain(tr("ru", "file-refused-too-big", { limit: 20 }));
    await sendFile(p, { kind: "document", refused: "type" });
    expect(p.last().text).toContain(tr("ru", "file-refused-type"));
    await p.send("Ещё: склад закрыт.");
    expect(p.last().text).toBe(tr("ru", "problem-files-text-added", { button: "done" }));
    for (let i = 1; i < FILES_PER_MESSAGE; i++) await sendFile(p, { group: "big-album" });
    // An eleventh file is one too many.
    await sendFile(p, { group: "big-album" });
    expect(p.last().text).toContain(tr("ru", "problem-files-too-many", { max: FILES_PER_MESSAGE }));
    await p.press(tr("ru", "problem-done-button"));
    await p.press(tr("ru", "problem-anon-named"));
    expect(p.last().text).toContain(tr("ru", "problem-line-files", { count: FILES_PER_MESSAGE }));
    await p.press(tr("ru", "problem-send-button"));
    const [problem] = await problems();
    expect(problem!.description).toBe("Описание.\n\nФото склада\n\nЕщё: склад закрыт.");
    expect(problem!.entries[0]!.files).toHaveLength(FILES_PER_MESSAGE);
  });

  it("changes any part from the summary; /cancel in a field goes back to the summary", async () => {
    const p = await activeMember(h, "100", "kk");
    await reportToSummary(p, "kk", "Бірінші атау");
    await p.press(tr("kk", "problem-edit-title"));
    expect(p.last().text).toBe(tr("kk", "problem-ask-title"));
    await p.send("/cancel");
    expect(p.last().text).toContain("Бірінші атау");
    expect(p.buttons()).toContain(tr("kk", "problem-send-button"));
    await p.press(tr("kk", "problem-edit-title"));
    await p.send("Екінші атау");
    await p.press(tr("kk", "problem-edit-category"));
    await p.press(tr("kk", "problem-cat-other"));
    await p.press(tr("kk", "problem-edit-anonymity"));
    await p.press(tr("kk", "problem-anon-anonymous"));
    // A description begun again and given up: the earlier one stays.
    await p.press(tr("kk", "problem-edit-description"));
    expect(p.last().text).toBe(tr("kk", "problem-ask-description-again"));
    await p.send("Уақытша мәтін.");
    await p.send("/cancel");
    expect(p.last().text).toContain("three weeks");
    expect(p.last().text).not.toContain("Уақытша");
    await p.press(tr("kk", "problem-edit-description"));
    await p.send("Жаңа сипаттама.");
    await p.press(tr("kk", "problem-done-button"));
    await p.press(tr("kk", "problem-edit-files"));
    await sendFile(p, { kind: "document", name: "хат.pdf" });
    await p.press(tr("kk", "problem-done-button"));
    const summary = p.last().text;
    expect(summary).toContain("Екінші атау");
    expect(summary).toContain("Жаңа сипаттама.");
    expect(summary).not.toContain("three weeks");
    expect(summary).toContain(tr("kk", "problem-cat-other"));
    expect(summary).toContain(tr("kk", "problem-line-anonymous"));
    await p.press(tr("kk", "problem-send-button"));
    const [problem] = await problems();
    expect(problem).toMatchObject({ title: "Екінші атау", category: "other", description: "Жаңа сипаттама.", anonymous: true });
    expect(problem!.entries[0]!.files.map((f) => f.name)).toEqual(["хат.pdf"]);
  });

  it("Cancel on the summary files nothing", async () => {
    const p = await activeMember(h, "100", "en");
    await reportToSummary(p, "en");
    await p.press(tr("en", "button-cancel"));
    expect(p.fresh().join("\n")).toContain(tr("en", "problem-cancelled"));
    expect(await problems()).toEqual([]);
  });
});

describe("who may report", () => {
  it("tells someone without an enterprise why, and offers registration", async () => {
    const p = h.person("100", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-problem"));
    expect(p.last().text).toBe(tr("en", "problem-access-none"));
    await p.press(tr("en", "menu-register"));
    expect(p.buttons()).toContain(tr("en", "consent-agree"));
  });

  it("offers an applicant whose application was rejected to correct it and apply again", async () => {
    const p = h.person("100", { language: "kk" });
    await applyForMembership(p, "kk", { bin: BIN });
    const data = [...h.person(ADMIN).messages()].reverse().flatMap((m) => m.message.choices?.flat() ?? []).find((b) => /^s:rj:/.test(b.data))?.data;
    expect(data).toBeDefined();
    await h.person(ADMIN).pressData(data!);
    await h.person(ADMIN).send("The BIN does not match the name.");
    await p.send("/problem");
    expect(p.last().text).toBe(tr("kk", "problem-access-rejected"));
    await p.press(tr("kk", "menu-register"));
    expect(p.fresh().join("\n")).toContain("The BIN does not match the name.");
  });

  it("tells an applicant under review that they may report once approved; /problem works as the menu entry", async () => {
    const p = h.person("100", { language: "ru" });
    await applyForMembership(p, "ru", { bin: BIN });
    await p.send("/problem");
    expect(lastSaid(p)).toBe(tr("ru", "problem-access-pending"));
    expect(await problems()).toEqual([]);
  });
});

describe("similar open problems", () => {
  it("offers problems of the same category that look alike; joining one counts the enterprise as affected", async () => {
    const other = await activeMember(h, "200", "ru", { bin: BIN, name: "Other LLP" });
    const ref = await reportProblem(other, "ru", "Задержки на таможне при ввозе ткани");
    const p = await activeMember(h, "100", "en");
    await reportToSummary(p, "en", "Таможня: задержки ввоза ткани");
    expect(p.last().text).toContain(ref);
    expect(p.last().text).toContain("Задержки на таможне при ввозе ткани");
    await p.press(tr("en", "problem-similar-same", { ref }));
    expect(p.last().text).toBe(tr("en", "problem-join-comment", { ref }));
    await p.send("Same for us: 3 containers.");
    expect(lastSaid(p)).toBe(tr("en", "problem-joined", { ref }));
    const rows = await problems();
    expect(rows).toHaveLength(1);
    const affected = await h.db.transaction((tx) => tx.problemAffected.findMany());
    expect(affected).toHaveLength(1);
    expect(rows[0]!.entries.map((e) => [e.kind, e.text])).toContainEqual(["joined", "Same for us: 3 containers."]);
  });

  it("goes on with the member's own report when theirs is different", async () => {
    const other = await activeMember(h, "200", "ru", { bin: BIN, name: "Other LLP" });
    await reportProblem(other, "ru", "Задержки на таможне при ввозе ткани");
    const p = await activeMember(h, "100", "en");
    await reportToSummary(p, "en", "Таможня: задержки ввоза ткани");
    await p.press(tr("en", "problem-similar-different"));
    expect(p.buttons()).toContain(tr("en", "problem-send-button"));
    await p.press(tr("en", "problem-send-button"));
    expect(await problems()).toHaveLength(2);
  });
});

describe("a restart in the middle of a report", () => {
  it("continues at the same question with the files already sent", async () => {
    const p = await activeMember(h, "100", "en");
    await startReport(p, "en");
    await p.send("The description.");
    await p.press(tr("en", "problem-done-button"));
    await sendFile(p, { group: "g" });
    await sendFile(p, { group: "g" });
    await h.restart();
    await sendFile(p, { kind: "document", name: "contract.pdf" });
    expect(p.last().text).toBe(tr("en", "problem-file-added"));
    await p.press(tr("en", "problem-done-button"));
    await h.restart();
    await p.press(tr("en", "problem-anon-named"));
    expect(p.last().text).toContain(tr("en", "problem-line-files", { count: 3 }));
    await p.press(tr("en", "problem-send-button"));
    const [problem] = await problems();
    expect(problem!.entries[0]!.files).toHaveLength(3);
    expect(problem!.description).toBe("The description.");
  });
});
