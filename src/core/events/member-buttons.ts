/**
 * Buttons of events outside any dialog ("ev:…", wired in core.ts like the problems' "pm:"): the
 * RSVP buttons of a published event and of My events (buttons-data.ts). "Going" starts the
 * delegates question (flow `event-going`); "Maybe" and "Not going" answer at once. The data is
 * untrusted: parsed strictly (anything else is audited as forged), and whether the presser may
 * answer (an active member enterprise), whether the event exists and still takes answers, is the
 * service's check on every press (events/service.ts answerEvent).
 */
import type { FlowStart } from "../dialog/engine.ts";
import { recordRefusal } from "../permissions.ts";
import type { Turn } from "../turn.ts";
import { parseRsvpData } from "./buttons-data.ts";
import { answerAndTell } from "./member-flows.ts";

/** Whether `data` is an events button ("ev:…", whatever follows: the rest is parsed strictly on the press). */
export const isEventButton = (data: string): boolean => data.startsWith("ev:");

/** A pressed "ev:…" button; the flow to start ("Going": the delegates question), or null. */
export async function eventButton(t: Turn, data: string): Promise<FlowStart | null> {
  const press = parseRsvpData(data);
  if (!press || t.inbound.chatType !== "private") {
    await recordRefusal(t.unit, "event.button", undefined);
    t.notice = t.t("button-stale");
    return null;
  }
  // A flow, so that a press in the middle of another task does not take that task's next answer.
  if (press.answer === "going") return { flow: "event-going", args: { id: press.eventId } };
  if (await answerAndTell(t, press.eventId, press.answer, null)) t.consumed = true;
  return null;
}
