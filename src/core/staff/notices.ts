/**
 * What staff see: a notice per application, join request or identity change, with Approve and
 * Reject buttons. Notices are tagged per submission ("application:12@<filed>"), so once one is
 * decided every copy of it (in the staff group or in each staff member's chat) is edited to say who
 * decided, and its buttons disappear; notices of an earlier submission keep their own history. The
 * buttons name the record's integer revision they showed ("s:ap:12:<revision, base 36>"), so an edit
 * made since invalidates them.
 */
import type { Tx } from "../../db/database.ts";
import { rich } from "../rich-text.ts";
import type { MessageSpec, Target, Translate } from "../message.ts";
import type { ChatRef } from "../outbox/outbox.ts";
import type { Unit } from "../unit.ts";
import { channelsOf, firstChannelOf, personAt, staffTargets } from "../people.ts";
import { may } from "../permissions.ts";
import { changeById, enterpriseById, joinBlocker, membershipById, ownerOf, type EnterpriseView, type MembershipRole } from "../members/enterprises.ts";
import { contactLines, enterpriseLines } from "../members/render.ts";

export type NoticeKind = "application" | "join" | "change";

const REF_PREFIX: Record<NoticeKind, string> = { application: "A", join: "J", change: "C" };

/**
 * The reference staff and people see for a request: its kind's letter and its number ("A-12",
 * "J-5", "C-4"). Each kind is numbered on its own, so the number alone would name two requests.
 */
export function refOf(kind: NoticeKind, id: number): string {
  return `${REF_PREFIX[kind]}-${id}`;
}

const noticeTag = (data: { kind: NoticeKind; id: number; submission: number }): string =>
  `${data.kind}:${data.id}@${data.submission.toString(36)}`;

/** The notice a tag names, or null for other tags. */
export function parseNoticeTag(tag: string | null): { kind: NoticeKind; id: number } | null {
  const m = /^(application|join|change):(\d+)@[0-9a-z]+$/.exec(tag ?? "");
  return m ? { kind: m[1] as NoticeKind, id: Number(m[2]) } : null;
}

/** Button data: s:<verb>:<id>. Verbs: ap/rj application, ja/jr join, ca/cr change. */
export const STAFF_VERBS = {
  application: { approve: "ap", reject: "rj" },
  join: { approve: "ja", reject: "jr" },
  change: { approve: "ca", reject: "cr" },
} as const;

/**
 * How a notice ends. `by` is the staff member who decided, when this turn knows them; without it
 * the notice says only what happened (nobody is invented). `closed`/`ended`: the enterprise did not
 * become, or stopped being, a member, which is no one's decision on this request.
 */
export interface Decided {
  decision: "approved" | "rejected" | "withdrawn" | "superseded" | "erased" | "closed" | "ended";
  by?: string;
  /** Decided now by staff who cannot be named (an anonymous admin): "a staff member", per copy's language. */
  someone?: boolean;
  reason?: string;
}

/** The channels the person uses and the one they prefer for notices (people.ts channelsOf). */
type Channels = { channels: string[]; preferred: string | null };

type NoticeData = { status: string; submission: number; revision: number } & (
  | { kind: "application"; id: number; enterprise: EnterpriseView; contactName: string | null; phone: string | null; channel: string | null; channels: Channels }
  | { kind: "join"; id: number; role: MembershipRole; enterprise: EnterpriseView; contactName: string | null; phone: string | null; channel: string | null; channels: Channels }
  | { kind: "change"; id: number; enterprise: EnterpriseView; field: "name" | "bin"; oldValue: string; newValue: string }
);

async function load(tx: Tx, kind: NoticeKind, id: number): Promise<NoticeData | null> {
  if (kind === "application") {
    const enterprise = await enterpriseById(tx, id);
    if (!enterprise) return null;
    const owner = await ownerOf(tx, id);
    return {
      kind,
      id,
      status: enterprise.status,
      submission: enterprise.submitted,
      revision: enterprise.revised,
      enterprise,
      contactName: owner?.contactName ?? null,
      phone: owner?.phone ?? null,
      channel: owner ? await firstChannelOf(tx, owner.personId) : null,
      channels: owner ? await channelsOf(tx, owner.personId) : { channels: [], preferred: null },
    };
  }
  if (kind === "join") {
    const m = await membershipById(tx, id);
    if (!m) return null;
    return {
      kind,
      id,
      role: m.role,
      status: m.status,
      submission: m.requested,
      revision: m.revised,
      enterprise: m.enterprise,
      contactName: m.contactName,
      phone: m.phone,
      channel: await firstChannelOf(tx, m.personId),
      channels: await channelsOf(tx, m.personId),
    };
  }
  const c = await changeById(tx, id);
  if (!c) return null;
  const enterprise = await enterpriseById(tx, c.enterpriseId);
  if (!enterprise) return null;
  return { kind, id, status: c.status, submission: c.requested, revision: c.revision, enterprise, field: c.field, oldValue: c.oldValue, newValue: c.newValue };
}

function text(data: NoticeData, decided: Decided | undefined, t: Translate): string {
  const parts: string[] = [];
  if (data.kind === "change") {
    parts.push(t("notice-change-title", { id: refOf("change", data.id), name: data.enterprise.name }));
    parts.push(
      t("notice-change-body", {
        field: rich(t(`field-${data.field}`)),
        old: data.oldValue,
        new: data.newValue,
      }),
    );
    parts.push(enterpriseLines(t, { bin: data.enterprise.bin, binKind: data.enterprise.binKind }));
  } else {
    parts.push(
      data.kind === "application"
        ? t("notice-application-title", { id: refOf("application", data.id) })
        : t(data.role === "claimant" ? "notice-takeover-title" : "notice-join-title", { id: refOf("join", data.id), name: data.enterprise.name }),
    );
    parts.push(enterpriseLines(t, data.enterprise));
    parts.push(contactLines(t, { contactName: data.contactName ?? "—", phone: data.phone ?? "" }));
    if (data.channel) parts.push(t("notice-via", { channel: rich(t(`channel-${data.channel}`)) }));
    // Staff see which channels a member uses once there is more than one, or a preference (issue 9).
    const { channels, preferred } = data.channels;
    if (channels.length > 1 || preferred) {
      parts.push(
        t("identity-staff-channels", {
          channels: rich(channels.map((c) => t(`channel-${c}`)).join(", ")),
          preferred: rich(t(preferred ? `channel-${preferred}` : "identity-route-last")),
        }),
      );
    }
    // Staff see why a join cannot be approved yet: its enterprise's own application waits.
    if (data.kind === "join" && !decided && data.status === "pending" && joinBlocker(data.role, data.enterprise.status) === "waiting") {
      parts.push(t("notice-join-waits", { ref: refOf("application", data.enterprise.id) }));
    }
  }
  if (decided) parts.push(decidedLine(decided, t, data));
  return parts.filter(Boolean).join("\n\n");
}

/** The notice's last line: what happened, and who decided when that is known. */
function decidedLine(decided: Decided, t: Translate, data: NoticeData): string {
  const { decision, reason } = decided;
  // A take-over request closed while its enterprise has an owner again: a rival request was
  // approved (closeClaims); "did not become a member" would misstate it.
  if (decision === "closed" && data.kind === "join" && data.role === "claimant" && data.enterprise.status === "active") {
    return t("notice-decided-closed-takeover");
  }
  const by = decided.by ?? (decided.someone ? t("notice-someone") : undefined);
  if (decision === "approved" || decision === "rejected") {
    if (by) return reason ? t(`notice-decided-${decision}-reason`, { by, reason }) : t(`notice-decided-${decision}`, { by });
    return reason ? t(`notice-status-${decision}-reason`, { reason }) : t(`notice-status-${decision}`);
  }
  return t(`notice-decided-${decision}`);
}

/** How a notice ends when nothing more is known than its state (who decided is not stored). */
function decidedFromStatus(status: string): Decided | undefined {
  if (status === "active" || status === "approved" || status === "ownerless") return { decision: "approved" };
  if (status === "rejected" || status === "withdrawn" || status === "superseded" || status === "closed" || status === "ended") return { decision: status };
  return undefined;
}

function spec(data: NoticeData, decided: Decided | undefined = decidedFromStatus(data.status)): MessageSpec {
  const verbs = STAFF_VERBS[data.kind];
  const v = data.revision.toString(36);
  const approve = { data: `s:${verbs.approve}:${data.id}:${v}`, label: "notice-approve" };
  const reject = { data: `s:${verbs.reject}:${data.id}:${v}`, label: "notice-reject" };
  // A join whose enterprise is still under review can be refused now, approved only later.
  const waits = data.kind === "join" && joinBlocker(data.role, data.enterprise.status) !== null;
  return {
    text: (t) => text(data, decided, t),
    // Buttons only while it waits for a decision; they name the revision they were shown for.
    ...(decided || data.status !== "pending" ? {} : { choices: [waits ? [reject] : [approve, reject]] }),
  };
}

/** Tells staff something that needs no decision (an enterprise that lost its owner). */
export async function tellStaff(unit: Unit, message: MessageSpec): Promise<void> {
  for (const target of await staffTargets(unit.tx, unit.settings, unit.staffChat.target)) {
    await unit.outbox.send(target, message);
  }
}

/** Sends a new notice to the staff chat, or to every staff member, while it waits for a decision. */
export async function notifyStaff(unit: Unit, kind: NoticeKind, id: number): Promise<void> {
  const data = await load(unit.tx, kind, id);
  if (!data || data.status !== "pending") return;
  for (const target of await staffTargets(unit.tx, unit.settings, unit.staffChat.target)) {
    await unit.outbox.send(target, spec(data), { tag: noticeTag(data) });
  }
}

/** Sends the notice for one item to `to` (the pending list, in the chat that asked); decisions edit it too. */
export async function showNotice(unit: Unit, to: Target, kind: NoticeKind, id: number): Promise<void> {
  const data = await load(unit.tx, kind, id);
  if (data) await unit.outbox.send(to, spec(data), { tag: noticeTag(data) });
}

/**
 * Re-renders every copy of the current submission's notice: after a decision (without buttons), or
 * after the applicant edited a request that still waits. A decided notice is left as it is unless
 * `decided` says more. Copies in the chat of someone who is no longer staff are not updated.
 */
export async function refreshNotice(unit: Unit, kind: NoticeKind, id: number, decided?: Decided): Promise<void> {
  const data = await load(unit.tx, kind, id);
  if (!data || (!decided && data.status !== "pending")) return;
  const s = spec(data, decided);
  await unit.outbox.editTagged(noticeTag(data), () => s, { allow: (target) => staffMayRead(unit, target) });
}

/**
 * Erasure: every copy of every submission's notices of this request shows the erased state (no
 * name, phone or IIN), wherever it is.
 */
export async function scrubNotices(unit: Unit, kind: NoticeKind, id: number, decided?: Decided): Promise<void> {
  const data = await load(unit.tx, kind, id);
  const s = data ? spec(data, decided ?? decidedFromStatus(data.status)) : { text: "notice-erased" };
  for (const tag of await unit.outbox.tagsLike(`${kind}:${id}@`)) await unit.outbox.editTagged(tag, () => s);
}

/**
 * A press on a notice the bot has no record of: a copy the platform stored although its answer
 * was lost, so the dispatcher sent it again (sends are at-least-once). The copy is recorded under
 * the notice's current tag, so that every later edit reaches it too, and is brought up to date now
 * (a decided notice loses its buttons). Call only for staff: the pressed message is real (the
 * platform names it), but the button data is not trusted to name the right notice beyond kind/id.
 * `pressed`: the message pressed, and the language of its chat (for a copy without a twin).
 */
export async function adoptCopy(unit: Unit, pressed: ChatRef & { messageId?: string; locale: Target["locale"] }, kind: NoticeKind, id: number): Promise<void> {
  const { messageId } = pressed;
  if (!messageId) return;
  const here = { channel: pressed.channel, chatId: pressed.chatId };
  const data = await load(unit.tx, kind, id);
  if (!data) return;
  const tag = noticeTag(data);
  // The dispatcher records a copy just after the platform answers the send: a press quicker than
  // that record (a slower database) is on a copy about to be recorded, not an unrecorded one.
  // "Being sent" is asked before "recorded": under PostgreSQL's READ COMMITTED each statement sees
  // what was committed when it began, and the dispatcher marks the row sent and records the copy in
  // one transaction. Asked in the other order, a commit between the two reads answers "no" to both.
  if (await unit.outbox.sending(here, tag)) return;
  if (await unit.outbox.known(here, messageId)) return;
  // The copy is in the language its twin was sent in; the chat's language otherwise.
  const twin = await unit.outbox.localeOf(here, tag);
  await unit.outbox.adopt(here, messageId, tag, twin ?? pressed.locale);
  unit.log.info("a copy of a notice the bot had not recorded was pressed; recorded and brought up to date", { notice: `${kind}:${id}` });
  const s = spec(data);
  await unit.outbox.editTagged(tag, () => s, { only: here });
}

/**
 * Someone is no longer staff (or erased): their copies of notices are replaced by a neutral line
 * and forgotten, so that later edits (an applicant's new phone) do not reach them.
 */
export async function forgetNoticesIn(unit: Unit, chats: ChatRef[]): Promise<void> {
  for (const chat of chats) {
    for (const tag of await unit.outbox.tagsLike("", chat)) {
      if (parseNoticeTag(tag)) await unit.outbox.editTagged(tag, () => ({ text: "notice-not-yours" }), { only: chat, forget: true });
    }
  }
}

/** The staff chat, and the private chats of people who are staff now, may receive notice updates. */
async function staffMayRead(unit: Unit, target: Target): Promise<boolean> {
  if (unit.staffChat.is(target.channel, target.chatId)) return true;
  return may(await personAt(unit.tx, target.channel, target.chatId), { action: "staff.view" }).ok;
}
