/**
 * The staff thread's flows (registered in core.ts FLOWS): the status change started by a post's
 * Status button (the new status from STAFF_TRANSITIONS, the body it was forwarded to, a comment
 * for the member: required when declining) and the internal note started by Note. In the staff
 * group their questions are asked of the presser (dialog.ts: a reply is asked for, force_reply).
 * The services check permission and the revision again when they write (the role may have been
 * revoked, or the problem changed, while the question waited).
 */
import { fail, ok, type Parse } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { toPlain } from "../rich-text.ts";
import { cleanText } from "../text.ts";
import { answerRefusal } from "./staff-buttons.ts";
import { threadChats } from "./thread.ts";
import { addNote, changeStatus, FORWARDED_MAX, problemHeader } from "./service.ts";
import { isProblemStatus, STAFF_TRANSITIONS, type ProblemStatus } from "./status.ts";

/** Limits of what staff type here (code points); the services keep the same (service.ts). */
export { FORWARDED_MAX };
export const COMMENT_MAX = 2000;
export const NOTE_MAX = 4000;

function parseText(text: string, max: number): Parse<string> {
  const r = cleanText(text, { max, multiline: true });
  if (r.ok) return ok(r.value);
  return fail(r.reason === "too-long" ? { key: "thread-text-too-long", args: { max } } : "thread-text-empty");
}

export const statusFlow: FlowDef<{ id: number; revision: number }> = {
  name: "problem-status",
  version: 1,
  title: "thread-flow-status",
  async run(d, args) {
    const problem = await d.act("load", async (turn) => {
      const p = await problemHeader(turn.unit, args.id);
      if (!p || !isProblemStatus(p.status)) return null;
      const has = (key: string) => turn.unit.services.i18n.has(key);
      const names: Record<string, string> = {};
      for (const s of STAFF_TRANSITIONS[p.status]) names[s] = has(`problem-status-${s}`) ? toPlain(turn.t(`problem-status-${s}`)) : s;
      return { ref: p.ref, status: p.status, names };
    });
    if (!problem) return;
    const ref = problem.ref;
    const choices = (STAFF_TRANSITIONS[problem.status as ProblemStatus] ?? []).map((s) => ({ id: s, label: () => problem.names[s] ?? s }));
    const to = await d.choice((t) => t("thread-status-ask", { ref }), choices, { columns: 2 });
    const forwardedTo = to === "forwarded" ? await d.text((t) => t("thread-forwarded-ask", { ref }), (text) => parseText(text, FORWARDED_MAX)) : null;
    const comment =
      to === "declined"
        ? await d.text((t) => t("thread-comment-required", { ref }), (text) => parseText(text, COMMENT_MAX))
        : await d.ask<string | null>({
            prompt: (t) => t("thread-comment-optional", { ref }),
            options: [{ id: "skip", label: "thread-comment-skip" }],
            accept: (event, picked) => (picked === "skip" ? ok(null) : event.type === "text" ? parseText(event.text, COMMENT_MAX) : fail("error-need-text")),
          });
    const done = await d.act("change", async (turn) => {
      const outcome = await changeStatus(turn.unit, args.id, args.revision, to, { comment, forwardedTo });
      if (!outcome.ok) await answerRefusal(turn, outcome.reason);
      return outcome.ok ? { told: !outcome.unheard } : null;
    });
    // "The member has been told" only when someone was.
    if (done) await d.say((t) => t(done.told ? "thread-status-done" : "thread-status-done-nobody", { ref, status: problem.names[to] ?? to }));
  },
};

export const noteFlow: FlowDef<{ id: number }> = {
  name: "problem-note",
  version: 1,
  title: "thread-flow-note",
  async run(d, args) {
    const ref = await d.act("load", async (turn) => (await problemHeader(turn.unit, args.id))?.ref ?? null);
    if (!ref) return;
    const text = await d.text((t) => t("thread-note-ask", { ref }), (input) => parseText(input, NOTE_MAX));
    // The note is shown in the thread (the service relays it: the staff chat is internal), as every
    // other entry is; the confirmation only where the note is not seen already (a private chat
    // outside the thread).
    const done = await d.act("note", async (turn) => {
      const outcome = await addNote(turn.unit, args.id, text);
      if (!outcome.ok) {
        await answerRefusal(turn, outcome.reason);
        return null;
      }
      const here = turn.inbound;
      return { inThread: (await threadChats(turn.unit, args.id)).some((c) => c.target.channel === here.channel && c.target.chatId === here.chatId) };
    });
    if (done && !done.inThread) await d.say((t) => t("thread-note-done", { ref }));
  },
};

export const THREAD_FLOWS = [statusFlow, noteFlow] as unknown as FlowDef<never>[];
