/**
 * Breaker 9: a staff member could show a link code on Telegram and have a WhatsApp chat type it:
 * that chat then acted with staff powers through the unofficial WhatsApp client (and a code
 * talked out of a staff member handed them to a stranger). Staff work on Telegram: a code shown
 * by a staff account links nothing, and says why.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import { codeIn, startLinkWorld, type LinkWorld } from "../core/identity/support.ts";

let w: LinkWorld;
beforeEach(async () => {
  w = await startLinkWorld();
});
afterEach(async () => {
  await w.close();
});

describe("a staff member's code", () => {
  it("typed on WhatsApp links nothing: the chat gets no staff powers", { timeout: 120_000 }, async () => {
    const tg = w.tg("100");
    await tg.send("/start");
    const staffId = (await w.personOf("telegram", "100"))!;
    await w.h.db.transaction((tx) => tx.person.update({ where: { id: staffId }, data: { role: "staff" } }));
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const code = codeIn(tg.messages().map((m) => m.text));
    const wa = w.whatsapp("77051112233@c.us");
    await wa.send("hi");
    await wa.send("Русский");
    await wa.send(`/link ${code}`);
    expect(await w.personOf("whatsapp", wa.id)).not.toBe(staffId);
    expect(wa.texts()).toContain(tr("ru", "identity-refused-staff-owner"));
  });
});
