/**
 * Industry problems (issue 7): the services every channel, flow, job and (later) HTTP handler
 * calls. Each takes the unit of work (its transaction, clock, actor and outbox), checks permission
 * itself (permissions.ts; the actor's role is read fresh), writes the audit log for staff actions
 * and refusals, and queues what must be told (the staff thread, the member's notice) in the same
 * transaction. Flows never touch the database: they call these through `d.act`.
 *
 * Views are plain JSON (dates as ISO strings) so flows can record them.
 *
 * The signatures are the contract between the helpers building issue 7: other branches call them
 * and do not change them. The implementation is split: data.ts (database), notify.ts (what members
 * are told), search.ts (similar problems), report.ts (lists, stats, CSV), jobs.ts (auto-close,
 * digest), thread-hooks.ts (the staff thread, branch `thread`).
 *
 * Revision: `Problem.revision` is incremented by every change of what the staff post and the
 * member's "is it solved?" buttons show: a status change, taking it, an enterprise joining.
 * Messages, staff replies and notes are timeline entries that do not outdate those buttons.
 */
import type { Unit } from "../unit.ts";
import { isCategory, type Category } from "./categories.ts";
import { canChangeStatus, isProblemStatus, OPEN_STATUSES, type ProblemStatus } from "./status.ts";
import { enforce, may, recordRefusal, subjectOf, type Permission } from "../permissions.ts";
import { audit } from "../people.ts";
import { myMembership } from "../members/membership.ts";
import { codePointLength } from "../text.ts";
import {
  activePeopleOf,
  addEntry,
  affectedCounts,
  almatyYear,
  entriesOf,
  enterprisesOf,
  formatRef,
  lockProblem,
  namesOf,
  nextSeq,
  parseRef,
  problemById,
  type ProblemRow,
} from "./data.ts";
import { notifyStaffReply, notifyStatus, AUTOCLOSE_JOB, AUTOCLOSE_DAYS } from "./notify.ts";
import { threadHooks } from "./thread-hooks.ts";

/** The "is it really solved?" buttons' data (pm:solved:<id>:<revision36>:y|n) and its strict parser: see notify.ts. */
export { solvedButton, parseSolvedButton, AUTOCLOSE_DAYS } from "./notify.ts";
import { findSimilar } from "./search.ts";
import { csvExport, problemList, statsOf } from "./report.ts";

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
/**
 * A thread message (a member's message, a staff reply) is at most this many code points. It is
 * kept whole and delivered split where a platform's message is shorter (the adapters split long
 * texts). Longer than anything Telegram lets a person send (4,096 per message, 1,024 per caption),
 * so a message from Telegram is never refused; a longer one (console, WhatsApp) is refused with
 * "problem-message-too-long" (args: max), never cut.
 */
export const MESSAGE_MAX = 16_000;
/** Where a problem was forwarded to (typed by staff), at most this many code points. */
export const FORWARDED_MAX = 200;
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
  /**
   * Staff's view only: who reported it, with the contact they gave (null once they erased their
   * data, or for a member's view).
   */
  reporter?: { personId: number; name: string | null; phone: string | null } | null;
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
  | "problem-comment-needed" // declined without a reason for the member
  | "problem-forwarded-needed" // forwarded without naming to whom
  | "problem-message-too-long" // a thread message over MESSAGE_MAX (its locale text takes `max`)
  | "error-not-allowed"; // not staff (audited)

export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; reason: ProblemRefusal };

// ---------------------------------------------------------------------------------------------
// Who acts, and what they may see.

/** The actor's membership as permissions.ts needs it; null for none (or nobody acting). */
async function memberFacts(unit: Unit): Promise<{ enterpriseId: number; status: string; enterpriseStatus: string } | null> {
  const m = await myMembership(unit);
  return m ? { enterpriseId: m.enterprise.id, status: m.status, enterpriseStatus: m.enterprise.status } : null;
}

const subjectTag = (id: number): string => `problem:${id}`;

/**
 * The problem, if the actor may see it (`problem.view`); otherwise (no such problem, or another
 * enterprise's) a refusal as not found, audited as `action`. `owners`: only the reporting
 * enterprise counts (not those that joined).
 */
async function visibleProblem(unit: Unit, problemId: number, action: string, opts: { lock?: boolean; owners?: boolean } = {}): Promise<{ ok: true; problem: ProblemRow; staff: boolean; enterpriseId: number | null } | { ok: false; reason: ProblemRefusal }> {
  if (opts.lock && Number.isSafeInteger(problemId) && problemId > 0) await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  const subject = await subjectOf(unit.tx, unit.actor?.personId);
  const membership = await memberFacts(unit);
  const enterprises = problem ? (opts.owners ? [problem.enterpriseId] : await enterprisesOf(unit.tx, problem)) : [];
  const verdict = may(subject, { action: "problem.view", problem: { enterprises }, membership });
  if (!problem || !verdict.ok) {
    await recordRefusal(unit, action, subjectTag(problemId));
    return { ok: false, reason: "problem-not-found" };
  }
  const staff = may(subject, { action: "problem.staff" }).ok;
  return { ok: true, problem, staff, enterpriseId: membership?.enterpriseId ?? null };
}

/** Staff only (`problem.staff`): a refusal is audited as `action` and answered "not allowed". */
async function staffOnly(unit: Unit, action: string, problemId?: number): Promise<boolean> {
  const p: Permission = { action: "problem.staff" };
  return (await enforce(unit, p, action, problemId === undefined ? undefined : subjectTag(problemId))).ok;
}

/** An audit line for a staff action that was done (no personal data in `detail`). */
async function audited(unit: Unit, action: string, problemId: number | null, detail?: string): Promise<void> {
  await audit(
    unit.tx,
    { actorId: unit.actor?.personId ?? null, actorRef: unit.actorRef, action, ...(problemId !== null ? { subject: subjectTag(problemId) } : {}), outcome: "ok", ...(detail ? { detail } : {}) },
    unit.now,
  );
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function summaryOf(p: ProblemRow, affected: number, joined?: boolean): ProblemSummary {
  return {
    id: p.id,
    ref: p.ref,
    title: p.title,
    category: (isCategory(p.category) ? p.category : "other") as Category,
    status: (isProblemStatus(p.status) ? p.status : "new") as ProblemStatus,
    affected,
    createdAt: p.createdAt.toISOString(),
    ...(joined !== undefined ? { joined } : {}),
  };
}

/**
 * Clips text to `max` code points, the measure the flows check with (text.ts cleanText), so that
 * this last guard never cuts what a flow accepted (an emoji is one code point but two UTF-16 units).
 */
function clip(text: string, max: number): string {
  if (codePointLength(text) <= max) return text;
  return Array.from(text).slice(0, max).join("");
}

/** A thread message's text, trimmed; null when empty; "too-long" over MESSAGE_MAX (refused, never cut). */
function messageText(text: string | null): string | null | "too-long" {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  return codePointLength(trimmed) > MESSAGE_MAX ? "too-long" : trimmed;
}

const cleanFiles = (files: AttachedFile[] | undefined): AttachedFile[] =>
  (files ?? []).filter((f) => Number.isSafeInteger(f.fileId) && f.fileId > 0).map((f) => ({ fileId: f.fileId, name: f.name ?? null, kind: f.kind === "photo" ? "photo" : "document" }));

// ---------------------------------------------------------------------------------------------
// Members.

/** Whether the unit's actor may report: an active member of an approved (active) enterprise. */
export async function reportAccess(unit: Unit): Promise<Outcome<{ enterpriseId: number }>> {
  const membership = await memberFacts(unit);
  const verdict = may(await subjectOf(unit.tx, unit.actor?.personId), { action: "problem.report", membership });
  return verdict.ok && membership ? { ok: true, enterpriseId: membership.enterpriseId } : { ok: false, reason: "problem-not-member" };
}

/**
 * Up to `limit` (3) open problems of `draft.category` that look like the draft (MiniSearch: fuzzy,
 * prefix, Cyrillic-aware), best first; the actor's own enterprise's problems and those it already
 * joined are left out. Empty for someone who may not report.
 */
export async function similarOpenProblems(unit: Unit, draft: Pick<ProblemDraft, "category" | "title" | "description">, limit = 3): Promise<ProblemSummary[]> {
  const access = await reportAccess(unit);
  if (!access.ok) return [];
  const found = await findSimilar(unit.tx, { ...draft, excludeEnterprise: access.enterpriseId, limit });
  const counts = await affectedCounts(unit.tx, found.map((p) => p.id));
  return found.map((p) => summaryOf(p, counts.get(p.id) ?? 1));
}

/**
 * Files the report: the reference (QT-<year>-<seq, 4 digits>, per-year counter), the problem, its
 * first timeline entry with the files, the staff post (the thread), the audit line. All in the
 * unit's transaction, so the reference is committed before anyone is told it.
 */
export async function submitProblem(unit: Unit, draft: ProblemDraft): Promise<Outcome<{ id: number; ref: string }>> {
  const membership = await memberFacts(unit);
  const verdict = await enforce(unit, { action: "problem.report", membership }, "problem.submit");
  if (!verdict.ok || !membership || !unit.actor) return { ok: false, reason: "problem-not-member" };
  const year = almatyYear(unit.now);
  const seq = await nextSeq(unit.tx, year);
  const ref = formatRef(year, seq);
  const description = clip(draft.description, DESCRIPTION_MAX);
  const problem = await unit.tx.problem.create({
    data: {
      ref,
      year,
      seq,
      enterpriseId: membership.enterpriseId,
      reporterId: unit.actor.personId,
      category: isCategory(draft.category) ? draft.category : "other",
      title: clip(draft.title, TITLE_MAX),
      description,
      anonymous: !!draft.anonymous,
      status: "new",
      createdAt: unit.now,
    },
    select: { id: true },
  });
  await addEntry(unit.tx, { problemId: problem.id, at: unit.now, kind: "report", authorId: unit.actor.personId, text: description, files: cleanFiles(draft.files) });
  await audited(unit, "problem.submit", problem.id);
  await threadHooks.postProblem(unit, problem.id);
  return { ok: true, id: problem.id, ref };
}

/** The actor's enterprise joins an open problem as affected ("the same as mine"), with an optional comment that goes to staff. Idempotent. */
export async function joinProblem(unit: Unit, problemId: number, comment: string | null): Promise<Outcome<{ ref: string }>> {
  const access = await reportAccess(unit);
  if (!access.ok || !unit.actor) {
    await recordRefusal(unit, "problem.join", subjectTag(problemId));
    return access.ok ? { ok: false, reason: "problem-not-member" } : access;
  }
  await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  if (!problem) {
    await recordRefusal(unit, "problem.join", subjectTag(problemId));
    return { ok: false, reason: "problem-not-found" };
  }
  // Already theirs (reported or joined): nothing changes.
  if (problem.enterpriseId === access.enterpriseId) return { ok: true, ref: problem.ref };
  const already = await unit.tx.problemAffected.findUnique({ where: { problemId_enterpriseId: { problemId, enterpriseId: access.enterpriseId } } });
  if (already) return { ok: true, ref: problem.ref };
  if (!OPEN_STATUSES.includes(problem.status as ProblemStatus)) return { ok: false, reason: "problem-not-open" };
  await unit.tx.problemAffected.create({ data: { problemId, enterpriseId: access.enterpriseId, personId: unit.actor.personId, joinedAt: unit.now } });
  await unit.tx.problem.update({ where: { id: problemId }, data: { revision: { increment: 1 } } });
  const text = comment?.trim() ? clip(comment.trim(), DESCRIPTION_MAX) : null;
  const entryId = await addEntry(unit.tx, { problemId, at: unit.now, kind: "joined", authorId: unit.actor.personId, enterpriseId: access.enterpriseId, text });
  await audited(unit, "problem.join", problemId);
  await threadHooks.relayToStaff(unit, problemId, entryId);
  await threadHooks.problemChanged(unit, problemId);
  return { ok: true, ref: problem.ref };
}

/** The actor's enterprise's problems and those it joined, newest first: a page of `size` (pages from 0). */
export async function memberProblems(unit: Unit, page: number, size: number): Promise<{ items: ProblemSummary[]; total: number }> {
  const membership = await memberFacts(unit);
  const verdict = may(await subjectOf(unit.tx, unit.actor?.personId), { action: "problem.report", membership });
  if (!verdict.ok || !membership) return { items: [], total: 0 };
  const e = membership.enterpriseId;
  const where = { OR: [{ enterpriseId: e }, { affected: { some: { enterpriseId: e } } }] };
  const take = Math.max(1, Math.min(100, Math.floor(size) || 1));
  const skip = Math.max(0, Math.floor(page) || 0) * take;
  const [total, rows] = await Promise.all([
    unit.tx.problem.count({ where }),
    unit.tx.problem.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip, take }),
  ]);
  const counts = await affectedCounts(unit.tx, rows.map((r) => r.id));
  return { items: rows.map((r) => summaryOf(r, counts.get(r.id) ?? 1, r.enterpriseId !== e)), total };
}

/**
 * A problem and its timeline as the actor may see it: staff see everything (notes included);
 * a member only their enterprise's problems and those it joined (without notes). A problem they
 * may not see is refused as not found and audited. A member of an enterprise that joined sees the
 * report, status changes and their own enterprise's entries, not the reporting enterprise's
 * conversation with staff, nor who reported it; the reporting enterprise sees that another
 * joined, not what it wrote (its comment, its messages).
 */
export async function openProblem(unit: Unit, problemId: number): Promise<Outcome<{ problem: ProblemDetail; timeline: TimelineEntry[] }>> {
  const seen = await visibleProblem(unit, problemId, "problem.view");
  if (!seen.ok) return seen;
  return { ok: true, ...(await viewOf(unit, seen.problem, seen.staff, seen.enterpriseId)) };
}

/**
 * The problem as staff see it (notes, the reporter's contact, the enterprise), whoever acts: for
 * what the bot itself shows staff (the staff post of the thread, rendered in a member's unit when
 * they report). No permission check and no audit: never show it to the unit's actor. Null for no
 * such problem.
 */
export async function staffView(unit: Unit, problemId: number): Promise<{ problem: ProblemDetail; timeline: TimelineEntry[] } | null> {
  const problem = await problemById(unit.tx, problemId);
  return problem ? viewOf(unit, problem, true, null) : null;
}

/** A problem and its timeline for staff (`staff`), or for a member of enterprise `enterpriseId`. */
async function viewOf(unit: Unit, problem: ProblemRow, staff: boolean, enterpriseId: number | null): Promise<{ problem: ProblemDetail; timeline: TimelineEntry[] }> {
  const seen = { enterpriseId };
  const own = staff || seen.enterpriseId === problem.enterpriseId;
  const entries = await entriesOf(unit.tx, problem.id);
  // Whose words a member sees: their own enterprise's people. Each enterprise's conversation with
  // the association is its own: a joined enterprise sees neither the reporting one's nor the
  // other way round (the reporting one sees that another joined, not what it wrote).
  const colleagues = new Set<number>();
  if (!staff && seen.enterpriseId !== null) {
    const people = await unit.tx.membership.findMany({ where: { enterpriseId: seen.enterpriseId }, select: { personId: true } });
    for (const p of people) colleagues.add(p.personId);
  }
  const outsiders = new Set<number>();
  if (!staff && own) {
    const joined = await unit.tx.problemAffected.findMany({ where: { problemId: problem.id }, select: { enterpriseId: true } });
    const people = await unit.tx.membership.findMany({ where: { enterpriseId: { in: joined.map((j) => j.enterpriseId) } }, select: { personId: true } });
    for (const p of people) if (!colleagues.has(p.personId)) outsiders.add(p.personId);
  }
  const othersWords = (e: { kind: string; authorId: number | null }): boolean =>
    !staff && (e.kind === "member" || e.kind === "joined") && (own ? e.authorId !== null && outsiders.has(e.authorId) : !(e.authorId !== null && colleagues.has(e.authorId)));
  const visible = entries.filter((e) => {
    if (e.kind === "note") return staff;
    if (staff) return true;
    if (e.kind === "report" || e.kind === "status") return true;
    // A staff reply is its addressee's (rows from before enterpriseId: the reporting enterprise's).
    if (e.kind === "staff") return (e.enterpriseId ?? problem.enterpriseId) === seen.enterpriseId;
    // Another enterprise joining is shown (without its comment, below); its messages are not.
    if (e.kind === "joined") return own || !othersWords(e);
    if (own) return !othersWords(e);
    return e.kind === "member" && !othersWords(e);
  });
  const names = await namesOf(unit.tx, [...visible.map((e) => e.authorId), problem.assigneeId]);
  const staffIds = new Set(
    (await unit.tx.person.findMany({ where: { id: { in: [...names.keys()] }, role: { in: ["staff", "admin"] } }, select: { id: true } })).map((p) => p.id),
  );
  const timeline: TimelineEntry[] = visible.map((e) => {
    // A member's typed name is shown to staff and to their own enterprise only; the reporter of another enterprise stays unnamed.
    const named = e.authorId !== null && (staff || (own && !outsiders.has(e.authorId)) || staffIds.has(e.authorId) || colleagues.has(e.authorId));
    return {
      id: e.id,
      at: e.at.toISOString(),
      kind: e.kind as TimelineEntry["kind"],
      text: othersWords(e) ? null : e.text,
      status: isProblemStatus(e.status) ? e.status : null,
      fromStatus: isProblemStatus(e.fromStatus) ? e.fromStatus : null,
      author: named ? (names.get(e.authorId!) ?? null) : null,
      files: othersWords(e) ? [] : e.files,
    };
  });
  const counts = await affectedCounts(unit.tx, [problem.id]);
  const enterprise = own ? await unit.tx.enterprise.findUnique({ where: { id: problem.enterpriseId }, select: { id: true, name: true, region: true, sector: true } }) : null;
  const reporter =
    staff && problem.reporterId !== null
      ? await unit.tx.person.findUnique({ where: { id: problem.reporterId }, select: { id: true, name: true, phone: true } })
      : null;
  const detail: ProblemDetail = {
    ...summaryOf(problem, counts.get(problem.id) ?? 1, staff ? undefined : !own),
    description: problem.description,
    anonymous: problem.anonymous,
    forwardedTo: problem.forwardedTo,
    assignee: staff && problem.assigneeId !== null ? { personId: problem.assigneeId, name: names.get(problem.assigneeId) ?? null } : null,
    enterprise,
    reporter: reporter ? { personId: reporter.id, name: reporter.name, phone: reporter.phone } : null,
    revision: problem.revision,
    updatedAt: problem.updatedAt.toISOString(),
    firstReplyAt: iso(problem.firstReplyAt),
    resolvedAt: iso(problem.resolvedAt),
  };
  return { problem: detail, timeline };
}

/**
 * What a staff button or thread flow needs of a problem before it acts: its reference, status,
 * revision (the post's buttons name it) and assignee. Null for no such problem, or when the actor
 * is not staff (the role read fresh). Not audited: the caller checked and audited the press
 * (staff-buttons.ts authorize), and the service that acts checks again.
 */
export async function problemHeader(unit: Unit, problemId: number): Promise<{ ref: string; status: string; revision: number; assigneeId: number | null } | null> {
  if (!may(await subjectOf(unit.tx, unit.actor?.personId), { action: "problem.staff" }).ok) return null;
  if (!Number.isSafeInteger(problemId) || problemId <= 0) return null;
  return unit.tx.problem.findUnique({ where: { id: problemId }, select: { ref: true, status: true, revision: true, assigneeId: true } });
}

/** The id of the problem a typed reference names ("QT-2026-0042", case and spaces ignored), or null. */
export async function problemIdByRef(unit: Unit, ref: string): Promise<number | null> {
  const parsed = parseRef(ref);
  if (!parsed) return null;
  const row = await unit.tx.problem.findUnique({ where: { year_seq: { year: parsed.year, seq: parsed.seq } }, select: { id: true } });
  return row?.id ?? null;
}

/**
 * A member's message (text and/or files) on their problem: a timeline entry, relayed into the staff
 * thread. People of the reporting enterprise and of those that joined may write; not to a closed
 * problem ("problem-not-open"). The entry is the writer's enterprise's (a staff reply to it goes
 * back to that enterprise: addStaffReply `inReplyTo`).
 */
export async function addMemberMessage(unit: Unit, problemId: number, message: { text: string | null; files: AttachedFile[] }): Promise<Outcome> {
  const seen = await visibleProblem(unit, problemId, "problem.message", { lock: true });
  if (!seen.ok) return seen;
  if (seen.problem.status === "closed") return { ok: false, reason: "problem-not-open" };
  const text = messageText(message.text);
  if (text === "too-long") return { ok: false, reason: "problem-message-too-long" };
  const files = cleanFiles(message.files).slice(0, FILES_PER_MESSAGE);
  if (!text && !files.length) return { ok: true };
  const entryId = await addEntry(unit.tx, { problemId, at: unit.now, kind: "member", authorId: unit.actor?.personId ?? null, enterpriseId: seen.enterpriseId, text, files });
  await threadHooks.relayToStaff(unit, problemId, entryId);
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Staff.

/**
 * A staff reply (text and/or files): a timeline entry, sent to the member in their language, with
 * the files; the first one sets firstReplyAt. Audited. `unheard`: nobody of the enterprise can be
 * reached (the reply is kept all the same).
 *
 * Whom it is for: `opts.inReplyTo` (an entry id: the relayed member message or join staff replied
 * to) names a member entry of enterprise X: the reply is X's (its author if still an active person
 * of X, else X's active people; only X's members see it in their timeline). Each enterprise's
 * conversation with the association is its own: a reply to a joined enterprise's message never
 * reaches the reporting one. Otherwise (a reply to the post, a note, an unknown entry) it is the
 * reporting enterprise's: the reporter, or its people once the reporter is gone.
 */
export async function addStaffReply(
  unit: Unit,
  problemId: number,
  message: { text: string | null; files: AttachedFile[] },
  opts: { inReplyTo?: number } = {},
): Promise<Outcome<{ unheard?: true }>> {
  if (!(await staffOnly(unit, "problem.reply", problemId))) return { ok: false, reason: "error-not-allowed" };
  await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  if (!problem) return { ok: false, reason: "problem-not-found" };
  const text = messageText(message.text);
  if (text === "too-long") return { ok: false, reason: "problem-message-too-long" };
  const files = cleanFiles(message.files).slice(0, FILES_PER_MESSAGE);
  if (!text && !files.length) return { ok: true };
  const addressee = opts.inReplyTo !== undefined ? await addresseeOf(unit, problem, opts.inReplyTo) : null;
  const entryId = await addEntry(unit.tx, {
    problemId,
    at: unit.now,
    kind: "staff",
    authorId: unit.actor?.personId ?? null,
    enterpriseId: addressee?.enterpriseId ?? problem.enterpriseId,
    text,
    files,
  });
  if (!problem.firstReplyAt) await unit.tx.problem.update({ where: { id: problemId }, data: { firstReplyAt: unit.now } });
  await audited(unit, "problem.reply", problemId, `entry:${entryId}`);
  const recipients = await notifyStaffReply(unit, problem, text, files, addressee?.people);
  return recipients ? { ok: true } : { ok: true, unheard: true };
}

/**
 * The enterprise (and its people to tell) a staff reply to entry `entryId` is for: a member's
 * message or join of problem `problem` by an enterprise other than the reporting one, or by a
 * colleague of the reporter; a staff reply to a joined enterprise (its echo in the thread) names
 * that enterprise again. Null (the reporting enterprise's side, as for a reply to the post)
 * for any other entry. Rows from before `enterpriseId` was kept: the author's enterprise, when it
 * is one of the problem's.
 */
async function addresseeOf(unit: Unit, problem: ProblemRow, entryId: number): Promise<{ enterpriseId: number; people: number[] } | null> {
  if (!Number.isSafeInteger(entryId) || entryId <= 0) return null;
  const entry = await unit.tx.problemEntry.findUnique({ where: { id: entryId }, select: { problemId: true, kind: true, authorId: true, enterpriseId: true } });
  if (!entry || entry.problemId !== problem.id) return null;
  if (entry.kind === "staff") {
    // A reply to an earlier staff reply (its echo in the thread): the same enterprise, told as its
    // last message or join was (the author, else its people).
    if (entry.enterpriseId === null || entry.enterpriseId === problem.enterpriseId) return null;
    const last = await unit.tx.problemEntry.findFirst({
      where: { problemId: problem.id, enterpriseId: entry.enterpriseId, kind: { in: ["member", "joined"] } },
      orderBy: { id: "desc" },
      select: { authorId: true },
    });
    const active = await activePeopleOf(unit.tx, entry.enterpriseId);
    return { enterpriseId: entry.enterpriseId, people: last?.authorId != null && active.includes(last.authorId) ? [last.authorId] : active };
  }
  if (entry.kind !== "member" && entry.kind !== "joined") return null;
  let enterpriseId = entry.enterpriseId;
  if (enterpriseId === null && entry.authorId !== null) {
    const m = await unit.tx.membership.findFirst({ where: { personId: entry.authorId }, select: { enterpriseId: true } });
    if (m && (await enterprisesOf(unit.tx, problem)).includes(m.enterpriseId)) enterpriseId = m.enterpriseId;
  }
  if (enterpriseId === null) return null;
  const active = await activePeopleOf(unit.tx, enterpriseId);
  const people = entry.authorId !== null && active.includes(entry.authorId) ? [entry.authorId] : active;
  return { enterpriseId, people };
}

/** An internal note: a timeline entry staff see, never members, shown in the staff thread (the staff chat is internal). Audited. */
export async function addNote(unit: Unit, problemId: number, text: string): Promise<Outcome> {
  if (!(await staffOnly(unit, "problem.note", problemId))) return { ok: false, reason: "error-not-allowed" };
  await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  if (!problem) return { ok: false, reason: "problem-not-found" };
  const clean = text.trim();
  if (!clean) return { ok: true };
  const entryId = await addEntry(unit.tx, { problemId, at: unit.now, kind: "note", authorId: unit.actor?.personId ?? null, text: clip(clean, DESCRIPTION_MAX) });
  await audited(unit, "problem.note", problemId, `entry:${entryId}`);
  await threadHooks.relayToStaff(unit, problemId, entryId);
  return { ok: true };
}

/** Staff take the problem (assign to the actor); `revision` from the button ("problem-outdated" when it changed since). Audited. */
export async function takeProblem(unit: Unit, problemId: number, revision: number): Promise<Outcome> {
  if (!(await staffOnly(unit, "problem.take", problemId))) return { ok: false, reason: "error-not-allowed" };
  await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  if (!problem) return { ok: false, reason: "problem-not-found" };
  const me = unit.actor!.personId;
  // Taken by the actor already (a double tap): nothing to change, whatever the button showed.
  if (problem.assigneeId === me) return { ok: true };
  if (problem.revision !== revision) return { ok: false, reason: "problem-outdated" };
  await unit.tx.problem.update({ where: { id: problemId }, data: { assigneeId: me, revision: { increment: 1 } } });
  await audited(unit, "problem.take", problemId);
  await threadHooks.problemChanged(unit, problemId);
  return { ok: true };
}

/**
 * Staff change the status (STAFF_TRANSITIONS), with `comment` for the member (required for
 * declined) and `forwardedTo` for forwarded. One timeline entry (who, when, why: the comment, or
 * where it was forwarded to); the member (and the enterprises that joined) are told in their
 * language; `resolved` asks the reporter "is it really solved?" and schedules the 14-day
 * auto-close. Audited. `unheard`: nobody of the enterprises could be told (none reachable).
 */
export async function changeStatus(
  unit: Unit,
  problemId: number,
  revision: number,
  to: ProblemStatus,
  opts: { comment?: string | null; forwardedTo?: string | null },
): Promise<Outcome<{ unheard?: true }>> {
  if (!(await staffOnly(unit, "problem.status", problemId))) return { ok: false, reason: "error-not-allowed" };
  await lockProblem(unit.tx, problemId);
  const problem = await problemById(unit.tx, problemId);
  if (!problem) return { ok: false, reason: "problem-not-found" };
  if (problem.revision !== revision) return { ok: false, reason: "problem-outdated" };
  if (!canChangeStatus("staff", problem.status, to)) return { ok: false, reason: "problem-bad-transition" };
  const comment = opts.comment?.trim() ? clip(opts.comment.trim(), DESCRIPTION_MAX) : null;
  const forwardedTo = opts.forwardedTo?.trim() ? clip(opts.forwardedTo.trim(), FORWARDED_MAX) : null;
  if (to === "declined" && !comment) return { ok: false, reason: "problem-comment-needed" };
  if (to === "forwarded" && !forwardedTo) return { ok: false, reason: "problem-forwarded-needed" };
  const text = to === "forwarded" ? [forwardedTo, comment].filter(Boolean).join("\n") : comment;
  const updated = await applyStatus(unit, problem, to, { authorId: unit.actor?.personId ?? null, text, forwardedTo });
  await audited(unit, "problem.status", problemId, `${problem.status}->${to}`);
  const recipients = await notifyStatus(unit, updated, problem.status as ProblemStatus, { comment, forwardedTo });
  if (to === "resolved") {
    await unit.schedule({
      kind: AUTOCLOSE_JOB,
      payload: { id: problemId, revision: updated.revision },
      runAt: new Date(unit.now.getTime() + AUTOCLOSE_DAYS * 86_400_000),
      key: `${AUTOCLOSE_JOB}:${problemId}:${updated.revision}`,
    });
  }
  await threadHooks.problemChanged(unit, problemId);
  return recipients ? { ok: true } : { ok: true, unheard: true };
}

/**
 * Writes a status change under the problem's lock (the caller holds it and checked the
 * transition): the row (revision + 1, its dates), and one timeline entry. Returns the new row.
 */
export async function applyStatus(
  unit: Unit,
  problem: ProblemRow,
  to: ProblemStatus,
  opts: { authorId: number | null; text: string | null; forwardedTo?: string | null },
): Promise<ProblemRow> {
  const updated = await unit.tx.problem.update({
    where: { id: problem.id },
    data: {
      status: to,
      revision: { increment: 1 },
      ...(to === "forwarded" ? { forwardedTo: opts.forwardedTo ?? null } : {}),
      ...(to === "resolved" ? { resolvedAt: unit.now } : {}),
      ...(to === "closed" ? { closedAt: unit.now } : {}),
      // Reopened: neither closed nor resolved any more (a rejected resolution is none: /stats, CSV).
      ...(to === "reopened" ? { closedAt: null, resolvedAt: null } : {}),
    },
  });
  await addEntry(unit.tx, { problemId: problem.id, at: unit.now, kind: "status", authorId: opts.authorId, text: opts.text, status: to, fromStatus: problem.status });
  return updated;
}

/**
 * The member's answer to "is it really solved?": yes closes it, no reopens it with `comment` and
 * tells staff (relayed into the thread). Only people of the reporting enterprise answer.
 * `opts.revision`: the revision the buttons were shown for (solvedButton); an answer to an older
 * question is refused as "problem-outdated", as is any answer once the problem is no longer resolved,
 * except a "no" to the question the auto-close answered meanwhile (autoclosedSince): it reopens.
 */
export async function confirmSolved(unit: Unit, problemId: number, solved: boolean, comment: string | null, opts: { revision?: number } = {}): Promise<Outcome> {
  const seen = await visibleProblem(unit, problemId, "problem.confirm", { lock: true, owners: true });
  if (!seen.ok) return seen;
  const { problem } = seen;
  const to: ProblemStatus = solved ? "closed" : "reopened";
  if (!solved && opts.revision !== undefined && (await autoclosedSince(unit, problem, opts.revision))) {
    // "No" was pressed while the question stood; the auto-close came before the reason did. The
    // member's answer wins over the bot's default (it is not lost): reopened from closed.
  } else {
    if (opts.revision !== undefined && opts.revision !== problem.revision) return { ok: false, reason: "problem-outdated" };
    if (!canChangeStatus("member", problem.status, to)) return { ok: false, reason: problem.status === "resolved" ? "problem-bad-transition" : "problem-outdated" };
  }
  const text = comment?.trim() ? clip(comment.trim(), DESCRIPTION_MAX) : null;
  await applyStatus(unit, problem, to, { authorId: unit.actor?.personId ?? null, text });
  if (!solved) {
    const entry = await unit.tx.problemEntry.findFirst({ where: { problemId, kind: "status" }, orderBy: { id: "desc" }, select: { id: true } });
    await threadHooks.relayToStaff(unit, problemId, entry!.id);
  }
  await threadHooks.problemChanged(unit, problemId);
  return { ok: true };
}

/**
 * Whether the only change since the question at `revision` is the 14-day auto-close (jobs.ts: a
 * status entry to closed without an author, one revision later): then a "not solved" whose
 * button was pressed before it still counts.
 */
async function autoclosedSince(unit: Unit, problem: ProblemRow, revision: number): Promise<boolean> {
  if (problem.status !== "closed" || problem.revision !== revision + 1) return false;
  const last = await unit.tx.problemEntry.findFirst({ where: { problemId: problem.id, kind: "status" }, orderBy: { id: "desc" }, select: { status: true, fromStatus: true, authorId: true } });
  return last?.status === "closed" && last.fromStatus === "resolved" && last.authorId === null;
}

/** Filters of the staff list (/problems). */
export interface ProblemFilter {
  status?: ProblemStatus | "open";
  category?: Category;
  region?: string;
  /** A staff person id, or "none" (the caller turns "me" into the actor's id). */
  assignee?: number | "none";
  /** Only problems without any staff reply yet. */
  unanswered?: boolean;
}

/** The staff list: a page of `size` (pages from 0), newest first. Staff only (audited refusal). */
export async function listProblems(unit: Unit, filter: ProblemFilter, page: number, size: number): Promise<Outcome<{ items: ProblemSummary[]; total: number }>> {
  if (!(await staffOnly(unit, "problem.list"))) return { ok: false, reason: "error-not-allowed" };
  const { rows, total } = await problemList(unit.tx, filter, page, size);
  const counts = await affectedCounts(unit.tx, rows.map((r) => r.id));
  return { ok: true, items: rows.map((r) => summaryOf(r, counts.get(r.id) ?? 1)), total };
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

/** The figures of /stats (see {@link ProblemStats}). Staff only (audited refusal). */
export async function problemStats(unit: Unit): Promise<Outcome<{ stats: ProblemStats }>> {
  if (!(await staffOnly(unit, "problem.stats"))) return { ok: false, reason: "error-not-allowed" };
  const { stats, mostJoined } = await statsOf(unit.tx);
  return { ok: true, stats: { ...stats, mostJoined: mostJoined.map(({ row, affected }) => summaryOf(row, affected)) } };
}

/**
 * The CSV export (csv-stringify; UTF-8 with BOM, `;`-separated as Excel expects in ru/kk locales):
 * one row per problem, headers and values in the actor's language, dates dd.mm.yyyy in Almaty.
 * `forGovernment` leaves the enterprise's name out where the member chose anonymity. Returns the
 * stored file to send. Staff only (audited refusal); the export itself is audited.
 */
export async function exportProblemsCsv(unit: Unit, opts: { forGovernment: boolean }): Promise<Outcome<{ fileId: number; name: string; rows: number }>> {
  if (!(await staffOnly(unit, "problem.export"))) return { ok: false, reason: "error-not-allowed" };
  const { fileId, name, rows } = await csvExport(unit, opts);
  await audited(unit, "problem.export", null, `rows:${rows}${opts.forGovernment ? ",government" : ""}`);
  return { ok: true, fileId, name, rows };
}
