/**
 * A broadcast's life (issue 8): draft → scheduled → sending ⇄ paused → done; cancelled from any
 * state before done. The services (service.ts) refuse a change from any other state
 * ("broadcast-wrong-state").
 */
import type { BroadcastStatus } from "./service.ts";

export const BROADCAST_STATUSES: readonly BroadcastStatus[] = ["draft", "scheduled", "sending", "paused", "done", "cancelled"];

/** The states each action may start from. */
export const CAN: Record<"start" | "schedule" | "pause" | "resume" | "cancel", readonly BroadcastStatus[]> = {
  start: ["draft", "scheduled"],
  schedule: ["draft", "scheduled"],
  pause: ["sending"],
  resume: ["paused"],
  cancel: ["draft", "scheduled", "sending", "paused"],
};

export function isBroadcastStatus(s: string): s is BroadcastStatus {
  return (BROADCAST_STATUSES as readonly string[]).includes(s);
}

/** Outbox statuses of a broadcast's rows still to deliver (the end waits for none of them). */
export const LEFT_STATUSES = ["queued", "sending", "held"] as const;
