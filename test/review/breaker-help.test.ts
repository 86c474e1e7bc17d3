/**
 * Breaker: /help typed in the middle of a question answered with the member help everywhere. In
 * the staff group a staff member rejecting a request got "📝 Register an enterprise… 🏭 My
 * enterprise…" posted to the group, and staff never got the staff part mid-question, though /help
 * at rest gives the staff part (helpFlow, menu.ts). Help must be the same wherever it is asked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { BIN, noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());
const G = "-1001";

describe("/help in the middle of a question", () => {
  it.each(["kk", "ru", "en"] as const)("in the staff group, while rejecting, gives the staff help only (%s)", async (l) => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }], staffChat: { channel: "telegram", chatId: G } } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const dana = h.inGroup(G, "900", { language: l, name: "Dana" });
    await dana.pressData(noticeButton(dana, 1));
    const ask = dana.last().messageId;
    dana.fresh();
    await dana.send("/help", { replyTo: ask });
    const seen = dana.fresh();
    expect(seen.some((t) => t.includes(tr(l, "help-text").split("\n")[0]!))).toBe(false);
    expect(seen.some((t) => t.includes(tr(l, "help-staff").split("\n")[0]!))).toBe(true);
    // The question is still open: the reason typed next rejects.
    await dana.send("Not light industry", { replyTo: dana.last().messageId });
    const [e] = await h.db.transaction((tx) => tx.enterprise.findMany());
    expect(e?.status).toBe("rejected");
  });

  it("privately, a staff member registering their own enterprise gets the staff part too, as at rest", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const a = h.person("900", { language: "ru" });
    await a.send("/start");
    await a.press(tr("ru", "menu-register"));
    await a.press(tr("ru", "consent-agree"));
    a.fresh();
    await a.send("/help");
    const seen = a.fresh();
    expect(seen).toContain(tr("ru", "help-text"));
    expect(seen).toContain(tr("ru", "help-staff"));
    expect(seen.at(-1)).toBe(tr("ru", "reg-ask-bin"));
  });
});
