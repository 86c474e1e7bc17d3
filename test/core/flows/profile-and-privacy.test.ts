import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { Locale } from "../../../src/i18n/locales.ts";

const IIN = "061211600012";
const BIN = "990140000384";
const OTHER_BIN = "120440001234";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
});
afterEach(async () => h.close());


const enterprise = () => h.db.transaction((tx) => tx.enterprise.findFirstOrThrow());
const admin = () => h.person("900", { language: "en", name: "Dana" });
const noticesIn = (p: TestPerson, titleKey: string, args: Record<string, string | number>) =>
  p.messages().filter((m) => m.text.includes(tr("ru", titleKey, args)));

describe("my enterprise", () => {
  it("changes a pending application at once and updates the staff notice", async () => {
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: BIN });
    await p.press(tr("en", "menu-profile"));
    expect(p.last().text).toContain(tr("en", "membership-pending"));
    await p.press(tr("en", "edit-name"));
    await p.send("Renamed Textile");
    expect(p.fresh()).toContain(tr("en", "profile-updated"));
    expect(await enterprise()).toMatchObject({ name: "Renamed Textile", status: "pending" });
    const [notice] = noticesIn(admin(), "notice-application-title", { id: "A-1" });
    expect(notice?.text).toContain("Renamed Textile");
    expect(notice?.edited).toBe(1);
    expect(notice?.message.choices?.flat()).toHaveLength(2); // still to be decided
  });

  it("sends a name or BIN change of an approved enterprise to staff, and changes the rest at once", async () => {
    const p = h.person("100", { language: "ru" });
    await applyForMembership(p, "ru", { bin: BIN });
    await admin().press(tr("ru", "notice-approve"));
    await p.press(tr("ru", "menu-profile"));
    await p.press(tr("ru", "edit-region"));
    await p.press(tr("ru", "region-shymkent"));
    expect(p.fresh()).toContain(tr("ru", "profile-updated"));
    expect(await enterprise()).toMatchObject({ region: "shymkent" });

    await p.press(tr("ru", "edit-bin"));
    await p.send(OTHER_BIN);
    expect(p.fresh()).toContain(tr("ru", "profile-change-sent"));
    expect(await enterprise()).toMatchObject({ bin: BIN }); // unchanged until staff approve
    // "My enterprise" shows the change that waits for staff, naming the field.
    expect(p.last().text).toContain(tr("ru", "profile-change-pending", { field: tr("ru", "field-bin"), value: OTHER_BIN }));
    const a = admin();
    // The admin has written since (in English), so later notices come in English.
    const [notice] = a.messages().filter((m) => m.text.includes(tr("en", "notice-change-title", { id: "C-1", name: "Textile Company" })));
    expect(notice?.text).toContain(OTHER_BIN);
    await a.pressData(notice!.message.choices![0]![0]!.data);
    expect(await enterprise()).toMatchObject({ bin: OTHER_BIN, binKind: "legal-entity" });
    // The approval names the field that changed.
    expect(p.last().text).toBe(tr("ru", "decision-change-approved-field", { name: "Textile Company", field: tr("ru", "field-bin"), value: OTHER_BIN }));
  });

  it("shows a rejected applicant the reason and lets them apply again", async () => {
    const p = h.person("100", { language: "kk" });
    await applyForMembership(p, "kk", { bin: BIN });
    const a = admin();
    await a.press(tr("ru", "notice-reject"));
    await a.send("Құжаттар толық емес");
    await p.press(tr("kk", "menu-profile"));
    expect(p.last().text).toContain(tr("kk", "profile-rejected-reason", { reason: "Құжаттар толық емес" }));
    await p.press(tr("kk", "profile-reapply"));
    // Consent is not asked twice, and no question either: the summary, prefilled (fault 17).
    expect(p.last().text).toContain(BIN);
    expect(p.buttons()).toContain(tr("kk", "reg-confirm-button"));
  });

  it("lets an employee change only their own contact details", async () => {
    const owner = h.person("100", { language: "en" });
    await applyForMembership(owner, "en", { bin: BIN });
    const worker = h.person("101", { language: "en" });
    await worker.send("/start");
    await worker.press(tr("en", "menu-register"));
    await worker.press(tr("en", "consent-agree"));
    await worker.send(BIN);
    await worker.press(tr("en", "reg-join-button"));
    await worker.send("Dana");
    await worker.send("87021112233");
    await worker.press(tr("en", "join-confirm-button"));
    await worker.press(tr("en", "menu-profile"));
    expect(worker.buttons()).toEqual([tr("en", "edit-contact"), tr("en", "edit-phone"), tr("en", "button-back")]);
    // A forged edit button of the owner's menu is not an answer here.
    const r = await worker.pressData(`${worker.last().message.choices![0]![0]!.data.split(":")[0]}:name`);
    expect(r.notice).toBe(tr("en", "button-stale"));
    await worker.press(tr("en", "edit-phone"));
    await worker.send("+7 702 999 88 77");
    const person = await h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { identities: { some: { externalId: "101" } } } }));
    expect(person.phone).toBe("+77029998877");
  });
});

describe("my data", () => {
  it("erases the person's data, withdraws the pending application and scrubs the staff notice", async () => {
    const p = h.person("100", { language: "ru" });
    await applyForMembership(p, "ru", { bin: BIN });
    await p.press(tr("ru", "menu-privacy"));
    expect(p.last().text).toContain("Aigerim");
    await p.press(tr("ru", "privacy-erase-button"));
    await p.press(tr("ru", "privacy-erase-yes"));
    expect(p.last().text).toBe(tr("ru", "privacy-erased"));

    const people = await h.db.transaction((tx) => tx.person.findMany({ include: { identities: true, membership: true } }));
    const erased = people.find((x) => x.erasedAt);
    expect(erased).toMatchObject({ name: null, phone: null, locale: null, consentAt: null, identities: [], membership: null });
    expect(await enterprise()).toMatchObject({ status: "withdrawn" });
    const dialogs = await h.db.transaction((tx) => tx.dialogState.findMany({ where: { key: "telegram:100" } }));
    expect(dialogs).toEqual([]);
    const [notice] = noticesIn(admin(), "notice-application-title", { id: "A-1" });
    expect(notice?.text).not.toContain("Aigerim");
    expect(notice?.text).not.toContain("701");
    expect(notice?.text).toContain(tr("ru", "notice-decided-erased"));

    // Writing again starts afresh, as someone new.
    await p.send("/start");
    expect(p.last().text).toBe(tr("ru", "menu-prompt"));
    expect(p.buttons()).toContain(tr("ru", "menu-register"));
  });

  it("withdraws the person's pending change requests and scrubs a sole proprietor's values from them", async () => {
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: IIN });
    await admin().press(tr("ru", "notice-approve"));
    await p.press(tr("en", "menu-profile"));
    await p.press(tr("en", "edit-name"));
    await p.send("IP Aigerim Textile");
    await p.press(tr("en", "button-back"));
    await p.press(tr("en", "menu-privacy"));
    await p.press(tr("en", "privacy-erase-button"));
    await p.press(tr("en", "privacy-erase-yes"));
    const change = await h.db.transaction((tx) => tx.enterpriseChange.findFirstOrThrow());
    expect(change).toMatchObject({ status: "withdrawn", oldValue: "—", newValue: "—" });
    const notice = admin().messages().find((m) => m.text.includes(tr("en", "notice-change-title", { id: "C-1", name: "—" })));
    expect(notice?.text).toContain(tr("en", "notice-decided-withdrawn"));
    expect(notice?.text).not.toContain("Aigerim");
    expect(notice?.message.choices ?? []).toEqual([]);
    expect(admin().messages().some((m) => m.text.includes(IIN) && m.edited > 0)).toBe(false);
  });

  it("erases a sole proprietor's IIN too, freeing it", async () => {
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: IIN });
    await admin().press(tr("ru", "notice-approve"));
    await p.press(tr("en", "menu-privacy"));
    await p.press(tr("en", "privacy-erase-button"));
    await p.press(tr("en", "privacy-erase-yes"));
    const e = await enterprise();
    expect(e.bin).not.toContain(IIN);
    expect(e.name).not.toContain("Textile");
    expect(e.status).toBe("withdrawn");
  });
});
