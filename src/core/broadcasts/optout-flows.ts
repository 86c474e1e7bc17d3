/**
 * A person stops or restarts announcements (issue 8 item 7): the menu entry ("Stop announcements"
 * or "Receive announcements", by their state: menu.ts) and `/stop`, `/subscribe`. The answer says
 * what still reaches them: notices about their own enterprise, their problems and events they answered.
 */
import type { Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { setAnnouncements } from "./service.ts";

function optFlow(name: "stop" | "subscribe", on: boolean): FlowDef<Json> {
  return {
    name,
    version: 1,
    title: `flow-${name}`,
    async run(d) {
      await d.act("set", async (turn) => {
        // Someone the bot does not know yet has no announcements to stop (and none start).
        if (!turn.actor) return void (await turn.unit.outbox.send(turn.here, { text: "compose-optout-unknown" }));
        const r = await setAnnouncements(turn.unit, on);
        await turn.unit.outbox.send(turn.here, { text: r.on ? "compose-subscribed" : "compose-stopped" });
      });
    },
  };
}

/** `/stop` and "Stop announcements". */
export const stopFlow = optFlow("stop", false);
/** `/subscribe` and "Receive announcements". */
export const subscribeFlow = optFlow("subscribe", true);

export const OPTOUT_FLOWS: FlowDef<never>[] = [stopFlow, subscribeFlow] as FlowDef<never>[];
