/**
 * Review, over HTTP against the fake Bot API: the staff group.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import { BIN, IIN } from "./helpers.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function step(user: FakeUser, act: () => unknown, expected: string) {
  const after = user.messages.at(-1)?.message_id ?? 0;
  act();
  return user.waitFor(expected, { after });
}

async function register(user: FakeUser, bin: string, name: string) {
  await step(user, () => user.send("/start"), tr("en", "menu-prompt"));
  await step(user, () => user.press(tr("en", "menu-register")), tr("en", "consent-text").split("\n")[0]!);
  await step(user, () => user.press(tr("en", "consent-agree")), tr("en", "reg-ask-bin"));
  await step(user, () => user.send(bin), tr("en", "reg-ask-name"));
  await step(user, () => user.send(name), tr("en", "reg-ask-region"));
  await step(user, () => user.press(tr("en", "region-astana")), tr("en", "reg-ask-sector"));
  await step(user, () => user.press(tr("en", "sector-textiles")), tr("en", "reg-ask-employees"));
  await step(user, () => user.send("12"), tr("en", "reg-ask-contact"));
  await step(user, () => user.send("Aigerim"), tr("en", "reg-ask-phone"));
  await step(user, () => user.sendContact("77011234567", { own: true }), "Send the application, or correct any field");
  await step(user, () => user.press(tr("en", "reg-confirm-button")), tr("en", "menu-prompt"));
}

describe("rejecting in the staff group", () => {
  it("a staff member's reply to another notice is not taken as the reason for the rejection they started", async () => {
    h = await startTelegramHarness({ admins: ["900"], staffChatId: "-1001" });
    const group = h.fake.group({ id: -1001, title: "QTI staff" });
    const dana = h.fake.user({ id: 900, first_name: "Dana", language_code: "en" });
    await register(h.fake.user({ language_code: "en" }), BIN, "First LLP");
    const first = await group.waitFor(/A-1\b/, { after: 0 });
    await register(h.fake.user({ language_code: "en" }), IIN, "Second");
    const second = await group.waitFor(/A-2\b/, { after: first.message_id });

    // Dana starts rejecting #1 and is asked (by a reply-request) for the reason...
    dana.pressIn(group, tr("ru", "notice-reject"), { message: first.message_id });
    await group.waitFor(tr("en", "staff-reject-ask-application", { id: "A-1" }), { after: second.message_id });
    // ...but first comments on notice #2 for her colleagues, as a reply to that notice.
    dana.sendIn(group, "I know these people, will call them tomorrow", { replyTo: second.message_id });
    await h.settled();
    const e = await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow({ where: { name: "First LLP" } }));
    expect(e.status).toBe("pending");
  });
});

describe("editing every copy of a notice", () => {
  it("an erasure still scrubs the other copies of a notice when one copy was deleted by a group admin", async () => {
    h = await startTelegramHarness({ admins: ["900"], staffChatId: "-1001" });
    const group = h.fake.group({ id: -1001, title: "QTI staff" });
    const dana = h.fake.user({ id: 900, first_name: "Dana", language_code: "en" });
    const applicant = h.fake.user({ language_code: "en" });
    await register(applicant, BIN, "First LLP");
    const original = await group.waitFor(/A-1\b/, { after: 0 });
    // Dana lists what is pending: a second copy of the notice in the group.
    dana.sendIn(group, "/pending");
    const copy = await group.waitFor((m) => m.message_id > original.message_id && /A-1\b/.test(m.text) && m.text.includes("+7 701"));
    // A group admin tidies up and deletes the original notice.
    const methods = (h.fake as unknown as { methods: Map<string, (p: Record<string, unknown>, s: AbortSignal) => unknown> }).methods;
    await methods.get("deleteMessage")!({ chat_id: -1001, message_id: original.message_id }, new AbortController().signal);

    // The applicant erases their data.
    await step(applicant, () => applicant.send("/start"), tr("en", "menu-prompt"));
    await step(applicant, () => applicant.press(tr("en", "menu-privacy")), tr("en", "privacy-summary", { contact: "", enterprise: "", consent: "" }).split("\n")[0]!);
    await step(applicant, () => applicant.press(tr("en", "privacy-erase-button")), tr("en", "privacy-erase-confirm").slice(0, 20));
    await step(applicant, () => applicant.press(tr("en", "privacy-erase-yes")), tr("en", "privacy-erased").slice(0, 20));
    await h.settled();
    const now = group.messages.find((m) => m.message_id === copy.message_id)!;
    expect(now.text).not.toContain("+7 701");
    expect(now.text).not.toContain("Aigerim");
  });
});
