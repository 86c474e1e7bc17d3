/**
 * "My enterprise": the profile, its status, and edits.
 *
 * Edit rules (the README repeats them):
 * - While the application is pending, every field changes at once and the staff notice is updated.
 * - Once the enterprise is approved, its name and BIN identify it: a change goes to staff for
 *   approval and the old value stays until then. Region, sector, employees, the contact name and
 *   the phone change at once.
 * - Employees change only their own name and phone; the enterprise is its owner's to edit.
 */
import { rich } from "../rich-text.ts";
import type { Translate } from "../message.ts";
import type { Dialog, FlowExit, Json, Option } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import {
  type EnterpriseDraft,
  type MembershipView,
} from "./enterprises.ts";
import { askBin, askField } from "./questions.ts";
import { binHolder, changeContact, editEnterprise, myMembership, pendingChanges } from "./membership.ts";
import { contactLines, enterpriseLines, nameFor } from "./render.ts";

type Field = "name" | "bin" | "region" | "sector" | "employees" | "contact" | "phone";

/** What "My enterprise" shows: the membership, and the name or BIN changes waiting for staff. */
interface Profile {
  m: MembershipView;
  changes: { field: "name" | "bin"; newValue: string }[];
}

function profileText(t: Translate, { m, changes }: Profile): string {
  // An employee waiting for approval (or refused) of a sole proprietor does not see their details.
  const insider = m.role === "owner" || m.status === "active";
  const e = m.enterprise;
  const parts = [
    t("profile-title", { name: nameFor(t, e, insider) }),
    t("profile-status", {
      status: rich(t(`membership-${m.status}`)),
      role: rich(t(`role-${m.role}`)),
    }),
  ];
  if (m.status === "rejected" && m.rejectReason) parts.push(t("profile-rejected-reason", { reason: m.rejectReason }));
  parts.push(insider || e.binKind !== "sole-proprietor" ? enterpriseLines(t, e) : enterpriseLines(t, { region: e.region, sector: e.sector }));
  if (changes.length) {
    parts.push(changes.map((c) => t("profile-change-pending", { field: rich(t(`field-${c.field}`)), value: c.newValue })).join("\n"));
  }
  parts.push(contactLines(t, { contactName: m.contactName ?? "—", phone: m.phone ?? "" }));
  return parts.join("\n\n");
}

function optionsFor(m: MembershipView): Option<Field | "back" | "reapply">[][] {
  if (m.status === "rejected" || m.status === "closed" || m.status === "ended") {
    // Apply again: an owner corrects the application; someone refused as an employee may register
    // their own enterprise or ask again.
    return [[{ id: "reapply", label: "profile-reapply" }], [{ id: "back", label: "button-back" }]];
  }
  const contact: Option<Field>[] = [
    { id: "contact", label: "edit-contact" },
    { id: "phone", label: "edit-phone" },
  ];
  if (m.role !== "owner") return [contact, [{ id: "back", label: "button-back" }]];
  return [
    [
      { id: "name", label: "edit-name" },
      { id: "bin", label: "edit-bin" },
    ],
    [
      { id: "region", label: "edit-region" },
      { id: "sector", label: "edit-sector" },
    ],
    [{ id: "employees", label: "edit-employees" }],
    contact,
    [{ id: "back", label: "button-back" }],
  ];
}

async function load(d: Dialog): Promise<Profile | null> {
  return d.act("load", async (turn) => {
    const m = await myMembership(turn.unit);
    if (!m) return null;
    // Only the owner filed them; an employee sees the enterprise as it is.
    return { m, changes: m.role === "owner" ? await pendingChanges(turn.unit, m.enterprise.id) : [] };
  });
}

export const profileFlow: FlowDef<Json> = {
  name: "profile",
  // 2: "load" records the waiting changes too; a run recorded by version 1 restarts politely.
  version: 2,
  title: "flow-profile",
  async run(d): Promise<FlowExit | void> {
    for (;;) {
      const profile = await load(d);
      if (!profile) {
        await d.say("profile-none");
        return;
      }
      const { m } = profile;
      const action = await d.choice((t) => profileText(t, profile), optionsFor(m), { settled: true });
      if (action === "back") return;
      // An owner corrects the rejected application (the summary, prefilled); others start afresh.
      if (action === "reapply") return { next: "register", args: { reapply: true } };
      await edit(d, m, action);
    }
  },
};

async function edit(d: Dialog, m: MembershipView, field: Field): Promise<void> {
  if (field === "contact" || field === "phone") {
    const answer = await askField(d, field);
    const patch = { ...(answer.contactName !== undefined ? { name: answer.contactName } : {}), ...(answer.phone !== undefined ? { phone: answer.phone } : {}) };
    await d.act("save-contact", (turn) => changeContact(turn.unit, m, patch));
    await d.say("profile-updated");
    return;
  }
  if (m.role !== "owner") return;
  let patch: Partial<EnterpriseDraft>;
  if (field === "bin") {
    const b = await askBin(d, "profile-ask-bin");
    const taken = await d.act("bin-holder", async (turn) => !!(await binHolder(turn.unit, b.bin, m.enterprise.id)));
    if (taken) return void (await d.say("profile-bin-taken"));
    patch = b;
  } else {
    patch = await askField(d, field, "profile-ask-name");
  }
  const outcome = await d.act("save", (turn) => editEnterprise(turn.unit, m, field, patch));
  await d.say(
    outcome === "sent" ? "profile-change-sent" : outcome === "gone" ? "profile-changed-meanwhile" : outcome === "withdrawn" ? "profile-change-withdrawn" : "profile-updated",
  );
}
