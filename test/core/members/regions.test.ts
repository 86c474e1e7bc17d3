import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import { BIN_KINDS } from "../../../src/core/members/bin.ts";
import { CITIES, OBLASTS, REGIONS, isRegionCode, sortedRegions } from "../../../src/core/members/regions.ts";
import type { RegionCode } from "../../../src/core/members/regions.ts";
import { SECTORS, SECTOR_OKED, isSectorCode, sectorForOked } from "../../../src/core/members/sectors.ts";

const LOCALES = ["kk", "ru", "en"] as const;
type Locale = (typeof LOCALES)[number];

/** The real locale files, read directly so that this test checks exactly what ships. */
function loadDomainBundle(locale: Locale): { bundle: FluentBundle; ids: string[] } {
  const source = readFileSync(new URL(`../../../locales/${locale}.ftl`, import.meta.url), "utf8");
  const resource = new FluentResource(source);
  const bundle = new FluentBundle(locale, { useIsolating: false });
  const errors = bundle.addResource(resource);
  if (errors.length > 0) throw new Error(`${locale}.ftl: ${errors.map(String).join("; ")}`);
  return { bundle, ids: resource.body.map((entry) => entry.id) };
}

function text(bundle: FluentBundle, id: string): string {
  const message = bundle.getMessage(id);
  if (message?.value == null) throw new Error(`missing message ${id}`);
  const errors: Error[] = [];
  const value = bundle.formatPattern(message.value, null, errors);
  expect(errors).toEqual([]);
  return value;
}

const bundles = Object.fromEntries(LOCALES.map((l) => [l, loadDomainBundle(l)])) as Record<
  Locale,
  { bundle: FluentBundle; ids: string[] }
>;

const nameIn = (locale: Locale) => (code: RegionCode) => text(bundles[locale].bundle, `region-${code}`);

describe("regions", () => {
  it("lists the 17 oblasts and 3 cities of the 2022 reform, once each", () => {
    expect(OBLASTS).toHaveLength(17);
    expect(CITIES).toEqual(["astana", "almaty-city", "shymkent"]);
    expect(REGIONS).toHaveLength(20);
    expect(new Set(REGIONS).size).toBe(20);
  });

  it("uses kebab-case ASCII codes, which are safe in callback data and locale keys", () => {
    for (const code of REGIONS) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it("recognises region codes and nothing else", () => {
    expect(isRegionCode("abai")).toBe(true);
    expect(isRegionCode("almaty-city")).toBe(true);
    expect(isRegionCode("almaty")).toBe(false);
    expect(isRegionCode("Astana")).toBe(false);
    expect(isRegionCode("")).toBe(false);
    expect(isRegionCode("toString")).toBe(false);
  });

  it("puts Astana, Almaty and Shymkent first, then the oblasts by their Kazakh names", () => {
    expect(sortedRegions("kk", nameIn("kk")).map(nameIn("kk"))).toEqual([
      "Астана",
      "Алматы",
      "Шымкент",
      "Абай облысы",
      "Ақмола облысы",
      "Ақтөбе облысы",
      "Алматы облысы",
      "Атырау облысы",
      "Батыс Қазақстан облысы",
      "Жамбыл облысы",
      "Жетісу облысы",
      "Қарағанды облысы",
      "Қостанай облысы",
      "Қызылорда облысы",
      "Маңғыстау облысы",
      "Павлодар облысы",
      "Солтүстік Қазақстан облысы",
      "Түркістан облысы",
      "Ұлытау облысы",
      "Шығыс Қазақстан облысы",
    ]);
  });

  it("sorts the oblasts by their Russian names, where the three new ones read 'область …'", () => {
    expect(sortedRegions("ru", nameIn("ru")).map(nameIn("ru"))).toEqual([
      "г. Астана",
      "г. Алматы",
      "г. Шымкент",
      "Акмолинская область",
      "Актюбинская область",
      "Алматинская область",
      "Атырауская область",
      "Восточно-Казахстанская область",
      "Жамбылская область",
      "Западно-Казахстанская область",
      "Карагандинская область",
      "Костанайская область",
      "Кызылординская область",
      "Мангистауская область",
      "область Абай",
      "область Жетісу",
      "область Ұлытау",
      "Павлодарская область",
      "Северо-Казахстанская область",
      "Туркестанская область",
    ]);
  });

  it("sorts the oblasts by their English names", () => {
    expect(sortedRegions("en", nameIn("en"))).toEqual([...CITIES, ...OBLASTS]);
  });

  it("sorts by the names it is given, not by the codes", () => {
    // "Z" for the first oblast code, "Y" for the second, …: the reverse of the code order.
    const reversed = (code: RegionCode) =>
      String.fromCharCode(90 - OBLASTS.indexOf(code as (typeof OBLASTS)[number]));
    expect(sortedRegions("en", reversed).slice(3)).toEqual([...OBLASTS].reverse());
  });
});

describe("sectors", () => {
  it("maps the three light-industry sectors to OKED divisions 13, 14, 15 and 'other' to none", () => {
    expect(SECTORS).toEqual(["textiles", "apparel", "leather-footwear", "other"]);
    expect(SECTOR_OKED).toEqual({ textiles: "13", apparel: "14", "leather-footwear": "15", other: null });
  });

  it("recognises sector codes and nothing else", () => {
    expect(isSectorCode("apparel")).toBe(true);
    expect(isSectorCode("13")).toBe(false);
    expect(isSectorCode("Apparel")).toBe(false);
  });

  it("finds the sector of a full OKED activity code in either notation", () => {
    expect(sectorForOked("13.92.1")).toBe("textiles");
    expect(sectorForOked("14131")).toBe("apparel");
    expect(sectorForOked("15.20")).toBe("leather-footwear");
    expect(sectorForOked("46.41")).toBe("other");
    expect(sectorForOked("")).toBe("other");
  });
});

describe("domain locale strings", () => {
  const expectedIds = [
    ...REGIONS.map((c) => `region-${c}`),
    ...SECTORS.map((c) => `sector-${c}`),
    ...BIN_KINDS.map((k) => `bin-kind-${k}`),
  ].sort();

  it.each(LOCALES)("%s has a name for every region, sector and BIN kind, and no stray ones", (locale) => {
    const domainIds = bundles[locale].ids.filter((id) => /^(region|sector|bin-kind)-/.test(id));
    expect([...domainIds].sort()).toEqual(expectedIds);
    for (const id of expectedIds) expect(text(bundles[locale].bundle, id).trim()).not.toBe("");
  });

  it.each(["kk", "ru"] as const)("%s names are written in Cyrillic, not transliterated", (locale) => {
    for (const id of expectedIds) expect(text(bundles[locale].bundle, id)).not.toMatch(/[A-Za-z]/);
  });

  it("kk names use the Kazakh letters", () => {
    expect(text(bundles.kk.bundle, "region-aktobe")).toBe("Ақтөбе облысы");
    expect(text(bundles.kk.bundle, "region-ulytau")).toBe("Ұлытау облысы");
    expect(text(bundles.kk.bundle, "region-east-kazakhstan")).toBe("Шығыс Қазақстан облысы");
    expect(text(bundles.kk.bundle, "bin-kind-legal-entity")).toBe("заңды тұлға (резидент), бас ұйым");
  });

  it("every region name differs from every other within a language (Almaty city vs Almaty Region)", () => {
    for (const locale of LOCALES) {
      const names = REGIONS.map(nameIn(locale));
      expect(new Set(names).size).toBe(REGIONS.length);
    }
  });
});
