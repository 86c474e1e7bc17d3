/**
 * One person, one identity across channels (issue 9 item 5): a person links a second channel
 * (Telegram and WhatsApp) with a one-time code shown in one chat and typed in the other.
 *
 * Rules (the README repeats them):
 * - A code is 6 digits from a CSPRNG, valid {@link CODE_TTL_MS}, one live code per person; only its
 *   SHA-256 is stored (LinkCode.codeHash). It must be typed in another channel than it was shown in.
 * - Five wrong codes ({@link MAX_FAILURES}), each within {@link FAILURE_WINDOW_MS} of the previous,
 *   pause linking for that person for {@link PAUSE_MS} after the last one (Person.linkFailures,
 *   Person.linkFailedAt). An expired code is no guess (it was a real code) and does not count.
 * - The chat that types the code joins the code's owner: showing a code grants the chat that types
 *   it access, never the other way round (typing a code someone sent must not hand them one's
 *   account). The typing person must hold nothing (no role, membership, consent, problem, answer,
 *   request or broadcast: {@link holdings}); they are then deleted. Otherwise linking is refused
 *   with the reason (holding data, or "do it the other way round" when only the typer holds
 *   something): nothing is ever dropped silently.
 * - Wrong codes are also counted for everyone together (DailyCounter {@link WRONG_COUNTER}, per
 *   Asia/Almaty day): each {@link GLOBAL_WRONG_LIMIT} wrong codes void every live code. The pause per
 *   person alone does not stop guessing from many WhatsApp numbers (each a new person with five
 *   tries); with this, a code meets at most that many guesses of the million while it lives.
 * - A staff account's code links nothing (staff work on Telegram; staff powers never reach a chat
 *   through a code).
 * - One chat per channel: a person who already has a chat in the absorbed chat's channel (another
 *   WhatsApp number) is refused, not silently replaced (a stolen code must not redirect notices).
 * - Linking clears the moved chats' conversation state (dialog, typed menu, problem focus), tells
 *   every chat of the person, and is audited (never with the code).
 */
import { createHash, randomInt } from "node:crypto";
import { DateTime } from "luxon";
import { sqlOf } from "../../db/database.ts";
import { ZONE } from "../time.ts";
import type { Tx } from "../../db/database.ts";
import type { ChannelName } from "../channel.ts";
import { asLocale, type MessageSpec } from "../message.ts";
import { audit } from "../people.ts";
import type { Unit } from "../unit.ts";

/** How long a code is valid (ms): ten minutes (issue 9 item 5). */
export const CODE_TTL_MS = 10 * 60_000;
/** Wrong codes in a row that pause linking (issue 9 item 5: five tries). */
export const MAX_FAILURES = 5;
/** A wrong code older than this (ms) before the next one starts the count again. */
export const FAILURE_WINDOW_MS = 10 * 60_000;
/** How long linking stays paused after the last of {@link MAX_FAILURES} wrong codes (ms). */
export const PAUSE_MS = 10 * 60_000;
/** Wrong codes from everyone that void every live code (see the module's rules). */
export const GLOBAL_WRONG_LIMIT = 50;
/** The DailyCounter key of wrong codes from everyone. */
export const WRONG_COUNTER = "identity:wrong";
/** One lock for all linking: rare, and it touches two people at once. */
const LINK_LOCK = "identity:link";

/** SHA-256 of a code, hex (what LinkCode.codeHash holds). */
export const hashCode = (code: string): string => createHash("sha256").update(code).digest("hex");

/** "123456", "123 456", "/link 123456", "123-456" → "123456"; null when it is not six digits. */
export function parseCode(text: string): string | null {
  const stripped = text.trim().replace(/^\/link(?:@\w+)?/i, "").replace(/[\s\-.]/g, "");
  return /^\d{6}$/.test(stripped) ? stripped : null;
}

/** What a person's linking screen shows: their channels, the preferred one for notices, and this chat's channel. */
export interface LinkOverview {
  channels: string[];
  preferred: string | null;
  here: string;
}

/** The actor's channels (each once, oldest first) and notice preference. */
export async function overview(unit: Unit): Promise<LinkOverview> {
  const here = unit.conversation!.channel;
  const p = await unit.tx.person.findUnique({
    where: { id: unit.actor!.personId },
    select: { preferredChannel: true, identities: { select: { channel: true }, orderBy: { id: "asc" } } },
  });
  return { channels: [...new Set(p?.identities.map((i) => i.channel) ?? [here])], preferred: p?.preferredChannel ?? null, here };
}

/** Sets where notices go: a channel of the person's, or null for the one they used last. */
export async function setPreferred(unit: Unit, channel: string | null): Promise<void> {
  await unit.tx.person.update({ where: { id: unit.actor!.personId }, data: { preferredChannel: channel } });
  await audit(unit.tx, { actorId: unit.actor!.personId, actorRef: unit.actorRef, action: "identity.prefer", outcome: "ok", detail: channel ?? "last" }, unit.now);
}

/**
 * A new code for the actor, shown in this chat (valid {@link CODE_TTL_MS}); their earlier code
 * stops working. Returns the code: the caller sends it and must not record it anywhere else.
 */
export async function createCode(unit: Unit): Promise<string> {
  const { tx, now } = unit;
  await sqlOf(tx).lock(LINK_LOCK);
  const personId = unit.actor!.personId;
  // Expired codes are dead weight: cleared here, where codes are made.
  await tx.linkCode.deleteMany({ where: { OR: [{ personId }, { expiresAt: { lt: now } }] } });
  for (;;) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const codeHash = hashCode(code);
    // Another person's live code: draw again (rare: few codes live at once).
    if (await tx.linkCode.findUnique({ where: { codeHash }, select: { id: true } })) continue;
    await tx.linkCode.create({ data: { codeHash, personId, channel: unit.conversation!.channel, expiresAt: new Date(now.getTime() + CODE_TTL_MS) } });
    return code;
  }
}

/** Why the people of a link cannot be merged: the absorbed side holds something. */
export type Holding = "staff" | "member" | "data";

/**
 * What a person holds that a merge would have to carry over (every relation of Person in the
 * schema, and their personal data); null when nothing (they may be absorbed and deleted). Their
 * link codes and audit entries do not count (deleted and re-pointed). Order: the strongest reason.
 */
export async function holdings(tx: Tx, personId: number): Promise<Holding | null> {
  const p = await tx.person.findUnique({
    where: { id: personId },
    select: { role: true, configuredAdmin: true, name: true, phone: true, consentAt: true, membership: { select: { id: true } } },
  });
  if (!p) return null;
  if (p.role !== "member" || p.configuredAdmin) return "staff";
  if (p.membership) return "member";
  if (p.consentAt || p.name || p.phone) return "data";
  const counts = await Promise.all([
    tx.enterprise.count({ where: { decidedById: personId } }),
    tx.membership.count({ where: { decidedById: personId } }),
    tx.enterpriseChange.count({ where: { OR: [{ requestedById: personId }, { decidedById: personId }] } }),
    tx.problem.count({ where: { OR: [{ reporterId: personId }, { assigneeId: personId }] } }),
    tx.problemAffected.count({ where: { personId } }),
    tx.problemEntry.count({ where: { authorId: personId } }),
    tx.event.count({ where: { createdById: personId } }),
    tx.eventRsvp.count({ where: { personId } }),
    tx.broadcast.count({ where: { authorId: personId } }),
  ]);
  return counts.some((n) => n > 0) ? "data" : null;
}

/**
 * What typing a code did: linked (the person's channels now), a wrong code (tries left), paused
 * (minutes left), expired, shown in this same channel, already linked, the channel already taken by
 * another chat of the code's owner, refused (what the typer holds), or to be done the other way round.
 */
export type RedeemOutcome =
  | { kind: "linked"; channels: string[] }
  | { kind: "wrong"; left: number }
  | { kind: "paused"; minutes: number }
  | { kind: "expired" }
  | { kind: "same-channel" }
  | { kind: "already" }
  | { kind: "taken"; channel: string }
  | { kind: "refused"; holding: Holding }
  | { kind: "direction" }
  | { kind: "staff-owner" };

/** Minutes (rounded up, at least 1) until a pause set at `failedAt` ends. */
const minutesLeft = (failedAt: Date, now: Date): number => Math.max(1, Math.ceil((failedAt.getTime() + PAUSE_MS - now.getTime()) / 60_000));

/** Whether the actor may type a code now; the pause's minutes left when not. */
export async function pauseOf(unit: Unit): Promise<number | null> {
  const p = await unit.tx.person.findUnique({ where: { id: unit.actor!.personId }, select: { linkFailures: true, linkFailedAt: true } });
  if (!p?.linkFailedAt || p.linkFailures < MAX_FAILURES) return null;
  return unit.now.getTime() < p.linkFailedAt.getTime() + PAUSE_MS ? minutesLeft(p.linkFailedAt, unit.now) : null;
}

/**
 * The actor typed `code` in this chat. Links (see the module's rules) or says why not. A wrong code
 * counts towards the pause; on "linked" the unit's actor becomes the person kept (the rest of the
 * turn, e.g. the main menu, speaks for them), and every other chat of theirs is told.
 */
export async function redeemCode(unit: Unit, code: string): Promise<RedeemOutcome> {
  const { tx, now } = unit;
  await sqlOf(tx).lock(LINK_LOCK);
  const typer = unit.actor!.personId;
  const here = unit.conversation!;
  const paused = await pauseOf(unit);
  if (paused !== null) return { kind: "paused", minutes: paused };
  const row = await tx.linkCode.findUnique({ where: { codeHash: hashCode(code) } });
  if (!row) return wrongCode(unit);
  if (row.expiresAt.getTime() <= now.getTime()) {
    await tx.linkCode.delete({ where: { id: row.id } });
    return { kind: "expired" };
  }
  if (row.personId === typer) return { kind: row.channel === here.channel ? "same-channel" : "already" };
  if (row.channel === here.channel) return { kind: "same-channel" };
  // From here on the code is spent, whatever the outcome: a code links once or not at all.
  await tx.linkCode.delete({ where: { id: row.id } });
  const owner = row.personId;
  // Staff work on Telegram: a staff account's code must not give another chat (a WhatsApp one,
  // through an unofficial client; or a stranger who talked the code out of them) staff powers.
  if ((await holdings(tx, owner)) === "staff") {
    await audit(tx, { actorId: typer, actorRef: unit.actorRef, action: "identity.link", subject: `person:${owner}`, outcome: "denied", detail: "staff-owner" }, now);
    return { kind: "staff-owner" };
  }
  const typerHolds = await holdings(tx, typer);
  if (typerHolds !== null) {
    // Never the other way round (the typer's account taking in the code's chat): typing a code
    // someone sent you must not hand them your account. The reason says which way works.
    const direction = (await holdings(tx, owner)) === null;
    await audit(tx, { actorId: typer, actorRef: unit.actorRef, action: "identity.link", subject: `person:${owner}`, outcome: "denied", detail: direction ? "direction" : `holds:${typerHolds}` }, now);
    return direction ? { kind: "direction" } : { kind: "refused", holding: typerHolds };
  }
  const [kept, absorbed] = [owner, typer];
  const keptChats = await tx.channelIdentity.findMany({ where: { personId: kept }, select: { channel: true } });
  const moving = await tx.channelIdentity.findMany({ where: { personId: absorbed }, orderBy: { id: "asc" } });
  const clash = moving.find((m) => keptChats.some((k) => k.channel === m.channel));
  if (clash) {
    await audit(tx, { actorId: typer, actorRef: unit.actorRef, action: "identity.link", subject: `person:${owner}`, outcome: "denied", detail: `channel-taken:${clash.channel}` }, now);
    return { kind: "taken", channel: clash.channel };
  }
  for (const chat of moving) {
    const key = `${chat.channel}:${chat.externalId}`;
    // The absorbed person's conversation there is over (it spoke for someone who is gone).
    await tx.dialogState.deleteMany({ where: { key } });
    await tx.chatMenu.deleteMany({ where: { channel: chat.channel, chatId: chat.externalId } });
    await tx.threadFocus.deleteMany({ where: { key } });
  }
  await tx.channelIdentity.updateMany({ where: { personId: absorbed }, data: { personId: kept } });
  await tx.auditLog.updateMany({ where: { actorId: absorbed }, data: { actorId: kept } });
  await tx.linkCode.deleteMany({ where: { personId: absorbed } });
  await tx.person.delete({ where: { id: absorbed } });
  const person = await tx.person.update({
    where: { id: kept },
    data: { lastChannel: here.channel, linkFailures: 0, linkFailedAt: null },
    select: { id: true, role: true, locale: true, identities: { select: { channel: true, externalId: true, reachable: true }, orderBy: { id: "asc" } } },
  });
  const channels = [...new Set(person.identities.map((i) => i.channel))];
  await audit(tx, { actorId: kept, actorRef: unit.actorRef, action: "identity.link", subject: `person:${kept}`, outcome: "ok", detail: `merged person:${absorbed}; channels=${channels.join(",")}` }, now);
  const locale = asLocale(person.locale, unit.settings.defaultLocale);
  unit.actor = { personId: kept, role: person.role, locale: person.locale === null ? null : locale };
  for (const chat of person.identities) {
    if (!chat.reachable || (chat.channel === here.channel && chat.externalId === here.chatId)) continue;
    await unit.outbox.send({ channel: chat.channel as ChannelName, chatId: chat.externalId, locale }, linkedMessage(channels), { lane: "notice" });
  }
  return { kind: "linked", channels };
}

/** "Linked: Telegram and WhatsApp", in the reader's language. */
export function linkedMessage(channels: string[]): MessageSpec {
  return { text: (t) => t("identity-linked", { channels: channels.map((c) => t(`channel-${c}`)).join(", ") }) };
}

/** A wrong code: counted (restarting the count when the previous one is older than the window). */
async function wrongCode(unit: Unit): Promise<RedeemOutcome> {
  const { tx, now } = unit;
  const p = await tx.person.findUnique({ where: { id: unit.actor!.personId }, select: { linkFailures: true, linkFailedAt: true } });
  const recent = p?.linkFailedAt && now.getTime() - p.linkFailedAt.getTime() < FAILURE_WINDOW_MS;
  const failures = (recent ? p!.linkFailures : 0) + 1;
  await tx.person.update({ where: { id: unit.actor!.personId }, data: { linkFailures: failures, linkFailedAt: now } });
  // Counted for everyone too (under the link lock): guessing spread over many chats voids the live codes.
  const day = DateTime.fromJSDate(now, { zone: ZONE }).toISODate()!;
  const sql = sqlOf(tx);
  await sql.run(`INSERT INTO "DailyCounter" ("key", "day", "count") VALUES (?, ?, 0) ON CONFLICT DO NOTHING`, WRONG_COUNTER, day);
  await sql.run(`UPDATE "DailyCounter" SET "count" = "count" + 1 WHERE "key" = ? AND "day" = ?`, WRONG_COUNTER, day);
  const total = Number((await sql.get<{ count: number | string }>(`SELECT "count" FROM "DailyCounter" WHERE "key" = ? AND "day" = ?`, WRONG_COUNTER, day))?.count ?? 0);
  if (total % GLOBAL_WRONG_LIMIT === 0) {
    const voided = await tx.linkCode.deleteMany({});
    await audit(tx, { actorId: unit.actor!.personId, actorRef: unit.actorRef, action: "identity.codes-voided", outcome: "ok", detail: `wrong=${total}; codes=${voided.count}` }, now);
  }
  if (failures >= MAX_FAILURES) {
    await audit(tx, { actorId: unit.actor!.personId, actorRef: unit.actorRef, action: "identity.link", outcome: "denied", detail: "paused" }, now);
    return { kind: "paused", minutes: minutesLeft(now, now) };
  }
  return { kind: "wrong", left: MAX_FAILURES - failures };
}
