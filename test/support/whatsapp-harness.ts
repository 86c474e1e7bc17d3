/**
 * The bot on WhatsApp as it runs for real, minus the browser: the real core on a real database,
 * the real WhatsApp adapter (src/channels/whatsapp) on the fake whatsapp-web.js client
 * (fake-whatsapp.ts), and staff on a recording Telegram channel (core-harness.ts). Tests read like
 * a person: `await wa.say("+77011234567", "2")`, then `wa.fresh("+77011234567")`. Restart keeps
 * the database and the fake client (its unread chats), like a bot process coming back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message as WMessage } from "whatsapp-web.js";
import type { Database } from "../../src/db/database.ts";
import { openTestDatabase } from "./db-template.ts";
import { createCore, type Core } from "../../src/core/core.ts";
import type { ChannelCapabilities, InboundEvent, TurnResult } from "../../src/core/channel.ts";
import type { CoreSettings } from "../../src/core/turn.ts";
import { FileStore } from "../../src/core/files/store.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { createWhatsAppChannel, type WhatsAppChannel } from "../../src/channels/whatsapp/whatsapp.ts";
import { UNPACED_WHATSAPP } from "./whatsapp-caps.ts";
import { FakeWhatsApp, waId, type SentMessage } from "./fake-whatsapp.ts";
import { i18n, RecordingChannel, type Delivered } from "./core-harness.ts";

export interface StaffMember {
  id: string;
  /** Sends text; `replyTo` is the id of the bot's message it replies to (in the staff chat). */
  send(text: string, opts?: { replyTo?: string }): Promise<TurnResult>;
  /** Sends a photo or a document (served to the core by the recording channel's `download`). */
  sendFile(file: { kind: "photo" | "document"; bytes: Uint8Array; name?: string; caption?: string }, opts?: { replyTo?: string }): Promise<TurnResult>;
  /** Presses the newest button whose label contains `label` (or matches it). */
  press(label: string | RegExp): Promise<TurnResult>;
  pressData(data: string): Promise<TurnResult>;
  messages(): Delivered[];
}

export interface WhatsAppHarness {
  fake: FakeWhatsApp;
  readonly core: Core;
  readonly db: Database;
  readonly channel: WhatsAppChannel;
  /** Staff's channel (Telegram, recorded). */
  staffChannel: RecordingChannel;
  files: FileStore;
  logs: string[];
  /** A person writes `text` on WhatsApp from `phone` ("+7701..." or a full id); resolves once handled and answered. */
  say(phone: string, text: string): Promise<void>;
  /** Delivers a prepared message (fake.image(...), a message twice...) and waits until handled and answered. */
  receive(msg: WMessage): Promise<void>;
  /** Everything sent to a person. */
  to(phone: string): SentMessage[];
  /** Texts (as read: without word joiners) sent to a person since the previous call. */
  fresh(phone: string): string[];
  /** The newest text sent to a person. */
  last(phone: string): string;
  /**
   * The number to type for the option `label` (visible text, or a pattern), from the newest message
   * to the person that lists it as a line "key. label". Throws when no message lists it.
   */
  keyOf(phone: string, label: string | RegExp): string;
  /** Types the number of the option `label` (see keyOf), like a person choosing it. */
  choose(phone: string, label: string | RegExp): Promise<void>;
  staff(id: string): StaffMember;
  /** Waits until every received message is handled and the outbox is delivered. */
  settled(): Promise<void>;
  /** Stops the bot and starts it again on the same database and the same fake client. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface WhatsAppHarnessOptions {
  /** Telegram ids of admins (staff on Telegram). */
  admins?: string[];
  defaultLocale?: CoreSettings["defaultLocale"];
  /** Pause of delivery while disconnected (ms); short in tests. */
  reconnectRetryMs?: number;
  /** Don't start the channel (a test starts it, e.g. after preparing unread chats). */
  deferStart?: boolean;
  /**
   * The channel's capabilities. Default UNPACED_WHATSAPP (./whatsapp-caps.ts): WhatsApp's without
   * its pace, which has tests of its own on a virtual clock.
   */
  capabilities?: ChannelCapabilities;
}

export async function startWhatsAppHarness(opts: WhatsAppHarnessOptions = {}): Promise<WhatsAppHarness> {
  const dir = mkdtempSync(join(tmpdir(), "qti-wa-"));
  const url = `file:${join(dir, "bot.db")}`;
  const fake = new FakeWhatsApp();
  const staffChannel = new RecordingChannel("telegram");
  const files = new FileStore(join(dir, "files"));
  const logs: string[] = [];
  const log: Logger = createLogger({ level: "debug", write: (line) => void logs.push(line) });
  const settings: CoreSettings = {
    defaultLocale: opts.defaultLocale ?? "ru",
    admins: (opts.admins ?? []).map((id) => ({ channel: "telegram" as const, id })),
  };
  let db!: Database;
  let core!: Core;
  let channel!: WhatsAppChannel;
  let running = false;
  let staffUpdate = 1;
  const seen = new Map<string, number>();

  async function start(startChannel = true) {
    db = await openTestDatabase(url);
    core = createCore({ db, i18n: i18n(), log, settings, files });
    await core.start();
    channel = createWhatsAppChannel({ core, client: fake, log, capabilities: opts.capabilities ?? UNPACED_WHATSAPP, ...(opts.reconnectRetryMs ? { reconnectRetryMs: opts.reconnectRetryMs } : {}) });
    await core.dispatcher.register(staffChannel);
    await core.dispatcher.register(channel.sender);
    running = true;
    if (startChannel) await channel.start();
  }

  async function stop() {
    if (!running) return;
    running = false;
    await channel.stop();
    await core.stop();
    await core.dispatcher.stop();
    await db.close();
  }

  const settled = async () => {
    await channel.idle();
    await core.idle();
    await core.dispatcher.idle();
  };

  const staffHandle = async (id: string, event: InboundEvent, replyTo?: string) => {
    const result = await core.handle({
      id: `telegram:${staffUpdate++}`,
      channel: "telegram",
      chatId: id,
      userId: id,
      chatType: "private",
      languageHint: "en",
      displayName: "Dana",
      ...(replyTo ? { replyTo } : {}),
      event,
    });
    await settled();
    return result;
  };

  await start(!opts.deferStart);
  const harness: WhatsAppHarness = {
    fake,
    staffChannel,
    files,
    logs,
    get core() {
      return core;
    },
    get db() {
      return db;
    },
    get channel() {
      return channel;
    },
    async say(phone, text) {
      fake.receive(fake.text(phone, text));
      await settled();
    },
    async receive(msg) {
      fake.receive(msg);
      await settled();
    },
    to: (phone) => fake.to(phone),
    fresh(phone) {
      const all = fake.to(phone);
      const id = waId(phone);
      const from = seen.get(id) ?? 0;
      seen.set(id, all.length);
      return all.slice(from).map((m) => m.text);
    },
    last(phone) {
      const m = fake.to(phone).at(-1);
      if (!m) throw new Error(`nothing sent to ${phone}`);
      return m.text;
    },
    keyOf(phone, label) {
      const matches = (l: string) => (typeof label === "string" ? l === label : label.test(l));
      for (const m of [...fake.to(phone)].reverse()) {
        for (const line of m.text.split("\n")) {
          const option = /^(\d{1,3})\. (.*)$/.exec(line);
          if (option && matches(option[2]!)) return option[1]!;
        }
      }
      throw new Error(`no option ${String(label)} shown to ${phone}; last: ${JSON.stringify(fake.to(phone).at(-1)?.text)}`);
    },
    async choose(phone, label) {
      await harness.say(phone, harness.keyOf(phone, label));
    },
    staff(id) {
      return {
        id,
        send: (text, o = {}) => staffHandle(id, { type: "text", text }, o.replyTo),
        sendFile(f, o = {}) {
          const platformId = staffChannel.upload(f.bytes);
          const file = { kind: f.kind, platformId, size: f.bytes.length, ...(f.name ? { name: f.name } : {}) };
          return staffHandle(id, { type: "file", file, ...(f.caption ? { caption: f.caption } : {}) }, o.replyTo);
        },
        pressData: (data) => staffHandle(id, { type: "choice", data }),
        async press(label) {
          const matches = (b: { label: string }) => (typeof label === "string" ? b.label.includes(label) : label.test(b.label));
          const withButton = [...staffChannel.in(id)].reverse().find((m) => m.message.choices?.flat().some(matches));
          const button = withButton?.message.choices?.flat().find(matches);
          if (!button) throw new Error(`no button ${String(label)} in staff chat ${id}`);
          return staffHandle(id, { type: "choice", data: button.data });
        },
        messages: () => staffChannel.in(id),
      };
    },
    settled,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
