/**
 * The whole bot as it runs for real: the core on a real SQLite file, the real grammY stack and the
 * Telegram adapter, talking HTTP to the project's fake Bot API server. Stop and start it again on
 * the same database to test restarts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "./db-template.ts";
import { createCore, type Core } from "../../src/core/core.ts";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram.ts";
import type { CoreSettings } from "../../src/core/turn.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { startFakeBotApi, type FakeBotApi, type FakeLimits } from "./fake-bot-api.ts";
import type { ChannelCapabilities } from "../../src/core/channel.ts";
import { i18n } from "./core-harness.ts";

export interface TelegramHarness {
  fake: FakeBotApi;
  readonly core: Core;
  readonly db: Database;
  readonly telegram: TelegramChannel;
  logs: string[];
  /** Resolves with the first log line (JSON) that matches, once it is written; rejects after `timeoutMs` (default 10 s). */
  logged(pattern: RegExp | string, opts?: { timeoutMs?: number }): Promise<string>;
  /**
   * Resolves once the bot has handled every update sent so far (the fake holds none unconfirmed:
   * the bot confirms an update only after its turn), no turn is running and the outbox is
   * delivered. A definite point for negative assertions ("nothing more was sent"). Not waited for:
   * best-effort calls after a turn (a callback's answer, taking answered buttons away); await
   * `press(...).answer` or `waitFor` for those.
   */
  settled(opts?: { timeoutMs?: number }): Promise<void>;
  /** Stops the bot (gracefully) and starts a new one on the same database and fake server. */
  restart(): Promise<void>;
  /** Stops the bot like a crash would: no confirmation, no waiting. The database stays. */
  crash(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TelegramHarnessOptions {
  admins?: string[];
  staffChatId?: string;
  webhook?: boolean;
  defaultLocale?: CoreSettings["defaultLocale"];
  /**
   * Send limits: none by default (a test person answers in milliseconds, and 1 message/s per chat
   * would make every flow test wait); "telegram" for the real ones (TELEGRAM_LIMITS).
   */
  limits?: "telegram" | NonNullable<ChannelCapabilities["limits"]>;
  /** The fake Bot API's flood limits (FakeBotApiOptions.limits); off by default. */
  fakeLimits?: boolean | Partial<FakeLimits>;
  /** The core's clock (turns, jobs); default the real one. Lets a test move time to a reminder. */
  clock?: () => Date;
}

/** A port nobody listens on right now (for the webhook server, whose URL must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const WEBHOOK_SECRET = "s3cret-token-for-tests";

export async function startTelegramHarness(opts: TelegramHarnessOptions = {}): Promise<TelegramHarness> {
  const dir = mkdtempSync(join(tmpdir(), "qti-tg-"));
  const url = `file:${join(dir, "bot.db")}`;
  const fake = await startFakeBotApi(opts.fakeLimits ? { limits: opts.fakeLimits } : {});
  const logs: string[] = [];
  const logWaiters = new Set<(line: string) => void>();
  const log: Logger = createLogger({
    level: "debug",
    write: (line) => {
      logs.push(line);
      for (const waiter of [...logWaiters]) waiter(line);
    },
  });
  const logged = (pattern: RegExp | string, waitOpts: { timeoutMs?: number } = {}): Promise<string> => {
    const matches = (line: string) => (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line));
    const already = logs.find(matches);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timeoutMs = waitOpts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        logWaiters.delete(waiter);
        reject(new Error(`no log line matching ${String(pattern)} within ${timeoutMs} ms; last lines:\n${logs.slice(-5).join("\n")}`));
      }, timeoutMs);
      const waiter = (line: string) => {
        if (!matches(line)) return;
        clearTimeout(timer);
        logWaiters.delete(waiter);
        resolve(line);
      };
      logWaiters.add(waiter);
    });
  };
  const settings: CoreSettings = {
    defaultLocale: opts.defaultLocale ?? "ru",
    admins: (opts.admins ?? []).map((id) => ({ channel: "telegram" as const, id })),
    ...(opts.staffChatId ? { staffChat: { channel: "telegram" as const, chatId: opts.staffChatId } } : {}),
  };
  let db!: Database;
  let core!: Core;
  let telegram!: TelegramChannel;
  let running = false;
  const port = opts.webhook ? await freePort() : 0;

  async function start() {
    db = await openTestDatabase(url);
    core = createCore({ db, i18n: i18n(), log, settings, ...(opts.clock ? { clock: opts.clock } : {}) });
    await core.start();
    telegram = createTelegramChannel({
      token: fake.token,
      apiRoot: fake.apiRoot,
      port,
      core,
      log,
      botInfo: fake.botInfo,
      pollingTimeout: 2,
      ...(opts.limits === "telegram" ? {} : { limits: opts.limits ?? null }),
      ...(opts.webhook ? { webhook: { url: `http://127.0.0.1:${port}/telegram/hook`, secret: WEBHOOK_SECRET } } : {}),
    });
    await core.dispatcher.register(telegram.sender);
    await telegram.start();
    running = true;
  }

  async function stop() {
    if (!running) return;
    running = false;
    await telegram.stop();
    await core.stop();
    await core.dispatcher.stop();
    await db.close();
  }

  await start();
  return {
    fake,
    logs,
    logged,
    get core() {
      return core;
    },
    get db() {
      return db;
    },
    get telegram() {
      return telegram;
    },
    start,
    async settled(settleOpts = {}) {
      await fake.confirmed(settleOpts);
      await core.idle();
      await core.dispatcher.idle();
    },
    async restart() {
      await stop();
      await start();
    },
    async crash() {
      // Like SIGKILL as far as Telegram can tell: the open getUpdates is dropped, nothing is confirmed.
      running = false;
      fake.failNext("getUpdates", { error_code: 400, description: "Bad Request: the process died before confirming" });
      await telegram.stop();
      await core.stop();
      await core.dispatcher.stop();
      await db.close();
    },
    async close() {
      await stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
