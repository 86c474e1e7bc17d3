/**
 * Shared setup of the events flow tests: the real core through the core harness (real database of
 * either provider, real locales, a recording channel) with a clock the test moves; a staff member
 * (a configured admin, chat 900, English) and member enterprises written directly (registration
 * has its own tests). Services are called as the flows call them, in a unit of that person.
 */
import { startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import type { Unit } from "../../../src/core/unit.ts";
import type { ChannelCapabilities } from "../../../src/core/channel.ts";
import { createEvent, type EventInput } from "../../../src/core/events/service.ts";
import { publishEvent } from "../../../src/core/broadcasts/service.ts";

export const STAFF = "900";

export interface EventsWorld {
  h: Harness;
  now: Date;
  later(ms: number): void;
  staff: TestPerson;
  /** A member of a new active enterprise `name`, writing from chat `chat` in `locale`. */
  member(chat: string, name: string, locale?: Locale): Promise<TestPerson>;
  /** Someone who talks to the bot without an enterprise. */
  stranger(chat: string, locale?: Locale): Promise<TestPerson>;
  as<T>(chat: string, fn: (unit: Unit) => Promise<T>): Promise<T>;
  /** A published event (created and published to all members by the staff member); its id. */
  published(input?: Partial<EventInput>): Promise<number>;
  close(): Promise<void>;
}

let bins = 200_000_000_000;

/** `capabilities`: what the recorded channel can show (e.g. a text channel's: no buttons). */
export async function startEvents(opts: { capabilities?: ChannelCapabilities } = {}): Promise<EventsWorld> {
  const world = { now: new Date("2026-11-30T06:00:00Z") } as EventsWorld;
  const h = await startHarness({ settings: { admins: [{ channel: "telegram", id: STAFF }] }, clock: () => world.now, ...(opts.capabilities ? { capabilities: opts.capabilities } : {}) });
  await h.db.transaction((tx) => tx.person.updateMany({ where: { role: "admin" }, data: { locale: "en" } }));
  const person = async (chat: string, locale: Locale, enterprise?: string) => {
    await h.db.transaction(async (tx) => {
      const p = await tx.person.create({ data: { locale, role: "member", name: `Person ${chat}`, consentAt: world.now, consentVersion: "1", identities: { create: { channel: "telegram", externalId: chat } } } });
      if (enterprise) {
        const e = await tx.enterprise.create({ data: { name: enterprise, bin: String(bins++), binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 40, status: "active", submittedAt: world.now } });
        await tx.membership.create({ data: { personId: p.id, enterpriseId: e.id, role: "owner", status: "active", requestedAt: world.now } });
      }
    });
    return h.person(chat, { language: locale });
  };
  Object.assign(world, {
    h,
    later(ms: number) {
      world.now = new Date(world.now.getTime() + ms);
    },
    staff: h.person(STAFF, { language: "en" }),
    member: (chat: string, name: string, locale: Locale = "ru") => person(chat, locale, name),
    stranger: (chat: string, locale: Locale = "ru") => person(chat, locale),
    async as<T>(chat: string, fn: (unit: Unit) => Promise<T>): Promise<T> {
      const id = await h.db.transaction((tx) => tx.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: chat } }, include: { person: true } }));
      const result = await h.core.run({ person: { personId: id.personId, role: id.person.role, locale: (id.person.locale as Locale | null) ?? null }, ref: `telegram:${chat}` }, fn);
      await h.core.dispatcher.idle();
      return result;
    },
    async published(input: Partial<EventInput> = {}) {
      const id = await world.as(STAFF, async (unit) => {
        const r = await createEvent(unit, {
          title: { ru: "Съезд", kk: "Съезд қк", en: "Congress" },
          description: { ru: "Программа", kk: "Бағдарлама", en: "Programme" },
          startsAt: "2027-03-15T05:00:00.000Z",
          venue: "Hall A",
          location: null,
          capacity: null,
          rsvpDeadline: null,
          reminders: [1440, 120],
          ...input,
        });
        if (!r.ok) throw new Error(r.reason);
        const p = await publishEvent(unit, r.id, { kind: "members" });
        if (!p.ok) throw new Error(p.reason);
        return r.id;
      });
      return id;
    },
    close: () => h.close(),
  });
  return world;
}

/** The visible text of message `key` in `locale`. */
export const text = (locale: Locale, key: string, args?: Record<string, string | number>) => tr(locale, key, args);
