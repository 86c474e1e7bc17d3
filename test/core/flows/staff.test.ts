import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { CoreSettings } from "../../../src/core/turn.ts";
import type { Locale } from "../../../src/i18n/locales.ts";

const IIN = "061211600012";
const BIN = "990140000384";
const ADMINS: CoreSettings["admins"] = [
  { channel: "telegram", id: "900" },
  { channel: "telegram", id: "901" },
];

let h: Harness;
afterEach(async () => h?.close());


const audit = () => h.db.transaction((tx) => tx.auditLog.findMany({ orderBy: { id: "asc" } }));
const enterprise = () => h.db.transaction((tx) => tx.enterprise.findFirstOrThrow());

/** The data of a staff notice's button in a chat (Approve = 0, Reject = 1). */
function noticeButton(p: TestPerson, index: 0 | 1): string {
  const notice = [...p.messages()].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:"));
  if (!notice) throw new Error("no staff notice");
  return notice.message.choices![0]![index]!.data;
}

describe("staff decisions", () => {
  it("two staff approving at once give one approval and one notice to the applicant", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "kk" });
    await applyForMembership(applicant, "kk");
    const a = h.person("900", { language: "en", name: "Dana" });
    const b = h.person("901", { language: "ru", name: "Олжас" });
    const [ra, rb] = await Promise.all([a.pressData(noticeButton(a, 0)), b.pressData(noticeButton(b, 0))]);
    const notices = [ra.notice, rb.notice];
    // Either may win: on SQLite turns run one at a time in arrival order, on PostgreSQL at once.
    expect([
      [tr("en", "staff-approved-notice"), tr("ru", "already-active")],
      [tr("en", "already-active"), tr("ru", "staff-approved-notice")],
    ]).toContainEqual(notices);
    const approvals = applicant.messages().filter((m) => m.text.includes(tr("kk", "decision-application-approved", { name: "Textile Company" }).split("\n")[0]!));
    expect(approvals).toHaveLength(1);
    expect(await enterprise()).toMatchObject({ status: "active" });
    expect((await audit()).filter((x) => x.action === "application-approve")).toHaveLength(1);
    // Both copies of the notice now say who decided, and have no buttons left.
    for (const p of [a, b]) {
      const notice = p.messages().find((m) => m.text.includes(tr("ru", "notice-application-title", { id: "A-1" })) || m.text.includes(tr("en", "notice-application-title", { id: "A-1" })));
      expect(notice?.message.choices ?? []).toEqual([]);
      expect(notice?.edited).toBeGreaterThan(0);
    }
  });

  it("one staff member pressing Approve twice approves once", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "ru" });
    await applyForMembership(applicant, "ru");
    const a = h.person("900", { language: "en" });
    const data = noticeButton(a, 0);
    await a.pressData(data);
    const again = await a.pressData(data);
    expect(again.notice).toBe(tr("en", "already-active"));
    expect(applicant.messages().filter((m) => m.text.startsWith(tr("ru", "decision-application-approved", { name: "Textile Company" }).slice(0, 20)))).toHaveLength(1);
  });

  it("refuses a forged Approve from a member and writes the attempt to the audit log", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "ru" });
    await applyForMembership(applicant, "ru");
    const intruder = h.person("666", { language: "en" });
    await intruder.send("/start");
    for (const data of ["s:ap:1:lz0", "s:ca:1:lz0", "s:zz:1:lz0", "s:ap:abc:lz0", "s:ap:1:lz0;drop", "s:ap:1"]) {
      const r = await intruder.pressData(data);
      expect(r.notice).toBe(tr("en", "error-not-allowed"));
    }
    expect(await enterprise()).toMatchObject({ status: "pending" });
    const denied = (await audit()).filter((x) => x.outcome === "denied");
    // The last one is an older format (no revision): refused as a staff action, not as forged.
    expect(denied.map((x) => x.action)).toEqual(["application-approve", "change-approve", "forged-button", "forged-button", "forged-button", "application-approve"]);
    expect(denied.every((x) => x.actorRef === "telegram:666")).toBe(true);
    // The applicant heard nothing.
    expect(applicant.last().text).toBe(tr("ru", "menu-prompt"));
  });

  it("refuses staff commands and menu entries to members, and audits them", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const intruder = h.person("666", { language: "ru" });
    await intruder.send("/start");
    await intruder.send("/pending");
    expect(intruder.fresh()).toContain(tr("ru", "error-not-allowed"));
    const r = await intruder.pressData("m:team");
    expect(r.notice).toBe(tr("ru", "error-not-allowed"));
    expect((await audit()).map((x) => [x.action, x.outcome])).toEqual([
      ["menu-pending", "denied"],
      ["menu-team", "denied"],
    ]);
  });

  it("asks for a reason when rejecting, and tells the applicant in their own language", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "kk" });
    await applyForMembership(applicant, "kk");
    const a = h.person("900", { language: "en", name: "Dana" });
    await a.pressData(noticeButton(a, 1));
    expect(a.last().text).toBe(tr("en", "staff-reject-ask-application", { id: "A-1" }));
    await a.send("   ");
    expect(a.last().text).toContain(tr("en", "error-reason-empty"));
    // Digits alone are no reason the applicant can read (issue 5, fault 19: every free-text field).
    await a.send("12345");
    expect(a.last().text).toContain(tr("en", "error-reason-no-letters"));
    await a.send("Кәсіпорын жеңіл өнеркәсіпке жатпайды <sic> & т.б.");
    expect(a.fresh()).toContain(tr("en", "staff-rejected-done-application", { ref: "A-1" }));
    expect(await enterprise()).toMatchObject({ status: "rejected", rejectReason: "Кәсіпорын жеңіл өнеркәсіпке жатпайды <sic> & т.б." });
    expect(applicant.last().text).toBe(
      tr("kk", "decision-application-rejected", { name: "Textile Company", reason: "Кәсіпорын жеңіл өнеркәсіпке жатпайды <sic> & т.б." }),
    );
    const notice = a.messages().find((m) => m.text.includes(tr("ru", "notice-application-title", { id: "A-1" })));
    expect(notice?.text).toContain(tr("ru", "notice-decided-rejected-reason", { by: "Dana", reason: "Кәсіпорын жеңіл өнеркәсіпке жатпайды <sic> & т.б." }));
  });

  it("leaves the application undecided when the reason is cancelled", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await applyForMembership(h.person("100", { language: "ru" }), "ru");
    const a = h.person("900", { language: "ru" });
    await a.pressData(noticeButton(a, 1));
    await a.send("/cancel");
    expect(a.fresh()).toContain(tr("ru", "flow-cancelled"));
    expect(await enterprise()).toMatchObject({ status: "pending" });
  });

  it("lists what is pending, with working buttons", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await applyForMembership(h.person("100", { language: "ru" }), "ru", { bin: IIN, name: "First" });
    await applyForMembership(h.person("101", { language: "ru" }), "ru", { bin: BIN, name: "Second" });
    const a = h.person("900", { language: "en" });
    await a.send("/start");
    a.fresh();
    await a.press(tr("en", "menu-pending"));
    const fresh = a.fresh();
    expect(fresh[0]).toBe(tr("en", "pending-summary", { applications: 2, joins: 0, changes: 0 }));
    expect(fresh.filter((t) => t.startsWith(tr("en", "notice-application-title", { id: "A-1" }).slice(0, 8)))).toHaveLength(2);
    await a.press(tr("en", "notice-approve"));
    const statuses = await h.db.transaction((tx) => tx.enterprise.findMany({ orderBy: { id: "asc" }, select: { status: true } }));
    expect(statuses.map((s) => s.status)).toEqual(["pending", "active"]);
  });
});

describe("the staff group", () => {
  it("receives the notices, and a rejection's reason is asked of the member who pressed, by reply", async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: "-100500" } } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en");
    const group = h.inGroup("-100500", "900", { name: "Dana", language: "en" });
    expect(group.last().text).toContain(tr("ru", "notice-application-title", { id: "A-1" }));
    expect(h.person("900").messages()).toEqual([]); // not privately as well

    await group.press(tr("ru", "notice-reject"));
    const ask = group.last();
    expect(ask.text).toBe(tr("en", "staff-reject-ask-application", { id: "A-1" }));
    expect(ask.message.replyFrom).toEqual({ userId: "900", name: "Dana" });
    // Another staff member's message in the group is not taken as the reason,
    await h.inGroup("-100500", "901", { name: "Олжас" }).send("не та причина", { replyTo: ask.messageId });
    expect(await enterprise()).toMatchObject({ status: "pending" });
    // nor is Dana's own remark that replies to something else.
    await group.send("позвоню им завтра", { replyTo: "1" });
    expect(group.last().text).toBe(tr("en", "group-reply-to-question"));
    expect(await enterprise()).toMatchObject({ status: "pending" });
    await group.send("Not a light-industry enterprise", { replyTo: ask.messageId });
    expect(await enterprise()).toMatchObject({ status: "rejected", rejectReason: "Not a light-industry enterprise" });
    expect(applicant.last().text).toContain("Not a light-industry enterprise");
  });

  it("is replaced by private notices when the bot cannot write to it, and admins are told", async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: "-100500" } } });
    h.channel.unreachable.add("-100500");
    const a = h.person("900", { language: "en" });
    await a.send("/start");
    await applyForMembership(h.person("100", { language: "ru" }), "ru");
    const texts = a.fresh();
    expect(texts).toContain(tr("en", "staff-chat-unreachable"));
    expect(texts.some((x) => x.startsWith(tr("en", "notice-application-title", { id: "A-1" })))).toBe(true);
    // The next application goes privately at once, without another warning.
    await applyForMembership(h.person("101", { language: "ru" }), "ru", { bin: BIN });
    const next = a.fresh();
    expect(next.filter((x) => x === tr("en", "staff-chat-unreachable"))).toEqual([]);
    expect(next.some((x) => x.startsWith(tr("en", "notice-application-title", { id: "A-2" })))).toBe(true);
    await a.press(tr("en", "notice-approve"));
    expect(await h.db.transaction((tx) => tx.enterprise.findMany({ where: { status: "active" } }))).toHaveLength(1);
  });

  it("answers staff commands there and refuses them to others", async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: "-100500" } } });
    await h.inGroup("-100500", "900").send("/pending");
    expect(h.person("-100500").last().text).toBe(tr("ru", "pending-none"));
    await h.inGroup("-100500", "555").send("/pending");
    expect(h.person("-100500").last().text).toBe(tr("ru", "error-not-allowed"));
    expect((await audit()).map((x) => [x.actorRef, x.outcome])).toEqual([["telegram:555", "denied"]]);
    // Ordinary chatter is ignored.
    const before = h.channel.messages.length;
    await h.inGroup("-100500", "555").send("привет всем");
    expect(h.channel.messages.length).toBe(before);
  });
});

describe("roles", () => {
  it("admins grant and revoke staff; configured admins stay; members cannot manage", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    const newcomer = h.person("700", { language: "kk" });
    await newcomer.send("/start");
    const admin = h.person("900", { language: "en" });
    await admin.send("/start");
    await admin.press(tr("en", "menu-team"));
    expect(admin.buttons()).not.toContain(tr("en", "team-revoke", { name: "telegram 900" }));
    await admin.press(tr("en", "team-add-staff"));
    await admin.send("not an id");
    expect(admin.last().text).toContain(tr("en", "team-error-user"));
    await admin.send("700");
    expect(admin.fresh()).toContain(tr("en", "team-granted-staff", { user: "700" }));
    expect(newcomer.last().text).toBe(tr("kk", "team-you-are-staff"));

    // The new staff member can now see pending work, but not manage staff.
    await newcomer.send("/pending");
    expect(newcomer.fresh()).toContain(tr("kk", "pending-none"));
    await newcomer.send("/staff");
    expect(newcomer.fresh()).toContain(tr("kk", "error-admins-only"));

    await admin.press(tr("en", "team-revoke", { name: "telegram 700" }));
    await admin.press(tr("en", "button-yes"));
    expect(admin.fresh()).toContain(tr("en", "team-revoked", { name: "telegram 700" }));
    await newcomer.send("/pending");
    expect(newcomer.fresh()).toContain(tr("kk", "error-not-allowed"));
    const roles = await h.db.transaction((tx) => tx.person.findMany({ select: { role: true }, orderBy: { id: "asc" } }));
    expect(roles.map((r) => r.role).sort()).toEqual(["admin", "member"]);
  });
});

describe("numbered options", () => {
  it("keep their meaning when a notification arrives in between", async () => {
    h = await startHarness({
      settings: { admins: [{ channel: "console", id: "900" }] },
      channel: "console",
      capabilities: { buttons: false, shareContact: false },
    });
    const applicant = h.person("you", { language: "kk" });
    await applyForMembership(applicant, "kk");
    await h.person("900").pressData(noticeButton(h.person("900"), 0));
    expect(applicant.last().text).toContain(tr("kk", "decision-application-approved", { name: "Textile Company" }).split("\n")[0]!);
    await applicant.send("1"); // the first entry of the menu shown before the notification
    expect(applicant.last().text).toContain(tr("kk", "profile-title", { name: "Textile Company" }));
  });
});

describe("what staff saw", () => {
  it("an Approve pressed before the applicant changed their phone is refused as outdated, and the new notice works", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en");
    const a = h.person("900", { language: "en" });
    const seen = noticeButton(a, 0);
    await applicant.press(tr("en", "menu-profile"));
    await applicant.press(tr("en", "edit-phone"));
    await applicant.send("+7 702 999 88 77");
    const r = await a.pressData(seen);
    expect(r.notice).toBe(tr("en", "already-outdated"));
    expect(await enterprise()).toMatchObject({ status: "pending" });
    // The notice was updated with the new phone, and its buttons work.
    expect(a.messages().find((m) => m.message.choices?.length)?.text).toContain("+7 702 999 8877");
    await a.pressData(noticeButton(a, 0));
    expect(await enterprise()).toMatchObject({ status: "active" });
  });
});
