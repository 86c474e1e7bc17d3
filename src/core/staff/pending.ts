/** "Pending": what waits for staff, each item as a notice with its buttons. */
import type { Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { pendingFor } from "./decide.ts";
import { authorize } from "../permissions.ts";
import { showNotice } from "./notices.ts";

/** Notices sent per kind at most; the rest are counted. */
export const PENDING_PAGE = 10;

export const pendingFlow: FlowDef<Json> = {
  name: "pending",
  version: 1,
  title: "flow-pending",
  async run(d) {
    await d.act("list", async (turn) => {
      if (!(await authorize(turn, { action: "staff.view" }, "pending"))) return;
      const work = await pendingFor(turn.unit, PENDING_PAGE);
      const { applications, joins, changes } = work.totals;
      if (applications + joins + changes === 0) return void (await turn.unit.outbox.send(turn.here, { text: "pending-none" }));
      await turn.unit.outbox.send(turn.here, { text: { key: "pending-summary", args: { applications, joins, changes } } });
      for (const id of work.applications) await showNotice(turn.unit, turn.here, "application", id);
      for (const id of work.joins) await showNotice(turn.unit, turn.here, "join", id);
      for (const id of work.changes) await showNotice(turn.unit, turn.here, "change", id);
      const shown = work.applications.length + work.joins.length + work.changes.length;
      if (shown < applications + joins + changes) {
        await turn.unit.outbox.send(turn.here, { text: { key: "pending-more", args: { count: applications + joins + changes - shown } } });
      }
    });
  },
};
