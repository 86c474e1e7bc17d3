/** Shared bits of the review tests (test/review). */
import { tr, type Harness, type TestPerson } from "../support/core-harness.ts";
import type { Locale } from "../../src/i18n/locales.ts";

// Valid numbers (check digits computed with binCheckDigit).
export const IIN = "061211600012"; // sole proprietor
export const IIN2 = "851215400014"; // sole proprietor
export const BIN = "990140000384"; // legal entity
export const BIN2 = "010440001231"; // legal entity

/**
 * The data of a staff notice's button in a chat (Approve = 0, Reject = 1), newest notice first.
 * A join that waits for its enterprise has only Reject; its Approve is then the one a forger would
 * build from it (same id and revision), which the bot must refuse.
 */
export function noticeButton(p: TestPerson, index: 0 | 1, pick?: (text: string) => boolean): string {
  const notice = [...p.messages()]
    .reverse()
    .find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:") && (!pick || pick(m.text)));
  if (!notice) throw new Error("no staff notice with buttons");
  const buttons = notice.message.choices!.flat().map((b) => b.data);
  const approve = buttons.find((d) => /^s:(ap|ja|ca):/.test(d));
  const reject = buttons.find((d) => /^s:(rj|jr|cr):/.test(d))!;
  return index === 1 ? reject : (approve ?? reject.replace(/^s:(rj|jr|cr):/, (_m, v: string) => `s:${{ rj: "ap", jr: "ja", cr: "ca" }[v]}:`));
}

/** Answers the registration questions from the BIN on (the person is at the BIN question). */
export async function answerFromBin(p: TestPerson, locale: Locale, opts: { bin: string; name?: string; employees?: string }) {
  await p.send(opts.bin);
  await p.send(opts.name ?? "Textile Company");
  await p.press(tr(locale, "region-almaty-city"));
  await p.press(tr(locale, "sector-apparel"));
  await p.send(opts.employees ?? "45");
  await p.send("Aigerim");
  await p.contact("77011234567");
}

/** Asks to join the enterprise holding `bin`, as an employee, and sends the request. */
export async function requestToJoin(p: TestPerson, locale: Locale, bin: string, name = "Dana") {
  await p.send("/start");
  await p.press(tr(locale, "menu-register"));
  await p.press(tr(locale, "consent-agree"));
  await p.send(bin);
  await p.press(tr(locale, "reg-join-button"));
  await p.send(name);
  await p.send("87021112233");
  await p.press(tr(locale, "join-confirm-button"));
}

/** Rejects the newest notice in `staff`'s chat with `reason`. */
export async function rejectNewest(staff: TestPerson, reason: string, pick?: (text: string) => boolean) {
  await staff.pressData(noticeButton(staff, 1, pick));
  await staff.send(reason);
}

export const enterprises = (h: Harness) => h.db.transaction((tx) => tx.enterprise.findMany({ orderBy: { id: "asc" } }));

/** The first copy of application notice #id in a chat (staff who had not written yet get it in Russian). */
export function applicationNotice(p: TestPerson, id: number) {
  return p.messages().find((m) => (["ru", "en", "kk"] as const).some((l) => m.text.includes(tr(l, "notice-application-title", { id: `A-${id}` }))));
}
