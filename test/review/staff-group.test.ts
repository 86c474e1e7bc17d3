/**
 * Review, over HTTP against the fake Bot API: the staff group.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import { BIN, IIN } from "./helpers.ts";
import { registerOnTelegram, step } from "../support/telegram-steps.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("rejecting in the staff group", () => {
  it("a staff member's reply to another notice is not taken as the reason for the rejection they started", async () => {
    h = await startTelegramHarness({ admins: ["900"], staffChatId: "-1001" });
    const group = h.fake.group({ id: -1001, title: "QTI staff" });
    const dana = h.fake.user({ id: 900, first_name: "Dana", language_code: "en" });
    await registerOnTelegram(h.fake.user({ language_code: "en" }), { bin: BIN, name: "First LLP" });
    const first = await group.waitFor(/A-1\b/, { after: 0 });
    await registerOnTelegram(h.fake.user({ language_code: "en" }), { bin: IIN, name: "Second" });
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
    await registerOnTelegram(applicant, { bin: BIN, name: "First LLP" });
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
