/**
 * The RSVP buttons of a published event (issue 8): "ev:g:<eventId>" going, "ev:m:<eventId>" maybe,
 * "ev:n:<eventId>" not going. Made here for every message that carries them (the publication,
 * branch `broadcast`; My events and the answers, events/member-buttons.ts), parsed here strictly:
 * the data comes back untrusted (anyone can forge a press).
 */
import type { ButtonSpec } from "../message.ts";
import type { RsvpAnswer } from "./service.ts";

const CODES = { g: "going", m: "maybe", n: "no" } as const satisfies Record<string, RsvpAnswer>;
const LETTER: Record<RsvpAnswer, keyof typeof CODES> = { going: "g", maybe: "m", no: "n" };

/** The data of the button answering `answer` to event `eventId` (≤ 64 bytes: ids have ≤ 10 digits). */
export const rsvpData = (eventId: number, answer: RsvpAnswer): string => `ev:${LETTER[answer]}:${eventId}`;

/** One row of the three RSVP buttons (labels from the locales: evf-rsvp-going, -maybe, -no). */
export function rsvpButtons(eventId: number): ButtonSpec[][] {
  return [
    [
      { data: rsvpData(eventId, "going"), label: "evf-rsvp-going" },
      { data: rsvpData(eventId, "maybe"), label: "evf-rsvp-maybe" },
      { data: rsvpData(eventId, "no"), label: "evf-rsvp-no" },
    ],
  ];
}

/** Whether `data` is an events button ("ev:…"), whatever follows. */
export const isEventButton = (data: string): boolean => data.startsWith("ev:");

/** An RSVP press from untrusted data, or null (anything but exactly "ev:[gmn]:<id>", id 1..2^31-1). */
export function parseRsvpData(data: string): { eventId: number; answer: RsvpAnswer } | null {
  const m = /^ev:([gmn]):([1-9][0-9]{0,9})$/.exec(data);
  if (!m) return null;
  const eventId = Number(m[2]);
  if (eventId > 2_147_483_647) return null;
  return { eventId, answer: CODES[m[1] as keyof typeof CODES] };
}
