/**
 * Wording rules a native reader of Kazakh and Russian holds the texts to, checked on the rendered
 * messages (locales/*.ftl, through the real i18n): a name a person typed is never inflected, the
 * association's staff and an enterprise's employees are two different words, and answers to wrong
 * input say what is wanted.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { toPlain } from "../../src/core/rich-text.ts";
import { parseEmployees } from "../../src/core/text.ts";
import { createI18n, LOCALES_DIR, type I18n, type MessageArgs } from "../../src/i18n/i18n.ts";
import type { Locale } from "../../src/i18n/locales.ts";

/** Variables that carry text a person typed (names, values, reasons), and so cannot take a case ending. */
const TYPED = new Set(["name", "enterprise", "user", "value", "old", "new", "by", "reason"]);
const NUMERIC = new Set(["count", "id", "max", "applications", "joins", "changes"]);
/** Stands for typed text in a rendering; no letter, so no word can be glued to it unnoticed. */
const TYPED_MARK = "⟦⟧";

let i18n: I18n;
beforeAll(() => {
  i18n = createI18n();
});

const source = (locale: Locale) => readFileSync(join(LOCALES_DIR, `${locale}.ftl`), "utf8");
const variablesOf = (text: string) => new Set([...text.matchAll(/\{\s*\$([a-z]+)/g)].map((m) => m[1]!));

/** Every message of a locale that uses a typed variable, rendered with that variable marked. */
function typedRenderings(locale: Locale): { key: string; text: string }[] {
  const args: MessageArgs = {};
  for (const v of variablesOf(source(locale))) args[v] = TYPED.has(v) ? TYPED_MARK : NUMERIC.has(v) ? 5 : "x";
  return i18n
    .keys(locale)
    .map((key) => ({ key, text: toPlain(i18n.t(locale, key, args)) }))
    .filter((r) => r.text.includes(TYPED_MARK));
}

describe.each(["ru", "kk"] as const)("%s: text a person typed", (locale) => {
  it("stands where no case ending is needed: at the start of a line or after a colon, and no word follows it", () => {
    // "Заявка от ТОО «…» одобрена", "к предприятию ТОО …" and "«…» кәсіпорнына" need a case the
    // typed name cannot take; "Предприятие: ТОО «…»" never does.
    const bad: string[] = [];
    for (const { key, text } of typedRenderings(locale)) {
      for (const line of text.split("\n")) {
        let at = line.indexOf(TYPED_MARK);
        while (at >= 0) {
          const before = line.slice(0, at);
          const after = line.slice(at + TYPED_MARK.length);
          const startsLine = !/[\p{L}\p{N}]/u.test(before);
          const afterColon = /[:→]\s*$/.test(before);
          const nothingGlued = /^(\s*$|\s*[.,;:?!)]|\s+[—→(])/u.test(after);
          if (!(startsLine || afterColon) || !nothingGlued) bad.push(`${key}: ${line}`);
          at = line.indexOf(TYPED_MARK, at + 1);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe("the association's staff and an enterprise's employees", () => {
  /** Messages about a person who works at a member enterprise. */
  const EMPLOYEE_KEYS = ["role-employee", "reg-join-button", "reg-bin-taken", "reg-iin-taken", "join-intro", "reg-ask-employees", "field-employees-line", "error-employees-zero"];
  const words = {
    ru: { employee: /работник/i, staff: /сотрудник/i, association: /ассоциаци/i, enterprise: /предприят/i },
    kk: { employee: /жұмыскер/i, staff: /қызметкер/i, association: /қауымдастық/i, enterprise: /кәсіпор/i },
    en: { employee: /employee/i, staff: /\bstaff\b/i, association: /association/i, enterprise: /enterprise/i },
  } as const;
  const render = (locale: Locale, key: string) => toPlain(i18n.t(locale, key, { name: "N", count: 5 }));

  it.each(["ru", "kk", "en"] as const)("%s names an enterprise's employee with the employee word", (locale) => {
    const w = words[locale];
    expect(EMPLOYEE_KEYS.filter((key) => !w.employee.test(render(locale, key)))).toEqual([]);
    for (const key of ["role-employee", "reg-join-button"]) expect(render(locale, key)).not.toMatch(w.staff);
  });

  it.each(["ru", "kk", "en"] as const)("%s: the staff role and the employee role are different words", (locale) => {
    const staff = render(locale, "role-staff");
    expect(staff).toMatch(words[locale].staff);
    expect(staff).not.toMatch(words[locale].employee);
    expect(render(locale, "role-employee")).not.toMatch(words[locale].staff);
  });

  it.each(["ru", "kk"] as const)("%s: where a message speaks of an enterprise, its staff word says 'of the association'", (locale) => {
    const w = words[locale];
    const args: MessageArgs = {};
    for (const v of variablesOf(source(locale))) args[v] = NUMERIC.has(v) ? 5 : "x";
    const ambiguous = i18n
      .keys(locale)
      .map((key) => ({ key, text: toPlain(i18n.t(locale, key, args)) }))
      .filter(({ text }) => w.enterprise.test(text))
      .filter(({ text }) =>
        [...text.matchAll(new RegExp(`[\\p{L}]*${w.staff.source}[\\p{L}]*`, "giu"))].some((m) => {
          // ru: "сотрудники ассоциации" (the word after); kk: "қауымдастық қызметкерлері" (the word before).
          const around = locale === "ru" ? text.slice(m.index, m.index + m[0].length + 12) : text.slice(Math.max(0, m.index - 20), m.index);
          return !w.association.test(around);
        }),
      )
      .map(({ key }) => key);
    expect(ambiguous).toEqual([]);
  });
});

describe("answers to wrong input", () => {
  it("a negative or fractional number of employees is told the number must be a whole number above zero", () => {
    for (const input of ["-5", "4.5"]) expect(parseEmployees(input)).toEqual({ ok: false, reason: "not-number" });
    expect(toPlain(i18n.t("ru", "error-employees-not-number"))).toMatch(/целое число больше нуля/);
    expect(toPlain(i18n.t("kk", "error-employees-not-number"))).toMatch(/нөлден үлкен бір бүтін сан/);
    expect(toPlain(i18n.t("en", "error-employees-not-number"))).toMatch(/whole number above zero/);
  });
});

describe("calques a native reader found", () => {
  it.each([
    ["kk", /қалай жүгінейік|біздің тарапта|қайта қош келдіңіз|ЖСН-і \S+ жеке кәсіпкер|қызметкерлері растайды/i],
    ["ru", /уже данные ответы|данные незавершённого шага/i],
  ] as const)("%s has none of them", (locale, calques) => {
    const args: MessageArgs = {};
    for (const v of variablesOf(source(locale))) args[v] = NUMERIC.has(v) ? 5 : "x";
    const found = i18n.keys(locale).filter((key) => calques.test(toPlain(i18n.t(locale, key, args))));
    expect(found).toEqual([]);
  });
});
