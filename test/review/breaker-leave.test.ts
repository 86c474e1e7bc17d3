/**
 * Breaker: a screen that only offers choices ("My enterprise", "My data", the staff list) holds
 * nothing unsaved, yet /start, /menu or a main-menu button there asked "You have not finished the
 * current action (changing the enterprise's data). Leave it? The answers given so far will not be
 * kept." A member who has just sent a name change (and is shown the profile again) reads that the
 * change is lost. Leaving such a screen needs no question (the kind of issue 5 fault 4: a menu
 * press answered with "the current action is not finished").
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { BIN, noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

describe("leaving a screen of choices", () => {
  it.each(["kk", "ru", "en"] as const)("after a name change, /start at the profile shows the menu without asking (%s)", async (l: Locale) => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const p = h.person("100", { language: l });
    await applyForMembership(p, l, { bin: BIN });
    const a = h.person("900", { language: "en", name: "Dana" });
    await a.pressData(noticeButton(a, 0));
    await p.send("/menu");
    await p.press(tr(l, "menu-profile"));
    await p.press(tr(l, "edit-name"));
    await p.send("Старт");
    p.fresh();
    await p.send("/start");
    const seen = p.fresh();
    expect(seen.some((t) => t.includes(tr(l, "flow-leave-button")) || t === tr(l, "flow-leave-ask", { flow: tr(l, "flow-profile") }))).toBe(false);
    expect(seen.at(-1)).toContain(tr(l, "menu-prompt"));
    // Nor is the member told that something was not saved.
    expect(seen).not.toContain(tr(l, "flow-cancelled"));
    // The change request is still waiting for staff.
    const change = await h.db.transaction((tx) => tx.enterpriseChange.findFirst());
    expect(change?.status).toBe("pending");
  });

  it("a main-menu button pressed at 'My data' opens that entry without asking", async () => {
    h = await startHarness();
    const p = h.person("100", { language: "ru" });
    await applyForMembership(p, "ru", { bin: BIN });
    await p.send("/menu");
    await p.press(tr("ru", "menu-privacy"));
    p.fresh();
    // The older menu message is still on the screen: "My enterprise" from it.
    await p.press(tr("ru", "menu-profile"));
    const seen = p.fresh();
    expect(p.buttons()).toContain(tr("ru", "edit-name"));
    expect(seen.some((t) => t.startsWith(tr("ru", "flow-leave-ask", { flow: tr("ru", "flow-privacy") }).slice(0, 20)))).toBe(false);
  });

  it("/menu at the staff list shows the menu without asking", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const a = h.person("900", { language: "kk" });
    await a.send("/menu");
    await a.press(tr("kk", "menu-team"));
    a.fresh();
    await a.send("/menu");
    const seen = a.fresh();
    expect(seen.some((t) => t.startsWith(tr("kk", "flow-leave-ask", { flow: tr("kk", "flow-team") }).slice(0, 20)))).toBe(false);
    expect(seen.at(-1)).toContain(tr("kk", "menu-prompt"));
  });
});
