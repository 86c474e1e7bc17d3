import { describe, expect, it } from "vitest";
import { parsePhone, phoneFromContact } from "../../../src/core/members/phone.ts";

const MOBILE = { ok: true, e164: "+77011234567", display: "+7 701 123 4567" } as const;

describe("parsePhone: Kazakh numbers in the ways people write them", () => {
  it.each([
    ["the trunk prefix 8 with spaces", "8 701 123 45 67"],
    ["+7 with the operator code in brackets", "+7 (701) 123-45-67"],
    ["the country code without +", "77011234567"],
    ["E.164", "+77011234567"],
    ["only the ten national digits", "7011234567"],
    ["dots as separators", "8.701.123.45.67"],
    ["dashes and stray spaces", "  8-701 - 123-45-67  "],
    ["no-break spaces", "8\u00a0701\u00a0123\u00a045\u00a067"],
    ["zero-width characters between the digits", "870\u200b1123\u200c45\u200d67\ufeff"],
    ["a bidi mark pasted from a contact card", "\u202a+7 701 123 45 67\u202c"],
    ["a tel: prefix", "tel:+7-701-123-45-67"],
    ["a label before the number", "моб. 8 701 123 45 67"],
    ["a trailing semicolon", "+7 701 123 45 67;"],
    ["full-width digits", "８７０１１２３４５６７"],
  ])("accepts %s", (_label, input) => {
    expect(parsePhone(input)).toEqual(MOBILE);
  });

  it("accepts an Almaty landline written with the trunk prefix and city code", () => {
    expect(parsePhone("8(727)2501234")).toEqual({
      ok: true,
      e164: "+77272501234",
      display: "+7 727 250 12 34",
    });
  });

  it("accepts an Astana landline", () => {
    expect(parsePhone("8 (7172) 55-66-77")).toMatchObject({ ok: true, e164: "+77172556677", display: "+7 7172 55 66 77" });
  });

  it("shows an Almaty landline grouped by its real area code, 727, as typed", () => {
    expect(parsePhone("+7 727 250 12 34")).toMatchObject({ ok: true, e164: "+77272501234", display: "+7 727 250 12 34" });
    expect(parsePhone("+7 727 390 00 11")).toMatchObject({ ok: true, display: "+7 727 390 00 11" });
  });

  it("drops an extension, since E.164 cannot hold it", () => {
    expect(parsePhone("8 (727) 250-12-34 доб. 105")).toEqual({
      ok: true,
      e164: "+77272501234",
      display: "+7 727 250 12 34",
    });
  });
});

describe("parsePhone: foreign numbers", () => {
  it("accepts a Russian mobile that shares the +7 country code", () => {
    expect(parsePhone("+7 916 123-45-67")).toEqual({
      ok: true,
      e164: "+79161234567",
      display: "+7 916 123 45 67",
    });
  });

  it("accepts a Turkish mobile given with +", () => {
    expect(parsePhone("+90 532 123 45 67")).toEqual({
      ok: true,
      e164: "+905321234567",
      display: "+90 532 123 45 67",
    });
  });

  it("accepts an Uzbek mobile given with +", () => {
    expect(parsePhone("+998 90 123 45 67")).toMatchObject({ ok: true, e164: "+998901234567" });
  });

  it("reads a leading 00 as the international prefix", () => {
    expect(parsePhone("00 90 532 123 45 67")).toMatchObject({ ok: true, e164: "+905321234567" });
  });

  it("reads the Kazakh international prefix 8~10", () => {
    expect(parsePhone("8 10 90 532 123 45 67")).toMatchObject({ ok: true, e164: "+905321234567" });
  });
});

describe("parsePhone: rejections", () => {
  it("calls an empty, blank or invisible-only input empty", () => {
    expect(parsePhone("")).toEqual({ ok: false, reason: "empty" });
    expect(parsePhone("   ")).toEqual({ ok: false, reason: "empty" });
    expect(parsePhone("\u200b\u2060")).toEqual({ ok: false, reason: "empty" });
  });

  it.each([
    ["letters only", "мой номер"],
    ["punctuation only", "+-()"],
    ["too short", "123"],
    ["one digit short", "+7 701 123 456"],
    ["one digit too many", "+7 701 123 45 678"],
    ["too long", "8701123456789"],
    ["a +7 number in a range that no country uses", "+7 600 123 4567"],
    ["a Kazakh mobile code that is not allocated", "+7 799 123 4567"],
    ["two numbers in one message", "8 701 123 45 67, 8 702 123 45 67"],
    ["a whole paragraph", `8 701 123 45 67 ${"a".repeat(200)}`],
  ])("calls %s invalid", (_label, input) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("phoneFromContact", () => {
  it("reads a Telegram contact without + as country code first", () => {
    expect(phoneFromContact("77011234567")).toEqual(MOBILE);
  });

  it("accepts a Telegram contact with +", () => {
    expect(phoneFromContact("+77011234567")).toEqual(MOBILE);
  });

  it("reads a foreign contact without + by its own country code, not as a Kazakh number", () => {
    // Read as Kazakh, these 12 digits would be an invalid +7 998… number.
    expect(parsePhone("998901234567")).toEqual({ ok: false, reason: "invalid" });
    expect(phoneFromContact("998901234567")).toMatchObject({ ok: true, e164: "+998901234567" });
    expect(phoneFromContact("905321234567")).toMatchObject({ ok: true, e164: "+905321234567" });
  });

  it("falls back to the Kazakh reading for an address-book contact saved with the trunk prefix", () => {
    // As international, 87011234567 would be +870 (Inmarsat) 11234567, which is not valid.
    expect(phoneFromContact("8 701 123 45 67")).toEqual(MOBILE);
    expect(phoneFromContact("87011234567")).toEqual(MOBILE);
  });

  it("rejects an empty or invalid contact number", () => {
    expect(phoneFromContact("")).toEqual({ ok: false, reason: "empty" });
    expect(phoneFromContact("12345")).toEqual({ ok: false, reason: "invalid" });
    expect(phoneFromContact("+7 600 123 4567")).toEqual({ ok: false, reason: "invalid" });
  });
});
