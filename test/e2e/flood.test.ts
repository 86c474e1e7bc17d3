/**
 * Telegram's flood control over HTTP: a 429 for the bot as a whole holds back the sends to every
 * chat until retry_after has passed (a bot that keeps sending inside the window is throttled
 * harder), and everything is delivered afterwards.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("flood control", () => {
  it("a global 429 pauses the sends to every chat until retry_after has passed", async () => {
    h = await startTelegramHarness({ limits: "telegram", defaultLocale: "en" });
    const users = Array.from({ length: 8 }, (_, i) => h!.fake.user({ id: 7000 + i, first_name: `P${i}`, language_code: "en" }));
    const windowStart = Date.now();
    h.fake.flood(3); // every sendMessage, to any chat, answers 429 for 3 s
    const windowEnd = windowStart + 3000;
    // People keep arriving during the window.
    for (const u of users) {
      u.send("/start");
      await new Promise((r) => setTimeout(r, 150));
    }
    for (const u of users) await u.waitFor(tr("en", "menu-prompt"), { timeoutMs: 20_000, after: 0 });
    const calls = h.fake.callsTo("sendMessage");
    const limited = calls.filter((c) => c.error_code === 429).sort((a, b) => a.at - b.at);
    expect(limited.length).toBeGreaterThan(0);
    const firstAnswer = limited[0]!.at + limited[0]!.durationMs;
    // Margin: a call already on its way when the first 429 came back is not a violation of ours
    // (the fake and the bot share one event loop, which a loaded machine can stall).
    const inWindow = calls.filter((c) => c.at > firstAnswer + 300 && c.at < windowEnd - 50);
    expect(inWindow.map((c) => `${c.params.chat_id} ${c.error_code ?? "ok"}`)).toEqual([]);
    // And each person got their answer once.
    for (const u of users) expect(u.messages.filter((m) => m.text.endsWith(tr("en", "menu-prompt")))).toHaveLength(1);
  }, 40_000);
});
