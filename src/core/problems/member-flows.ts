/** The member-flows of issue 7, registered in core.ts FLOWS. SKELETON: filled by its branch. */
import type { FlowDef } from "../dialog/engine.ts";

export const MEMBER_FLOWS: FlowDef<never>[] = [];
