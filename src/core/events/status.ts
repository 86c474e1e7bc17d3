/**
 * The life of an event (issue 8): a draft until published (broadcasts/service.ts publishEvent),
 * then published until staff cancel it. A past event is a published one whose start has passed
 * (nothing changes in the row). Answers: going (with delegates; over capacity: waiting), maybe, no.
 */
import type { EventStatus, RsvpAnswer } from "./service.ts";

export const EVENT_STATUSES: readonly EventStatus[] = ["draft", "published", "cancelled"];
export const RSVP_ANSWERS: readonly RsvpAnswer[] = ["going", "maybe", "no"];

export const isEventStatus = (v: unknown): v is EventStatus => typeof v === "string" && (EVENT_STATUSES as readonly string[]).includes(v);
export const isRsvpAnswer = (v: unknown): v is RsvpAnswer => typeof v === "string" && (RSVP_ANSWERS as readonly string[]).includes(v);
