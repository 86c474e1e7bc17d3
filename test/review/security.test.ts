/**
 * Review: staff actions must act only on what staff saw and meant, and roles must be what the
 * configuration and the database say at the moment of the action.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, i18n, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { openTestDatabase } from "../support/db-template.ts";
import { createCore } from "../../src/core/core.ts";
import { silentLogger } from "../../src/log.ts";
import type { CoreSettings } from "../../src/core/turn.ts";
import { applicationNotice, BIN, enterprises, IIN, noticeButton } from "./helpers.ts";

const ADMINS: CoreSettings["admins"] = [
  { channel: "telegram", id: "900" },
  { channel: "telegram", id: "901" },
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("typed answers of staff members", () => {
  it("a staff member answering a free-text question with a small number does not approve an application", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    // The admin registers their own enterprise and reaches "How many employees?".
    const admin = h.person("900", { language: "en", name: "Dana" });
    await admin.send("/start");
    await admin.press(tr("en", "menu-register"));
    await admin.press(tr("en", "consent-agree"));
    await admin.send(BIN);
    await admin.send("Dana Textile");
    await admin.press(tr("en", "region-astana"));
    await admin.press(tr("en", "sector-textiles"));
    expect(admin.last().text).toBe(tr("en", "reg-ask-employees"));

    // Meanwhile someone applies; the notice (with Approve/Reject) reaches the admin privately.
    await applyForMembership(h.person("100", { language: "ru" }), "ru", { bin: IIN });
    admin.fresh();

    // "1" is the answer to the question on the screen: one employee.
    await admin.send("1");
    const [applicant] = (await enterprises(h)).filter((e) => e.bin === IIN);
    expect(applicant?.status).toBe("pending");
    expect(admin.fresh()).toContain(tr("en", "reg-ask-contact"));
  });
});

describe("decisions bound to what staff saw", () => {
  it("a reason typed for an application that was meanwhile rejected and re-submitted does not reject the new submission", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN });
    const olzhas = h.person("901", { language: "ru", name: "Олжас" });
    const dana = h.person("900", { language: "en", name: "Dana" });

    // Olzhas presses Reject and is asked for the reason...
    await olzhas.pressData(noticeButton(olzhas, 1));
    expect(olzhas.last().text).toBe(tr("ru", "staff-reject-ask-application", { id: "A-1" }));
    // ...while Dana rejects it first,
    await dana.pressData(noticeButton(dana, 1));
    await dana.send("Documents missing");
    // and the applicant corrects the application and sends it again (same BIN).
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "profile-reapply"));
    // The summary comes prefilled with the rejected answers: only the name is corrected.
    await applicant.press(tr("en", "edit-name"));
    await applicant.send("Textile Company (corrected)");
    await applicant.press(tr("en", "reg-confirm-button"));
    expect((await enterprises(h)).at(-1)).toMatchObject({ status: "pending", name: "Textile Company (corrected)" });

    // Olzhas now types the reason he had in mind for the first submission.
    await olzhas.send("Не лёгкая промышленность");
    const last = (await enterprises(h)).at(-1);
    expect(last).toMatchObject({ name: "Textile Company (corrected)", status: "pending" });
  });

  it("an edit of the name typed while staff approve goes to staff for approval instead of changing the member's name", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN });
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "edit-name"));
    expect(applicant.last().text).toBe(tr("en", "profile-ask-name"));

    const dana = h.person("900", { language: "en", name: "Dana" });
    await dana.pressData(noticeButton(dana, 0));
    expect((await enterprises(h))[0]).toMatchObject({ status: "active" });

    await applicant.send("Totally Different Company");
    // The enterprise is approved now: its name changes only with staff approval.
    expect((await enterprises(h))[0]).toMatchObject({ status: "active", name: "Textile Company" });
    const changes = await h.db.transaction((tx) => tx.enterpriseChange.findMany());
    expect(changes).toMatchObject([{ field: "name", newValue: "Totally Different Company", status: "pending" }]);
    // The decided notice keeps saying who approved it, without buttons.
    const notice = applicationNotice(dana, 1);
    expect(notice?.text).toContain(tr("ru", "notice-decided-approved", { by: "Dana" }));
    expect(notice?.message.choices ?? []).toEqual([]);
  });

  it("an Approve pressed on a notice that showed the application before the applicant changed it does not approve the changed one", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN, name: "Textile Company" });
    const dana = h.person("900", { language: "en", name: "Dana" });
    const seen = noticeButton(dana, 0); // what Dana looked at: "Textile Company"
    // The applicant renames the pending application (allowed at once), e.g. to something improper,
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "edit-name"));
    await applicant.send("Something Staff Never Saw");
    // and Dana's press, made on what she saw a moment ago, arrives just after.
    await dana.pressData(seen);
    expect((await enterprises(h))[0]).toMatchObject({ name: "Something Staff Never Saw", status: "pending" });
  });

  it("a contact edit after the decision does not give the decided notice its buttons back", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN });
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "edit-phone"));
    const dana = h.person("900", { language: "en", name: "Dana" });
    await dana.pressData(noticeButton(dana, 0));
    await applicant.send("+7 702 999 88 77");
    const notice = applicationNotice(dana, 1);
    expect(notice?.text).toContain(tr("ru", "notice-decided-approved", { by: "Dana" }));
    expect(notice?.message.choices ?? []).toEqual([]);
  });
});

describe("roles", () => {
  it("an admin made in the bot cannot demote a configured admin by adding them as staff", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const boss = h.person("900", { language: "en" });
    await boss.send("/start");
    await boss.press(tr("en", "menu-team"));
    await boss.press(tr("en", "team-add-admin"));
    await boss.send("901");
    const other = h.person("901", { language: "en" });
    await other.send("/start");
    await other.press(tr("en", "menu-team"));
    await other.press(tr("en", "team-add-staff"));
    await other.send("900");
    const role = await h.db.transaction((tx) =>
      tx.person.findFirstOrThrow({ where: { identities: { some: { externalId: "900" } } }, select: { role: true } }),
    );
    expect(role.role).toBe("admin");
  });

  it("an id removed from STAFF_TELEGRAM_IDS is no longer an admin after the next start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "qti-review-"));
    const url = `file:${join(dir, "bot.db")}`;
    try {
      let db = await openTestDatabase(url);
      await createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [{ channel: "telegram", id: "900" }] } }).start();
      await db.close();
      // The admin left the association; the operator removes the id from the configuration.
      db = await openTestDatabase(url);
      await createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [] } }).start();
      const person = await db.transaction((tx) => tx.person.findFirstOrThrow({ where: { identities: { some: { externalId: "900" } } } }));
      await db.close();
      expect(person.role).toBe("member");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("conflict of interest (policy)", () => {
  it("a staff member cannot approve their own enterprise's application", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const dana = h.person("900", { language: "en", name: "Dana" });
    await applyForMembership(dana, "en", { bin: BIN });
    const r = await dana.pressData(noticeButton(dana, 0));
    expect((await enterprises(h))[0]).toMatchObject({ status: "pending" });
    // Refused, with a reason (any refusal text), and the approval is not confirmed.
    expect(r.notice).toBeTruthy();
    expect(r.notice).not.toBe(tr("en", "staff-approved-notice"));
  });
});
