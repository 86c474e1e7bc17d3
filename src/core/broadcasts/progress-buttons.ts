/**
 * The buttons under a broadcast's progress message, outside any dialog (like problems' "ps:"):
 * pause "bc:p:<id>", resume "bc:r:<id>", cancel "bc:c:<id>" (buttons-data.ts, branch `broadcast`). The data is
 * untrusted: parsed strictly (anything else is a forged button, audited and refused), and the
 * presser's role is read from the database on every press (permissions.ts `broadcast.send`).
 * Pause and resume act at once and say what happened; cancel asks first (compose-flows.ts
 * `broadcast-cancel`). A refusal for the broadcast's state says which state it is in.
 */
import type { FlowStart } from "../dialog/engine.ts";
import { authorize, recordRefusal } from "../permissions.ts";
import type { Turn } from "../turn.ts";
import { parseBroadcastData } from "./buttons-data.ts";
import { stateRefusal } from "./compose-flows.ts";
import { pauseBroadcast, resumeBroadcast } from "./service.ts";

/** Whether `data` is a progress button's (then {@link broadcastButton} decides whether it is a valid one). */
export const isBroadcastButton = (data: string): boolean => data.startsWith("bc:");

/** A pressed "bc:…" button; the flow to start (the cancel confirmation), or null. */
export async function broadcastButton(t: Turn, data: string): Promise<FlowStart | null> {
  const parsed = parseBroadcastData(data);
  if (!parsed) {
    await recordRefusal(t.unit, "forged-button", data.slice(0, 64));
    await t.answer("error-not-allowed");
    return null;
  }
  const { action: verb, id } = parsed;
  if (!(await authorize(t, { action: "broadcast.send" }, `broadcast.${verb}`, `broadcast:${id}`))) return null;
  // A confirmation is a question: in the staff group it would wait for anyone's reply. Privately only.
  if (verb === "cancel") return { flow: "broadcast-cancel", args: { id } };
  const r = verb === "pause" ? await pauseBroadcast(t.unit, id) : await resumeBroadcast(t.unit, id);
  t.notice = r.ok ? t.t(verb === "pause" ? "compose-paused" : "compose-resumed") : await stateRefusal(t, id, r.reason, verb);
  return null;
}
