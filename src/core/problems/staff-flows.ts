/** The staff-flows of issue 7, registered in core.ts FLOWS. SKELETON: filled by its branch. */
import type { FlowDef } from "../dialog/engine.ts";

export const STAFF_FLOWS: FlowDef<never>[] = [];
