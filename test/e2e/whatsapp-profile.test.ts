/**
 * A WhatsApp member's profile and privacy, end to end through the real adapter on the fake
 * whatsapp-web.js client, in kk, ru and en: "My enterprise" shown and a field edited by typing,
 * the WhatsApp number offered at the phone's edit, and erasure: afterwards neither the WhatsApp id
 * nor the phone's digits are anywhere in the database (keys and logs of handled updates included).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { tracesOf } from "../support/db-traces.ts";
import { approvedMember, first, plain } from "./whatsapp-support.ts";
import type { Locale } from "../../src/i18n/locales.ts";

const ADMIN = "900";
const E2E_TIMEOUT = 120_000;
const PEOPLE: Record<Locale, { phone: string; bin: string; name: string }> = {
  kk: { phone: "+77017654321", bin: "990140000384", name: "ЖШС «Тоқыма»" },
  ru: { phone: "+77011234567", bin: "990140000384", name: "ТОО «Текстиль»" },
  en: { phone: "+77027770011", bin: "990140000384", name: "Silk Road LLP" },
};

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

for (const locale of ["kk", "ru", "en"] as const) {
  const { phone, bin, name } = PEOPLE[locale];
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);

  describe(`profile on WhatsApp (${locale})`, () => {
    it(
      "My enterprise shows the enterprise; employees edited by typing; the phone edit offers the WhatsApp number",
      async () => {
        wa = await startWhatsAppHarness({ admins: [ADMIN] });
        await wa.staff(ADMIN).send("/start");
        await approvedMember(wa, ADMIN, phone, locale, bin, name);
        await wa.say(phone, "menu");
        wa.fresh(phone);
        await wa.choose(phone, t("menu-profile"));
        const shown = plain(wa.fresh(phone).join("\n"));
        expect(shown).toContain(plain(name));
        expect(shown).toContain("45");

        await wa.choose(phone, t("edit-employees"));
        expect(plain(wa.last(phone))).toContain(plain(t("reg-ask-employees")).split(",")[0]!.slice(0, 20));
        await wa.say(phone, "120");
        const saved = plain(wa.fresh(phone).join("\n"));
        expect(saved).toContain(plain(t("profile-updated")));
        expect(saved).toContain("120");

        await wa.choose(phone, t("edit-phone"));
        const asked = plain(wa.fresh(phone).join("\n"));
        expect(asked).toContain(plain(first(locale, "phone-ask-or-own")));
        // The number written from, offered as an option: choosing it keeps it.
        await wa.choose(phone, /\+7 ?\d/);
        expect(plain(wa.fresh(phone).join("\n"))).toContain(plain(t("profile-updated")));
      },
      E2E_TIMEOUT,
    );

    it(
      "erasure: consent withdrawn, and the WhatsApp id and phone digits are nowhere in the database",
      async () => {
        wa = await startWhatsAppHarness({ admins: [ADMIN] });
        await wa.staff(ADMIN).send("/start");
        await approvedMember(wa, ADMIN, phone, locale, bin, name);
        const digits = phone.slice(2); // "7011234567": the id's and the typed phone's digits
        expect((await tracesOf(wa.db, [digits])).length).toBeGreaterThan(0);

        await wa.say(phone, "menu");
        await wa.choose(phone, t("menu-privacy"));
        await wa.choose(phone, t("privacy-erase-button"));
        expect(plain(wa.last(phone))).toContain(plain(t("privacy-erase-confirm")).slice(0, 30));
        await wa.choose(phone, t("privacy-erase-yes"));
        expect(wa.last(phone)).toContain(t("privacy-erased").slice(0, 30));
        await wa.settled();

        expect(await tracesOf(wa.db, [digits])).toEqual([]);
        // Nor in the logs, at any level (the rules: no phone numbers in logs).
        expect(wa.logs.filter((l) => l.includes(digits))).toEqual([]);
      },
      E2E_TIMEOUT,
    );
  });
}

describe("erasure with WhatsApp's pace on", () => {
  it("no pace key (the last chat, a chat's bucket) names the erased chat afterwards", async () => {
    const { WHATSAPP_CAPABILITIES } = await import("../../src/channels/whatsapp/capabilities.ts");
    // The pause between chats kept to a millisecond: the keys are written as in production.
    wa = await startWhatsAppHarness({ admins: [ADMIN], capabilities: { ...WHATSAPP_CAPABILITIES, limits: { chatSwitch: { pauseMs: 1, jitterMs: 0 } } } });
    const phone = "+77015550099";
    const t = (key: string) => tr("en", key);
    await wa.say(phone, "hello");
    await wa.choose(phone, "English");
    await wa.choose(phone, t("menu-register"));
    await wa.choose(phone, t("consent-agree"));
    await wa.say(phone, "menu");
    await wa.choose(phone, t("flow-leave-button"));
    await wa.choose(phone, t("menu-privacy"));
    await wa.choose(phone, t("privacy-erase-button"));
    await wa.choose(phone, t("privacy-erase-yes"));
    await wa.settled();
    expect(wa.last(phone)).toContain(t("privacy-erased").slice(0, 30));
    expect(await tracesOf(wa.db, ["7015550099"])).toEqual([]);
  });
});
