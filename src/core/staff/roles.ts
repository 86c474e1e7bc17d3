/**
 * Staff and admin roles as services on a unit of work (unit.ts). The caller checks `team.manage`
 * (permissions.ts) first; the team flow (team.ts) is the chat's way in.
 */
import type { ChannelName } from "../channel.ts";
import { addPersonAt, audit, identitiesOf, isConfiguredAdmin, personByIdentity, setRole, staffAndAdmins, targetsOf, type Role } from "../people.ts";
import type { Unit } from "../unit.ts";
import { forgetNoticesIn } from "./notices.ts";

/** Staff and admins, oldest first, as plain data (name, first identity, whether configured). */
export async function teamList(unit: Unit): ReturnType<typeof staffAndAdmins> {
  return staffAndAdmins(unit.tx);
}

/**
 * Gives `role` to the person behind (`channel`, `externalId`), creating them when they have never
 * written. Never lowers a role here (removing is {@link revokeRole}), and never touches an admin
 * from the configuration. The caller checks `team.manage` first (permissions.ts). Audited; the
 * person is told.
 */
export async function grantRole(unit: Unit, channel: ChannelName, externalId: string, role: Role): Promise<"granted" | "configured" | "already-admin"> {
  const found = await personByIdentity(unit.tx, channel, externalId);
  if (found?.configuredAdmin) return "configured";
  if (found?.role === "admin" && role === "staff") return "already-admin";
  const personId = found ? found.personId : await addPersonAt(unit.tx, channel, externalId, role);
  if (found) await setRole(unit.tx, personId, role);
  await audit(unit.tx, { actorId: unit.actor!.personId, actorRef: unit.actorRef, action: `grant-${role}`, subject: `person:${personId}`, outcome: "ok" }, unit.now);
  const where = unit.staffChat.current ? "-group" : "";
  for (const target of await targetsOf(unit.tx, personId, unit.settings.defaultLocale)) {
    await unit.outbox.send(target, { text: `team-you-are-${role}${where}` });
  }
  return "granted";
}

/**
 * Takes the staff or admin role from a person (not from an admin of the configuration: false).
 * Their copies of notices (applicants' contacts) are withdrawn from their chats. The caller checks
 * `team.manage` first. Audited.
 */
export async function revokeRole(unit: Unit, personId: number): Promise<boolean> {
  if (await isConfiguredAdmin(unit.tx, personId)) return false;
  await setRole(unit.tx, personId, "member");
  await forgetNoticesIn(unit, await identitiesOf(unit.tx, personId));
  await audit(unit.tx, { actorId: unit.actor!.personId, actorRef: unit.actorRef, action: "revoke", subject: `person:${personId}`, outcome: "ok" }, unit.now);
  return true;
}
