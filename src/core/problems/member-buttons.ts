/** Member buttons on problem notices ("pm:…"). SKELETON: branch `report` implements it. */
import type { FlowStart } from "../dialog/engine.ts";
import type { Turn } from "../turn.ts";

/** A pressed "pm:…" button: parsed strictly; only a person of the problem's enterprise (or one that joined) may use it. */
export async function memberProblemButton(_t: Turn, _data: string): Promise<FlowStart | null> {
  return null;
}
