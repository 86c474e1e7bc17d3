/**
 * The WhatsApp session (issue 9 item 6): the real whatsapp-web.js client on Debian's Chromium, kept
 * running as a service. The adapter (whatsapp.ts) only listens to the client's messages and sends;
 * this module owns the client's life:
 * - the session stays on disk (LocalAuth under the data directory), so a restart needs no new scan;
 * - a login QR is printed in the terminal, saved as `<data dir>/login-qr.png` (replaced at each new
 *   code, deleted once authenticated) and sent to the admins on their other channel (Telegram);
 * - a lost session (logged out, unlinked, refused) is told to staff once per loss;
 * - a start that cannot reach WhatsApp Web fails within the configured time with one line that
 *   says so, is told to staff once and retried in the background with exponential backoff (capped,
 *   with jitter), as is any other drop; the rest of the bot keeps working meanwhile;
 * - no Chromium is left behind: its PID is recorded as soon as it is launched, a stop closes it
 *   (bounded) and ends its process group, and a start first ends what a crashed run left
 *   (leftovers.ts).
 * Logs carry reasons and paths, never phone numbers, chat ids, QR contents or message texts.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import QRCode from "qrcode";
import qrTerminal from "qrcode-terminal";
import whatsappWeb from "whatsapp-web.js";
import type { Logger } from "../../log.ts";
import type { ChannelStatus } from "../../core/staff/channel-status.ts";
import type { WhatsAppClient } from "./client.ts";
import { endLeftoverBrowsers, endProcessTree, forgetBrowserPid, isOurBrowser, recordBrowserPid, type BrowserIdentity } from "./leftovers.ts";

/** The login QR image under the data directory. */
export const LOGIN_QR_FILE = "login-qr.png";

/** Chromium's flags: no sandbox (a service user without user namespaces), no GPU, /tmp instead of a small /dev/shm. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--mute-audio"];

/** Reconnect delays: the first, doubled at each failure up to the cap (ms); each with ±20 % jitter. */
export const BACKOFF = { firstMs: 5_000, maxMs: 5 * 60_000 } as const;

/** A login QR is sent to admins again only after this long while still unscanned (it is renewed every ~20 s; the terminal and the PNG always have the current one). */
export const QR_RESEND_MS = 10 * 60_000;

/** How long closing the browser may take before its process group is ended by signal (ms). */
export const DESTROY_LIMIT_MS = 10_000;

/** How long a stop waits for a start in progress before closing what it launched (ms). */
export const STOP_WAIT_MS = 5_000;

/** The profile Chromium runs with: LocalAuth's `<dataPath>/session`. */
export const userDataDirOf = (dataDir: string): string => join(resolve(dataDir), "session");

/**
 * Builds the real whatsapp-web.js client: LocalAuth under `dataDir` (the session survives
 * restarts), Debian's Chromium headless at `chromiumPath`, WhatsApp Web's version cache under the
 * data directory too (its default is the working directory).
 */
export function createRealClient(opts: { chromiumPath: string; dataDir: string; chromiumArgs?: string[] }): WhatsAppClient {
  const dataDir = resolve(opts.dataDir);
  return new whatsappWeb.Client({
    authStrategy: new whatsappWeb.LocalAuth({ dataPath: dataDir }),
    webVersionCache: { type: "local", path: join(dataDir, "web-cache") },
    puppeteer: {
      executablePath: opts.chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(opts.chromiumArgs ?? [])],
      // The signals are the bot's (main.ts): puppeteer's own handlers would exit with 130 on Ctrl+C,
      // skipping the graceful stop, and close the browser on SIGTERM before the sends in flight are done.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    },
  }) as unknown as WhatsAppClient;
}

/** Schedules `fn` after `ms`; returns the cancel. Tests pass their own to run retries at will. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export interface SessionOptions {
  /** CHROMIUM_PATH. */
  chromiumPath: string;
  /** WHATSAPP_DATA_DIR (or data/whatsapp): the session, the login QR, the browser's PID file. */
  dataDir: string;
  /** WHATSAPP_START_TIMEOUT_SECONDS in ms: longest a start may take before it counts as failed. */
  startTimeoutMs: number;
  log: Logger;
  /**
   * Tells people (main.ts: core `notifyChannelStatus` through `core.run`): admins get the login QR,
   * staff a lost session, an unreachable WhatsApp Web, and the return. A failure is logged only.
   */
  notify: (status: ChannelStatus) => Promise<void>;
  /** Where the terminal's QR is written; default stdout. */
  terminal?: (text: string) => void;
  /** More Chromium flags for the real client (tests: `--host-resolver-rules` to be offline anywhere). */
  chromiumArgs?: string[];
  /** The client; default the real one (createRealClient). */
  client?: WhatsAppClient;
  /** Timers of the reconnects (default real ones). */
  schedule?: Schedule;
  /** In [0, 1): the jitter's source (default Math.random). */
  random?: () => number;
  backoff?: { firstMs: number; maxMs: number };
}

/** A one-line, personal-data-free reason from an error (puppeteer's first line, e.g. "net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/"). */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? "").trim().slice(0, 200) || "unknown error";
}

/** Reasons of "disconnected" that mean the session itself is gone and a new scan is needed. */
const SESSION_LOST = new Set(["LOGOUT", "UNPAIRED", "UNPAIRED_IDLE"]);

/** Why a start failed: says that WhatsApp Web cannot be reached, and why, on one line. */
export class WhatsAppStartError extends Error {
  override name = "WhatsAppStartError";
  constructor(readonly reason: string) {
    super(`WhatsApp Web cannot be reached (${reason})`);
  }
}

/**
 * One WhatsApp session. `start()` ends a previous run's browser and makes the first attempt;
 * `stop()` closes the browser. Neither throws: a WhatsApp failure never stops the bot.
 */
export class WhatsAppSession {
  readonly client: WhatsAppClient;
  readonly qrPath: string;
  readonly #o: SessionOptions;
  readonly #schedule: Schedule;
  readonly #backoff: { firstMs: number; maxMs: number };
  readonly #identity: BrowserIdentity;
  #stopped = false;
  #failures = 0;
  #cancelRetry: (() => void) | undefined;
  #connecting: Promise<void> | undefined;
  /** Told staff since the last "ready": a lost session, an unreachable start (once each per loss). */
  #toldLost = false;
  #toldUnreachable = false;
  #qrToldAt: number | undefined;
  #qrWrites = Promise.resolve();
  #pid: number | undefined;

  constructor(opts: SessionOptions) {
    this.#o = opts;
    this.client = opts.client ?? createRealClient(opts);
    this.qrPath = join(resolve(opts.dataDir), LOGIN_QR_FILE);
    this.#schedule = opts.schedule ?? realSchedule;
    this.#backoff = opts.backoff ?? BACKOFF;
    this.#identity = { chromiumPath: opts.chromiumPath, userDataDir: userDataDirOf(opts.dataDir) };
    this.#listen();
  }

  /**
   * Ends what a crashed run left, then makes the first attempt; resolves when that attempt is over
   * (connected and waiting for WhatsApp's "ready" or a QR scan, or failed and retrying later).
   */
  async start(): Promise<void> {
    await mkdir(this.#o.dataDir, { recursive: true });
    const ended = await endLeftoverBrowsers(this.#o.dataDir, this.#identity).catch((error: unknown) => {
      this.#o.log.warn("could not check for a browser left by a previous run", { reason: reasonOf(error) });
      return [];
    });
    if (ended.length) this.#o.log.warn("ended the WhatsApp browser a previous run left behind", { pids: ended });
    await this.#connect();
  }

  /** The delay before the next retry (ms): doubled per failure from `firstMs`, capped at `maxMs`, ±20 % jitter. */
  nextDelayMs(failures: number): number {
    const base = Math.min(this.#backoff.maxMs, this.#backoff.firstMs * 2 ** Math.max(0, failures - 1));
    return Math.round(base * (0.8 + 0.4 * (this.#o.random ?? Math.random)()));
  }

  /** Stops: no more retries, the browser closed (bounded) and its process group ended, the stale QR removed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    await this.#closeBrowser();
    // A start in progress may launch its browser only now: wait for it a little (it fails fast once
    // its browser is closed), then close again whatever it launched meanwhile.
    const connecting = this.#connecting;
    if (connecting) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([connecting, new Promise<void>((done) => (timer = setTimeout(done, STOP_WAIT_MS)))]);
      clearTimeout(timer);
      await this.#closeBrowser();
    }
    await this.#qrWrites;
    await rm(this.qrPath, { force: true });
  }

  /**
   * Last resort when the process exits without a stop (a fatal error, the shutdown watchdog):
   * SIGKILL to the browser's process group, synchronously (an "exit" handler cannot wait).
   */
  killNow(): void {
    const pid = this.#pid;
    if (pid === undefined || !isOurBrowser(pid, this.#identity)) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  #connect(): Promise<void> {
    this.#connecting ??= this.#attempt().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    const { log } = this.#o;
    log.info("starting WhatsApp", { chromium: this.#o.chromiumPath, dataDir: resolve(this.#o.dataDir) });
    // The browser's PID is recorded the moment it exists, so that a crash during the start leaves nothing unknown.
    const watch = setInterval(() => void this.#recordPid(), 100);
    let timer: NodeJS.Timeout | undefined;
    const initializing = this.client.initialize();
    // A start given up on may still settle later (its browser is closed below): not an unhandled rejection.
    initializing.catch(() => {});
    try {
      await Promise.race([
        initializing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new WhatsAppStartError(`no answer within ${this.#o.startTimeoutMs / 1000} s`)), this.#o.startTimeoutMs);
        }),
      ]);
      await this.#recordPid();
      log.info("WhatsApp Web opened; waiting for the session (or a QR scan)");
    } catch (error) {
      const failure = error instanceof WhatsAppStartError ? error : new WhatsAppStartError(reasonOf(error));
      await this.#recordPid();
      await this.#closeBrowser();
      if (this.#stopped) return;
      this.#failures++;
      const inMs = this.nextDelayMs(this.#failures);
      // One line that says what to do; later attempts say the same without the advice (the journal stays short).
      const advice = this.#failures === 1 ? "; check that this server reaches https://web.whatsapp.com (DNS, firewall, proxy)" : "";
      log.error(`${failure.message}; WhatsApp stays off, retrying in ${Math.round(inMs / 1000)} s (the rest of the bot keeps working)${advice}`, { attempt: this.#failures });
      if (!this.#toldUnreachable) {
        this.#toldUnreachable = true;
        await this.#tell({ kind: "unreachable", reason: failure.reason });
      }
      this.#retryIn(inMs);
    } finally {
      clearInterval(watch);
      clearTimeout(timer);
    }
  }

  #retryIn(ms: number): void {
    if (this.#stopped) return;
    this.#cancelRetry?.();
    this.#cancelRetry = this.#schedule(() => {
      this.#cancelRetry = undefined;
      void this.#connect();
    }, ms);
  }

  /** After a drop: the browser closed (the library may have closed it already), another start after the backoff. */
  async #reconnect(reason: string): Promise<void> {
    if (this.#stopped) return;
    await this.#closeBrowser();
    this.#failures++;
    const inMs = this.nextDelayMs(this.#failures);
    this.#o.log.warn(`WhatsApp disconnected; reconnecting in ${Math.round(inMs / 1000)} s`, { reason, attempt: this.#failures });
    this.#retryIn(inMs);
  }

  async #recordPid(): Promise<void> {
    const pid = this.client.pupBrowser?.process()?.pid;
    if (!pid || pid === this.#pid) return;
    this.#pid = pid;
    await recordBrowserPid(this.#o.dataDir, pid).catch((error: unknown) => this.#o.log.warn("could not record the browser's PID", { reason: reasonOf(error) }));
  }

  /** Closes the browser (bounded by DESTROY_LIMIT_MS), then ends its process group by PID if anything of it runs on. */
  async #closeBrowser(): Promise<void> {
    await this.#recordPid();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.client.destroy().catch((error: unknown) => this.#o.log.debug("closing the WhatsApp browser failed", { reason: reasonOf(error) })),
      new Promise<void>((done) => (timer = setTimeout(done, DESTROY_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    const pid = this.#pid;
    if (pid !== undefined && isOurBrowser(pid, this.#identity)) await endProcessTree(pid);
    // Helpers that outlived their leader, or a browser launched but never recorded: by our profile.
    await endLeftoverBrowsers(this.#o.dataDir, this.#identity).catch(() => []);
    await forgetBrowserPid(this.#o.dataDir).catch(() => {});
    this.#pid = undefined;
  }

  async #tell(status: ChannelStatus): Promise<void> {
    try {
      await this.#o.notify(status);
    } catch (error) {
      this.#o.log.error("could not tell staff about WhatsApp", { kind: status.kind, reason: reasonOf(error) });
    }
  }

  #listen(): void {
    const { client } = this;
    const { log } = this.#o;
    client.on("qr", (qr: string) => {
      log.warn("WhatsApp needs its login QR scanned: in the terminal, in the PNG, and sent to admins", { png: this.qrPath });
      this.#showQr(qr);
    });
    client.on("authenticated", () => {
      log.info("WhatsApp authenticated");
      this.#qrToldAt = undefined;
      void this.#removeQr();
    });
    client.on("ready", () => {
      log.info("WhatsApp ready");
      this.#failures = 0;
      this.#qrToldAt = undefined;
      void this.#removeQr();
      if (this.#toldLost || this.#toldUnreachable) void this.#tell({ kind: "connected" });
      this.#toldLost = false;
      this.#toldUnreachable = false;
    });
    client.on("auth_failure", () => {
      // whatsapp-web.js closes the browser itself and, when it can, starts over without the session (a new QR).
      log.error("WhatsApp refused the saved session; a new QR scan is needed");
      this.#sessionLost();
    });
    client.on("disconnected", (reason: unknown) => {
      const why = typeof reason === "string" ? reason : "unknown";
      if (SESSION_LOST.has(why)) {
        log.error("WhatsApp session lost; a new QR scan is needed", { reason: why });
        this.#sessionLost();
        // After LOGOUT the library keeps its page and shows a new QR itself; otherwise it closed the browser.
        if (why === "LOGOUT") return;
      }
      void this.#reconnect(why);
    });
  }

  #sessionLost(): void {
    if (this.#toldLost) return;
    this.#toldLost = true;
    void this.#tell({ kind: "session-lost", path: this.qrPath });
  }

  /** The QR in the terminal, in the PNG (replaced atomically), and to admins the first time in QR_RESEND_MS. */
  #showQr(qr: string): void {
    qrTerminal.generate(qr, { small: true }, (art) => (this.#o.terminal ?? ((t) => process.stdout.write(t)))(`\nWhatsApp login: scan this code with the association's phone (WhatsApp → Linked devices), or open ${this.qrPath}\n${art}\n`));
    this.#qrWrites = this.#qrWrites.then(async () => {
      try {
        const png = await QRCode.toBuffer(qr, { type: "png", width: 400, margin: 2 });
        await mkdir(this.#o.dataDir, { recursive: true });
        const tmp = `${this.qrPath}.tmp`;
        await writeFile(tmp, png);
        await rename(tmp, this.qrPath);
        const now = Date.now();
        if (this.#qrToldAt === undefined || now - this.#qrToldAt >= QR_RESEND_MS) {
          this.#qrToldAt = now;
          await this.#tell({ kind: "login-qr", png, path: this.qrPath });
        }
      } catch (error) {
        this.#o.log.error("could not save the WhatsApp login QR", { reason: reasonOf(error) });
      }
    });
  }

  async #removeQr(): Promise<void> {
    await this.#qrWrites;
    await rm(this.qrPath, { force: true }).catch(() => {});
  }
}
