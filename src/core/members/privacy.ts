/**
 * "My data": what the bot keeps about a person, and erasure on request (withdrawal of consent).
 * Erasure removes the name, phone, language and every chat identity; a sole proprietor's IIN is
 * personal data too, so such an enterprise is anonymised. Staff notices are edited to drop the
 * details. The person is told before their chat identity disappears.
 */
import { rich } from "../rich-text.ts";
import type { Translate, Turn } from "../turn.ts";
import type { FlowExit, Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { forgetNoticesIn, refreshNotice, scrubNotices } from "../staff/notices.ts";
import { closeEmployeesOf } from "../staff/decisions.ts";
import { membershipOf } from "./enterprises.ts";
import { contactLines } from "./render.ts";

const ALMATY_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Almaty", year: "numeric", month: "2-digit", day: "2-digit" });

export const privacyFlow: FlowDef<Json> = {
  name: "privacy",
  version: 1,
  title: "flow-privacy",
  async run(d): Promise<FlowExit | void> {
    const data = await d.act("load", async (turn) => {
      if (!turn.actor) return null;
      const p = await turn.tx.person.findUnique({ where: { id: turn.actor.personId } });
      const m = await membershipOf(turn.tx, turn.actor.personId);
      return p
        ? {
            name: p.name,
            phone: p.phone,
            // The day as people in Kazakhstan count it (UTC+5, one time zone since March 2024).
            consentAt: p.consentAt ? ALMATY_DAY.format(p.consentAt) : null,
            enterprise: m ? m.enterprise.name : null,
          }
        : null;
    });
    if (!data) return;
    const action = await d.choice(
      (t: Translate) =>
        t("privacy-summary", {
          contact: rich(data.name || data.phone ? contactLines(t, { contactName: data.name ?? "—", phone: data.phone ?? "" }) : t("privacy-nothing")),
          enterprise: data.enterprise ?? "—",
          consent: data.consentAt ?? "—",
        }),
      [[{ id: "erase", label: "privacy-erase-button" }], [{ id: "back", label: "button-back" }]],
    );
    if (action === "back") return;
    const sure = await d.confirm("privacy-erase-confirm", "privacy-erase-yes", "button-no");
    if (!sure) return;
    await d.act("erase", async (turn) => {
      await turn.reply({ text: "privacy-erased", removeKeyboard: true });
      await erasePerson(turn, turn.actor!.personId);
    });
    return { end: true };
  },
};

/** Erases a person's personal data; what is not personal (an enterprise's BIN and name) stays for the association. */
export async function erasePerson(turn: Turn, personId: number): Promise<void> {
  const { tx } = turn;
  const m = await membershipOf(tx, personId);
  const identities = await tx.channelIdentity.findMany({ where: { personId } });
  if (m) {
    const e = m.enterprise;
    if (m.role === "owner") {
      // Without its owner, a sole proprietor's or a pending application ends, and with it the
      // requests to join it.
      if (e.binKind === "sole-proprietor" || e.status === "pending") await closeEmployeesOf(turn, e.id, "decision-join-enterprise-gone");
      if (e.binKind === "sole-proprietor") {
        // A sole proprietor's IIN and trade name identify the person, also in join-request notices.
        await tx.enterprise.update({
          where: { id: e.id },
          data: { name: "—", bin: `erased-${e.id}`, status: "withdrawn" },
        });
        const joins = await tx.membership.findMany({ where: { enterpriseId: e.id, role: "employee" }, select: { id: true } });
        for (const j of joins) await scrubNotices(turn, "join", j.id);
      } else if (e.status === "pending") {
        await tx.enterprise.update({ where: { id: e.id }, data: { status: "withdrawn" } });
      }
    }
    await tx.membership.delete({ where: { id: m.id } });
    if (m.role === "owner") await scrubNotices(turn, "application", e.id, { decision: "erased" });
  }
  if (m?.role === "employee") await scrubNotices(turn, "join", m.id, { decision: "erased" });
  // Their change requests: pending ones are withdrawn; a sole proprietor's values (names, IINs) go.
  const changes = await tx.enterpriseChange.findMany({ where: { requestedById: personId }, include: { enterprise: { select: { binKind: true } } } });
  for (const c of changes) {
    const personal = c.enterprise.binKind === "sole-proprietor";
    await tx.enterpriseChange.update({
      where: { id: c.id },
      data: {
        ...(c.status === "pending" ? { status: "withdrawn", decidedAt: turn.now } : {}),
        ...(personal ? { oldValue: "—", newValue: "—" } : {}),
      },
    });
    if (c.status === "pending") await refreshNotice(turn, "change", c.id, { decision: "withdrawn" });
    if (personal) await scrubNotices(turn, "change", c.id);
  }
  await tx.person.update({
    where: { id: personId },
    data: { name: null, phone: null, locale: null, role: "member", consentAt: null, consentVersion: null, erasedAt: turn.now },
  });
  // Staff wrote why they refused this person's requests; the audit keeps that it happened, not why.
  if (m) {
    const subjects = m.role === "owner" ? [`application:${m.enterprise.id}`] : [`join:${m.id}`];
    await tx.auditLog.updateMany({ where: { subject: { in: subjects } }, data: { detail: null } });
  }
  // If they were staff, their copies of notices go too.
  await forgetNoticesIn(turn, identities.map((i) => ({ channel: i.channel, chatId: i.externalId })));
  for (const i of identities) {
    // Their private conversation, and any they had in a group (keys end with their user id).
    await tx.dialogState.deleteMany({
      where: { OR: [{ key: `${i.channel}:${i.externalId}` }, { key: { startsWith: `${i.channel}:`, endsWith: `:${i.externalId}` } }] },
    });
    await tx.chatMenu.deleteMany({ where: { channel: i.channel, chatId: i.externalId } });
    await tx.auditLog.updateMany({ where: { actorRef: `${i.channel}:${i.externalId}` }, data: { actorRef: `erased:${personId}` } });
  }
  await tx.channelIdentity.deleteMany({ where: { personId } });
}
