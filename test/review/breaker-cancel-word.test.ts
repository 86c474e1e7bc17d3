/**
 * Breaker: a bare cancel word typed in a free-text question asks "is that your answer, or do you
 * want to stop?", so that an enterprise called «Отмена» is not lost. Where the word cannot be the
 * answer at all (the BIN question wants 12 digits, the staff question wants a user id), the
 * question was asked anyway, and typing the real answer then ("777") was refused as "choose one of
 * the options": two extra steps for nothing. There the word simply is the cancel command.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";

let h: Harness;
afterEach(async () => h?.close());

describe("a cancel word where it cannot be the answer", () => {
  it.each([
    ["kk", "болдырмау"],
    ["ru", "отмена"],
    ["en", "cancel"],
  ] as const)("at the BIN question is the cancel (registration asks before leaving) (%s)", async (l, word) => {
    h = await startHarness();
    const p = h.person("100", { language: l });
    await p.send("/start");
    await p.press(tr(l, "menu-register"));
    await p.press(tr(l, "consent-agree"));
    p.fresh();
    await p.send(word);
    expect(p.fresh()).toEqual([tr(l, "flow-leave-ask", { flow: tr(l, "flow-register") })]);
  });

  it("at the staff member's user id question leaves the team screen's question", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const a = h.person("900", { language: "ru" });
    await a.send("/menu");
    await a.press(tr("ru", "menu-team"));
    await a.press(tr("ru", "team-add-staff"));
    a.fresh();
    await a.send("отмена");
    const seen = a.fresh();
    expect(seen).not.toContain(tr("ru", "dialog-word-or-cancel", { text: "отмена" }));
    expect(seen.at(-1)).toBe(tr("ru", "menu-prompt"));
  });

  it("where it can be the answer (a name) the bot still asks which was meant", async () => {
    h = await startHarness();
    const p = h.person("100", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-agree"));
    await p.send("061211600012");
    p.fresh();
    await p.send("Отмена");
    expect(p.fresh()).toEqual([tr("ru", "dialog-word-or-cancel", { text: "Отмена" })]);
  });
});
