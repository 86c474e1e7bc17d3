/**
 * Industry problems (issue 7): the services every channel, flow, job and (later) HTTP handler
 * calls. Each takes the unit of work (its transaction, clock, actor and outbox), checks permission
 * itself (permissions.ts; the actor's role is read fresh), writes the audit log for staff actions
 * and refusals, and queues what must be told (the staff thread, the member's notice) in the same
 * transaction. Flows never touch the database: they call these through `d.act`.
 *
 * Views are plain JSON (dates as ISO strings) so flows can record them.
 *
 * SKELETON: the signatures are the contract between the helpers building issue 7; the `problems`
 * branch implements them. Other branches call them and do not change them (ask the coordinator).
 */
import type { Unit } from "../unit.ts";
import type { Category } from "./categories.ts";
import type { ProblemStatus } from "./status.ts";

/** A file attached to a problem message: a StoredFile row and the name the sender gave. */
export interface AttachedFile {
  fileId: number;
  name: string | null;
  kind: "photo" | "document";
}

/** What a member reports (the report flow's answers). */
export interface ProblemDraft {
  category: Category;
  /** One line, cleaned (text.ts cleanText), at most TITLE_MAX characters. */
  title: string;
  /** The description's messages joined with blank lines, at most DESCRIPTION_MAX characters. */
  description: string;
  files: AttachedFile[];
  /** True: the association must not name the enterprise outside the association. */
  anonymous: boolean;
}

export const TITLE_MAX = 120;
export const DESCRIPTION_MAX = 4000;
/** At most this many files per problem message (issue 7 "Files"). */
export const FILES_PER_MESSAGE = 10;

/** A problem in a list. */
export interface ProblemSummary {
  id: number;
  ref: string;
  title: string;
  category: Category;
  status: ProblemStatus;
  /** Enterprises affected: the reporter's and those that joined. */
  affected: number;
  createdAt: string;
  /** For a member: their enterprise joined it rather than reported it. */
  joined?: boolean;
}

/** One problem in full, as its audience may see it. */
export interface ProblemDetail extends ProblemSummary {
  description: string;
  anonymous: boolean;
  forwardedTo: string | null;
  /** Staff's view only: who took it. */
  assignee: { personId: number; name: string | null } | null;
  /** Staff's view only (a member sees their own): the reporting enterprise. */
  enterprise: { id: number; name: string; region: string; sector: string } | null;
  /** Incremented by every change; staff buttons carry it (an outdated post is refused). */
  revision: number;
  updatedAt: string;
  firstReplyAt: string | null;
  resolvedAt: string | null;
}

/** One timeline entry. Members never get `note` entries. */
export interface TimelineEntry {
  id: number;
  at: string;
  kind: "report" | "member" | "staff" | "status" | "note" | "joined";
  text: string | null;
  status: ProblemStatus | null;
  fromStatus: ProblemStatus | null;
  /** Staff's name for staff entries (staff view and member view); never a member's typed name in a member view of another enterprise. */
  author: string | null;
  files: AttachedFile[];
}

/** Why a service refused: each is also a locale key the caller answers with. */
export type ProblemRefusal =
  | "problem-not-found" // no such problem, or not this person's to see (audited)
  | "problem-not-member" // the actor has no approved enterprise
  | "problem-outdated" // the post or button is older than the problem's last change
  | "problem-bad-transition" // that status cannot follow the current one
  | "problem-not-open" // joining or writing to a closed problem
  | "error-not-allowed"; // not staff (audited)

export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; reason: ProblemRefusal };

const todo = (): never => {
  throw new Error("not implemented yet (branch problems)");
};

/** Whether the unit's actor may report: an active member of an approved (active) enterprise. */
export async function reportAccess(_unit: Unit): Promise<Outcome<{ enterpriseId: number }>> {
  return todo();
}

/**
 * Up to `limit` (3) open problems of `draft.category` that look like the draft (MiniSearch: fuzzy,
 * prefix, Cyrillic-aware), best first; the actor's own enterprise's problems are left out.
 */
export async function similarOpenProblems(_unit: Unit, _draft: Pick<ProblemDraft, "category" | "title" | "description">, _limit = 3): Promise<ProblemSummary[]> {
  return todo();
}

/**
 * Files the report: the reference (QT-<year>-<seq, 4 digits>, per-year counter), the problem, its
 * first timeline entry with the files, the staff post (the thread), the audit line. All in the
 * unit's transaction, so the reference is committed before anyone is told it.
 */
export async function submitProblem(_unit: Unit, _draft: ProblemDraft): Promise<Outcome<{ id: number; ref: string }>> {
  return todo();
}

/** The actor's enterprise joins an open problem as affected ("the same as mine"), with an optional comment that goes to staff. Idempotent. */
export async function joinProblem(_unit: Unit, _problemId: number, _comment: string | null): Promise<Outcome<{ ref: string }>> {
  return todo();
}

/** The actor's enterprise's problems and those it joined, newest first: a page of `size`. */
export async function memberProblems(_unit: Unit, _page: number, _size: number): Promise<{ items: ProblemSummary[]; total: number }> {
  return todo();
}

/**
 * A problem and its timeline as the actor may see it: staff see everything (notes included);
 * a member only their enterprise's problems and those it joined (without notes). A problem they
 * may not see is refused as not found and audited.
 */
export async function openProblem(_unit: Unit, _problemId: number): Promise<Outcome<{ problem: ProblemDetail; timeline: TimelineEntry[] }>> {
  return todo();
}

/** The id of the problem a typed reference names ("QT-2026-0042", case and spaces ignored), or null. */
export async function problemIdByRef(_unit: Unit, _ref: string): Promise<number | null> {
  return todo();
}

/** A member's message (text and/or files) on their problem: a timeline entry, relayed into the staff thread. */
export async function addMemberMessage(_unit: Unit, _problemId: number, _message: { text: string | null; files: AttachedFile[] }): Promise<Outcome> {
  return todo();
}

/** A staff reply (text and/or files): a timeline entry, sent to the member in their language; the first one sets firstReplyAt. */
export async function addStaffReply(_unit: Unit, _problemId: number, _message: { text: string | null; files: AttachedFile[] }): Promise<Outcome> {
  return todo();
}

/** An internal note: a timeline entry staff see, never members. */
export async function addNote(_unit: Unit, _problemId: number, _text: string): Promise<Outcome> {
  return todo();
}

/** Staff take the problem (assign to the actor); `revision` from the button. */
export async function takeProblem(_unit: Unit, _problemId: number, _revision: number): Promise<Outcome> {
  return todo();
}

/**
 * Staff change the status (STAFF_TRANSITIONS), with `comment` for the member (required for
 * declined) and `forwardedTo` for forwarded. One timeline entry; the member is told in their
 * language; `resolved` asks them "is it really solved?" and schedules the 14-day auto-close.
 */
export async function changeStatus(
  _unit: Unit,
  _problemId: number,
  _revision: number,
  _to: ProblemStatus,
  _opts: { comment?: string | null; forwardedTo?: string | null },
): Promise<Outcome> {
  return todo();
}

/** The member's answer to "is it really solved?": yes closes it, no reopens it with `comment` and tells staff. */
export async function confirmSolved(_unit: Unit, _problemId: number, _solved: boolean, _comment: string | null): Promise<Outcome> {
  return todo();
}

/** Filters of the staff list (/problems). */
export interface ProblemFilter {
  status?: ProblemStatus | "open";
  category?: Category;
  region?: string;
  /** A staff person id, or "me" / "none". */
  assignee?: number | "none";
  /** Only problems without any staff reply yet. */
  unanswered?: boolean;
}

/** The staff list: a page of `size`, newest first. */
export async function listProblems(_unit: Unit, _filter: ProblemFilter, _page: number, _size: number): Promise<Outcome<{ items: ProblemSummary[]; total: number }>> {
  return todo();
}

/** /stats: counts by category, status and region; median hours to the first staff reply and to resolution; the most-joined open problems. */
export interface ProblemStats {
  byCategory: Record<string, number>;
  byStatus: Record<string, number>;
  byRegion: Record<string, number>;
  medianFirstReplyHours: number | null;
  medianResolutionHours: number | null;
  mostJoined: ProblemSummary[];
}

export async function problemStats(_unit: Unit): Promise<Outcome<{ stats: ProblemStats }>> {
  return todo();
}

/**
 * The CSV export (csv-stringify; UTF-8 with BOM, `;`-separated for Excel in ru/kk locales): one
 * row per problem. `forGovernment` leaves the enterprise's name out where the member chose
 * anonymity. Returns the stored file (core/files) to send.
 */
export async function exportProblemsCsv(_unit: Unit, _opts: { forGovernment: boolean }): Promise<Outcome<{ fileId: number; name: string; rows: number }>> {
  return todo();
}
