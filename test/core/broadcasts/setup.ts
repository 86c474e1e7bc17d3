/**
 * Broadcast tests' world: the problems' world (real database of either provider, real locales, a
 * recording channel, a clock the test moves, jobs ticked by hand) plus a channel that can hold
 * sends back (a gate) and refuse chats as a platform does: 403 (unreachable) and 400 (rejected).
 */
import { DeliveryError } from "../../../src/core/channel.ts";
import type { Audience } from "../../../src/core/broadcasts/audience.ts";
import { createBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
import type { Acting } from "../../../src/core/unit.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import { startWorld, type World } from "../problems/setup.ts";

export interface BroadcastWorld extends World {
  /** Chats whose sends fail with a 400 ("Bad Request: chat not found"). */
  rejected: Set<string>;
  /** While set, sends to chats starting with "7" wait until `release`. */
  hold(): void;
  release(): void;
  /** Sends waiting at the gate now. */
  waiting(): number;
  staff: Acting & { person: NonNullable<Acting["person"]> };
}

export async function startBroadcastWorld(): Promise<BroadcastWorld> {
  const w = (await startWorld()) as BroadcastWorld;
  w.rejected = new Set();
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let waiting = 0;
  const deliver = w.channel.deliver.bind(w.channel);
  w.channel.deliver = async (chatId, outbound) => {
    if (gate && chatId.startsWith("7")) {
      waiting++;
      await gate.promise;
      waiting--;
    }
    if (w.rejected.has(chatId)) throw new DeliveryError("rejected", "Bad Request: chat not found");
    return deliver(chatId, outbound);
  };
  w.hold = () => {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    gate = { promise, open };
  };
  w.release = () => {
    gate?.open();
    gate = null;
  };
  w.waiting = () => waiting;
  w.staff = await w.person("900", { role: "staff", locale: "ru" });
  return w;
}

/** `n` active members of one new enterprise, chats `<prefix>0`, `<prefix>1`, ... */
export async function members(w: World, prefix: string, n: number, opts: { locale?: Locale; region?: string; sector?: string; status?: string } = {}): Promise<{ enterpriseId: number; chats: string[] }> {
  const enterpriseId = await w.enterprise({ ...(opts.region ? { region: opts.region } : {}), ...(opts.sector ? { sector: opts.sector } : {}), ...(opts.status ? { status: opts.status } : {}) });
  const chats: string[] = [];
  for (let i = 0; i < n; i++) {
    const chat = `${prefix}${i}`;
    await w.person(chat, { enterpriseId, ...(opts.locale ? { locale: opts.locale } : {}), name: `Member ${chat}` });
    chats.push(chat);
  }
  return { enterpriseId, chats };
}

export const announcement = { ru: "Съезд <b>ассоциации</b> & встреча", kk: "Қауымдастық съезі", en: "The association's congress" };

/** A draft by the world's staff member, started; returns its id and total. */
export async function send(w: BroadcastWorld, audience: Audience = { kind: "members" }, texts: Record<string, string> = announcement): Promise<{ id: number; total: number }> {
  const created = await w.run(w.staff, (u) => createBroadcast(u, { texts, file: null, audience }));
  if (!created.ok) throw new Error(created.reason);
  const started = await w.run(w.staff, (u) => startBroadcast(u, created.id));
  if (!started.ok) throw new Error(started.reason);
  return { id: created.id, total: started.total };
}

/** Texts delivered to a chat now (no waiting). */
export const delivered = (w: World, chat: string): string[] => w.channel.in(chat).map((m) => m.text);
