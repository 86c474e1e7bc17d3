/**
 * Review of issue 8: an edit after a preview changed the draft by cancelling it and saving a new
 * one, so every look before an edit left a "cancelled" announcement in /broadcasts. A draft is
 * now updated in place (updateBroadcast: staff only, a draft only, audited).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBroadcast, startBroadcast, updateBroadcast } from "../../src/core/broadcasts/service.ts";
import { composeSimple, sixMembers, startCompose, tr, type ComposeWorld } from "../core/broadcasts/flows-support.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

describe("editing a saved draft", () => {
  it("an edit after a preview updates the one draft: one announcement in /broadcasts, sent with the new text", { timeout: 180_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const { staff } = w;
    await composeSimple(staff, ["ru"]);
    await staff.press(tr("ru", "compose-preview-button", { language: tr("ru", "compose-lang-ru") }));
    await staff.press(tr("ru", "compose-edit-button"));
    await staff.press(tr("ru", "compose-edit-texts"));
    await staff.press(tr("ru", "compose-done"));
    await staff.send("Новый текст");
    await staff.press(tr("ru", "compose-test-button"));
    await staff.press(tr("ru", "compose-edit-button"));
    await staff.press(tr("ru", "compose-edit-audience"));
    await staff.press(tr("ru", "compose-audience-all"));
    await staff.press(tr("ru", "compose-send-button"));
    await staff.press(tr("ru", "compose-send-yes"));
    await w.h.core.dispatcher.idle();
    const rows = await w.h.db.transaction((tx) => tx.broadcast.findMany());
    expect(rows.map((b) => b.status)).toEqual([expect.stringMatching(/^(sending|done)$/)]);
    expect(w.texts("201").join("\n")).toContain("Новый текст");
    expect(w.texts("201").join("\n")).not.toContain("Текст ru");
    const actions = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: { startsWith: "broadcast." } }, orderBy: { id: "asc" } }));
    expect(actions.filter((a) => a.action === "broadcast.update").length).toBe(2);
    expect(actions.some((a) => a.action === "broadcast.cancel")).toBe(false);
  });

  it("updateBroadcast: staff only, a draft only", { timeout: 60_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const staffRow = await w.h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { role: "staff" } }));
    const memberRow = await w.h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { role: "member" } }));
    const asStaff = { person: { personId: staffRow.id, role: "staff" as const, locale: "ru" as const }, ref: "telegram:900" };
    const draft = { texts: { ru: "Первый" }, file: null, audience: { kind: "members" as const } };
    const id = await w.h.core.run(asStaff, async (unit) => {
      const r = await createBroadcast(unit, draft);
      if (!r.ok) throw new Error(r.reason);
      return r.id;
    });
    const asMember = { person: { personId: memberRow.id, role: "member" as const, locale: "ru" as const }, ref: "telegram:201" };
    expect(await w.h.core.run(asMember, (unit) => updateBroadcast(unit, id, { ...draft, texts: { ru: "Чужой" } }))).toEqual({ ok: false, reason: "error-not-allowed" });
    expect(await w.h.core.run(asStaff, (unit) => updateBroadcast(unit, id, { ...draft, texts: { ru: "  " } }))).toEqual({ ok: false, reason: "broadcast-empty-texts" });
    expect(await w.h.core.run(asStaff, (unit) => updateBroadcast(unit, id, { ...draft, texts: { kk: "Екінші" } }))).toEqual({ ok: true });
    const row = await w.h.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));
    expect(JSON.parse(row.texts)).toEqual({ kk: "Екінші" });
    await w.h.core.run(asStaff, (unit) => startBroadcast(unit, id));
    expect(await w.h.core.run(asStaff, (unit) => updateBroadcast(unit, id, draft))).toEqual({ ok: false, reason: "broadcast-wrong-state" });
    expect(await w.h.core.run(asStaff, (unit) => updateBroadcast(unit, 99_999, draft))).toEqual({ ok: false, reason: "broadcast-not-found" });
  });
});
