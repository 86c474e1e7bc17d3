/**
 * The data of the buttons on a broadcast's progress message (issue 8): pause `bc:p:<id>`, resume
 * `bc:r:<id>`, cancel `bc:c:<id>`. Branch `compose` handles presses (checking `broadcast.send` on
 * every press); data is untrusted: {@link parseBroadcastData} accepts exactly these forms. No
 * revision: each action is checked against the broadcast's state when pressed (a pause of a
 * broadcast already paused or done is refused "broadcast-wrong-state").
 */
import type { ButtonSpec } from "../message.ts";

export type BroadcastAction = "pause" | "resume" | "cancel";
const CODE: Record<BroadcastAction, string> = { pause: "p", resume: "r", cancel: "c" };
const ACTION: Record<string, BroadcastAction> = { p: "pause", r: "resume", c: "cancel" };

/** `bc:<p|r|c>:<broadcastId>`. */
export function broadcastData(action: BroadcastAction, id: number): string {
  return `bc:${CODE[action]}:${id}`;
}

/** A progress button's data read back strictly, or null. */
export function parseBroadcastData(data: string): { action: BroadcastAction; id: number } | null {
  const m = /^bc:([prc]):([1-9][0-9]{0,15})$/.exec(data);
  if (!m) return null;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { action: ACTION[m[1]!]!, id } : null;
}

/** The progress message's buttons for a broadcast in `status`: pause or resume, and cancel; none once it is over. */
export function progressButtons(id: number, status: string): ButtonSpec[][] {
  if (status === "sending") return [[{ data: broadcastData("pause", id), label: "broadcast-btn-pause" }, { data: broadcastData("cancel", id), label: "broadcast-btn-cancel" }]];
  if (status === "paused") return [[{ data: broadcastData("resume", id), label: "broadcast-btn-resume" }, { data: broadcastData("cancel", id), label: "broadcast-btn-cancel" }]];
  return [];
}
