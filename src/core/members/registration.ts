/**
 * Registering an enterprise: consent, then one question at a time (BIN first, so that an enterprise
 * already registered is found before anything else is asked), a summary where every answer can be
 * changed, and Confirm. A BIN already registered is not duplicated: the person may ask to join that
 * enterprise as its employee instead.
 */
import { rich } from "../rich-text.ts";
import type { Translate } from "../message.ts";
import type { Dialog, FlowExit, Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { ensureConsent } from "./consent.ts";
import { applyForMembership, askToJoin, binHolder, joinableEnterprise, myMembership } from "./membership.ts";
import {
  type ContactDraft,
  type EnterpriseDraft,
} from "./enterprises.ts";
import {
  askBin,
  askContactName,
  askField,
  askEmployees,
  askEnterpriseName,
  askPhone,
  askRegion,
  askSector,
  type BinAnswer,
} from "./questions.ts";
import { contactLines, enterpriseLines, nameFor } from "./render.ts";

type BinOutcome = { kind: "free"; answer: BinAnswer } | { kind: "join"; enterpriseId: number; takeover?: boolean } | { kind: "cancel" };

/** Where a BIN held by another enterprise leads: its join (or take-over) flow. */
const joinExit = (o: { enterpriseId: number; takeover?: boolean }): FlowExit => ({
  next: "join",
  args: { enterpriseId: o.enterpriseId, ...(o.takeover ? { takeover: true } : {}) },
});

/**
 * Asks for a BIN until one is free; for one already registered, offers to join that enterprise.
 * The enterprise's name is shown for a BIN, never for an IIN (an IIN belongs to a person).
 */
async function askFreeBin(d: Dialog, prompt = "reg-ask-bin"): Promise<BinOutcome> {
  for (;;) {
    const answer = await askBin(d, prompt);
    const holder = await d.act("bin-holder", (turn) => binHolder(turn.unit, answer.bin));
    if (!holder) return { kind: "free", answer };
    const what = await offerJoin(d, holder, answer.binKind);
    if (what !== "other") return what;
  }
}

/**
 * The BIN is registered already: join that enterprise, enter another number, or stop. A member
 * enterprise without an owner (its owner erased their data) may also be taken over as its owner,
 * subject to staff approval.
 */
async function offerJoin(
  d: Dialog,
  holder: { id: number; name: string; status: string },
  binKind: string,
): Promise<{ kind: "join"; enterpriseId: number; takeover?: boolean } | { kind: "cancel" } | "other"> {
  const ownerless = holder.status === "ownerless";
  const what = await d.choice(
    ownerless ? { key: "reg-takeover-offer", args: { name: holder.name } } : binKind === "sole-proprietor" ? "reg-iin-taken" : { key: "reg-bin-taken", args: { name: holder.name } },
    [
      ...(ownerless ? [[{ id: "takeover", label: "reg-takeover-button" }]] : []),
      [{ id: "join", label: "reg-join-button" }],
      [{ id: "other", label: "reg-other-bin-button" }],
      [{ id: "cancel", label: "button-cancel" }],
    ],
  );
  if (what === "takeover") return { kind: "join", enterpriseId: holder.id, takeover: true };
  if (what === "join") return { kind: "join", enterpriseId: holder.id };
  return what === "cancel" ? { kind: "cancel" } : "other";
}

/**
 * The answers of this person's rejected application, to correct rather than retype ("Apply
 * again"), with the reason staff gave; null when there is none.
 */
async function rejectedApplication(d: Dialog): Promise<{ draft: EnterpriseDraft & ContactDraft; reason: string } | null> {
  return d.act("rejected-application", async (turn) => {
    const m = await myMembership(turn.unit);
    if (!m || m.role !== "owner" || m.status !== "rejected" || m.enterprise.status !== "rejected") return null;
    const e = m.enterprise;
    // A BIN given up to someone else's later application is no longer this application's.
    if (!/^\d{12}$/.test(e.bin)) return null;
    return {
      draft: { name: e.name, bin: e.bin, binKind: e.binKind, region: e.region, sector: e.sector, employees: e.employees, contactName: m.contactName ?? "", phone: m.phone ?? "" },
      reason: e.rejectReason ?? m.rejectReason ?? "—",
    };
  });
}

async function alreadyMember(d: Dialog): Promise<boolean> {
  const m = await d.act("membership", async (turn) => {
    const m = await myMembership(turn.unit);
    return m ? { status: m.status, insider: m.role === "owner" || m.status === "active", enterprise: m.enterprise } : null;
  });
  if (m && (m.status === "pending" || m.status === "active")) {
    await d.say((t: Translate) => t("reg-already", { name: nameFor(t, m.enterprise, m.insider), status: rich(t(`membership-${m.status}`)) }));
    return true;
  }
  return false;
}

export const registerFlow: FlowDef<{ reapply?: boolean }> = {
  name: "register",
  version: 1,
  title: "flow-register",
  // /cancel in a field re-asked from the summary goes back to it; anywhere else it asks before
  // leaving, and leaving says what the summary's Cancel says.
  cancel: { asks: true, cancelled: "reg-cancelled" },
  async run(d, args): Promise<FlowExit | void> {
    if (await alreadyMember(d)) return { next: "profile" };
    const consent = await ensureConsent(d, { offerLink: !args.reapply });
    if (consent === "link") return { next: "link" };
    if (!consent) return;
    // "Apply again" after a rejection: the summary, filled with the rejected answers, and the reason.
    const previous = args.reapply ? await rejectedApplication(d) : null;
    let draft: EnterpriseDraft & ContactDraft;
    if (previous) {
      await d.say({ key: "reg-reapply-intro", args: { reason: previous.reason } });
      draft = previous.draft;
    } else {
      await d.say("reg-intro");
      const first = await askFreeBin(d);
      if (first.kind === "cancel") return void (await d.say("reg-cancelled"));
      if (first.kind === "join") return joinExit(first);
      draft = {
        bin: first.answer.bin,
        binKind: first.answer.binKind,
        name: await askEnterpriseName(d),
        region: await askRegion(d),
        sector: await askSector(d),
        employees: await askEmployees(d),
        contactName: await askContactName(d),
        phone: await askPhone(d),
      };
    }

    for (;;) {
      const action = await d.choice(
        (t) => t("reg-summary", { details: rich(enterpriseLines(t, draft)), contact: rich(contactLines(t, draft)) }),
        [
          [{ id: "confirm", label: "reg-confirm-button" }],
          [
            { id: "name", label: "edit-name" },
            { id: "bin", label: "edit-bin" },
          ],
          [
            { id: "region", label: "edit-region" },
            { id: "sector", label: "edit-sector" },
          ],
          [
            { id: "employees", label: "edit-employees" },
            { id: "contact", label: "edit-contact" },
          ],
          [
            { id: "phone", label: "edit-phone" },
            { id: "cancel", label: "button-cancel" },
          ],
        ],
      );
      switch (action) {
        case "bin": {
          const b = await d.orBack(() => askFreeBin(d));
          if (b?.kind === "join") return joinExit(b);
          if (b?.kind === "free") Object.assign(draft, b.answer);
          break;
        }
        case "name":
        case "region":
        case "sector":
        case "employees":
        case "contact":
        case "phone":
          Object.assign(draft, (await d.orBack(() => askField(d, action))) ?? {});
          break;
        case "cancel":
          await d.say("reg-cancelled");
          return;
        case "confirm": {
          const result = await d.act("submit", (turn) => applyForMembership(turn.unit, draft));
          if (result.ok) {
            await d.say({ key: "reg-submitted", args: { name: draft.name } });
            return;
          }
          // Someone registered the same BIN while this person was answering.
          const what = await offerJoin(d, result.taken, draft.binKind);
          if (what !== "other" && what.kind === "join") return joinExit(what);
          if (what !== "other") return void (await d.say("reg-cancelled"));
          const b = await askFreeBin(d);
          if (b.kind === "join") return joinExit(b);
          if (b.kind === "cancel") return void (await d.say("reg-cancelled"));
          Object.assign(draft, b.answer);
        }
      }
    }
  },
};

/**
 * Asking to join a registered enterprise as its employee, or (`takeover`) to take over an
 * ownerless member enterprise as its owner: contact details, then staff approve.
 */
export const joinFlow: FlowDef<{ enterpriseId: number; takeover?: boolean }> = {
  name: "join",
  version: 1,
  title: "flow-join",
  async run(d, args): Promise<void> {
    if (await alreadyMember(d)) return;
    if (!(await ensureConsent(d))) return;
    const takeover = args.takeover === true;
    const enterprise = await d.act("enterprise", (turn) => joinableEnterprise(turn.unit, args.enterpriseId, takeover));
    if (!enterprise) return void (await d.say("join-unavailable"));
    const name = (t: Translate) => nameFor(t, enterprise, false);
    const key = (k: "intro" | "summary" | "submitted") => (takeover ? `takeover-${k}` : `join-${k}`);
    await d.say((t) => t(key("intro"), { name: name(t) }));
    const contact: ContactDraft = { contactName: await askContactName(d), phone: await askPhone(d) };
    for (;;) {
      const action = await d.choice(
        (t) => t(key("summary"), { name: name(t), contact: rich(contactLines(t, contact)) }),
        [
          [{ id: "confirm", label: "join-confirm-button" }],
          [
            { id: "contact", label: "edit-contact" },
            { id: "phone", label: "edit-phone" },
          ],
          [{ id: "cancel", label: "button-cancel" }],
        ],
      );
      if (action === "contact") contact.contactName = await askContactName(d);
      else if (action === "phone") contact.phone = await askPhone(d);
      else if (action === "cancel") return void (await d.say("reg-cancelled"));
      else {
        const ok = await d.act("submit-join", (turn) => askToJoin(turn.unit, args.enterpriseId, contact, takeover));
        await d.say(ok ? (t) => t(key("submitted"), { name: name(t) }) : "join-unavailable");
        return;
      }
    }
  },
};
