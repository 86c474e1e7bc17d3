/**
 * What a member does with events (issue 8 item 2), as dialogs: "Going" asks how many delegates the
 * enterprise sends (`event-going`, started by the "ev:g:<id>" button: member-buttons.ts), and
 * "My events" (`myevents`: upcoming events with the enterprise's answer and the buttons to change
 * it). Whether the person may answer (an active member enterprise), and whether the event still
 * takes answers, is the service's check (events/service.ts), inside `d.act`.
 */
import { fail, ok, type Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { MessageSpec, Translate } from "../message.ts";
import { rich } from "../rich-text.ts";
import type { Locale } from "../../i18n/locales.ts";
import type { Turn } from "../turn.ts";
import { rsvpButtons } from "./buttons-data.ts";
import { myMembership } from "../members/membership.ts";
import { enforce } from "../permissions.ts";
import { eventTime } from "./typed-time.ts";
import { answerEvent, eventForMember, MAX_DELEGATES, myEvents, type EventRefusal, type EventView, type RsvpView } from "./service.ts";
import { refusalKey, textIn } from "./staff-flows.ts";

/** Upcoming events shown in My events (one message each, with its buttons). */
export const MY_EVENTS_MAX = 10;

/** Delegates typed as a number 1..MAX_DELEGATES, or null. */
export function parseDelegates(text: string): number | null {
  const m = /^\s*(\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= MAX_DELEGATES ? n : null;
}

/** Why an event no longer takes this answer, judged before the delegates are asked (the service judges again). */
function closedReason(e: EventView, now: Date): EventRefusal | null {
  if (e.status === "cancelled") return "event-cancelled";
  if (new Date(e.startsAt) <= now) return "event-past";
  if (e.rsvpDeadline && new Date(e.rsvpDeadline) <= now) return "event-deadline-passed";
  return null;
}

/** The answer recorded, as the member reads it (going, waiting with its place, maybe, not going). */
export function answerText(t: Translate, title: string, r: RsvpView): string {
  if (r.answer === "going" && r.waiting !== null) return t("evf-answer-waiting", { title, place: r.waiting, count: r.delegates });
  if (r.answer === "going") return t("evf-answer-going", { title, count: r.delegates });
  return t(`evf-answer-${r.answer}`, { title });
}

/** An event as a member sees it: title, time, venue, description, and their enterprise's answer. */
export function memberEventText(t: Translate, e: EventView, rsvp: RsvpView | null, locale: Locale): string {
  const lines = [t("evf-member-title", { title: textIn(e.title, locale), time: eventTime(e.startsAt) })];
  if (e.venue) lines.push(t("evf-member-venue", { venue: e.venue }));
  if (e.rsvpDeadline) lines.push(t("evf-field-deadline", { time: eventTime(e.rsvpDeadline) }));
  const description = textIn(e.description, locale);
  if (description) lines.push(t("evf-member-description", { text: description }));
  lines.push(rsvp ? t("evf-member-answer", { answer: rich(answerText(t, textIn(e.title, locale), rsvp)) }) : t("evf-member-no-answer"));
  return lines.join("\n\n");
}

/** Answers `answer` for the turn's enterprise and tells the person (refusals told too). */
export async function answerAndTell(turn: Turn, eventId: number, answer: "going" | "maybe" | "no", delegates: number | null): Promise<boolean> {
  const before = await eventForMember(turn.unit, eventId);
  const r = await answerEvent(turn.unit, eventId, answer, delegates);
  if (!r.ok) {
    await turn.unit.outbox.send(turn.here, { text: refusalKey(r.reason) });
    return false;
  }
  const was = before.ok ? before.rsvp : null;
  const placed = r.rsvp.answer === "going" && r.rsvp.waiting === null;
  // A new or changed place is confirmed by the service itself, with the calendar file: not twice.
  if (placed && (!was || was.answer !== "going" || was.waiting !== null || was.delegates !== r.rsvp.delegates)) return true;
  const title = before.ok ? textIn(before.event.title, turn.locale) : "";
  const spec: MessageSpec = { text: (t) => answerText(t, title, r.rsvp) };
  await turn.unit.outbox.send(turn.here, spec);
  return true;
}

/** "Going" (args `{id}`): how many delegates (1 to 20: a button or a typed number), then the answer. */
export const eventGoingFlow: FlowDef<Json> = {
  name: "event-going",
  version: 1,
  title: "evf-flow-going",
  async run(d, args) {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    const id = typeof a.id === "number" && Number.isInteger(a.id) && a.id > 0 ? a.id : 0;
    const open = await d.act("check", async (turn) => {
      // Asked before the delegates question, so that nobody answers it for nothing (the service
      // checks again when it records the answer, and audits a refusal there).
      const m = await myMembership(turn.unit);
      const member = (await enforce(turn.unit, { action: "event.answer", membership: m ? { status: m.status, enterpriseStatus: m.enterprise.status } : null }, "event.answer", `event:${id}`)).ok;
      const seen = await eventForMember(turn.unit, id);
      const why = !seen.ok ? seen.reason : !member ? "event-not-member" : closedReason(seen.event, turn.unit.now);
      if (why) {
        await turn.unit.outbox.send(turn.here, { text: refusalKey(why) });
        return null;
      }
      return seen.ok ? { title: textIn(seen.event.title, turn.locale) } : null;
    });
    if (!open) return;
    const delegates = await d.ask<number>({
      prompt: (t) => t("evf-ask-delegates", { title: open.title, max: MAX_DELEGATES }),
      // Buttons 1..5 (on Telegram); more are typed. A typed "3" is three, also on text channels,
      // where the options take no numbers of their own (AskSpec.numeric).
      options: [1, 2, 3, 4, 5].map((n) => ({ id: String(n), label: () => String(n) })),
      columns: 5,
      numeric: true,
      accept: (event, picked) => {
        const n = picked !== undefined ? parseDelegates(picked) : event.type === "text" ? parseDelegates(event.text) : null;
        return n !== null ? ok(n) : fail({ key: "evf-bad-delegates", args: { max: MAX_DELEGATES } });
      },
    });
    await d.act("answer", (turn) => answerAndTell(turn, id, "going", delegates));
  },
};

/** "My events" (`/myevents`): the upcoming events of the person's enterprise, each with its answer and the buttons to change it. */
export const myEventsFlow: FlowDef<Json> = {
  name: "myevents",
  version: 1,
  title: "evf-flow-my",
  async run(d) {
    await d.act("list", async (turn) => {
      const list = await myEvents(turn.unit);
      if (!list.length) return void (await turn.unit.outbox.send(turn.here, { text: "evf-my-empty" }));
      const shown = list.slice(0, MY_EVENTS_MAX);
      await turn.unit.outbox.send(turn.here, { text: { key: "evf-my-title", args: { count: list.length } } });
      for (const { event, rsvp } of shown) {
        await turn.unit.outbox.send(turn.here, { text: (t) => memberEventText(t, event, rsvp, turn.locale), choices: rsvpButtons(event.id) });
      }
    });
  },
};

export const MEMBER_EVENT_FLOWS: FlowDef<never>[] = [eventGoingFlow, myEventsFlow] as FlowDef<never>[];
