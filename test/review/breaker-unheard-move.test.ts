/**
 * Breaker: the staff group becomes a supergroup while a staff member is being asked for a
 * rejection reason, and the bot misses the announcement (it learns of the move only when a send
 * fails, fault 3's second case). The reason, typed in the supergroup as a reply to the bot's
 * question, was dropped without a word: the application stayed pending while the staff member
 * believed it rejected. A reply there to a message the bot sent to the staff group is answered
 * like a button press there is: "this chat is not the staff group; set STAFF_CHAT_ID".
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { BIN, noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());
const OLD = "-1001";
const NEW = "-1009999";

describe("a reply in a group the bot does not know", () => {
  it.each(["kk", "ru", "en"] as const)("to the bot's question in the staff group is answered, not dropped (%s)", async (l) => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }], staffChat: { channel: "telegram", chatId: OLD } } });
    await applyForMembership(h.person("100", { language: "en" }), "en", { bin: BIN });
    const dana = h.inGroup(OLD, "900", { language: l, name: "Dana" });
    await dana.pressData(noticeButton(dana, 1));
    const ask = dana.last().messageId;
    // Same message ids in the supergroup (Telegram keeps them); the bot was not told of the move.
    const moved = h.inGroup(NEW, "900", { language: l, name: "Dana" });
    await moved.send("Not light industry", { replyTo: ask });
    expect(moved.messages().map((m) => m.text)).toEqual([tr(l, "group-not-staff-chat")]);
    const [e] = await h.db.transaction((tx) => tx.enterprise.findMany());
    expect(e?.status).toBe("pending");
  });

  it("other chatter in a group the bot does not know is still left alone", async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }], staffChat: { channel: "telegram", chatId: OLD } } });
    const someone = h.inGroup(NEW, "555", { language: "ru" });
    await someone.send("привет");
    await someone.send("ответ", { replyTo: "1" });
    expect(someone.messages()).toEqual([]);
  });
});
