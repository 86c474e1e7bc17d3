/**
 * The receiving side of the Telegram adapter over HTTP: the webhook endpoint's answers to any
 * body, chats that do not wait for each other, failed turns that are retried or answered, and a
 * /healthz that tells a supervisor the truth.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, WEBHOOK_SECRET, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function post(url: string, body: string, secret?: string): Promise<number> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret !== undefined ? { "X-Telegram-Bot-Api-Secret-Token": secret } : {}) },
    body,
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

describe("Telegram webhook: any body gets an answer", () => {
  it("answers malformed bodies with 400 (401 without the secret) and goes on serving", async () => {
    h = await startTelegramHarness({ webhook: true });
    const url = h.fake.webhookInfo().url ?? "";
    for (const body of ["{not json", "", "null", "[]", "[1,2]", "{}", '{"update_id":"x"}', '"text"', "42"]) {
      expect(await post(url, body, WEBHOOK_SECRET), body).toBe(400);
      expect(await post(url, body), body).toBe(401);
      expect(await post(url, body, "wrong"), body).toBe(401);
    }
    const user = h.fake.user({ language_code: "ru" });
    user.send("/start");
    await user.waitFor(tr("ru", "menu-prompt"));
  });
});
