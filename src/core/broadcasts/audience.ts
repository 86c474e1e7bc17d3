/**
 * Who a broadcast reaches (issue 8): an audience is a filter, stored as JSON on the Broadcast and
 * resolved when the broadcast starts (so a member approved meanwhile is included). Resolution
 * leaves out people erased, unreachable (ChannelIdentity.reachable false: blocked the bot),
 * opted out (Person.announcementsStoppedAt) and, for members, those without an active membership.
 *
 * One message per person (issue 9): a person with several chats (Telegram and WhatsApp linked) gets
 * it once, on the chat notices go to (people.ts routeOf: the preferred channel, else the last
 * used), among the channels broadcasts use ({@link BROADCAST_CHANNELS}).
 */
import type { Tx } from "../../db/database.ts";
import type { Prisma } from "../../db/generated/client.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import { asLocale } from "../message.ts";
import { routeOf } from "../people.ts";

export type EventAnswerFilter = "going" | "maybe" | "no" | "none";

export type Audience =
  /** Active members (people with an active membership of an active or ownerless enterprise), optionally narrowed; empty lists mean "any". */
  | {
      kind: "members";
      regions?: string[];
      sectors?: string[];
      locales?: Locale[];
      /** Enterprise statuses (members/status.ts); default active and ownerless. */
      enterpriseStatuses?: string[];
      /** By their enterprise's answer to an event ("none": not answered). */
      event?: { id: number; answers: EventAnswerFilter[] };
    }
  /** Staff and admins only. */
  | { kind: "staff" };

/** One recipient: a person at one of their addresses, in their language. */
export interface Recipient {
  personId: number;
  channel: string;
  chatId: string;
  locale: Locale;
  enterpriseId: number | null;
}

/**
 * The channels a broadcast goes out on. WhatsApp recipients go through its pace (a pause between
 * chats, a daily cap on first messages: channels/whatsapp/capabilities.ts), counted apart in the
 * progress and the report (render.ts pacedLines).
 */
export const BROADCAST_CHANNELS: readonly string[] = ["telegram", "console", "whatsapp"];

/** Enterprise statuses that make a member by default (members/status.ts MEMBER_ENTERPRISE). */
export const MEMBER_ENTERPRISE_STATUSES: readonly string[] = ["active", "ownerless"];

const ANSWERS: readonly EventAnswerFilter[] = ["going", "maybe", "no", "none"];
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * An audience read back from JSON (a Broadcast row, a flow's state) and checked: null when it is
 * not one (unknown kind, lists that are not lists of strings, an unknown locale or answer).
 */
export function parseAudience(value: unknown): Audience | null {
  const a = (typeof value === "string" ? safeJson(value) : value) as Record<string, unknown> | null;
  if (!a || typeof a !== "object") return null;
  if (a.kind === "staff") return { kind: "staff" };
  if (a.kind !== "members") return null;
  const out: Extract<Audience, { kind: "members" }> = { kind: "members" };
  for (const k of ["regions", "sectors", "enterpriseStatuses"] as const) {
    if (a[k] === undefined) continue;
    if (!strings(a[k])) return null;
    out[k] = a[k] as string[];
  }
  if (a.locales !== undefined) {
    if (!strings(a.locales) || !a.locales.every((l) => (LOCALES as readonly string[]).includes(l))) return null;
    out.locales = a.locales as Locale[];
  }
  if (a.event !== undefined) {
    const e = a.event as { id?: unknown; answers?: unknown };
    if (!e || typeof e.id !== "number" || !Number.isSafeInteger(e.id) || !strings(e.answers) || !e.answers.every((x) => ANSWERS.includes(x as EventAnswerFilter))) return null;
    out.event = { id: e.id, answers: e.answers as EventAnswerFilter[] };
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The recipients of `audience` now: one reachable address (ChannelIdentity.reachable, on
 * {@link BROADCAST_CHANNELS}) of each person in it, the one notices reach them on (people.ts routeOf), in the person's language (`defaultLocale` when
 * they have none), ordered by person and address. Left out: erased people, people who stopped
 * announcements, and people with an address in `exclude` ("channel:chatId": those an event was already sent to).
 * Members: an active membership of an enterprise whose status is in `enterpriseStatuses` (default
 * active and ownerless), narrowed by region, sector, the person's language and their enterprise's
 * answer to an event ("none": no answer); an empty or absent list means any. Staff: role staff or admin.
 */
export async function resolveAudience(tx: Tx, audience: Audience, opts: { defaultLocale: Locale; exclude?: Set<string> }): Promise<Recipient[]> {
  const person: Prisma.PersonWhereInput = { erasedAt: null, announcementsStoppedAt: null };
  if (audience.kind === "staff") {
    person.role = { in: ["staff", "admin"] };
  } else {
    const enterprise: Prisma.EnterpriseWhereInput = {
      status: { in: audience.enterpriseStatuses?.length ? audience.enterpriseStatuses : [...MEMBER_ENTERPRISE_STATUSES] },
      ...(audience.regions?.length ? { region: { in: audience.regions } } : {}),
      ...(audience.sectors?.length ? { sector: { in: audience.sectors } } : {}),
    };
    person.membership = { status: "active", enterprise };
  }
  const all = await tx.channelIdentity.findMany({
    where: { reachable: true, channel: { in: [...BROADCAST_CHANNELS] }, person },
    select: {
      id: true, channel: true, externalId: true, reachable: true, lastInboundAt: true,
      person: { select: { id: true, locale: true, preferredChannel: true, lastChannel: true, membership: { select: { enterpriseId: true, status: true } } } },
    },
    orderBy: [{ personId: "asc" }, { id: "asc" }],
  });
  // One recipient per person (issue 9): their linked chats are one person, reached on the chat
  // notices go to (people.ts routeOf); someone already sent it on any of their chats is skipped.
  const byPerson = new Map<number, typeof all>();
  for (const r of all) {
    const list = byPerson.get(r.person.id);
    if (list) list.push(r);
    else byPerson.set(r.person.id, [r]);
  }
  const rows: typeof all = [];
  for (const chats of byPerson.values()) {
    if (opts.exclude && chats.some((c) => opts.exclude!.has(`${c.channel}:${c.externalId}`))) continue;
    const route = routeOf(chats[0]!.person, chats);
    if (route) rows.push(route);
  }
  let answers: Map<number, string> | null = null;
  if (audience.kind === "members" && audience.event && audience.event.answers.length) {
    const rsvps = await tx.eventRsvp.findMany({ where: { eventId: audience.event.id }, select: { enterpriseId: true, answer: true } });
    answers = new Map(rsvps.map((r) => [r.enterpriseId, r.answer]));
  }
  const locales = audience.kind === "members" && audience.locales?.length ? new Set<string>(audience.locales) : null;
  const out: Recipient[] = [];
  for (const r of rows) {
    const locale = asLocale(r.person.locale, opts.defaultLocale);
    if (locales && !locales.has(locale)) continue;
    const membership = r.person.membership?.status === "active" ? r.person.membership : null;
    if (answers && audience.kind === "members" && audience.event) {
      const answer = (membership && answers.get(membership.enterpriseId)) ?? "none";
      if (!audience.event.answers.includes(answer as EventAnswerFilter)) continue;
    }
    if (opts.exclude?.has(`${r.channel}:${r.externalId}`)) continue;
    out.push({ personId: r.person.id, channel: r.channel, chatId: r.externalId, locale, enterpriseId: membership?.enterpriseId ?? null });
  }
  return out;
}
