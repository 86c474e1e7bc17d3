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
import type { Locale } from "../../i18n/locales.ts";
import type { Unit } from "../unit.ts";
import type { Texts } from "../events/service.ts";
import type { Audience } from "./audience.ts";

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
}

export type BroadcastRefusal = "error-not-allowed" | "broadcast-not-found" | "broadcast-empty-texts" | "broadcast-no-recipients" | "broadcast-past" | "broadcast-wrong-state" | "broadcast-outdated";

export type BroadcastOutcome<T = object> = ({ ok: true } & T) | { ok: false; reason: BroadcastRefusal };

const todo = (): never => {
  throw new Error("not implemented yet (issue 8, branch broadcast)");
};

/** Saves a draft (status draft) by the unit's actor; the author's chat is the unit's conversation. */
export async function createBroadcast(_unit: Unit, _draft: BroadcastDraft): Promise<BroadcastOutcome<{ id: number }>> {
  return todo();
}

/** How many would receive it now, per language and channel (the compose screen, before sending). */
export async function countRecipients(_unit: Unit, _audience: Audience): Promise<RecipientCount> {
  return todo();
}

/**
 * The preview: the message exactly as a member reading `locale` gets it (the text with its
 * fallback, the file, the "how to stop" line; an event's RSVP buttons), queued to the author's chat.
 */
export async function previewBroadcast(_unit: Unit, _id: number, _locale: Locale): Promise<BroadcastOutcome> {
  return todo();
}

/** A test: the message in the author's own language to the author only (counts nowhere). */
export async function sendTest(_unit: Unit, _id: number): Promise<BroadcastOutcome> {
  return todo();
}

/**
 * Sends now: resolves the audience, writes one Outbox row per recipient in this transaction
 * (lane bulk, broadcastId), status sending, schedules the progress job, and posts the progress
 * message to the author. Refused with no recipients or in a wrong state.
 */
export async function startBroadcast(_unit: Unit, _id: number): Promise<BroadcastOutcome<{ total: number }>> {
  return todo();
}

/** Schedules it (a job `broadcast-start` keyed by id and time, fired once); `at` in the past is refused. */
export async function scheduleBroadcast(_unit: Unit, _id: number, _at: Date): Promise<BroadcastOutcome> {
  return todo();
}

/** Pause (queued rows held), resume (held rows queued again), cancel (queued and held rows cancelled; a scheduled one never starts). */
export async function pauseBroadcast(_unit: Unit, _id: number): Promise<BroadcastOutcome> {
  return todo();
}
export async function resumeBroadcast(_unit: Unit, _id: number): Promise<BroadcastOutcome> {
  return todo();
}
export async function cancelBroadcast(_unit: Unit, _id: number): Promise<BroadcastOutcome> {
  return todo();
}

/** The figures now (staff). */
export async function broadcastFigures(_unit: Unit, _id: number): Promise<BroadcastOutcome<{ figures: BroadcastFigures }>> {
  return todo();
}

/** `/broadcasts`: the most recent ones, newest first, with their figures. */
export async function recentBroadcasts(_unit: Unit, _opts: { page: number; size: number }): Promise<BroadcastOutcome<{ items: BroadcastFigures[]; total: number }>> {
  return todo();
}

/** The failures (unreachable and failed recipients with the reason) as CSV (csv-stringify, Excel-ready). */
export async function failuresCsv(_unit: Unit, _id: number): Promise<BroadcastOutcome<{ csv: string; name: string; rows: number }>> {
  return todo();
}

/**
 * Publishes an event to an audience: a broadcast of kind "event" (the event's text in each
 * recipient's language, its time, venue, RSVP buttons), started at once. The event becomes
 * published. Re-publishing to another audience skips those already sent to.
 */
export async function publishEvent(_unit: Unit, _eventId: number, _audience: Audience): Promise<BroadcastOutcome<{ id: number; total: number }>> {
  return todo();
}

/** A person stops or restarts announcements (/stop, /subscribe, the menu). Returns the new state. */
export async function setAnnouncements(_unit: Unit, _on: boolean): Promise<{ on: boolean }> {
  return todo();
}
