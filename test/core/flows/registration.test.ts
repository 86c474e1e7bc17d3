import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fillApplication, startHarness, tr, type Harness } from "../../support/core-harness.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import { LOCALES } from "../../../src/i18n/locales.ts";

// Valid numbers: an IIN (sole proprietor) and a resident legal entity's BIN (check digits in bin.test.ts).
const IIN = "061211600012";
const BIN = "990140000384";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
});
afterEach(async () => h.close());

async function enterprises() {
  return h.db.transaction((tx) => tx.enterprise.findMany({ include: { memberships: { include: { person: true } } } }));
}

describe("registration", () => {
  it.each(LOCALES)("an owner registers in %s, is told what happens next, and staff approve", async (locale) => {
    const p = h.person("100", { language: locale });
    await fillApplication(p, locale);
    expect(p.buttons()).toContain(tr(locale, "reg-confirm-button"));
    // The summary repeats every answer in the person's language.
    const summary = p.last().text;
    expect(summary).toContain("Textile Company");
    expect(summary).toContain(tr(locale, "region-almaty-city"));
    expect(summary).toContain(tr(locale, "sector-apparel"));
    expect(summary).toContain("+7 701 123 4567");
    await p.press(tr(locale, "reg-confirm-button"));
    expect(p.fresh().join("\n")).toContain(tr(locale, "reg-submitted", { name: "Textile Company" }));

    const [e] = await enterprises();
    expect(e).toMatchObject({ bin: IIN, binKind: "sole-proprietor", region: "almaty-city", sector: "apparel", employees: 45, status: "pending" });
    expect(e!.memberships[0]!.person).toMatchObject({ name: "Aigerim", phone: "+77011234567", locale });
    expect(e!.memberships[0]!.person.consentAt).toBeInstanceOf(Date);

    const admin = h.person("900", { language: "en", name: "Dana" });
    expect(admin.last().text).toContain(tr("ru", "notice-application-title", { id: `A-${e!.id}` }));
    await admin.press(tr("ru", "notice-approve"));
    expect(p.last().text).toContain(tr(locale, "decision-application-approved", { name: "Textile Company" }).split("\n")[0]!);
    expect((await enterprises())[0]).toMatchObject({ status: "active" });
    expect((await enterprises())[0]!.memberships[0]).toMatchObject({ status: "active" });
  });

  it("asks every question again with the reason when the answer is wrong, in the person's language", async () => {
    const p = h.person("101", { language: "kk" });
    await p.send("/start");
    await p.press(tr("kk", "menu-register"));
    await p.press(tr("kk", "consent-agree"));
    p.fresh();
    const wrong = async (answer: () => Promise<unknown>, error: string, question: string) => {
      await answer();
      const [reply, ...more] = p.fresh();
      expect(more).toEqual([]);
      expect(reply).toContain(error);
      expect(reply).toContain(question);
    };
    const askBin = tr("kk", "reg-ask-bin");
    await wrong(() => p.send("BIN please"), tr("kk", "error-bin-not-digits"), askBin);
    await wrong(() => p.send("06121160001"), tr("kk", "error-bin-length"), askBin);
    await wrong(() => p.send("061211600013"), tr("kk", "error-bin-checksum"), askBin);
    await wrong(() => p.sticker(), tr("kk", "error-need-text"), askBin);
    await p.send(IIN);
    p.fresh();
    const askName = tr("kk", "reg-ask-name");
    await wrong(() => p.send("\u200b\u200b"), tr("kk", "error-name-empty"), askName);
    await wrong(() => p.send("🧵🧵🧵"), tr("kk", "error-name-no-letters"), askName);
    await wrong(() => p.send("x".repeat(10_000)), tr("kk", "error-name-too-long", { max: 200 }), askName);
    await p.send("Тоқыма");
    const askRegion = tr("kk", "reg-ask-region");
    p.fresh();
    await wrong(() => p.send("Атлантида"), tr("kk", "error-need-choice"), askRegion);
    await p.press(tr("kk", "region-abai"));
    p.fresh();
    const askSector = tr("kk", "reg-ask-sector");
    await wrong(() => p.sticker(), tr("kk", "error-need-choice"), askSector);
    await p.press(tr("kk", "sector-textiles"));
    p.fresh();
    const askEmployees = tr("kk", "reg-ask-employees");
    await wrong(() => p.send("көп"), tr("kk", "error-employees-not-number"), askEmployees);
    await wrong(() => p.send("0"), tr("kk", "error-employees-zero"), askEmployees);
    await wrong(() => p.send("5000000"), tr("kk", "error-employees-too-large"), askEmployees);
    await p.send("1 200");
    p.fresh();
    const askContact = tr("kk", "reg-ask-contact");
    await wrong(() => p.send("!!!"), tr("kk", "error-person-name-no-letters"), askContact);
    await p.send("Айгерім");
    p.fresh();
    const askPhone = tr("kk", "reg-ask-phone");
    await wrong(() => p.send("123"), tr("kk", "error-phone-invalid"), askPhone);
    await wrong(() => p.sticker(), tr("kk", "error-need-phone"), askPhone);
    await p.send("8 (701) 123-45-67");
    expect(p.fresh()[0]).toBe(tr("kk", "reg-phone-saved", { phone: "+7 701 123 4567" }));
    const [e] = await enterprises();
    expect(e).toBeUndefined(); // nothing is filed before Confirm
  });

  it("keeps a phone typed in any common format as E.164, and takes a shared contact", async () => {
    for (const [i, typed] of ["+7 (701) 123-45-67", "87011234567", "77011234567", "7011234567"].entries()) {
      const p = h.person(String(200 + i), { language: "en" });
      await fillApplication(p, "en", { bin: i === 0 ? IIN : undefined });
      await p.press(tr("en", "edit-phone"));
      await p.send(typed);
      expect(p.fresh()).toContain(tr("en", "reg-phone-saved", { phone: "+7 701 123 4567" }));
      await p.press(tr("en", "button-cancel"));
    }
  });

  it("stores nothing when consent is declined, and says how to come back", async () => {
    const p = h.person("102", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-decline"));
    expect(p.fresh().join("\n")).toContain(tr("ru", "consent-declined"));
    const person = await h.db.transaction((tx) => tx.person.findFirst({ where: { identities: { some: { externalId: "102" } } } }));
    expect(person).toMatchObject({ name: null, phone: null, consentAt: null, consentVersion: null });
    expect(await enterprises()).toEqual([]);
    expect(p.buttons()).toContain(tr("ru", "menu-register"));
  });

  it("offers to join an enterprise whose BIN is already registered, and staff approve the employee", async () => {
    const owner = h.person("103", { language: "ru" });
    await fillApplication(owner, "ru", { bin: BIN, name: "<Textile & Co>" });
    await owner.press(tr("ru", "reg-confirm-button"));

    const worker = h.person("104", { language: "en" });
    await worker.send("/start");
    await worker.press(tr("en", "menu-register"));
    await worker.press(tr("en", "consent-agree"));
    await worker.send(BIN);
    expect(worker.last().text).toContain(tr("en", "reg-bin-taken", { name: "<Textile & Co>" }).split("\n")[0]!);
    await worker.press(tr("en", "reg-join-button"));
    await worker.send("Dana");
    await worker.send("+7 702 000 11 22");
    await worker.press(tr("en", "join-confirm-button"));
    expect(worker.fresh().join("\n")).toContain(tr("en", "join-submitted", { name: "<Textile & Co>" }));

    const admin = h.person("900", { language: "en" });
    const joinNotice = () => admin.messages().find((m) => m.text.includes(tr("ru", "notice-join-title", { id: "J-2", name: "<Textile & Co>" })));
    // The enterprise's own application still waits: staff are told why, and can only reject.
    expect(joinNotice()!.text).toContain(tr("ru", "notice-join-waits", { ref: "A-1" }));
    expect(joinNotice()!.message.choices!.flat().map((b) => b.label)).toEqual([tr("ru", "notice-reject")]);
    // An Approve forged from the data of the Reject button is refused, and nothing changes.
    const approveData = joinNotice()!.message.choices![0]![0]!.data.replace("s:jr:", "s:ja:");
    const early = await admin.pressData(approveData);
    expect(early.notice).toBe(tr("en", "staff-join-waits"));
    expect(worker.last().text).not.toBe(tr("en", "decision-join-approved", { name: "<Textile & Co>" }));
    const statuses = () => h.db.transaction((tx) => tx.membership.findMany({ orderBy: { id: "asc" } })).then((ms) => ms.map((m) => [m.role, m.status]));
    expect(await statuses()).toEqual([
      ["owner", "pending"],
      ["employee", "pending"],
    ]);

    // Once the enterprise is approved, the join notice is refreshed with an Approve button.
    const application = admin.messages().find((m) => m.text.includes(tr("ru", "notice-application-title", { id: "A-1" })));
    await admin.pressData(application!.message.choices![0]![0]!.data);
    expect(joinNotice()!.text).not.toContain(tr("ru", "notice-join-waits", { ref: "A-1" }));
    await admin.pressData(joinNotice()!.message.choices![0]![0]!.data);
    expect(worker.last().text).toBe(tr("en", "decision-join-approved", { name: "<Textile & Co>" }));
    expect(await statuses()).toEqual([
      ["owner", "active"],
      ["employee", "active"],
    ]);
    expect(await enterprises()).toHaveLength(1); // the BIN was not duplicated
  });

  it("does not reveal whose IIN is registered", async () => {
    const owner = h.person("105", { language: "ru" });
    await fillApplication(owner, "ru", { bin: IIN, name: "ИП Иванова" });
    await owner.press(tr("ru", "reg-confirm-button"));
    const other = h.person("106", { language: "ru" });
    await other.send("/start");
    await other.press(tr("ru", "menu-register"));
    await other.press(tr("ru", "consent-agree"));
    await other.send(IIN);
    expect(other.last().text).toBe(tr("ru", "reg-iin-taken"));
    expect(other.messages().some((m) => m.text.includes("Иванова"))).toBe(false);
  });

  it("lets any field be changed from the summary", async () => {
    const p = h.person("107", { language: "en" });
    await fillApplication(p, "en");
    await p.press(tr("en", "edit-region"));
    await p.press(tr("en", "region-shymkent"));
    await p.press(tr("en", "edit-employees"));
    await p.send("12");
    await p.press(tr("en", "edit-name"));
    await p.send("Shymkent Leather LLP");
    expect(p.last().text).toContain(tr("en", "region-shymkent"));
    await p.press(tr("en", "reg-confirm-button"));
    expect((await enterprises())[0]).toMatchObject({ name: "Shymkent Leather LLP", region: "shymkent", employees: 12 });
  });

  it.each([
    ["/cancel", "en", false],
    // A bare word in a free-text question may be the answer (a name): the bot asks which was meant.
    ["отмена", "ru", true],
    ["Болдырмау", "kk", true],
    ["cancel", "en", true],
  ] as const)("%s leaves the registration (person speaks %s)", async (word, locale, asks) => {
    const p = h.person("108", { language: locale });
    await p.send("/start");
    await p.press(tr(locale, "menu-register"));
    await p.press(tr(locale, "consent-agree"));
    await p.send(IIN);
    p.fresh();
    await p.send(word);
    if (asks) {
      // A bare word in a free-text question: the bot asks whether it is the answer.
      expect(p.fresh()).toEqual([tr(locale, "dialog-word-or-cancel", { text: word })]);
    } else {
      // Leaving the whole registration asks first (answers would be lost), then says what the
      // summary's own Cancel says.
      expect(p.last().text).toBe(tr(locale, "flow-leave-ask", { flow: tr(locale, "flow-register") }));
      p.fresh();
    }
    await p.press(tr(locale, "flow-leave-button"));
    const [cancelled, menu] = p.fresh();
    expect(cancelled).toBe(tr(locale, "reg-cancelled"));
    expect(menu).toBe(tr(locale, "menu-prompt"));
    expect(p.buttons()).toContain(tr(locale, "menu-register"));
    // The next answer is not taken for the abandoned question.
    await p.send("Textile");
    expect(p.last().text).toContain(tr(locale, "error-need-choice"));
  });

  it("leaves the registration from the menu after asking, and stays when the person says so", async () => {
    const p = h.person("120", { language: "ru" });
    await p.send("/start");
    const menu = p.last();
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-agree"));
    await p.send(IIN);
    // "/menu" asks first; "Continue" asks the same question again.
    await p.send("/menu");
    expect(p.last().text).toBe(tr("ru", "flow-leave-ask", { flow: tr("ru", "flow-register") }));
    await p.press(tr("ru", "flow-stay-button"));
    expect(p.last().text).toBe(tr("ru", "reg-ask-name"));
    p.fresh();
    // An old menu's Help answers and asks the same question again.
    await p.pressData(menu.message.choices!.flat().find((b) => b.label === tr("ru", "menu-help"))!.data);
    expect(p.fresh()).toEqual([tr("ru", "help-text"), tr("ru", "reg-ask-name")]);
    // An old menu's "Register" is this very task: nothing to leave (issue 5, fault 4).
    const again = await p.pressData(menu.message.choices!.flat().find((b) => b.label === tr("ru", "menu-register"))!.data);
    expect(again.notice).toBe(tr("ru", "flow-already-here"));
    expect(p.fresh()).toEqual([]);
    await p.send("Textile Company");
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
  });

  it("/cancel while changing one field from the summary goes back to the summary, keeping the registration", async () => {
    const p = h.person("121", { language: "en" });
    await fillApplication(p, "en", { bin: BIN, name: "Kept Textile" });
    const summary = p.last().text;
    for (const button of ["edit-name", "edit-region", "edit-phone", "edit-bin"]) {
      await p.press(tr("en", button));
      p.fresh();
      await p.send("/cancel");
      expect(p.fresh()).toEqual([summary]);
    }
    // Nothing was lost: confirming sends the application as it was.
    await p.press(tr("en", "reg-confirm-button"));
    expect((await enterprises())[0]).toMatchObject({ name: "Kept Textile", bin: BIN, status: "pending" });
  });

  it("does not take a command typed in the middle of a question as the answer", async () => {
    const p = h.person("121", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-register"));
    await p.press(tr("en", "consent-agree"));
    await p.send(IIN);
    p.fresh();
    await p.send("/frobnicate");
    // One message: the reason and the question again.
    expect(p.fresh()).toEqual([`${tr("en", "error-unknown-command")}\n\n${tr("en", "reg-ask-name")}`]);
    await p.send("/profile");
    expect(p.last().text).toBe(tr("en", "flow-leave-ask", { flow: tr("en", "flow-register") }));
    p.fresh();
    await p.press(tr("en", "flow-leave-button"));
    // Left, then "My enterprise" opened: there is none yet, so the menu follows.
    expect(p.fresh()).toEqual([tr("en", "reg-cancelled"), tr("en", "profile-none"), tr("en", "menu-prompt")]);
    const enterprises = await h.db.transaction((tx) => tx.enterprise.count());
    expect(enterprises).toBe(0);
  });

  it("continues at the same question after a restart", async () => {
    const p = h.person("109", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-agree"));
    await p.send(IIN);
    await p.send("Текстиль");
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
    await h.restart();
    await p.press(tr("ru", "region-karaganda"));
    expect(p.last().text).toBe(tr("ru", "reg-ask-sector"));
  });

  it("handles the same update delivered twice once", async () => {
    const p = h.person("110", { language: "en" });
    await p.send("/start");
    const before = p.messages().length;
    const inbound = {
      id: "telegram:dup-1",
      channel: "telegram" as const,
      chatId: "110",
      userId: "110",
      chatType: "private" as const,
      event: { type: "choice" as const, data: p.last().message.choices![0]![0]!.data },
    };
    const first = await h.handle(inbound);
    const second = await h.handle(inbound);
    expect(first.duplicate).toBeUndefined();
    expect(second).toEqual({ duplicate: true });
    expect(p.messages().length - before).toBe(1); // the consent question, once
  });

  it("takes a typed number or a typed option label as a choice", async () => {
    const p = h.person("111", { language: "ru" });
    await p.send("/start");
    await p.send("1"); // the first menu entry: register
    expect(p.last().text).toContain(tr("ru", "consent-text").split("\n")[0]!);
    await p.send(tr("ru", "consent-agree"));
    expect(p.last().text).toBe(tr("ru", "reg-ask-bin"));
    await p.send(IIN);
    await p.send("Текстиль");
    await p.send("г. алматы"); // a label typed, in another case
    expect(p.last().text).toBe(tr("ru", "reg-ask-sector"));
    await p.send("leather and footwear"); // the label in another language
    expect(p.last().text).toBe(tr("ru", "reg-ask-employees"));
    await p.send("2"); // a number where a number is the answer
    expect(p.last().text).toBe(tr("ru", "reg-ask-contact"));
  });

  it("switches language in the middle and asks the same question again in the new language", async () => {
    const p = h.person("112", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    await p.press(tr("ru", "consent-agree"));
    await p.send("/language");
    await p.press("Қазақша");
    const [changed, question] = p.fresh().slice(-2);
    expect(changed).toBe(tr("kk", "language-changed"));
    expect(question).toBe(tr("kk", "reg-ask-bin"));
    await p.send(IIN);
    expect(p.fresh()).toContain(tr("kk", "reg-ask-name"));
  });

  it("refuses a button of an earlier question without taking it as an answer", async () => {
    const p = h.person("113", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-register"));
    const consent = p.last();
    await p.press(tr("en", "consent-agree"));
    const result = await p.pressData(consent.message.choices![1]![0]!.data); // "I do not agree", late
    expect(result.notice).toBe(tr("en", "button-stale"));
    await p.send(IIN);
    expect(p.last().text).toBe(tr("en", "reg-ask-name"));
  });

  it("keeps hostile names intact in the staff notice", async () => {
    const hostile = "<b>Textile & Co</b> 🧵\u200b «Тоқыма»";
    const p = h.person("114", { language: "en" });
    await fillApplication(p, "en", { name: hostile });
    await p.press(tr("en", "reg-confirm-button"));
    const notice = h.person("900").last();
    expect(notice.text).toContain("<b>Textile & Co</b> 🧵 «Тоқыма»");
    expect(notice.message.text).toContain("&lt;b&gt;Textile &amp; Co&lt;/b&gt;");
  });

  it("restarts a flow stored by an older version of the bot politely", async () => {
    const p = h.person("115", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-register"));
    await p.press(tr("en", "consent-agree"));
    await h.db.transaction((tx) => tx.dialogState.updateMany({ data: { version: 0 } }));
    p.fresh();
    await p.send(IIN);
    const fresh = p.fresh();
    expect(fresh[0]).toBe(tr("en", "flow-restarted"));
    expect(fresh).toContain(tr("en", "reg-ask-bin")); // consent is remembered; the first question again
  });
});
