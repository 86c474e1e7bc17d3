/**
 * The WhatsApp session's life (issue 9 item 6) on a fake whatsapp-web.js client (an EventEmitter
 * with the client's calls), with the whole bot on Telegram over HTTP against the fake Bot API: the
 * admin (also staff) gets what the session tells through the core's normal delivery.
 * - "qr": the code in the terminal, as a PNG under the data directory (replaced at each new code),
 *   and to the admin on Telegram as a photo once (not at every renewal);
 * - "ready": the PNG removed;
 * - a drop: the browser closed and a new start after a backoff that doubles, is capped, has jitter;
 * - a lost session (LOGOUT, twice): staff told once; told again only after it came back;
 * - a start that hangs: given up after the start timeout, told once, retried.
 * Timers of the retries are the test's own (`schedule`): it runs them when it wants.
 */
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import QRCode from "qrcode";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../../support/telegram-harness.ts";
import { tr } from "../../support/core-harness.ts";
import type { FakeUser } from "../../support/fake-bot-api.ts";
import { SYSTEM } from "../../../src/core/unit.ts";
import { notifyChannelStatus } from "../../../src/core/staff/channel-status.ts";
import { createLogger } from "../../../src/log.ts";
import type { WhatsAppClient } from "../../../src/channels/whatsapp/client.ts";
import { WhatsAppSession, type SessionOptions } from "../../../src/channels/whatsapp/session.ts";

/** The client's calls, recorded; `initialize` resolves at once unless the test says otherwise. */
class FakeClient extends EventEmitter {
  initialized = 0;
  destroyed = 0;
  nextInitialize: () => Promise<void> = async () => {};
  initialize(): Promise<void> {
    this.initialized++;
    return this.nextInitialize();
  }
  async destroy(): Promise<void> {
    this.destroyed++;
  }
  sendMessage(): never {
    throw new Error("not used");
  }
  async getChats(): Promise<never[]> {
    return [];
  }
}

/** vi.waitFor's bound: generous, for a loaded machine (it returns as soon as the condition holds). */
const WAIT = { timeout: 15_000 };

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

let h: TelegramHarness;
let dir: string;
let admin: FakeUser;
let client: FakeClient;
let timers: { fn: () => void; ms: number }[];
let terminal: string[];
let logs: string[];
let session: WhatsAppSession | undefined;
/** How many messages the admin had before the test's own (the answer to their first message). */
let greeted: number;

beforeEach(async () => {
  h = await startTelegramHarness({ admins: ["900"], defaultLocale: "en" });
  admin = h.fake.user({ id: 900, first_name: "Admin", language_code: "en" });
  // Telegram lets a bot write only to people who wrote to it first.
  admin.send("/help");
  await h.settled();
  greeted = admin.messages.length;
  dir = mkdtempSync(join(tmpdir(), "qti-wa-session-"));
  client = new FakeClient();
  timers = [];
  terminal = [];
  logs = [];
});

afterEach(async () => {
  await session?.stop();
  session = undefined;
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function startSession(opts: Partial<SessionOptions> = {}): WhatsAppSession {
  session = new WhatsAppSession({ ...options(), ...opts });
  return session;
}

/** The session's options in these tests: the fake client, the test's timers, jitter factor 1. */
function options(): SessionOptions {
  return {
    chromiumPath: "/usr/bin/chromium",
    dataDir: join(dir, "whatsapp"),
    startTimeoutMs: 10_000,
    log: createLogger({ level: "debug", write: (l: string) => void logs.push(l) }),
    notify: (status) => h.core.run(SYSTEM, (unit) => notifyChannelStatus(unit, "whatsapp", status)),
    terminal: (t) => void terminal.push(t),
    client: client as unknown as WhatsAppClient,
    schedule: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return () => void timers.splice(timers.indexOf(t), 1);
    },
    random: () => 0.5, // jitter factor exactly 1
  };
}

/** Runs the one retry scheduled, and waits for the start it makes. */
async function runRetry(): Promise<void> {
  expect(timers).toHaveLength(1);
  const before = client.initialized;
  timers.shift()!.fn();
  await vi.waitFor(() => expect(client.initialized).toBe(before + 1), WAIT);
}

const texts = (u: FakeUser, key: string, args?: Record<string, string>) => u.messages.filter((m) => m.text === tr("en", key, args));

describe("the WhatsApp session", () => {
  it("a login QR: in the terminal, as a PNG replaced at each new code, to the admin on Telegram once as a photo; ready removes the PNG", async () => {
    const s = startSession();
    await s.start();
    expect(client.initialized).toBe(1);

    client.emit("qr", "2@first-code,abc");
    const photo = await admin.waitFor((m) => m.file?.kind === "photo", { after: 0 });
    expect(photo.text).toBe(tr("en", "wa-ops-login-qr", { path: s.qrPath }));
    expect(photo.file!.bytes.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    expect(s.qrPath).toBe(join(dir, "whatsapp", "login-qr.png"));
    const first = readFileSync(s.qrPath);
    expect(first.subarray(0, 4).equals(PNG_MAGIC)).toBe(true);
    expect(terminal.join("")).toContain(s.qrPath);

    // WhatsApp renews the code every ~20 s: the PNG follows, the admin is not written to again.
    client.emit("qr", "2@second-code,def");
    await vi.waitFor(() => expect(readFileSync(s.qrPath).equals(first)).toBe(false), WAIT);
    await h.settled();
    expect(admin.messages.filter((m) => m.file)).toHaveLength(1);
    expect(terminal).toHaveLength(2);
    // The code itself is a credential: never in the log.
    expect(logs.join("\n")).not.toContain("first-code");

    client.emit("authenticated");
    client.emit("ready");
    await vi.waitFor(() => expect(existsSync(s.qrPath)).toBe(false), WAIT);
  });

  it("a drop: the browser closed, then a new start after a backoff that doubles up to its cap; ready resets it", async () => {
    const s = startSession({ backoff: { firstMs: 1_000, maxMs: 4_000 } });
    await s.start();
    client.emit("ready");
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      client.emit("disconnected", "CONFLICT");
      await vi.waitFor(() => expect(timers).toHaveLength(1), WAIT);
      delays.push(timers[0]!.ms);
      await runRetry();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(client.destroyed).toBeGreaterThanOrEqual(4);
    client.emit("ready");
    client.emit("disconnected", "TIMEOUT");
    await vi.waitFor(() => expect(timers).toHaveLength(1), WAIT);
    expect(timers[0]!.ms).toBe(1_000);
    // Jitter: ±20 % around the step.
    const jittered = (random: number) =>
      new WhatsAppSession({ ...options(), client: new FakeClient() as unknown as WhatsAppClient, random: () => random, backoff: { firstMs: 1_000, maxMs: 4_000 } }).nextDelayMs(3);
    expect([jittered(0), jittered(0.999)]).toEqual([3_200, 4_798]);
    // A drop is not a lost session: staff hear nothing.
    await h.settled();
    expect(admin.messages).toHaveLength(greeted);
  });

  it("a lost session (LOGOUT) is told to staff once, however often it is reported, and again only after it came back", async () => {
    const s = startSession();
    await s.start();
    client.emit("ready");
    client.emit("disconnected", "LOGOUT");
    client.emit("disconnected", "LOGOUT");
    client.emit("auth_failure", "restore failed");
    const lost = () => texts(admin, "wa-ops-session-lost", { path: s.qrPath });
    await admin.waitFor(tr("en", "wa-ops-session-lost", { path: s.qrPath }), { after: 0 });
    await h.settled();
    expect(lost()).toHaveLength(1);
    // After LOGOUT whatsapp-web.js shows a new QR on its own page: no restart of ours.
    expect(timers).toHaveLength(0);

    client.emit("ready");
    const back = await admin.waitFor(tr("en", "wa-ops-connected"), { after: 0 });
    client.emit("disconnected", "UNPAIRED");
    await admin.waitFor(tr("en", "wa-ops-session-lost", { path: s.qrPath }), { after: back.message_id });
    expect(lost()).toHaveLength(2);
    // UNPAIRED: the library closed its browser; a new start follows.
    await vi.waitFor(() => expect(timers).toHaveLength(1), WAIT);
  });

  it("a start that hangs is given up after the start timeout, told to staff once over several failures, and retried; ready then says it is back", async () => {
    const s = startSession({ startTimeoutMs: 200 });
    client.nextInitialize = () => new Promise<void>(() => {});
    // Resolves: the bot goes on without WhatsApp.
    await s.start();
    expect(logs.some((l) => JSON.parse(l).msg.startsWith("WhatsApp Web cannot be reached (no answer within 0.2 s); WhatsApp stays off, retrying in 5 s"))).toBe(true);
    expect(client.destroyed).toBe(1);
    client.nextInitialize = () => Promise.reject(new Error("net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/\n    at navigate (...)"));
    await runRetry();
    await vi.waitFor(() => expect(timers).toHaveLength(1), WAIT);
    expect(timers[0]!.ms).toBe(10_000);
    expect(logs.some((l) => JSON.parse(l).msg.startsWith("WhatsApp Web cannot be reached (net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/); WhatsApp stays off, retrying in 10 s"))).toBe(true);

    const unreachable = tr("en", "wa-ops-unreachable", { reason: "no answer within 0.2 s" });
    await admin.waitFor(unreachable, { after: 0 });
    await h.settled();
    expect(admin.messages.slice(greeted).map((m) => m.text)).toEqual([unreachable]);

    client.nextInitialize = async () => {};
    await runRetry();
    client.emit("ready");
    await admin.waitFor(tr("en", "wa-ops-connected"), { after: 0 });
  });

  it("the unreachable notice says what to check and claims nothing of Telegram (the console shows it too, with no Telegram)", () => {
    for (const locale of ["kk", "ru", "en"] as const) expect(tr(locale, "wa-ops-unreachable", { reason: "net::ERR_NAME_NOT_RESOLVED" }), locale).not.toContain("Telegram");
    expect(tr("en", "wa-ops-unreachable", { reason: "net::ERR_NAME_NOT_RESOLVED" })).toContain("Check that the server reaches web.whatsapp.com");
  });

  it("a channel never reports about itself to itself: an admin also on WhatsApp hears it on Telegram only", async () => {
    await h.core.run(SYSTEM, async (unit) => {
      const person = await unit.tx.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: "900" } } });
      await unit.tx.channelIdentity.create({ data: { personId: person.personId, channel: "whatsapp", externalId: "77010000000@c.us" } });
    });
    const png = new Uint8Array(await QRCode.toBuffer("2@code", { type: "png" }));
    const channels = async () =>
      (await h.db.transaction((tx) => tx.outbox.findMany({ where: { chatId: { in: ["900", "77010000000@c.us"] } }, select: { channel: true }, orderBy: { id: "asc" } }))).map((r) => r.channel);
    const before = (await channels()).length;
    await h.core.run(SYSTEM, (unit) => notifyChannelStatus(unit, "whatsapp", { kind: "session-lost", path: "/x/login-qr.png" }));
    await h.core.run(SYSTEM, (unit) => notifyChannelStatus(unit, "whatsapp", { kind: "unreachable", reason: "net::ERR_NAME_NOT_RESOLVED" }));
    await h.core.run(SYSTEM, (unit) => notifyChannelStatus(unit, "whatsapp", { kind: "login-qr", png, path: "/x/login-qr.png" }));
    // The three notices, all on Telegram.
    expect((await channels()).slice(before)).toEqual(["telegram", "telegram", "telegram"]);
    await admin.waitFor((m) => m.file?.kind === "photo", { after: 0 });
  });
});
