/**
 * What a member does with industry problems (issue 7 items 1-3), as dialogs: reporting one
 * (`problem`: one question at a time, files, similar problems, a summary, Send), "My problems"
 * (`myproblems`: a paged list, a problem's timeline, "Write to staff"), one problem opened from a
 * notice or by its reference (`problem-view`), and the reason a "solved" problem is not
 * (`problem-unsolved`). Flows never touch the database: every read and write is a service of
 * service.ts (or membership.ts), called inside `d.act`.
 *
 * Choices made here (issue 7 left them to this part):
 * - An album (several file events sharing `Inbound.mediaGroup`) gets one answer: the first of its
 *   files is acknowledged, the rest are kept silently (AskSpec.silent); a refusal within the album
 *   is answered once (the dialog's burst rule). The question's Done button is stable ("pd:" /
 *   "pf:"), so the one under that acknowledgement stays valid while the rest arrive.
 * - Photos and documents sent while the description is asked are kept too (people send them with
 *   the text); text sent while files are asked, and a file's caption, is added to the description.
 * - Similar open problems are offered once, after the anonymity question, before the summary.
 */
import { localDate, localDateTime } from "../members/render.ts";
import type { InboundEvent } from "../channel.ts";
import { fail, ok, type Dialog, type FlowExit, type Json, type Option, type Parse } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { Label, Translate } from "../message.ts";
import { escapeHtml, rich } from "../rich-text.ts";
import { cleanText, truncate } from "../text.ts";
import { fileRefusalLabel } from "../files/fetch.ts";
import { myMembership } from "../members/membership.ts";
import { isStaff } from "../staff/decide.ts";
import { CATEGORIES, type Category } from "./categories.ts";
import { writeToStaff } from "./member-focus.ts";
import {
  DESCRIPTION_MAX,
  FILES_PER_MESSAGE,
  TITLE_MAX,
  confirmSolved,
  joinProblem,
  memberProblems,
  openProblem,
  problemIdByRef,
  reportAccess,
  similarOpenProblems,
  submitProblem,
  type AttachedFile,
  type ProblemDetail,
  type ProblemDraft,
  type ProblemRefusal,
  type ProblemSummary,
  type TimelineEntry,
} from "./service.ts";

/** A member's comment (joining a similar problem, "not solved"): at most this many characters. */
export const COMMENT_MAX = 1000;
/** Problems per page of "My problems". */
export const MY_PAGE = 5;
/** The timeline shows its newest entries up to about this many characters (Telegram allows 4,096). */
const TIMELINE_BUDGET = 3000;
/** One timeline entry's text is cut to this many characters (the whole text is in the staff thread). */
const ENTRY_MAX = 600;
/** How much of the description the summary shows. */
const SUMMARY_DESCRIPTION_MAX = 1500;

const codePoints = (s: string): number => [...s].length;

/** The locale key answering a service refusal (service.ts: each refusal is a key of branch `problems`). */
const refusalKey = (reason: ProblemRefusal): string => reason;

// ---------------------------------------------------------------------------------------------
// Who may report

type AccessDenied = "none" | "pending" | "rejected" | "ended" | "enterprise";

/** Why the unit's actor may not report (reportAccess said no): their membership, read by its service. */
async function whyNoAccess(d: Dialog): Promise<AccessDenied | null> {
  return d.act("access", async (turn) => {
    const access = await reportAccess(turn.unit);
    if (access.ok) return null;
    const m = await myMembership(turn.unit);
    if (!m) return "none";
    if (m.status === "pending") return "pending";
    if (m.status === "rejected") return "rejected";
    if (m.status !== "active") return "ended";
    return "enterprise";
  });
}

/** Tells someone who may not report why, and offers registration where it helps. */
async function refuseAccess(d: Dialog, why: AccessDenied): Promise<FlowExit | void> {
  if (why === "pending" || why === "enterprise") return void (await d.say(`problem-access-${why}`));
  const pick = await d.choice(
    `problem-access-${why}`,
    [[{ id: "register", label: "menu-register" }], [{ id: "menu", label: "problem-back-menu" }]],
    { settled: true },
  );
  if (pick === "register") return { next: "register", ...(why === "rejected" ? { args: { reapply: true } } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The questions of a report

/** The category: one button per row, each explained in one line in the question (locale keys `problem-cat-<id>[-hint]`). */
export function askCategory(d: Dialog): Promise<Category> {
  return d.choice(
    (t) =>
      t("problem-ask-category", {
        list: rich(CATEGORIES.map((c) => `<b>${t(`problem-cat-${c}`)}</b>: ${t(`problem-cat-${c}-hint`)}`).join("\n")),
      }),
    CATEGORIES.map((c) => ({ id: c, label: `problem-cat-${c}` })),
  );
}

/** The title: one line, cleaned (text.ts cleanText), at most TITLE_MAX characters; refused with the reason otherwise. */
export function askTitle(d: Dialog): Promise<string> {
  return d.text("problem-ask-title", (text) => {
    const r = cleanText(text, { max: TITLE_MAX });
    return r.ok ? ok(r.value) : fail({ key: `problem-title-${r.reason}`, args: { max: TITLE_MAX } });
  });
}

/** One accepted answer while the description or the files are asked. */
type Piece = { kind: "done" } | { kind: "text"; text: string } | { kind: "file"; file: AttachedFile; caption: string | null };

/** Checks a text to add to the description (`texts` so far): cleaned, and the joined total within DESCRIPTION_MAX; `button`: the one its refusal names. */
function addableText(texts: readonly string[], raw: string, button: "skip" | "done"): Parse<string> {
  const r = cleanText(raw, { max: DESCRIPTION_MAX, multiline: true });
  const used = texts.length ? codePoints(texts.join("\n\n")) + 2 : 0;
  const left = Math.max(0, DESCRIPTION_MAX - used);
  if (!r.ok) {
    if (r.reason === "too-long") return fail({ key: "problem-description-too-long", args: { max: DESCRIPTION_MAX, left, button } });
    return fail(r.reason === "empty" ? "problem-description-need-text" : "problem-description-no-letters");
  }
  if (codePoints(r.value) > left) return fail({ key: "problem-description-too-long", args: { max: DESCRIPTION_MAX, left, button } });
  return ok(r.value);
}

/** A file event as an attachment, or why it is not taken. */
function acceptFile(event: Extract<InboundEvent, { type: "file" }>, texts: readonly string[], files: readonly AttachedFile[], button: "skip" | "done"): Parse<Piece> {
  // Refused by the core before the turn (AskSpec.takesFiles answers it with why).
  if (event.refused || !event.stored) return fail(fileRefusalLabel(event.refused ?? "unavailable"));
  if (files.length >= FILES_PER_MESSAGE) return fail({ key: "problem-files-too-many", args: { max: FILES_PER_MESSAGE } });
  let caption: string | null = null;
  if (event.caption?.trim()) {
    const c = addableText(texts, event.caption, button);
    if (!c.ok) return c;
    caption = c.value;
  }
  const name = event.file.name ? event.file.name.slice(0, 200) : null;
  return ok({ kind: "file", file: { fileId: event.stored.id, name, kind: event.stored.kind }, caption });
}

/** The files question's one button: Skip until a file is attached, then Done (its texts name it: `$button`). */
const filesButton = (files: readonly AttachedFile[]): "skip" | "done" => (files.length === 0 ? "skip" : "done");

/**
 * Collects the description's messages (`mode` "description": until Done, at least one) or the
 * files (`mode` "files": until Done or Skip), adding to `texts` and `files` in place. See the
 * module's note on albums.
 */
async function collect(d: Dialog, mode: "description" | "files", texts: string[], files: AttachedFile[], prompt?: Label): Promise<void> {
  let ask: Label = prompt ?? (mode === "description" ? "problem-ask-description" : { key: "problem-ask-files", args: { max: FILES_PER_MESSAGE } });
  let silent = false;
  let lastGroup: string | null = null;
  for (;;) {
    const piece = await d.ask<Piece>({
      prompt: ask,
      options: [[{ id: "done", label: mode === "files" && filesButton(files) === "skip" ? "problem-skip-button" : "problem-done-button", words: "problem-words-done" }]],
      stable: mode === "description" ? "pd" : "pf",
      silent,
      takesFiles: true,
      accept: (event, picked) => {
        // The button under the question, as its answers name it.
        const button = mode === "files" ? filesButton(files) : "done";
        if (picked === "done") return mode === "description" && texts.length === 0 ? fail("problem-description-empty") : ok({ kind: "done" });
        if (event.type === "text") {
          const r = addableText(texts, event.text, button);
          return r.ok ? ok({ kind: "text", text: r.value }) : r;
        }
        if (event.type === "file") return acceptFile(event, texts, files, button);
        return fail(mode === "description" ? "problem-description-need-text" : { key: "problem-files-need-file", args: { button } });
      },
    });
    if (piece.kind === "done") return;
    if (piece.kind === "text") {
      texts.push(piece.text);
      lastGroup = null;
      silent = false;
      ask = mode === "description" ? "problem-description-added" : { key: "problem-files-text-added", args: { button: filesButton(files) } };
      continue;
    }
    files.push(piece.file);
    if (piece.caption) texts.push(piece.caption);
    // The rest of an album is kept without an answer each: the first file's answer was the album's.
    const group = await d.act("album", (turn) => turn.inbound.mediaGroup ?? null);
    silent = group !== null && group === lastGroup;
    lastGroup = group;
    ask = mode === "description" ? "problem-file-added-description" : "problem-file-added";
  }
}

function askAnonymity(d: Dialog): Promise<boolean> {
  return d
    .choice("problem-ask-anonymity", [[{ id: "named", label: "problem-anon-named" }], [{ id: "anonymous", label: "problem-anon-anonymous" }]])
    .then((a) => a === "anonymous");
}

/** An optional comment (a Skip button), or null. */
async function askOptionalComment(d: Dialog, prompt: Label): Promise<string | null> {
  const answer = await d.ask<string | null>({
    prompt,
    options: [[{ id: "skip", label: "problem-skip-button" }]],
    accept: (event, picked) => (picked === "skip" ? ok(null) : event.type === "text" ? parseComment(event.text) : fail("error-need-text")),
  });
  return answer;
}

/** A required comment (why it is not solved). */
function askComment(d: Dialog, prompt: Label): Promise<string> {
  return d.text(prompt, parseComment);
}

function parseComment(text: string): Parse<string> {
  const r = cleanText(text, { max: COMMENT_MAX, multiline: true });
  return r.ok ? ok(r.value) : fail({ key: `problem-comment-${r.reason}`, args: { max: COMMENT_MAX } });
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** A report's answers, one per line, for the summary. */
function draftLines(t: Translate, draft: ProblemDraft): string {
  const lines = [
    t("problem-line-category", { category: rich(t(`problem-cat-${draft.category}`)) }),
    t("problem-line-title", { title: draft.title }),
    t("problem-line-description", { description: truncate(draft.description, SUMMARY_DESCRIPTION_MAX) }),
    t("problem-line-files", { count: draft.files.length }),
    t(draft.anonymous ? "problem-line-anonymous" : "problem-line-named"),
  ];
  return lines.join("\n");
}

/** One problem as a line of a list. */
function summaryLine(t: Translate, p: ProblemSummary): string {
  return t("problem-list-line", {
    ref: p.ref,
    title: truncate(p.title, 60),
    status: rich(t(`problem-status-${p.status}`)),
    date: localDate(new Date(p.createdAt)),
    joined: p.joined ? "yes" : "no",
  });
}

/** A button naming a problem by its reference and title (labels are plain text: escaped for the renderer). */
const problemButton = (p: ProblemSummary): Label => () => escapeHtml(`${p.ref} · ${truncate(p.title, 40)}`);

/** One timeline entry, or null for one a member never sees (notes). */
function entryText(t: Translate, e: TimelineEntry, joined = false): string | null {
  if (e.kind === "note") return null;
  const at = localDateTime(new Date(e.at));
  const head =
    e.kind === "staff"
      ? t("problem-entry-staff", { at, author: e.author ?? "—" })
      : e.kind === "status"
        ? t("problem-entry-status", { at, status: rich(e.status ? t(`problem-status-${e.status}`) : "—") })
        : // A joined enterprise sees only its own joining (service.ts viewOf): told as its own.
          t(e.kind === "joined" && joined ? "problem-entry-joined-own" : `problem-entry-${e.kind}`, { at });
  const body = e.text ? escapeHtml(truncate(e.text, ENTRY_MAX)) : "";
  const files = e.files.length ? t("problem-entry-files", { count: e.files.length }) : "";
  return [head, body, files].filter(Boolean).join("\n");
}

/** A problem and the newest part of its timeline that fits in one message, with a note of what is left out. */
export function problemText(t: Translate, p: ProblemDetail, timeline: TimelineEntry[]): string {
  const head = t("problem-view-head", {
    ref: p.ref,
    title: p.title,
    category: rich(t(`problem-cat-${p.category}`)),
    status: rich(t(`problem-status-${p.status}`)),
    affected: p.affected,
    date: localDateTime(new Date(p.createdAt)),
  });
  const entries = timeline.map((e) => entryText(t, e, p.joined === true)).filter((e): e is string => e !== null);
  const shown: string[] = [];
  let used = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const size = entries[i]!.length + 2;
    if (shown.length && used + size > TIMELINE_BUDGET) break;
    shown.unshift(entries[i]!);
    used += size;
  }
  const omitted = entries.length - shown.length;
  return [head, ...(omitted ? [t("problem-view-earlier", { count: omitted })] : []), ...shown].join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Screens

/**
 * Shows problem `id` to the member (refused as not found when it is not theirs to see), with
 * "Write to staff" and a way back. Returns "back" for the way back, or how the flow ends.
 */
async function showProblem(d: Dialog, id: number, back: "list" | "menu"): Promise<"back" | FlowExit | void> {
  const opened = await d.act("open", async (turn) => {
    const r = await openProblem(turn.unit, id);
    return r.ok ? { ok: true as const, problem: r.problem, timeline: r.timeline.filter((e) => e.kind !== "note") } : { ok: false as const, reason: r.reason };
  });
  if (!opened.ok) {
    await d.say(refusalKey(opened.reason));
    return back === "list" ? "back" : undefined;
  }
  const { problem, timeline } = opened;
  const pick = await d.choice(
    (t) => problemText(t, problem, timeline),
    [
      // A closed problem takes no more messages (addMemberMessage): report it again instead.
      ...(problem.status === "closed" ? [] : [[{ id: "write", label: "problem-write-button" }]]),
      [{ id: "back", label: back === "list" ? "problem-back-list" : "problem-my-button" }],
    ],
    { settled: true },
  );
  if (pick === "back") return back === "list" ? "back" : { next: "myproblems" };
  return startWriting(d, id);
}

/** "Write to staff" on problem `id`: the chat is focused on it, and nothing waits in it any more. */
async function startWriting(d: Dialog, id: number): Promise<FlowExit | void> {
  const focused = await d.act("write", async (turn) => {
    const r = await writeToStaff(turn.unit, turn.inbound, id);
    return r.ok ? { ok: true as const, ref: r.ref } : { ok: false as const, reason: r.reason };
  });
  if (!focused.ok) return void (await d.say(refusalKey(focused.reason)));
  await d.say({ key: "problem-write-intro", args: { ref: focused.ref } });
  // Nothing waits: what the member writes now goes to staff (relay.ts routes it before any dialog).
  return { end: true };
}

/** `/problem QT-2026-0042` typed by a member: theirs to see, or refused as not found (the service audits). */
async function openByRef(d: Dialog, ref: string): Promise<FlowExit | void> {
  const id = await d.act("by-ref", (turn) => problemIdByRef(turn.unit, ref));
  if (id === null) return void (await d.say("problem-not-found"));
  const shown = await showProblem(d, id, "menu");
  return shown === "back" ? undefined : shown;
}

// ---------------------------------------------------------------------------------------------
// Flows

/**
 * "Report a problem" (menu, `/problem`): with a reference typed after it (`args.text`), opens that
 * problem instead; staff are handed to the staff view (flow "staff-problem", branch `lists`).
 */
export const reportFlow: FlowDef<{ text?: string } & { [k: string]: Json }> = {
  name: "problem",
  version: 1,
  title: "flow-problem",
  cancel: { asks: true, cancelled: "problem-cancelled" },
  async run(d, args): Promise<FlowExit | void> {
    const typed = typeof args.text === "string" ? args.text.trim() : "";
    if (typed) {
      if (await d.act("staff", (turn) => isStaff(turn.unit))) return { next: "staff-problem", args: { ref: typed } };
      return openByRef(d, typed);
    }
    const denied = await whyNoAccess(d);
    if (denied) return refuseAccess(d, denied);

    await d.say("problem-intro");
    const category = await askCategory(d);
    const title = await askTitle(d);
    const texts: string[] = [];
    const files: AttachedFile[] = [];
    await collect(d, "description", texts, files);
    await collect(d, "files", texts, files, files.length ? { key: "problem-ask-more-files", args: { count: files.length, max: FILES_PER_MESSAGE } } : undefined);
    const draft: ProblemDraft = { category, title, description: texts.join("\n\n"), files, anonymous: await askAnonymity(d) };

    // Before the summary: open problems of the same category that look like this one.
    const similar = await d.act("similar", (turn) => similarOpenProblems(turn.unit, draft, 3));
    if (similar.length) {
      const pick = await d.choice(
        (t) => t("problem-similar", { count: similar.length, list: rich(similar.map((s) => t("problem-similar-line", { ref: s.ref, title: s.title, affected: s.affected })).join("\n")) }),
        [...similar.map((s): Option[] => [{ id: `j${s.id}`, label: { key: "problem-similar-same", args: { ref: s.ref } } }]), [{ id: "different", label: "problem-similar-different" }]],
      );
      const chosen = similar.find((s) => `j${s.id}` === pick);
      if (chosen) {
        const comment = await askOptionalComment(d, { key: "problem-join-comment", args: { ref: chosen.ref } });
        const joined = await d.act("join", (turn) => joinProblem(turn.unit, chosen.id, comment));
        if (joined.ok) return void (await d.say({ key: "problem-joined", args: { ref: joined.ref } }));
        await d.say(refusalKey(joined.reason));
        if (joined.reason === "problem-not-member") return;
        // Closed meanwhile: the member's own report goes on.
      }
    }

    for (;;) {
      const action = await d.choice(
        (t) => t("problem-summary", { details: rich(draftLines(t, draft)) }),
        [
          [{ id: "send", label: "problem-send-button" }],
          [
            { id: "category", label: "problem-edit-category" },
            { id: "title", label: "problem-edit-title" },
          ],
          [
            { id: "description", label: "problem-edit-description" },
            { id: "files", label: "problem-edit-files" },
          ],
          [
            { id: "anonymity", label: "problem-edit-anonymity" },
            { id: "cancel", label: "button-cancel" },
          ],
        ],
      );
      switch (action) {
        case "category":
          draft.category = (await d.orBack(() => askCategory(d))) ?? draft.category;
          break;
        case "title":
          draft.title = (await d.orBack(() => askTitle(d))) ?? draft.title;
          break;
        case "anonymity":
          draft.anonymous = (await d.orBack(() => askAnonymity(d))) ?? draft.anonymous;
          break;
        case "description": {
          // Written again from scratch; files sent meanwhile are added to those kept.
          const newTexts: string[] = [];
          const newFiles = [...draft.files];
          if (await d.orBack(() => collect(d, "description", newTexts, newFiles, "problem-ask-description-again").then(() => true))) {
            draft.description = newTexts.join("\n\n");
            draft.files = newFiles;
          }
          break;
        }
        case "files": {
          // Chosen again from none; text sent meanwhile is added to the description.
          const newTexts = [draft.description];
          const newFiles: AttachedFile[] = [];
          if (await d.orBack(() => collect(d, "files", newTexts, newFiles, { key: "problem-ask-files-again", args: { max: FILES_PER_MESSAGE } }).then(() => true))) {
            draft.description = newTexts.join("\n\n");
            draft.files = newFiles;
          }
          break;
        }
        case "cancel":
          return void (await d.say("problem-cancelled"));
        case "send": {
          const sent = await d.act("submit", (turn) => submitProblem(turn.unit, draft));
          // Told only now: the reference is committed with this turn.
          if (sent.ok) return void (await d.say({ key: "problem-submitted", args: { ref: sent.ref } }));
          return void (await d.say(refusalKey(sent.reason)));
        }
      }
    }
  },
};

/** "My problems": the enterprise's problems and those it joined, newest first, paged; one opens with its timeline. */
export const myProblemsFlow: FlowDef<{ page?: number } & { [k: string]: Json }> = {
  name: "myproblems",
  version: 2,
  title: "flow-myproblems",
  async run(d, args): Promise<FlowExit | void> {
    // Someone who is not (yet) a member of an enterprise is told why, as the report tells them:
    // "your enterprise has no problems" would be untrue for a pending employee of one that has.
    const why = await whyNoAccess(d);
    if (why) return refuseAccess(d, why);
    let page = typeof args.page === "number" && Number.isInteger(args.page) && args.page >= 0 ? args.page : 0;
    for (;;) {
      const list = await d.act("list", async (turn) => {
        const first = await memberProblems(turn.unit, page, MY_PAGE);
        const pages = Math.max(1, Math.ceil(first.total / MY_PAGE));
        // The list shrank since (a page number from an older screen): its last page.
        return page < pages ? { ...first, page } : { ...(await memberProblems(turn.unit, pages - 1, MY_PAGE)), page: pages - 1 };
      });
      page = list.page;
      if (list.total === 0) {
        const none = await d.choice("problem-my-none", [[{ id: "report", label: "menu-problem" }], [{ id: "menu", label: "problem-back-menu" }]], { settled: true });
        return none === "report" ? { next: "problem" } : undefined;
      }
      const pages = Math.ceil(list.total / MY_PAGE);
      const nav: Option[] = [
        ...(page > 0 ? [{ id: "prev", label: "problem-page-prev" }] : []),
        ...(page < pages - 1 ? [{ id: "next", label: "problem-page-next" }] : []),
      ];
      const pick = await d.choice(
        (t) => t("problem-my-list", { total: list.total, page: page + 1, pages, list: rich(list.items.map((p) => summaryLine(t, p)).join("\n\n")) }),
        [...list.items.map((p): Option[] => [{ id: `o${p.id}`, label: problemButton(p) }]), ...(nav.length ? [nav] : []), [{ id: "menu", label: "problem-back-menu" }]],
        { settled: true },
      );
      if (pick === "menu") return;
      if (pick === "prev") page--;
      else if (pick === "next") page++;
      else {
        const shown = await showProblem(d, Number(pick.slice(1)), "list");
        if (shown !== "back") return shown;
      }
    }
  },
};

/** One problem opened from a notice's button ("pm:open:<id>"). */
export const problemViewFlow: FlowDef<{ id: number }> = {
  name: "problem-view",
  version: 1,
  title: "flow-myproblems",
  async run(d, args): Promise<FlowExit | void> {
    const shown = await showProblem(d, args.id, "menu");
    return shown === "back" ? undefined : shown;
  },
};

/** "Write to staff" pressed under a notice ("pm:write:<id>"). */
export const problemWriteFlow: FlowDef<{ id: number }> = {
  name: "problem-write",
  version: 1,
  title: "flow-myproblems",
  run: (d, args) => startWriting(d, args.id),
};

/** "Not solved" pressed: the member says why (required), and the problem is reopened for staff. */
export const unsolvedFlow: FlowDef<{ id: number; ref: string; revision: number }> = {
  name: "problem-unsolved",
  version: 1,
  title: "flow-problem-unsolved",
  async run(d, args): Promise<void> {
    const comment = await askComment(d, { key: "problem-unsolved-ask", args: { ref: args.ref } });
    const r = await d.act("unsolved", (turn) => confirmSolved(turn.unit, args.id, false, comment, { revision: args.revision }));
    // Answered meanwhile (another device, or staff changed it): the question no longer stands.
    await d.say(r.ok ? { key: "problem-unsolved-done", args: { ref: args.ref } } : r.reason === "problem-outdated" || r.reason === "problem-bad-transition" ? "problem-solved-outdated" : refusalKey(r.reason));
  },
};

export const MEMBER_FLOWS: FlowDef<never>[] = [reportFlow, myProblemsFlow, problemViewFlow, problemWriteFlow, unsolvedFlow] as FlowDef<never>[];
