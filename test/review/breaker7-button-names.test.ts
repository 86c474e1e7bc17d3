/**
 * breaker7: at the files question with no file yet, the only button is "Skip", but the answers to
 * a text ("Added to the description…") and to a sticker ("Please send a photo…") told the member
 * to press "Done", a button that was not there (so did "the description is full"). Every such
 * answer names the button shown with it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness, type TestPerson } from "../support/core-harness.ts";
import { LOCALES, type Locale } from "../../src/i18n/locales.ts";
import { DESCRIPTION_MAX } from "../../src/core/problems/service.ts";
import { ADMIN, activeMember, sendFile, startReport } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

/** The label of the one button under the newest message, without its emoji, as the text quotes it. */
function buttonWord(p: TestPerson): string {
  const [label] = p.buttons();
  return label!.replace(/^\S+\s/, "");
}

describe("the files question names the button it shows", () => {
  it.each(LOCALES)("in %s: a text and a sticker before any file name Skip; after a file, Done", async (locale: Locale) => {
    const p = await activeMember(h, "100", locale);
    await startReport(p, locale);
    await p.send("The fabric waits at the border.");
    await p.press(tr(locale, "problem-done-button"));
    expect(p.buttons()).toEqual([tr(locale, "problem-skip-button")]);
    await p.send("One more detail.");
    expect(p.buttons()).toEqual([tr(locale, "problem-skip-button")]);
    expect(p.last().text).toContain(buttonWord(p));
    await p.sticker();
    expect(p.last().text).toContain(buttonWord(p));
    // A text that no longer fits the description.
    await p.send("y".repeat(DESCRIPTION_MAX));
    expect(p.last().text).toContain(buttonWord(p));
    await sendFile(p);
    expect(p.buttons()).toEqual([tr(locale, "problem-done-button")]);
    expect(p.last().text).toContain(buttonWord(p));
    await p.send("And a caption-like note.");
    expect(p.last().text).toContain(buttonWord(p));
    await p.send("x");
    await p.sticker();
    expect(p.last().text).toContain(buttonWord(p));
    await p.send("y".repeat(DESCRIPTION_MAX));
    expect(p.last().text).toContain(buttonWord(p));
  });
});
