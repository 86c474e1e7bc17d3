import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, sourcesOf, StatusTransitionError } from "../../../src/core/members/status.ts";
import { may, type Subject } from "../../../src/core/permissions.ts";

describe("status tables", () => {
  it("let an application be decided only while it is pending", () => {
    expect(canTransition("application", "pending", "active")).toBe(true);
    expect(canTransition("application", "pending", "rejected")).toBe(true);
    expect(canTransition("application", "active", "rejected")).toBe(false);
    expect(canTransition("application", "rejected", "active")).toBe(false);
    expect(sourcesOf("application", "active").sort()).toEqual(["ownerless", "pending", "suspended"]);
  });

  it("keep an approved enterprise a member when its owner leaves, and let a take-over make it active again", () => {
    expect(canTransition("application", "active", "ownerless")).toBe(true);
    expect(canTransition("application", "ownerless", "active")).toBe(true);
    expect(canTransition("application", "pending", "ownerless")).toBe(false);
  });

  it("never turn an approved membership into a rejection: it can only end", () => {
    expect(canTransition("join", "active", "rejected")).toBe(false);
    expect(canTransition("join", "active", "closed")).toBe(false);
    expect(canTransition("join", "active", "ended")).toBe(true);
    expect(canTransition("join", "pending", "closed")).toBe(true);
  });

  it("make decided change requests final", () => {
    for (const s of ["approved", "rejected", "superseded", "withdrawn"]) expect(sourcesOf("change", s)).toEqual(["pending"]);
    expect(() => assertTransition("change", "approved", "rejected")).toThrow(StatusTransitionError);
  });
});

describe("permissions", () => {
  const member: Subject = { personId: 1, role: "member", erased: false };
  const staff: Subject = { personId: 2, role: "staff", erased: false };
  const admin: Subject = { personId: 3, role: "admin", erased: false };
  const decide = (applicantId: number) => ({ action: "staff.decide" as const, record: { type: "application" as const, id: 7, applicantId } });

  it("let staff decide on other people's requests only", () => {
    expect(may(member, decide(9))).toEqual({ ok: false, reason: "error-not-allowed" });
    expect(may(staff, decide(9))).toEqual({ ok: true });
    expect(may(staff, decide(2))).toEqual({ ok: false, reason: "staff-own-application" });
    expect(may({ ...staff, erased: true }, decide(9)).ok).toBe(false);
    expect(may(null, decide(9)).ok).toBe(false);
  });

  it("let only admins manage the team", () => {
    expect(may(admin, { action: "team.manage" })).toEqual({ ok: true });
    expect(may(staff, { action: "team.manage" })).toEqual({ ok: false, reason: "error-admins-only" });
  });

  it("let an owner edit their enterprise while it waits or is a member, and nobody else", () => {
    const edit = (m: { personId: number; role: string; status: string; enterpriseStatus: string }) => may(member, { action: "enterprise.edit", membership: m });
    expect(edit({ personId: 1, role: "owner", status: "pending", enterpriseStatus: "pending" }).ok).toBe(true);
    expect(edit({ personId: 1, role: "owner", status: "active", enterpriseStatus: "active" }).ok).toBe(true);
    expect(edit({ personId: 1, role: "owner", status: "rejected", enterpriseStatus: "rejected" }).ok).toBe(false);
    expect(edit({ personId: 1, role: "claimant", status: "pending", enterpriseStatus: "ownerless" }).ok).toBe(false);
    expect(edit({ personId: 1, role: "employee", status: "active", enterpriseStatus: "active" }).ok).toBe(false);
    expect(edit({ personId: 4, role: "owner", status: "active", enterpriseStatus: "active" }).ok).toBe(false);
  });
});
