/**
 * The core's rich text in WhatsApp's markup: styles, person-supplied text made inert (hostile names
 * with * _ ~ ```), numbered options, and long texts split within the limit with markup balanced.
 *
 * WhatsApp's formatter is not available offline, so `formatted` models its documented rule
 * (faq.whatsapp.com "How to format your messages"): a marker opens after the line's start, a space
 * or punctuation, before a non-space, and closes before the line's end, a space or punctuation,
 * after a non-space. U+2060 (word joiner) is neither space nor punctuation.
 */
import { describe, expect, it } from "vitest";
import { choiceLines, neutralize, renderParts, toWhatsApp, WHATSAPP_TEXT_LIMIT, WORD_JOINER } from "../../../src/channels/whatsapp/render.ts";
import { escapeHtml, rich } from "../../../src/core/rich-text.ts";

const OUTER = /^[\s\p{P}\p{S}]?$/u; // nothing (the line's edge), a space, punctuation or a symbol

/** The styled runs WhatsApp would show for `text`: [marker, content] pairs (monospace: "```"). */
export function formatted(text: string): [string, string][] {
  const runs: [string, string][] = [];
  for (const line of text.split("\n")) {
    for (const m of line.matchAll(/```([\s\S]+?)```/g)) runs.push(["```", m[1]!]);
    const rest = line.replace(/```[\s\S]+?```/g, (s) => " ".repeat(s.length));
    for (const marker of ["*", "_", "~"]) {
      for (let i = 0; i < rest.length; i++) {
        if (rest[i] !== marker || !OUTER.test(rest[i - 1] ?? "") || !rest[i + 1] || /\s/.test(rest[i + 1]!) || rest[i + 1] === marker) continue;
        for (let j = i + 2; j < rest.length; j++) {
          if (rest[j] === marker && !/\s/.test(rest[j - 1]!) && OUTER.test(rest[j + 1] ?? "")) {
            runs.push([marker, rest.slice(i + 1, j)]);
            i = j;
            break;
          }
        }
      }
    }
  }
  return runs;
}

const visible = (text: string) => text.replaceAll(WORD_JOINER, "");

const HOSTILE = ["*Bold Ltd*", "_Italic_ LLP", "~Strike~", "```Mono```", "`code`", "Ab*c*d", "*", "a_b_c*d*e", "> quote", "*_~nested~_*"];

describe("markup", () => {
  it("bold, italic, code become WhatsApp's markers; underline stays plain", () => {
    expect(toWhatsApp("<b>Заявка</b> <i>принята</i> <code>A-12</code> <u>важно</u>")).toBe("*Заявка* _принята_ ```A-12``` важно");
    expect(formatted(toWhatsApp("<b>Заявка</b> <i>принята</i>"))).toEqual([
      ["*", "Заявка"],
      ["_", "принята"],
    ]);
  });

  it("entities are unescaped; nested styles nest", () => {
    expect(toWhatsApp("<b><i>A &amp; B</i></b> &lt;3")).toBe("*_A & B_* <3");
  });

  it("spaces at a style's edge go outside its markers (WhatsApp ignores '* x *'), and each line is marked on its own", () => {
    expect(toWhatsApp("<b> Title \nsecond line</b>")).toBe(" *Title* \n*second line*");
  });
});

describe("person-supplied text is neutralised", () => {
  for (const name of HOSTILE) {
    it(`a name ${JSON.stringify(name)} turns nothing bold, italic, struck or mono, and reads as typed`, () => {
      const out = toWhatsApp(`<b>Предприятие:</b> «${escapeHtml(name)}»\n<b>${escapeHtml(name)}</b>`);
      expect(visible(out)).toBe(`*Предприятие:* «${name}»\n*${name}*`);
      expect(formatted(out)).toEqual([
        ["*", "Предприятие:"],
        ["*", neutralize(name)],
      ]);
    });
  }

  it("without neutralising, the model sees the markup (the test can fail)", () => {
    expect(formatted("«*Bold Ltd*»")).toEqual([["*", "Bold Ltd"]]);
    expect(formatted("Mono: ```x```")).toEqual([["```", "x"]]);
  });

  it("a hostile option label is neutralised too", () => {
    const out = toWhatsApp(choiceLines([[{ data: "x", label: "*Bold Ltd*", key: "3" }]]));
    expect(visible(out)).toBe("3. *Bold Ltd*");
    expect(formatted(out)).toEqual([]);
  });
});

describe("options and parts", () => {
  it("each option on its own line 'key. label' after the text", () => {
    const parts = renderParts({
      text: "<b>Выберите регион</b>",
      choices: [[{ data: "a", label: "Алматы", key: "1" }, { data: "b", label: "Астана", key: "2" }], [{ data: "c", label: "Шымкент", key: "7" }]],
    });
    expect(parts).toEqual(["*Выберите регион*\n\n1. Алматы\n2. Астана\n7. Шымкент"]);
  });

  it("share-phone, keyboard removal and reply-from have no WhatsApp form: the text only", () => {
    expect(renderParts({ text: "Телефон?", requestPhone: "Отправить номер", removeKeyboard: true, replyFrom: { userId: "1", name: "A" } })).toEqual(["Телефон?"]);
  });

  it(`a long text is split into parts of at most ${WHATSAPP_TEXT_LIMIT} visible characters, markup balanced in each`, () => {
    const paragraph = `<b>${"Жоба ".repeat(100).trim()}</b>`;
    const text = Array.from({ length: 30 }, () => paragraph).join("\n\n");
    const parts = renderParts({ text, choices: [[{ data: "x", label: "Меню", key: "1" }]] });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(visible(p).length).toBeLessThanOrEqual(WHATSAPP_TEXT_LIMIT + 200);
      // Every line of a part is a complete bold run: no marker left open across parts.
      for (const line of p.split("\n").filter((l) => l.startsWith("*"))) expect(line).toMatch(/^\*[^*]+\*$/);
    }
    expect(parts.at(-1)!.endsWith("1. Меню")).toBe(true);
    expect(parts.map(visible).join(" ").replace(/[*\s]/g, "")).toBe(`${text.replace(/<\/?b>/g, "")}1.Меню`.replace(/[*\s]/g, ""));
  });

  it("a split inside a long styled run closes it in one part and opens it again in the next", () => {
    const parts = renderParts({ text: `<b>${"x".repeat(5000)}</b>` }, 4096);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^\*x+\*$/);
    expect(parts[1]).toMatch(/^\*x+\*$/);
  });

  it("no text and no options: nothing", () => {
    expect(renderParts({ text: "" })).toEqual([]);
    expect(rich("x").html).toBe("x");
  });
});
