/**
 * After linking, each notice reaches the person once: on the channel they used last, or the one
 * they prefer (issue 9 item 5); conversation replies still go to the chat that wrote. Broadcasts
 * count and send one per person; erasure leaves no identity and no code.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tellPerson } from "../../../src/core/staff/decide.ts";
import { notifyStaffReply } from "../../../src/core/problems/notify.ts";
import { problemById } from "../../../src/core/problems/data.ts";
import { notifyCancelled } from "../../../src/core/events/notify.ts";
import { eventById } from "../../../src/core/events/data.ts";
import { countRecipients, createBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { staffTargets, targetsOf } from "../../../src/core/people.ts";
import { showNotice } from "../../../src/core/staff/notices.ts";
import { SYSTEM } from "../../../src/core/unit.ts";
import { tr } from "../../support/core-harness.ts";
import { codeIn, startLinkWorld, type LinkWorld } from "./support.ts";

let w: LinkWorld;
beforeEach(async () => {
  w = await startLinkWorld();
});
afterEach(async () => {
  await w.close();
});

const TG = "100";
const WA = "77011234567@c.us";

/** A Telegram member linked to a WhatsApp chat (typed last from WhatsApp); returns their person id. */
async function linkedMember(): Promise<number> {
  const id = await w.makeMember("telegram", TG);
  const tg = w.tg(TG);
  await tg.send("/link");
  await tg.press(tr("ru", "identity-show"));
  const wa = w.whatsapp(WA);
  await wa.send("hi");
  await wa.send("Русский");
  await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
  expect(await w.personOf("whatsapp", WA)).toBe(id);
  return id;
}

/** How many messages each chat got since `mark` ({ tg, wa }). */
function counter() {
  const start = { tg: w.h.channel.in(TG).length, wa: w.wa.in(WA).length };
  return () => ({ tg: w.h.channel.in(TG).slice(start.tg).map((m) => m.text), wa: w.wa.in(WA).slice(start.wa).map((m) => m.text) });
}

/** Sends three kinds of notices to `personId`: a staff decision, a staff reply to their problem, an event's cancellation. */
async function notices(personId: number): Promise<void> {
  const { problemId, eventId } = await w.h.db.transaction(async (tx) => {
    const m = await tx.membership.findUniqueOrThrow({ where: { personId } });
    const n = await tx.problem.count();
    const p = await tx.problem.create({
      data: { ref: `QT-2026-${String(9000 + n)}`, year: 2026, seq: 9000 + n, enterpriseId: m.enterpriseId, reporterId: personId, category: "customs", title: "Ткань", description: "Задержка", anonymous: false, createdAt: w.now() },
    });
    const e = await tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(w.now().getTime() + 86_400_000), status: "published", publishedAt: w.now() } });
    await tx.eventRsvp.create({ data: { eventId: e.id, enterpriseId: m.enterpriseId, personId, answer: "going" } });
    return { problemId: p.id, eventId: e.id };
  });
  await w.h.core.run(SYSTEM, async (u) => {
    await tellPerson(u, personId, { text: "membership-claim-closed" });
    await notifyStaffReply(u, (await problemById(u.tx, problemId))!, "Ответ сотрудника", []);
    const e = (await eventById(u.tx, eventId))!;
    await u.tx.event.update({ where: { id: eventId }, data: { status: "cancelled", cancelReason: "Перенос" } });
    await notifyCancelled(u, { ...e, status: "cancelled", cancelReason: "Перенос" });
  });
  await w.h.core.dispatcher.idle();
}

describe("notice routing for a linked person", () => {
  it("each notice reaches them once, on the channel they wrote from last", async () => {
    const id = await linkedMember();
    let since = counter();
    await notices(id);
    let got = since();
    expect(got.tg).toEqual([]);
    expect(got.wa).toHaveLength(3);
    expect(got.wa[0]).toBe(tr("ru", "membership-claim-closed"));
    expect(got.wa[1]).toContain("Ответ сотрудника");

    // They write from Telegram: notices follow them there; the reply goes to the chat that wrote.
    since = counter();
    await w.tg(TG).send("/menu");
    expect(since().tg.length).toBeGreaterThan(0);
    since = counter();
    await notices(id);
    got = since();
    expect(got.wa).toEqual([]);
    expect(got.tg).toHaveLength(3);
  });

  it("the preferred channel wins over the last used one, and an unreachable one falls back", async () => {
    const id = await linkedMember();
    const tg = w.tg(TG);
    await tg.send("/link");
    await tg.press(tr("ru", "identity-notices"));
    await tg.press(tr("ru", "channel-whatsapp"));
    expect(tg.messages().map((m) => m.text)).toContain(tr("ru", "identity-notices-saved"));
    // Telegram was used last, but WhatsApp is preferred.
    let since = counter();
    await notices(id);
    let got = since();
    expect(got.tg).toEqual([]);
    expect(got.wa).toHaveLength(3);
    // WhatsApp unreachable: to Telegram, once.
    await w.h.db.transaction((tx) => tx.channelIdentity.updateMany({ where: { channel: "whatsapp" }, data: { reachable: false } }));
    since = counter();
    await notices(id);
    got = since();
    expect(got.wa).toEqual([]);
    expect(got.tg).toHaveLength(3);
    const targets = await w.h.db.transaction((tx) => targetsOf(tx, id, "ru"));
    expect(targets).toEqual([{ channel: "telegram", chatId: TG, locale: "ru" }]);
  });

  it("lastInboundAt is kept at most every five minutes; lastChannel follows the writer", async () => {
    const id = await linkedMember();
    const read = () => w.h.db.transaction((tx) => tx.person.findUniqueOrThrow({ where: { id }, select: { lastChannel: true, identities: { select: { channel: true, lastInboundAt: true } } } }));
    const before = await read();
    expect(before.lastChannel).toBe("whatsapp");
    const waAt = before.identities.find((i) => i.channel === "whatsapp")!.lastInboundAt!;
    w.advance(60_000);
    await w.whatsapp(WA).send("/menu");
    expect((await read()).identities.find((i) => i.channel === "whatsapp")!.lastInboundAt!.getTime()).toBe(waAt.getTime());
    w.advance(5 * 60_000);
    await w.whatsapp(WA).send("/menu");
    expect((await read()).identities.find((i) => i.channel === "whatsapp")!.lastInboundAt!.getTime()).toBe(w.now().getTime());
    await w.tg(TG).send("/menu");
    expect((await read()).lastChannel).toBe("telegram");
  });

  it("a broadcast to all members counts and sends one per linked person", async () => {
    const id = await linkedMember();
    // A third chat of theirs on a channel broadcasts use today (the console), as linking would add it.
    await w.h.db.transaction((tx) => tx.channelIdentity.create({ data: { personId: id, channel: "console", externalId: "ops" } }));
    await w.makeMember("telegram", "300");
    const staff = await w.h.db.transaction((tx) => tx.person.create({ data: { role: "staff", locale: "ru", identities: { create: { channel: "telegram", externalId: "900" } } } }));
    const acting = { person: { personId: staff.id, role: "staff", locale: "ru" as const }, ref: "telegram:900" };
    // Two people, whichever of the linked person's chats are on the broadcast's channels (BROADCAST_CHANNELS).
    const count = await w.h.core.run(acting, (u) => countRecipients(u, { kind: "members" }));
    expect(count.total).toBe(2);
    const created = await w.h.core.run(acting, (u) => createBroadcast(u, { texts: { ru: "Съезд ассоциации" }, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(created.reason);
    const started = await w.h.core.run(acting, (u) => startBroadcast(u, created.id));
    if (!started.ok) throw new Error(started.reason);
    expect(started.total).toBe(2);
    await w.h.core.dispatcher.idle();
    const rows = await w.h.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: created.id } }));
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.chatId)).toContain("300");
    expect(rows.filter((r) => [TG, WA, "ops"].includes(r.chatId))).toHaveLength(1);
  });

  it("erasure of a linked person leaves no channel identity and no link code", async () => {
    const id = await linkedMember();
    const tg = w.tg(TG);
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    expect(await w.h.db.transaction((tx) => tx.linkCode.count({ where: { personId: id } }))).toBe(1);
    await w.h.core.run(SYSTEM, (u) => erasePerson(u, id));
    const left = await w.h.db.transaction(async (tx) => ({
      identities: await tx.channelIdentity.count({ where: { personId: id } }),
      codes: await tx.linkCode.count({ where: { personId: id } }),
      person: await tx.person.findUniqueOrThrow({ where: { id }, select: { preferredChannel: true, lastChannel: true, erasedAt: true } }),
    }));
    expect(left).toEqual({ identities: 0, codes: 0, person: { preferredChannel: null, lastChannel: null, erasedAt: expect.any(Date) } });
  });
});

describe("staff see a member's channels", () => {
  it("the application card lists Telegram and WhatsApp and where notices go", async () => {
    const id = await linkedMember();
    const enterpriseId = await w.h.db.transaction(async (tx) => (await tx.membership.findUniqueOrThrow({ where: { personId: id } })).enterpriseId);
    await w.h.core.run(SYSTEM, (u) => showNotice(u, { channel: "telegram", chatId: "staff-chat", locale: "ru" }, "application", enterpriseId));
    await w.h.core.dispatcher.idle();
    const card = w.h.channel.in("staff-chat").at(-1)!.text;
    expect(card).toContain(tr("ru", "identity-staff-channels", { channels: "Telegram, WhatsApp", preferred: tr("ru", "identity-route-last") }));
  });
});

describe("staff notices without a staff group", () => {
  it("reach a staff member once, on Telegram even when they wrote last from WhatsApp, unless they prefer WhatsApp", async () => {
    const staff = await w.h.db.transaction((tx) =>
      tx.person.create({
        data: { role: "staff", locale: "ru", lastChannel: "whatsapp", identities: { create: [{ channel: "telegram", externalId: "900" }, { channel: "whatsapp", externalId: "7900@c.us" }] } },
      }),
    );
    const targets = () => w.h.db.transaction((tx) => staffTargets(tx, { defaultLocale: "ru", admins: [] }, undefined));
    expect(await targets()).toEqual([{ channel: "telegram", chatId: "900", locale: "ru" }]);
    await w.h.db.transaction((tx) => tx.person.update({ where: { id: staff.id }, data: { preferredChannel: "whatsapp" } }));
    expect(await targets()).toEqual([{ channel: "whatsapp", chatId: "7900@c.us", locale: "ru" }]);
  });
});
