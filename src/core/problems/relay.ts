/**
 * Messages that belong to a problem's thread, routed before the dialog engine runs (issue 7: a
 * problem is data, not a dialog): a staff reply to the thread's post (or in its forum topic, or in a
 * private chat focused on it), a member's reply to a message of their problem or their messages
 * while "Write to staff" is on (ThreadFocus). SKELETON: the `thread` branch implements it.
 */
import type { InboundEvent } from "../channel.ts";
import type { Turn } from "../turn.ts";

/**
 * Whether this turn's message (`event`: after a typed number became a press) belongs to a problem
 * thread; if so it has been handled (stored, relayed, acknowledged) and the dialog engine is not run.
 * Called for private chats and the staff group, never for presses of buttons.
 */
/** Whether this turn's message belongs to a problem thread; if so it has been handled (stored, relayed, acknowledged). */
export async function routeThreadMessage(_t: Turn, _key: string, _event: InboundEvent): Promise<boolean> {
  return false;
}
