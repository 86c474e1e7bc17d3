/**
 * BIN / IIN: the 12-digit identification numbers of Kazakhstan.
 *
 * A BIN (business identification number) identifies a legal entity, its branch or representative
 * office, a joint individual entrepreneurship or a peasant farm; an IIN (individual identification
 * number) identifies a person, and a sole proprietor registers with it. Both share one check-digit
 * algorithm and one 12-digit shape, so one parser tells them apart and rejects numbers that cannot
 * exist before they reach the database (the column is unique; a typo would block the real owner).
 */
import { localIsoDate } from "../time.ts";

/**
 * Every kind of registrant a BIN/IIN can denote. The value is stored in the database and is the
 * suffix of the `bin-kind-<kind>` locale key, so renaming one is a data migration.
 */
export const BIN_KINDS = [
  "legal-entity",
  "foreign-entity",
  "joint-entrepreneurship",
  "branch",
  "representative-office",
  "foreign-branch",
  "foreign-representative-office",
  "peasant-farm",
  "sole-proprietor",
] as const;

/** One of {@link BIN_KINDS}. */
export type BinKind = (typeof BIN_KINDS)[number];

/**
 * Why a BIN/IIN was rejected; each reason gets its own hint in the dialog (`error-bin-<reason>`).
 * `bin-month`: a BIN whose YYMM is no month; `bin-future`: registered in a month still to come;
 * `iin-date`: an IIN whose YYMMDD is no date; `iin-future`: born on a day still to come.
 */
export type BinParseFailureReason = "empty" | "not-digits" | "length" | "checksum" | "format" | "bin-month" | "bin-future" | "iin-date" | "iin-future";

/** A valid BIN: the number encodes the year and month of registration. */
export interface BinParseBin {
  ok: true;
  /** The 12 digits, without separators: the form to store and to compare. */
  value: string;
  idType: "bin";
  kind: Exclude<BinKind, "sole-proprietor">;
  /** Year and month of state registration (YYMM); years 50-99 are read as 19xx, 00-49 as 20xx. */
  registered: { year: number; month: number };
  birthDate?: undefined;
}

/** A valid IIN: a person's number, used by sole proprietors. */
export interface BinParseIin {
  ok: true;
  /** The 12 digits, without separators: the form to store and to compare. */
  value: string;
  idType: "iin";
  kind: "sole-proprietor";
  /** "YYYY-MM-DD", present when digit 7 encodes the century (it is 0 for some foreigners). */
  birthDate?: string;
  registered?: undefined;
}

/** A rejected input. */
export interface BinParseFailure {
  ok: false;
  reason: BinParseFailureReason;
}

/** The result of {@link parseBin}: narrow on `ok`, then on `idType`. */
export type BinParseResult = BinParseBin | BinParseIin | BinParseFailure;

const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2] as const;

/** Separators people type or paste between digits: whitespace (incl. NBSP), dashes, invisibles. */
const SEPARATORS = /[\s\p{Pd}\p{Cf}]/gu;

/**
 * The check digit for the first 11 digits of a BIN/IIN, or `null` when none exists (both weight
 * sets give 10, so no 12-digit number with this prefix is valid). Exported so that tests and
 * fixtures can build valid numbers instead of hard-coding them.
 */
export function binCheckDigit(first11: string): number | null {
  if (!/^[0-9]{11}$/.test(first11)) {
    throw new RangeError("binCheckDigit expects exactly 11 ASCII digits");
  }
  const d = [...first11].map(Number);
  const first = d.reduce((sum, digit, i) => sum + digit * (i + 1), 0) % 11;
  if (first !== 10) return first;
  const second = d.reduce((sum, digit, i) => sum + digit * (SECOND_WEIGHTS[i] ?? 0), 0) % 11;
  return second === 10 ? null : second;
}

/**
 * Parses what a person typed or pasted as a BIN or IIN. Spaces, NBSP, dashes and zero-width
 * characters are ignored (full-width digits are folded to ASCII); anything else that is not a digit
 * is "not-digits". The check digit is verified before the structure, so a typo reads as "checksum"
 * and "format" means a well-formed number that cannot have been issued.
 */
export function parseBin(input: string, now: Date = new Date()): BinParseResult {
  const compact = input.normalize("NFKC").replace(SEPARATORS, "");
  if (compact === "") return fail("empty");
  if (!/^[0-9]+$/.test(compact)) return fail("not-digits");
  if (compact.length !== 12) return fail("length");
  if (binCheckDigit(compact.slice(0, 11)) !== Number(compact[11])) return fail("checksum");

  const digit5 = Number(compact[4]);
  const today = almatyToday(now);
  if (digit5 <= 3) return parseIin(compact, today);
  if (digit5 <= 6) return parseBinStructure(compact, digit5 as 4 | 5 | 6, today);
  return fail("format");
}

/** "YYYY-MM-DD" of `now` in Asia/Almaty (time.ts: the zone's own rules, UTC+6 before March 2024): a number issued today there is not in the future. */
function almatyToday(now: Date): string {
  return localIsoDate(now);
}

function parseBinStructure(value: string, entityType: 4 | 5 | 6, today: string): BinParseBin | BinParseFailure {
  const yy = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  if (month < 1 || month > 12) return fail("bin-month");
  const kind = binKind(entityType, Number(value[5]));
  if (kind === null) return fail("format");
  const year = yy >= 50 ? 1900 + yy : 2000 + yy;
  // YYMM is the month of state registration: it cannot be later than this month.
  if (`${String(year)}-${value.slice(2, 4)}` > today.slice(0, 7)) return fail("bin-future");
  return { ok: true, value, idType: "bin", kind, registered: { year, month } };
}

/**
 * Kind by digit 5 (entity type) and digit 6 (unit: head office, branch, representative office,
 * peasant farm). A joint individual entrepreneurship is not a legal entity and has no branches or
 * representative offices, so 6/1 and 6/2 are treated as impossible (`null`).
 */
const BIN_KIND_BY_TYPE_AND_UNIT: Readonly<Record<4 | 5 | 6, readonly (BinParseBin["kind"] | null)[]>> = {
  4: ["legal-entity", "branch", "representative-office", "peasant-farm"],
  5: ["foreign-entity", "foreign-branch", "foreign-representative-office", "peasant-farm"],
  6: ["joint-entrepreneurship", null, null, "peasant-farm"],
};

function binKind(entityType: 4 | 5 | 6, unit: number): BinParseBin["kind"] | null {
  return BIN_KIND_BY_TYPE_AND_UNIT[entityType][unit] ?? null;
}

/**
 * An IIN: YYMMDD is the birth date, digit 7 the century and sex (1/2: 1800s, 3/4: 1900s, 5/6:
 * 2000s; 0 for some foreigners, whose century is unknown). The date must exist and not be later
 * than today.
 */
function parseIin(value: string, today: string): BinParseIin | BinParseFailure {
  const yy = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  const centuryDigit = Number(value[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return fail("iin-date");
  if (centuryDigit === 0) {
    return { ok: true, value, idType: "iin", kind: "sole-proprietor" };
  }
  if (centuryDigit > 6) return fail("format");
  const year = 1800 + 100 * Math.floor((centuryDigit - 1) / 2) + yy;
  if (day > daysInMonth(year, month)) return fail("iin-date");
  const birthDate = `${String(year)}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
  if (birthDate > today) return fail("iin-future");
  return { ok: true, value, idType: "iin", kind: "sole-proprietor", birthDate };
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids any time-zone shift.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fail(reason: BinParseFailureReason): BinParseFailure {
  return { ok: false, reason };
}
