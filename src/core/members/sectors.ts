/**
 * The industry sectors an enterprise can belong to. The association covers light industry, which
 * the OKED classifier (Kazakhstan's NACE Rev.2) splits into divisions 13, 14 and 15; suppliers and
 * service firms join too, as "other". Codes are stored in the database and are the suffix of the
 * `sector-<code>` locale key.
 */

/** Every sector code, in menu order. */
export const SECTORS = ["textiles", "apparel", "leather-footwear", "other"] as const;

/** One of {@link SECTORS}. */
export type SectorCode = (typeof SECTORS)[number];

/**
 * The OKED division of each sector ("13" manufacture of textiles, "14" wearing apparel, "15" leather
 * and footwear), or `null` for "other", which spans many divisions. Strings, because OKED codes are
 * identifiers with meaningful leading digits, not quantities.
 */
export const SECTOR_OKED: Readonly<Record<SectorCode, string | null>> = {
  textiles: "13",
  apparel: "14",
  "leather-footwear": "15",
  other: null,
};

const SECTOR_SET: ReadonlySet<string> = new Set(SECTORS);

/** Narrows a stored or received string (e.g. callback data) to a sector code. */
export function isSectorCode(x: string): x is SectorCode {
  return SECTOR_SET.has(x);
}

/**
 * The sector of a full OKED activity code such as "14.13.1" or "14131" (the form in the state
 * register), so that a known OKED can preselect the sector; "other" outside divisions 13-15.
 */
export function sectorForOked(oked: string): SectorCode {
  const division = oked.replace(/\D/g, "").slice(0, 2);
  for (const sector of SECTORS) {
    if (SECTOR_OKED[sector] === division) return sector;
  }
  return "other";
}
