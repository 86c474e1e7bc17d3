/**
 * The administrative regions of Kazakhstan since the June 2022 reform: 17 oblasts (regions) and
 * three cities of republican significance. Codes are stable ASCII identifiers stored in the
 * database and used as the suffix of the `region-<code>` locale key; names live in the locales.
 */

/** The three cities of republican significance, in the order members expect to see them. */
export const CITIES = ["astana", "almaty-city", "shymkent"] as const;

/** The 17 oblasts (regions), in English alphabetical order. */
export const OBLASTS = [
  "abai",
  "akmola",
  "aktobe",
  "almaty-region",
  "atyrau",
  "east-kazakhstan",
  "jambyl",
  "jetisu",
  "karaganda",
  "kostanay",
  "kyzylorda",
  "mangystau",
  "north-kazakhstan",
  "pavlodar",
  "turkistan",
  "ulytau",
  "west-kazakhstan",
] as const;

/** Every region code: the three cities, then the 17 oblasts. */
export const REGIONS = [...CITIES, ...OBLASTS] as const;

/** One of {@link REGIONS}. */
export type RegionCode = (typeof REGIONS)[number];

const REGION_SET: ReadonlySet<string> = new Set(REGIONS);

/** Narrows a stored or received string (e.g. callback data) to a region code. */
export function isRegionCode(x: string): x is RegionCode {
  return REGION_SET.has(x);
}

/**
 * The regions in the order to offer them in a menu: the three cities first (Astana, Almaty,
 * Shymkent), where most members are, then the oblasts sorted by their name in the member's
 * language, so that the list reads alphabetically in Kazakh, Russian and English alike.
 */
export function sortedRegions(
  locale: "kk" | "ru" | "en",
  nameOf: (code: RegionCode) => string,
): RegionCode[] {
  const collator = new Intl.Collator(locale);
  const oblasts = OBLASTS.map((code) => ({ code, name: nameOf(code) }));
  oblasts.sort((a, b) => collator.compare(a.name, b.name) || (a.code < b.code ? -1 : 1));
  return [...CITIES, ...oblasts.map((o) => o.code)];
}
