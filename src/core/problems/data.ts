/**
 * Database access of industry problems (issue 7): the Problem, ProblemCounter, ProblemAffected,
 * ProblemEntry and ProblemFile tables. Only service.ts and the problem jobs call these; flows call
 * the services.
 */
import { sqlOf, type Tx } from "../../db/database.ts";
import { localYear } from "../time.ts";
import type { AttachedFile } from "./service.ts";

/** The problem row as the services read it. */
export interface ProblemRow {
  id: number;
  ref: string;
  year: number;
  seq: number;
  enterpriseId: number;
  reporterId: number | null;
  category: string;
  title: string;
  description: string;
  anonymous: boolean;
  status: string;
  forwardedTo: string | null;
  assigneeId: number | null;
  createdAt: Date;
  updatedAt: Date;
  firstReplyAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  revision: number;
}

/** A problem reference: "QT-2026-0042"; four digits at least (QT-2026-12345 after 9999). */
export function formatRef(year: number, seq: number): string {
  return `QT-${year}-${String(seq).padStart(4, "0")}`;
}

/** Year and sequence of a typed reference ("qt-2026-42", " QT 2026 0042 ", en dash), or null. */
export function parseRef(typed: string): { year: number; seq: number } | null {
  const m = /^QT[-‐-―\s]*(\d{4})[-‐-―\s]*(\d{1,9})$/i.exec(typed.normalize("NFKC").trim());
  if (!m) return null;
  const seq = Number(m[2]);
  return seq > 0 ? { year: Number(m[1]), seq } : null;
}

/** The calendar year in Asia/Almaty at `at` (a report filed at 23:30 UTC on 31 December belongs to the next year there). */
export function almatyYear(at: Date): number {
  return localYear(at);
}

/**
 * The next sequence number of `year`: one atomic statement (insert the year's row at 1, or add one
 * to it), so two concurrent reports never get the same number: on PostgreSQL the second waits for
 * the first's row (or its insert) to commit, then increments what it committed; on SQLite the
 * writer lock serializes them.
 */
export async function nextSeq(tx: Tx, year: number): Promise<number> {
  const row = await sqlOf(tx).get<{ last: number | string }>(
    `INSERT INTO "ProblemCounter" ("year", "last") VALUES (?, 1)
     ON CONFLICT ("year") DO UPDATE SET "last" = "ProblemCounter"."last" + 1
     RETURNING "last"`,
    year,
  );
  if (!row) throw new Error("the problem counter returned no row");
  return Number(row.last);
}

/** Holds the problem's lock until the transaction ends (read-modify-write of a problem). */
export async function lockProblem(tx: Tx, id: number): Promise<void> {
  await sqlOf(tx).lock(`problem:${id}`);
}

export async function problemById(tx: Tx, id: number): Promise<ProblemRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return tx.problem.findUnique({ where: { id } });
}

/** The enterprises a problem belongs to: the reporting one first, then those that joined. */
export async function enterprisesOf(tx: Tx, problem: { id: number; enterpriseId: number }): Promise<number[]> {
  const joined = await tx.problemAffected.findMany({ where: { problemId: problem.id }, select: { enterpriseId: true }, orderBy: { joinedAt: "asc" } });
  return [problem.enterpriseId, ...joined.map((j) => j.enterpriseId)];
}

/** How many enterprises each problem affects (the reporter's and those that joined). */
export async function affectedCounts(tx: Tx, ids: number[]): Promise<Map<number, number>> {
  const counts = new Map(ids.map((id) => [id, 1]));
  if (!ids.length) return counts;
  const rows = await tx.problemAffected.groupBy({ by: ["problemId"], where: { problemId: { in: ids } }, _count: { _all: true } });
  for (const r of rows) counts.set(r.problemId, 1 + r._count._all);
  return counts;
}

/**
 * Adds a timeline entry with its files; returns its id. `enterpriseId`: whose conversation with
 * the association it belongs to (the writer's enterprise for member messages and joins, the
 * addressee's for staff replies); null or absent for entries every affected enterprise sees.
 */
export async function addEntry(
  tx: Tx,
  entry: { problemId: number; at: Date; kind: string; authorId: number | null; enterpriseId?: number | null; text?: string | null; status?: string | null; fromStatus?: string | null; files?: AttachedFile[] },
): Promise<number> {
  const created = await tx.problemEntry.create({
    data: {
      problemId: entry.problemId,
      at: entry.at,
      kind: entry.kind,
      authorId: entry.authorId,
      enterpriseId: entry.enterpriseId ?? null,
      text: entry.text ?? null,
      status: entry.status ?? null,
      fromStatus: entry.fromStatus ?? null,
      ...(entry.files?.length ? { files: { create: entry.files.map((f) => ({ fileId: f.fileId, name: f.name })) } } : {}),
    },
    select: { id: true },
  });
  return created.id;
}

/** A problem's timeline, oldest first, with files (their kind read from StoredFile). */
export async function entriesOf(tx: Tx, problemId: number) {
  const entries = await tx.problemEntry.findMany({ where: { problemId }, orderBy: { id: "asc" }, include: { files: { orderBy: { id: "asc" } } } });
  const fileIds = [...new Set(entries.flatMap((e) => e.files.map((f) => f.fileId)))];
  const kinds = new Map(
    (fileIds.length ? await tx.storedFile.findMany({ where: { id: { in: fileIds } }, select: { id: true, kind: true } }) : []).map((f) => [f.id, f.kind]),
  );
  return entries.map((e) => ({
    ...e,
    files: e.files.map((f): AttachedFile => ({ fileId: f.fileId, name: f.name, kind: kinds.get(f.fileId) === "photo" ? "photo" : "document" })),
  }));
}

/** People's names by id (staff and members as they gave them; null when none or erased). */
export async function namesOf(tx: Tx, ids: (number | null)[]): Promise<Map<number, string | null>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (!wanted.length) return new Map();
  const people = await tx.person.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(people.map((p) => [p.id, p.name]));
}

/** The people of an enterprise with an active membership (to reach it when its reporter is gone). */
export async function activePeopleOf(tx: Tx, enterpriseId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({ where: { enterpriseId, status: "active" }, select: { personId: true }, orderBy: { id: "asc" } });
  return rows.map((r) => r.personId);
}

/**
 * Erasure of a person (members/erasure.ts): the problems their enterprise reported stay the
 * enterprise's, without them: they are no longer the reporter, the author of entries, or the person
 * who joined a problem for their enterprise. What they wrote stays, as the enterprise's report.
 * Returns every problem whose staff thread names them (reported, assigned to them, joined by them,
 * or with an entry of theirs: a message in another enterprise's problem, a note, a status change):
 * each one's post and relayed messages are to be re-rendered without them.
 */
export async function forgetProblemPerson(tx: Tx, personId: number, chats: { channel: string; chatId: string }[] = []): Promise<number[]> {
  const ids = new Set<number>();
  for (const r of await tx.problem.findMany({ where: { OR: [{ reporterId: personId }, { assigneeId: personId }] }, select: { id: true } })) ids.add(r.id);
  for (const r of await tx.problemEntry.findMany({ where: { authorId: personId }, select: { problemId: true }, distinct: ["problemId"] })) ids.add(r.problemId);
  for (const r of await tx.problemAffected.findMany({ where: { personId }, select: { problemId: true } })) ids.add(r.problemId);
  await tx.problem.updateMany({ where: { reporterId: personId }, data: { reporterId: null } });
  await tx.problem.updateMany({ where: { assigneeId: personId }, data: { assigneeId: null } });
  await tx.problemEntry.updateMany({ where: { authorId: personId }, data: { authorId: null } });
  await tx.problemAffected.updateMany({ where: { personId }, data: { personId: null } });
  // Their private conversation's focus on a problem ("Write to staff"): keyed by the chat.
  if (chats.length) await tx.threadFocus.deleteMany({ where: { key: { in: chats.map((c) => `${c.channel}:${c.chatId}`) } } });
  return [...ids].sort((a, b) => a - b);
}

/**
 * One timeline entry with its files and its author's name, for the staff thread's relay
 * (thread-hooks.ts relayToStaff): no permission check, the hook runs in the unit that wrote it.
 */
export async function entryById(tx: Tx, entryId: number) {
  const e = await tx.problemEntry.findUnique({ where: { id: entryId }, include: { files: { orderBy: { id: "asc" } } } });
  if (!e) return null;
  const kinds = new Map(
    (e.files.length ? await tx.storedFile.findMany({ where: { id: { in: e.files.map((f) => f.fileId) } }, select: { id: true, kind: true } }) : []).map((f) => [f.id, f.kind]),
  );
  const author = e.authorId !== null ? await tx.person.findUnique({ where: { id: e.authorId }, select: { name: true } }) : null;
  return {
    id: e.id,
    problemId: e.problemId,
    at: e.at,
    kind: e.kind,
    authorId: e.authorId,
    enterpriseId: e.enterpriseId,
    author: author?.name ?? null,
    text: e.text,
    status: e.status,
    fromStatus: e.fromStatus,
    files: e.files.map((f): AttachedFile => ({ fileId: f.fileId, name: f.name, kind: kinds.get(f.fileId) === "photo" ? "photo" : "document" })),
  };
}
