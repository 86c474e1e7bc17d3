/**
 * Review: personal data is stored only after consent, shown only to whom it belongs (and staff),
 * and erasure touches the erased person's data only, all of it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { BIN, enterprises, IIN, noticeButton, rejectNewest, requestToJoin } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

const start = () => startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
const admin = () => h.person("900", { language: "en", name: "Dana" });

async function erase(p: ReturnType<Harness["person"]>, locale: "en" | "ru" | "kk") {
  await p.send("/start");
  await p.press(tr(locale, "menu-privacy"));
  await p.press(tr(locale, "privacy-erase-button"));
  await p.press(tr(locale, "privacy-erase-yes"));
  expect(p.last().text).toBe(tr(locale, "privacy-erased"));
}

describe("erasure touches only the erased person", () => {
  it("erasing an earlier, rejected applicant does not withdraw another person's pending application for the same BIN", async () => {
    h = await start();
    const first = h.person("100", { language: "en" });
    await applyForMembership(first, "en", { bin: BIN, name: "First Try" });
    await rejectNewest(admin(), "Not you");
    const second = h.person("101", { language: "ru" });
    await applyForMembership(second, "ru", { bin: BIN, name: "Real Owner LLP" });
    const holder = async () => (await enterprises(h)).find((e) => e.bin === BIN);
    expect(await holder()).toMatchObject({ name: "Real Owner LLP", status: "pending" });

    await erase(first, "en");
    expect(await holder()).toMatchObject({ name: "Real Owner LLP", status: "pending" });
    // Staff can still decide on the second person's application.
    const notice = admin().messages().find((m) => m.text.includes("Real Owner LLP"));
    expect(notice?.message.choices?.flat()).toHaveLength(2);
  });

  it("erasing an earlier, rejected applicant does not anonymise the sole proprietor who registered the IIN afterwards", async () => {
    h = await start();
    const impostor = h.person("100", { language: "en" });
    await applyForMembership(impostor, "en", { bin: IIN, name: "Guess" });
    await rejectNewest(admin(), "This IIN is not yours");
    const owner = h.person("101", { language: "kk" });
    await applyForMembership(owner, "kk", { bin: IIN, name: "IP Aigerim" });
    await admin().pressData(noticeButton(admin(), 0));
    const holder = async () => (await enterprises(h)).find((e) => e.name === "IP Aigerim");
    expect(await holder()).toMatchObject({ bin: IIN, status: "active" });

    await erase(impostor, "en");
    expect(await holder()).toMatchObject({ bin: IIN, status: "active" });
  });

  it("a sole proprietor's erasure removes their IIN from the join-request notices too", async () => {
    h = await start();
    const owner = h.person("100", { language: "en" });
    await applyForMembership(owner, "en", { bin: IIN, name: "IP Aigerim" });
    await admin().pressData(noticeButton(admin(), 0));
    await requestToJoin(h.person("101", { language: "en" }), "en", IIN);
    await erase(owner, "en");
    const withIin = h.channel.messages.filter((m) => m.chatId === "900" && (m.text.includes(IIN) || m.text.includes("IP Aigerim")));
    expect(withIin.map((m) => m.text.split("\n")[0])).toEqual([]);
  });
});

describe("an IIN belongs to a person", () => {
  it("asking to join the holder of an IIN does not reveal its trade name", async () => {
    h = await start();
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: IIN, name: "IP Secret Trade Name" });
    const curious = h.person("101", { language: "en" });
    await curious.send("/start");
    await curious.press(tr("en", "menu-register"));
    await curious.press(tr("en", "consent-agree"));
    await curious.send(IIN);
    expect(curious.last().text).toBe(tr("en", "reg-iin-taken")); // no name here...
    await curious.press(tr("en", "reg-join-button"));
    // ...nor on the next screen.
    expect(curious.messages().filter((m) => m.text.includes("Secret Trade Name")).map((m) => m.text.split("\n")[0])).toEqual([]);
  });

  it("a rejected applicant does not see the enterprise another person registered afterwards with the same IIN", async () => {
    h = await start();
    const impostor = h.person("100", { language: "en" });
    await applyForMembership(impostor, "en", { bin: IIN, name: "Guess" });
    await rejectNewest(admin(), "This IIN is not yours");
    await applyForMembership(h.person("101", { language: "en" }), "en", { bin: IIN, name: "IP Real Owner" });
    await impostor.press(tr("en", "menu-profile"));
    expect(impostor.last().text).not.toContain("IP Real Owner");
  });
});

describe("nothing personal before consent", () => {
  it("text typed at the main menu before consent is not kept", async () => {
    h = await start();
    const p = h.person("100", { language: "ru" });
    await p.send("/start");
    await p.send("Здравствуйте, я Айгерим Нурланова, мой телефон 8 701 123 45 67");
    expect(p.last().text).toContain(tr("ru", "error-need-choice"));
    const rows = await h.db.transaction((tx) => tx.dialogState.findMany());
    const stored = rows.map((r) => r.state).join("\n");
    expect(stored).not.toContain("Нурланова");
    expect(stored).not.toContain("123 45 67");
  });
});

describe("people who are no longer staff", () => {
  it("a revoked staff member's old copy of a notice is not updated with the applicant's new details", async () => {
    h = await start();
    const boss = admin();
    await boss.send("/start");
    await boss.press(tr("en", "menu-team"));
    await boss.press(tr("en", "team-add-staff"));
    await boss.send("901");
    const former = h.person("901", { language: "en" });
    await former.send("/start");
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN });
    expect(former.messages().some((m) => m.text.includes("+7 701 123 4567"))).toBe(true); // staff then

    // The staff member leaves; the admin revokes the role (the staff list is still open).
    await boss.press(tr("en", "team-revoke", { name: "telegram 901" }));
    await boss.press(tr("en", "button-yes"));
    expect(boss.fresh()).toContain(tr("en", "team-revoked", { name: "telegram 901" }));

    // The applicant changes their phone number; the old copy in the former staff member's chat must not show it.
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "edit-phone"));
    await applicant.send("+7 705 555 44 33");
    expect(former.messages().filter((m) => m.text.includes("+7 705 555 4433")).map((m) => m.text.split("\n")[0])).toEqual([]);
  });
});
