/**
 * What staff see: a notice per application, join request or identity change, with Approve and
 * Reject buttons. Notices are tagged, so once one is decided every copy of it (in the staff group
 * or in each staff member's chat) is edited to say who decided, and its buttons disappear.
 */
import type { Tx } from "../../db/database.ts";
import { rich } from "../rich-text.ts";
import type { MessageSpec, Translate, Turn } from "../turn.ts";
import { staffTargets } from "../people.ts";
import { changeById, enterpriseById, membershipById, ownerOf, type EnterpriseView } from "../members/enterprises.ts";
import { contactLines, enterpriseLines } from "../members/render.ts";

export type NoticeKind = "application" | "join" | "change";

export const noticeTag = (kind: NoticeKind, id: number): string => `${kind}:${id}`;

/** The notice a tag names, or null for other tags. */
export function parseNoticeTag(tag: string | null): { kind: NoticeKind; id: number } | null {
  const m = /^(application|join|change):(\d+)$/.exec(tag ?? "");
  return m ? { kind: m[1] as NoticeKind, id: Number(m[2]) } : null;
}

/** Button data: s:<verb>:<id>. Verbs: ap/rj application, ja/jr join, ca/cr change. */
export const STAFF_VERBS = {
  application: { approve: "ap", reject: "rj" },
  join: { approve: "ja", reject: "jr" },
  change: { approve: "ca", reject: "cr" },
} as const;

export interface Decided {
  decision: "approved" | "rejected" | "withdrawn" | "superseded" | "erased";
  by?: string;
  reason?: string;
}

type NoticeData = { status: string; submission: number } & (
  | { kind: "application"; id: number; enterprise: EnterpriseView; contactName: string | null; phone: string | null; channel: string | null }
  | { kind: "join"; id: number; enterprise: EnterpriseView; contactName: string | null; phone: string | null; channel: string | null }
  | { kind: "change"; id: number; enterprise: EnterpriseView; field: "name" | "bin"; oldValue: string; newValue: string }
);

async function channelOf(tx: Tx, personId: number): Promise<string | null> {
  const identity = await tx.channelIdentity.findFirst({ where: { personId }, orderBy: { id: "asc" }, select: { channel: true } });
  return identity?.channel ?? null;
}

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
      enterprise,
      contactName: owner?.contactName ?? null,
      phone: owner?.phone ?? null,
      channel: owner ? await channelOf(tx, owner.personId) : null,
    };
  }
  if (kind === "join") {
    const m = await membershipById(tx, id);
    if (!m) return null;
    return {
      kind,
      id,
      status: m.status,
      submission: m.requested,
      enterprise: m.enterprise,
      contactName: m.contactName,
      phone: m.phone,
      channel: await channelOf(tx, m.personId),
    };
  }
  const c = await changeById(tx, id);
  if (!c) return null;
  const enterprise = await enterpriseById(tx, c.enterpriseId);
  if (!enterprise) return null;
  return { kind, id, status: c.status, submission: c.requested, enterprise, field: c.field, oldValue: c.oldValue, newValue: c.newValue };
}

function text(data: NoticeData, decided: Decided | undefined, t: Translate): string {
  const parts: string[] = [];
  if (data.kind === "change") {
    parts.push(t("notice-change-title", { id: String(data.id), name: data.enterprise.name }));
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
        ? t("notice-application-title", { id: String(data.id) })
        : t("notice-join-title", { id: String(data.id), name: data.enterprise.name }),
    );
    parts.push(enterpriseLines(t, data.enterprise));
    parts.push(contactLines(t, { contactName: data.contactName ?? "—", phone: data.phone ?? "" }));
    if (data.channel) parts.push(t("notice-via", { channel: rich(t(`channel-${data.channel}`)) }));
  }
  if (decided) {
    const by = decided.by ?? t("notice-someone");
    parts.push(
      decided.reason
        ? t(`notice-decided-${decided.decision}-reason`, { by, reason: decided.reason })
        : t(`notice-decided-${decided.decision}`, { by }),
    );
  }
  return parts.filter(Boolean).join("\n\n");
}

function spec(data: NoticeData, decided?: Decided): MessageSpec {
  const verbs = STAFF_VERBS[data.kind];
  const v = data.submission.toString(36);
  return {
    text: (t) => text(data, decided, t),
    // Buttons only while it waits for a decision; they name the submission they were shown for.
    ...(decided || data.status !== "pending"
      ? {}
      : {
          choices: [
            [
              { data: `s:${verbs.approve}:${data.id}:${v}`, label: "notice-approve" },
              { data: `s:${verbs.reject}:${data.id}:${v}`, label: "notice-reject" },
            ],
          ],
        }),
  };
}

/** Sends a new notice to the staff chat, or to every staff member. */
export async function notifyStaff(turn: Turn, kind: NoticeKind, id: number): Promise<void> {
  const data = await load(turn.tx, kind, id);
  if (!data) return;
  for (const target of await staffTargets(turn.tx, turn.services.settings, turn.services.staffChatDown)) {
    await turn.send(target, spec(data), { tag: noticeTag(kind, id) });
  }
}

/** Sends the notice for one item into the current chat (the pending list); decisions edit it too. */
export async function showNotice(turn: Turn, kind: NoticeKind, id: number): Promise<void> {
  const data = await load(turn.tx, kind, id);
  if (data) await turn.send(turn.here, spec(data), { tag: noticeTag(kind, id) });
}

/**
 * Re-renders every copy of a notice: after a decision (without buttons), or after the applicant
 * edited a request that still waits. A decided notice is left as it is unless `decided` says more.
 */
export async function refreshNotice(turn: Turn, kind: NoticeKind, id: number, decided?: Decided): Promise<void> {
  const data = await load(turn.tx, kind, id);
  if (!data || (!decided && data.status !== "pending")) return;
  const s = spec(data, decided);
  await turn.editTagged(noticeTag(kind, id), () => s);
}
