/** Staff buttons of a problem's post ("ps:…"). SKELETON: branch `thread` implements it. */
import type { FlowStart } from "../dialog/engine.ts";
import type { Turn } from "../turn.ts";

/** A pressed "ps:…" button: parsed strictly, permission checked, audited. */
export async function staffProblemButton(_t: Turn, _data: string): Promise<FlowStart | null> {
  return null;
}
