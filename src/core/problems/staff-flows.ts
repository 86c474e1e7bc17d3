/**
 * Staff's views of industry problems outside their threads (issue 7 item 6): the list
 * (`/problems`, the menu entry "Problems") with its filters and pages, one problem's card
 * (`/problem <ref>`), the figures (`/stats`) and the CSV export (`/export`). Each flow checks
 * permission itself when it starts (it may be reached by a command, a menu entry, a group command
 * or another flow; the role is read fresh), answers and audits a refusal, and reaches the database
 * only through the problem services (service.ts) inside `d.act`.
 */
import type { Json, Option } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { Translate } from "../message.ts";
import { authorize, type Permission } from "../permissions.ts";
import { rich } from "../rich-text.ts";
import type { Turn } from "../turn.ts";
import { localDate } from "../members/render.ts";
import { truncate } from "../text.ts";
import { isRegionCode, REGIONS, type RegionCode } from "../members/regions.ts";
import { CATEGORIES, isCategory, type Category } from "./categories.ts";
import { focusOn } from "./focus.ts";
import { isProblemStatus, PROBLEM_STATUSES, type ProblemStatus } from "./status.ts";
import {
  exportProblemsCsv,
  listProblems,
  openProblem,
  problemIdByRef,
  problemStats,
  type ProblemDetail,
  type ProblemFilter,
  type ProblemStats,
  type ProblemSummary,
  type TimelineEntry,
} from "./service.ts";

/** Problems per page of the list (ten buttons and the filters fit a phone's screen). */
export const PAGE_SIZE = 8;
/** A title in a list line or button is cut after this many characters (code points). */
export const TITLE_CLIP = 40;

/** What the staff lists need: seeing problems (the services check it again, per problem). */
const VIEW: Permission = { action: "problem.staff" };

type StatusChoice = ProblemStatus | "open" | "all";
type AssigneeChoice = "me" | "none" | "any";

/** The list's filters and page: the state of the list screen, kept in the flow (and its args). */
export interface ListState {
  status: StatusChoice;
  category: Category | "all";
  region: RegionCode | "all";
  assignee: AssigneeChoice;
  unanswered: boolean;
  page: number;
}

export const DEFAULT_LIST: ListState = { status: "open", category: "all", region: "all", assignee: "any", unanswered: false, page: 0 };

const STATUS_CHOICES: readonly StatusChoice[] = ["open", ...PROBLEM_STATUSES, "all"];
const ASSIGNEE_CHOICES: readonly AssigneeChoice[] = ["me", "none", "any"];

/** The list state from untrusted args (another flow's, or stored): anything unknown is the default. */
export function listStateOf(args: unknown): ListState {
  const a = (typeof args === "object" && args !== null ? args : {}) as Record<string, unknown>;
  const status = a.status === "open" || a.status === "all" || isProblemStatus(a.status) ? (a.status as StatusChoice) : DEFAULT_LIST.status;
  const category = a.category === "all" || isCategory(a.category) ? (a.category as Category | "all") : DEFAULT_LIST.category;
  const region = typeof a.region === "string" && (a.region === "all" || isRegionCode(a.region)) ? (a.region as RegionCode | "all") : DEFAULT_LIST.region;
  const assignee = ASSIGNEE_CHOICES.includes(a.assignee as AssigneeChoice) ? (a.assignee as AssigneeChoice) : DEFAULT_LIST.assignee;
  const page = typeof a.page === "number" && Number.isInteger(a.page) && a.page >= 0 && a.page < 10_000 ? a.page : 0;
  return { status, category, region, assignee, unanswered: a.unanswered === true, page };
}

/** The service's filter for a list state; `me` is the staff member's person id. */
export function filterOf(s: ListState, me: number): ProblemFilter {
  return {
    ...(s.status !== "all" ? { status: s.status } : {}),
    ...(s.category !== "all" ? { category: s.category } : {}),
    ...(s.region !== "all" ? { region: s.region } : {}),
    ...(s.assignee === "me" ? { assignee: me } : s.assignee === "none" ? { assignee: "none" as const } : {}),
    ...(s.unanswered ? { unanswered: true } : {}),
  };
}

/** A person's text cut to `max` code points (never inside a surrogate pair), "…" when cut. */
export function clip(text: string, max = TITLE_CLIP): string {
  return truncate(text.replace(/\s+/g, " ").trim(), max);
}

/** Checks the actor may see the staff lists; a refusal is answered and audited as `action`. */
async function staffOnly(turn: Turn, action: string): Promise<{ me: number; group: boolean } | null> {
  if (!(await authorize(turn, VIEW, action))) return null;
  return { me: turn.actor?.personId ?? 0, group: turn.inbound.chatType === "group" };
}

const statusLabel = (t: Translate, s: StatusChoice): string => (s === "open" || s === "all" ? t(`lists-status-${s}`) : t(`problem-status-${s}`));
const categoryLabel = (t: Translate, c: Category | "all"): string => (c === "all" ? t("lists-category-all") : t(`problem-cat-${c}`));
const regionLabel = (t: Translate, r: string): string => (r === "all" ? t("lists-region-all") : t(`region-${r}`));

/** One problem as a line of the list (two lines: its figures, then its title). */
function itemLines(t: Translate, n: number, p: ProblemSummary): string {
  return t("lists-item", {
    n,
    ref: p.ref,
    status: rich(t(`problem-status-${p.status}`)),
    category: rich(t(`problem-cat-${p.category}`)),
    affected: p.affected,
    title: clip(p.title),
    date: localDate(new Date(p.createdAt)),
  });
}

type Page = { items: ProblemSummary[]; total: number };

/** The list screen's text: the filters, the range shown and one entry per problem. */
export function listText(t: Translate, s: ListState, page: Page): string {
  const filters = t("lists-filters", {
    status: rich(statusLabel(t, s.status)),
    category: rich(categoryLabel(t, s.category)),
    region: rich(regionLabel(t, s.region)),
    assignee: rich(t(`lists-assignee-${s.assignee}`)),
  });
  const lines = [t("lists-title"), filters + (s.unanswered ? `\n${t("lists-filter-unanswered-line")}` : "")];
  if (!page.items.length) {
    lines.push(t("lists-empty"));
    return lines.join("\n\n");
  }
  const from = s.page * PAGE_SIZE + 1;
  lines.push(t("lists-range", { from, to: from + page.items.length - 1, total: page.total }));
  lines.push(page.items.map((p, i) => itemLines(t, from + i, p)).join("\n\n"));
  return lines.join("\n\n");
}

type ListPick = `p${number}` | "prev" | "next" | "fs" | "fc" | "fr" | "fa" | "fu" | "stats" | "export";

function listOptions(s: ListState, page: Page): Option<ListPick>[][] {
  const rows: Option<ListPick>[][] = page.items.map((p) => [
    { id: `p${p.id}` as ListPick, label: (t: Translate) => t("lists-item-button", { ref: p.ref, title: clip(p.title, 28) }) },
  ]);
  const nav: Option<ListPick>[] = [];
  if (s.page > 0) nav.push({ id: "prev", label: "lists-prev" });
  if ((s.page + 1) * PAGE_SIZE < page.total) nav.push({ id: "next", label: "lists-next" });
  if (nav.length) rows.push(nav);
  rows.push([
    { id: "fs", label: (t) => t("lists-filter-status", { value: rich(statusLabel(t, s.status)) }) },
    { id: "fc", label: (t) => t("lists-filter-category", { value: rich(categoryLabel(t, s.category)) }) },
  ]);
  rows.push([
    { id: "fr", label: (t) => t("lists-filter-region", { value: rich(regionLabel(t, s.region)) }) },
    { id: "fa", label: (t) => t("lists-filter-assignee", { value: rich(t(`lists-assignee-${s.assignee}`)) }) },
  ]);
  rows.push([{ id: "fu", label: s.unanswered ? "lists-filter-unanswered-on" : "lists-filter-unanswered-off" }]);
  rows.push([
    { id: "stats", label: "lists-stats-button" },
    { id: "export", label: "lists-export-button" },
  ]);
  return rows;
}

/** `/problems` and the menu entry "Problems": a page of problems with filter and page buttons. */
export const problemsFlow: FlowDef<Json> = {
  name: "problems",
  version: 1,
  title: "flow-problems",
  async run(d, args) {
    const who = await d.act("allowed", (turn) => staffOnly(turn, "problem.list"));
    if (!who) return;
    let s = listStateOf(args);
    if (who.group) {
      // In the staff group a question would wait for this member's reply (and ask for it): the
      // first page only, and where to find the rest.
      await d.act("snapshot", async (turn) => {
        const r = await listProblems(turn.unit, filterOf(s, who.me), 0, PAGE_SIZE);
        if (!r.ok) return void (await turn.answer(r.reason));
        await turn.unit.outbox.send(turn.here, { text: (t) => `${listText(t, { ...s, page: 0 }, r)}\n\n${t("lists-group-hint")}` });
      });
      return;
    }
    for (;;) {
      const page = await d.act("page", async (turn): Promise<Page | null> => {
        let r = await listProblems(turn.unit, filterOf(s, who.me), s.page, PAGE_SIZE);
        // Past the end (problems left the filter since the page was counted): the last page.
        if (r.ok && !r.items.length && s.page > 0 && r.total > 0) {
          r = await listProblems(turn.unit, filterOf(s, who.me), Math.floor((r.total - 1) / PAGE_SIZE), PAGE_SIZE);
        }
        if (!r.ok) {
          await turn.answer(r.reason);
          return null;
        }
        return { items: r.items, total: r.total };
      });
      if (!page) return;
      if (page.items.length && s.page * PAGE_SIZE >= page.total) s = { ...s, page: Math.floor((page.total - 1) / PAGE_SIZE) };
      const view = s;
      const pick = await d.choice((t) => listText(t, view, page), listOptions(view, page), { settled: true });
      if (pick.startsWith("p") && pick !== "prev") return { next: "staff-problem", args: { id: Number(pick.slice(1)) } };
      switch (pick) {
        case "prev":
          s = { ...s, page: Math.max(0, s.page - 1) };
          break;
        case "next":
          s = { ...s, page: s.page + 1 };
          break;
        case "fu":
          s = { ...s, unanswered: !s.unanswered, page: 0 };
          break;
        case "stats":
          return { next: "stats" };
        case "export":
          return { next: "export" };
        case "fs": {
          const status = await d.choice("lists-pick-status", STATUS_CHOICES.map((v) => ({ id: v, label: (t: Translate) => statusLabel(t, v) })), { columns: 2, settled: true });
          s = { ...s, status, page: 0 };
          break;
        }
        case "fc": {
          const all: (Category | "all")[] = [...CATEGORIES, "all"];
          const category = await d.choice("lists-pick-category", all.map((v) => ({ id: v, label: (t: Translate) => categoryLabel(t, v) })), { columns: 1, settled: true });
          s = { ...s, category, page: 0 };
          break;
        }
        case "fr": {
          const all: (RegionCode | "all")[] = [...REGIONS, "all"];
          const region = await d.choice("lists-pick-region", all.map((v) => ({ id: v, label: (t: Translate) => regionLabel(t, v) })), { columns: 2, settled: true });
          s = { ...s, region, page: 0 };
          break;
        }
        case "fa": {
          const assignee = await d.choice("lists-pick-assignee", ASSIGNEE_CHOICES.map((v) => ({ id: v, label: `lists-assignee-${v}` })), { columns: 3, settled: true });
          s = { ...s, assignee, page: 0 };
          break;
        }
      }
    }
  },
};

/** The tag of a problem's card in a staff member's private chat: replies to it reach the member (relay.ts). */
export const cardTag = (problemId: number): string => `problem:${problemId}:card`;

/** One timeline entry as a line of the card (notes marked internal). */
function entryLine(t: Translate, e: TimelineEntry): string {
  const when = localDate(new Date(e.at));
  const files = e.files.length ? ` ${t("lists-entry-files", { count: e.files.length })}` : "";
  const head = t(`lists-entry-${e.kind}`, {
    date: when,
    author: e.author ?? "—",
    status: rich(e.status ? t(`problem-status-${e.status}`) : "—"),
  });
  const text = e.text ? `\n${t("lists-entry-text", { text: e.text })}` : "";
  return `${head}${files}${text}`;
}

/** A problem's card as staff see it: every detail, the enterprise, internal notes and the timeline. */
export function cardText(t: Translate, p: ProblemDetail, timeline: TimelineEntry[], focus: boolean): string {
  const lines = [
    t("lists-card-title", { ref: p.ref, title: p.title }),
    p.anonymous ? t("lists-card-anonymous") : t("lists-card-named"),
    t("lists-card-status", { status: rich(t(`problem-status-${p.status}`)) }) + (p.forwardedTo ? `\n${t("lists-card-forwarded", { to: p.forwardedTo })}` : ""),
    t("lists-card-category", { category: rich(t(`problem-cat-${p.category}`)) }),
  ];
  if (p.enterprise) {
    lines.push(
      t("lists-card-enterprise", {
        name: p.enterprise.name,
        region: rich(t(`region-${p.enterprise.region}`)),
        sector: rich(t(`sector-${p.enterprise.sector}`)),
      }),
    );
  }
  lines.push(t("lists-card-affected", { count: p.affected }));
  lines.push(p.assignee ? t("lists-card-assignee", { name: p.assignee.name ?? "—" }) : t("lists-card-assignee-none"));
  lines.push(t("lists-card-dates", { created: localDate(new Date(p.createdAt)), updated: localDate(new Date(p.updatedAt)) }));
  const body = [lines.join("\n"), t("lists-card-description", { text: p.description })];
  if (timeline.length) body.push(`${t("lists-card-timeline")}\n${timeline.map((e) => entryLine(t, e)).join("\n")}`);
  body.push(focus ? t("lists-card-focus") : t("lists-card-reply-hint"));
  return body.join("\n\n");
}

/**
 * `/problem <ref>` for staff (args `{ref}`), and a problem opened from the list (args `{id}`): the
 * card with the post's buttons (Take, Status, Note: the thread's "ps:" data), tagged so that a reply
 * to it reaches the member.
 */
export const staffProblemFlow: FlowDef<Json> = {
  name: "staff-problem",
  version: 1,
  title: "flow-staff-problem",
  async run(d, args) {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    await d.act("card", async (turn) => {
      const ref = typeof a.ref === "string" ? a.ref.slice(0, 40) : null;
      if (!(await staffOnly(turn, "problem.card"))) return;
      const id = typeof a.id === "number" && Number.isInteger(a.id) && a.id > 0 ? a.id : ref ? await problemIdByRef(turn.unit, ref) : null;
      if (id === null) {
        await turn.unit.outbox.send(turn.here, { text: ref ? { key: "lists-ref-unknown", args: { ref } } : "lists-ref-needed" });
        return;
      }
      const opened = await openProblem(turn.unit, id);
      if (!opened.ok) return void (await turn.answer(opened.reason));
      const { problem: p, timeline } = opened;
      const focus = turn.inbound.chatType === "private" ? await focusOnCard(turn, p.id) : false;
      // The post's buttons (thread.ts postButtons, staff-buttons.ts): the same data, the same labels.
      const rev = p.revision.toString(36);
      await turn.unit.outbox.send(
        turn.here,
        {
          text: (t) => cardText(t, p, timeline, focus),
          choices: [
            [
              { data: `ps:t:${p.id}:${rev}`, label: "thread-button-take" },
              { data: `ps:s:${p.id}:${rev}`, label: "thread-button-status" },
              { data: `ps:n:${p.id}`, label: "thread-button-note" },
            ],
          ],
        },
        { tag: cardTag(p.id) },
      );
      const files = timeline.flatMap((e) => e.files).slice(0, 10);
      if (files.length) await turn.unit.outbox.send(turn.here, { text: { key: "lists-card-files", args: { ref: p.ref, count: files.length } }, files: files.map((f) => ({ fileId: f.fileId, name: f.name })) });
    });
  },
};

/**
 * Points the staff member's next private messages at the problem (focus.ts: relay.ts sends them to
 * the member until the conversation moves on, e.g. the menu is opened); whether it did. Set in the
 * turn that shows the card, so that the dialog this turn saves does not end it.
 */
async function focusOnCard(turn: Turn, problemId: number): Promise<boolean> {
  // core.ts conversationKey of a private chat (not imported: core.ts imports this module).
  await focusOn(turn.unit, `${turn.inbound.channel}:${turn.inbound.chatId}`, problemId);
  return true;
}

/** Hours in words: "less than an hour", "5 hours", "3 days" (Fluent plurals). */
export function durationText(t: Translate, hours: number | null): string {
  if (hours === null) return t("lists-duration-none");
  if (hours < 1) return t("lists-duration-under-hour");
  if (hours < 48) return t("lists-duration-hours", { count: Math.round(hours) });
  return t("lists-duration-days", { count: Math.round(hours / 24) });
}

/** Counts as "name: n" lines, biggest first, zeros left out. */
function countLines(t: Translate, counts: Record<string, number>, label: (key: string) => string): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!entries.length) return t("lists-stats-nothing");
  return entries.map(([k, n]) => t("lists-stats-count", { name: rich(label(k)), count: n })).join("\n");
}

/** The /stats message. */
export function statsText(t: Translate, s: ProblemStats): string {
  const parts = [
    t("lists-stats-title"),
    `${t("lists-stats-by-status")}\n${countLines(t, s.byStatus, (k) => (isProblemStatus(k) ? t(`problem-status-${k}`) : k))}`,
    `${t("lists-stats-by-category")}\n${countLines(t, s.byCategory, (k) => (isCategory(k) ? t(`problem-cat-${k}`) : k))}`,
    `${t("lists-stats-by-region")}\n${countLines(t, s.byRegion, (k) => (isRegionCode(k) ? t(`region-${k}`) : t("lists-region-unknown")))}`,
    t("lists-stats-medians", { reply: rich(durationText(t, s.medianFirstReplyHours)), resolution: rich(durationText(t, s.medianResolutionHours)) }),
  ];
  if (s.mostJoined.length) {
    parts.push(`${t("lists-stats-most-joined")}\n${s.mostJoined.map((p, i) => t("lists-stats-joined-line", { n: i + 1, ref: p.ref, title: clip(p.title), count: p.affected })).join("\n")}`);
  }
  return parts.join("\n\n");
}

/** `/stats`: counts by status, category and region, the medians and the most-joined problems. */
export const statsFlow: FlowDef<Json> = {
  name: "stats",
  version: 1,
  title: "flow-stats",
  async run(d) {
    await d.act("stats", async (turn) => {
      if (!(await staffOnly(turn, "problem.stats"))) return;
      const r = await problemStats(turn.unit);
      if (!r.ok) return void (await turn.answer(r.reason));
      await turn.unit.outbox.send(turn.here, { text: (t) => statsText(t, r.stats) });
    });
  },
};

/**
 * `/export` (and the list's button): which kind, then the CSV file (service exportProblemsCsv) as a
 * document in the staff member's chat. "For government bodies" leaves out the names of enterprises
 * that asked to stay anonymous.
 */
export const exportFlow: FlowDef<Json> = {
  name: "export",
  version: 1,
  title: "flow-export",
  async run(d) {
    const who = await d.act("allowed", (turn) => staffOnly(turn, "problem.export"));
    if (!who) return;
    // A file with enterprise names is not posted to the group: each staff member asks privately.
    if (who.group) return void (await d.say("lists-export-private"));
    const kind = await d.choice(
      "lists-export-ask",
      [
        [{ id: "internal", label: "lists-export-internal" }],
        [{ id: "government", label: "lists-export-government" }],
      ],
      { settled: true },
    );
    await d.act("export", async (turn) => {
      const r = await exportProblemsCsv(turn.unit, { forGovernment: kind === "government" });
      if (!r.ok) return void (await turn.answer(r.reason));
      await turn.unit.outbox.send(turn.here, {
        text: { key: kind === "government" ? "lists-export-sent-government" : "lists-export-sent-internal", args: { count: r.rows } },
        files: [{ fileId: r.fileId, name: r.name }],
      });
    });
  },
};

export const STAFF_FLOWS: FlowDef<never>[] = [problemsFlow, staffProblemFlow, statsFlow, exportFlow] as FlowDef<never>[];
