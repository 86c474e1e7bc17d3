/**
 * Scheduled broadcasts (job broadcast-start: once across restarts, never when cancelled, never in
 * the past) and event publications (kind event: RSVP buttons, the event's details in each
 * language, published; re-publishing skips those reached; the console gets numbered choices).
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelBroadcast, createBroadcast, publishEvent, scheduleBroadcast, START_JOB } from "../../../src/core/broadcasts/service.ts";
import { parseRsvpData, rsvpButtons } from "../../../src/core/events/buttons-data.ts";
import { parseBroadcastData } from "../../../src/core/broadcasts/buttons-data.ts";
import { loadMenu } from "../../../src/core/bookkeeping.ts";
import { RecordingChannel, tr } from "../../support/core-harness.ts";
import { announcement, delivered, members, startBroadcastWorld, type BroadcastWorld } from "./setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  await w.close();
});

const HOUR = 3_600_000;
const broadcast = (id: number) => w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));

async function draft(): Promise<number> {
  const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: announcement, file: null, audience: { kind: "members" } }));
  if (!created.ok) throw new Error(created.reason);
  return created.id;
}

describe("scheduling", () => {
  it("starts at its time, once, even across a restart; a time in the past is refused", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 3);
    const id = await draft();
    expect(await w.run(w.staff, (u) => scheduleBroadcast(u, id, new Date(w.now.getTime() - 60_000)))).toEqual({ ok: false, reason: "broadcast-past" });
    const at = new Date(w.now.getTime() + 2 * HOUR);
    expect(await w.run(w.staff, (u) => scheduleBroadcast(u, id, at))).toEqual({ ok: true });
    expect(await broadcast(id)).toMatchObject({ status: "scheduled", scheduledAt: at });
    w.later(HOUR);
    await w.core.jobWorker.tick();
    expect((await broadcast(id)).status).toBe("scheduled");
    w.later(HOUR + 1000);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    expect(await broadcast(id)).toMatchObject({ status: "sending", total: 3 });
    await w.restart();
    w.later(HOUR);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    for (const c of chats) expect(delivered(w, c)).toHaveLength(1);
    const jobs = await w.db.transaction((tx) => tx.job.findMany({ where: { kind: START_JOB } }));
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual([["done", 1]]);
  });

  it("a cancelled scheduled broadcast never starts; a rescheduled one starts at the new time only", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 2);
    const a = await draft();
    await w.run(w.staff, (u) => scheduleBroadcast(u, a, new Date(w.now.getTime() + HOUR)));
    expect(await w.run(w.staff, (u) => cancelBroadcast(u, a))).toEqual({ ok: true });
    const b = await draft();
    await w.run(w.staff, (u) => scheduleBroadcast(u, b, new Date(w.now.getTime() + HOUR)));
    await w.run(w.staff, (u) => scheduleBroadcast(u, b, new Date(w.now.getTime() + 3 * HOUR)));
    w.later(2 * HOUR);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    expect(await broadcast(a)).toMatchObject({ status: "cancelled", total: 0 });
    expect((await broadcast(b)).status).toBe("scheduled");
    for (const c of chats) expect(delivered(w, c)).toEqual([]);
    w.later(2 * HOUR);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    expect((await broadcast(b)).status).toBe("sending");
    for (const c of chats) expect(delivered(w, c)).toHaveLength(1);
  });
});

describe("event publication", () => {
  it("sends the event in each language with RSVP buttons, publishes it, and a second publication skips those reached", async () => {
    w = await startBroadcastWorld();
    const ru = await members(w, "10", 1, { locale: "ru", region: "almaty-city" });
    const kk = await members(w, "20", 1, { locale: "kk", region: "astana-city" });
    const startsAt = new Date("2027-03-15T05:00:00Z"); // 10:00 in Almaty
    const event = await w.db.transaction((tx) =>
      tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд <ассоциации>", kk: "Қауымдастық съезі" }), description: JSON.stringify({ ru: "Повестка & регламент" }), startsAt, venue: "Алматы, «Рахат Палас»", latitude: 43.2, longitude: 76.9 } }),
    );
    const r = await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members", regions: ["almaty-city"] }));
    expect(r).toMatchObject({ ok: true, total: 1 });
    await w.core.dispatcher.idle();
    const msg = w.channel.in("100")[0]!;
    expect(msg.message.text).toContain("<b>Съезд &lt;ассоциации&gt;</b>");
    expect(msg.message.text).toContain("Повестка &amp; регламент");
    expect(msg.text).toContain("15.03.2027 10:00");
    expect(msg.text).toContain("https://maps.google.com/?q=43.2,76.9");
    expect(msg.text.endsWith(tr("ru", "broadcast-stop-line").replace(/<\/?i>/g, ""))).toBe(true);
    expect(msg.message.choices?.flat().map((c) => c.data)).toEqual([`ev:g:${event.id}`, `ev:m:${event.id}`, `ev:n:${event.id}`]);
    expect(await w.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: event.id } }))).toMatchObject({ status: "published", publishedAt: w.now });
    // Everyone now: only the kk member is new; their language's title, the description falls back to Russian.
    const again = await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members" }));
    expect(again).toMatchObject({ ok: true, total: 1 });
    await w.core.dispatcher.idle();
    expect(delivered(w, "100")).toHaveLength(1);
    expect(w.channel.in("200")[0]!.text).toContain("Қауымдастық съезі");
    expect(w.channel.in("200")[0]!.text).toContain("Повестка & регламент");
    expect(await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members" }))).toEqual({ ok: false, reason: "broadcast-no-recipients" });
    expect(kk.chats).toEqual(["200"]);
    expect(ru.chats).toEqual(["100"]);
  });

  it("on a channel without buttons the RSVP choices are numbered and remembered per chat", async () => {
    w = await startBroadcastWorld();
    const consoleChannel = new RecordingChannel("console", { buttons: false });
    await w.core.dispatcher.register(consoleChannel);
    const { enterpriseId } = await members(w, "10", 0);
    const p = await w.person("100", { enterpriseId });
    // Their second chat, on the console, where they want notices (one recipient per person: issue 9).
    await w.db.transaction(async (tx) => {
      await tx.channelIdentity.create({ data: { personId: p.person.personId, channel: "console", externalId: "c1" } });
      await tx.person.update({ where: { id: p.person.personId }, data: { preferredChannel: "console" } });
    });
    const event = await w.db.transaction((tx) => tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд" }), startsAt: new Date(w.now.getTime() + 86_400_000) } }));
    expect(await w.run(w.staff, (u) => publishEvent(u, event.id, { kind: "members" }))).toMatchObject({ ok: true, total: 1 });
    await w.core.dispatcher.idle();
    const menu = await w.db.transaction((tx) => loadMenu(tx, "console", "c1"));
    expect(menu?.choices.map((c) => [c.n, c.data])).toEqual([
      [1, `ev:g:${event.id}`],
      [2, `ev:m:${event.id}`],
      [3, `ev:n:${event.id}`],
    ]);
    expect(consoleChannel.in("c1")[0]!.message.choices?.flat().map((c) => c.key)).toEqual(["1", "2", "3"]);
    // Telegram has real buttons: no typed menu for a message from someone else's turn.
    expect(await w.db.transaction((tx) => loadMenu(tx, "telegram", "100"))).toBeNull();
  });
});

describe("button data", () => {
  it("is parsed strictly and fits in 64 bytes", () => {
    expect(rsvpButtons(12).flat().map((b) => b.data)).toEqual(["ev:g:12", "ev:m:12", "ev:n:12"]);
    expect(parseRsvpData("ev:m:12")).toEqual({ answer: "maybe", eventId: 12 });
    for (const bad of ["ev:x:12", "ev:g:0", "ev:g:012", "ev:g:12 ", "ev:g:-1", "ev:g:99999999999999999"]) expect(parseRsvpData(bad)).toBeNull();
    expect(parseBroadcastData("bc:c:5")).toEqual({ action: "cancel", id: 5 });
    for (const bad of ["bc:x:5", "bc:p:", "bc:p:1e3", "bc:r:5:1"]) expect(parseBroadcastData(bad)).toBeNull();
    expect(Buffer.byteLength(`ev:g:${Number.MAX_SAFE_INTEGER}`)).toBeLessThanOrEqual(64);
  });
});
