/**
 * `npm run bench`: updates per second through the whole stack (grammY → Telegram adapter → core →
 * SQLite → outbox → Bot API), against a bare grammY bot answering the same updates on the same
 * fake Bot API server, in the same run. Also the time per dialog step as a person sees it (from
 * sending an answer to receiving the next question), and memory.
 *
 * Workload: PEOPLE people register an enterprise at once, 11 updates each (/start, menu, consent,
 * BIN, name, region, sector, employees, contact, phone, confirm). Each person waits for the bot's
 * answer before the next step, like a person would.
 *
 *   npm run bench               # 200 people
 *   PEOPLE=500 npm run bench
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot, InlineKeyboard } from "grammy";
import { startFakeBotApi, type FakeBotApi, type FakeUser } from "../test/support/fake-bot-api.ts";
import { openDatabase } from "../src/db/database.ts";
import { createCore } from "../src/core/core.ts";
import { createTelegramChannel } from "../src/channels/telegram/telegram.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/log.ts";
import { binCheckDigit } from "../src/core/members/bin.ts";
import { toPlain } from "../src/core/rich-text.ts";

const PEOPLE = Number(process.env.PEOPLE ?? 200);
const WARMUP = 20;
const SOLO = 20;
const i18n = createI18n();
const t = (key: string, args?: Record<string, string>) => toPlain(i18n.t("en", key, args));
const firstLine = (key: string, args?: Record<string, string>) => t(key, args).split("\n")[0]!;

type Step = { kind: "send" | "press" | "contact"; value: string; expect: string };

/** Distinct valid BINs (resident legal entities), so that nobody's BIN is already registered. */
function* bins(): Generator<string> {
  for (let serial = 1; ; serial++) {
    const first11 = `2001400${String(serial).padStart(4, "0")}`;
    const check = binCheckDigit(first11);
    if (check !== null) yield first11 + check;
  }
}

function registration(bin: string): Step[] {
  return [
    { kind: "send", value: "/start", expect: t("menu-prompt") },
    { kind: "press", value: t("menu-register"), expect: firstLine("consent-text") },
    { kind: "press", value: t("consent-agree"), expect: firstLine("reg-ask-bin") },
    { kind: "send", value: bin, expect: t("reg-ask-name") },
    { kind: "send", value: `Textile ${bin}`, expect: t("reg-ask-region") },
    { kind: "press", value: t("region-almaty-city"), expect: t("reg-ask-sector") },
    { kind: "press", value: t("sector-apparel"), expect: t("reg-ask-employees") },
    { kind: "send", value: "45", expect: t("reg-ask-contact") },
    { kind: "send", value: "Aigerim", expect: t("reg-ask-phone") },
    { kind: "contact", value: "77011234567", expect: firstLine("reg-summary", { details: "", contact: "" }) },
    { kind: "press", value: t("reg-confirm-button"), expect: t("menu-prompt") },
  ];
}

interface Result {
  updates: number;
  seconds: number;
  stepMs: number[];
  /** Step times of one person at a time (no load): the intrinsic cost of a dialog step. */
  aloneMs: number[];
}

/** One person after another, SOLO times: step latency without queueing. */
async function alone(run: (n: number, base: number) => Promise<Result>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < SOLO; i++) ms.push(...(await run(1, 3_000_000 + i)).stepMs);
  return ms;
}

/** Runs every person's steps; each step waits for `done(user, step)` before the next. */
async function drive(
  fake: FakeBotApi,
  people: number,
  idBase: number,
  steps: (i: number) => Step[],
  done: (user: FakeUser, step: Step, after: number) => Promise<unknown>,
): Promise<Result> {
  const stepMs: number[] = [];
  const started = performance.now();
  let updates = 0;
  await Promise.all(
    Array.from({ length: people }, async (_, i) => {
      const user = fake.user({ id: idBase + i, first_name: `P${i}`, language_code: "en" });
      for (const step of steps(i)) {
        const after = user.messages.at(-1)?.message_id ?? 0;
        const t0 = performance.now();
        if (step.kind === "send") user.send(step.value);
        else if (step.kind === "contact") user.sendContact(step.value, { own: true });
        else user.press(step.value);
        updates++;
        await done(user, step, after);
        stepMs.push(performance.now() - t0);
      }
    }),
  );
  return { updates, seconds: (performance.now() - started) / 1000, stepMs, aloneMs: [] };
}

async function bareBot(people: number, bin: Generator<string>): Promise<Result> {
  const fake = await startFakeBotApi({ recordCalls: false });
  const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
  // The same visible behaviour per update as the bot: one HTML message with buttons; presses answered.
  const keyboard = new InlineKeyboard()
    .text(t("menu-register"), "a")
    .text(t("consent-agree"), "b")
    .row()
    .text(t("region-almaty-city"), "c")
    .text(t("sector-apparel"), "d")
    .row()
    .text(t("reg-confirm-button"), "e");
  bot.on("message", (ctx) => ctx.reply("<b>ok</b>", { parse_mode: "HTML", reply_markup: keyboard }));
  bot.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.reply("<b>ok</b>", { parse_mode: "HTML", reply_markup: keyboard });
  });
  const running = bot.start({ timeout: 1 });
  const run = (n: number, base: number) =>
    drive(fake, n, base, () => registration(bin.next().value as string), (user, _step, after) => user.waitFor(() => true, { after, timeoutMs: 60_000 }));
  await run(WARMUP, 1_000_000);
  const result = await run(people, 2_000_000);
  result.aloneMs = await alone(run);
  await bot.stop();
  await running;
  await fake.close();
  return result;
}

async function fullStack(people: number, bin: Generator<string>): Promise<Result & { rssMb: number; heapMb: number; dbMb: number }> {
  const fake = await startFakeBotApi({ recordCalls: false });
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-"));
  const db = await openDatabase(`file:${join(dir, "bench.db")}`);
  const log = createLogger({ level: "error" });
  const core = createCore({ db, i18n, log, settings: { defaultLocale: "en", admins: [] } });
  await core.start();
  const telegram = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot, port: 0, core, log, botInfo: fake.botInfo, pollingTimeout: 1, limits: null }); // the bare bot is not paced either
  await core.dispatcher.register(telegram.sender);
  await telegram.start();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const run = (n: number, base: number) =>
    drive(fake, n, base, () => registration(bin.next().value as string), (user, step, after) =>
      user.waitFor((m) => m.text.startsWith(step.expect), { after, timeoutMs: 60_000 }),
    );
  await run(WARMUP, 1_000_000);
  const result = await run(people, 2_000_000);
  clearInterval(sampler);
  result.aloneMs = await alone(run);
  const { statSync } = await import("node:fs");
  const dbMb = statSync(join(dir, "bench.db")).size / 2 ** 20;
  const enterprises = await db.transaction((tx) => tx.enterprise.count());
  if (enterprises !== people + WARMUP + SOLO) throw new Error(`expected ${people + WARMUP + SOLO} applications, found ${enterprises}`);
  await telegram.stop();
  await core.idle();
  await core.dispatcher.stop();
  await db.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  (globalThis as { gc?: () => void }).gc?.();
  return { ...result, rssMb: peakRss / 2 ** 20, heapMb: process.memoryUsage().heapUsed / 2 ** 20, dbMb };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

const rate = (r: Result) => r.updates / r.seconds;
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);

const gen = bins();
console.log(`Registration by ${PEOPLE} people at once, 11 updates each, over HTTP to the fake Bot API (same process).\n`);
const bare = await bareBot(PEOPLE, gen);
const full = await fullStack(PEOPLE, gen);
console.log("                         updates/s  |  step ms under load   |  step ms, one person alone");
console.log("                                    |  median      p95     |  median      p95");
for (const [name, r] of [["bare grammY bot", bare], ["whole stack (with DB)", full]] as const) {
  console.log(
    `${name.padEnd(24)} ${fmt(rate(r))}   | ${fmt(percentile(r.stepMs, 50), 2)} ${fmt(percentile(r.stepMs, 95), 2)}  | ${fmt(percentile(r.aloneMs, 50), 2)} ${fmt(percentile(r.aloneMs, 95), 2)}`,
  );
}
console.log(`\nratio whole stack / bare bot: ${(rate(full) / rate(bare)).toFixed(2)} (aim: at least 0.50)`);
console.log(`memory: peak RSS ${full.rssMb.toFixed(0)} MB during the run (fake server, simulated people and bot in one process); database ${full.dbMb.toFixed(1)} MB for ${PEOPLE + WARMUP + SOLO} applications`);
