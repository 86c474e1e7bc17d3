/**
 * Issue 8 item 10, across instances: an announcement sent by another instance's delivery engine is
 * paused, resumed and cancelled by this one. The state lives in the rows (queued → held → queued,
 * → cancelled) and every engine claims only queued rows, so the other instance sends nothing held
 * or cancelled: after a pause only its sends in flight end; after a resume the rest go, each once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createCore, type Core } from "../../src/core/core.ts";
import { cancelBroadcast, createBroadcast, pauseBroadcast, resumeBroadcast, startBroadcast } from "../../src/core/broadcasts/service.ts";
import type { Outbound } from "../../src/core/channel.ts";
import { silentLogger } from "../../src/log.ts";
import { i18n, RecordingChannel, startHarness, type Harness } from "../support/core-harness.ts";

let h: Harness | undefined;
let other: Core | undefined;
let gate: { open: () => void; promise: Promise<void> } | null = null;
afterEach(async () => {
  gate?.open();
  if (other) {
    await other.stop();
    await other.dispatcher.stop();
  }
  other = undefined;
  await h?.close();
  h = undefined;
});

/** The other instance's channel: counts each send per chat; while the gate is closed, sends wait at it. */
class GatedChannel extends RecordingChannel {
  readonly sends = new Map<string, number>();
  inFlight = 0;
  override async deliver(chatId: string, outbound: Outbound) {
    if (outbound.kind !== "edit" && chatId.startsWith("7")) {
      this.sends.set(chatId, (this.sends.get(chatId) ?? 0) + 1);
      if (gate) {
        this.inFlight++;
        await gate.promise;
        this.inFlight--;
      }
    }
    return super.deliver(chatId, outbound);
  }
}

function closeGate(): void {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  gate = { open, promise };
}

const N = 60;
/** The engine's sends at once per channel (DispatcherOptions.concurrency default). */
const CONCURRENCY = 16;

/** Waits until the other instance (polling the table) has its sends in flight at the gate. */
async function filled(channel: GatedChannel): Promise<void> {
  for (let i = 0; i < 1000 && channel.inFlight < CONCURRENCY; i++) await new Promise((r) => setTimeout(r, 10));
  expect(channel.inFlight).toBeGreaterThan(0);
}

describe("pause, resume and cancel across instances", () => {
  it("the other instance's engine stops at a pause (only its sends in flight end), goes on at a resume, stops for good at a cancel", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
    // This instance sends nothing (its engine stopped): every send is the other's.
    await h.core.dispatcher.stop();
    other = createCore({ db: h.db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [{ channel: "telegram", id: "900" }] }, jobs: { start: false } });
    await other.start();
    const channel = new GatedChannel();
    await other.dispatcher.register(channel);

    const staffId = await h.db.transaction(async (tx) => {
      const e = await tx.enterprise.create({ data: { name: "Textile LLP", bin: "200000000001", binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 40, status: "active", submittedAt: new Date() } });
      for (let i = 0; i < N; i++) {
        const p = await tx.person.create({ data: { locale: "ru", role: "member", name: `M${i}`, consentAt: new Date(), consentVersion: "1", identities: { create: { channel: "telegram", externalId: `7${String(i).padStart(3, "0")}` } } } });
        await tx.membership.create({ data: { personId: p.id, enterpriseId: e.id, role: i ? "employee" : "owner", status: "active", requestedAt: new Date() } });
      }
      const staff = await tx.person.findFirstOrThrow({ where: { identities: { some: { channel: "telegram", externalId: "900" } } } });
      return staff.id;
    });
    const asStaff = { person: { personId: staffId, role: "admin" as const, locale: "ru" as const }, ref: "telegram:900" };
    const rows = async (id: number) => {
      const all = await h!.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: id } }));
      const out: Record<string, number> = {};
      for (const r of all) out[r.status] = (out[r.status] ?? 0) + 1;
      return out;
    };

    closeGate();
    const id = await h.core.run(asStaff, async (unit) => {
      const b = await createBroadcast(unit, { texts: { ru: "Съезд" }, file: null, audience: { kind: "members" } });
      if (!b.ok) throw new Error(b.reason);
      await startBroadcast(unit, b.id);
      return b.id;
    });
    // The other instance finds the rows itself and fills its sends in flight.
    await filled(channel);
    expect(await h.core.run(asStaff, (unit) => pauseBroadcast(unit, id))).toEqual({ ok: true });
    const flying = channel.inFlight;
    gate!.open();
    gate = null;
    await other.dispatcher.idle();
    expect([...channel.sends.values()].reduce((a, b) => a + b, 0)).toBe(flying);
    expect(await rows(id)).toEqual({ sent: flying, held: N - flying });

    expect(await h.core.run(asStaff, (unit) => resumeBroadcast(unit, id))).toEqual({ ok: true });
    closeGate();
    await filled(channel);
    expect(await h.core.run(asStaff, (unit) => cancelBroadcast(unit, id))).toEqual({ ok: true });
    const flying2 = channel.inFlight;
    gate!.open();
    gate = null;
    await other.dispatcher.idle();
    expect(await rows(id)).toEqual({ sent: flying + flying2, cancelled: N - flying - flying2 });
    // Nobody got it twice.
    expect([...channel.sends.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
