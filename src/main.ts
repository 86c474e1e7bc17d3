/**
 * Composition root: configuration → database → core → channels; graceful shutdown on SIGTERM,
 * SIGINT and SIGHUP (stop taking updates, finish those in hand, close the database) so a restart loses nothing.
 * With no TELEGRAM_BOT_TOKEN it opens the console chat instead (the embedded default).
 */
import { dirname, join, resolve } from "node:path";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openDatabase } from "./db/database.ts";
import { DatabaseUrlError } from "./db/migrate.ts";
import { createI18n } from "./i18n/i18n.ts";
import { createLogger, type Logger } from "./log.ts";
import { createCore } from "./core/core.ts";
import { FileStore } from "./core/files/store.ts";
import type { CoreSettings } from "./core/unit.ts";
import { createTelegramChannel, TELEGRAM_GLOBAL_BURST, TELEGRAM_LIMITS, telegramPaidLimit } from "./channels/telegram/telegram.ts";
import { consoleBanner, createConsoleChannel } from "./channels/console/console.ts";
import { STOP_GRACE_MS } from "./core/outbox/dispatcher.ts";
import { SYSTEM } from "./core/unit.ts";
import { notifyChannelStatus } from "./core/staff/channel-status.ts";
import type { WhatsAppSession } from "./channels/whatsapp/session.ts";
import type { WhatsAppChannel } from "./channels/whatsapp/whatsapp.ts";

/**
 * The longest a stop may take: the channel's own stop (an update in hand may take up to a minute
 * in webhook mode), the grace of sends in flight, and closing the database.
 */
const SHUTDOWN_LIMIT_MS = 68_000; // under TimeoutStopSec=90 of deploy/qaz-textile-bot.service

/** The console's operator persona: an admin, so that staff work can be tried too. */
export const CONSOLE_ADMIN = "admin";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const started = Date.now();
  const db = await openDatabase(config.databaseUrl);
  const consoleMode = !config.telegram;
  // In the console the chat owns the terminal, so the log goes to a file beside the database.
  const logFile = db.provider === "sqlite" ? join(dirname(db.file), "bot.log") : resolve("data", "bot.log");
  const log: Logger = createLogger({
    level: config.logLevel,
    ...(consoleMode ? { file: logFile } : {}),
  });
  if (db.migrations.applied.length) log.info("migrations applied", { applied: db.migrations.applied });
  if (db.migrations.modified.length) log.warn("applied migrations changed since", { modified: db.migrations.modified });

  const settings: CoreSettings = {
    defaultLocale: config.defaultLocale,
    admins: [
      ...config.staffTelegramIds.map((id) => ({ channel: "telegram" as const, id })),
      ...(consoleMode ? [{ channel: "console" as const, id: CONSOLE_ADMIN }] : []),
    ],
    ...(config.staffChatId ? { staffChat: { channel: "telegram" as const, chatId: config.staffChatId } } : {}),
    outboxRetentionDays: config.outboxRetentionDays,
  };
  // Kept files beside the database by default (data/files next to data/bot.db): backed up together.
  const files = new FileStore(config.filesDir ?? (db.provider === "sqlite" ? join(dirname(db.file), "files") : resolve("data", "files")));
  const core = createCore({ db, i18n: createI18n(), log, settings, files });
  // Starts the job worker too: housekeeping is its daily "prune" job (core.ts PRUNE_JOB), run once cluster-wide.
  await core.start();

  // WhatsApp (WHATSAPP_ENABLED) beside Telegram or the console. Its sender is registered at once
  // (what is queued for WhatsApp waits in the outbox until the client is ready); the session
  // connects in the background and never stops the bot: an unreachable WhatsApp Web is logged,
  // told to staff once and retried with backoff (channels/whatsapp/session.ts).
  let whatsapp: { session: WhatsAppSession; channel: WhatsAppChannel; started?: Promise<void> } | undefined;
  if (config.whatsapp) {
    const waLog = log.child({ part: "whatsapp" });
    // Loaded only when enabled: whatsapp-web.js brings puppeteer, seconds of start-up on a busy machine.
    const [{ WhatsAppSession }, { createWhatsAppChannel }, { whatsappCapabilities }] = await Promise.all([
      import("./channels/whatsapp/session.ts"),
      import("./channels/whatsapp/whatsapp.ts"),
      import("./channels/whatsapp/capabilities.ts"),
    ]);
    const session = new WhatsAppSession({
      chromiumPath: config.whatsapp.chromiumPath,
      // Beside the database by default, like data/files: the session is backed up with it.
      dataDir: config.whatsapp.dataDir ?? (db.provider === "sqlite" ? join(dirname(db.file), "whatsapp") : resolve("data", "whatsapp")),
      startTimeoutMs: config.whatsapp.startTimeoutMs,
      log: waLog,
      notify: (status) => core.run(SYSTEM, (unit) => notifyChannelStatus(unit, "whatsapp", status)),
    });
    // Whatever way the process ends, its Chromium does not outlive it.
    process.on("exit", () => session.killNow());
    const channel = createWhatsAppChannel({ core, client: session.client, log: waLog, connected: false, capabilities: whatsappCapabilities(config) });
    await core.dispatcher.register(channel.sender);
    const wa: NonNullable<typeof whatsapp> = { session, channel };
    whatsapp = wa;
    // The channel takes messages from the first "ready" on (it catches up with those missed, and
    // follows later reconnects itself).
    session.client.once("ready", () => {
      wa.started = channel.start().catch((error: unknown) => waLog.error("the WhatsApp channel could not start", { error }));
    });
  }

  let stopChannel: () => Promise<void> | void;
  let running: Promise<void>;
  let exitCode = 0;
  if (config.telegram) {
    const telegram = createTelegramChannel({
      ...config.telegram,
      port: config.port,
      core,
      log,
      limits:
        config.floodLimits === "off"
          ? null
          : {
              ...TELEGRAM_LIMITS,
              global: { burst: Math.min(TELEGRAM_GLOBAL_BURST, config.telegramSendsPerSecond), everyMs: Math.ceil(1000 / config.telegramSendsPerSecond) },
              // Paid broadcasts (off by default): announcements at their own rate, billed in Stars.
              ...(config.telegramPaid ? { paid: telegramPaidLimit(config.telegramPaid.sendsPerSecond) } : {}),
            },
    });
    await core.dispatcher.register(telegram.sender);
    await telegram.start();
    stopChannel = () => telegram.stop();
    // Runs until a signal; a fatal channel error (a revoked token) ends the process with an error,
    // so that the supervisor restarts it and the operator notices.
    running = Promise.race([
      telegram.fatal.catch((error: unknown) => {
        log.error("the Telegram channel stopped for good", { error });
        exitCode = 1;
      }),
      // Sends refused for good (401 after the token was revoked) end it the same way.
      core.dispatcher.fatal.then((failure) => {
        log.error("the Telegram channel cannot send", { reason: failure.reason });
        exitCode = 1;
      }),
    ]);
  } else {
    const chat = createConsoleChannel({
      core,
      input: process.stdin,
      output: process.stdout,
      ...(config.systemLanguage ? { languageHint: config.systemLanguage } : {}),
      color: !!process.stdout.isTTY,
    });
    await core.dispatcher.register(chat.sender);
    process.stdout.write(
      consoleBanner({ dbFile: db.file, logFile, admin: CONSOLE_ADMIN, ...(config.systemLanguage ? { languageHint: config.systemLanguage } : {}) }),
    );
    stopChannel = () => chat.stop();
    running = chat.run();
  }

  let stopping = false;
  /**
   * Stop: no new updates (the channel stops receiving and finishes the updates in hand), the turns
   * in progress commit, sends in flight get STOP_GRACE_MS and are then aborted, messages waiting
   * for a retry stay in the outbox, delivered ones are removed, the database closes. Exit code 0
   * after a signal or the end of input, 1 after a fatal error. A watchdog bounds the whole stop: an
   * await that never settles must not end the process silently with 0 (Node exits when nothing is
   * left to wait for) nor keep it running.
   */
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    setTimeout(() => {
      log.error("shutdown took too long; exiting", { ms: SHUTDOWN_LIMIT_MS });
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    try {
      // WhatsApp first takes no more messages; its browser stays until the sends in flight are done.
      if (whatsapp) {
        await whatsapp.started;
        await whatsapp.channel.stop();
      }
      await stopChannel();
      await core.stop();
      await core.dispatcher.stop({ graceMs: STOP_GRACE_MS });
      await db.close();
    } catch (error) {
      log.error("shutdown failed", { error });
      exitCode = 1;
    }
    // Last: the browser closed and its processes ended (bounded; session.ts).
    await whatsapp?.session.stop();
    log.info("stopped", { code: exitCode });
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // The terminal closed (an ssh session dropped): Node's default would exit at once, leaving a
  // WhatsApp browser (its own process group) running until the next start.
  process.on("SIGHUP", () => void shutdown("SIGHUP"));
  // Only now: a supervisor (or the bench) may send SIGTERM the moment it reads "ready", and before
  // the handlers above a signal kills the process without a graceful stop.
  if (config.telegram) log.info("ready", { ms: Date.now() - started });
  // In the background: the QR (if one is needed) goes to the terminal, the PNG and admins.
  if (whatsapp) void whatsapp.session.start();
  await running;
  await shutdown(exitCode ? "fatal error" : "end of input");
}

main().catch((error: unknown) => {
  // A database that cannot be used is the operator's to fix: one line, no stack. Exit 1: the server
  // may come back, so a supervisor's restart can help.
  if (error instanceof DatabaseUrlError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
