/**
 * What a broadcast looks like (issue 8): the message each recipient gets (their language's text
 * with FALLBACK_ORDER, the file, an event's details and RSVP buttons, and the last line on how to
 * stop announcements), and the author's progress message and report. Texts staff typed are plain
 * text: escaped here (or by Fluent, as arguments), never read as markup.
 */
import type { Event } from "../../db/generated/client.ts";
import type { Locale } from "../../i18n/locales.ts";
import { rsvpButtons } from "../events/buttons-data.ts";
import { localDateTime } from "../members/render.ts";
import type { FileSpec, MessageSpec, Translate } from "../message.ts";
import { escapeHtml } from "../rich-text.ts";
import { progressButtons } from "./buttons-data.ts";
import { readTexts, textFor, type BroadcastRow } from "./data.ts";
import type { BroadcastFigures, RecipientCount } from "./service.ts";

/** The tag of a broadcast's progress message in the author's chat (edited, then replaced by the report). */
export const progressTag = (id: number): string => `broadcast:${id}:progress`;

/** The tag of an event's invitations (so that the events branch can find or edit them). */
export const invitationTag = (eventId: number): string => `event:${eventId}:invitation`;

/** Event.title / Event.description: JSON texts per language. */
function eventText(json: string, locale: Locale): string {
  try {
    return textFor(JSON.parse(json) as Record<string, string>, locale);
  } catch {
    return json;
  }
}

/** An event's invitation text (title, description, time in Almaty dd.mm.yyyy HH:mm, venue, a map link). */
export function eventLines(t: Translate, event: Event, locale: Locale): string[] {
  const description = eventText(event.description, locale);
  return [
    t("broadcast-event-title", { title: eventText(event.title, locale) }),
    ...(description ? [escapeHtml(description)] : []),
    "",
    // members/render.ts localDateTime: Asia/Almaty, dd.mm.yyyy HH:mm (core/time.ts of branch events formats the same).
    t("broadcast-event-when", { when: localDateTime(event.startsAt) }),
    ...(event.venue ? [t("broadcast-event-venue", { venue: event.venue })] : []),
    ...(event.latitude !== null && event.longitude !== null ? [t("broadcast-event-map", { url: `https://maps.google.com/?q=${event.latitude},${event.longitude}` })] : []),
  ];
}

/**
 * The message a recipient reading `locale` gets. An announcement: its text (fallback order) and
 * file; an event: the event's details with RSVP buttons. Both end with the line on /stop.
 */
export function broadcastSpec(b: BroadcastRow, event: Event | null, locale: Locale, file: { kind: string } | null): MessageSpec {
  const stored = readTexts(b.texts);
  const files: FileSpec[] = b.fileId ? [{ fileId: b.fileId, ...(file?.kind === "document" && stored.fileName ? { name: stored.fileName } : {}) }] : [];
  if (b.kind === "event" && event) {
    return {
      text: (t) => [...eventLines(t, event, locale), "", t("broadcast-stop-line")].join("\n"),
      choices: rsvpButtons(event.id),
      ...(files.length ? { files } : {}),
    };
  }
  const body = textFor(stored.texts, locale);
  return { text: (t) => `${escapeHtml(body)}\n\n${t("broadcast-stop-line")}`, ...(files.length ? { files } : {}) };
}

/** "12 мин" from seconds, rounded up to whole minutes (at least 1). */
const minutes = (seconds: number): number => Math.max(1, Math.ceil(seconds / 60));

/** The text of the progress message (what the progress job compares to decide whether to edit). */
export function progressText(t: Translate, f: BroadcastFigures): string {
  const lines = [t(f.status === "paused" ? "broadcast-progress-paused" : "broadcast-progress", { id: f.id, sent: f.sent, total: f.total })];
  if (f.unreachable || f.failed) lines.push(t("broadcast-progress-problems", { unreachable: f.unreachable, failed: f.failed }));
  if (f.status === "sending" && f.rate !== null && f.etaSeconds !== null) lines.push(t("broadcast-progress-rate", { rate: f.rate, minutes: minutes(f.etaSeconds) }));
  lines.push(...pacedLines(t, f, f.status === "sending"));
  return lines.join("\n");
}

/**
 * The lines of the channels paced by a pause between chats (WhatsApp): sent of total, and while
 * sending (`eta`) about how long the rest takes at the channel's pace.
 */
export function pacedLines(t: Translate, f: BroadcastFigures, eta: boolean): string[] {
  return (f.channels ?? [])
    .filter((c) => c.total > 0)
    .map((c) => {
      const channel = t(`channel-${c.channel}`);
      return eta && c.etaSeconds !== null
        ? t("pacing-progress-channel-eta", { channel, sent: c.sent, total: c.total, minutes: minutes(c.etaSeconds) })
        : t("pacing-progress-channel", { channel, sent: c.sent, total: c.total });
    });
}

/** What the progress message shows, as a comparable string: the progress job edits only when it changes (rate and time left alone do not count). */
export function progressSignature(f: BroadcastFigures): string {
  const paced = (f.channels ?? []).map((c) => `:${c.channel}=${c.sent}/${c.left}`).join("");
  return `${f.status}:${f.sent}:${f.unreachable}:${f.failed}:${f.left}${paced}`;
}

export function progressSpec(f: BroadcastFigures): MessageSpec {
  return { text: (t) => progressText(t, f), choices: progressButtons(f.id, f.status) };
}

/** The report that replaces the progress message at the end: delivered, unreachable, failed with reasons. */
export function reportSpec(f: BroadcastFigures, reasons: { reason: string; count: number }[]): MessageSpec {
  return {
    text: (t) =>
      [
        t(f.status === "cancelled" ? "broadcast-report-cancelled" : "broadcast-report", { id: f.id, sent: f.sent, total: f.total }),
        t("broadcast-report-unreachable", { count: f.unreachable }),
        t("broadcast-report-failed", { count: f.failed }),
        ...reasons.map((r) => t("broadcast-report-reason", { reason: r.reason || "?", count: r.count })),
        ...(f.status === "cancelled" && f.cancelled ? [t("broadcast-report-not-sent", { count: f.cancelled })] : []),
        ...pacedLines(t, f, false),
      ].join("\n"),
  };
}

/** The recipients on channels paced by a pause between chats (WhatsApp): how many, and about how long they take. */
export function pacedCountLines(t: Translate, count: RecipientCount): string[] {
  return (count.paced ?? []).filter((p) => p.count > 0).map((p) => t("pacing-screen-channel", { channel: t(`channel-${p.channel}`), count: p.count, minutes: Math.max(1, Math.ceil(p.seconds / 60)) }));
}
