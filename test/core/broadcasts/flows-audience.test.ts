/**
 * Every audience choice of the compose flow (issue 8 item 5), through Edit → Audience on one
 * draft: the screen's count follows each (region, sector, language, enterprise status, an event's
 * answer, staff only), and an event audience lists only upcoming published events.
 */
import { afterEach, describe, expect, it } from "vitest";
import { composeSimple, sixMembers, startCompose, tr, type ComposeWorld } from "./flows-support.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

/** Edit → Audience, then `steps` (button labels, ru), then Done when `done`. */
async function audience(steps: string[], done = true): Promise<string> {
  const { staff } = w;
  await staff.press(tr("ru", "compose-edit-button"));
  await staff.press(tr("ru", "compose-edit-audience"));
  for (const s of steps) await staff.press(s);
  if (done) await staff.press(tr("ru", "compose-done"));
  return staff.last().text;
}

const total = (count: number) => tr("ru", "compose-screen-total", { count });

describe("the audience", () => {
  it("counts each choice: region, sector, language, enterprise status, an event's answer, staff only", { timeout: 240_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const { staff } = w;
    // No upcoming published event yet: said, and the audience asked again.
    await staff.send("/announce");
    await staff.press(tr("ru", "compose-lang-ru"));
    await staff.press(tr("ru", "compose-done"));
    await staff.send("Текст");
    await staff.press(tr("ru", "compose-skip"));
    staff.fresh();
    await staff.press(tr("ru", "compose-audience-event"));
    expect(staff.fresh()).toEqual([tr("ru", "compose-no-events"), tr("ru", "compose-ask-audience")]);
    await staff.press(tr("ru", "compose-audience-all"));
    expect(staff.last().text).toContain(total(6));

    expect(await audience([tr("ru", "compose-audience-region"), tr("ru", "region-astana")])).toContain(total(3));
    expect(await audience([tr("ru", "compose-audience-sector"), tr("ru", "sector-apparel")])).toContain(total(3));
    expect(await audience([tr("ru", "compose-audience-language"), tr("ru", "compose-lang-kk"), tr("ru", "compose-lang-en")])).toContain(total(3));
    // Done with nothing chosen: the reason, and the same question.
    await staff.press(tr("ru", "compose-edit-button"));
    await staff.press(tr("ru", "compose-edit-audience"));
    await staff.press(tr("ru", "compose-audience-status"));
    staff.fresh();
    await staff.press(tr("ru", "compose-done"));
    expect(staff.fresh()[0]).toBe(tr("ru", "compose-pick-empty"));
    await staff.press(tr("ru", "compose-status-ownerless"));
    await staff.press(tr("ru", "compose-done"));
    expect(staff.last().text).toContain(total(3));
    expect(await audience([tr("ru", "compose-audience-staff")], false)).toContain(total(1));

    // An upcoming published event (and a draft and a past one, not offered); Almaty's enterprise goes.
    const now = Date.now();
    const [event] = await w.h.db.transaction(async (tx) => {
      const e = await tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(now + 7 * 86_400_000), status: "published", publishedAt: new Date() } });
      await tx.event.create({ data: { title: JSON.stringify({ ru: "Черновик" }), startsAt: new Date(now + 7 * 86_400_000) } });
      await tx.event.create({ data: { title: JSON.stringify({ ru: "Прошедшее" }), startsAt: new Date(now - 86_400_000), status: "published", publishedAt: new Date() } });
      const almaty = await tx.membership.findFirstOrThrow({ where: { person: { identities: { some: { externalId: "201" } } } } });
      await tx.eventRsvp.create({ data: { eventId: e.id, enterpriseId: almaty.enterpriseId, answer: "going", delegates: 2 } });
      return [e];
    });
    await staff.press(tr("ru", "compose-edit-button"));
    await staff.press(tr("ru", "compose-edit-audience"));
    await staff.press(tr("ru", "compose-audience-event"));
    const offered = w.staff.buttons();
    expect(offered.some((b) => b.includes("Съезд"))).toBe(true);
    expect(offered.some((b) => b.includes("Черновик") || b.includes("Прошедшее"))).toBe(false);
    await staff.press("Съезд");
    await staff.press(tr("ru", "compose-answer-going"));
    await staff.press(tr("ru", "compose-done"));
    expect(staff.last().text).toContain(total(3));
    expect(event.id).toBeGreaterThan(0);
    expect(await audience([tr("ru", "compose-audience-event"), "Съезд", tr("ru", "compose-answer-none")])).toContain(total(3));
  });

  it("a composed announcement to nobody cannot be sent: the screen says so", { timeout: 180_000 }, async () => {
    w = await startCompose();
    await composeSimple(w.staff);
    expect(w.staff.last().text).toContain(tr("ru", "compose-screen-nobody"));
    w.staff.fresh();
    await w.staff.press(tr("ru", "compose-send-button"));
    expect(w.staff.fresh()[0]).toBe(tr("ru", "compose-screen-nobody"));
  });
});
