/**
 * Cleaning the free text people type into the bot (names, problem descriptions, answers) before it
 * is stored, counted against limits or shown to staff. Markup is kept verbatim: escaping is the
 * channel adapter's job, and stripping `<` or `&` here would corrupt legitimate text.
 */

/** The result of {@link cleanText}. */
export type CleanTextResult =
  | { ok: true; value: string }
  | { ok: false; reason: "empty" | "too-long" | "no-letters" };

/** The result of {@link parseEmployees}. */
export type EmployeesResult =
  | { ok: true; value: number }
  | { ok: false; reason: "not-number" | "zero" | "too-large" };

/** More employees than any light-industry enterprise in Kazakhstan has; larger means a typo. */
const MAX_EMPLOYEES = 200_000;

/**
 * Invisible characters that only hide or disguise text: zero-width space and joiners, directional
 * marks and overrides, word joiner and invisible operators, BOM, soft hyphen, and the Hangul fillers
 * that are classed as letters and are used to make blank-looking names. A zero-width joiner between
 * two emoji is kept, because it forms one emoji (👩‍💻); anywhere else it is removed.
 */
const INVISIBLE =
  /(?<!\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D|\u200D(?!\p{Extended_Pictographic})|[\u00AD\u061C\u115F\u1160\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]|\p{Cs}/gu;

/** Line breaks of every platform and Unicode's own line/paragraph separators. */
const LINE_BREAK = /\r\n?|[\u0085\u2028\u2029]/g;

/** Control characters other than the line feed; tabs and form feeds count as spaces. */
const TAB_LIKE = /[\t\v\f]/g;
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LETTER = /\p{L}/u;

/**
 * Normalizes what a person typed (NFC, invisible and control characters removed, whitespace
 * collapsed, trimmed) and checks it is worth storing: not empty, at most `max` code points (so an
 * emoji counts as one, as people perceive it), and with at least one letter or digit. In multiline
 * mode single line breaks and paragraph breaks survive, but never more than one blank line.
 * With `letters`, digits alone are not enough either ("12345" is no person's name): the field's
 * "no-letters" message then says it needs letters.
 */
export function cleanText(input: string, opts: { max: number; multiline?: boolean; letters?: boolean }): CleanTextResult {
  let text = input
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(LINE_BREAK, "\n")
    .replace(TAB_LIKE, " ")
    .replace(CONTROL, "");

  if (opts.multiline === true) {
    text = text
      .split("\n")
      .map((line) => line.replace(/\s+/g, " ").trim())
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  } else {
    text = text.replace(/\s+/g, " ").trim();
  }

  if (text === "") return { ok: false, reason: "empty" };
  if (codePointLength(text) > opts.max) return { ok: false, reason: "too-long" };
  if (!(opts.letters ? LETTER : LETTER_OR_DIGIT).test(text)) return { ok: false, reason: "no-letters" };
  return { ok: true, value: text };
}

/**
 * Words people put around a head count ("about 45", "45 человек", "шамамен 45 адам"): an
 * approximate word before the number, a noun for people after it, in any of the three languages.
 */
const APPROX_BEFORE = /^(?:about|around|approximately|approx\.?|roughly|~|≈|около|примерно|приблизительно|где-то|порядка|шамамен|шамасы|жуық|жуықтап)\s*/iu;
const PEOPLE_AFTER =
  /\s*(?:people|persons?|employees?|workers?|staff|человека?|чел\.?|работник(?:а|ов)?|сотрудник(?:а|ов)?|адам|жұмыскер|қызметкер|шамасы|шамамен|жуық)$/iu;

/**
 * Parses a head count typed by a person: a whole number, optionally with thousands grouped by a
 * space, NBSP, narrow NBSP, comma or dot ("1 200", "1,200", "1.200"), one separator style at a time,
 * and optionally the words people naturally add ("about 45", "45 человек", "45 адам"): the number
 * of employees is an estimate anyway. "1,5" or "40-50" is "not-number": a fraction or a range is
 * asked again, not guessed.
 */
export function parseEmployees(input: string): EmployeesResult {
  let text = input.normalize("NFKC").replace(INVISIBLE, "").trim().replace(/[.!]+$/u, "");
  text = text.replace(APPROX_BEFORE, "").replace(PEOPLE_AFTER, "").replace(PEOPLE_AFTER, "").trim();
  if (!/^(?:\d+|\d{1,3}([ \u00A0\u2009\u202F,.])\d{3}(?:\1\d{3})*)$/.test(text)) {
    return { ok: false, reason: "not-number" };
  }
  const value = Number(text.replace(/\D/g, ""));
  if (value === 0) return { ok: false, reason: "zero" };
  if (value > MAX_EMPLOYEES) return { ok: false, reason: "too-large" };
  return { ok: true, value };
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Shortens text to at most `maxCodePoints` code points, the "…" included, cutting only between
 * graphemes so that no emoji, flag or letter with a combining accent is split into garbage.
 * Text that fits is returned unchanged.
 */
export function truncate(text: string, maxCodePoints: number): string {
  if (codePointLength(text) <= maxCodePoints) return text;
  if (maxCodePoints < 1) return "";
  const budget = maxCodePoints - 1;
  let used = 0;
  let kept = "";
  for (const { segment } of graphemes.segment(text)) {
    const size = codePointLength(segment);
    if (used + size > budget) break;
    used += size;
    kept += segment;
  }
  return `${kept.trimEnd()}…`;
}

/** How many code points `text` has (what cleanText's `max` counts: an emoji is one, not two UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
