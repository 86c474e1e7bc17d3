/**
 * Announcements and event publications (issue 8): the services every flow, button, job and (later)
 * HTTP handler calls. Each takes the unit of work and checks permission itself (permissions.ts
 * `broadcast.send`: staff), audits staff actions and refusals, and queues in the same transaction.
 *
 * THE SIGNATURES ARE THE CONTRACT between the helpers building issue 8 (branch `broadcast`
 * implements them; `compose`, `eventflows` and `bench` call them).
 *
 * Delivery: starting a broadcast writes, in the transaction that starts it, one Outbox row per
 * recipient (lane "bulk", Outbox.broadcastId = the broadcast) before anything is sent; the
 * delivery engine (outbox/dispatcher.ts) sends them within the channel's limits. Pause turns the
 * rows still queued into `held`, resume back into `queued`, cancel into `cancelled`: the claim
 * only takes `queued`, so every instance sees it at its next claim (within a second). Progress is
 * one message in the author's chat, edited every few seconds by a job (broadcast-progress) until
 * the end, then replaced by the report.
 */
import { scheduleReminders } from "../events/jobs.ts";
import { stringify } from "csv-stringify/sync";
import type { Event } from "../../db/generated/client.ts";
import { sqlOf } from "../../db/database.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import type { ChannelName } from "../channel.ts";
import { asLocale, type Target } from "../message.ts";
import { enforce, may, subjectOf } from "../permissions.ts";
import { audit } from "../people.ts";
import type { Unit } from "../unit.ts";
import type { Texts } from "../events/service.ts";
import { parseAudience, resolveAudience, type Audience, type Recipient } from "./audience.ts";
import { broadcastById, failureReasons, figuresOf, lockBroadcast, pacedSeconds, readTexts, rowCounts, writeTexts, type BroadcastRow, type PaceOf } from "./data.ts";
import { broadcastSpec, invitationTag, progressSignature, progressSpec, progressTag, reportSpec } from "./render.ts";
import { CAN } from "./status.ts";

export type BroadcastStatus = "draft" | "scheduled" | "sending" | "paused" | "done" | "cancelled";

/** What staff compose. */
export interface BroadcastDraft {
  texts: Texts;
  /** A photo or a document (StoredFile id) sent with the text. */
  file: { fileId: number; name: string | null; kind: "photo" | "document" } | null;
  audience: Audience;
}

/** Recipients per language (and channel), as counted now: blocked, erased and opted-out people left out. */
export interface RecipientCount {
  total: number;
  byLocale: Record<Locale, number>;
  byChannel: Record<string, number>;
  /**
   * The recipients on channels paced by a pause between chats (WhatsApp), per channel, with about
   * how long they take (s) at that pace; absent when none.
   */
  paced?: { channel: string; count: number; seconds: number }[];
}

/** A paced channel's part of a broadcast (BroadcastFigures.channels). */
export interface ChannelFigures {
  channel: string;
  total: number;
  sent: number;
  /** Still to send (queued, sending or held). */
  left: number;
  /** About how long the rest takes at the channel's pace (s); null when nothing is left. */
  etaSeconds: number | null;
}

/** A broadcast's figures (progress while it sends; the report at the end). */
export interface BroadcastFigures {
  id: number;
  kind: "announcement" | "event";
  status: BroadcastStatus;
  total: number;
  sent: number;
  unreachable: number;
  failed: number;
  /** Still to send (queued, sending or held). */
  left: number;
  cancelled: number;
  /** Messages a second over the last minute, and the estimated seconds left at that rate (null: unknown). */
  rate: number | null;
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  scheduledAt: string | null;
  /** The first line of its text in the author's language (for lists). */
  title: string;
  /** The channels paced by a pause between chats (WhatsApp), counted apart with their own ETA (absent: none). */
  channels?: ChannelFigures[];
}

export type BroadcastRefusal = "error-not-allowed" | "broadcast-not-found" | "broadcast-empty-texts" | "broadcast-no-recipients" | "broadcast-past" | "broadcast-wrong-state" | "broadcast-outdated";

export type BroadcastOutcome<T = object> = ({ ok: true } & T) | { ok: false; reason: BroadcastRefusal };


/** Job kinds (jobs.ts defines them). */
export const START_JOB = "broadcast-start";
export const PROGRESS_JOB = "broadcast-progress";
/** How often the progress message is brought up to date while sending (Telegram allows far more edits of one message). */
export const PROGRESS_EVERY_MS = 3000;
/** While paused, less often (nothing moves but sends in flight). */
export const PROGRESS_PAUSED_EVERY_MS = 15_000;

const subject = (id: number): string => `broadcast:${id}`;

/** Staff only (`broadcast.send`); a refusal is audited as `action`. */
async function staffOnly(unit: Unit, action: string, id?: number): Promise<boolean> {
  return (await enforce(unit, { action: "broadcast.send" }, action, id === undefined ? undefined : subject(id))).ok;
}

async function audited(unit: Unit, action: string, id: number, detail?: string): Promise<void> {
  await audit(unit.tx, { actorId: unit.actor?.personId ?? null, actorRef: unit.actorRef, action, subject: subject(id), outcome: "ok", ...(detail ? { detail } : {}) }, unit.now);
}

const refuse = (reason: BroadcastRefusal): { ok: false; reason: BroadcastRefusal } => ({ ok: false, reason });

/** The actor's language (figures' titles, the CSV). */
const actorLocale = (unit: Unit): Locale => asLocale(unit.actor?.locale, unit.settings.defaultLocale);

/**
 * Where the author sees progress: the unit's chat (a chat turn), else the author's first reachable
 * address (Telegram first).
 */
async function authorChat(unit: Unit): Promise<{ channel: string; chatId: string } | null> {
  if (unit.conversation) return unit.conversation;
  if (!unit.actor) return null;
  const ids = await unit.tx.channelIdentity.findMany({ where: { personId: unit.actor.personId, reachable: true }, orderBy: { id: "asc" } });
  const pick = ids.find((i) => i.channel === "telegram") ?? ids[0];
  return pick ? { channel: pick.channel, chatId: pick.externalId } : null;
}

function authorTarget(unit: Unit, b: BroadcastRow, locale?: Locale): Target | null {
  if (!b.authorChannel || !b.authorChatId) return null;
  return { channel: b.authorChannel as ChannelName, chatId: b.authorChatId, locale: locale ?? asLocale(b.authorLocale, unit.settings.defaultLocale) };
}

async function eventOf(unit: Unit, b: BroadcastRow): Promise<Event | null> {
  return b.kind === "event" && b.eventId ? unit.tx.event.findUnique({ where: { id: b.eventId } }) : null;
}

async function fileOf(unit: Unit, b: BroadcastRow): Promise<{ kind: string } | null> {
  return b.fileId ? unit.tx.storedFile.findUnique({ where: { id: b.fileId }, select: { kind: true } }) : null;
}

/** Saves a draft (status draft) by the unit's actor; the author's chat is the unit's conversation. */
export async function createBroadcast(unit: Unit, draft: BroadcastDraft): Promise<BroadcastOutcome<{ id: number }>> {
  if (!(await staffOnly(unit, "broadcast.create"))) return refuse("error-not-allowed");
  const texts = writeTexts(draft.texts, draft.file?.kind === "document" ? draft.file.name : null);
  if (!Object.keys(readTexts(texts).texts).length) return refuse("broadcast-empty-texts");
  const audience = parseAudience(draft.audience);
  if (!audience) throw new Error("createBroadcast: not an audience");
  const chat = await authorChat(unit);
  const row = await unit.tx.broadcast.create({
    data: {
      kind: "announcement",
      authorId: unit.actor?.personId ?? null,
      texts,
      fileId: draft.file?.fileId ?? null,
      audience: JSON.stringify(audience),
      authorChannel: chat?.channel ?? null,
      authorChatId: chat?.chatId ?? null,
      authorLocale: actorLocale(unit),
    },
  });
  await audited(unit, "broadcast.create", row.id);
  return { ok: true, id: row.id };
}

/**
 * Replaces a draft's texts, file and audience (the compose flow's edit after a preview or a test):
 * the same checks as createBroadcast; only an announcement still a draft (else
 * "broadcast-wrong-state": a scheduled, sent or cancelled one is never changed). Audited.
 */
export async function updateBroadcast(unit: Unit, id: number, draft: BroadcastDraft): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.update", true);
  if (!found.ok) return found;
  if (found.b.kind !== "announcement" || found.b.status !== "draft") return refuse("broadcast-wrong-state");
  const texts = writeTexts(draft.texts, draft.file?.kind === "document" ? draft.file.name : null);
  if (!Object.keys(readTexts(texts).texts).length) return refuse("broadcast-empty-texts");
  const audience = parseAudience(draft.audience);
  if (!audience) throw new Error("updateBroadcast: not an audience");
  await unit.tx.broadcast.update({ where: { id }, data: { texts, fileId: draft.file?.fileId ?? null, audience: JSON.stringify(audience), revision: { increment: 1 } } });
  await audited(unit, "broadcast.update", id);
  return { ok: true };
}

/**
 * The average time a message takes on each registered channel paced by a pause between chats
 * (ChannelCapabilities.limits.chatSwitch: the pause plus half the jitter, ms); undefined for the
 * others.
 */
export function paceOf(unit: Unit): PaceOf {
  return (channel) => {
    const sw = unit.services.capabilities(channel).limits?.chatSwitch;
    return sw ? sw.pauseMs + sw.jitterMs / 2 : undefined;
  };
}

/** {@link figuresOf} with the unit's channel paces. */
const figuresFor = (unit: Unit, b: BroadcastRow, opts: { locale: Locale; live?: boolean }): Promise<BroadcastFigures> =>
  figuresOf(unit.tx, b, unit.now, { ...opts, paceOf: paceOf(unit) });

/** Counts recipients per language and channel; `pace`: the paced channels' (see {@link paceOf}). */
function countOf(recipients: Recipient[], pace: PaceOf = () => undefined): RecipientCount {
  const byLocale = Object.fromEntries(LOCALES.map((l) => [l, 0])) as Record<Locale, number>;
  const byChannel: Record<string, number> = {};
  for (const r of recipients) {
    byLocale[r.locale]++;
    byChannel[r.channel] = (byChannel[r.channel] ?? 0) + 1;
  }
  const paced = Object.entries(byChannel)
    .filter(([channel]) => pace(channel) !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, count]) => ({ channel, count, seconds: pacedSeconds(count, pace(channel)!) }));
  return { total: recipients.length, byLocale, byChannel, ...(paced.length ? { paced } : {}) };
}

/** How many would receive it now, per language and channel (the compose screen, before sending). Not staff: all zero (audited). */
export async function countRecipients(unit: Unit, audience: Audience): Promise<RecipientCount> {
  if (!(await staffOnly(unit, "broadcast.count"))) return countOf([]);
  const parsed = parseAudience(audience);
  if (!parsed) return countOf([]);
  return countOf(await resolveAudience(unit.tx, parsed, { defaultLocale: unit.settings.defaultLocale }), paceOf(unit));
}

/** A staff-only look at one broadcast: the row, or a refusal (audited). */
async function staffBroadcast(unit: Unit, id: number, action: string, lock = false): Promise<{ ok: true; b: BroadcastRow } | { ok: false; reason: BroadcastRefusal }> {
  if (!(await staffOnly(unit, action, id))) return refuse("error-not-allowed");
  if (lock && Number.isSafeInteger(id) && id > 0) await lockBroadcast(unit.tx, id);
  const b = await broadcastById(unit.tx, id);
  return b ? { ok: true, b } : refuse("broadcast-not-found");
}

/**
 * The preview: the message exactly as a member reading `locale` gets it (the text with its
 * fallback, the file, the "how to stop" line; an event's RSVP buttons), queued to the author's chat.
 */
export async function previewBroadcast(unit: Unit, id: number, locale: Locale): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.preview");
  if (!found.ok) return found;
  const to = authorTarget(unit, found.b, asLocale(locale, unit.settings.defaultLocale));
  if (!to) return refuse("broadcast-not-found");
  await unit.outbox.send(to, broadcastSpec(found.b, await eventOf(unit, found.b), to.locale, await fileOf(unit, found.b)));
  return { ok: true };
}

/** A test: the message in the author's own language to the author only (counts nowhere). */
export async function sendTest(unit: Unit, id: number): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.test");
  if (!found.ok) return found;
  const to = authorTarget(unit, found.b);
  if (!to) return refuse("broadcast-not-found");
  await unit.outbox.send(to, broadcastSpec(found.b, await eventOf(unit, found.b), to.locale, await fileOf(unit, found.b)));
  return { ok: true };
}

/** The progress job's next tick: keyed by broadcast and time, so each tick exists once cluster-wide. */
async function scheduleProgress(unit: Unit, id: number, afterMs: number, last: string | null): Promise<void> {
  const runAt = new Date(unit.now.getTime() + afterMs);
  await unit.schedule({ kind: PROGRESS_JOB, payload: { id, last }, runAt, key: `${PROGRESS_JOB}:${id}@${runAt.toISOString()}` });
}

/**
 * Writes one Outbox row per recipient (lane bulk, broadcastId) in the unit's transaction, marks it
 * sending with its total, posts the progress message to the author and schedules its updates.
 * Permission is the caller's (a job starts a scheduled one as the bot).
 */
async function launch(unit: Unit, b: BroadcastRow, recipients: Recipient[]): Promise<number> {
  const event = await eventOf(unit, b);
  const file = await fileOf(unit, b);
  const targets: Target[] = recipients.map((r) => ({ channel: r.channel as ChannelName, chatId: r.chatId, locale: r.locale }));
  await unit.outbox.sendMany(targets, (locale) => broadcastSpec(b, event, locale, file), {
    lane: "bulk",
    broadcastId: b.id,
    ...(event ? { tag: invitationTag(event.id) } : {}),
  });
  const started = await unit.tx.broadcast.update({
    where: { id: b.id },
    data: { status: "sending", startedAt: unit.now, total: recipients.length, revision: { increment: 1 } },
  });
  const to = authorTarget(unit, started);
  const figures = await figuresFor(unit, started, { locale: to?.locale ?? unit.settings.defaultLocale });
  if (to) await unit.outbox.send(to, progressSpec(figures), { tag: progressTag(b.id) });
  await scheduleProgress(unit, b.id, PROGRESS_EVERY_MS, progressSignature(figures));
  return recipients.length;
}

/**
 * Sends now: resolves the audience, writes one Outbox row per recipient in this transaction
 * (lane bulk, broadcastId), status sending, schedules the progress job, and posts the progress
 * message to the author. Refused with no recipients or in a wrong state.
 */
export async function startBroadcast(unit: Unit, id: number): Promise<BroadcastOutcome<{ total: number }>> {
  const found = await staffBroadcast(unit, id, "broadcast.start", true);
  if (!found.ok) return found;
  if (!CAN.start.includes(found.b.status as BroadcastStatus)) return refuse("broadcast-wrong-state");
  const audience = parseAudience(found.b.audience);
  const recipients = audience ? await resolveAudience(unit.tx, audience, { defaultLocale: unit.settings.defaultLocale }) : [];
  if (!recipients.length) return refuse("broadcast-no-recipients");
  const total = await launch(unit, found.b, recipients);
  await audited(unit, "broadcast.start", id, `total=${total}`);
  return { ok: true, total };
}

/** The key of a scheduled start: once per broadcast and time (a new time is a new job; the old one finds the time changed). */
export const startJobKey = (id: number, at: Date): string => `${START_JOB}:${id}@${at.toISOString()}`;

/** Schedules it (a job `broadcast-start` keyed by id and time, fired once); `at` in the past is refused. */
export async function scheduleBroadcast(unit: Unit, id: number, at: Date): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.schedule", true);
  if (!found.ok) return found;
  if (!(at instanceof Date) || Number.isNaN(at.getTime()) || at.getTime() <= unit.now.getTime()) return refuse("broadcast-past");
  if (!CAN.schedule.includes(found.b.status as BroadcastStatus)) return refuse("broadcast-wrong-state");
  await unit.tx.broadcast.update({ where: { id }, data: { status: "scheduled", scheduledAt: at, revision: { increment: 1 } } });
  await unit.schedule({ kind: START_JOB, payload: { id, at: at.toISOString() }, runAt: at, key: startJobKey(id, at) });
  await audited(unit, "broadcast.schedule", id, `at=${at.toISOString()}`);
  return { ok: true };
}

/**
 * The scheduled start (job broadcast-start), as the bot: only if it is still scheduled for that
 * time (a cancelled or rescheduled one does nothing). With nobody to send to, it ends at once and
 * the author is told.
 */
export async function startScheduled(unit: Unit, id: number, at: string): Promise<void> {
  await lockBroadcast(unit.tx, id);
  const b = await broadcastById(unit.tx, id);
  if (!b || b.status !== "scheduled" || b.scheduledAt?.toISOString() !== at) return;
  // The author's permission holds when it starts too: one no longer staff (removed or erased since
  // scheduling) sends nothing; it ends cancelled, and the refusal is audited.
  if (!may(await subjectOf(unit.tx, b.authorId), { action: "broadcast.send" }).ok) {
    await unit.tx.broadcast.update({ where: { id }, data: { status: "cancelled", finishedAt: unit.now, revision: { increment: 1 } } });
    await audit(unit.tx, { actorId: b.authorId, actorRef: unit.actorRef, action: "broadcast.start", subject: subject(id), outcome: "denied", detail: "author-not-staff" }, unit.now);
    return;
  }
  const audience = parseAudience(b.audience);
  const recipients = audience ? await resolveAudience(unit.tx, audience, { defaultLocale: unit.settings.defaultLocale }) : [];
  if (!recipients.length) {
    const done = await unit.tx.broadcast.update({ where: { id }, data: { status: "done", startedAt: unit.now, finishedAt: unit.now, total: 0 } });
    const to = authorTarget(unit, done);
    if (to) await unit.outbox.send(to, { text: { key: "broadcast-none-at-start", args: { id } } });
    await audited(unit, "broadcast.start", id, "total=0");
    return;
  }
  const total = await launch(unit, b, recipients);
  await audited(unit, "broadcast.start", id, `total=${total}`);
}

/** Sets the status of a broadcast's rows in `from` to `to` (clearing the content of cancelled ones, as of finished rows). */
async function moveRows(unit: Unit, id: number, from: string[], to: string): Promise<number> {
  const marks = from.map(() => "?").join(", ");
  const clear = to === "cancelled" ? `, "payload" = ''` : "";
  return sqlOf(unit.tx).run(`UPDATE "Outbox" SET "status" = ?, "updatedAt" = ?${clear} WHERE "broadcastId" = ? AND "status" IN (${marks})`, to, unit.now, id, ...from);
}

/** Brings the author's progress message up to date now (after a press). */
async function refreshProgress(unit: Unit, b: BroadcastRow): Promise<void> {
  const to = authorTarget(unit, b);
  if (!to) return;
  const figures = await figuresFor(unit, b, { locale: to.locale, live: true });
  await unit.outbox.editTagged(progressTag(b.id), () => progressSpec(figures), { only: to });
}

/** Wakes the delivery engine of every channel (rows that became claimable without a new row). */
function wake(unit: Unit): void {
  const channels = ["telegram", "console", "whatsapp"];
  unit.afterCommit(() => unit.services.dispatch(channels.map((channel) => ({ channel }) as never)));
}

/** Pause (queued rows held), resume (held rows queued again), cancel (queued and held rows cancelled; a scheduled one never starts). */
export async function pauseBroadcast(unit: Unit, id: number): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.pause", true);
  if (!found.ok) return found;
  if (!CAN.pause.includes(found.b.status as BroadcastStatus)) return refuse("broadcast-wrong-state");
  const n = await moveRows(unit, id, ["queued"], "held");
  const b = await unit.tx.broadcast.update({ where: { id }, data: { status: "paused", revision: { increment: 1 } } });
  await audited(unit, "broadcast.pause", id, `held=${n}`);
  await refreshProgress(unit, b);
  return { ok: true };
}
export async function resumeBroadcast(unit: Unit, id: number): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.resume", true);
  if (!found.ok) return found;
  if (!CAN.resume.includes(found.b.status as BroadcastStatus)) return refuse("broadcast-wrong-state");
  const n = await moveRows(unit, id, ["held"], "queued");
  const b = await unit.tx.broadcast.update({ where: { id }, data: { status: "sending", revision: { increment: 1 } } });
  await audited(unit, "broadcast.resume", id, `queued=${n}`);
  await refreshProgress(unit, b);
  wake(unit);
  return { ok: true };
}
export async function cancelBroadcast(unit: Unit, id: number): Promise<BroadcastOutcome> {
  const found = await staffBroadcast(unit, id, "broadcast.cancel", true);
  if (!found.ok) return found;
  if (!CAN.cancel.includes(found.b.status as BroadcastStatus)) return refuse("broadcast-wrong-state");
  const n = await moveRows(unit, id, ["queued", "held"], "cancelled");
  // finishedAt marks the report written: at once when nothing was sent or nothing is in flight;
  // otherwise the progress job writes it once the sends in flight have ended.
  const started = !!found.b.startedAt;
  const b = await unit.tx.broadcast.update({ where: { id }, data: { status: "cancelled", revision: { increment: 1 }, ...(started ? {} : { finishedAt: unit.now }) } });
  await audited(unit, "broadcast.cancel", id, `cancelled=${n}`);
  if (started && !(await rowCounts(unit.tx, id)).sending) await finish(unit, b);
  return { ok: true };
}

/**
 * The end of a broadcast (no row left queued, sending or held): its figures kept in the row, status
 * done (unless cancelled), and the progress message replaced by the report.
 */
export async function finish(unit: Unit, b: BroadcastRow): Promise<void> {
  const to = authorTarget(unit, b);
  const live = await figuresFor(unit, b, { locale: to?.locale ?? unit.settings.defaultLocale, live: true });
  const status = b.status === "cancelled" ? "cancelled" : "done";
  const row = await unit.tx.broadcast.update({
    where: { id: b.id },
    data: { status, finishedAt: unit.now, sentCount: live.sent, unreachableCount: live.unreachable, failedCount: live.failed },
  });
  if (!to) return;
  const figures = await figuresFor(unit, row, { locale: to.locale });
  const reasons = await failureReasons(unit.tx, b.id);
  await unit.outbox.editTagged(progressTag(b.id), () => reportSpec(figures, reasons), { only: to });
}

/**
 * One tick of the progress job: the end when nothing is left; otherwise the progress message
 * edited when its figures changed (never an edit that changes nothing: Telegram refuses those and
 * counts them), and the next tick scheduled.
 */
export async function progressTick(unit: Unit, id: number, last: string | null): Promise<void> {
  await lockBroadcast(unit.tx, id);
  const b = await broadcastById(unit.tx, id);
  if (!b || b.status === "done" || b.status === "draft" || b.status === "scheduled" || (b.status === "cancelled" && b.finishedAt)) return;
  // A send in flight at the pause or cancel that must be retried comes back queued (dispatcher.ts):
  // it follows the broadcast's state here, so that it waits (paused) or never goes (cancelled).
  if (b.status === "paused") await moveRows(unit, id, ["queued"], "held");
  if (b.status === "cancelled") await moveRows(unit, id, ["queued", "held"], "cancelled");
  const counts = await rowCounts(unit.tx, id);
  const left = (counts.queued ?? 0) + (counts.sending ?? 0) + (counts.held ?? 0);
  if (b.status === "cancelled") {
    if (counts.sending) return scheduleProgress(unit, id, PROGRESS_EVERY_MS, last);
    return finish(unit, b);
  }
  if (b.status === "sending" && left === 0) return finish(unit, b);
  const to = authorTarget(unit, b);
  const figures = await figuresFor(unit, b, { locale: to?.locale ?? unit.settings.defaultLocale, live: true });
  const sig = progressSignature(figures);
  if (to && sig !== last) await unit.outbox.editTagged(progressTag(id), () => progressSpec(figures), { only: to });
  await scheduleProgress(unit, id, b.status === "paused" ? PROGRESS_PAUSED_EVERY_MS : PROGRESS_EVERY_MS, sig);
}

/** The figures now (staff). */
export async function broadcastFigures(unit: Unit, id: number): Promise<BroadcastOutcome<{ figures: BroadcastFigures }>> {
  const found = await staffBroadcast(unit, id, "broadcast.view");
  if (!found.ok) return found;
  return { ok: true, figures: await figuresFor(unit, found.b, { locale: actorLocale(unit) }) };
}

/** `/broadcasts`: the most recent ones (not drafts), newest first, with their figures. */
export async function recentBroadcasts(unit: Unit, opts: { page: number; size: number }): Promise<BroadcastOutcome<{ items: BroadcastFigures[]; total: number }>> {
  if (!(await staffOnly(unit, "broadcast.list"))) return refuse("error-not-allowed");
  const take = Math.max(1, Math.min(50, Math.floor(opts.size) || 1));
  const skip = Math.max(0, Math.floor(opts.page) || 0) * take;
  // Drafts are not listed: one is saved at its first preview or test, and one left unsent (the
  // compose abandoned with /cancel) was never an announcement anyone received. Nor is a draft the
  // compose dropped (cancelled) when its author edited after a preview (breaker8): only what was
  // started or scheduled.
  const where = { status: { not: "draft" }, OR: [{ startedAt: { not: null } }, { scheduledAt: { not: null } }] };
  const [total, rows] = await Promise.all([unit.tx.broadcast.count({ where }), unit.tx.broadcast.findMany({ where, orderBy: { id: "desc" }, skip, take })]);
  const items: BroadcastFigures[] = [];
  for (const b of rows) items.push(await figuresFor(unit, b, { locale: actorLocale(unit) }));
  return { ok: true, items, total };
}

/**
 * The failures (unreachable and failed recipients with the reason) as CSV (csv-stringify, Excel-ready):
 * enterprise, person, channel, reason; UTF-8 with a BOM, `;`, CRLF, formulas defused (as problems/report.ts).
 * No phone numbers or chat ids. Rows are there while the Outbox keeps them (OUTBOX_RETENTION_DAYS).
 */
export async function failuresCsv(unit: Unit, id: number): Promise<BroadcastOutcome<{ csv: string; name: string; rows: number }>> {
  const found = await staffBroadcast(unit, id, "broadcast.csv");
  if (!found.ok) return found;
  const locale = actorLocale(unit);
  const plain = (key: string) => unit.t(locale, key).replace(/<[^>]*>/g, "");
  const rows = await unit.tx.outbox.findMany({ where: { broadcastId: id, status: { in: ["unreachable", "failed"] } }, orderBy: { id: "asc" }, select: { channel: true, chatId: true, status: true, lastError: true } });
  const identities = await unit.tx.channelIdentity.findMany({
    where: { OR: rows.map((r) => ({ channel: r.channel, externalId: r.chatId })) },
    select: { channel: true, externalId: true, person: { select: { name: true, erasedAt: true, membership: { select: { enterprise: { select: { name: true } } } } } } },
  });
  const who = new Map(identities.map((i) => [`${i.channel}:${i.externalId}`, i.person]));
  const records = rows.map((r) => {
    const p = who.get(`${r.channel}:${r.chatId}`);
    const reason = r.status === "unreachable" ? plain("broadcast-csv-unreachable") : r.lastError ?? "";
    return [p?.membership?.enterprise.name ?? "", p && !p.erasedAt ? (p.name ?? "") : "", r.channel, reason];
  });
  const header = ["enterprise", "person", "channel", "reason"].map((c) => plain(`broadcast-csv-${c}`));
  const csv = stringify([header, ...records], { bom: true, delimiter: ";", record_delimiter: "windows", quote_record_delimiter: true, quoted_match: /[\r\n]/, escape_formulas: true });
  await audited(unit, "broadcast.csv", id, `rows=${records.length}`);
  return { ok: true, csv, name: `broadcast-${id}-failures.csv`, rows: records.length };
}

/**
 * Publishes an event to an audience: a broadcast of kind "event" (the event's text in each
 * recipient's language, its time, venue, RSVP buttons), started at once. The event becomes
 * published. Re-publishing to another audience skips those already sent to.
 */
export async function publishEvent(unit: Unit, eventId: number, audience: Audience): Promise<BroadcastOutcome<{ id: number; total: number }>> {
  if (!(await staffOnly(unit, "event.publish"))) return refuse("error-not-allowed");
  if (Number.isSafeInteger(eventId) && eventId > 0) await sqlOf(unit.tx).lock(`event:${eventId}`);
  const event = Number.isSafeInteger(eventId) && eventId > 0 ? await unit.tx.event.findUnique({ where: { id: eventId } }) : null;
  if (!event) return refuse("broadcast-not-found");
  if (event.status === "cancelled" || event.startsAt.getTime() <= unit.now.getTime()) return refuse("broadcast-wrong-state");
  const parsed = parseAudience(audience);
  if (!parsed) return refuse("broadcast-no-recipients");
  // Those an earlier publication of this event reached (or is reaching) are skipped.
  const earlier = await unit.tx.broadcast.findMany({ where: { eventId, kind: "event" }, select: { id: true } });
  const reached = earlier.length
    ? await unit.tx.outbox.findMany({ where: { broadcastId: { in: earlier.map((e) => e.id) }, status: { in: ["queued", "sending", "held", "sent"] } }, select: { channel: true, chatId: true } })
    : [];
  const exclude = new Set(reached.map((r) => `${r.channel}:${r.chatId}`));
  const recipients = await resolveAudience(unit.tx, parsed, { defaultLocale: unit.settings.defaultLocale, exclude });
  if (!recipients.length) return refuse("broadcast-no-recipients");
  const chat = await authorChat(unit);
  const b = await unit.tx.broadcast.create({
    data: {
      kind: "event",
      eventId,
      authorId: unit.actor?.personId ?? null,
      texts: event.title,
      audience: JSON.stringify(parsed),
      authorChannel: chat?.channel ?? null,
      authorChatId: chat?.chatId ?? null,
      authorLocale: actorLocale(unit),
    },
  });
  const total = await launch(unit, b, recipients);
  if (event.status !== "published") {
    await unit.tx.event.update({ where: { id: eventId }, data: { status: "published", publishedAt: unit.now, revision: { increment: 1 } } });
    // Reminders are scheduled once the event is published (events/jobs.ts: keyed by event, minute and start).
    await scheduleReminders(unit, eventId);
  }
  await audited(unit, "event.publish", b.id, `event=${eventId} total=${total}`);
  return { ok: true, id: b.id, total };
}

/**
 * After a change of a published event (events/service.ts updateEvent): the invitations of its
 * publications still waiting to be sent (queued or held) take the new details, so nobody is invited
 * with an old time or venue. Those already delivered stay as they were (those who answered are told
 * the change). Permission is the caller's. Returns how many were rewritten.
 */
export async function refreshInvitations(unit: Unit, eventId: number): Promise<number> {
  const event = await unit.tx.event.findUnique({ where: { id: eventId } });
  if (!event) return 0;
  const going = await unit.tx.broadcast.findMany({ where: { eventId, kind: "event", status: { in: ["sending", "paused"] } } });
  let n = 0;
  for (const b of going) n += await unit.outbox.rewriteBroadcast(b.id, (locale) => broadcastSpec(b, event, locale, null));
  return n;
}

/** A person stops or restarts announcements (/stop, /subscribe, the menu). Returns the new state. Audited. */
export async function setAnnouncements(unit: Unit, on: boolean): Promise<{ on: boolean }> {
  if (!unit.actor) return { on: true };
  const p = await unit.tx.person.update({ where: { id: unit.actor.personId }, data: { announcementsStoppedAt: on ? null : unit.now } });
  await audit(unit.tx, { actorId: p.id, actorRef: unit.actorRef, action: on ? "announcements.start" : "announcements.stop", outcome: "ok" }, unit.now);
  return { on: p.announcementsStoppedAt === null };
}
