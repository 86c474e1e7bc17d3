/**
 * A unit of work outside any chat (unit.ts, Core.run): what a scheduled job or a dashboard's HTTP
 * handler will do. It decides with the same services as a chat, its messages go out only after it
 * commits, and a unit that fails leaves no trace.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { decide } from "../../src/core/staff/decide.ts";
import { tellStaff } from "../../src/core/staff/notices.ts";
import { enterpriseById } from "../../src/core/members/enterprises.ts";
import { SYSTEM } from "../../src/core/unit.ts";

let h: Harness;
afterEach(async () => h?.close());

const ADMINS = [{ channel: "telegram" as const, id: "900" }];

describe("a unit of work outside a chat", () => {
  it("approves an application like a staff member's press: the applicant is told, every notice edited, the audit names the actor", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "kk" });
    await applyForMembership(applicant, "kk");
    const admin = h.person("900", { language: "en" });
    const notice = admin.last();
    expect(notice.message.choices?.flat().length).toBe(2);
    const staffId = await h.db.transaction(async (tx) => (await tx.channelIdentity.findFirstOrThrow({ where: { externalId: "900" } })).personId);

    const outcome = await h.core.run({ person: { personId: staffId, role: "admin", locale: "en" }, ref: "dashboard:900" }, async (unit) => {
      const e = (await enterpriseById(unit.tx, 1))!;
      return decide(unit, "application", e.id, e.revised, { decision: "approve" }, "Dana");
    });
    await h.core.dispatcher.idle();

    expect(outcome).toEqual({ ok: true });
    expect(applicant.last().text).toBe(tr("kk", "decision-application-approved", { name: "Textile Company" }));
    expect(notice.edited).toBeGreaterThan(0);
    expect(notice.message.choices ?? []).toEqual([]);
    // The admin had not written yet when the notice was sent: it is in the default language.
    expect(notice.text).toContain(tr("ru", "notice-decided-approved", { by: "Dana" }));
    const audit = await h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "application-approve" } }));
    expect(audit.map((a) => [a.actorId, a.actorRef, a.outcome])).toEqual([[staffId, "dashboard:900", "ok"]]);
  });

  it("refuses a decision for the bot itself (no person acts), with the same answer a member would get, and audits it", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "ru" });
    await applyForMembership(applicant, "ru");
    const outcome = await h.core.run(SYSTEM, async (unit) => {
      const e = (await enterpriseById(unit.tx, 1))!;
      return decide(unit, "application", e.id, e.revised, { decision: "approve" });
    });
    expect(outcome).toEqual({ ok: false, answer: "error-not-allowed" });
    const e = await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow());
    expect(e.status).toBe("pending");
    const audit = await h.db.transaction((tx) => tx.auditLog.findMany());
    expect(audit.map((a) => [a.actorRef, a.outcome])).toEqual([["system", "denied"]]);
  });

  it("a unit that fails commits nothing and sends nothing", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const admin = h.person("900", { language: "en" });
    await admin.send("/start");
    const before = admin.messages().length;
    await expect(
      h.core.run(SYSTEM, async (unit) => {
        await tellStaff(unit, { text: "notice-erased" });
        throw new Error("the job failed half-way");
      }),
    ).rejects.toThrow("the job failed half-way");
    await h.core.dispatcher.idle();
    expect(admin.messages().length).toBe(before);
    expect(await h.db.transaction((tx) => tx.outbox.count({ where: { status: { not: "sent" } } }))).toBe(0);

    // The same work without the failure reaches staff once it commits.
    await h.core.run(SYSTEM, (unit) => tellStaff(unit, { text: "notice-erased" }));
    await h.core.dispatcher.idle();
    expect(admin.last().text).toBe(tr("en", "notice-erased"));
  });
});
