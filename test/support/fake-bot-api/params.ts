/**
 * Reading method parameters the way the Bot API does: a value may arrive as a
 * JSON value (application/json) or as a string (query string, form data), and
 * JSON-typed parameters such as `reply_markup` may be JSON text.
 */
import { badRequest } from "./errors.ts";

/** Parameters of one call, merged from the query string and the body. */
export type Params = Record<string, unknown>;

/** A plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string parameter; numbers are accepted and stringified, like Telegram. */
export function optString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw badRequest(`field "${name}" must be of type String`);
}

/** An integer parameter; numeric strings are accepted. */
export function optInt(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "string" ? Number(value.trim()) : value;
  if (typeof number === "number" && Number.isSafeInteger(number)) return number;
  throw badRequest(`field "${name}" must be of type Integer`);
}

/** A boolean parameter; `"true"`/`"false"`/`"1"`/`"0"` strings are accepted. */
export function optBool(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1" || value === 1) return true;
  if (value === "false" || value === "0" || value === 0 || value === "") return false;
  throw badRequest(`field "${name}" must be of type Boolean`);
}

/** A JSON-typed parameter (object or array), possibly sent as JSON text. */
export function optJson(params: Params, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

/** A boolean field inside a JSON object parameter (`reply_markup.selective`). */
export function fieldBool(object: Record<string, unknown>, name: string, prefix = ""): boolean | undefined {
  const value = object[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(`${prefix}field "${name}" must be of type Boolean`);
  return value;
}

/** Telegram's `Field "x" must be of type String` check inside objects. */
export function fieldString(object: Record<string, unknown>, name: string, prefix = ""): string | undefined {
  const value = object[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(`${prefix}Field "${name}" must be of type String`);
  return value;
}
