/**
 * A person on WhatsApp, end to end through the real adapter on the fake whatsapp-web.js client:
 * the language offered first (WhatsApp gives no hint), options chosen by typing in every accepted
 * form, and registration in Russian and Kazakh (phone typed), approved by staff on Telegram.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { first, plain, registerOnWhatsApp } from "./whatsapp-support.ts";

const ADMIN = "900";
/** Long enough for a whole registration on PostgreSQL on a loaded machine; nothing is timed. */
const E2E_TIMEOUT = 120_000;

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

const LANGUAGE_OFFER = first("ru", "language-prompt");

describe("the first answer on WhatsApp", () => {
  it("offers the three languages, numbered, to a new person", async () => {
    wa = await startWhatsAppHarness();
    await wa.say("+77011234567", "Сәлеметсіз бе");
    const [answer, ...rest] = wa.fresh("+77011234567");
    expect(rest).toEqual([]);
    expect(plain(answer!)).toContain(plain(LANGUAGE_OFFER));
    expect(answer).toMatch(/^1\. Қазақша$/m);
    expect(answer).toMatch(/^2\. Русский$/m);
    expect(answer).toMatch(/^3\. English$/m);
  });
});

describe("a typed choice", () => {
  for (const typed of ["2", "2.", "2)", " 2 ", "русский", "  РУССКИЙ "]) {
    it(`${JSON.stringify(typed)} chooses the second option (Русский)`, async () => {
      wa = await startWhatsAppHarness({ defaultLocale: "en" });
      await wa.say("+77011234567", "hello");
      wa.fresh("+77011234567");
      await wa.say("+77011234567", typed);
      const answers = wa.fresh("+77011234567");
      expect(answers[0]).toBe(tr("ru", "language-changed"));
      expect(answers.at(-1)).toContain(tr("ru", "menu-prompt"));
    });
  }

  for (const [typed, locale] of [["ҚАЗАҚША", "kk"], [" english", "en"], ["1)", "kk"], ["3.", "en"]] as const) {
    it(`${JSON.stringify(typed)} at the language offer chooses ${locale}`, async () => {
      wa = await startWhatsAppHarness();
      await wa.say("+77011234567", "hello");
      await wa.say("+77011234567", typed);
      const answers = wa.fresh("+77011234567");
      expect(answers[1]).toBe(tr(locale, "language-changed"));
      expect(answers.at(-1)).toContain(tr(locale, "menu-prompt"));
    });
  }

  it("an option's Russian or English text chooses it at a Russian menu", async () => {
    wa = await startWhatsAppHarness();
    await wa.say("+77011234567", "Привет");
    await wa.choose("+77011234567", "Русский");
    wa.fresh("+77011234567");
    for (const locale of ["ru", "en"] as const) {
      // The label without its emoji, as a person types it.
      await wa.say("+77011234567", tr(locale, "menu-help").replace(/^\P{L}+/u, "").toLowerCase());
      expect(wa.fresh("+77011234567")[0], locale).toContain(first("ru", "help-text"));
    }
  });

  it("an option's Kazakh text chooses it at a Russian menu (\"көмек\", also typed without Kazakh letters)", async () => {
    wa = await startWhatsAppHarness();
    await wa.say("+77011234567", "Привет");
    await wa.choose("+77011234567", "Русский");
    wa.fresh("+77011234567");
    for (const typed of [tr("kk", "menu-help").replace(/^\P{L}+/u, "").toLowerCase(), "комек"]) {
      await wa.say("+77011234567", typed);
      expect(wa.fresh("+77011234567")[0], typed).toContain(first("ru", "help-text"));
    }
  });
});

describe("registration on WhatsApp, approved by staff on Telegram", () => {
  for (const [locale, phone, bin, name] of [
    ["ru", "+77011234567", "990140000384", "ТОО «*Звезда*_Текстиль_»"],
    ["kk", "+77021112233", "061211600012", "ЖШС ~Алтын~ ```Тоқыма```"],
  ] as const) {
    it(
      `in ${locale}: consent, BIN, region and sector by number, phone typed; staff approve; the member is told on WhatsApp`,
      async () => {
        wa = await startWhatsAppHarness({ admins: [ADMIN] });
        const admin = wa.staff(ADMIN);
        await admin.send("/start");
        await registerOnWhatsApp(wa, phone, locale, bin, name);
        // The application reached staff on Telegram with the name as typed (escaped, not markup).
        const notice = [...admin.messages()].reverse().find((m) => m.text.includes(name));
        expect(notice, "staff notice with the enterprise's name").toBeDefined();
        const approve = notice!.message.choices?.flat().find((b) => /^s:(ap|ja|ca):/.test(b.data));
        expect(approve).toBeDefined();
        await admin.pressData(approve!.data);
        expect(wa.fresh(phone).join("\n")).toContain("🎉");
        // The enterprise and the person's WhatsApp identity with the typed phone are stored.
        const enterprise = await wa.db.transaction((tx) => tx.enterprise.findFirstOrThrow({ where: { bin } }));
        expect(enterprise).toMatchObject({ name, status: "active" });
        const membership = await wa.db.transaction((tx) => tx.membership.findFirstOrThrow({ where: { enterpriseId: enterprise.id } }));
        expect(membership.status).toBe("active");
        const identity = await wa.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { channel: "whatsapp", externalId: `${phone.slice(1)}@c.us` }, include: { person: true } }));
        expect(identity.person).toMatchObject({ locale, phone: "+77011234567" });
        // The name the person typed reads as typed on WhatsApp too: never turned into markup.
        const shown = wa.to(phone).find((m) => m.text.includes(name));
        expect(shown, "the name shown back as typed").toBeDefined();
      },
      E2E_TIMEOUT,
    );
  }
});
