/**
 * Breaker 8 (no fault found, kept as a guard): a staff member double-taps "Send now" and its
 * "Yes, send": the announcement goes once to each member; the second tap changes nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sixMembers, startCompose, tr, type ComposeWorld } from "../core/broadcasts/flows-support.ts";
import { chooseLanguages } from "../core/broadcasts/flows-support.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

describe("double taps on Send now", () => {
  it("send once", { timeout: 120_000 }, async () => {
    w = await startCompose();
    const chats = await sixMembers(w);
    const { staff } = w;
    await staff.send("/announce");
    await chooseLanguages(staff, ["ru"]);
    await staff.send("Съезд ассоциации");
    await staff.press(tr("ru", "compose-skip"));
    await staff.press(tr("ru", "compose-audience-all"));
    await staff.press(tr("ru", "compose-send-button"));
    await staff.press(tr("ru", "compose-send-button"));
    await staff.press(tr("ru", "compose-send-yes"));
    await staff.press(tr("ru", "compose-send-yes"));
    await staff.press(tr("ru", "compose-send-button"));
    await w.h.core.dispatcher.idle();
    for (const chat of [...chats.kk, ...chats.ru, ...chats.en]) expect(w.texts(chat).filter((t) => t.includes("Съезд ассоциации")), chat).toHaveLength(1);
    const broadcasts = await w.h.db.transaction((tx) => tx.broadcast.findMany({ where: { status: { in: ["sending", "done"] } } }));
    expect(broadcasts).toHaveLength(1);
  });
});
