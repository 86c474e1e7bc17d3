/**
 * People and the ways to reach them. A person exists from their first private message, with only a
 * chat identity and a language; a name and phone come only after consent (members/registration.ts).
 */
import type { Tx } from "../db/database.ts";
import { negotiateLocale, type Locale } from "../i18n/locales.ts";
import type { ChannelName, Inbound } from "./channel.ts";
import { asLocale, type Actor, type CoreSettings, type Target } from "./turn.ts";
import { loadIdentity } from "./bookkeeping.ts";

export const ROLES = ["member", "staff", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** @deprecated Ask permissions.ts (`may`, `authorize`): who may do what is decided there only. */
export const isStaffRole = (role: string | undefined | null): boolean => role === "staff" || role === "admin";
/** @deprecated Ask permissions.ts (`may`, `authorize`): who may do what is decided there only. */
export const isAdminRole = (role: string | undefined | null): boolean => role === "admin";

/**
 * The person behind an inbound event. In a private chat a first message creates them (language
 * from the client when it is one of ours); in a group only people already known are recognised.
 */
export async function identify(tx: Tx, inbound: Inbound): Promise<Actor | null> {
  // One joined read on the driver: this runs for every message (see bookkeeping.ts).
  const found = await loadIdentity(tx, inbound.channel, inbound.userId);
  if (found) {
    const identity = { id: found.identityId, reachable: found.reachable, person: { id: found.personId, role: found.role, locale: found.locale } };
    if (!identity.reachable && inbound.chatType === "private") {
      // They wrote again, so they can be reached again (e.g. unblocked the bot).
      await tx.channelIdentity.update({ where: { id: identity.id }, data: { reachable: true } });
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
      identities: { create: { channel: inbound.channel, externalId: inbound.userId } },
    },
  });
  return { personId: person.id, role: person.role, locale };
}

function isKnownLocale(value: string | null): value is Locale {
  return value === "kk" || value === "ru" || value === "en";
}

/** Every chat where a person can be reached, in their language. */
export async function targetsOf(tx: Tx, personId: number, fallback: Locale): Promise<Target[]> {
  const person = await tx.person.findUnique({
    where: { id: personId },
    select: { locale: true, identities: { where: { reachable: true }, select: { channel: true, externalId: true } } },
  });
  if (!person) return [];
  const locale = asLocale(person.locale, fallback);
  return person.identities.map((i) => ({ channel: i.channel as ChannelName, chatId: i.externalId, locale }));
}

/**
 * Where staff notices go: the staff group when there is one (and it is reachable: `staffChat` is
 * StaffChat.target), else every staff member privately.
 */
export async function staffTargets(tx: Tx, settings: CoreSettings, staffChat: { channel: ChannelName; chatId: string } | undefined): Promise<Target[]> {
  if (staffChat) return [{ ...staffChat, locale: settings.defaultLocale }];
  const staff = await tx.person.findMany({
    where: { role: { in: ["staff", "admin"] } },
    select: { locale: true, identities: { where: { reachable: true }, select: { channel: true, externalId: true } } },
    orderBy: { id: "asc" },
  });
  return staff.flatMap((p) =>
    p.identities.map((i) => ({
      channel: i.channel as ChannelName,
      chatId: i.externalId,
      locale: asLocale(p.locale, settings.defaultLocale),
    })),
  );
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
