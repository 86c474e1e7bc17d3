/**
 * An announcement to members on Telegram and on WhatsApp (issue 9 item 7): the real core with both
 * channels registered and the delivery engine on virtual time. Telegram recipients go at its rate,
 * WhatsApp recipients one chat at a time with the pause between them; the screen before sending,
 * the progress and the report count WhatsApp apart, with its own (slower) time left.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCore, type Core } from "../../../src/core/core.ts";
import type { Database } from "../../../src/db/database.ts";
import { FileStore } from "../../../src/core/files/store.ts";
import type { ChannelCapabilities, ChannelName, Outbound } from "../../../src/core/channel.ts";
import { broadcastFigures, countRecipients, createBroadcast, startBroadcast, type BroadcastFigures } from "../../../src/core/broadcasts/service.ts";
import { screenText } from "../../../src/core/broadcasts/compose-flows.ts";
import { progressText } from "../../../src/core/broadcasts/render.ts";
import { pacedCountLines } from "../../../src/core/broadcasts/render.ts";
import { whatsappCapabilities } from "../../../src/channels/whatsapp/capabilities.ts";
import type { Acting } from "../../../src/core/unit.ts";
import type { Translate } from "../../../src/core/message.ts";
import { silentLogger } from "../../../src/log.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { i18n, RecordingChannel, tr } from "../../support/core-harness.ts";
import { countingDatabase, virtualTime } from "../../support/virtual-time.ts";

const START = Date.UTC(2026, 10, 30, 5, 0);
const PAUSE = 4000;
const JITTER = 3000;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

type Sent = { chatId: string; at: number };

async function world() {
  const dir = mkdtempSync(join(tmpdir(), "qti-bc-pacing-"));
  const { db, busy } = countingDatabase(await openTestDatabase(`file:${join(dir, "bot.db")}`));
  const time = virtualTime(START, busy);
  const core: Core = createCore({
    db,
    files: new FileStore(join(dir, "files")),
    i18n: i18n(),
    log: silentLogger,
    clock: () => new Date(time.now()),
    settings: { defaultLocale: "ru", admins: [] },
    jobs: { start: false, instance: "i0" },
    dispatcherTimers: time,
  });
  await core.start();
  const sent: Record<string, Sent[]> = { telegram: [], whatsapp: [] };
  const channel = (name: ChannelName, capabilities: ChannelCapabilities) => {
    const c = new RecordingChannel(name, capabilities);
    const deliver = c.deliver.bind(c);
    c.deliver = async (chatId: string, outbound: Outbound) => {
      if (outbound.kind === "send") sent[name]!.push({ chatId, at: time.now() });
      return deliver(chatId, outbound);
    };
    return c;
  };
  const telegram = channel("telegram", { limits: { global: { burst: 25, everyMs: 40 }, privateChat: { burst: 1, everyMs: 1000 } } });
  const whatsapp = channel("whatsapp", whatsappCapabilities({ whatsappPacing: { pauseSeconds: PAUSE / 1000, jitterSeconds: JITTER / 1000, dailyFirstMessages: 50 } }));
  await core.dispatcher.register(telegram);
  await core.dispatcher.register(whatsapp);
  cleanup = async () => {
    await core.stop();
    await core.dispatcher.stop({ graceMs: 10 });
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const enterprise = await db.transaction((tx) =>
    tx.enterprise.create({ data: { name: "Textile LLP", bin: "061211600012", binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 40, status: "active", submittedAt: new Date(START) } }),
  );
  const member = (channelName: string, chat: string) =>
    db.transaction(async (tx) => {
      const p = await tx.person.create({
        data: {
          locale: "ru",
          name: `Member ${chat}`,
          consentAt: new Date(START),
          consentVersion: "1",
          // They wrote an hour ago: no first messages (the daily cap has its own tests).
          identities: { create: { channel: channelName, externalId: chat, lastInboundAt: new Date(START - 3_600_000) } },
        },
      });
      // One enterprise, several people: each an employee with an active membership.
      await tx.membership.create({ data: { personId: p.id, enterpriseId: enterprise.id, role: "employee", status: "active", requestedAt: new Date(START) } });
    });
  for (const chat of ["101", "102", "103"]) await member("telegram", chat);
  for (const chat of ["77010000001@c.us", "77010000002@c.us", "77010000003@c.us"]) await member("whatsapp", chat);
  const staffRow = await db.transaction((tx) => tx.person.create({ data: { locale: "ru", role: "staff", identities: { create: { channel: "telegram", externalId: "900" } } } }));
  const staff: Acting = { person: { personId: staffRow.id, role: "staff", locale: "ru" }, ref: "telegram:900" };
  return { core, db, time, sent, telegram, whatsapp, staff };
}

const t: Translate = (key, args) => tr("ru", key, args);

describe("an announcement to Telegram and WhatsApp members", () => {
  it("Telegram at its rate, WhatsApp paced; the screen, the progress and the report count WhatsApp apart with its own time left", async () => {
    const w = await world();
    const audience = { kind: "members" as const };
    // Before sending: how many are on WhatsApp and about how long they take (3 × 5.5 s: a minute).
    const count = await w.core.run(w.staff, (u) => countRecipients(u, audience));
    expect(count.total).toBe(6);
    expect(count.byChannel).toEqual({ telegram: 3, whatsapp: 3 });
    expect(count.paced).toEqual([{ channel: "whatsapp", count: 3, seconds: Math.ceil((3 * (PAUSE + JITTER / 2)) / 1000) }]);
    expect(pacedCountLines(t, count)).toEqual([tr("ru", "pacing-screen-channel", { channel: "WhatsApp", count: 3, minutes: 1 })]);
    expect(pacedCountLines(t, count)[0]).toContain("3 получателя");
    // The compose screen says it too.
    expect(screenText(t, { locales: ["ru"], texts: { ru: "Съезд" }, file: null, audience }, count)).toContain(pacedCountLines(t, count)[0]);

    // The progress as it was when the second WhatsApp message went out.
    let midway: BroadcastFigures | undefined;
    const deliver = w.whatsapp.deliver.bind(w.whatsapp);
    w.whatsapp.deliver = async (chatId, outbound) => {
      if (w.sent.whatsapp!.length === 1 && !midway) {
        const r = await w.core.run(w.staff, (u) => broadcastFigures(u, id));
        if (r.ok) midway = r.figures;
      }
      return deliver(chatId, outbound);
    };
    const created = await w.core.run(w.staff, (u) => createBroadcast(u, { texts: { ru: "Съезд ассоциации" }, file: null, audience }));
    if (!created.ok) throw new Error(created.reason);
    const id = created.id;
    const started = await w.core.run(w.staff, (u) => startBroadcast(u, id));
    expect(started).toEqual({ ok: true, total: 6 });
    await w.core.dispatcher.idle();

    // Telegram: all three at once (its rate allows 25 a second).
    const tg = w.sent.telegram!.filter((s) => s.chatId !== "900");
    expect(tg.map((s) => s.chatId).sort()).toEqual(["101", "102", "103"]);
    expect(Math.max(...tg.map((s) => s.at)) - START).toBeLessThan(1000);
    // WhatsApp: one chat at a time, the pause (plus at most the jitter) between them.
    const wa = w.sent.whatsapp!;
    expect(wa.map((s) => s.chatId).sort()).toEqual(["77010000001@c.us", "77010000002@c.us", "77010000003@c.us"]);
    for (let i = 1; i < wa.length; i++) {
      expect(wa[i]!.at - wa[i - 1]!.at).toBeGreaterThanOrEqual(PAUSE);
      expect(wa[i]!.at - wa[i - 1]!.at).toBeLessThanOrEqual(PAUSE + JITTER + 100);
    }

    // Midway: 4 of 6 delivered (Telegram done, one WhatsApp message); WhatsApp apart with its ETA.
    expect(midway).toBeDefined();
    expect(midway!.sent).toBe(4);
    expect(midway!.channels).toEqual([{ channel: "whatsapp", total: 3, sent: 1, left: 2, etaSeconds: Math.ceil((2 * (PAUSE + JITTER / 2)) / 1000) }]);
    const text = progressText(t, midway!);
    expect(text).toContain(tr("ru", "pacing-progress-channel-eta", { channel: "WhatsApp", sent: 1, total: 3, minutes: 1 }));
    expect(text).toContain("WhatsApp: доставлено 1 из 3");
    // Telegram is done: no rate line for it (the time left is WhatsApp's).
    expect(midway!.etaSeconds).toBeNull();

    // The end: the progress message becomes the report, with WhatsApp's figures.
    for (let i = 0; i < 10; i++) {
      const b = await w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));
      if (b.status === "done") break;
      await w.core.jobWorker.tick();
      await w.core.dispatcher.idle();
    }
    const report = w.telegram.messages.find((m) => m.chatId === "900" && m.text.startsWith(tr("ru", "broadcast-report", { id, sent: 6, total: 6 })));
    expect(report?.text).toContain(tr("ru", "pacing-progress-channel", { channel: "WhatsApp", sent: 3, total: 3 }));
    const sentOutbox = await w.db.transaction((tx) => tx.outbox.count({ where: { broadcastId: id, status: "sent" } }));
    expect(sentOutbox).toBe(6);
  });
});
