import { describe, expect, it } from "vitest";
import { escapeTelegramHtml, parseTelegramHtml, TelegramHtmlError } from "./telegram-html.ts";

function parseError(html: string, strict = true): string {
  try {
    parseTelegramHtml(html, { strict });
  } catch (error) {
    expect(error).toBeInstanceOf(TelegramHtmlError);
    return (error as TelegramHtmlError).description;
  }
  throw new Error(`expected ${JSON.stringify(html)} to be rejected`);
}

describe("parseTelegramHtml: text and entities", () => {
  it("decodes the four named entities and numeric ones", () => {
    expect(parseTelegramHtml("&lt;Textile &amp; Co&gt;")).toEqual({ text: "<Textile & Co>", entities: [] });
    expect(parseTelegramHtml("&quot;Qaz&quot; &#1179;&#x49B; &#x1F9F5;").text).toBe('"Qaz" ққ 🧵');
  });

  it("maps every supported tag (and alias) to its entity type", () => {
    const { text, entities } = parseTelegramHtml(
      "<b>b</b><strong>b</strong><i>i</i><em>i</em><u>u</u><ins>u</ins><s>s</s><strike>s</strike><del>s</del>" +
        '<tg-spoiler>p</tg-spoiler><span class="tg-spoiler">p</span><code>c</code>',
    );
    expect(text).toBe("bbiiuusssppc");
    expect(entities.map((e) => e.type)).toEqual([
      "bold", "bold", "italic", "italic", "underline", "underline",
      "strikethrough", "strikethrough", "strikethrough", "spoiler", "spoiler", "code",
    ]);
    expect(entities.map((e) => e.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("handles nesting with offsets and lengths in UTF-16 code units (emoji count twice)", () => {
    expect(parseTelegramHtml("<b>Қазақ <i>тоқыма 🧵 <u>өнеркәсібі</u></i></b>!")).toEqual({
      text: "Қазақ тоқыма 🧵 өнеркәсібі!",
      entities: [
        { type: "bold", offset: 0, length: 26 },
        { type: "italic", offset: 6, length: 20 },
        { type: "underline", offset: 16, length: 10 },
      ],
    });
    expect(parseTelegramHtml("👩‍👩‍👧 <b>ok</b>").entities).toEqual([{ type: "bold", offset: 9, length: 2 }]);
  });

  it("builds links, pre blocks with a language, quotes and custom emoji", () => {
    expect(parseTelegramHtml('<a href="https://qaztextile.kz/join?a=1&amp;b=2">Join</a>').entities).toEqual([
      { type: "text_link", offset: 0, length: 4, url: "https://qaztextile.kz/join?a=1&b=2" },
    ]);
    expect(parseTelegramHtml("<a href=qaztextile.kz>site</a>").entities[0]).toMatchObject({ url: "http://qaztextile.kz/" });
    expect(parseTelegramHtml("<a>https://t.me/qaz</a>").entities[0]).toMatchObject({ url: "https://t.me/qaz" });
    expect(parseTelegramHtml('<a href="not a link">x</a>').entities).toEqual([]);
    expect(parseTelegramHtml('<pre><code class="language-ts">let x = 1;</code></pre>').entities).toEqual([
      { type: "pre", offset: 0, length: 10, language: "ts" },
    ]);
    expect(parseTelegramHtml("<pre>raw</pre> <code>inline</code>").entities).toEqual([
      { type: "pre", offset: 0, length: 3 },
      { type: "code", offset: 4, length: 6 },
    ]);
    expect(parseTelegramHtml("<blockquote>a</blockquote>\n<blockquote expandable>b</blockquote>").entities).toEqual([
      { type: "blockquote", offset: 0, length: 1 },
      { type: "expandable_blockquote", offset: 2, length: 1 },
    ]);
    expect(parseTelegramHtml('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>').entities).toEqual([
      { type: "custom_emoji", offset: 0, length: 2, custom_emoji_id: "5368324170671202286" },
    ]);
  });

  it("trims surrounding whitespace like Telegram and drops empty or disallowed nested entities", () => {
    expect(parseTelegramHtml("\n  <b> Сәлем </b>  \n")).toEqual({
      text: "Сәлем",
      entities: [{ type: "bold", offset: 0, length: 5 }],
    });
    expect(parseTelegramHtml("<b></b>x").entities).toEqual([]);
    expect(parseTelegramHtml("<code>a <b>b</b></code>").entities).toEqual([{ type: "code", offset: 0, length: 3 }]);
    expect(parseTelegramHtml("   ").text).toBe("");
  });

  it("is case-insensitive for start tags only (like TDLib) and accepts attributes with either quote", () => {
    expect(parseTelegramHtml("<B>x</>").entities).toEqual([{ type: "bold", offset: 0, length: 1 }]);
    expect(parseError("<B>x</B>")).toBe('Can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</B>"');
    expect(parseTelegramHtml("<a href='https://t.me'>t</a>").entities[0]).toMatchObject({ url: "https://t.me/" });
  });
});

describe("parseTelegramHtml: malformed input", () => {
  it("reports unsupported and unclosed tags with TDLib's wording and byte offsets", () => {
    expect(parseError("<textile>")).toBe('Can\'t parse entities: Unsupported start tag "textile" at byte offset 0');
    expect(parseError("Сәлем <x>")).toBe('Can\'t parse entities: Unsupported start tag "x" at byte offset 11');
    expect(parseError("<b>bold")).toBe('Can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
    expect(parseError("text</b>")).toBe("Can't parse entities: Unexpected end tag at byte offset 4");
    expect(parseError("<b><i>test</b></i>")).toBe(
      'Can\'t parse entities: Unmatched end tag at byte offset 10, expected "</i>", found "</b>"',
    );
    expect(parseError("<b")).toBe("Can't parse entities: Unclosed start tag at byte offset 0");
    expect(parseError("<b>x</b")).toBe("Can't parse entities: Unclosed end tag at byte offset 4");
    expect(parseError("<span>x</span>")).toBe('Can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0');
    expect(parseError("<a href=https://x>y</a>")).toBe("Can't parse entities: Unexpected end of name token at byte offset 8");
    expect(parseError('<tg-emoji emoji-id="abc">x</tg-emoji>')).toBe(
      "Can't parse entities: Invalid custom emoji identifier specified",
    );
  });

  it("rejects a bare < (even before a space) like Telegram", () => {
    expect(parseError("1 < 2")).toBe('Can\'t parse entities: Unsupported start tag "" at byte offset 2');
    expect(parseError("a <3 b")).toBe('Can\'t parse entities: Unsupported start tag "3" at byte offset 2');
  });

  it("rejects a bare & in strict mode (the default) and keeps it literally otherwise, like Telegram", () => {
    expect(parseError("Textile & Co")).toMatch(/^Can't parse entities: Unescaped "&" at byte offset 8/);
    expect(parseError("&nbsp;")).toMatch(/Unescaped "&" at byte offset 0/);
    expect(parseError("&lt no semicolon")).toMatch(/Unescaped "&"/);
    expect(parseError('<a href="https://x.kz/?a=1&b=2">x</a>')).toMatch(/Unescaped "&" .* in an attribute of the tag "a"/);
    expect(parseTelegramHtml("Textile & Co &nbsp; &lt", { strict: false }).text).toBe("Textile & Co &nbsp; <");
  });
});

describe("parseTelegramHtml: TDLib parse_html behaviour (strict: false, normalize: false)", () => {
  // Behaviours pinned down by TDLib's own tests (test/message_entities.cpp, check_parse_html).
  const raw = (html: string) => parseTelegramHtml(html, { strict: false, normalize: false });
  const rawError = (html: string) => {
    try {
      raw(html);
    } catch (error) {
      return (error as TelegramHtmlError).description.replace("Can't parse entities: ", "");
    }
    throw new Error(`expected ${JSON.stringify(html)} to be rejected`);
  };
  const P = "🧵 Қ&lt;"; // 11 bytes of markup, 5 UTF-16 units of text ("🧵 Қ<")

  it.each([
    [`${P}<qaz`, "Unclosed start tag at byte offset 11"],
    [`${P}<qaz textile>`, 'Unsupported start tag "qaz" at byte offset 11'],
    [`${P}<i   =x>`, 'Empty attribute name in the tag "i" at byte offset 11'],
    [`${P}<i    x>`, 'Can\'t find end tag corresponding to start tag "i"'],
    [`${P}<i  x  =  `, 'Unclosed start tag "i" at byte offset 11'],
    [`${P}<i  x  =  12abC-.,`, "Unexpected end of name token at byte offset 21"],
    [`${P}<i x="&lt;`, "Unclosed start tag at byte offset 11"],
    [`${P}</`, "Unexpected end tag at byte offset 11"],
    [`${P}<i>a</i   `, "Unclosed end tag at byte offset 15"],
    [`${P}<i>a</em >`, 'Unmatched end tag at byte offset 15, expected "</i>", found "</em>"'],
    ["&#xD800;", "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"],
  ])("rejects %j", (html, description) => {
    expect(rawError(html)).toBe(description);
  });

  it.each([
    ["&ge;&lt;&gt;&amp;&quot;&#12345678;&lt🧵", '&ge;<>&"&#12345678;<🧵', []],
    [`${P}<i x = 12abC-.>a</i>`, "🧵 Қ<a", [{ type: "italic", offset: 5, length: 1 }]],
    [`${P}<i x='&quot;'>a</>`, "🧵 Қ<a", [{ type: "italic", offset: 5, length: 1 }]],
    [`${P}<i>a</    >`, "🧵 Қ<a", [{ type: "italic", offset: 5, length: 1 }]],
    ["<i>\t</i>", "\t", [{ type: "italic", offset: 0, length: 1 }]],
    ["<a href=qaztextile.kz>\n</a>", "\n", [{ type: "text_link", offset: 0, length: 1, url: "http://qaztextile.kz/" }]],
    ["<a   href=  'qaztextile.kz?&lt;'   > </a>", " ", [{ type: "text_link", offset: 0, length: 1, url: "http://qaztextile.kz/?<" }]],
    ["<a> </a>", " ", []],
    ["<a>qaztextile.kz </a>", "qaztextile.kz ", []],
    ["<a>qaztextile.kz</a>", "qaztextile.kz", [{ type: "text_link", offset: 0, length: 13, url: "http://qaztextile.kz/" }]],
    ["<pre><code>x</code></pre>", "x", [{ type: "pre", offset: 0, length: 1 }, { type: "code", offset: 0, length: 1 }]],
    ['<pre><code class="language-">x</code></pre>', "x", [{ type: "pre", offset: 0, length: 1 }, { type: "code", offset: 0, length: 1 }]],
    ['<code class="language-kotlin"><pre>x</pre></code>', "x", [{ type: "pre", offset: 0, length: 1, language: "kotlin" }]],
    ['<pre><code class="language-kotlin">x</code> </pre>', "x ", [{ type: "pre", offset: 0, length: 2 }, { type: "code", offset: 0, length: 1 }]],
    ["<code><i><b> </b></i></code>", " ", [{ type: "code", offset: 0, length: 1 }, { type: "bold", offset: 0, length: 1 }, { type: "italic", offset: 0, length: 1 }]],
    ['<b x = y><tg-emoji emoji-id="1">🧵</tg-emoji>1</b>', "🧵1", [{ type: "bold", offset: 0, length: 3 }, { type: "custom_emoji", offset: 0, length: 2, custom_emoji_id: "1" }]],
    ['<blockquote   cite="" a b c9>a&lt;<pre  >b;</></>', "a<b;", [{ type: "blockquote", offset: 0, length: 4 }, { type: "pre", offset: 2, length: 2 }]],
    ["<blockquote expandable=false>q</blockquote>", "q", [{ type: "expandable_blockquote", offset: 0, length: 1 }]],
  ])("parses %j", (html, text, entities) => {
    expect(raw(html)).toEqual({ text, entities });
  });

  it("normalizes like the Bot API: code inside pre and blank texts disappear", () => {
    expect(parseTelegramHtml("<pre><code>x</code></pre>").entities).toEqual([{ type: "pre", offset: 0, length: 1 }]);
    expect(parseTelegramHtml("<i>\t</i>")).toEqual({ text: "", entities: [] });
  });
});

describe("escapeTelegramHtml", () => {
  it("round-trips arbitrary text through the parser", () => {
    for (const sample of ["<Textile & Co>", 'Say "сәлем" & <b>', "1 < 2 > 0 && 🧵", "&amp; already escaped"]) {
      expect(parseTelegramHtml(escapeTelegramHtml(sample))).toEqual({ text: sample, entities: [] });
    }
  });
});
