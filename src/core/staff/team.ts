/**
 * Staff and admins, managed by admins in the bot. The first admins come from configuration
 * (STAFF_TELEGRAM_IDS) and can only be removed there; nobody revokes themselves.
 */
import { rich } from "../rich-text.ts";
import type { ChannelName } from "../channel.ts";
import type { Translate } from "../message.ts";
import { fail, ok, type Json, type Option, type Parse } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { Role } from "../people.ts";
import { authorize } from "../permissions.ts";
import { grantRole, revokeRole, teamList } from "./roles.ts";
import type { InboundEvent } from "../channel.ts";

interface Member {
  id: number;
  role: string;
  label: string;
  configured: boolean;
  self: boolean;
}

function label(name: string | null, identity: { channel: string; externalId: string } | undefined): string {
  if (name) return name;
  return identity ? `${identity.channel} ${identity.externalId}` : "—";
}

/** How an admin names someone to promote: a Telegram user id (or a shared contact), a console persona. */
export function parseUserRef(channel: ChannelName, event: InboundEvent): Parse<string> {
  if (channel === "telegram" && event.type === "contact") {
    return event.userId ? ok(event.userId) : fail("team-error-contact-no-user");
  }
  if (event.type !== "text") return fail("team-error-user");
  const text = event.text.trim().replace(/^@/, "");
  if (channel === "telegram") return /^\d{1,15}$/.test(text) ? ok(text) : fail("team-error-user");
  if (channel === "console") return /^[\p{L}\p{N}_-]{1,32}$/u.test(text) ? ok(text.toLowerCase()) : fail("team-error-user");
  return fail("team-error-user");
}

export const teamFlow: FlowDef<Json> = {
  name: "team",
  version: 1,
  title: "flow-team",
  async run(d) {
    for (;;) {
      const team = await d.act("team", async (turn): Promise<Member[] | null> => {
        if (!(await authorize(turn, { action: "team.manage" }, "team"))) return null;
        const people = await teamList(turn.unit);
        return people.map((p) => ({
          id: p.id,
          role: p.role,
          label: label(p.name, p.identities[0]),
          configured: p.configuredAdmin,
          self: p.id === turn.actor!.personId,
        }));
      });
      if (!team) return;
      const revocable = team.filter((m) => !m.configured && !m.self);
      const options: Option[][] = [
        [
          { id: "add-staff", label: "team-add-staff" },
          { id: "add-admin", label: "team-add-admin" },
        ],
        ...revocable.map((m) => [{ id: `revoke-${m.id}`, label: (t: Translate) => t("team-revoke", { name: m.label }) }]),
        [{ id: "back", label: "button-back" }],
      ];
      const list = (t: Translate) =>
        team
          .map((m) =>
            t("team-line", {
              name: m.label,
              role: rich(t(`role-${m.role}`)),
              note: rich(m.configured ? t("team-configured") : m.self ? t("team-you") : ""),
            }),
          )
          .join("\n");
      const action = await d.choice((t) => t("team-list", { list: rich(list(t)) }), options, { settled: true });
      if (action === "back") return;
      if (action === "add-staff" || action === "add-admin") {
        const role: Role = action === "add-admin" ? "admin" : "staff";
        const channel = await d.act("channel", (turn) => turn.inbound.channel);
        const ref = await d.ask({ prompt: `team-ask-user-${channel}`, accept: (event) => parseUserRef(channel, event) });
        const done = await d.act("grant", async (turn) => {
          if (!(await authorize(turn, { action: "team.manage" }, `grant-${role}`))) return null;
          return grantRole(turn.unit, turn.inbound.channel, ref, role);
        });
        if (done === "granted") await d.say({ key: `team-granted-${role}`, args: { user: ref } });
        else if (done) await d.say({ key: `team-not-changed-${done}`, args: { user: ref } });
        continue;
      }
      const member = revocable.find((m) => `revoke-${m.id}` === action);
      if (!member) continue;
      if (!(await d.confirm({ key: "team-revoke-confirm", args: { name: member.label } }))) continue;
      const done = await d.act("revoke", async (turn) => {
        if (!(await authorize(turn, { action: "team.manage" }, "revoke"))) return false;
        return revokeRole(turn.unit, member.id);
      });
      if (done) await d.say({ key: "team-revoked", args: { name: member.label } });
    }
  },
};
