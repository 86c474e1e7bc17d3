/**
 * Review: nobody gets stuck, and what people are told fits what happened.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { createLogger } from "../../src/log.ts";
import { applicationNotice, BIN, BIN2, enterprises, noticeButton, rejectNewest, requestToJoin } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

const admin = () => h.person("900", { language: "en", name: "Dana" });
const membershipOf = (externalId: string) =>
  h.db.transaction((tx) => tx.membership.findFirst({ where: { person: { identities: { some: { externalId } } } } }));

describe("employees", () => {
  it("someone whose join request was rejected can still register their own enterprise", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const worker = h.person("101", { language: "en" });
    await requestToJoin(worker, "en", BIN);
    await rejectNewest(admin(), "We do not know you", (t) => t.includes("Dana") || t.includes("J-2"));
    expect(await membershipOf("101")).toMatchObject({ role: "employee", status: "rejected" });

    // The buttons must lead somewhere: the main menu offers "My enterprise", which offers only "Back",
    // and /register is not in the command menu Telegram shows (MEMBER_COMMANDS).
    await worker.send("/start");
    const menu = worker.buttons();
    await worker.press(tr("en", "menu-profile"));
    const profile = worker.buttons();
    expect(menu.includes(tr("en", "menu-register")) || profile.some((b) => b !== tr("en", "button-back"))).toBe(true);
  });

  it("a join request to an application that staff then reject cannot be approved afterwards", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const worker = h.person("101", { language: "en" });
    await requestToJoin(worker, "en", BIN);
    const a = admin();
    // Reject the enterprise's application (notice A-1), then press Approve on the join request (J-2).
    const approveJoin = noticeButton(a, 0, (t) => /J-2\b/.test(t));
    await rejectNewest(a, "Not light industry", (t) => /A-1\b/.test(t) && !/J-\d/.test(t));
    expect((await enterprises(h))[0]).toMatchObject({ status: "rejected" });
    await a.pressData(approveJoin);
    expect((await membershipOf("101"))?.status).not.toBe("active");
    // The join request was closed with the application, and its notice lost its buttons.
    expect(a.messages().find((m) => /J-2\b/.test(m.text))?.message.choices ?? []).toEqual([]);
  });

  it("an employee is not left a member of an enterprise whose application is rejected", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const worker = h.person("101", { language: "en" });
    await requestToJoin(worker, "en", BIN);
    const a = admin();
    // Approving the join first is refused: the enterprise is not a member yet.
    const early = await a.pressData(noticeButton(a, 0, (t) => /J-2\b/.test(t)));
    expect(early.notice).toBe(tr("en", "staff-join-waits"));
    expect((await membershipOf("101"))?.status).toBe("pending");
    await rejectNewest(a, "Not light industry", (t) => /A-1\b/.test(t) && !/J-\d/.test(t));
    expect((await enterprises(h))[0]).toMatchObject({ status: "rejected" });
    expect((await membershipOf("101"))?.status).not.toBe("active");
  });
});

describe("editing a pending application", () => {
  it("changing the BIN to one a rejected application used does not fail with an error", async () => {
    const lines: string[] = [];
    h = await startHarness({
      settings: { admins: [{ channel: "telegram", id: "900" }] },
      log: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN, name: "Wrong Owner" });
    await rejectNewest(admin(), "Not yours");
    // The real owner first typed a wrong BIN, and corrects it while the application is pending.
    const owner = h.person("101", { language: "en" });
    await applyForMembership(owner, "en", { bin: BIN2, name: "Real Owner" });
    await owner.press(tr("en", "menu-profile"));
    await owner.press(tr("en", "edit-bin"));
    owner.fresh();
    await owner.send(BIN);
    expect(owner.fresh().join("\n")).not.toContain(tr("en", "error-generic"));
    expect(lines.filter((l) => l.includes('"error"'))).toEqual([]);
  });
});

describe("staff history", () => {
  it("a rejected notice keeps its rejection when the same BIN is applied for again and approved", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en", { bin: BIN });
    const a = admin();
    await rejectNewest(a, "Documents missing");
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "profile-reapply"));
    // The summary comes prefilled with the rejected answers: sent again as it was.
    await applicant.press(tr("en", "reg-confirm-button"));
    await a.pressData(noticeButton(a, 0));
    expect((await enterprises(h))[0]).toMatchObject({ status: "active" });
    // The first notice recorded a rejection; it must not now claim an approval.
    const first = applicationNotice(a, 1);
    expect(first?.text).toContain(tr("ru", "notice-decided-rejected-reason", { by: "Dana", reason: "Documents missing" }));
  });
});

describe("dates", () => {
  it("'My data' shows the day of consent in Kazakhstan's time (UTC+5), not UTC", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openTestDatabase } = await import("../support/db-template.ts");
    const { createCore } = await import("../../src/core/core.ts");
    const { silentLogger } = await import("../../src/log.ts");
    const { i18n, RecordingChannel } = await import("../support/core-harness.ts");
    const dir = mkdtempSync(join(tmpdir(), "qti-review-"));
    const db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
    // 02:30 in Almaty on 26 November is 21:30 UTC on 25 November.
    const core = createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [] }, clock: () => new Date("2026-11-25T21:30:00Z") });
    const channel = new RecordingChannel("telegram");
    await core.dispatcher.register(channel);
    let n = 1;
    const say = async (event: { type: "text"; text: string } | { type: "choice"; data: string }) => {
      await core.handle({ id: `t:${n++}`, channel: "telegram", chatId: "100", userId: "100", chatType: "private", languageHint: "en", event });
      await core.dispatcher.idle();
    };
    const press = async (label: string) => {
      const m = [...channel.messages].reverse().find((x) => x.message.choices?.flat().some((b) => b.label === label));
      await say({ type: "choice", data: m!.message.choices!.flat().find((b) => b.label === label)!.data });
    };
    try {
      await say({ type: "text", text: "/start" });
      await press(tr("en", "menu-register"));
      await press(tr("en", "consent-agree"));
      await say({ type: "text", text: "/cancel" });
      await press(tr("en", "flow-leave-button"));
      await press(tr("en", "menu-privacy"));
      expect(channel.messages.at(-1)?.text).toContain("26.11.2026");
    } finally {
      await core.idle();
      await core.dispatcher.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("what new staff are told", () => {
  it("a new staff member told that new applications will be sent to them does receive them (staff group configured)", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }], staffChat: { channel: "telegram", chatId: "-100500" } } });
    const boss = admin();
    await boss.send("/start");
    await boss.press(tr("en", "menu-team"));
    await boss.press(tr("en", "team-add-staff"));
    await boss.send("901");
    const fresh = h.person("901", { language: "en" });
    await fresh.send("/start");
    const promised = fresh.messages().some((m) => m.text === tr("ru", "team-you-are-staff") || m.text === tr("en", "team-you-are-staff"));
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const received = fresh.messages().some((m) => /A-1\b/.test(m.text));
    expect(!promised || received).toBe(true);
  });
});
