/**
 * Erasure of a person's data on request (withdrawal of consent, Law No. 94-V), and what "My data"
 * shows before it. Services on a unit of work (unit.ts): the privacy flow calls them inside
 * `d.act`; a dashboard or a job could call them alike.
 */
import { requestScrub } from "../../db/database.ts";
import type { Translate } from "../message.ts";
import { rich } from "../rich-text.ts";
import { closeEmployeesOf } from "../staff/decide.ts";
import { forgetNoticesIn, parseNoticeTag, refreshNotice, scrubNotices, tellStaff } from "../staff/notices.ts";
import type { Unit } from "../unit.ts";
import { blankChange, changesRequestedBy, deleteMembership, joinRequestsOf, anonymiseEnterprise, makeOwnerless, lockEnterprise, membershipOf, withdrawChange, withdrawEnterprise } from "./enterprises.ts";
import { clearPerson, forgetAuditDetails, forgetIdentities, identitiesOf, personalDataOf } from "../people.ts";
import { enterpriseLines, localDate } from "./render.ts";
import { forgetProblemPerson } from "../problems/data.ts";
import { forgetBroadcastPerson } from "../broadcasts/data.ts";
import { forgetEventPerson } from "../events/data.ts";
import { threadHooks } from "../problems/thread-hooks.ts";
import { LIVE_ENTERPRISE, type EnterpriseStatus } from "./status.ts";

/** What the bot keeps about the acting person, as "My data" shows it; null when nobody acts (or no such person). */
export async function whatIsKept(unit: Unit): Promise<{
  name: string | null;
  phone: string | null;
  consentAt: string | null;
  enterprise: string | null;
  iin: string | null;
  iinKind: string | null;
} | null> {
  if (!unit.actor) return null;
  const p = await personalDataOf(unit.tx, unit.actor.personId);
  const m = await membershipOf(unit.tx, unit.actor.personId);
  // A sole proprietor's IIN is their personal data too: "My data" shows it (their own only).
  const iin = m && m.role === "owner" && m.enterprise.binKind === "sole-proprietor" && /^\d{12}$/.test(m.enterprise.bin) ? m.enterprise.bin : null;
  return p
    ? {
        name: p.name,
        phone: p.phone,
        consentAt: p.consentAt ? localDate(p.consentAt) : null,
        enterprise: m ? m.enterprise.name : null,
        iin,
        iinKind: iin ? m!.enterprise.binKind : null,
      }
    : null;
}

/**
 * Erases a person's personal data; what is not personal (an enterprise's BIN and name) stays for
 * the association. Every status change goes through the tables in status.ts:
 * - an owner's pending application is withdrawn, and the requests to join it are closed;
 * - a sole proprietor's enterprise (its IIN and trade name are the person's) is anonymised and,
 *   if live, withdrawn: its employees' requests are closed and memberships ended;
 * - any other approved member enterprise stays a member without an owner (`ownerless`): staff are
 *   told, and whoever enters its BIN may ask to take it over.
 * - the industry problems their enterprise reported stay (the association's work on them goes on),
 *   but no longer name them: not as reporter, author of an entry, or who joined; what they wrote
 *   stays as the enterprise's report (problems/data.ts forgetProblemPerson);
 * - their enterprise's answers to events stay, no longer naming them (events/data.ts forgetEventPerson);
 * - the broadcasts they wrote stay, no longer naming them nor keeping their chat (broadcasts/data.ts).
 * People affected are told what happened without any of the erased person's data.
 * The database is asked to overwrite the freed pages and empty its WAL once this commits.
 */
export async function erasePerson(unit: Unit, personId: number): Promise<void> {
  const { tx } = unit;
  requestScrub(tx);
  // Their enterprise changes (withdrawn, ownerless): under its lock, read again once held.
  const held = await membershipOf(tx, personId);
  if (held) await lockEnterprise(tx, held.enterprise.id);
  const m = held && (await membershipOf(tx, personId));
  const identities = await identitiesOf(tx, personId);
  // What still waits for them (a decision naming their trade name), and the delivery history naming their chat.
  for (const chat of identities) await unit.outbox.forgetChat(chat);
  if (m) {
    const e = m.enterprise;
    const live = LIVE_ENTERPRISE.includes(e.status as EnterpriseStatus);
    if (m.role === "owner") {
      if (e.binKind === "sole-proprietor") {
        if (live) await closeEmployeesOf(unit, e.id, "owner-left");
        // A sole proprietor's IIN and trade name identify the person, also in join-request notices.
        const anonymous = { name: "—", bin: `erased-${e.id}` };
        if (live) await withdrawEnterprise(tx, e.id, anonymous);
        else await anonymiseEnterprise(tx, e.id, anonymous);
        for (const id of await joinRequestsOf(tx, e.id)) await scrubNotices(unit, "join", id);
      } else if (e.status === "pending") {
        await closeEmployeesOf(unit, e.id, "owner-left");
        await withdrawEnterprise(tx, e.id);
      } else if (e.status === "active") {
        await makeOwnerless(tx, e.id);
        await tellStaff(unit, {
          text: (t: Translate) => t("notice-ownerless", { details: rich(enterpriseLines(t, { name: e.name, bin: e.bin, binKind: e.binKind })) }),
        });
      }
    }
    await deleteMembership(tx, m.id);
    if (m.role === "owner") await scrubNotices(unit, "application", e.id, { decision: "erased" });
    // An employee's or claimant's request (and an owner's approved take-over request).
    await scrubNotices(unit, "join", m.id, { decision: "erased" });
  }
  // Their change requests: pending ones are withdrawn; a sole proprietor's values (names, IINs) go.
  for (const c of await changesRequestedBy(tx, personId)) {
    const personal = c.binKind === "sole-proprietor";
    const withdrawn = await withdrawChange(tx, c.id, unit.now);
    if (personal) await blankChange(tx, c.id);
    if (withdrawn) await refreshNotice(unit, "change", c.id, { decision: "withdrawn" });
    if (personal) await scrubNotices(unit, "change", c.id);
  }
  // The problems their enterprise reported stay the enterprise's, without their name and phone:
  // they are no longer named as reporter, author or who joined; the staff threads that named them
  // (their own problems and any other they wrote in, joined or were assigned) are re-rendered.
  for (const problemId of await forgetProblemPerson(tx, personId, identities)) await threadHooks.problemChanged(unit, problemId);
  // Their enterprise's event answers stay, without them as who answered (events/data.ts).
  await forgetEventPerson(tx, personId);
  // The broadcasts they wrote stay, without them as author and without their chat (broadcasts/data.ts).
  await forgetBroadcastPerson(tx, personId, identities);
  await clearPerson(tx, personId, unit.now);
  // Staff wrote why they refused this person's requests; the audit keeps that it happened, not why.
  if (m) {
    const subjects = m.role === "owner" ? [`application:${m.enterprise.id}`, `join:${m.id}`] : [`join:${m.id}`];
    await forgetAuditDetails(tx, subjects);
  }
  // If they were staff, their copies of notices go too.
  await forgetNoticesIn(unit, identities);
  // What was sent to them, recorded to be edited later (a problem's acknowledgement, a question): nothing will.
  for (const chat of identities) await unit.outbox.forgetSent(chat, (tag) => !!parseNoticeTag(tag));
  await forgetIdentities(tx, personId, identities);
}
