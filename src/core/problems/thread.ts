/**
 * The staff thread of a problem (issue 7 item 4): the post in the staff chat (the configured group,
 * else each staff member privately), tagged `problem:<id>`, with the problem's details and the
 * Take / Status / Note buttons; in a forum supergroup it opens a topic of its own. Everything later
 * in the thread (files, the member's messages, notes) is sent with `anchor: problem:<id>`: a reply
 * to the post, or into its topic, and tagged `problem:<id>:<suffix>` so that a staff reply to ANY
 * message of the thread is found (relay.ts). When the problem changes the post is re-rendered with
 * current buttons (their revision), in every chat that holds it and may still read it.
 *
 * Every text a person typed is placed as a message argument (escaped by i18n); button labels are
 * locale keys and button data is numeric, so no title can break a post or forge a button.
 */
import type { Tx } from "../../db/database.ts";
import type { Locale } from "../../i18n/locales.ts";
import type { FileSpec, MessageSpec, Target, Translate } from "../message.ts";
import { escapeHtml, rich } from "../rich-text.ts";
import { personAt, staffTargets } from "../people.ts";
import { may } from "../permissions.ts";
import { truncate } from "../text.ts";
import type { Unit } from "../unit.ts";
import { displayPhone, localDate } from "../members/render.ts";

/** The tag of a problem's post; the thread's other messages are tagged `problem:<id>:<suffix>`. */
export const postTag = (problemId: number): string => `problem:${problemId}`;

/** The problem a thread tag names (`problem:<id>` or `problem:<id>:…`), or null for other tags. */
export function problemOfTag(tag: string | null | undefined): number | null {
  const m = /^problem:(\d{1,9})(?::|#|$)/.exec(tag ?? "");
  return m ? Number(m[1]) : null;
}

/** The description shown in the post is cut here (code points); the whole text follows in the thread. */
export const POST_DESCRIPTION_MAX = 1500;
/** Telegram forum topic names: at most 128 characters. */
const TOPIC_MAX = 120;
/** Album size on Telegram (and the problem's per-message limit). */
const FILES_PER_SEND = 10;

/** What the post shows, read fresh from the data. */
export interface PostData {
  id: number;
  ref: string;
  title: string;
  description: string;
  category: string;
  status: string;
  forwardedTo: string | null;
  anonymous: boolean;
  revision: number;
  createdAt: Date;
  assignee: string | null;
  enterprise: { name: string; region: string; sector: string } | null;
  /** Who reported it and the phone they gave; null once they erased their data (the problem stays the enterprise's). */
  reporter: { name: string | null; phone: string | null } | null;
  affected: number;
  files: { fileId: number; name: string | null; kind: string }[];
}

export async function loadPost(tx: Tx, problemId: number): Promise<PostData | null> {
  const p = await tx.problem.findUnique({
    where: { id: problemId },
    include: {
      affected: { select: { enterpriseId: true } },
      entries: { where: { kind: "report" }, orderBy: { id: "asc" }, take: 1, include: { files: { orderBy: { id: "asc" } } } },
    },
  });
  if (!p) return null;
  const enterprise = await tx.enterprise.findUnique({ where: { id: p.enterpriseId }, select: { name: true, region: true, sector: true } });
  const assignee = p.assigneeId ? await tx.person.findUnique({ where: { id: p.assigneeId }, select: { name: true } }) : null;
  const reporter = p.reporterId ? await tx.person.findUnique({ where: { id: p.reporterId }, select: { name: true, phone: true, erasedAt: true } }) : null;
  const fileRows = p.entries[0]?.files ?? [];
  const kinds = new Map((await tx.storedFile.findMany({ where: { id: { in: fileRows.map((f) => f.fileId) } }, select: { id: true, kind: true } })).map((f) => [f.id, f.kind]));
  // The reporter's enterprise and those that joined, each once (whether or not the reporter's has a row).
  const affected = new Set([p.enterpriseId, ...p.affected.map((a) => a.enterpriseId)]).size;
  return {
    id: p.id,
    ref: p.ref,
    title: p.title,
    description: p.description,
    category: p.category,
    status: p.status,
    forwardedTo: p.forwardedTo,
    anonymous: p.anonymous,
    revision: p.revision,
    createdAt: p.createdAt,
    // Staff rarely give the bot a name: "" is shown as "a staff member", in each copy's language.
    assignee: p.assigneeId ? (assignee?.name ?? "") : null,
    enterprise,
    reporter: reporter && !reporter.erasedAt && (reporter.name || reporter.phone) ? { name: reporter.name, phone: reporter.phone } : null,
    affected,
    files: fileRows.map((f) => ({ fileId: f.fileId, name: f.name, kind: kinds.get(f.fileId) ?? "document" })),
  };
}

/** A locale key's text when the locales have it, else `fallback` (category and status names belong to other parts). */
type Has = (key: string) => boolean;
const named = (t: Translate, has: Has, key: string, fallback: string) => (has(key) ? rich(t(key)) : fallback);

export const categoryName = (t: Translate, has: Has, category: string) => named(t, has, `problem-cat-${category}`, category);
export const statusName = (t: Translate, has: Has, status: string) => named(t, has, `problem-status-${status}`, status);

/** The post's text: the anonymity choice first (it decides what staff may say outside), then the problem. */
export function postText(d: PostData, t: Translate, has: Has): string {
  const parts: string[] = [];
  parts.push(t(d.anonymous ? "thread-post-anonymous" : "thread-post-named"));
  parts.push(t("thread-post-head", { ref: d.ref, category: categoryName(t, has, d.category), title: truncate(d.title, 300), date: localDate(d.createdAt) }));
  const description = truncate(d.description, POST_DESCRIPTION_MAX);
  parts.push(escapeHtml(description) + (description !== d.description ? `\n${t("thread-post-more")}` : ""));
  const lines: string[] = [];
  if (d.enterprise) {
    lines.push(
      t("thread-post-enterprise", {
        name: truncate(d.enterprise.name, 200),
        region: named(t, has, `region-${d.enterprise.region}`, d.enterprise.region),
        sector: named(t, has, `sector-${d.enterprise.sector}`, d.enterprise.sector),
      }),
    );
  }
  if (d.reporter) lines.push(t("thread-post-reporter", { name: truncate(d.reporter.name ?? "—", 100), phone: displayPhone(d.reporter.phone) }));
  lines.push(t("thread-post-affected", { count: d.affected }));
  if (d.files.length) lines.push(t("thread-post-files", { count: d.files.length }));
  parts.push(lines.join("\n"));
  const state = [t("thread-post-status", { status: statusName(t, has, d.status) })];
  if (d.forwardedTo) state.push(t("thread-post-forwarded", { to: truncate(d.forwardedTo, 300) }));
  const assignee = d.assignee ? truncate(d.assignee, 100) : rich(t("notice-someone"));
  state.push(d.assignee !== null ? t("thread-post-assignee", { name: assignee }) : t("thread-post-unassigned"));
  parts.push(state.join("\n"));
  parts.push(t("thread-post-hint"));
  return parts.join("\n\n");
}

/** The staff buttons: Take and Status name the revision shown; Note needs none (a note changes nothing). */
export function postButtons(d: PostData): MessageSpec["choices"] {
  const v = d.revision.toString(36);
  return [
    [
      { data: `ps:t:${d.id}:${v}`, label: "thread-button-take" },
      { data: `ps:s:${d.id}:${v}`, label: "thread-button-status" },
      { data: `ps:n:${d.id}`, label: "thread-button-note" },
    ],
  ];
}

function postSpec(unit: Unit, d: PostData): MessageSpec {
  const has: Has = (key) => unit.services.i18n.has(key);
  return { text: (t) => postText(d, t, has), choices: postButtons(d) };
}

/** Files in sends the platforms take: photos and documents apart (an album mixes neither), at most 10 each. */
export function fileBatches(files: { fileId: number; name: string | null; kind: string }[]): FileSpec[][] {
  const batches: FileSpec[][] = [];
  for (const kind of ["photo", "document"]) {
    const of = files.filter((f) => (kind === "photo" ? f.kind === "photo" : f.kind !== "photo"));
    for (let i = 0; i < of.length; i += FILES_PER_SEND) batches.push(of.slice(i, i + FILES_PER_SEND).map((f) => ({ fileId: f.fileId, name: f.name })));
  }
  return batches;
}

/**
 * Posts a new problem to the staff chat: the post (a forum topic of its own where the chat is a
 * forum), then, in its thread, the files and the full description when the post had to cut it.
 */
export async function postProblemThread(unit: Unit, problemId: number): Promise<void> {
  const d = await loadPost(unit.tx, problemId);
  if (!d) return;
  const tag = postTag(d.id);
  for (const target of await staffTargets(unit.tx, unit.settings, unit.staffChat.target)) {
    await unit.outbox.send(target, { ...postSpec(unit, d), openThread: { key: "thread-topic", args: { ref: d.ref, title: truncate(d.title, TOPIC_MAX - d.ref.length - 1) } } }, { tag });
    if (truncate(d.description, POST_DESCRIPTION_MAX) !== d.description) {
      await unit.outbox.send(target, { text: (t) => `${t("thread-description-full", { ref: d.ref })}\n\n${escapeHtml(d.description)}` }, { tag: `${tag}:d`, anchor: tag });
    }
    let n = 0;
    for (const files of fileBatches(d.files)) {
      await unit.outbox.send(target, { text: { key: "thread-files", args: { ref: d.ref } }, files }, { tag: `${tag}:f${n++}`, anchor: tag });
    }
  }
}

/** Re-renders every copy of the post that someone may still read (the staff chat, private chats of people who are staff now). */
export async function problemThreadChanged(unit: Unit, problemId: number): Promise<void> {
  const d = await loadPost(unit.tx, problemId);
  if (!d) return;
  const spec = postSpec(unit, d);
  await unit.outbox.editTagged(postTag(d.id), () => spec, { allow: (target) => staffMayRead(unit, target) });
  await scrubGoneAuthors(unit, problemId);
}

/**
 * The staff chat while it can be reached, and the private chats of people who are staff now, may
 * receive the thread (as staff/notices.ts). A staff group that refuses messages gets nothing more:
 * the thread then goes to staff privately (see {@link resendDropped}).
 */
export async function staffMayRead(unit: Unit, target: Target): Promise<boolean> {
  if (unit.staffChat.is(target.channel, target.chatId)) return !unit.staffChat.down;
  return may(await personAt(unit.tx, target.channel, target.chatId), { action: "staff.view" }).ok;
}

/**
 * The chats of a problem's thread: those holding its post that may still read it. When none does
 * (a problem from before the staff chat moved, or whose post was never delivered), the staff chat
 * now, where messages go without an anchor.
 */
export async function threadChats(unit: Unit, problemId: number): Promise<{ target: Target; anchored: boolean }[]> {
  const chats: { target: Target; anchored: boolean }[] = [];
  for (const target of await unit.outbox.chatsWith(postTag(problemId))) {
    if (await staffMayRead(unit, target)) chats.push({ target, anchored: true });
  }
  if (chats.length) return chats;
  return (await staffTargets(unit.tx, unit.settings, unit.staffChat.target)).map((target) => ({ target, anchored: false }));
}

/**
 * A message of a problem's thread the staff group refused (it became unreachable: core.ts
 * staffChatUnreachable), with `tag`: the post is posted again (now to each staff member privately,
 * with its current state) and a relayed entry relayed again, so that nothing the member wrote is
 * lost. Other thread messages (acknowledgements, files of the post) are not: the post brings its files.
 */
export async function resendDropped(unit: Unit, tag: string | null): Promise<void> {
  const m = /^problem:(\d{1,9})(?::m(\d{1,9}))?$/.exec(tag ?? "");
  if (!m) return;
  const problemId = Number(m[1]);
  if (m[2]) await relayEntryToStaff(unit, problemId, Number(m[2]));
  else await postProblemThread(unit, problemId);
}

/** Who wrote an entry, as staff see it: the person's name and, for a member, their enterprise. */
async function authorOf(tx: Tx, personId: number | null): Promise<{ name: string | null; enterprise: string | null }> {
  if (!personId) return { name: null, enterprise: null };
  const person = await tx.person.findUnique({ where: { id: personId }, select: { name: true, membership: { select: { enterprise: { select: { name: true } } } } } });
  return { name: person?.name ?? null, enterprise: person?.membership?.enterprise.name ?? null };
}

/** Sends `spec` into the thread of problem `problemId` (as a reply to the post / in its topic), tagged `problem:<id>:<suffix>`; `except`: a chat left out. */
export async function sendToThread(unit: Unit, problemId: number, suffix: string, spec: (locale: Locale) => MessageSpec, except?: { channel: string; chatId: string }): Promise<void> {
  for (const { target, anchored } of await threadChats(unit, problemId)) {
    if (except && target.channel === except.channel && target.chatId === except.chatId) continue;
    const tag = `${postTag(problemId)}:${suffix}`;
    const built = spec(target.locale);
    const batches = built.files?.length ? chunk(built.files, FILES_PER_SEND) : [undefined];
    for (const [i, files] of batches.entries()) {
      // The text once, with the first files; further files follow in the thread.
      const part: MessageSpec = i === 0 ? { ...built, ...(files ? { files } : {}) } : { text: { key: "thread-files-more" }, files: files! };
      await unit.outbox.send(target, part, { tag: i === 0 ? tag : `${tag}.${i}`, ...(anchored ? { anchor: postTag(problemId) } : {}) });
    }
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What a relayed entry says in the thread (its text, and its files when sent first), read fresh: an erased author is no longer named. */
async function entrySpec(unit: Unit, problemId: number, entryId: number): Promise<{ text: (t: Translate) => string; files: FileSpec[] } | null> {
  const entry = await unit.tx.problemEntry.findUnique({ where: { id: entryId }, include: { files: { orderBy: { id: "asc" } } } });
  if (!entry || entry.problemId !== problemId || !SHOWN.includes(entry.kind)) return null;
  const problem = await unit.tx.problem.findUnique({ where: { id: problemId }, select: { ref: true } });
  if (!problem) return null;
  const author = await authorOf(unit.tx, entry.authorId);
  // The enterprise that joined is the problem's record, not the person's: named even once they are gone.
  const joined =
    entry.kind === "joined"
      ? ((await unit.tx.problemAffected.findFirst({ where: { problemId, joinedAt: entry.at }, select: { enterpriseId: true } })) ?? null)
      : null;
  const joinedName = joined ? ((await unit.tx.enterprise.findUnique({ where: { id: joined.enterpriseId }, select: { name: true } }))?.name ?? null) : null;
  const has: Has = (key) => unit.services.i18n.has(key);
  const text = (t: Translate): string => {
    // Rich text from here on: placed as an argument, it is not escaped twice.
    const who = rich(author.name ? (author.enterprise ? t("thread-who-member", { name: author.name, enterprise: author.enterprise }) : escapeHtml(author.name)) : t("thread-someone"));
    const body = entry.text ? `\n\n${escapeHtml(entry.text)}` : "";
    const ref = problem.ref;
    switch (entry.kind) {
      case "joined":
        return t("thread-relay-joined", { ref, enterprise: joinedName ?? author.enterprise ?? "—" }) + body;
      case "note":
        return t("thread-relay-note", { ref, who }) + body;
      case "staff":
        // A staff reply written in a private chat, echoed into the thread (relay.ts).
        return t("thread-relay-staff", { ref, who }) + body;
      case "status":
        return (
          t("thread-relay-status", {
            ref,
            who,
            from: entry.fromStatus ? statusName(t, has, entry.fromStatus) : "—",
            to: entry.status ? statusName(t, has, entry.status) : "—",
          }) + body
        );
      default:
        return t("thread-relay-member", { ref, who }) + body;
    }
  };
  return { text, files: entry.files.map((f) => ({ fileId: f.fileId, name: f.name })) };
}

/** Entries shown in the thread as they come (staff replies were written there; the report is the post). */
const RELAYED = ["member", "joined", "note", "status"];
/** Entries that may have a copy in the thread to re-render: those relayed, and staff replies echoed from a private chat (relay.ts). */
const SHOWN = [...RELAYED, "staff"];

/**
 * A timeline entry relayed into the thread: a member's message (with its files), an enterprise
 * joining, a status change the member made ("not solved"), a note. Staff replies are not echoed
 * here: they were written in the thread (a reply from a private chat is echoed by relay.ts).
 */
export async function relayEntryToStaff(unit: Unit, problemId: number, entryId: number): Promise<void> {
  const kind = (await unit.tx.problemEntry.findUnique({ where: { id: entryId }, select: { kind: true } }))?.kind;
  if (!kind || !RELAYED.includes(kind)) return;
  const spec = await entrySpec(unit, problemId, entryId);
  if (!spec) return;
  await sendToThread(unit, problemId, `m${entryId}`, () => ({ text: spec.text, ...(spec.files.length ? { files: spec.files } : {}) }));
}

/**
 * Relayed entries whose author is gone (erased) are re-rendered without their name, wherever the
 * thread holds them (erasure re-renders the problem: thread-hooks.ts problemChanged).
 */
async function scrubGoneAuthors(unit: Unit, problemId: number): Promise<void> {
  const gone = await unit.tx.problemEntry.findMany({ where: { problemId, authorId: null, kind: { in: SHOWN } }, select: { id: true } });
  for (const { id } of gone) {
    const tag = `${postTag(problemId)}:m${id}`;
    if (!(await unit.outbox.chatsWith(tag)).length) continue;
    const spec = await entrySpec(unit, problemId, id);
    if (spec) await unit.outbox.editTagged(tag, () => ({ text: spec.text }), { allow: (target) => staffMayRead(unit, target) });
  }
}
