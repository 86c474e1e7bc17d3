/**
 * /healthz in webhook mode behind a load balancer: an instance is healthy when the webhook works,
 * even if another instance handled every update since Telegram's last delivery error.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startTelegramHarness, WEBHOOK_SECRET, type TelegramHarness } from "../support/telegram-harness.ts";

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function healthz(harness: TelegramHarness): Promise<{ status: number; body: { receiving: { ok: boolean; detail?: string } } }> {
  const res = await fetch(`http://127.0.0.1:${harness.telegram.port}/healthz`);
  return { status: res.status, body: (await res.json()) as { receiving: { ok: boolean; detail?: string } } };
}

describe("webhook health across instances", () => {
  it("an update handled by another instance after Telegram's last delivery error counts as the webhook working", async () => {
    h = await startTelegramHarness({ webhook: true });
    const url = h.fake.webhookInfo().url ?? "";
    // A delivery fails (here: a wrong secret), and the update is then dropped.
    await h.telegram.bot.api.setWebhook(url, { secret_token: "not-the-secret" });
    h.fake.user({ language_code: "ru" }).send("/start");
    const fake = h.fake;
    await vi.waitFor(() => expect(fake.webhookInfo().last_error_date).toBeDefined(), { timeout: 10_000, interval: 10 });
    await h.telegram.bot.api.setWebhook(url, { secret_token: WEBHOOK_SECRET, drop_pending_updates: true });
    const errorAt = fake.webhookInfo().last_error_date! * 1000;
    expect((await healthz(h)).status).toBe(503);
    // Another instance on the same database handles the next update (its dedup mark is shared).
    await h.db.transaction((tx) => tx.processedUpdate.create({ data: { id: "telegram:424242", createdAt: new Date(errorAt + 1000) } }));
    const { status, body } = await healthz(h);
    expect(body.receiving).toEqual({ ok: true });
    expect(status).toBe(200);
  });
});
