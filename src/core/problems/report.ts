/**
 * Staff's lists and reports of problems (issue 7 item 6): the filtered list, the /stats figures
 * (medians computed here, in code: the same on SQLite and PostgreSQL), and the CSV export.
 * service.ts checks permission before calling these.
 */
import { stringify } from "csv-stringify/sync";
import type { Prisma } from "../../db/generated/client.ts";
import type { Tx } from "../../db/database.ts";
import { asLocale } from "../message.ts";
import { localDate } from "../members/render.ts";
import type { Unit } from "../unit.ts";
import { affectedCounts, namesOf, type ProblemRow } from "./data.ts";
import type { ProblemFilter, ProblemStats } from "./service.ts";
import { CATEGORIES } from "./categories.ts";
import { OPEN_STATUSES, PROBLEM_STATUSES } from "./status.ts";
import { keepOwnFile } from "../files/records.ts";
import { localIsoDate } from "../time.ts";

/** The WHERE of a staff list's filter (region: through the reporting enterprise). */
async function whereOf(tx: Tx, filter: ProblemFilter): Promise<Prisma.ProblemWhereInput> {
  const where: Prisma.ProblemWhereInput = {};
  if (filter.status === "open") where.status = { in: [...OPEN_STATUSES] };
  else if (filter.status) where.status = filter.status;
  if (filter.category) where.category = filter.category;
  if (filter.assignee === "none") where.assigneeId = null;
  else if (typeof filter.assignee === "number") where.assigneeId = filter.assignee;
  if (filter.unanswered) where.firstReplyAt = null;
  if (filter.region) {
    const ids = await tx.enterprise.findMany({ where: { region: filter.region }, select: { id: true } });
    where.enterpriseId = { in: ids.map((e) => e.id) };
  }
  return where;
}

/** A page (from 0) of the problems matching `filter`, newest first, and how many match. */
export async function problemList(tx: Tx, filter: ProblemFilter, page: number, size: number): Promise<{ rows: ProblemRow[]; total: number }> {
  const where = await whereOf(tx, filter);
  const take = Math.max(1, Math.min(100, Math.floor(size) || 1));
  const skip = Math.max(0, Math.floor(page) || 0) * take;
  const [total, rows] = await Promise.all([tx.problem.count({ where }), tx.problem.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip, take })]);
  return { rows, total };
}

/** The median of `values` (the mean of the middle two for an even count); null for none. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const HOUR = 3_600_000;
const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);

/** How many of the most-joined open problems /stats shows. */
export const MOST_JOINED = 5;

/**
 * /stats: counts by category, status and region (of the reporting enterprise); the median hours
 * from the report to the first staff reply and to (the latest) resolution, over the problems that
 * have one; the open problems most enterprises joined (at least one joined), most first.
 */
export async function statsOf(tx: Tx): Promise<{ stats: Omit<ProblemStats, "mostJoined">; mostJoined: { row: ProblemRow; affected: number }[] }> {
  const rows = await tx.problem.findMany({ orderBy: { id: "asc" } });
  const regions = new Map(
    (await tx.enterprise.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.enterpriseId))] } }, select: { id: true, region: true } })).map((e) => [e.id, e.region]),
  );
  const byCategory: Record<string, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  const byStatus: Record<string, number> = Object.fromEntries(PROBLEM_STATUSES.map((s) => [s, 0]));
  const byRegion: Record<string, number> = {};
  for (const r of rows) {
    byCategory[r.category] = (byCategory[r.category] ?? 0) + 1;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const region = regions.get(r.enterpriseId) ?? "unknown";
    byRegion[region] = (byRegion[region] ?? 0) + 1;
  }
  const firstReply = rows.filter((r) => r.firstReplyAt).map((r) => (r.firstReplyAt!.getTime() - r.createdAt.getTime()) / HOUR);
  const resolution = rows.filter((r) => r.resolvedAt).map((r) => (r.resolvedAt!.getTime() - r.createdAt.getTime()) / HOUR);
  const open = rows.filter((r) => OPEN_STATUSES.includes(r.status as never));
  const counts = await affectedCounts(tx, open.map((r) => r.id));
  const mostJoined = open
    .map((row) => ({ row, affected: counts.get(row.id) ?? 1 }))
    .filter((x) => x.affected > 1)
    .sort((a, b) => b.affected - a.affected || b.row.id - a.row.id)
    .slice(0, MOST_JOINED);
  return {
    stats: { byCategory, byStatus, byRegion, medianFirstReplyHours: round1(median(firstReply)), medianResolutionHours: round1(median(resolution)) },
    mostJoined,
  };
}

/** The export's columns, in order: the locale key of each header is `problem-csv-<column>`. */
export const CSV_COLUMNS = ["ref", "created", "category", "title", "enterprise", "region", "sector", "anonymous", "status", "affected", "assignee", "first-reply", "resolved", "closed"] as const;

/**
 * The CSV of every problem, oldest first, in the actor's language: UTF-8 with a BOM and `;` between
 * fields (what Excel expects in ru/kk locales, where `,` is the decimal separator), CRLF rows;
 * fields with `;`, `"` or a line break are quoted (quotes doubled); a field that Excel would run
 * as a formula (=, +, -, @ first) is prefixed with `'` (csv-stringify escape_formulas). Dates are
 * dd.mm.yyyy in Almaty. `forGovernment`: the enterprise's name is empty where the member chose
 * anonymity. The bytes are kept as a StoredFile (store.ts).
 */
export async function csvExport(unit: Unit, opts: { forGovernment: boolean }): Promise<{ fileId: number; name: string; rows: number; bytes: Uint8Array }> {
  const locale = asLocale(unit.actor?.locale, unit.settings.defaultLocale);
  const t = (key: string) => unit.t(locale, key);
  const plain = (key: string) => t(key).replace(/<[^>]*>/g, "");
  const rows = await unit.tx.problem.findMany({ orderBy: { id: "asc" } });
  const enterprises = new Map(
    (await unit.tx.enterprise.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.enterpriseId))] } }, select: { id: true, name: true, region: true, sector: true } })).map((e) => [e.id, e]),
  );
  const counts = await affectedCounts(unit.tx, rows.map((r) => r.id));
  const names = await namesOf(unit.tx, rows.map((r) => r.assigneeId));
  const label = (key: string) => (unit.services.i18n.has(key) ? plain(key) : "");
  const date = (d: Date | null) => (d ? localDate(d) : "");
  const records = rows.map((r) => {
    const e = enterprises.get(r.enterpriseId);
    return [
      r.ref,
      date(r.createdAt),
      label(`problem-cat-${r.category}`),
      r.title,
      opts.forGovernment && r.anonymous ? "" : (e?.name ?? ""),
      e ? label(`region-${e.region}`) : "",
      e ? label(`sector-${e.sector}`) : "",
      plain(r.anonymous ? "problem-csv-yes" : "problem-csv-no"),
      label(`problem-status-${r.status}`),
      String(counts.get(r.id) ?? 1),
      r.assigneeId !== null ? (names.get(r.assigneeId) ?? "") : "",
      date(r.firstReplyAt),
      date(r.resolvedAt),
      date(r.closedAt),
    ];
  });
  const header = CSV_COLUMNS.map((c) => plain(`problem-csv-${c}`));
  const text = stringify([header, ...records], {
    bom: true,
    delimiter: ";",
    record_delimiter: "windows",
    quote_record_delimiter: true,
    quoted_match: /[\r\n]/,
    escape_formulas: true,
  });
  const bytes = new TextEncoder().encode(text);
  const day = localIsoDate(unit.now);
  const name = `problems-${day}${opts.forGovernment ? "-gov" : ""}.csv`;
  const kept = await keepOwnFile(unit.tx, unit.services.files, bytes, { name }, unit.now);
  return { fileId: kept.id, name, rows: records.length, bytes };
}
