/**
 * The three locale files must stay in step: same keys, same variables, every message renders as
 * valid rich text, and every key the code builds at run time exists. Patterns are read from
 * FluentResource's parsed body (the @fluent/syntax parser is not a dependency).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FluentResource } from "@fluent/bundle";
import { beforeAll, describe, expect, it } from "vitest";
import { CHANNELS } from "../../src/core/channel.ts";
import { MEMBER_COMMANDS, STAFF_COMMANDS } from "../../src/core/core.ts";
import { GLOBAL_COMMANDS } from "../../src/core/dialog/commands.ts";
import { BIN_KINDS, binCheckDigit, parseBin, type BinParseFailureReason } from "../../src/core/members/bin.ts";
import type { MembershipStatus } from "../../src/core/members/enterprises.ts";
import { REGIONS } from "../../src/core/members/regions.ts";
import { SECTORS } from "../../src/core/members/sectors.ts";
import { MENU_ITEMS } from "../../src/core/menu.ts";
import { ROLES } from "../../src/core/people.ts";
import { rich, toPlain } from "../../src/core/rich-text.ts";
import { cleanText, parseEmployees, type CleanTextResult, type EmployeesResult } from "../../src/core/text.ts";
import { foldLabel } from "../../src/core/turn.ts";
import { createI18n, LOCALES_DIR, MissingMessageError, type I18n, type MessageArgs } from "../../src/i18n/i18n.ts";
import { LOCALES, type Locale } from "../../src/i18n/locales.ts";
import { richMarkupProblems } from "../support/rich-markup.ts";

// ---- The parsed locale files --------------------------------------------------------------------

/** @fluent/bundle's pattern AST (its ast.d.ts is not exported from the package entry). */
type Pattern = string | Element[];
type Element = string | Expression;
type Expression =
  | { type: "select"; selector: Expression; variants: { key: { type: string; value: string | number }; value: Pattern }[]; star: number }
  | { type: "var"; name: string }
  | { type: "term" | "mesg"; name: string; args?: unknown[] }
  | { type: "func"; name: string; args: (Expression | { type: "narg"; name: string; value: Expression })[] }
  | { type: "str" | "num"; value: string | number };

interface MessageInfo {
  /** Every variable the message uses, also inside selectors and variants. */
  vars: Set<string>;
  /** Variables a select expression chooses on, with the variant keys offered. */
  selectors: Map<string, Set<string>>;
}

function walk(pattern: Pattern | null, info: MessageInfo): void {
  if (pattern === null || typeof pattern === "string") return;
  for (const element of pattern) if (typeof element !== "string") walkExpression(element, info);
}

function walkExpression(e: Expression, info: MessageInfo): void {
  if (e.type === "var") info.vars.add(e.name);
  else if (e.type === "select") {
    walkExpression(e.selector, info);
    if (e.selector.type === "var") {
      const keys = info.selectors.get(e.selector.name) ?? new Set<string>();
      for (const v of e.variants) keys.add(String(v.key.value));
      info.selectors.set(e.selector.name, keys);
    }
    for (const v of e.variants) walk(v.value, info);
  } else if (e.type === "func") {
    for (const arg of e.args) walkExpression(arg.type === "narg" ? arg.value : arg, info);
  }
}

const sources = Object.fromEntries(LOCALES.map((l) => [l, readFileSync(join(LOCALES_DIR, `${l}.ftl`), "utf8")])) as Record<Locale, string>;

const parsed = Object.fromEntries(
  LOCALES.map((locale) => {
    const resource = new FluentResource(sources[locale]);
    const messages = new Map<string, MessageInfo & { value: Pattern | null }>();
    for (const entry of resource.body) {
      if (entry.id.startsWith("-")) continue; // a term, not a message
      const info: MessageInfo = { vars: new Set(), selectors: new Map() };
      walk(entry.value as Pattern | null, info);
      for (const attribute of Object.values(entry.attributes)) walk(attribute as Pattern, info);
      messages.set(entry.id, { ...info, value: entry.value as Pattern | null });
    }
    return [locale, messages];
  }),
) as Record<Locale, Map<string, MessageInfo & { value: Pattern | null }>>;

const keysOf = (locale: Locale) => [...parsed[locale].keys()];

/** Variables that hold numbers in the code (counts, ids, limits). */
const NUMERIC = new Set(["count", "id", "max", "applications", "joins", "changes"]);

/** Dummy arguments for a message: the number `n` for numeric and plural variables, "x" for the rest. */
function dummyArgs(key: string, n: number): MessageArgs {
  const vars = new Set(LOCALES.flatMap((l) => [...(parsed[l].get(key)?.vars ?? [])]));
  const selectors = new Set(LOCALES.flatMap((l) => [...(parsed[l].get(key)?.selectors.keys() ?? [])]));
  return Object.fromEntries([...vars].map((v) => [v, NUMERIC.has(v) || selectors.has(v) ? n : "x"]));
}

const SAMPLE_NUMBERS = [1, 2, 5, 21];

let i18n: I18n;
beforeAll(() => {
  i18n = createI18n();
});

/** Every rendering of every message: each locale, with each sample number. */
function* renderings(): Generator<{ locale: Locale; key: string; n: number; text: string }> {
  for (const locale of LOCALES) {
    for (const key of keysOf(locale)) {
      for (const n of SAMPLE_NUMBERS) yield { locale, key, n, text: i18n.t(locale, key, dummyArgs(key, n)) };
    }
  }
}

// ---- Parity ---------------------------------------------------------------------------------------

describe("locale files", () => {
  it("kk, ru and en define exactly the same message keys", () => {
    const all = new Set(LOCALES.flatMap(keysOf));
    const missing = LOCALES.flatMap((l) => [...all].filter((k) => !parsed[l].has(k)).map((k) => `${l}.ftl lacks ${k}`));
    expect(missing).toEqual([]);
    expect(all.size).toBeGreaterThan(100);
  });

  it("parse completely: no entry is silently dropped as a syntax error, and no key is defined twice", () => {
    for (const locale of LOCALES) {
      const declared = [...sources[locale].matchAll(/^([a-zA-Z][a-zA-Z0-9_-]*)\s*=/gm)].map((m) => m[1]!);
      expect(declared.filter((k, i) => declared.indexOf(k) !== i), `${locale}.ftl duplicates`).toEqual([]);
      expect(keysOf(locale).sort(), `${locale}.ftl entries the parser dropped`).toEqual([...declared].sort());
      expect(i18n.keys(locale).sort()).toEqual(keysOf(locale).sort());
    }
  });

  it("every message has a value (attributes alone cannot be sent)", () => {
    const empty = LOCALES.flatMap((l) => [...parsed[l]].filter(([, m]) => m.value === null).map(([k]) => `${l}:${k}`));
    expect(empty).toEqual([]);
  });

  it("each message uses the same variables in all three languages, including those inside select expressions", () => {
    const mismatches: string[] = [];
    for (const key of keysOf("en")) {
      const sets = LOCALES.map((l) => [...(parsed[l].get(key)?.vars ?? [])].sort().join(","));
      if (new Set(sets).size > 1) mismatches.push(`${key}: ${LOCALES.map((l, i) => `${l}{${sets[i]}}`).join(" ")}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("finds the variables inside a plural select expression", () => {
    expect([...parsed.ru.get("pending-summary")!.vars].sort()).toEqual(["applications", "changes", "joins"]);
    expect([...parsed.ru.get("pending-more")!.vars]).toEqual(["count"]);
  });
});

// ---- Rendering -----------------------------------------------------------------------------------

describe("every message", () => {
  it("formats without errors in every language, for the numbers 1, 2, 5 and 21", () => {
    const failures: string[] = [];
    for (const locale of LOCALES) {
      for (const key of keysOf(locale)) {
        for (const n of SAMPLE_NUMBERS) {
          try {
            i18n.t(locale, key, dummyArgs(key, n));
          } catch (error) {
            failures.push(`${locale}:${key} (${n}): ${(error as Error).message}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("contains no Unicode isolation marks (U+2068, U+2069), which messengers would show as boxes", () => {
    const marked = [...renderings()].filter((r) => /[\u2068\u2069]/.test(r.text)).map((r) => `${r.locale}:${r.key}`);
    expect(marked).toEqual([]);
  });

  it("is valid rich text: only <b>, <i>, <u>, <code>, balanced, and only known entities", () => {
    const invalid = [...renderings()]
      .map((r) => ({ ...r, problems: richMarkupProblems(r.text) }))
      .filter((r) => r.problems.length)
      .map((r) => `${r.locale}:${r.key}: ${r.problems.join("; ")}`);
    expect([...new Set(invalid)]).toEqual([]);
  });

  it("has visible text and no stray placeholder such as { $name } or {$name}", () => {
    const bad = [...renderings()]
      .filter((r) => toPlain(r.text).trim() === "" || /\{\s*\$|\{\s*[a-z-]+\s*\}/.test(r.text))
      .map((r) => `${r.locale}:${r.key}`);
    expect([...new Set(bad)]).toEqual([]);
  });
});

describe("t()", () => {
  it("escapes string arguments, so a name like <b>X & Co</b> shows literally", () => {
    const text = i18n.t("ru", "profile-title", { name: `<b>"Жібек" & Co</b>` });
    expect(text).toContain("&lt;b&gt;&quot;Жібек&quot; &amp; Co&lt;/b&gt;");
    expect(toPlain(text)).toContain(`<b>"Жібек" & Co</b>`);
    expect(richMarkupProblems(text)).toEqual([]);
  });

  it("places rich() arguments as they are, because they are already rendered messages", () => {
    const text = i18n.t("en", "reg-already", { name: "<Textile & Co>", status: rich("<i>under review</i>") });
    expect(text).toContain("&lt;Textile &amp; Co&gt;");
    expect(text).toContain("<i>under review</i>");
    const pending = i18n.t("en", "membership-pending");
    expect(i18n.t("en", "reg-already", { name: "A", status: rich(pending) })).toContain(pending);
  });

  it("throws MissingMessageError for an unknown key, naming the key and the file", () => {
    expect(() => i18n.t("kk", "no-such-message")).toThrow(MissingMessageError);
    expect(() => i18n.t("kk", "no-such-message")).toThrow(/no-such-message.*kk\.ftl/);
  });

  it("throws instead of sending a message with a missing argument", () => {
    expect(() => i18n.t("ru", "profile-title")).toThrow(MissingMessageError);
  });

  it("shows references, passed as text, as they are, with no number sign glued on, and groups quantities", () => {
    // Staff quote references ("A-1234", refOf in notices.ts); "A-1,234" or "№A-1234" reads as a
    // different one. The code passes references as strings (notices.ts, decisions.ts); numbers are quantities.
    for (const locale of ["en", "ru", "kk"] as const) {
      for (const key of ["notice-application-title", "staff-rejected-done", "staff-reject-ask-join", "staff-reject-ask-takeover"]) {
        const text = i18n.t(locale, key, { id: "A-1234" });
        expect(text).toMatch(/(^|[\s(>])A-1234\b/);
        expect(text).not.toMatch(/[#№]\s*A-1234/);
      }
    }
    expect(i18n.t("en", "field-employees-line", { count: 1234 })).toContain("1,234");
  });
});

// ---- Language quality -----------------------------------------------------------------------------

/** The visible words of a message as a translator wrote it (variables rendered as "x"). */
function wordsOf(locale: Locale, key: string): string[] {
  const text = toPlain(i18n.t(locale, key, dummyArgs(key, 5)));
  return text
    .replace(/(?<![\p{L}\p{N}])[/@][\w@]+/gu, " ") // commands (/start, (/as)) and usernames (@userinfobot)
    .replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, " ") // configuration variables (STAFF_CHAT_ID)
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);
}

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;

/** Shown before anyone has chosen a language, so it is written in all three on purpose. */
const TRILINGUAL = new Set(["language-prompt"]);
const translated = (locale: Locale) => keysOf(locale).filter((k) => !TRILINGUAL.has(k));

describe("Kazakh and Russian texts", () => {
  it("the language prompt is the same trilingual text in every locale, naming each language in itself", () => {
    const prompts = LOCALES.map((l) => i18n.t(l, "language-prompt"));
    expect(new Set(prompts).size).toBe(1);
    expect(prompts[0]).toMatch(/тіл.*язык.*language/is);
  });

  it("Kazakh sentences use Kazakh-specific letters, so none is Russian left untranslated", () => {
    const sentences = translated("kk")
      .map((key) => ({ key, words: wordsOf("kk", key).filter((w) => /^[\p{Script=Cyrillic}-]+$/u.test(w)) }))
      .filter((m) => m.words.length >= 4);
    expect(sentences.length).toBeGreaterThan(80);
    expect(sentences.filter((m) => !m.words.some((w) => KAZAKH_LETTERS.test(w))).map((m) => m.key)).toEqual([]);
    const everything = keysOf("kk").map((k) => i18n.t("kk", k, dummyArgs(k, 5))).join("\n");
    for (const letter of "әғқңөұүі") expect(everything).toContain(letter);
  });

  it("Kazakh messages differ from the Russian ones except for short shared words", () => {
    const copied = translated("kk").filter((key) => {
      const kk = i18n.t("kk", key, dummyArgs(key, 5));
      return kk === i18n.t("ru", key, dummyArgs(key, 5)) && wordsOf("kk", key).filter((w) => /\p{Script=Cyrillic}/u.test(w)).length > 1;
    });
    expect(copied).toEqual([]);
  });

  it.each(["kk", "ru"] as const)("%s texts contain no Latin words other than names, codes and commands", (locale) => {
    const ALLOWED = new Set(["Telegram", "WhatsApp", "Qaz", "Textile", "Industry", "ID"]);
    const latin = translated(locale).flatMap((key) =>
      wordsOf(locale, key)
        .filter((w) => /^[A-Za-z]{2,}$/.test(w) && !ALLOWED.has(w) && w !== "x")
        .map((w) => `${key}: ${w}`),
    );
    expect(latin).toEqual([]);
  });
});

// ---- Command words ----------------------------------------------------------------------------------

describe("words-* command words", () => {
  it("never mean two different commands, in any combination of languages", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const command of GLOBAL_COMMANDS) {
      for (const locale of LOCALES) {
        for (const word of i18n.t(locale, `words-${command}`).split(",")) {
          const folded = foldLabel(word);
          expect(folded, `an empty word in ${locale}:words-${command}`).not.toBe("");
          const other = owner.get(folded);
          if (other && other !== command) clashes.push(`"${folded}" is both ${other} and ${command}`);
          owner.set(folded, command);
        }
      }
    }
    expect(clashes).toEqual([]);
  });

  it("are plain words, without markup or a leading slash", () => {
    for (const command of GLOBAL_COMMANDS) {
      for (const locale of LOCALES) {
        const value = i18n.t(locale, `words-${command}`);
        expect(value).not.toMatch(/[<>&/]/);
      }
    }
  });
});

// ---- Keys the code builds at run time -------------------------------------------------------------

/** Compile-time proof that a hand-written list covers a string union (fails `tsc` when one is added). */
function exhaustive<U extends string>() {
  return <const L extends readonly U[]>(list: L & ([U] extends [L[number]] ? unknown : never)): L => list;
}

const MEMBERSHIP_STATUSES = exhaustive<MembershipStatus>()(["pending", "active", "rejected", "closed", "ended"]);
const BIN_FAILURES = exhaustive<BinParseFailureReason>()(["empty", "not-digits", "length", "checksum", "format", "bin-month", "bin-future", "iin-date", "iin-future"]);
const CLEAN_TEXT_FAILURES = exhaustive<Extract<CleanTextResult, { ok: false }>["reason"]>()(["empty", "too-long", "no-letters"]);
const EMPLOYEES_FAILURES = exhaustive<Extract<EmployeesResult, { ok: false }>["reason"]>()(["not-number", "zero", "too-large"]);

describe("keys built from code values", () => {
  const cases: [string, readonly string[]][] = [
    ["region-", REGIONS],
    ["sector-", SECTORS],
    ["bin-kind-", BIN_KINDS],
    ["menu-", MENU_ITEMS],
    ["cmd-", [...MEMBER_COMMANDS, ...STAFF_COMMANDS]],
    ["words-", GLOBAL_COMMANDS],
    ["error-bin-", BIN_FAILURES],
    ["error-employees-", EMPLOYEES_FAILURES],
    ["error-name-", CLEAN_TEXT_FAILURES],
    ["error-person-name-", CLEAN_TEXT_FAILURES],
    ["error-reason-", CLEAN_TEXT_FAILURES],
    ["membership-", MEMBERSHIP_STATUSES],
    ["channel-", CHANNELS],
    ["role-", [...ROLES, "owner", "employee", "claimant"]],
  ];

  it.each(cases)("%s<value> exists in every locale for every value", (prefix, values) => {
    expect(values.length).toBeGreaterThan(0);
    const missing = LOCALES.flatMap((l) => values.filter((v) => !parsed[l].has(`${prefix}${v}`)).map((v) => `${l}:${prefix}${v}`));
    expect(missing).toEqual([]);
  });

  it("the failure reasons listed above are the ones the parsers really return", () => {
    const withCheckDigit = (first11: string) => `${first11}${binCheckDigit(first11) ?? 0}`;
    const wrongCheckDigit = (first11: string) => `${first11}${((binCheckDigit(first11) ?? 0) + 1) % 10}`;
    const samples = [
      "",
      "12ab",
      "123",
      wrongCheckDigit("06121160001"),
      withCheckDigit("00130000000"),
      withCheckDigit("06128000001"),
      withCheckDigit("06134000001"),
      withCheckDigit("99014000001"),
      "490140000012",
      withCheckDigit("06023150001"),
      withCheckDigit("78010150001"),
    ];
    const bin = new Set(samples.map((s) => parseBin(s)).map((r) => (r.ok ? "ok" : r.reason)));
    expect([...BIN_FAILURES].filter((r) => !bin.has(r))).toEqual([]);
    const clean = new Set(["  ", "x".repeat(20), "!!!"].map((s) => cleanText(s, { max: 10 })).map((r) => (r.ok ? "ok" : r.reason)));
    expect([...CLEAN_TEXT_FAILURES].filter((r) => !clean.has(r))).toEqual([]);
    const employees = new Set(["много", "0", "9999999"].map(parseEmployees).map((r) => (r.ok ? "ok" : r.reason)));
    expect([...EMPLOYEES_FAILURES].filter((r) => !employees.has(r))).toEqual([]);
  });
});

// ---- Plurals -------------------------------------------------------------------------------------

/** A rendering with the number `n` masked, to compare the words chosen for different numbers. */
const masked = (text: string, n: number) => text.replace(new RegExp(`(?<!\\d)${n}(?!\\d)`, "g"), "#");

/** The message for `n`, with every other numeric variable fixed at 7 (a "many"/"other" number). */
function withNumber(locale: Locale, key: string, variable: string, n: number): string {
  const args = Object.fromEntries(Object.entries(dummyArgs(key, 7)).map(([k, v]) => [k, k === variable ? n : v]));
  return masked(i18n.t(locale, key, args), n);
}

const PLURAL_USES: [string, string][] = [
  ["field-employees-line", "count"],
  ["pending-summary", "applications"],
  ["pending-summary", "joins"],
  ["pending-summary", "changes"],
  ["pending-more", "count"],
];

describe("plurals", () => {
  it.each(PLURAL_USES)("ru %s offers one, few and many forms for $%s", (key, variable) => {
    const keys = parsed.ru.get(key)!.selectors.get(variable);
    expect(keys && [...keys].sort()).toEqual(["few", "many", "one"]);
  });

  it.each(PLURAL_USES)("ru %s chooses its $%s noun form by the Russian rule: 1 and 21, 2 and 22, 5 and 11 alike", (key, variable) => {
    const form = (n: number) => withNumber("ru", key, variable, n);
    expect(form(21)).toBe(form(1));
    expect(form(22)).toBe(form(2));
    expect(form(11)).toBe(form(5));
    expect(form(12)).toBe(form(5));
    expect(form(1)).not.toBe(form(2));
    expect(form(1)).not.toBe(form(5));
  });

  it("ru uses three different noun forms for one, few and many employees", () => {
    const forms = new Set([1, 2, 5].map((n) => withNumber("ru", "field-employees-line", "count", n)));
    expect(forms.size).toBe(3);
  });

  it.each(PLURAL_USES)("en %s distinguishes one from other for $%s", (key, variable) => {
    const form = (n: number) => withNumber("en", key, variable, n);
    expect(form(2)).toBe(form(5));
    expect(form(21)).toBe(form(5));
    if (key !== "field-employees-line") expect(form(1)).not.toBe(form(2));
  });

  it.each(PLURAL_USES)("kk %s keeps the same words after any number, as Kazakh grammar wants ($%s)", (key, variable) => {
    const form = (n: number) => withNumber("kk", key, variable, n);
    expect(new Set([1, 2, 5, 21].map(form)).size).toBe(1);
  });
});
