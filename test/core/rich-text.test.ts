import { describe, expect, it } from "vitest";
import { escapeHtml, parseRich, renderRich, Rich, rich, splitRich, toPlain, visibleLength } from "../../src/core/rich-text.ts";
import { richMarkupProblems } from "../support/rich-markup.ts";

/** The visible text with all whitespace removed: what must survive a split untouched. */
const ink = (text: string) => text.replace(/\s+/g, "");

function expectWellFormedPieces(source: string, pieces: string[], max: number): void {
  for (const piece of pieces) {
    expect(visibleLength(piece), `piece longer than ${max}: ${piece.slice(0, 60)}…`).toBeLessThanOrEqual(max);
    expect(richMarkupProblems(piece)).toEqual([]);
    expect(piece.trim()).toBe(piece);
    expect(piece).not.toBe("");
  }
  expect(ink(pieces.map(toPlain).join(""))).toBe(ink(toPlain(source)));
}

const loremWords = (n: number, word = "мата") => Array.from({ length: n }, (_, i) => `${word}${i}`).join(" ");

describe("escapeHtml", () => {
  it("escapes the four characters that rich text gives a meaning to", () => {
    expect(escapeHtml(`<b>"ТОО" & Co</b>`)).toBe("&lt;b&gt;&quot;ТОО&quot; &amp; Co&lt;/b&gt;");
  });

  it("leaves other text, including apostrophes, Kazakh letters and emoji, as it is", () => {
    expect(escapeHtml("Қазақстан's 🧵 тоқыма")).toBe("Қазақстан's 🧵 тоқыма");
  });

  it("escapes an already escaped entity again, so that a person's text shows literally", () => {
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
    expect(toPlain(escapeHtml("&amp;"))).toBe("&amp;");
  });
});

describe("parseRich and renderRich", () => {
  it("parse nested styles into spans that carry every open style", () => {
    expect(parseRich("a <b>bold <i>both</i></b> <code>x&lt;y</code>")).toEqual([
      { text: "a ", styles: [] },
      { text: "bold ", styles: ["b"] },
      { text: "both", styles: ["b", "i"] },
      { text: " ", styles: [] },
      { text: "x<y", styles: ["code"] },
    ]);
  });

  it("keep the text and the styles through a render and a second parse", () => {
    const samples = [
      "<b>Заявка №12</b>\n\n<i>Причина:</i> нет &quot;БИН&quot; &amp; &lt;адреса&gt;",
      "<b>a<i>b<u>c</u></i>d</b>e<code>f</code>",
      "plain text only",
      "<u>🧵 Қазақстан</u>",
    ];
    for (const sample of samples) {
      const rendered = renderRich(parseRich(sample));
      expect(parseRich(rendered)).toEqual(parseRich(sample));
      expect(toPlain(rendered)).toBe(toPlain(sample));
      expect(richMarkupProblems(rendered)).toEqual([]);
    }
  });

  it("render canonical rich text back to exactly the same string", () => {
    const canonical = "<b>Hi</b> &amp; <i>you</i>, <b><i>both</i></b> &lt;3 &quot;q&quot;";
    expect(renderRich(parseRich(canonical))).toBe(canonical);
  });

  it("close a tag that was left open and drop a closing tag that opened nothing", () => {
    expect(renderRich(parseRich("<b>open"))).toBe("<b>open</b>");
    expect(renderRich(parseRich("text</i> more"))).toBe("text more");
  });

  it("keep unknown markup and a lone ampersand as literal, escaped text", () => {
    const rendered = renderRich(parseRich(`<a href="x">link</a> & <script>`));
    expect(toPlain(rendered)).toBe(`<a href="x">link</a> & <script>`);
    expect(richMarkupProblems(rendered)).toEqual([]);
  });

  it("renders an empty span list as an empty string", () => {
    expect(renderRich([])).toBe("");
    expect(parseRich("<b></b>")).toEqual([]);
  });
});

describe("toPlain", () => {
  it("decodes the entities of an escaped name", () => {
    expect(toPlain("&lt;Textile &amp; Co&gt;")).toBe("<Textile & Co>");
  });

  it("drops the markup and keeps the text", () => {
    expect(toPlain("<b>Моё</b> <i>предприятие</i> &quot;QTI&quot;")).toBe('Моё предприятие "QTI"');
  });
});

describe("visibleLength", () => {
  it("counts the visible text without markup or entity spelling", () => {
    expect(visibleLength("<b>abc</b> &amp;")).toBe(5);
  });

  it("counts UTF-16 code units as Telegram does: an emoji outside the BMP counts two", () => {
    expect(visibleLength("😀")).toBe(2);
    expect(visibleLength("<b>😀</b>ә")).toBe(3);
    expect(visibleLength("👩🏽‍💻")).toBe("👩🏽‍💻".length);
  });
});

describe("splitRich", () => {
  it("returns text that fits as the only piece, unchanged", () => {
    const text = "<b>short</b> &amp; sweet";
    expect(splitRich(text, 100)).toEqual([text]);
    expect(splitRich("x".repeat(4096), 4096)).toEqual(["x".repeat(4096)]);
  });

  it("cuts at the paragraph break when the first paragraph fits", () => {
    const first = loremWords(50);
    const second = loremWords(30, "тоқыма");
    const pieces = splitRich(`${first}\n\n${second}`, first.length + 40);
    expect(pieces).toEqual([first, second]);
  });

  it("prefers a paragraph break to a later line break in the same window", () => {
    const text = `${"a".repeat(30)}\n\n${"b".repeat(30)}\n${"c".repeat(30)}\n${"d".repeat(30)}`;
    const pieces = splitRich(text, 100);
    expect(pieces[0]).toBe("a".repeat(30));
    expectWellFormedPieces(text, pieces, 100);
  });

  it("cuts at a line break when there is no paragraph break", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `• строка ${i}: ${"ы".repeat(20)}`);
    const pieces = splitRich(lines.join("\n"), 200);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      for (const line of piece.split("\n")) expect(lines).toContain(line);
    }
    expectWellFormedPieces(lines.join("\n"), pieces, 200);
  });

  it("cuts between words, never inside one, when a paragraph is a single long line", () => {
    const text = loremWords(2000);
    const words = new Set(text.split(" "));
    const pieces = splitRich(text, 4096);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      for (const word of piece.split(" ")) expect(words.has(word), `"${word}" is a cut word`).toBe(true);
    }
    expectWellFormedPieces(text, pieces, 4096);
  });

  it("cuts a single 10,000-character word hard at the limit", () => {
    const word = "ә".repeat(10_000);
    const pieces = splitRich(word, 4096);
    expect(pieces.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(pieces.join("")).toBe(word);
  });

  it("never splits a surrogate pair, even when the limit falls inside an emoji", () => {
    const text = "🧵".repeat(5_000); // 10,000 UTF-16 units
    for (const max of [4096, 4095, 333]) {
      const pieces = splitRich(text, max);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(max);
        expect(piece.length % 2).toBe(0);
        expect(piece, "a lone surrogate").not.toMatch(/\p{Cs}/u);
      }
      expect(pieces.join("")).toBe(text);
    }
  });

  it("re-balances markup so that a bold span cut in two is bold in both pieces", () => {
    const text = `<b>${loremWords(600)}</b> и <i>конец</i>`;
    const pieces = splitRich(text, 1000);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces.slice(0, -1)) {
      expect(piece.startsWith("<b>")).toBe(true);
      expect(piece.endsWith("</b>")).toBe(true);
    }
    expect(pieces[pieces.length - 1]).toMatch(/<\/b> и <i>конец<\/i>$/);
    expectWellFormedPieces(text, pieces, 1000);
  });

  it("keeps nested styles and entities intact in every piece of a long structured message", () => {
    const paragraph = (i: number) =>
      `<b>Заявка №${i}</b>: <i>ТОО &quot;Жібек &amp; <u>Жол</u>&quot;</i> ${loremWords(30)} <code>0612116000${i % 10}2</code> 🧵&lt;&gt;`;
    const text = Array.from({ length: 60 }, (_, i) => paragraph(i)).join("\n\n");
    for (const max of [4096, 1000, 333]) {
      const pieces = splitRich(text, max);
      expect(pieces.length).toBeGreaterThan(1);
      expectWellFormedPieces(text, pieces, max);
    }
  });

  it("measures pieces by visible text, so entities do not make pieces needlessly short", () => {
    const text = "&amp;".repeat(150);
    expect(splitRich(text, 150)).toEqual([text]);
    const pieces = splitRich("&amp;".repeat(300), 150);
    expect(pieces).toEqual(["&amp;".repeat(150), "&amp;".repeat(150)]);
  });
});

describe("Rich", () => {
  it("carries already rendered rich text and prints as it", () => {
    const value = rich("<b>Қазақ</b>");
    expect(value).toBeInstanceOf(Rich);
    expect(value.html).toBe("<b>Қазақ</b>");
    expect(String(value)).toBe("<b>Қазақ</b>");
    expect(`→ ${value}`).toBe("→ <b>Қазақ</b>");
  });
});
