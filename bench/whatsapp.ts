/**
 * WhatsApp inbound throughput (issue 9): the whole stack (core, SQLite, dialog engine, outbox,
 * WhatsApp adapter) on the fake whatsapp-web.js client (test/support/fake-whatsapp.ts: the
 * library's real Message objects), against the Telegram adapter (grammY over HTTP to the fake Bot
 * API) on the same machine in the same run. Both run in this process, each with its fake, so that
 * neither has an advantage the other lacks.
 *
 * Workload: PEOPLE people register an enterprise at once, each waiting for the answer before the
 * next step (bench/workload.ts registration). On WhatsApp every choice is typed as its number and
 * the phone is typed; a new person is first offered the languages (no hint on WhatsApp), so a
 * registration is 12 messages there and 11 updates on Telegram. Figures: messages per second.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../src/db/database.ts";
import { createCore, type Core } from "../src/core/core.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { silentLogger } from "../src/log.ts";
import { toPlain } from "../src/core/rich-text.ts";
import { FileStore } from "../src/core/files/store.ts";
import { createWhatsAppChannel } from "../src/channels/whatsapp/whatsapp.ts";
import { createTelegramChannel } from "../src/channels/telegram/telegram.ts";
import { FakeWhatsApp } from "../test/support/fake-whatsapp.ts";
import { UNPACED_WHATSAPP } from "../test/support/whatsapp-caps.ts";
import { startFakeBotApi } from "../test/support/fake-bot-api.ts";
import { drive, registration } from "./workload.ts";

const i18n = createI18n();
/** What a person reads of a locale message: visible text, first line, without WhatsApp's markers. */
const seen = (key: string) => bare(toPlain(i18n.t("en", key, { details: "", contact: "" })).split("\n")[0]!);
const bare = (text: string) => text.replace(/[*_]/g, "");

export interface ThroughputRun {
  messages: number;
  seconds: number;
}

type WaStep = { say?: string; choose?: string; expect: string };

function waRegistration(bin: string): WaStep[] {
  const t = (key: string) => toPlain(i18n.t("en", key));
  return [
    { say: "/start", expect: seen("language-prompt") },
    { choose: "English", expect: seen("menu-prompt") },
    { choose: t("menu-register"), expect: seen("consent-text") },
    { choose: t("consent-agree"), expect: seen("reg-ask-bin") },
    { say: bin, expect: seen("reg-ask-name") },
    { say: `Textile ${bin}`, expect: seen("reg-ask-region") },
    { choose: t("region-almaty-city"), expect: seen("reg-ask-sector") },
    { choose: t("sector-apparel"), expect: seen("reg-ask-employees") },
    { say: "45", expect: seen("reg-ask-contact") },
    { say: "Aigerim", expect: seen("phone-ask-or-own") },
    { say: "+77011234567", expect: seen("reg-summary") },
    { choose: t("reg-confirm-button"), expect: seen("menu-prompt") },
  ];
}

async function openCore(dir: string): Promise<{ db: Database; core: Core }> {
  const db = await openDatabase(`file:${join(dir, "bench.db")}`);
  const core = createCore({ db, i18n, log: silentLogger, settings: { defaultLocale: "en", admins: [] }, files: new FileStore(join(dir, "files")) });
  await core.start();
  return { db, core };
}

/** PEOPLE registrations on WhatsApp through the whole stack on the fake client. */
async function onWhatsApp(people: number, bins: Generator<string>, base: number): Promise<ThroughputRun> {
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-wa-"));
  const { db, core } = await openCore(dir);
  const fake = new FakeWhatsApp();
  // Without WhatsApp's pace (seconds between chats, against bans): this measures a turn's cost, as
  // the Telegram side runs without flood limits (`limits: null`); the pace has its own tests.
  const wa = createWhatsAppChannel({ core, client: fake, log: silentLogger, capabilities: UNPACED_WHATSAPP });
  await core.dispatcher.register(wa.sender);
  await wa.start();
  let messages = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: people }, async (_, i) => {
        const phone = `+7701${String(base + i).padStart(7, "0")}`;
        for (const step of waRegistration(bins.next().value as string)) {
          const after = fake.to(phone).length;
          let text = step.say;
          if (step.choose !== undefined) {
            const line = [...fake.to(phone)].reverse().flatMap((m) => m.text.split("\n")).find((l) => l.endsWith(`. ${step.choose}`));
            if (!line) throw new Error(`bench: no option "${step.choose}" shown`);
            text = line.split(".")[0]!;
          }
          fake.receive(fake.text(phone, text!));
          messages++;
          await fake.waitFor(phone, (m) => bare(m.text).includes(step.expect), { after, timeoutMs: 60_000 });
        }
      }),
    );
    return { messages, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await wa.stop();
    await core.stop();
    await core.dispatcher.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same registrations on Telegram: grammY and the Telegram adapter against the fake Bot API over HTTP, in this process. */
async function onTelegram(people: number, bins: Generator<string>, base: number): Promise<ThroughputRun> {
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-tgw-"));
  const fake = await startFakeBotApi({ recordCalls: false });
  const { db, core } = await openCore(dir);
  const telegram = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot, port: 0, core, log: silentLogger, botInfo: fake.botInfo, pollingTimeout: 2, limits: null });
  await core.dispatcher.register(telegram.sender);
  await telegram.start();
  const t0 = performance.now();
  try {
    const result = await drive(fake, people, base, () => registration(bins.next().value as string), (step) => (text) => text.includes(step.expect));
    return { messages: result.updates, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await telegram.stop();
    await core.stop();
    await core.dispatcher.stop();
    await db.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Both channels, `people` registrations each after a warm-up of a few; Telegram first, then
 * WhatsApp, on fresh databases. Takes a few seconds with the default 50.
 */
export async function whatsappBench(opts: { people?: number; bins: Generator<string> }): Promise<{ people: number; telegram: ThroughputRun; whatsapp: ThroughputRun }> {
  const people = opts.people ?? 50;
  // Warm-up (module loading, the first Prisma queries), not counted.
  await onTelegram(3, opts.bins, 7_000_000);
  await onWhatsApp(3, opts.bins, 7_100_000);
  const telegram = await onTelegram(people, opts.bins, 7_200_000);
  const whatsapp = await onWhatsApp(people, opts.bins, 7_300_000);
  return { people, telegram, whatsapp };
}

/** The bench's lines for it. */
export function printWhatsApp(r: Awaited<ReturnType<typeof whatsappBench>>): void {
  const rate = (x: ThroughputRun) => x.messages / x.seconds;
  console.log(`WhatsApp inbound (in the bench's process, each adapter on its fake): ${r.people} people registering at once, each waiting for every answer:`);
  console.log(`  WhatsApp (fake whatsapp-web.js client) ${rate(r.whatsapp).toFixed(0).padStart(6)} messages/s (${r.whatsapp.messages} in ${r.whatsapp.seconds.toFixed(1)} s; choices typed, languages offered first: 12 a person)`);
  console.log(`  Telegram (grammY, fake Bot API, HTTP)  ${rate(r.telegram).toFixed(0).padStart(6)} updates/s  (${r.telegram.messages} in ${r.telegram.seconds.toFixed(1)} s; buttons pressed: 11 a person)`);
  console.log(`  WhatsApp ÷ Telegram: ${(rate(r.whatsapp) / rate(r.telegram)).toFixed(2)}`);
}
