/**
 * Broadcast rows and their figures (issue 8). The figures of a broadcast still sending are counted
 * from its Outbox rows (Outbox.broadcastId); once it is over they are kept in the row
 * (sentCount, unreachableCount, failedCount), since its Outbox rows are pruned after
 * OUTBOX_RETENTION_DAYS.
 */
import type { Tx } from "../../db/database.ts";
import { sqlOf } from "../../db/database.ts";
import type { Broadcast } from "../../db/generated/client.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import { FALLBACK_ORDER, type Texts } from "../events/service.ts";
import type { BroadcastFigures, BroadcastStatus, ChannelFigures } from "./service.ts";
import { isBroadcastStatus } from "./status.ts";

export type BroadcastRow = Broadcast;

/** What Broadcast.texts holds: the texts per language, and the name of a document sent with them. */
export interface StoredTexts {
  texts: Texts;
  fileName: string | null;
}

/** Broadcast.texts as written: {"kk"?, "ru"?, "en"?} plus "fileName" when a named document goes with it. */
export function writeTexts(texts: Texts, fileName: string | null): string {
  const clean: Record<string, string> = {};
  for (const l of LOCALES) if (texts[l]?.trim()) clean[l] = texts[l]!;
  return JSON.stringify({ ...clean, ...(fileName ? { fileName } : {}) });
}

export function readTexts(json: string): StoredTexts {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    raw = {};
  }
  const texts: Texts = {};
  for (const l of LOCALES) if (typeof raw[l] === "string" && (raw[l] as string).trim()) texts[l] = raw[l] as string;
  return { texts, fileName: typeof raw.fileName === "string" ? raw.fileName : null };
}

/** The text in `locale`, else the first present in FALLBACK_ORDER; "" for none. */
export function textFor(texts: Texts, locale: Locale): string {
  if (texts[locale]?.trim()) return texts[locale]!;
  for (const l of FALLBACK_ORDER) if (texts[l]?.trim()) return texts[l]!;
  return "";
}

/** Serializes work on one broadcast across instances (pause against the progress job, a start against a cancel). */
export async function lockBroadcast(tx: Tx, id: number): Promise<void> {
  await sqlOf(tx).lock(`broadcast:${id}`);
}

export async function broadcastById(tx: Tx, id: number): Promise<BroadcastRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return tx.broadcast.findUnique({ where: { id } });
}

/** A broadcast's rows by Outbox status (queued, sending, held, sent, failed, unreachable, cancelled). */
export async function rowCounts(tx: Tx, id: number): Promise<Record<string, number>> {
  const rows = await sqlOf(tx).all<{ status: string; n: number | string }>(`SELECT "status", COUNT(*) AS "n" FROM "Outbox" WHERE "broadcastId" = ? GROUP BY "status"`, id);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The window over which the rate is measured. */
export const RATE_WINDOW_MS = 60_000;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The first line of `text`, at most 60 characters (a list's title). */
function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim())?.trim() ?? "";
  const chars = [...line];
  return chars.length <= 60 ? line : `${chars.slice(0, 59).join("")}…`;
}

/**
 * The average time a message takes on a channel paced by a pause between chats
 * (ChannelCapabilities.limits.chatSwitch: pause plus half the jitter), in ms; undefined for a
 * channel sent at its rate. The broadcast services read it from the registered channels.
 */
export type PaceOf = (channel: string) => number | undefined;

/** Seconds `left` messages take at `msEach` apiece (at least one second when any is left). */
export const pacedSeconds = (left: number, msEach: number): number => (left > 0 ? Math.max(1, Math.ceil((left * msEach) / 1000)) : 0);

/** A broadcast's rows per channel and Outbox status. */
async function channelCounts(tx: Tx, id: number): Promise<Map<string, Record<string, number>>> {
  const rows = await sqlOf(tx).all<{ channel: string; status: string; n: number | string }>(
    `SELECT "channel", "status", COUNT(*) AS "n" FROM "Outbox" WHERE "broadcastId" = ? GROUP BY "channel", "status"`,
    id,
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const c = out.get(r.channel) ?? {};
    c[r.status] = Number(r.n);
    out.set(r.channel, c);
  }
  return out;
}

/**
 * The figures of `b` at `now`: from its rows while it runs (or when `live`), from the snapshot
 * once it is over. Rate: messages sent over the last minute (or since the start, if sooner) per
 * second; null before anything was sent in that window. ETA: what is left at that rate.
 * Channels paced by a pause between chats (`paceOf`: WhatsApp) are counted apart in `channels`
 * (sent of total, and their own ETA from the pace), and left out of the rate and its ETA, which
 * are those of the channels sent at their rate (Telegram).
 */
export async function figuresOf(tx: Tx, b: BroadcastRow, now: Date, opts: { locale: Locale; live?: boolean; paceOf?: PaceOf }): Promise<BroadcastFigures> {
  const status: BroadcastStatus = isBroadcastStatus(b.status) ? b.status : "draft";
  const title = firstLine(textFor(readTexts(b.texts).texts, opts.locale));
  const over = (status === "done" || status === "cancelled") && !opts.live && b.finishedAt !== null;
  let sent = b.sentCount;
  let unreachable = b.unreachableCount;
  let failed = b.failedCount;
  let left = 0;
  let rate: number | null = null;
  let etaSeconds: number | null = null;
  const paceOf = opts.paceOf ?? (() => undefined);
  const perChannel = await channelCounts(tx, b.id);
  const paced = [...perChannel.keys()].filter((c) => paceOf(c) !== undefined).sort();
  const channels: ChannelFigures[] = paced.map((channel) => {
    const c = perChannel.get(channel)!;
    const leftHere = (c.queued ?? 0) + (c.sending ?? 0) + (c.held ?? 0);
    const total = Object.values(c).reduce((a, n) => a + n, 0);
    return { channel, total, sent: c.sent ?? 0, left: leftHere, etaSeconds: leftHere ? pacedSeconds(leftHere, paceOf(channel)!) : null };
  });
  if (!over) {
    const c = await rowCounts(tx, b.id);
    sent = c.sent ?? 0;
    unreachable = c.unreachable ?? 0;
    failed = c.failed ?? 0;
    left = (c.queued ?? 0) + (c.sending ?? 0) + (c.held ?? 0);
    if (b.startedAt) {
      const since = new Date(Math.max(now.getTime() - RATE_WINDOW_MS, b.startedAt.getTime()));
      const window = (now.getTime() - since.getTime()) / 1000;
      // The paced channels go at their own pace (`channels`): the rate is the others'.
      const marks = paced.map(() => "?").join(", ");
      const notPaced = paced.length ? ` AND "channel" NOT IN (${marks})` : "";
      const recent = Number(
        (await sqlOf(tx).get<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "Outbox" WHERE "broadcastId" = ? AND "status" = 'sent' AND "sentAt" >= ?${notPaced}`, b.id, since, ...paced))?.n ?? 0,
      );
      const leftAtRate = left - channels.reduce((a, c) => a + c.left, 0);
      if (recent > 0 && window > 0 && leftAtRate > 0) {
        rate = Math.round((recent / window) * 10) / 10;
        etaSeconds = Math.ceil(leftAtRate / (recent / window));
      }
    }
  }
  const cancelled = Math.max(0, b.total - sent - unreachable - failed - left);
  return {
    id: b.id,
    kind: b.kind === "event" ? "event" : "announcement",
    status,
    total: b.total,
    sent,
    unreachable,
    failed,
    left,
    cancelled,
    rate,
    etaSeconds,
    startedAt: iso(b.startedAt),
    finishedAt: iso(b.finishedAt),
    scheduledAt: iso(b.scheduledAt),
    title,
    channels,
  };
}

/** Why recipients failed: the platform's reasons (Outbox.lastError), most frequent first. */
export async function failureReasons(tx: Tx, id: number, limit = 5): Promise<{ reason: string; count: number }[]> {
  const rows = await sqlOf(tx).all<{ reason: string | null; n: number | string }>(
    `SELECT "lastError" AS "reason", COUNT(*) AS "n" FROM "Outbox" WHERE "broadcastId" = ? AND "status" = 'failed' GROUP BY "lastError" ORDER BY COUNT(*) DESC, "lastError" LIMIT ?`,
    id, limit,
  );
  return rows.map((r) => ({ reason: r.reason ?? "", count: Number(r.n) }));
}

/**
 * Erasure of a person (members/erasure.ts): the broadcasts they wrote stay the association's (their
 * figures, their texts), no longer naming them as author nor keeping their chat (where progress
 * and the report went: nothing more is posted there). A broadcast in progress goes on sending.
 */
export async function forgetBroadcastPerson(tx: Tx, personId: number, chats: { channel: string; chatId: string }[]): Promise<void> {
  await tx.broadcast.updateMany({ where: { authorId: personId }, data: { authorId: null, authorChannel: null, authorChatId: null } });
  for (const c of chats) await tx.broadcast.updateMany({ where: { authorChannel: c.channel, authorChatId: c.chatId }, data: { authorChannel: null, authorChatId: null } });
}
