/**
 * Similar open problems (MiniSearch over the category's open problems: Cyrillic folding, typos,
 * prefixes) and the CSV export's bytes (BOM, `;`, quoting, headers in the actor's language,
 * anonymity for government bodies).
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { exportProblemsCsv, joinProblem, similarOpenProblems, submitProblem, type ProblemDraft } from "../../../src/core/problems/service.ts";
import { buildIndex, fold, processTerm } from "../../../src/core/problems/search.ts";
import { pathOfSha } from "../../../src/core/problems/store.ts";
import { CSV_COLUMNS, median } from "../../../src/core/problems/report.ts";
import { tr } from "../../support/core-harness.ts";
import { draft, startWorld, type World } from "./setup.ts";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});

async function reportAs(chat: string, d: Partial<ProblemDraft>, enterprise: { name?: string } = {}) {
  const enterpriseId = await w.enterprise(enterprise);
  const member = await w.person(chat, { enterpriseId });
  const r = await w.run(member, (u) => submitProblem(u, draft(d)));
  if (!r.ok) throw new Error(r.reason);
  return { ...r, member, enterpriseId };
}

describe("similar open problems", () => {
  it("finds by folded Cyrillic, typos and prefixes, within the category, among open problems of other enterprises, with affected counts", async () => {
    const cert = await reportAs("601", { category: "certification", title: "Сертификат соответствия на ткань", description: "Повторные испытания каждой партии." });
    const pack = await reportAs("602", { category: "certification", title: "Маркировка ёмкостей и упаковки", description: "Требования к маркировке изменились." });
    await reportAs("603", { category: "taxes", title: "Сертификат соответствия и НДС", description: "Другая категория." });
    const closed = await reportAs("604", { category: "certification", title: "Сертификат соответствия на пряжу", description: "Закрыта." });
    await w.db.transaction((tx) => tx.problem.update({ where: { id: closed.id }, data: { status: "closed" } }));
    const kk = await reportAs("605", { category: "certification", title: "Шикізатқа сертификат алу қиын", description: "Зертхана жоқ." });
    const me = await w.person("610", { enterpriseId: await w.enterprise() });
    const other = await w.person("611", { enterpriseId: await w.enterprise() });
    await w.run(other, (u) => joinProblem(u, cert.id, null));
    const flax = await reportAs("606", { category: "raw-materials", title: "Лён подорожал", description: "Поставщик поднял цену." });
    const find = async (title: string, description = "", who = me, category: ProblemDraft["category"] = "certification") =>
      (await w.run(who, (u) => similarOpenProblems(u, { category, title, description }))).map((p) => [p.ref, p.affected]);
    // A typo (one letter), and the word as typed.
    expect((await find("Сертефикат на ткань"))[0]).toEqual([cert.ref, 2]);
    // A prefix (of "сертификат" in two titles: both, and not the marking one).
    expect((await find("сертиф")).map(([ref]) => ref).sort()).toEqual([cert.ref, kk.ref].sort());
    // ё and е are one letter here.
    expect(await find("Емкостей")).toEqual([[pack.ref, 1]]);
    expect(await find("ЁМКОСТЕЙ")).toEqual([[pack.ref, 1]]);
    expect(await find("лен", "", me, "raw-materials")).toEqual([[flax.ref, 1]]);
    // Kazakh letters are kept and found.
    expect((await find("шикізат"))[0]?.[0]).toBe(kk.ref);
    // Other categories and closed problems never come up; at most three; nothing for unrelated words.
    const all = await find("Сертификат соответствия", "ткань пряжа испытания");
    expect(all.map(([ref]) => ref)).not.toContain(closed.ref);
    expect(all.length).toBeLessThanOrEqual(3);
    expect(await find("трактор", "")).toEqual([]);
    // The actor's own enterprise's problems, and those it joined, are left out.
    expect((await find("Сертификат на ткань", "", cert.member)).map(([ref]) => ref)).not.toContain(cert.ref);
    expect((await find("Сертификат на ткань", "", other)).map(([ref]) => ref)).not.toContain(cert.ref);
  });

  it("folds terms and drops function words", () => {
    expect(fold("ЁЛКА")).toBe("елка");
    expect(processTerm("Және")).toBeNull();
    expect(processTerm("и")).toBeNull();
    expect(processTerm("Қазақстан")).toBe("қазақстан");
    expect(processTerm("12")).toBe("12");
    // Exact matching (no typo allowed, no prefix): only folding makes "лен" find "лён", and "ЁЛКА" find "елка".
    const index = buildIndex([
      { id: 1, title: "Лён подорожал", description: "" },
      { id: 2, title: "Елка", description: "" },
    ]);
    expect(index.search("лен", { fuzzy: false, prefix: false }).map((r) => r.id)).toEqual([1]);
    expect(index.search("ЁЛКА", { fuzzy: false, prefix: false }).map((r) => r.id)).toEqual([2]);
  });
});

describe("CSV export", () => {
  it("is UTF-8 with a BOM, ;-separated, quoted where needed, headers in the actor's language, anonymity for government bodies", async () => {
    const named = await reportAs("620", { title: 'Пошлина; "импорт" ткани', anonymous: false }, { name: "Алма; Текстиль" });
    const hidden = await reportAs("621", { title: "=HYPERLINK(1)", anonymous: true }, { name: "Тайное ТОО" });
    // A line break in a title (the flow keeps titles on one line; the export must not break rows anyway).
    await w.db.transaction((tx) => tx.problem.update({ where: { id: hidden.id }, data: { title: "=HYPERLINK(1)\nвторая строка" } }));
    const staff = await w.person("900", { role: "staff", locale: "kk" });
    const read = async (forGovernment: boolean) => {
      const r = await w.run(staff, (u) => exportProblemsCsv(u, { forGovernment }));
      if (!r.ok) throw new Error(r.reason);
      const file = await w.db.transaction((tx) => tx.storedFile.findUniqueOrThrow({ where: { id: r.fileId } }));
      const bytes = readFileSync(pathOfSha(file.sha256));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
      expect(file).toMatchObject({ mime: "text/csv", kind: "document", size: bytes.length });
      return { r, bytes };
    };
    const { r, bytes } = await read(false);
    expect(r).toMatchObject({ rows: 2, name: "problems-2026-11-30.csv" });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.map((c) => tr("kk", `problem-csv-${c}`)).join(";"));
    expect(lines[1]).toBe(
      [
        named.ref,
        "30.11.2026",
        tr("kk", "problem-cat-certification"),
        '"Пошлина; ""импорт"" ткани"',
        '"Алма; Текстиль"',
        tr("kk", "region-almaty-city"),
        tr("kk", "sector-apparel"),
        tr("kk", "problem-csv-no"),
        tr("kk", "problem-status-new"),
        "1",
        "",
        "",
        "",
        "",
      ].join(";"),
    );
    // The line break stays inside its quoted field; a formula is defused with a leading '.
    expect(text).toContain(`"'=HYPERLINK(1)\nвторая строка";Тайное ТОО;`);
    // Header, two rows (the line break inside a field is a bare \n, not a row's \r\n), and the end of the last row.
    expect(lines.length).toBe(4);
    expect(lines[3]).toBe("");
    // The same bytes again are the same kept file (content-addressed).
    expect((await read(false)).r.fileId).toBe(r.fileId);
    const gov = (await read(true)).bytes.toString("utf8");
    expect(gov).not.toContain("Тайное ТОО");
    expect(gov).toContain('"Алма; Текстиль"');
  });

  it("medians are the middle value, or the mean of the middle two", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
