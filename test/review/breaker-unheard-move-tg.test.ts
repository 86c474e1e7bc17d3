/**
 * Breaker, over HTTP: the staff group is upgraded while a rejection reason is being asked for, and
 * the bot misses the announcement. Dana's reason, a reply in the supergroup, used to vanish; now
 * the group is told that it is not the staff group (see breaker-unheard-move.test.ts).
 */
import { afterEach, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
it("a reason typed in the supergroup the bot did not hear of is answered", async () => {
  h = await startTelegramHarness({ admins: ["900"], staffChatId: "-1001" });
  const group = h.fake.group({ id: -1001, title: "QTI staff" });
  const dana = h.fake.user({ id: 900, first_name: "Dana", language_code: "en" });
  await step(dana, () => dana.send("/start"), tr("en", "menu-prompt"));
  const user = h.fake.user({ language_code: "en" });
  await step(user, () => user.send("/start"), tr("en", "menu-prompt"));
  await step(user, () => user.press(tr("en", "menu-register")), tr("en", "consent-text").split("\n")[0]!);
  await step(user, () => user.press(tr("en", "consent-agree")), tr("en", "reg-ask-bin"));
  await step(user, () => user.send("990140000384"), tr("en", "reg-ask-name"));
  await step(user, () => user.send("First LLP"), tr("en", "reg-ask-region"));
  await step(user, () => user.press(tr("en", "region-astana")), tr("en", "reg-ask-sector"));
  await step(user, () => user.press(tr("en", "sector-textiles")), tr("en", "reg-ask-employees"));
  await step(user, () => user.send("12"), tr("en", "reg-ask-contact"));
  await step(user, () => user.send("Aigerim"), tr("en", "reg-ask-phone"));
  await step(user, () => user.sendContact("77011234567", { own: true }), tr("en", "reg-confirm-button").slice(2, 8));
  await step(user, () => user.press(tr("en", "reg-confirm-button")), tr("en", "menu-prompt"));
  const notice = await group.waitFor(/A-1\b/, { after: 0 });
  const after = group.messages.at(-1)!.message_id;
  dana.pressIn(group, tr("ru", "notice-reject"), { message: notice.message_id });
  const ask = await group.waitFor(tr("en", "staff-reject-ask-application", { id: "A-1" }), { after });
  // The bot has recorded the question's message id before Dana's reply (see staff-group.test.ts: startRejecting).
  await h.settled();
  const supergroup = group.migrateToSupergroup(dana, { unheard: true });
  dana.sendIn(supergroup, "Not light industry", { replyTo: ask.message_id });
  await supergroup.waitFor(tr("en", "group-not-staff-chat"), { after: ask.message_id });
  expect(await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow()).then((e) => e.status)).toBe("pending");
});
