/**
 * Breaker: two people ask to take over the same ownerless enterprise. When staff approve one, the
 * other request is closed; staff must be told why (another take-over was approved), not that the
 * enterprise "did not become a member / is not registered" (the same kind as fault 15 of issue 5:
 * a closing text that misstates what happened).
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness, type TestPerson } from "../support/core-harness.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { BIN, noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

async function claim(p: TestPerson, l: Locale, name: string) {
  await p.send("/start");
  await p.press(tr(l, "menu-register"));
  await p.press(tr(l, "consent-agree"));
  await p.send(BIN);
  await p.press(tr(l, "reg-takeover-button"));
  await p.send(name);
  await p.send("87021112233");
  await p.press(tr(l, "join-confirm-button"));
}

describe("competing take-over requests", () => {
  it.each(["en", "ru", "kk"] as const)("the one left over is closed with the true reason (%s)", async (l) => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const owner = h.person("100", { language: "en" });
    await applyForMembership(owner, "en", { bin: BIN });
    const admin = h.person("900", { language: l, name: "Dana" });
    await admin.pressData(noticeButton(admin, 0));
    // The owner erases their data: the enterprise stays a member, without an owner.
    await owner.send("/start");
    await owner.press(tr("en", "menu-privacy"));
    await owner.press(tr("en", "privacy-erase-button"));
    await owner.press(tr("en", "privacy-erase-yes"));

    await claim(h.person("102", { language: "en" }), "en", "Claire");
    await claim(h.person("103", { language: "en" }), "en", "Dan");
    const second = noticeButton(admin, 0, (t) => /J-3\b/.test(t));
    await admin.pressData(noticeButton(admin, 0, (t) => /J-2\b/.test(t)));

    // The second request's notice says what happened to it...
    const notice = admin.messages().find((m) => /J-3\b/.test(m.text))!;
    expect(notice.text).toContain(tr(l, "notice-decided-closed-takeover"));
    expect(notice.text).not.toContain(tr(l, "notice-decided-closed"));
    // ...and so does a press on its old Approve button.
    const pressed = await admin.pressData(second);
    expect(pressed.notice).toBe(tr(l, "already-closed-takeover"));
  });
});
