/**
 * The progress message's buttons (issue 8 item 6), outside any dialog: pause, resume and cancel
 * (with its confirmation) pressed by staff; forged and malformed data, and a member pressing a
 * staff button, refused and audited. Members' deliveries are held at a gate so that the broadcast
 * stays "sending" while the buttons are pressed (the presses are handled without waiting for
 * delivery: their answers are the turns' toasts).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent, TurnResult } from "../../../src/core/channel.ts";
import { createBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
import { broadcastData } from "../../../src/core/broadcasts/buttons-data.ts";
import { sixMembers, startCompose, tr, type ComposeWorld } from "./flows-support.ts";

let w: ComposeWorld;
let open: (() => void) | null = null;
afterEach(async () => {
  open?.();
  await w?.close();
});

let update = 1_000_000;
/** One event from chat `userId`, handled without waiting for deliveries. */
const raw = (userId: string, event: InboundEvent): Promise<TurnResult> =>
  w.h.core.handle({ id: `telegram:${update++}`, channel: "telegram", chatId: userId, userId, chatType: "private", languageHint: "ru", event });
const press = (userId: string, data: string) => raw(userId, { type: "choice", data });

const statusOf = async (id: number) => (await w.h.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }))).status;

/** A broadcast to the six members started by staff 900, their deliveries held at a gate. */
async function sending(): Promise<number> {
  w = await startCompose();
  await sixMembers(w);
  const gate = new Promise<void>((r) => (open = r));
  const deliver = w.h.channel.deliver.bind(w.h.channel);
  w.h.channel.deliver = async (chatId, outbound) => {
    if (chatId !== "900") await gate;
    return deliver(chatId, outbound);
  };
  const staff = await w.h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { role: "staff" } }));
  const id = await w.h.core.run({ person: { personId: staff.id, role: "staff", locale: "ru" }, ref: "telegram:900" }, async (unit) => {
    const b = await createBroadcast(unit, { texts: { ru: "Объявление" }, file: null, audience: { kind: "members" } });
    if (!b.ok) throw new Error(b.reason);
    const s = await startBroadcast(unit, b.id);
    if (!s.ok) throw new Error(s.reason);
    return b.id;
  });
  return id;
}

describe("progress buttons", () => {
  it("pause, resume and cancel (after a confirmation) from staff, each answered; refused states say the state", { timeout: 180_000 }, async () => {
    const id = await sending();
    expect(await statusOf(id)).toBe("sending");
    expect((await press("900", broadcastData("pause", id))).notice).toBe(tr("ru", "compose-paused"));
    expect(await statusOf(id)).toBe("paused");
    // Pause again: refused, naming the state it is in.
    expect((await press("900", broadcastData("pause", id))).notice).toBe(tr("ru", "compose-state-refused-pause", { status: tr("ru", "compose-bstatus-paused") }));
    expect((await press("900", broadcastData("resume", id))).notice).toBe(tr("ru", "compose-resumed"));
    expect(await statusOf(id)).toBe("sending");
    expect((await press("900", broadcastData("resume", id))).notice).toBe(tr("ru", "compose-state-refused-resume", { status: tr("ru", "compose-bstatus-sending") }));
    // Cancel asks first: "no" keeps it sending.
    await press("900", broadcastData("cancel", id));
    await raw("900", { type: "text", text: "нет" });
    expect(await statusOf(id)).toBe("sending");
    await press("900", broadcastData("cancel", id));
    await raw("900", { type: "text", text: "да" });
    expect(await statusOf(id)).toBe("cancelled");
    expect((await press("900", broadcastData("pause", id))).notice).toBe(tr("ru", "compose-state-refused-pause", { status: tr("ru", "compose-bstatus-cancelled") }));
    // A broadcast that does not exist.
    expect((await press("900", broadcastData("pause", 99_999))).notice).toBe(tr("ru", "broadcast-not-found"));
    open!();
    await w.h.core.dispatcher.idle();
    const texts = w.texts("900");
    expect(texts.some((t) => t.startsWith(tr("ru", "compose-cancel-confirm", { id, title: "Объявление", left: 0, sent: 0 }).slice(0, 20)))).toBe(true);
    expect(texts).toContain(tr("ru", "compose-cancel-kept"));
    expect(texts).toContain(tr("ru", "compose-cancel-done", { id }));
  });

  it("refuses a member's press and forged or malformed data, and audits them", { timeout: 180_000 }, async () => {
    const id = await sending();
    const e = await w.enterprise();
    await w.person("400", { enterpriseId: e });
    for (const verb of ["pause", "resume", "cancel"] as const) {
      expect((await press("400", broadcastData(verb, id))).notice).toBe(tr("ru", "error-not-allowed"));
    }
    expect(await statusOf(id)).toBe("sending");
    for (const data of ["bc:p:01", "bc:x:1", `bc:p:${id}:1`, "bc:p:", "bc:p:-1", `bc:p:${"9".repeat(20)}`]) {
      expect((await press("900", data)).notice, data).toBe(tr("ru", "error-not-allowed"));
    }
    expect(await statusOf(id)).toBe("sending");
    const audit = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { outcome: "denied" } }));
    expect(audit.filter((a) => a.action.startsWith("broadcast.")).map((a) => a.action).sort()).toEqual(["broadcast.cancel", "broadcast.pause", "broadcast.resume"]);
    expect(audit.filter((a) => a.action === "forged-button").length).toBe(6);
  });
});
