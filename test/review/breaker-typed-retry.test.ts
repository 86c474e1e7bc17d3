/**
 * Breaker: the fix of issue 5 fault 5 (one answer per burst) also swallowed typed answers. Within
 * 10 s of a refusal, a second wrong answer typed by the person (another try at the BIN, a second
 * "hmm" at the consent question, a /start a few seconds later) got no reply at all when its refusal
 * read the same, so the person was left waiting on a bot that seemed dead (also after a console
 * restart: the refusal time is stored with the dialog). A burst is what a client sends at once (an
 * album, a flurry of stickers); each typed message is the person's own try and gets its answer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";

let h: Harness;
afterEach(async () => h?.close());

describe("typed tries right after a refusal", () => {
  it.each(["kk", "ru", "en"] as const)("a second wrong BIN typed at once is answered too (%s)", async (l) => {
    h = await startHarness();
    const p = h.person("100", { language: l });
    await p.send("/start");
    await p.press(tr(l, "menu-register"));
    await p.press(tr(l, "consent-agree"));
    p.fresh();
    await p.send("12345");
    expect(p.fresh()).toHaveLength(1);
    await p.send("1234567");
    expect(p.fresh()).toHaveLength(1);
  });

  it("a second unclear answer to the consent question is answered", async () => {
    h = await startHarness();
    const p = h.person("100", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    p.fresh();
    await p.send("хм");
    expect(p.fresh()).toHaveLength(1);
    await p.send("а что это?");
    expect(p.fresh()).toHaveLength(1);
  });

  it("stickers in a flurry still get one answer", async () => {
    h = await startHarness();
    const p = h.person("100", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-register"));
    await p.press(tr("en", "consent-agree"));
    p.fresh();
    await p.sticker();
    await p.sticker();
    await p.sticker();
    expect(p.fresh()).toHaveLength(1);
  });
});
