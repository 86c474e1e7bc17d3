import { describe, expect, it } from "vitest";
import { cleanText, parseEmployees, truncate } from "../../src/core/text.ts";

describe("cleanText", () => {
  it("keeps markup verbatim, because escaping is the channel's job", () => {
    const input = "<b>Ткань</b> & фурнитура <script>alert(1)</script> &amp;";
    expect(cleanText(input, { max: 200 })).toEqual({ ok: true, value: input });
  });

  it("trims and collapses runs of whitespace, including NBSP and tabs, to one space", () => {
    expect(cleanText("  ТОО\t\t «Жібек\u00a0\u00a0жолы»  ", { max: 100 })).toEqual({
      ok: true,
      value: "ТОО «Жібек жолы»",
    });
  });

  it("joins lines with a space in single-line mode instead of gluing words together", () => {
    expect(cleanText("Алматы\nтоқыма\r\nфабрикасы", { max: 100 })).toEqual({
      ok: true,
      value: "Алматы тоқыма фабрикасы",
    });
  });

  it("keeps single line breaks in multiline mode and allows at most one blank line", () => {
    const input = "Проблема:  \n\n\n\n  нет  сырья\r\nуже 3 месяца\n\n";
    expect(cleanText(input, { max: 100, multiline: true })).toEqual({
      ok: true,
      value: "Проблема:\n\nнет сырья\nуже 3 месяца",
    });
  });

  it("turns Unicode line and paragraph separators into line breaks in multiline mode", () => {
    expect(cleanText("a\u2028b\u2029c", { max: 10, multiline: true })).toEqual({ ok: true, value: "a\nb\nc" });
  });

  it("removes zero-width, bidi and other invisible format characters", () => {
    const input = "\ufeffQaz\u200b Tex\u00adtile\u200e \u202eIndustry\u202c\u2060\u2066!\u2069";
    expect(cleanText(input, { max: 100 })).toEqual({ ok: true, value: "Qaz Textile Industry!" });
  });

  it("removes control characters, including a NUL and ESC sequences", () => {
    expect(cleanText("Ok\u0000a\u001b[31my\u007f", { max: 100 })).toEqual({ ok: true, value: "Oka[31my" });
  });

  it("keeps a zero-width joiner inside an emoji sequence, which would otherwise fall apart", () => {
    const technologist = "👩🏽\u200d💻";
    const rainbowFlag = "🏳\ufe0f\u200d🌈";
    expect(cleanText(`Швея ${technologist} ${rainbowFlag}`, { max: 100 })).toEqual({
      ok: true,
      value: `Швея ${technologist} ${rainbowFlag}`,
    });
    expect(cleanText("a\u200db", { max: 10 })).toEqual({ ok: true, value: "ab" });
  });

  it("composes letters to NFC so that the same name is always stored the same way", () => {
    // "и" + combining breve, as some keyboards and macOS file names produce it, becomes "й".
    const result = cleanText("Баи\u0306", { max: 10 });
    expect(result).toEqual({ ok: true, value: "Бай" });
    expect(result.ok && result.value.length).toBe(3);
  });

  it("calls an empty or whitespace-only input empty", () => {
    expect(cleanText("", { max: 10 })).toEqual({ ok: false, reason: "empty" });
    expect(cleanText(" \n\t\u00a0 ", { max: 10, multiline: true })).toEqual({ ok: false, reason: "empty" });
  });

  it("calls an input of only zero-width characters empty", () => {
    expect(cleanText("\u200b\u200c\u200d\ufeff\u2060", { max: 10 })).toEqual({ ok: false, reason: "empty" });
  });

  it("calls a name made of Hangul fillers empty, although Unicode classes them as letters", () => {
    expect(cleanText("\u3164\u3164", { max: 10 })).toEqual({ ok: false, reason: "empty" });
  });

  it("calls a 10,000-character input too long", () => {
    expect(cleanText("а".repeat(10_000), { max: 4000 })).toEqual({ ok: false, reason: "too-long" });
  });

  it("counts code points, so an emoji counts as one and not as two UTF-16 units", () => {
    const text = `Ок${"🧵".repeat(8)}`; // 10 code points, 18 UTF-16 units
    expect(text.length).toBe(18);
    expect(cleanText(text, { max: 10 })).toEqual({ ok: true, value: text });
    expect(cleanText(`${text}!`, { max: 10 })).toEqual({ ok: false, reason: "too-long" });
  });

  it("measures the length after cleaning, not before", () => {
    expect(cleanText(`   ${"x".repeat(5)}   \u200b\u200b`, { max: 5 })).toEqual({ ok: true, value: "xxxxx" });
  });

  it("calls an emoji-only input no-letters", () => {
    expect(cleanText("👍🧵🔥", { max: 10 })).toEqual({ ok: false, reason: "no-letters" });
  });

  it("with letters required, calls a digits-only input no-letters (issue 5, fault 19)", () => {
    expect(cleanText("12345", { max: 10, letters: true })).toEqual({ ok: false, reason: "no-letters" });
    expect(cleanText("Айгерім 2", { max: 10, letters: true })).toEqual({ ok: true, value: "Айгерім 2" });
  });

  it("calls a punctuation-only input no-letters", () => {
    expect(cleanText("?!... -- ))", { max: 20 })).toEqual({ ok: false, reason: "no-letters" });
  });

  it("treats the Kazakh letters ә ғ қ ң ө ұ ү һ і as letters", () => {
    for (const letter of ["ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і", "Ә", "Ғ", "Қ", "Ң", "Ө", "Ұ", "Ү", "Һ", "І"]) {
      expect(cleanText(`«${letter}»`, { max: 5 })).toEqual({ ok: true, value: `«${letter}»` });
    }
  });

  it("accepts digits alone, e.g. an answer like '2024'", () => {
    expect(cleanText("2024", { max: 5 })).toEqual({ ok: true, value: "2024" });
  });

  it("removes unpaired surrogates that a broken client might send", () => {
    expect(cleanText("ab\ud83dcd\udc4d", { max: 10 })).toEqual({ ok: true, value: "abcd" });
  });
});

describe("parseEmployees", () => {
  it.each([
    ["25", 25],
    ["  25 ", 25],
    ["1200", 1200],
    ["1 200", 1200],
    ["1\u00a0200", 1200],
    ["1\u202f200", 1200],
    ["1,200", 1200],
    ["1.200", 1200],
    ["12 345", 12345],
    ["200 000", 200_000],
    ["２５", 25],
    // Natural answers (issue 5, fault 21): a word for people after the number, "about" before it.
    ["45 человек", 45],
    ["45 адам", 45],
    ["about 45", 45],
    ["около 45 человек", 45],
    ["шамамен 45", 45],
    ["≈ 40", 40],
    ["45 employees.", 45],
  ])("reads %j as %d", (input, expected) => {
    expect(parseEmployees(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["a word that is no count", "40 станков"],
    ["a range", "40-50"],
    ["a decimal comma", "1,5"],
    ["a decimal point", "2.5"],
    ["mixed thousands separators", "1,200.000"],
    ["a group that is not three digits", "1 20"],
    ["a negative number", "-5"],
    ["words", "сорок"],
    ["nothing", ""],
    ["only spaces", "   "],
  ])("calls %s not-number", (_label, input) => {
    expect(parseEmployees(input)).toEqual({ ok: false, reason: "not-number" });
  });

  it("calls zero people zero", () => {
    expect(parseEmployees("0")).toEqual({ ok: false, reason: "zero" });
    expect(parseEmployees("000")).toEqual({ ok: false, reason: "zero" });
  });

  it("calls more than 200,000 people too large", () => {
    expect(parseEmployees("200001")).toEqual({ ok: false, reason: "too-large" });
    expect(parseEmployees("1 000 000")).toEqual({ ok: false, reason: "too-large" });
    expect(parseEmployees("9".repeat(400))).toEqual({ ok: false, reason: "too-large" });
  });
});

describe("truncate", () => {
  it("returns text that fits unchanged, without an ellipsis", () => {
    expect(truncate("Қазақстан", 9)).toBe("Қазақстан");
    expect(truncate("", 0)).toBe("");
  });

  it("cuts to the limit with the ellipsis counted in it", () => {
    const result = truncate("abcdefghij", 5);
    expect(result).toBe("abcd…");
    expect([...result]).toHaveLength(5);
  });

  it("does not leave a space before the ellipsis", () => {
    expect(truncate("Тоқыма фабрикасы", 8)).toBe("Тоқыма…");
  });

  it("never splits a surrogate pair", () => {
    const result = truncate("🧵🧵🧵🧵", 3);
    expect(result).toBe("🧵🧵…");
    expect(result).not.toMatch(/\p{Cs}/u); // no lone surrogate
  });

  it("never separates a letter from its combining accent", () => {
    // "е" + combining diaeresis (2 code points, one grapheme) does not fit in the 2 left.
    const result = truncate("abе\u0308cd", 4);
    expect(result).toBe("ab…");
  });

  it("drops a whole emoji ZWJ sequence rather than half of it", () => {
    const family = "👨\u200d👩\u200d👧"; // 5 code points, one grapheme
    expect(truncate(`a${family}b`, 5)).toBe("a…");
    expect(truncate(`a${family}bc`, 7)).toBe(`a${family}…`);
  });

  it("keeps a flag whole: two regional indicators are one grapheme", () => {
    expect(truncate("🇰🇿🇰🇿", 3)).toBe("🇰🇿…");
  });

  it("returns only the ellipsis when the limit is 1 and nothing for a limit below 1", () => {
    expect(truncate("abc", 1)).toBe("…");
    expect(truncate("abc", 0)).toBe("");
  });
});
