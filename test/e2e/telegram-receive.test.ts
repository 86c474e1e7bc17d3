/**
 * The receiving side of the Telegram adapter over HTTP: the webhook endpoint's answers to any
 * body, chats that do not wait for each other, failed turns that are retried or answered, and a
 * /healthz that tells a supervisor the truth.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { startTelegramHarness, WEBHOOK_SECRET, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { FakeUser, WaitForOptions } from "../support/fake-bot-api.ts";
import pg from "pg";
import { holdDatabase, onPostgres, postgresUrlOf } from "../support/db-template.ts";

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

const firstLine = (key: string) => tr("ru", key).split("\n")[0]!;

describe.each([
  ["long polling", false],
  ["webhook", true],
] as const)("Telegram, %s: one chat's slow Bot API call holds up no other chat", (_mode, webhook) => {
  it("answers another person while a callback answer waits out a 429", async () => {
    h = await startTelegramHarness({ webhook });
    const a = h.fake.user({ language_code: "ru" });
    const b = h.fake.user({ language_code: "ru" });
    a.send("/start");
    await a.waitFor(tr("ru", "menu-prompt"));
    h.fake.failNext("answerCallbackQuery", { error_code: 429, description: "Too Many Requests: retry after 12", parameters: { retry_after: 12 } });
    const press = a.press(tr("ru", "menu-register"));
    await a.waitFor(firstLine("consent-text"));
    b.send("/start");
    await b.waitFor(tr("ru", "menu-prompt"));
    // B was answered before A's callback answer could have been retried (12 s later): one call, refused.
    expect(h.fake.callsTo("answerCallbackQuery").map((c) => c.error_code)).toEqual([429]);
    void press.answer.catch(() => {});
  });

  it("answers another person while a callback answer hangs on a dead connection", async () => {
    h = await startTelegramHarness({ webhook });
    const a = h.fake.user({ language_code: "ru" });
    const b = h.fake.user({ language_code: "ru" });
    a.send("/start");
    await a.waitFor(tr("ru", "menu-prompt"));
    h.fake.delay("answerCallbackQuery", 120_000);
    const press = a.press(tr("ru", "menu-register"));
    await a.waitFor(firstLine("consent-text"));
    b.send("/start");
    await b.waitFor(tr("ru", "menu-prompt"));
    // A's answer is still hanging (a call is recorded when it completes).
    expect(h.fake.callsTo("answerCallbackQuery")).toEqual([]);
    // And A's own next step does not wait for it either.
    a.press(tr("ru", "consent-agree"));
    await a.waitFor(tr("ru", "reg-ask-bin"));
    h.fake.delay("answerCallbackQuery", 0);
    void press.answer.catch(() => {});
  });
});

/**
 * Starts the bot and has one person reach the main menu (the bot is up and answering); returns the
 * harness, also kept in `h` so that afterEach closes it if a later step throws.
 */
async function startAtMenu(webhook: boolean): Promise<TelegramHarness> {
  const started = (h = await startTelegramHarness({ webhook }));
  const a = started.fake.user({ language_code: "ru" });
  a.send("/start");
  await a.waitFor(tr("ru", "menu-prompt"));
  return started;
}

/** Waits for b's menu and for the bot to settle: b's /start was handled once, not apologized for. */
async function expectHandledOnce(b: FakeUser, options?: WaitForOptions): Promise<void> {
  await b.waitFor(tr("ru", "menu-prompt"), options);
  await h!.settled();
  expect(b.messages.filter((m) => m.text.includes(tr("ru", "menu-prompt")))).toHaveLength(1);
  expect(b.messages.filter((m) => m.text.includes(firstLine("error-generic")))).toEqual([]);
}

describe.each([
  ["long polling", false],
  ["webhook", true],
] as const)("Telegram, %s: a failed turn is retried or answered, never dropped", (_mode, webhook) => {
  it.skipIf(onPostgres)("holds an update whose turn met a locked database, and handles it once the lock is gone (SQLite's busy timeout)", async () => {
    h = await startAtMenu(webhook);
    // Another process holds the write lock longer than the bot's busy timeout (shortened for the test).
    await h.db.transaction((tx) => tx.$queryRawUnsafe("PRAGMA busy_timeout = 50"));
    const locker = new BetterSqlite3(h.db.file);
    try {
      locker.exec("BEGIN IMMEDIATE");
      const b = h.fake.user({ language_code: "ru" });
      const id = b.send("/start");
      await h.logged(/turn failed transiently/);
      // Not confirmed to Telegram while it is not handled.
      expect(h.fake.callsTo("getUpdates").every((c) => Number(c.params.offset ?? 0) <= id)).toBe(true);
      expect(b.messages).toEqual([]);
      locker.exec("COMMIT");
      await expectHandledOnce(b);
    } finally {
      if (locker.inTransaction) locker.exec("ROLLBACK");
      locker.close();
    }
  });

  it.skipIf(!onPostgres)("holds an update whose turn waits for a locked database, unconfirmed, and handles it once the lock is gone (PostgreSQL)", async () => {
    h = await startAtMenu(webhook);
    const handle = vi.spyOn(h.core, "handle");
    const release = await holdDatabase(h.db);
    try {
      const b = h.fake.user({ language_code: "ru" });
      const id = b.send("/start");
      await vi.waitFor(() => expect(handle).toHaveBeenCalled(), { interval: 5 });
      // Not confirmed to Telegram while it is not handled.
      expect(h.fake.callsTo("getUpdates").every((c) => Number(c.params.offset ?? 0) <= id)).toBe(true);
      expect(b.messages).toEqual([]);
      await release();
      // b had nothing before (checked above), and the answer may come while release() ends its session.
      await expectHandledOnce(b, { after: 0 });
    } finally {
      await release().catch(() => {});
    }
  });

  it.skipIf(!onPostgres)("holds an update whose turn lost its PostgreSQL connection (server restart, failover), and handles it on the next try", async () => {
    h = await startAtMenu(webhook);
    const release = await holdDatabase(h.db);
    const admin = new pg.Client({ connectionString: postgresUrlOf(h.db) });
    await admin.connect();
    try {
      const b = h.fake.user({ language_code: "ru" });
      b.send("/start");
      // The turn's session waits for the lock; the server ends it, as a restart would.
      const waiting = async () =>
        (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows;
      await vi.waitFor(async () => expect((await waiting()).length).toBeGreaterThan(0), { interval: 20, timeout: 10_000 });
      for (const { pid } of await waiting()) await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
      await h.logged(/turn failed transiently/);
      await release();
      // b had nothing before (checked above), and the answer may come while release() ends its session.
      await expectHandledOnce(b, { after: 0 });
    } finally {
      await release().catch(() => {});
      await admin.end();
    }
  });

  it.skipIf(onPostgres)("apologizes directly when the turn fails for good and the database cannot even queue the apology", async () => {
    h = await startAtMenu(webhook);
    const other = new BetterSqlite3(h.db.file);
    other.exec('DROP TABLE "Outbox"');
    other.close();
    const b = h.fake.user({ language_code: "ru" });
    b.send("/start");
    await b.waitFor(tr("ru", "error-generic"));
    // The update is done: confirmed, not retried.
    await h.settled();
    expect(h.logs.some((l) => /turn failed transiently/.test(l))).toBe(false);
  });
});

interface Health {
  ok: boolean;
  mode: string;
  receiving: { ok: boolean; detail?: string };
  database: { ok: boolean; detail?: string };
}

async function healthz(harness: TelegramHarness): Promise<{ status: number; body: Health }> {
  const res = await fetch(`http://127.0.0.1:${harness.telegram.port}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
}

describe("/healthz tells a supervisor whether the bot works", () => {
  it("reports 503 'not receiving' while every getUpdates fails", async () => {
    h = await startTelegramHarness();
    expect(await healthz(h)).toMatchObject({ status: 200, body: { ok: true, mode: "polling", receiving: { ok: true }, database: { ok: true } } });
    h.fake.failNext("getUpdates", { error_code: 409, description: "Conflict: terminated by other getUpdates request" }, 1000);
    const fake = h.fake;
    await vi.waitFor(() => expect(fake.callsTo("getUpdates").filter((c) => c.error_code === 409).length).toBeGreaterThanOrEqual(3), {
      timeout: 15_000,
      interval: 20,
    });
    const { status, body } = await healthz(h);
    expect(status).toBe(503);
    expect(body).toMatchObject({ ok: false, receiving: { ok: false }, database: { ok: true } });
    expect(body.receiving.detail).toMatch(/getUpdates failed/);
  });

  it("reports 503 'database down' when the database does not answer", async () => {
    h = await startTelegramHarness();
    // SQLite: a transaction that hangs takes the one connection; PostgreSQL: another session holds every table.
    const release = await holdDatabase(h.db);
    try {
      const { status, body } = await healthz(h);
      expect(status).toBe(503);
      expect(body).toMatchObject({ ok: false, receiving: { ok: true }, database: { ok: false } });
      expect(body.database.detail).toMatch(/no answer within/);
    } finally {
      await release();
    }
    expect((await healthz(h)).status).toBe(200);
  });

  it("in webhook mode, reports 503 when Telegram no longer has the webhook", async () => {
    h = await startTelegramHarness({ webhook: true });
    const url = h.fake.webhookInfo().url ?? "";
    // Someone else (another deployment, a script) removed it.
    await h.telegram.bot.api.deleteWebhook();
    const { status, body } = await healthz(h);
    expect(status).toBe(503);
    expect(body).toMatchObject({ ok: false, mode: "webhook", receiving: { ok: false }, database: { ok: true } });
    await h.telegram.bot.api.setWebhook(url, { secret_token: WEBHOOK_SECRET });
    expect(await healthz(h)).toMatchObject({ status: 200, body: { ok: true, receiving: { ok: true } } });
  });
});

describe("Telegram webhook: stop", () => {
  it("finishes the update in flight before the server closes, and it counts as delivered", async () => {
    h = await startTelegramHarness({ webhook: true });
    // Hold the database so that the next turn stays in flight.
    const release = await holdDatabase(h.db);
    const handle = vi.spyOn(h.core, "handle");
    const user = h.fake.user({ language_code: "ru" });
    const id = user.send("/start");
    const key = `telegram:${h.fake.botInfo.id}:${id}`;
    // The webhook request is in flight: its turn waits for the database.
    await vi.waitFor(() => expect(handle).toHaveBeenCalled(), { interval: 5 });
    let stopped = false;
    const stop = h.telegram.stop().then(() => (stopped = true));
    expect(stopped).toBe(false);
    await release();
    await stop;
    expect(stopped).toBe(true);
    // The turn committed before the server closed, so Telegram got its 200 and will not resend it.
    const processed = await h.db.transaction((tx) => tx.processedUpdate.findMany({ where: { id: key } }));
    expect(processed).toHaveLength(1);
    // The answer may already be there (on PostgreSQL its delivery does not wait behind the check above).
    await user.waitFor(tr("ru", "menu-prompt"), { after: 0 });
    await h.fake.confirmed(); // acknowledged: Telegram will not send it again
  });
});
