/**
 * Phone numbers, parsed with libphonenumber-js and its full ("max") metadata so that validity means
 * "this number can exist in its country's numbering plan", not just "it has the right length".
 * Numbers are stored in E.164 (`+77011234567`), the form Telegram contacts and WhatsApp ids map to.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { CountryCode, PhoneNumber } from "libphonenumber-js/max";

/** A valid phone number: `e164` to store and compare, `display` to show back to the person. */
export interface PhoneOk {
  ok: true;
  /** E.164, e.g. `+77011234567`. */
  e164: string;
  /** International format, e.g. `+7 701 123 4567`. */
  display: string;
}

/** A rejected phone number. */
export interface PhoneFailure {
  ok: false;
  reason: "empty" | "invalid";
}

/** The result of {@link parsePhone} and {@link phoneFromContact}. */
export type PhoneParseResult = PhoneOk | PhoneFailure;

/** Numbers without a `+` are read as Kazakh: the members are Kazakh enterprises. */
const DEFAULT_COUNTRY: CountryCode = "KZ";

/** Longer input is not a phone number but a message; libphonenumber would scan it for nothing. */
const MAX_INPUT_LENGTH = 100;

/** Invisible format characters (zero-width space/joiners, bidi marks, BOM, soft hyphen). */
const INVISIBLE = /\p{Cf}/gu;

/**
 * Parses a phone number a person typed: `8 701 123 45 67`, `+7 (701) 123-45-67`, `77011234567`,
 * `7011234567`, `8(727)2501234`, a foreign `+90 532 …`, or `00 90 532 …`, with stray separators,
 * invisible characters or words around it (`tel:`, `моб.`). Without a `+` the number is read as
 * Kazakh (trunk prefix 8, international prefix 8~10). An extension (`доб. 5`, `ext 5`) is dropped,
 * as E.164 has no place for it.
 */
export function parsePhone(input: string): PhoneParseResult {
  const text = input.replace(INVISIBLE, "").trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.length > MAX_INPUT_LENGTH) return { ok: false, reason: "invalid" };
  // "00" is the international prefix people know from abroad; no Kazakh number starts with it,
  // but KZ metadata only knows "8~10", so rewrite it to "+".
  const normalized = text.startsWith("00") ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(normalized, { defaultCountry: DEFAULT_COUNTRY });
  if (parsed === undefined || !parsed.isValid()) return { ok: false, reason: "invalid" };
  const e164 = parsed.number;
  // formatInternational() would append " ext. 5"; format the bare number instead.
  const bare = parsePhoneNumberFromString(e164);
  return { ok: true, e164, display: displayOf(bare ?? parsed) };
}

/**
 * Almaty's area code is 727 with seven-digit local numbers starting with 2 or 3 (since 2004:
 * 3272 → 727). libphonenumber's metadata groups 7272… and 7273… as four-digit area codes
 * ("+7 7272 50 12 34"), which misreads the number; these are grouped by the real code instead.
 */
const ALMATY = /^\+7727([23]\d{2})(\d{2})(\d{2})$/;

/** International format as people write the number: libphonenumber's, except for Almaty (above). */
function displayOf(number: PhoneNumber): string {
  const almaty = ALMATY.exec(number.number);
  if (almaty) return `+7 727 ${almaty[1]} ${almaty[2]} ${almaty[3]}`;
  return number.formatInternational();
}

/**
 * Parses the phone number of a contact shared in Telegram. Telegram sends the account's number
 * with the country code first and often without `+` (`77011234567`, `905321234567`), so digits
 * without `+` are read as international first. A contact picked from an address book may instead
 * hold a local form (`8 701 123 45 67`); when the international reading is not a valid number,
 * the number is parsed as typed text ({@link parsePhone}) instead.
 */
export function phoneFromContact(raw: string): PhoneParseResult {
  const text = raw.replace(INVISIBLE, "").trim();
  if (text === "") return { ok: false, reason: "empty" };
  if (text.startsWith("+") || !/^[\d\s().-]+$/.test(text)) return parsePhone(text);
  const international = parsePhone(`+${text.replace(/\D/g, "")}`);
  return international.ok ? international : parsePhone(text);
}
