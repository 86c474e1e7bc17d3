import { describe, expect, it } from "vitest";
import { BIN_KINDS, binCheckDigit, parseBin } from "../../../src/core/members/bin.ts";
import type { BinKind } from "../../../src/core/members/bin.ts";

describe("binCheckDigit", () => {
  it("uses the first weight set 1..11 when its remainder is not 10", () => {
    // 9 7 1 2 4 0 0 0 1 3 1
    // 9*1 + 7*2 + 1*3 + 2*4 + 4*5 + 0*6 + 0*7 + 0*8 + 1*9 + 3*10 + 1*11
    // = 9 + 14 + 3 + 8 + 20 + 0 + 0 + 0 + 9 + 30 + 11 = 104; 104 mod 11 = 104 - 99 = 5
    expect(binCheckDigit("97124000131")).toBe(5);
  });

  it("falls back to the weights 3,4,5,6,7,8,9,10,11,1,2 when the first remainder is 10", () => {
    // The design doc's example 061211600012. Digits 0 6 1 2 1 1 6 0 0 0 1.
    // First set:  0*1 + 6*2 + 1*3 + 2*4 + 1*5 + 1*6 + 6*7 + 0*8 + 0*9 + 0*10 + 1*11
    //           = 0 + 12 + 3 + 8 + 5 + 6 + 42 + 0 + 0 + 0 + 11 = 87; 87 mod 11 = 87 - 77 = 10
    // Second set: 0*3 + 6*4 + 1*5 + 2*6 + 1*7 + 1*8 + 6*9 + 0*10 + 0*11 + 0*1 + 1*2
    //           = 0 + 24 + 5 + 12 + 7 + 8 + 54 + 0 + 0 + 0 + 2 = 112; 112 mod 11 = 112 - 110 = 2
    expect(binCheckDigit("06121160001")).toBe(2);
  });

  it("reports that no check digit exists when both weight sets give 10", () => {
    // Digits 8 8 0 5 0 1 3 0 0 6 2.
    // First set:  8 + 16 + 0 + 20 + 0 + 6 + 21 + 0 + 0 + 60 + 22 = 153; 153 mod 11 = 153 - 143 = 10
    // Second set: 24 + 32 + 0 + 30 + 0 + 8 + 27 + 0 + 0 + 6 + 4 = 131; 131 mod 11 = 131 - 121 = 10
    expect(binCheckDigit("88050130062")).toBeNull();
  });

  it("refuses anything but 11 digits, because a wrong prefix length is a programming error", () => {
    expect(() => binCheckDigit("1234")).toThrow(RangeError);
  });
});

describe("parseBin: valid IINs (sole proprietors)", () => {
  it("accepts the design doc's example as an IIN born 2006-12-11 (digit 7 = 6: 2000s)", () => {
    expect(parseBin("061211600012")).toEqual({
      ok: true,
      value: "061211600012",
      idType: "iin",
      kind: "sole-proprietor",
      birthDate: "2006-12-11",
    });
  });

  it("reads digit 7 = 3 as the 1900s", () => {
    // 8 8 0 5 0 1 3 0 0 1 2: 8+16+0+20+0+6+21+0+0+10+22 = 103; 103 mod 11 = 103 - 99 = 4
    const result = parseBin("880501300124");
    expect(result).toMatchObject({ ok: true, idType: "iin", birthDate: "1988-05-01" });
  });

  it("accepts 29 February in a leap year of the 2000s", () => {
    // 0 0 0 2 2 9 5 0 0 1 2: 0+0+0+8+10+54+35+0+0+10+22 = 139; 139 mod 11 = 139 - 132 = 7
    expect(parseBin("000229500127")).toMatchObject({ ok: true, birthDate: "2000-02-29" });
  });

  it("accepts an IIN whose century is not encoded (digit 7 = 0) without inventing a birth date", () => {
    const result = parseBin("851031001235");
    expect(result).toEqual({ ok: true, value: "851031001235", idType: "iin", kind: "sole-proprietor" });
  });

  it("only bounds the day by 31 when the century is not encoded, since the year is unknown", () => {
    // 11-02-30 cannot be checked against a calendar without the century.
    expect(parseBin("110230001121")).toMatchObject({ ok: true, idType: "iin" });
  });
});

describe("parseBin: valid BINs", () => {
  const cases: ReadonlyArray<[string, BinKind, { year: number; month: number }]> = [
    ["971240001315", "legal-entity", { year: 1997, month: 12 }],
    ["940140000385", "legal-entity", { year: 1994, month: 1 }],
    ["190541001236", "branch", { year: 2019, month: 5 }],
    ["190542001231", "representative-office", { year: 2019, month: 5 }],
    ["190550001235", "foreign-entity", { year: 2019, month: 5 }],
    ["190551001230", "foreign-branch", { year: 2019, month: 5 }],
    ["190552001236", "foreign-representative-office", { year: 2019, month: 5 }],
    // 1 9 0 5 6 0 0 0 1 2 3, first set: 1+18+0+20+30+0+0+0+9+20+33 = 131; 131 mod 11 = 10, so
    // second set: 3+36+0+30+42+0+0+0+11+2+6 = 130; 130 mod 11 = 130 - 121 = 9
    ["190560001239", "joint-entrepreneurship", { year: 2019, month: 5 }],
    ["210643001237", "peasant-farm", { year: 2021, month: 6 }],
    ["190563001236", "peasant-farm", { year: 2019, month: 5 }],
  ];

  it.each(cases)("reads %s as %s registered %o", (bin, kind, registered) => {
    expect(parseBin(bin)).toEqual({ ok: true, value: bin, idType: "bin", kind, registered });
  });

  it("covers every BIN kind except the sole proprietor's, which is an IIN", () => {
    const seen = new Set<BinKind>(cases.map(([, kind]) => kind));
    expect([...BIN_KINDS].filter((kind) => !seen.has(kind))).toEqual(["sole-proprietor"]);
  });
});

describe("parseBin: cleaning what people paste", () => {
  it.each([
    ["spaces", "9712 4000 1315"],
    ["dashes", "971240-001315"],
    ["an en dash", "971240\u2013001315"],
    ["no-break spaces", "9712\u00a04000\u00a01315"],
    ["zero-width characters", "\u200b9712\u200d40001315\ufeff"],
    ["surrounding whitespace and newlines", "  971240001315\n"],
    ["full-width digits", "９７１２４０００１３１５"],
  ])("ignores %s", (_label, input) => {
    expect(parseBin(input)).toMatchObject({ ok: true, value: "971240001315" });
  });
});

describe("parseBin: rejections", () => {
  it("calls an empty or invisible-only input empty", () => {
    expect(parseBin("")).toEqual({ ok: false, reason: "empty" });
    expect(parseBin(" \u00a0\u200b - ")).toEqual({ ok: false, reason: "empty" });
  });

  it("calls letters mixed into the digits not-digits", () => {
    expect(parseBin("БИН 971240001315")).toEqual({ ok: false, reason: "not-digits" });
    expect(parseBin("97124OOO1315")).toEqual({ ok: false, reason: "not-digits" });
    expect(parseBin("971240.001315")).toEqual({ ok: false, reason: "not-digits" });
  });

  it("calls 11 or 13 digits a length error", () => {
    expect(parseBin("97124000131")).toEqual({ ok: false, reason: "length" });
    expect(parseBin("9712400013150")).toEqual({ ok: false, reason: "length" });
  });

  it("calls a mistyped last digit a checksum error", () => {
    expect(parseBin("061211600013")).toEqual({ ok: false, reason: "checksum" });
  });

  it("calls two swapped digits a checksum error", () => {
    expect(parseBin("971240003115")).toEqual({ ok: false, reason: "checksum" });
  });

  it("calls a number whose prefix has no check digit a checksum error, whatever its last digit", () => {
    for (let last = 0; last <= 9; last++) {
      expect(parseBin(`88050130062${String(last)}`)).toEqual({ ok: false, reason: "checksum" });
    }
  });

  it.each([
    ["a BIN whose unit digit is 4", "190544001232"],
    ["a joint entrepreneurship with a branch", "200461001236"],
    ["digit 5 = 7 (neither a day nor an entity type)", "190570001234"],
    ["digit 5 = 8", "190580001239"],
    ["an IIN whose century digit is 7", "880501700128"],
  ])("calls %s a format error even though its check digit is right", (_label, input) => {
    expect(binCheckDigit(input.slice(0, 11))).toBe(Number(input[11]));
    expect(parseBin(input)).toEqual({ ok: false, reason: "format" });
  });

  it.each([
    ["a BIN registered in month 13", "191340001236", "bin-month"],
    ["a BIN registered in month 00", "190040001232", "bin-month"],
    ["an IIN born on 30 February", "870230300127", "iin-date"],
    ["an IIN born on 31 April", "880431300124", "iin-date"],
    ["an IIN born on day 00", "880500300129", "iin-date"],
    ["an IIN born on day 32 with the century unknown", "880532000124", "iin-date"],
    ["an IIN born on 29 February 1900, which was not a leap year", "000229300124", "iin-date"],
  ])("calls %s a date error (%s) even though its check digit is right", (_label, input, reason) => {
    expect(binCheckDigit(input.slice(0, 11))).toBe(Number(input[11]));
    expect(parseBin(input)).toEqual({ ok: false, reason });
  });
});

/** A number with a correct check digit from its first 11 digits. */
const withCheck = (first11: string) => `${first11}${binCheckDigit(first11)!}`;

describe("parseBin: the date inside the number is checked against the clock", () => {
  const now = new Date("2026-11-30T02:00:00Z");

  it("refuses a BIN registered in a month still to come (490140000012: January 2049)", () => {
    expect(binCheckDigit("49014000001")).toBe(2);
    expect(parseBin("490140000012", now)).toEqual({ ok: false, reason: "bin-future" });
    // Next month is in the future too; this month is not.
    expect(parseBin(withCheck("26124000001"), now)).toEqual({ ok: false, reason: "bin-future" });
    expect(parseBin(withCheck("26114000001"), now)).toMatchObject({ ok: true, registered: { year: 2026, month: 11 } });
  });

  it("refuses an IIN born on a day still to come, with the century from digit 7", () => {
    // 780101 with century digit 5 (a man born in the 2000s): 1 January 2078.
    const born2078 = withCheck("78010150001");
    expect(parseBin(born2078, now)).toEqual({ ok: false, reason: "iin-future" });
    // The same YYMMDD with century digit 3 is 1 January 1978: fine.
    expect(parseBin(withCheck("78010130001"), now)).toMatchObject({ ok: true, birthDate: "1978-01-01" });
    // Tomorrow in Almaty is the future; today (already 30 November at 02:00 UTC = 07:00 there) is not.
    expect(parseBin(withCheck("26120150001"), now)).toEqual({ ok: false, reason: "iin-future" });
    expect(parseBin(withCheck("26113050001"), now)).toMatchObject({ ok: true, birthDate: "2026-11-30" });
  });

  it("counts the day in Almaty: at 20:00 UTC on 29 November it is already 30 November there", () => {
    expect(parseBin(withCheck("26113050001"), new Date("2026-11-29T20:00:00Z"))).toMatchObject({ ok: true });
    expect(parseBin(withCheck("26113050001"), new Date("2026-11-29T18:00:00Z"))).toEqual({ ok: false, reason: "iin-future" });
  });
});
