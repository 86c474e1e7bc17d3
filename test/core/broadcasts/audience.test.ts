/**
 * Who a broadcast reaches (src/core/broadcasts/audience.ts): every filter, and the people left out
 * (erased, blocked, opted out, not an active member), counted per language and channel.
 */
import { afterEach, describe, expect, it } from "vitest";
import { resolveAudience, type Audience } from "../../../src/core/broadcasts/audience.ts";
import { countRecipients, setAnnouncements } from "../../../src/core/broadcasts/service.ts";
import { members, startBroadcastWorld, type BroadcastWorld } from "./setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  await w.close();
});

const chats = (audience: Audience) => w.db.transaction(async (tx) => (await resolveAudience(tx, audience, { defaultLocale: "ru" })).map((r) => r.chatId).sort());

describe("audience", () => {
  it("applies every filter: region, sector, language, enterprise status, an event's answer (none too), staff", async () => {
    w = await startBroadcastWorld();
    const a = await members(w, "10", 2, { region: "almaty-city", sector: "apparel", locale: "ru" });
    const b = await members(w, "20", 1, { region: "astana-city", sector: "textile", locale: "kk" });
    const c = await members(w, "30", 1, { region: "astana-city", sector: "apparel", locale: "en" });
    await members(w, "40", 1, { status: "suspended" });
    const o = await members(w, "50", 1, { status: "ownerless", region: "shymkent-city" });
    await w.person("600", { enterpriseId: a.enterpriseId, membership: "pending" });
    await w.person("610"); // no enterprise at all
    await w.person("901", { role: "admin" });
    const event = await w.db.transaction((tx) => tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(w.now.getTime() + 86_400_000) } }));
    await w.db.transaction(async (tx) => {
      await tx.eventRsvp.create({ data: { eventId: event.id, enterpriseId: a.enterpriseId, answer: "going", delegates: 2 } });
      await tx.eventRsvp.create({ data: { eventId: event.id, enterpriseId: b.enterpriseId, answer: "maybe" } });
      await tx.eventRsvp.create({ data: { eventId: event.id, enterpriseId: c.enterpriseId, answer: "no" } });
    });
    expect(await chats({ kind: "members" })).toEqual(["100", "101", "200", "300", "500"]);
    expect(await chats({ kind: "members", regions: ["astana-city"] })).toEqual(["200", "300"]);
    expect(await chats({ kind: "members", sectors: ["apparel"] })).toEqual(["100", "101", "300", "500"]);
    expect(await chats({ kind: "members", regions: ["astana-city"], sectors: ["apparel"] })).toEqual(["300"]);
    expect(await chats({ kind: "members", locales: ["kk", "en"] })).toEqual(["200", "300"]);
    expect(await chats({ kind: "members", enterpriseStatuses: ["suspended"] })).toEqual(["400"]);
    expect(await chats({ kind: "members", enterpriseStatuses: ["ownerless"] })).toEqual(["500"]);
    expect(await chats({ kind: "members", event: { id: event.id, answers: ["going"] } })).toEqual(["100", "101"]);
    expect(await chats({ kind: "members", event: { id: event.id, answers: ["maybe", "no"] } })).toEqual(["200", "300"]);
    expect(await chats({ kind: "members", event: { id: event.id, answers: ["none"] } })).toEqual(["500"]);
    expect(await chats({ kind: "members", event: { id: event.id, answers: [] } })).toEqual(["100", "101", "200", "300", "500"]);
    expect(await chats({ kind: "staff" })).toEqual(["900", "901"]);
    expect(o.chats).toEqual(["500"]);
  });

  it("leaves out erased, blocked and opted-out people, and counts per language and channel (one address per person: issue 9)", async () => {
    w = await startBroadcastWorld();
    const { chats: ru } = await members(w, "10", 4, { locale: "ru" });
    const { chats: kk } = await members(w, "20", 2, { locale: "kk" });
    const stopper = await w.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: ru[0] } }));
    const stopped = await w.run({ person: { personId: stopper.personId, role: "member", locale: "ru" }, ref: `telegram:${ru[0]}` }, (u) => setAnnouncements(u, false));
    expect(stopped).toEqual({ on: false });
    await w.db.transaction(async (tx) => {
      await tx.channelIdentity.update({ where: { channel_externalId: { channel: "telegram", externalId: ru[1]! } }, data: { reachable: false } });
      const erased = await tx.channelIdentity.findFirstOrThrow({ where: { externalId: ru[2] } });
      await tx.person.update({ where: { id: erased.personId }, data: { erasedAt: w.now } });
      // A second address of a kk member: the console. One person, one recipient: the chat notices go to (people.ts routeOf).
      const p = await tx.channelIdentity.findFirstOrThrow({ where: { externalId: kk[0] } });
      await tx.channelIdentity.create({ data: { personId: p.personId, channel: "console", externalId: "console-kk" } });
    });
    expect(await chats({ kind: "members" })).toEqual(["103", "200", "201"]);
    const count = await w.run(w.staff, (u) => countRecipients(u, { kind: "members" }));
    expect(count).toEqual({ total: 3, byLocale: { kk: 2, ru: 1, en: 0 }, byChannel: { telegram: 3 } });
    // Preferring the console moves that person's one recipient there.
    await w.db.transaction(async (tx) => {
      const p = await tx.channelIdentity.findFirstOrThrow({ where: { externalId: "console-kk" } });
      await tx.person.update({ where: { id: p.personId }, data: { preferredChannel: "console" } });
    });
    expect(await chats({ kind: "members" })).toEqual(["103", "201", "console-kk"]);
    // Subscribing again brings them back; both changes are audited.
    await w.run({ person: { personId: stopper.personId, role: "member", locale: "ru" }, ref: `telegram:${ru[0]}` }, (u) => setAnnouncements(u, true));
    expect(await chats({ kind: "members" })).toEqual(["100", "103", "201", "console-kk"]);
    const audit = await w.db.transaction((tx) => tx.auditLog.findMany({ where: { action: { startsWith: "announcements." } }, orderBy: { id: "asc" } }));
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["announcements.stop", stopper.personId],
      ["announcements.start", stopper.personId],
    ]);
  });

  it("counts nothing for someone who is not staff (refusal audited)", async () => {
    w = await startBroadcastWorld();
    const { chats: m } = await members(w, "10", 1);
    const member = await w.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: m[0] } }));
    const count = await w.run({ person: { personId: member.personId, role: "member", locale: "ru" }, ref: "telegram:100" }, (u) => countRecipients(u, { kind: "members" }));
    expect(count.total).toBe(0);
    expect(await w.db.transaction((tx) => tx.auditLog.count({ where: { action: "broadcast.count", outcome: "denied" } }))).toBe(1);
  });
});
