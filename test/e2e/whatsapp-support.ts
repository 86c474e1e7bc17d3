/**
 * Shared steps of the WhatsApp end-to-end tests: a person registering on WhatsApp by typing every
 * answer (options by their number), and staff approving on Telegram.
 */
import { expect } from "vitest";
import type { WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { Locale } from "../../src/i18n/locales.ts";

/** The visible text of a locale message's first line. */
export const first = (locale: Locale, key: string, args?: Record<string, string | number>) => tr(locale, key, args).split("\n")[0]!;
/** Text without WhatsApp's bold and italic markers (locale headings carry markup). */
export const plain = (text: string) => text.replace(/[*_]/g, "");

/** A person on WhatsApp registers their enterprise, typing every answer; the last step presses Send. */
export async function registerOnWhatsApp(wa: WhatsAppHarness, phone: string, locale: Locale, bin: string, name: string): Promise<void> {
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  await wa.say(phone, "Hello");
  await wa.choose(phone, { kk: "Қазақша", ru: "Русский", en: "English" }[locale]);
  await wa.choose(phone, t("menu-register"));
  expect(plain(wa.last(phone))).toContain(plain(first(locale, "consent-text")));
  await wa.choose(phone, t("consent-agree"));
  expect(plain(wa.last(phone))).toContain(plain(first(locale, "reg-ask-bin")));
  await wa.say(phone, bin);
  expect(plain(wa.last(phone))).toContain(plain(t("reg-ask-name")));
  await wa.say(phone, name);
  await wa.choose(phone, t("region-almaty-city"));
  await wa.choose(phone, t("sector-apparel"));
  await wa.say(phone, "45");
  await wa.say(phone, "Айгерим");
  // No share-contact button on WhatsApp: the number written from is offered, or another is typed.
  expect(plain(wa.fresh(phone).join("\n"))).toContain(plain(first(locale, "phone-ask-or-own")));
  await wa.say(phone, "8 701 123 45 67");
  expect(plain(wa.last(phone))).toContain(plain(first(locale, "reg-summary", { details: "", contact: "" })));
  await wa.choose(phone, t("reg-confirm-button"));
}


/** Registers on WhatsApp and has admin `adminId` (on Telegram) approve the application; the member is told. */
export async function approvedMember(wa: WhatsAppHarness, adminId: string, phone: string, locale: Locale, bin: string, name: string): Promise<void> {
  await registerOnWhatsApp(wa, phone, locale, bin, name);
  const admin = wa.staff(adminId);
  const notice = [...admin.messages()].reverse().find((m) => m.text.includes(name));
  const approve = notice?.message.choices?.flat().find((b) => /^s:(ap|ja|ca):/.test(b.data));
  if (!approve) throw new Error(`no Approve on the notice of ${name}`);
  await admin.pressData(approve.data);
  expect(wa.fresh(phone).join("\n")).toContain("🎉");
}

/**
 * A WhatsApp member reports a problem (taxes, named) with one photo, typing every answer; returns
 * its reference (QT-yyyy-nnnn) as the member was told it.
 */
export async function reportOnWhatsApp(wa: WhatsAppHarness, phone: string, locale: Locale, title: string, photo: Uint8Array): Promise<string> {
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  await wa.say(phone, "/problem");
  await wa.choose(phone, t("problem-cat-taxes"));
  await wa.say(phone, title);
  await wa.say(phone, `${title}: подробности / details`);
  await wa.choose(phone, t("problem-done-button"));
  await wa.receive(wa.fake.image(phone, photo));
  expect(wa.last(phone).startsWith(t("problem-file-added"))).toBe(true);
  await wa.choose(phone, t("problem-done-button"));
  await wa.choose(phone, t("problem-anon-named"));
  if (!wa.last(phone).includes(`. ${t("problem-send-button")}`)) await wa.choose(phone, t("problem-similar-different"));
  await wa.choose(phone, t("problem-send-button"));
  const ref = /QT-\d{4}-\d{4}/.exec(wa.fresh(phone).join("\n"))?.[0];
  if (!ref) throw new Error(`no reference told to ${phone}`);
  return ref;
}
