/** The languages every person is answered in. Kazakh first: it is the state language. */
export const LOCALES = ["kk", "ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The supported locale a client language tag asks for, by its primary subtag
 * (Telegram sends "ru", "en-US", "kk"), or undefined when none fits.
 */
export function negotiateLocale(tag: string | undefined | null): Locale | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(primary) ? primary : undefined;
}
