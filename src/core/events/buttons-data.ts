/**
 * The data of an event invitation's RSVP buttons (issue 8), shared by the publication
 * (broadcasts/render.ts puts them on the message) and the member's button handler (branch
 * `eventflows` parses them). Data is untrusted: {@link parseRsvpData} accepts exactly these forms.
 *
 * - going: `ev:g:<eventId>`, maybe: `ev:m:<eventId>`, not going: `ev:n:<eventId>`
 */
import type { ButtonSpec } from "../message.ts";
import type { RsvpAnswer } from "./service.ts";

const CODE: Record<RsvpAnswer, string> = { going: "g", maybe: "m", no: "n" };
const ANSWER: Record<string, RsvpAnswer> = { g: "going", m: "maybe", n: "no" };

/** The data of one RSVP button: `ev:<g|m|n>:<eventId>`. */
export function rsvpData(answer: RsvpAnswer, eventId: number): string {
  return `ev:${CODE[answer]}:${eventId}`;
}

/** An RSVP button's data read back strictly (a positive safe integer id), or null. */
export function parseRsvpData(data: string): { answer: RsvpAnswer; eventId: number } | null {
  const m = /^ev:([gmn]):([1-9][0-9]{0,15})$/.exec(data);
  if (!m) return null;
  const eventId = Number(m[2]);
  return Number.isSafeInteger(eventId) ? { answer: ANSWER[m[1]!]!, eventId } : null;
}

/** The invitation's buttons, one row: going, maybe, not going (labels: broadcast-rsvp-*). */
export function rsvpButtons(eventId: number): ButtonSpec[][] {
  return [
    [
      { data: rsvpData("going", eventId), label: "broadcast-rsvp-going" },
      { data: rsvpData("maybe", eventId), label: "broadcast-rsvp-maybe" },
      { data: rsvpData("no", eventId), label: "broadcast-rsvp-no" },
    ],
  ];
}
