/**
 * The data of the buttons under a broadcast's progress message (issue 8 item 6): pause
 * "bc:p:<id>", resume "bc:r:<id>", cancel "bc:c:<id>" (the id in decimal, at most 9 digits: well
 * within Telegram's 64 bytes). Built by the progress job (branch `broadcast`), parsed strictly by
 * the handler (progress-buttons.ts, branch `compose`): the data is untrusted.
 */

/** What a progress button asks for. */
export type ProgressVerb = "pause" | "resume" | "cancel";

const LETTER: Record<ProgressVerb, string> = { pause: "p", resume: "r", cancel: "c" };
const VERB: Record<string, ProgressVerb> = { p: "pause", r: "resume", c: "cancel" };
const DATA = /^bc:([prc]):([1-9]\d{0,8})$/;

/** Whether `data` belongs to a progress button (then {@link parseProgressButton} decides if it is a valid one). */
export const isBroadcastButton = (data: string): boolean => data.startsWith("bc:");

/** The data of a progress button of broadcast `id` (a positive integer). */
export function progressButtonData(verb: ProgressVerb, id: number): string {
  if (!Number.isSafeInteger(id) || id <= 0 || id > 999_999_999) throw new Error(`not a broadcast id: ${id}`);
  return `bc:${LETTER[verb]}:${id}`;
}

export const pauseButton = (id: number): string => progressButtonData("pause", id);
export const resumeButton = (id: number): string => progressButtonData("resume", id);
export const cancelButton = (id: number): string => progressButtonData("cancel", id);

/** A progress button's data read strictly (no leading zeros, no extra parts), or null for anything else. */
export function parseProgressButton(data: string): { verb: ProgressVerb; id: number } | null {
  const m = DATA.exec(data);
  return m ? { verb: VERB[m[1]!]!, id: Number(m[2]) } : null;
}
