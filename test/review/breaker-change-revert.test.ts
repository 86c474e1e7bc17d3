/**
 * Breaker: an owner asks to rename the enterprise, regrets it, and types the current name back.
 * The bot said "✓ Saved." while the request for the new name stayed pending: "My enterprise" still
 * showed it waiting, staff could still approve it, and the name the owner wanted back would be
 * replaced. Typing the current value again withdraws the waiting change of that field, says so,
 * and the staff notice shows it withdrawn.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { BIN, noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

describe("changing a name back to the current one", () => {
  it.each(["kk", "ru", "en"] as const)("withdraws the waiting name change (%s)", async (l) => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const p = h.person("100", { language: l });
    await applyForMembership(p, l, { bin: BIN, name: "Textile Company" });
    const a = h.person("900", { language: l, name: "Dana" });
    await a.pressData(noticeButton(a, 0));
    await p.send("/menu");
    await p.press(tr(l, "menu-profile"));
    await p.press(tr(l, "edit-name"));
    await p.send("Textile Co");
    const approve = noticeButton(a, 0);
    await p.press(tr(l, "edit-name"));
    p.fresh();
    await p.send("Textile Company");
    expect(p.fresh()[0]).toBe(tr(l, "profile-change-withdrawn"));
    const [change] = await h.db.transaction((tx) => tx.enterpriseChange.findMany());
    expect(change?.status).toBe("withdrawn");
    // The notice says so, and its Approve no longer renames.
    expect(a.messages().find((m) => /C-\d/.test(m.text))?.text).toContain(tr(l, "notice-decided-withdrawn"));
    await a.pressData(approve);
    const [e] = await h.db.transaction((tx) => tx.enterprise.findMany());
    expect(e?.name).toBe("Textile Company");
  });
});
