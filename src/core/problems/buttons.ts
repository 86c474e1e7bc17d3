/**
 * Buttons on problem messages, outside any dialog (like staff notices' "s:" buttons): "ps:…" on
 * the staff post of a problem (Take, Status, Note: staff-buttons.ts, branch `thread`), "pm:…" on
 * what a member gets (Is it solved? yes/no, open, write: member-buttons.ts, branch `report`). The
 * data is untrusted: each handler parses it strictly and checks permission on every press.
 */
import type { FlowStart } from "../dialog/engine.ts";
import type { Turn } from "../turn.ts";
import { memberProblemButton } from "./member-buttons.ts";
import { staffProblemButton } from "./staff-buttons.ts";

/** Whether `data` is a problem button's. */
export const isProblemButton = (data: string): boolean => data.startsWith("ps:") || data.startsWith("pm:");

/** Handles a pressed problem button; a flow to start (a status with its reason, a comment), or null. */
export async function problemButton(t: Turn, data: string): Promise<FlowStart | null> {
  return data.startsWith("ps:") ? staffProblemButton(t, data) : memberProblemButton(t, data);
}
