/** Shared steps of the event service tests: an event as staff type it, published as publishEvent leaves it, members of enterprises. */
import type { EventInput } from "../../../src/core/events/service.ts";
import { scheduleReminders } from "../../../src/core/events/jobs.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import type { World } from "../problems/setup.ts";

export { startWorld, type World } from "../problems/setup.ts";

/** 15.03.2027 10:00 in Almaty. */
export const START = "2027-03-15T05:00:00.000Z";

export const input = (over: Partial<EventInput> = {}): EventInput => ({
  title: { kk: "Жеңіл өнеркәсіп съезі", ru: "Съезд лёгкой промышленности", en: "Light industry congress" },
  description: { ru: "Пленарное заседание и секции.", en: "Plenary and sections." },
  startsAt: START,
  venue: "Алматы, Rixos, зал «Достық»",
  location: { latitude: 43.2389, longitude: 76.9455 },
  capacity: null,
  rsvpDeadline: null,
  reminders: [1440, 120],
  ...over,
});

/** Publishes as publishEvent (branch broadcast) leaves an event: published, its reminders scheduled. */
export async function publish(w: World, id: number): Promise<void> {
  await w.run({ person: null, ref: "system" }, async (u) => {
    await u.tx.event.update({ where: { id }, data: { status: "published", publishedAt: u.now } });
    await scheduleReminders(u, id);
  });
}

/** A member of a new active enterprise named `name`, reachable on chat `chat`, reading `locale`. */
export async function member(w: World, chat: string, locale: Locale = "ru", name = `Enterprise ${chat}`) {
  const enterpriseId = await w.enterprise({ name });
  const acting = await w.person(chat, { locale, enterpriseId, name: `Person ${chat}` });
  return { ...acting, enterpriseId };
}

let staffChats = 900;
/** A staff member on a chat of their own (900, 901, ...). */
export const staff = (w: World, locale: Locale = "ru") => w.person(String(staffChats++), { role: "staff", locale });
