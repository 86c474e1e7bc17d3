/**
 * Breaker 8: a staff member demoted (role member) while an announcement is on their screen pressed
 * "Send now" and was told that nobody matches the audience (countRecipients counts nothing for
 * someone not staff), a wrong reason, before being refused. They are told they may not, and
 * nothing is sent.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chooseLanguages, sixMembers, startCompose, tr, type ComposeWorld } from "../core/broadcasts/flows-support.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

describe("demoted while composing", () => {
  it("Send now is refused as not allowed, not as nobody to send to", { timeout: 120_000 }, async () => {
    w = await startCompose();
    const chats = await sixMembers(w);
    const { staff } = w;
    await staff.send("/announce");
    await chooseLanguages(staff, ["ru"]);
    await staff.send("Съезд ассоциации");
    await staff.press(tr("ru", "compose-skip"));
    await staff.press(tr("ru", "compose-audience-all"));
    staff.fresh();
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "900" } } }, data: { role: "member" } }));
    const pressed = await staff.press(tr("ru", "compose-send-button"));
    const said = staff.fresh();
    expect(said).not.toContain(tr("ru", "compose-screen-nobody"));
    // A press is answered with a notice (Telegram's toast).
    expect(pressed.notice).toBe(tr("ru", "error-not-allowed"));
    await w.h.core.dispatcher.idle();
    for (const chat of [...chats.kk, ...chats.ru, ...chats.en]) expect(w.texts(chat)).toEqual([]);
  });

  it("choosing the audience by an event is refused as not allowed, not as no events", { timeout: 120_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const { staff } = w;
    await staff.send("/announce");
    await chooseLanguages(staff, ["ru"]);
    await staff.send("Съезд ассоциации");
    await staff.press(tr("ru", "compose-skip"));
    staff.fresh();
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "900" } } }, data: { role: "member" } }));
    const pressed = await staff.press(tr("ru", "compose-audience-event"));
    expect(staff.fresh()).not.toContain(tr("ru", "compose-no-events"));
    expect(pressed.notice).toBe(tr("ru", "error-not-allowed"));
    expect(await w.h.db.transaction((tx) => tx.broadcast.count())).toBe(0);
  });
});
