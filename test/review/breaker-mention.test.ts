/**
 * Breaker: a question asked of a staff member in the staff group starts with a mention (Telegram
 * delivers force_reply only to a mentioned user). It was glued on as "Dana, Please write…" /
 * "Dana, Укажите причину…" / "Dana, A-1 мүшелік…": a vocative comma followed by a capital letter,
 * wrong in every language. The mention now stands on its own line above the question.
 */
import { describe, expect, it } from "vitest";
import { toSendCalls } from "../../src/channels/telegram/translate.ts";
import { i18n } from "../support/core-harness.ts";

describe("the mention before a question in the staff group", () => {
  it.each(["kk", "ru", "en"] as const)("stands on its own line, not before a comma and a capital (%s)", (l) => {
    const text = i18n().t(l, "staff-reject-ask-application", { id: "A-1" });
    const [call] = toSendCalls({ text, replyFrom: { userId: "900", name: "Dana & <Co>" } });
    expect(call!.text).toBe(`<a href="tg://user?id=900">Dana &amp; &lt;Co&gt;</a>\n${text}`);
  });
});
