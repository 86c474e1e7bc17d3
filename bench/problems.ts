/**
 * The bench's problem reports (issue 7): the production form with a staff group, PROBLEM_REPORTERS
 * members (registered through the bot and approved by a staff member pressing Approve in the
 * group, not measured), then all of them at once reporting a problem with two photos sent as an
 * album, each waiting for the bot's answer before the next step (9 steps: /problem, category,
 * title, description, Done, the album, Done, anonymity, Send); before them WARMUP reports (not
 * measured), after them ALONE reports one at a time (the latency with no queue in front).
 *
 * Measured: reports per second over the report phase (first /problem to the last staff post
 * delivered with its files), and per report the latency from Send (the update that submits) to the
 * staff post and both photos delivered to the fake staff group, and from the report's first update
 * (/problem) to the same point; the bot's CPU per report.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleJpeg, startFakeBotApi, type BotMessage, type FakeUser } from "../test/support/fake-bot-api.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { toPlain } from "../src/core/rich-text.ts";
import { FILES_PER_MESSAGE } from "../src/core/problems/service.ts";
import { cpuMs, freePort, startBot } from "./proc.ts";
import { drive, registration } from "./workload.ts";

const i18n = createI18n();
const t = (key: string, args?: Record<string, string | number>) => toPlain(i18n.t("en", key, args));
const firstLine = (key: string, args?: Record<string, string | number>) => t(key, args).split("\n")[0]!;

const STAFF = 900;
const GROUP = -1009000;
const REF = /QT-\d{4}-\d{4}/;
/** Reports made one after another after the load: the latency with no queue in front. */
const ALONE = 5;
/** Reports made before the measure (the bot's and the bench's JIT warm up, as the inbound load's warm-up does). */
const WARMUP = 10;
/** Made-up words, so that no two reports look similar (no "similar problems" question in between). */
const word = (n: number, salt: number) =>
  Array.from({ length: 3 }, (_, i) => "bcdfghjklmnpqrstvwxz"[(n * 7 + i * 13 + salt) % 20]! + "aeiou"[(n + i + salt) % 5]!).join("") + String(n).replace(/./g, (d) => "bcdfghjklm"[Number(d)]!);

export interface ProblemRun {
  reporters: number;
  seconds: number;
  /** Send → the post and both photos in the staff group (ms). */
  submitMs: number[];
  /** /problem → the post and both photos in the staff group (ms). */
  reportMs: number[];
  /** Send → post and photos, one member reporting at a time (ms). */
  aloneSubmitMs: number[];
  cpuMsPerReport: number;
}

/** Runs the problem reports against the production form (`production`: node's arguments) on a fresh SQLite database. */
export async function problemReports(opts: { root: string; production: string[]; reporters: number; bins: Generator<string>; stop: (bot: ReturnType<typeof startBot>, what: string) => Promise<void> }): Promise<ProblemRun> {
  const fake = await startFakeBotApi({ recordCalls: false });
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-problems-"));
  try {
    const group = fake.group({ id: GROUP, title: "QTI staff", type: "supergroup" });
    const staff = fake.user({ id: STAFF, first_name: "Dana", language_code: "en" });
    const bot = startBot("node", opts.production, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: `file:${join(dir, "bench.db")}`,
      FILES_DIR: join(dir, "files"),
      PORT: String(await freePort()),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
      TELEGRAM_FLOOD_LIMITS: "off",
      STAFF_TELEGRAM_IDS: String(STAFF),
      STAFF_CHAT_ID: String(GROUP),
    }, { cwd: opts.root });
    await bot.ready;

    // Members: registered through the bot, each application approved in the staff group.
    const { users: all } = await drive(fake, WARMUP + opts.reporters + ALONE, 7_000_000, () => registration(opts.bins.next().value as string), (step) => (text) => text.includes(step.expect));
    // The notices go out through the outbox, after the applicants' answers: wait for all of them.
    const notices = new Set<number>();
    await group.waitFor(
      (m) => {
        if (m.reply_markup?.inline_keyboard.flat().some((b) => b.text === t("notice-approve"))) notices.add(m.message_id);
        return notices.size >= all.length;
      },
      { after: 0, timeoutMs: 120_000 },
    );
    for (const notice of notices) await staff.pressIn(group, t("notice-approve"), { message: notice }).answer;
    await Promise.all(all.map((u) => u.waitFor(/🎉/, { after: 0, timeoutMs: 120_000 })));
    const warmup = all.slice(0, WARMUP);
    const users = all.slice(WARMUP, WARMUP + opts.reporters);
    const alone = all.slice(WARMUP + opts.reporters);
    await Promise.all(warmup.map((user, i) => reportOne(user, 100_000 + i, group, [], [])));

    const submitMs: number[] = [];
    const reportMs: number[] = [];
    const cpu0 = cpuMs(bot.pid);
    const t0 = performance.now();
    await Promise.all(users.map((user, i) => reportOne(user, i, group, submitMs, reportMs)));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMs(bot.pid) - cpu0;
    const aloneSubmitMs: number[] = [];
    for (const [i, user] of alone.entries()) await reportOne(user, 200_000 + i, group, aloneSubmitMs, []);
    await opts.stop(bot, "problem reports");
    return { reporters: users.length, seconds, submitMs, reportMs, aloneSubmitMs, cpuMsPerReport: cpu / users.length };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One member's report, step by step; records its latencies once the staff post and both photos are in the group. */
async function reportOne(user: FakeUser, n: number, group: ReturnType<Awaited<ReturnType<typeof startFakeBotApi>>["group"]>, submitMs: number[], reportMs: number[]): Promise<void> {
  const step = async (act: () => unknown, expect: (m: BotMessage) => boolean): Promise<BotMessage> => {
    const after = user.messages.at(-1)?.message_id ?? 0;
    act();
    return user.waitFor(expect, { after, timeoutMs: 120_000 });
  };
  const has = (text: string) => (m: BotMessage) => m.text.includes(text);
  const started = performance.now();
  await step(() => user.send("/problem"), has(t("problem-cat-other-hint")));
  await step(() => user.press(t("problem-cat-other")), has(t("problem-ask-title")));
  await step(() => user.send(`${word(n, 1)} ${word(n, 2)}`), has(t("problem-ask-description")));
  await step(() => user.send(`${word(n, 3)} ${word(n, 4)} ${word(n, 5)}.`), has(t("problem-description-added")));
  await step(() => user.press(t("problem-done-button")), has(t("problem-ask-files", { max: FILES_PER_MESSAGE })));
  await step(() => user.sendAlbum([{ kind: "photo", bytes: sampleJpeg(`${n}-a`) }, { kind: "photo", bytes: sampleJpeg(`${n}-b`) }]), has(t("problem-file-added")));
  await step(() => user.press(t("problem-done-button")), has(firstLine("problem-ask-anonymity")));
  const summary = firstLine("problem-summary", { details: "" });
  const similar = [1, 2].map((count) => firstLine("problem-similar", { count, list: "" }));
  const next = await step(() => user.press(t("problem-anon-named")), (m) => m.text.includes(summary) || similar.some((s) => m.text.includes(s)));
  if (!next.text.includes(summary)) await step(() => user.press(t("problem-similar-different")), has(summary));
  const sent = performance.now();
  const told = await step(() => user.press(t("problem-send-button")), (m) => REF.test(m.text));
  const ref = REF.exec(told.text)![0];
  const post = await group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0, timeoutMs: 120_000 });
  const photos = new Set<number>();
  await group.waitFor(
    (m) => {
      if (m.reply_to === post.message_id && m.file?.kind === "photo") photos.add(m.message_id);
      return photos.size >= 2;
    },
    { after: post.message_id, timeoutMs: 120_000 },
  );
  const done = performance.now();
  submitMs.push(done - sent);
  reportMs.push(done - started);
}
