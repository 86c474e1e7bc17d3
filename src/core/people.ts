/**
 * People and the ways to reach them. A person exists from their first private message, with only a
 * chat identity and a language; a name and phone come only after consent (members/registration.ts).
 */
import { sqlOf, type Tx } from "../db/database.ts";
import { negotiateLocale, type Locale } from "../i18n/locales.ts";
import type { ChannelName, Inbound } from "./channel.ts";
import { asLocale, type Target } from "./message.ts";
import type { Actor, CoreSettings, Unit } from "./unit.ts";
import { loadIdentity } from "./bookkeeping.ts";

export const ROLES = ["member", "staff", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** @deprecated Ask permissions.ts (`may`, `authorize`): who may do what is decided there only. */
export const isStaffRole = (role: string | undefined | null): boolean => role === "staff" || role === "admin";
/** @deprecated Ask permissions.ts (`may`, `authorize`): who may do what is decided there only. */
export const isAdminRole = (role: string | undefined | null): boolean => role === "admin";

/** ChannelIdentity.lastInboundAt is refreshed at most this often (ms): it only tells a reply from a first message. */
export const INBOUND_MARK_MS = 5 * 60_000;

/**
 * The person behind an inbound event. In a private chat a first message creates them (language
 * from the client when it is one of ours); in a group only people already known are recognised.
 * A private message also records where the person writes from (issue 9): Person.lastChannel when
 * it changed, ChannelIdentity.lastInboundAt at most every {@link INBOUND_MARK_MS} (`now`: the turn's time).
 */
export async function identify(tx: Tx, inbound: Inbound, now: Date = new Date()): Promise<Actor | null> {
  // One joined read on the driver: this runs for every message (see bookkeeping.ts).
  const found = await loadIdentity(tx, inbound.channel, inbound.userId);
  if (found) {
    const identity = { id: found.identityId, reachable: found.reachable, person: { id: found.personId, role: found.role, locale: found.locale } };
    if (inbound.chatType === "private") {
      // Writes only when something changed: most messages write nothing here.
      const stale = !found.lastInboundAt || now.getTime() - found.lastInboundAt.getTime() >= INBOUND_MARK_MS;
      if (!identity.reachable || stale) {
        // They wrote again, so they can be reached again (e.g. unblocked the bot).
        await tx.channelIdentity.update({ where: { id: identity.id }, data: { reachable: true, ...(stale ? { lastInboundAt: now } : {}) } });
      }
      if (found.lastChannel !== inbound.channel) await tx.person.update({ where: { id: identity.person.id }, data: { lastChannel: inbound.channel } });
    }
    let locale = isKnownLocale(identity.person.locale) ? identity.person.locale : null;
    if (!locale && inbound.chatType === "private") {
      // Known but never asked (e.g. an admin from configuration): take the client's language.
      const hinted = negotiateLocale(inbound.languageHint);
      if (hinted) {
        locale = hinted;
        await tx.person.update({ where: { id: identity.person.id }, data: { locale } });
      }
    }
    return { personId: identity.person.id, role: identity.person.role, locale };
  }
  if (inbound.chatType !== "private") return null;
  const locale = negotiateLocale(inbound.languageHint) ?? null;
  const person = await tx.person.create({
    data: {
      locale,
      lastChannel: inbound.channel,
      identities: { create: { channel: inbound.channel, externalId: inbound.userId, lastInboundAt: now } },
    },
  });
  return { personId: person.id, role: person.role, locale };
}

function isKnownLocale(value: string | null): value is Locale {
  return value === "kk" || value === "ru" || value === "en";
}

/** A chat of a person, as notice routing weighs it. */
export interface RoutableIdentity {
  id: number;
  channel: string;
  externalId: string;
  reachable: boolean;
  lastInboundAt: Date | null;
}

/**
 * The one chat a notice to a person goes to (issue 9: each notice reaches a person once): the
 * channel they prefer (Person.preferredChannel), else the one they wrote from last
 * (Person.lastChannel), else the chat they wrote from most recently; always a reachable one, so an
 * unreachable preferred chat falls back to another. `allowed` narrows the channels (broadcasts).
 * Null when none is reachable.
 */
export function routeOf<I extends RoutableIdentity>(
  person: { preferredChannel: string | null; lastChannel: string | null },
  identities: I[],
  allowed?: (channel: string) => boolean,
): I | null {
  const usable = identities.filter((i) => i.reachable && (!allowed || allowed(i.channel)));
  if (!usable.length) return null;
  for (const wanted of [person.preferredChannel, person.lastChannel]) {
    const hit = wanted ? usable.find((i) => i.channel === wanted) : undefined;
    if (hit) return hit;
  }
  // Most recent writer first, then the oldest identity (stable for people who never wrote).
  return [...usable].sort((a, b) => (b.lastInboundAt?.getTime() ?? 0) - (a.lastInboundAt?.getTime() ?? 0) || a.id - b.id)[0]!;
}

/** What {@link routeOf} needs of a person, for Prisma selects. */
export const ROUTE_SELECT = {
  preferredChannel: true,
  lastChannel: true,
  identities: { select: { id: true, channel: true, externalId: true, reachable: true, lastInboundAt: true } },
} as const;

/**
 * Where a notice to a person goes, in their language: one chat ({@link routeOf}), or none when
 * no chat of theirs is reachable. Conversation replies do not come here: they go to the chat that wrote.
 */
export async function targetsOf(tx: Tx, personId: number, fallback: Locale): Promise<Target[]> {
  const person = await tx.person.findUnique({ where: { id: personId }, select: { locale: true, ...ROUTE_SELECT } });
  if (!person) return [];
  const locale = asLocale(person.locale, fallback);
  const route = routeOf(person, person.identities);
  return route ? [{ channel: route.channel as ChannelName, chatId: route.externalId, locale }] : [];
}

/**
 * Where a notice to each of `people` goes ({@link targetsOf}): one chat per person, a person named
 * twice counted once, in the order given; people with no reachable chat left out.
 */
export async function targetsOfPeople(tx: Tx, people: number[], fallback: Locale): Promise<Target[]> {
  const targets: Target[] = [];
  for (const id of new Set(people)) targets.push(...(await targetsOf(tx, id, fallback)));
  return targets;
}

/** The channels a person uses (oldest first, each once) and the one they prefer for notices (null: the last used). */
export async function channelsOf(tx: Tx, personId: number): Promise<{ channels: string[]; preferred: string | null }> {
  const person = await tx.person.findUnique({
    where: { id: personId },
    select: { preferredChannel: true, identities: { select: { channel: true }, orderBy: { id: "asc" } } },
  });
  if (!person) return { channels: [], preferred: null };
  return { channels: [...new Set(person.identities.map((i) => i.channel))], preferred: person.preferredChannel };
}

/** The chat of each admin (not erased) where notices reach them, each in their language: for what only admins must hear. */
export async function adminTargets(tx: Tx, fallback: Locale): Promise<Target[]> {
  const admins = await tx.person.findMany({ where: { role: "admin", erasedAt: null }, select: { id: true }, orderBy: { id: "asc" } });
  const targets: Target[] = [];
  for (const admin of admins) targets.push(...(await targetsOf(tx, admin.id, fallback)));
  return targets;
}

/**
 * Where staff notices go: the staff group when there is one (and it is reachable: `staffChat` is
 * StaffChat.target), else every staff member privately.
 */
export async function staffTargets(tx: Tx, settings: CoreSettings, staffChat: { channel: ChannelName; chatId: string } | undefined): Promise<Target[]> {
  if (staffChat) return [{ ...staffChat, locale: settings.defaultLocale }];
  const staff = await tx.person.findMany({
    where: { role: { in: ["staff", "admin"] } },
    select: { locale: true, ...ROUTE_SELECT },
    orderBy: { id: "asc" },
  });
  // One chat per staff member (issue 9). Staff work on Telegram: their work notices go there
  // unless they chose another channel (a WhatsApp chat they linked stays for their own notices).
  return staff.flatMap((p) => {
    const route = routeOf({ preferredChannel: p.preferredChannel ?? "telegram", lastChannel: p.lastChannel }, p.identities);
    return route ? [{ channel: route.channel as ChannelName, chatId: route.externalId, locale: asLocale(p.locale, settings.defaultLocale) }] : [];
  });
}

/** The channel a person first wrote from ("telegram"), shown on their notices; null when none is left. */
export async function firstChannelOf(tx: Tx, personId: number): Promise<string | null> {
  const identity = await tx.channelIdentity.findFirst({ where: { personId }, orderBy: { id: "asc" }, select: { channel: true } });
  return identity?.channel ?? null;
}

/** Who is reachable at (channel, externalId) now, with their role (for permissions.ts); null for nobody known. */
export async function personAt(tx: Tx, channel: string, externalId: string): Promise<{ personId: number; role: string; erased: boolean } | null> {
  const identity = await tx.channelIdentity.findUnique({
    where: { channel_externalId: { channel, externalId } },
    select: { person: { select: { id: true, role: true, erasedAt: true } } },
  });
  const p = identity?.person;
  return p ? { personId: p.id, role: p.role, erased: !!p.erasedAt } : null;
}

/** The person behind (channel, externalId), with what team management needs; null for nobody known. */
export async function personByIdentity(tx: Tx, channel: string, externalId: string): Promise<{ personId: number; role: string; configuredAdmin: boolean } | null> {
  const identity = await tx.channelIdentity.findUnique({
    where: { channel_externalId: { channel, externalId } },
    include: { person: { select: { role: true, configuredAdmin: true } } },
  });
  return identity ? { personId: identity.personId, role: identity.person.role, configuredAdmin: identity.person.configuredAdmin } : null;
}

/** Creates a person known only by (channel, externalId) with `role` (someone made staff before they wrote); returns their id. */
export async function addPersonAt(tx: Tx, channel: string, externalId: string, role: Role): Promise<number> {
  return (await tx.person.create({ data: { role, identities: { create: { channel, externalId } } } })).id;
}

/** Sets a person's role (throws when there is no such person). */
export async function setRole(tx: Tx, personId: number, role: Role): Promise<void> {
  await tx.person.update({ where: { id: personId }, data: { role } });
}

/** Whether the person is an admin because the configuration says so (only the configuration changes that). */
export async function isConfiguredAdmin(tx: Tx, personId: number): Promise<boolean> {
  return !!(await tx.person.findUnique({ where: { id: personId }, select: { configuredAdmin: true } }))?.configuredAdmin;
}

/** Every chat of a person (reachable or not), as chat references. */
export async function identitiesOf(tx: Tx, personId: number): Promise<{ channel: string; chatId: string }[]> {
  const identities = await tx.channelIdentity.findMany({ where: { personId }, select: { channel: true, externalId: true } });
  return identities.map((i) => ({ channel: i.channel, chatId: i.externalId }));
}

/** Staff and admins, oldest first, with their name (if given) and first identity, for the team list. */
export async function staffAndAdmins(tx: Tx): Promise<{ id: number; role: string; name: string | null; configuredAdmin: boolean; identities: { channel: string; externalId: string }[] }[]> {
  const people = await tx.person.findMany({
    where: { role: { in: ["staff", "admin"] } },
    select: { id: true, role: true, name: true, configuredAdmin: true, identities: { select: { channel: true, externalId: true } } },
    orderBy: { id: "asc" },
  });
  return people;
}

export async function markUnreachable(tx: Tx, channel: ChannelName, chatId: string): Promise<void> {
  await tx.channelIdentity.updateMany({ where: { channel, externalId: chatId }, data: { reachable: false } });
}

/**
 * Makes the configured admins admins (creating them when they have never written), and takes the
 * role from anyone who was an admin only because of the configuration and is no longer in it.
 * Returns how many were removed.
 */
export async function ensureConfiguredAdmins(tx: Tx, admins: { channel: ChannelName; id: string }[]): Promise<number> {
  const configured = new Set<number>();
  for (const { channel, id: externalId } of admins) {
    const identity = await tx.channelIdentity.findUnique({
      where: { channel_externalId: { channel, externalId } },
    });
    const person = identity
      ? await tx.person.update({ where: { id: identity.personId }, data: { role: "admin", configuredAdmin: true } })
      : await tx.person.create({ data: { role: "admin", configuredAdmin: true, identities: { create: { channel, externalId } } } });
    configured.add(person.id);
  }
  const { count } = await tx.person.updateMany({
    where: { configuredAdmin: true, id: { notIn: [...configured] } },
    data: { configuredAdmin: false, role: "member" },
  });
  return count;
}

export interface AuditEntry {
  actorId: number | null;
  actorRef: string;
  action: string;
  subject?: string;
  outcome: "ok" | "denied";
  detail?: string;
}

/** Writes one AuditLog row for `entry` at `at` (never a code, a token or a message text in `detail`). */
export async function audit(tx: Tx, entry: AuditEntry, at: Date): Promise<void> {
  await tx.auditLog.create({
    data: {
      at,
      actorId: entry.actorId,
      actorRef: entry.actorRef,
      action: entry.action,
      subject: entry.subject ?? null,
      outcome: entry.outcome,
      detail: entry.detail?.slice(0, 500) ?? null,
    },
  });
}

/** What the main menu shows depends on: the acting person's language, membership, consent and role. */
export interface MenuFacts {
  hasLocale: boolean;
  member: boolean;
  /** Their application or join request was refused: they may see why, and apply again. */
  refused: boolean;
  consented: boolean;
  role: string;
  /** They receive announcements (not stopped: Person.announcementsStoppedAt, issue 8). */
  announcements: boolean;
}

/** {@link MenuFacts} of the unit's actor (nobody known: a member with a language, nothing more). */
export async function menuFacts(unit: Unit): Promise<MenuFacts> {
  if (!unit.actor) return { hasLocale: true, member: false, refused: false, consented: false, role: "member", announcements: true };
  // Raw, one statement (bookkeeping.ts's reason): read every time the main menu is shown, the
  // answer most turns end with; as a Prisma query with its relation it was two statements and the
  // query layer's cost on top.
  const p = await sqlOf(unit.tx).get<{ locale: string | null; consentAt: unknown; role: string; announcementsStoppedAt: unknown; membershipId: number | null; status: string | null }>(
    `SELECT p."locale", p."consentAt", p."role", p."announcementsStoppedAt", m."id" AS "membershipId", m."status"
       FROM "Person" p LEFT JOIN "Membership" m ON m."personId" = p."id" WHERE p."id" = ?`,
    unit.actor.personId,
  );
  return {
    hasLocale: !!p?.locale,
    member: p?.membershipId != null,
    refused: p?.status === "rejected",
    consented: !!p?.consentAt,
    role: p?.role ?? "member",
    announcements: !p?.announcementsStoppedAt,
  };
}

/** Whether the unit's actor agreed to the consent text of `version` (false for nobody known). */
export async function hasConsented(unit: Unit, version: string): Promise<boolean> {
  if (!unit.actor) return false;
  const p = await unit.tx.person.findUnique({ where: { id: unit.actor.personId }, select: { consentVersion: true } });
  return p?.consentVersion === version;
}

/** Records that the unit's actor agreed to the consent text of `version` now (undoing an erasure mark). */
export async function recordConsent(unit: Unit, version: string): Promise<void> {
  await unit.tx.person.update({
    where: { id: unit.actor!.personId },
    data: { consentAt: unit.now, consentVersion: version, erasedAt: null },
  });
}

/** The unit's actor speaks `locale` from now on (stored; nothing for nobody known). */
export async function setLocale(unit: Unit, locale: Locale): Promise<void> {
  if (!unit.actor) return;
  unit.actor.locale = locale;
  await unit.tx.person.update({ where: { id: unit.actor.personId }, data: { locale } });
}

/** What "My data" shows of a person: name, phone, when they consented; null for no such person. */
export async function personalDataOf(tx: Tx, personId: number): Promise<{ name: string | null; phone: string | null; consentAt: Date | null } | null> {
  return tx.person.findUnique({ where: { id: personId }, select: { name: true, phone: true, consentAt: true } });
}

/** Erasure: the person keeps only their id and when they were erased. */
export async function clearPerson(tx: Tx, personId: number, now: Date): Promise<void> {
  await tx.person.update({
    where: { id: personId },
    data: {
      name: null, phone: null, locale: null, role: "member", consentAt: null, consentVersion: null, erasedAt: now,
      preferredChannel: null, lastChannel: null, linkFailures: 0, linkFailedAt: null,
    },
  });
}

/** Erasure: what staff wrote about these requests (a rejection's reason) goes; that it happened stays. */
export async function forgetAuditDetails(tx: Tx, subjects: string[]): Promise<void> {
  await tx.auditLog.updateMany({ where: { subject: { in: subjects } }, data: { detail: null } });
}

/**
 * Erasure: a person's chats are forgotten: their private conversation and any they had in a group
 * (keys end with their user id), the chat's typed menu, the audit's name for them (replaced by
 * "erased:<id>"), and the identities themselves.
 */
export async function forgetIdentities(tx: Tx, personId: number, identities: { channel: string; chatId: string }[]): Promise<void> {
  for (const i of identities) {
    await tx.dialogState.deleteMany({
      where: { OR: [{ key: `${i.channel}:${i.chatId}` }, { key: { startsWith: `${i.channel}:`, endsWith: `:${i.chatId}` } }] },
    });
    await tx.chatMenu.deleteMany({ where: { channel: i.channel, chatId: i.chatId } });
    await tx.auditLog.updateMany({ where: { actorRef: `${i.channel}:${i.chatId}` }, data: { actorRef: `erased:${personId}` } });
  }
  await tx.channelIdentity.deleteMany({ where: { personId } });
  // Their link codes too (core/identity): a code left over would link a new chat to the erased person.
  await tx.linkCode.deleteMany({ where: { personId } });
}
