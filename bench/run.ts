/**
 * `npm run bench`: the bot measured as a process of its own, the way it runs in production.
 *
 * Each bot runs in a child process (`node dist/...`, bundled by `npm run build`); the fake Bot API
 * and the simulated people run here, in the bench's process, so the bot's figures are the bot's
 * alone: its CPU time and resident memory are read from /proc/<pid>. Three bots, in one run:
 *   - the whole stack, production form (`node --liftoff-only dist/bot/main.js`, as deploy/ runs it),
 *     with a fresh SQLite database;
 *   - a bare grammY bot started as grammY's docs show (`bot.start()`), bench/bare-bot.ts;
 *   - the same bare bot on the project's own Poller (src/channels/telegram/polling.ts).
 *
 * Workload: PEOPLE people register an enterprise at once, 11 updates each (/start, menu, consent,
 * BIN, name, region, sector, employees, contact, phone, confirm); each person waits for the bot's
 * answer before the next step. The whole stack runs rounds of it until at least 10,000 updates
 * (memory must stay flat); the bare bots two rounds.
 *
 * Problem reports (issue 7, bench/problems.ts): PROBLEM_REPORTERS members at once each report a
 * problem with two photos as an album; reports per second and the latency from Send to the staff
 * post delivered to the staff group with its photos.
 *
 * Then, in the same run: the whole stack on PostgreSQL (a private cluster, or TEST_POSTGRES_URL), one
 * instance on long polling and two in webhook mode behind test/support/balancer.ts; and the delivery
 * engine under 10,000 queued announcements against the fake's Telegram limits.
 *
 * Broadcast (issue 8, bench/broadcast.ts): an announcement to 10,000 members started by
 * startBroadcast, sent by the bot in paid-broadcast mode at BROADCAST_RATE (300/s) against the
 * fake's limits, with five kill -9 and restarts in its second half.
 *
 * WhatsApp (issue 9, bench/whatsapp.ts): WA_PEOPLE (50) people register at once on the WhatsApp
 * adapter's fake client and, in the same run, on the Telegram adapter against the fake Bot API,
 * both in the bench's process: messages per second through the whole stack, and their ratio.
 *
 * Also measured: time to ready (spawn → the "ready" log line: polling started) of the production
 * form (first start with migrations, then restarts) and of `npm start`, against `node -e 0` on
 * the same machine; idle resident memory after ready.
 *
 *   npm run bench                     # 200 people per round, at least 10,000 updates
 *   PEOPLE=500 MIN_UPDATES=2000 npm run bench
 *   BOT_FLAGS="" npm run bench        # the whole stack without the production V8 flags
 *   BENCH_ONLY=engine npm run bench   # only the delivery engine under a queue
 *   BENCH_ONLY=inbound npm run bench  # only the bare grammY bot and the whole stack (inbound updates/s)
 *   BENCH_ONLY=problems npm run bench # only the problem reports (bench/problems.ts)
 *   BENCH_ONLY=broadcast npm run bench # only the broadcast to 10,000 members (bench/broadcast.ts)
 *   BENCH_ONLY=whatsapp npm run bench  # only WhatsApp's inbound against Telegram's (bench/whatsapp.ts)
 *   PROBLEM_REPORTERS=100 npm run bench
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { startFakeBotApi, type FakeBotApi } from "../test/support/fake-bot-api.ts";
import { openDatabase } from "../src/db/database.ts";
import { enqueue } from "../src/core/bookkeeping.ts";
import { findPostgresBin, startPostgresCluster } from "../scripts/postgres-cluster.mjs";
import pg from "pg";
import { startBalancer } from "../test/support/balancer.ts";
import { cpuMs, freePort, rssMb, sampleRss, startBot, type BotProcess } from "./proc.ts";
import { BUTTONS, bins, drive, registration, type Step } from "./workload.ts";
import { problemReports, type ProblemRun } from "./problems.ts";
import { broadcastBench, printBroadcast } from "./broadcast.ts";
import { printWhatsApp, whatsappBench } from "./whatsapp.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PEOPLE = Number(process.env.PEOPLE ?? 200);
/** The whole stack runs rounds until this many updates (memory must stay flat across them). */
const MIN_UPDATES = Number(process.env.MIN_UPDATES ?? 10_000);
const WARMUP = 20;
const RESTARTS = 4;
const NPM_STARTS = 3;
const IDLE_MS = 3_000;
const SOLO = 10;
/** Announcements queued for the engine's measure, and how long it is measured. */
const ENGINE_ROWS = Number(process.env.ENGINE_ROWS ?? 10_000);
const ENGINE_SECONDS = Number(process.env.ENGINE_SECONDS ?? 30);
/** Members reporting a problem at once in the problem reports' part. */
const PROBLEM_REPORTERS = Number(process.env.PROBLEM_REPORTERS ?? 50);
/** The production command line (deploy/qaz-textile-bot.service's ExecStart); BOT_FLAGS replaces its V8 flags to compare. */
const PRODUCTION = [...(process.env.BOT_FLAGS ?? "--liftoff-only").split(" ").filter(Boolean), "dist/bot/main.js"];

interface Run {
  name: string;
  readyMs: number[];
  /** CPU time the process had used when it said ready (ms): start-up work, whatever the load. */
  readyCpuMs: number[];
  idleRssMb: number;
  updates: number;
  seconds: number;
  cpuMs: number;
  /** RSS at the end of each round (MB). */
  roundRssMb: number[];
  peakRssMb: number;
  stepMs: number[];
  aloneMs: number[];
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const percentile = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((v.length * p) / 100))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops with SIGTERM; an unclean stop is reported (the test/e2e/process.test.ts cases), not fatal. */
const unclean: string[] = [];
async function stop(bot: BotProcess, what: string): Promise<void> {
  bot.child.kill("SIGTERM");
  const code = await bot.exited;
  const stopped = bot.lines.some((l) => typeof l === "object" && l.msg === "stopped");
  if (code !== 0 || !stopped) unclean.push(`${what}: exit ${code} after SIGTERM${stopped ? "" : ', without its "stopped" line'}`);
}

/** Idle RSS: the highest sample over IDLE_MS after ready (start-up garbage settles meanwhile). */
async function idleRss(pid: number): Promise<number> {
  const sampler = sampleRss(pid, 100);
  await sleep(IDLE_MS);
  sampler.stop();
  return sampler.last;
}

/** Runs `rounds` rounds of PEOPLE registrations (after a warm-up), measuring the bot processes (CPU and RSS summed). */
async function load(fake: FakeBotApi, bots: BotProcess | BotProcess[], rounds: number, waitFor: (step: Step) => (text: string) => boolean, gen: Generator<string>) {
  const all = Array.isArray(bots) ? bots : [bots];
  let base = 1_000_000;
  const people = (n: number) => drive(fake, n, (base += 10_000), () => registration(gen.next().value as string), waitFor);
  await people(WARMUP);
  const samplers = all.map((b) => sampleRss(b.pid, 100));
  const cpuAll = () => all.reduce((sum, b) => sum + cpuMs(b.pid), 0);
  const rssAll = () => all.reduce((sum, b) => sum + rssMb(b.pid), 0);
  const cpu0 = cpuAll();
  const t0 = performance.now();
  const roundRssMb: number[] = [];
  const stepMs: number[] = [];
  let updates = 0;
  for (let r = 0; r < rounds; r++) {
    const result = await people(PEOPLE);
    updates += result.updates;
    stepMs.push(...result.stepMs);
    roundRssMb.push(rssAll());
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuAll() - cpu0;
  for (const s of samplers) s.stop();
  // One person after another: a step's latency with no queue in front of it.
  const aloneMs: number[] = [];
  for (let i = 0; i < SOLO; i++) aloneMs.push(...(await people(1)).stepMs);
  return { updates, seconds, cpuMs: cpu, roundRssMb, peakRssMb: samplers.reduce((sum, s) => sum + s.peak, 0), stepMs, aloneMs };
}

async function bareBot(mode: "grammy" | "poller", gen: Generator<string>): Promise<Run> {
  const fake = await startFakeBotApi({ recordCalls: false });
  try {
    const bot = startBot("node", ["dist/bench/bare-bot.js", mode], { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, BENCH_BUTTONS: JSON.stringify(BUTTONS) }, { cwd: ROOT });
    const readyMs = [await bot.ready];
    const readyCpuMs = [cpuMs(bot.pid)];
    const idleRssMb = await idleRss(bot.pid);
    const measured = await load(fake, bot, 2, () => () => true, gen);
    await stop(bot, mode);
    return { name: mode === "grammy" ? "bare grammY bot (bot.start())" : "bare bot on the project's Poller", readyMs, readyCpuMs, idleRssMb, ...measured };
  } finally {
    await fake.close();
  }
}

async function wholeStack(gen: Generator<string>): Promise<Run & { npmReadyMs: number[]; firstStartMs: number }> {
  const fake = await startFakeBotApi({ recordCalls: false });
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-"));
  try {
    const env = {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: `file:${join(dir, "bench.db")}`,
      PORT: String(await freePort()),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
      // The fake Bot API has no flood limits, and the bare bots do not pace their sends either.
      TELEGRAM_FLOOD_LIMITS: "off",
    };
    // First start (creates the database, applies every migration), then restarts.
    const readyMs: number[] = [];
    const readyCpuMs: number[] = [];
    let bot = startBot("node", PRODUCTION, env, { cwd: ROOT });
    const firstStartMs = await bot.ready;
    for (let i = 0; i < RESTARTS; i++) {
      await stop(bot, "whole stack at rest");
      bot = startBot("node", PRODUCTION, env, { cwd: ROOT });
      readyMs.push(await bot.ready);
      readyCpuMs.push(cpuMs(bot.pid));
    }
    // `npm start` (npm → node --import tsx, TypeScript compiled at load) for comparison.
    await stop(bot, "whole stack at rest");
    const npmReadyMs: number[] = [];
    for (let i = 0; i < NPM_STARTS; i++) {
      const npm = startBot("npm", ["start", "--silent"], env, { cwd: ROOT });
      npmReadyMs.push(await npm.ready);
      await stop(npm, "npm start at rest");
    }
    bot = startBot("node", PRODUCTION, env, { cwd: ROOT });
    readyMs.push(await bot.ready);
    readyCpuMs.push(cpuMs(bot.pid));
    const idleRssMb = await idleRss(bot.pid);
    const rounds = Math.ceil(MIN_UPDATES / (PEOPLE * 11));
    const measured = await load(fake, bot, rounds, (step) => (text) => text.includes(step.expect), gen);
    await stop(bot, "whole stack after the load");
    const db = await openDatabase(env.DATABASE_URL);
    const enterprises = await db.transaction((tx) => tx.enterprise.count());
    await db.close();
    const expected = WARMUP + rounds * PEOPLE + SOLO;
    if (enterprises !== expected) throw new Error(`expected ${expected} applications, found ${enterprises}`);
    return { name: "whole stack (production form)", readyMs, readyCpuMs, firstStartMs, npmReadyMs, idleRssMb, ...measured };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The production form on PostgreSQL: one instance on long polling (what the database costs against
 * SQLite), or `instances` in webhook mode behind the load balancer of the cluster test (how two
 * share the load). Load only: start-up is measured on SQLite above.
 */
async function onPostgres(gen: Generator<string>, postgres: string, instances: number): Promise<Run> {
  const fake = await startFakeBotApi({ recordCalls: false, webhookConcurrency: 40 });
  const admin = new pg.Client({ connectionString: postgres });
  await admin.connect();
  const database = `bench_${process.pid}_${instances}`;
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(postgres);
  url.pathname = `/${database}`;
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const balancer = instances > 1 ? await startBalancer({ ports }) : undefined;
  const bots: BotProcess[] = [];
  try {
    const env = (port: number) => ({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: url.toString(),
      PORT: String(port),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
      TELEGRAM_FLOOD_LIMITS: "off",
      ...(balancer ? { TELEGRAM_WEBHOOK_URL: `${balancer.url}/telegram`, TELEGRAM_WEBHOOK_SECRET: "bench-webhook-secret-0123456789" } : {}),
    });
    for (const port of ports) bots.push(startBot("node", PRODUCTION, env(port), { cwd: ROOT }));
    const readyMs = await Promise.all(bots.map((b) => b.ready));
    const idleRssMb = (await Promise.all(bots.map((b) => idleRss(b.pid)))).reduce((a, b) => a + b, 0);
    const rounds = Math.ceil(MIN_UPDATES / (PEOPLE * 11));
    const measured = await load(fake, bots, rounds, (step) => (text) => text.includes(step.expect), gen);
    for (const bot of bots) await stop(bot, `PostgreSQL, ${instances} instance(s), after the load`);
    return {
      name: instances > 1 ? `PostgreSQL, ${instances} instances (webhook)` : "PostgreSQL, 1 instance",
      readyMs,
      readyCpuMs: [],
      idleRssMb,
      ...measured,
    };
  } finally {
    for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
    await balancer?.close();
    await fake.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/**
 * The delivery engine under a queue: ENGINE_ROWS announcements (bulk lane) queued for as many
 * people, the bot started on them with Telegram's limits on, against the fake Bot API enforcing
 * Telegram's limits (429 with retry_after). Measured over ENGINE_SECONDS: the sustained send rate
 * as a share of the configured one (TELEGRAM_SENDS_PER_SECOND), sends inside retry_after windows,
 * and how long a member who writes meanwhile waits for the answer (conversation lane first).
 */
async function engineUnderQueue(): Promise<{ configured: number; perSecond: number; inWindow: number; overLimit: number; answerMs: number[]; rssMb: number; left: number }> {
  const fake = await startFakeBotApi({ recordCalls: true, limits: true });
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-engine-"));
  const url = `file:${join(dir, "bench.db")}`;
  const configured = 25;
  try {
    const db = await openDatabase(url);
    const base = 5_000_000;
    await db.transaction(async (tx) => {
      const now = new Date();
      for (let i = 0; i < ENGINE_ROWS; i++) {
        const payload = JSON.stringify({ kind: "send", message: { text: `Announcement to ${i}: the congress opens on 15.03.2027 at 10:00.` } });
        await enqueue(tx, { channel: "telegram", chatId: String(base + i), payload, tag: null, locale: "en", lane: "bulk" }, now);
      }
    });
    await db.close();
    for (let i = 0; i < ENGINE_ROWS; i++) fake.user({ id: base + i, started: true });
    const bot = startBot("node", PRODUCTION, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: url,
      PORT: String(await freePort()),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
      TELEGRAM_SENDS_PER_SECOND: String(configured),
    }, { cwd: ROOT });
    await bot.ready;
    const sent = () => fake.calls.filter((c) => c.method === "sendMessage" && c.ok && Number(c.params.chat_id) >= base).length;
    // The first seconds spend the burst; the sustained rate is measured after it.
    await sleep(3000);
    const s0 = sent();
    const t0 = performance.now();
    const answerMs: number[] = [];
    let member = 0;
    while (performance.now() - t0 < ENGINE_SECONDS * 1000) {
      const user = fake.user({ id: 6_000_000 + member++, language_code: "en" });
      const started = performance.now();
      user.send("/start");
      await user.waitFor(/./, { timeoutMs: 60_000 });
      answerMs.push(performance.now() - started);
      await sleep(2000);
    }
    const perSecond = (sent() - s0) / ((performance.now() - t0) / 1000);
    const rss = rssMb(bot.pid);
    await stop(bot, "engine under a queue");
    return { configured, perSecond, inWindow: fake.floodStats.inWindow, overLimit: fake.floodStats.overLimit, answerMs, rssMb: rss, left: ENGINE_ROWS - sent() };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The PostgreSQL server of the bench: TEST_POSTGRES_URL when set, else a private throwaway cluster
 * from Debian's binaries (as `npm test` starts one), else none (that part is skipped).
 */
async function benchPostgres(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const url = process.env.TEST_POSTGRES_URL;
  if (url) return { url, stop: async () => {} };
  if (!findPostgresBin()) return undefined;
  const cluster = await startPostgresCluster();
  process.on("exit", () => cluster.stop());
  return { url: cluster.url, stop: async () => cluster.stop() };
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
await build({
  absWorkingDir: ROOT,
  entryPoints: ["bench/bare-bot.ts"],
  outfile: "dist/bench/bare-bot.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  logLevel: "warning",
});
const nodeMs: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  execFileSync("node", ["-e", "0"]);
  nodeMs.push(performance.now() - t0);
}
console.log(`Whole stack: node ${PRODUCTION.join(" ")}`);
console.log(`Bots run as child processes; the fake Bot API and ${PEOPLE} simulated people per round run in the bench's process.`);
console.log(`Load on this machine at the start: ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")} (1/5/15 min), ${(await import("node:os")).cpus().length} cores.\n`);

if (process.env.BENCH_ONLY === "engine") {
  // The engine's part alone (`BENCH_ONLY=engine npm run bench`).
  const e = await engineUnderQueue();
  console.log(JSON.stringify({ ...e, answerMs: e.answerMs.map((m) => Math.round(m)) }));
  process.exit(0);
}
const gen = bins();
const reports = () => problemReports({ root: ROOT, production: PRODUCTION, reporters: PROBLEM_REPORTERS, bins: gen, stop });
/** The problem reports' lines (printed alone with BENCH_ONLY=problems, else with the rest). */
function printProblems(p: ProblemRun): void {
  console.log(`Problem reports: ${p.reporters} members at once, each reporting a problem with two photos as an album (9 updates), against the fake:`);
  console.log(`  ${(p.reporters / p.seconds).toFixed(2)} reports/s (${p.reporters} in ${p.seconds.toFixed(1)} s, from the first /problem to the last staff post delivered with its photos); bot CPU ${p.cpuMsPerReport.toFixed(0)} ms per report`);
  console.log(`  Send → staff post and both photos in the staff group: median ${percentile(p.submitMs, 50).toFixed(0)} ms, p95 ${percentile(p.submitMs, 95).toFixed(0)} ms`);
  console.log(`  whole report (/problem → staff post with photos, 9 steps each waiting for the answer): median ${percentile(p.reportMs, 50).toFixed(0)} ms, p95 ${percentile(p.reportMs, 95).toFixed(0)} ms`);
  console.log(`  one member reporting alone afterwards (${p.aloneSubmitMs.length} reports), Send → staff post and photos: median ${percentile(p.aloneSubmitMs, 50).toFixed(0)} ms, max ${Math.max(...p.aloneSubmitMs).toFixed(0)} ms`);
}
if (process.env.BENCH_ONLY === "broadcast") {
  printBroadcast(await broadcastBench({ root: ROOT, production: PRODUCTION, stop }));
  console.log(`\nBench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exit(0);
}
const WA_PEOPLE = Number(process.env.WA_PEOPLE ?? 50);
if (process.env.BENCH_ONLY === "whatsapp") {
  printWhatsApp(await whatsappBench({ people: WA_PEOPLE, bins: bins() }));
  console.log(`\nBench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exit(0);
}
if (process.env.BENCH_ONLY === "problems") {
  printProblems(await reports());
  console.log(`\nBench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exit(0);
}
const grammy = await bareBot("grammy", gen);
if (process.env.BENCH_ONLY === "inbound") {
  // Inbound throughput alone (`BENCH_ONLY=inbound npm run bench`): the bare grammY bot and the whole stack.
  const stack = await wholeStack(gen);
  for (const r of [grammy, stack]) {
    console.log(`${r.name.padEnd(33)} ${(r.updates / r.seconds).toFixed(0).padStart(6)} updates/s   ${(r.cpuMs / r.updates).toFixed(3)} ms CPU/update   step median ${percentile(r.stepMs, 50).toFixed(1)} ms, p95 ${percentile(r.stepMs, 95).toFixed(1)} ms`);
  }
  console.log(`Ratios vs grammY: throughput ${((stack.updates / stack.seconds) / (grammy.updates / grammy.seconds)).toFixed(2)}, CPU ${((grammy.cpuMs / grammy.updates) / (stack.cpuMs / stack.updates)).toFixed(2)}`);
  console.log(`\nBench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exit(0);
}
const poller = await bareBot("poller", gen);
const full = await wholeStack(gen);
const engine = await engineUnderQueue();
const problems = await reports();
const broadcast = await broadcastBench({ root: ROOT, production: PRODUCTION, stop });
const whatsapp = await whatsappBench({ people: WA_PEOPLE, bins: gen });
const postgres = await benchPostgres();
const onPg: Run[] = [];
if (postgres) {
  try {
    onPg.push(await onPostgres(gen, postgres.url, 1));
    onPg.push(await onPostgres(gen, postgres.url, 2));
  } finally {
    await postgres.stop();
  }
}

const f = (n: number, d = 1) => n.toFixed(d).padStart(9);
console.log("Start (spawn → \"ready\" log line: polling started), median:");
console.log(`  node -e 0 (Node's own start on this machine, for scale)      ${f(median(nodeMs), 0)} ms`);
console.log(`  production form, first start (creates and migrates the DB)   ${f(full.firstStartMs, 0)} ms`);
console.log(`  production form, restart (${full.readyMs.length} starts)                         ${f(median(full.readyMs), 0)} ms   (min ${full.readyMs.reduce((a, b) => Math.min(a, b)).toFixed(0)}, max ${full.readyMs.reduce((a, b) => Math.max(a, b)).toFixed(0)})   aim < 1000 ms`);
console.log(`      CPU used by then (all threads; what the start costs whatever the machine's load)  ${f(median(full.readyCpuMs), 0)} ms`);
console.log(`  npm start (npm → node --import tsx, ${full.npmReadyMs.length} starts)                 ${f(median(full.npmReadyMs), 0)} ms`);
console.log(`  bare grammY bot / bare bot on Poller                          ${f(grammy.readyMs[0]!, 0)} ms / ${poller.readyMs[0]!.toFixed(0)} ms\n`);

console.log("                                   idle RSS   updates   updates/s   CPU ms     step ms under load     peak RSS   step ms, one person alone");
console.log("                                      MB                            /update    median      p95          MB        median      p95");
for (const r of [grammy, poller, full, ...onPg]) {
  console.log(
    `${r.name.padEnd(33)} ${f(r.idleRssMb, 0)} ${String(r.updates).padStart(9)} ${f(r.updates / r.seconds, 0)}   ${f(r.cpuMs / r.updates, 3)} ${f(percentile(r.stepMs, 50), 2)} ${f(percentile(r.stepMs, 95), 2)}  ${f(r.peakRssMb, 0)}  ${f(percentile(r.aloneMs, 50), 2)} ${f(percentile(r.aloneMs, 95), 2)}`,
  );
}
console.log(`\nWhole stack: idle RSS ${full.idleRssMb.toFixed(0)} MB (aim < 150 MB); RSS after each round of ${PEOPLE * 11} updates: ${full.roundRssMb.map((m) => m.toFixed(0)).join(", ")} MB (flat = no growth from round to round).`);

const cpu = (r: Run) => r.cpuMs / r.updates;
const rate = (r: Run) => r.updates / r.seconds;
console.log("\nRatios (whole stack against each bare bot; 1.0 = as cheap as the bare bot, the aim is at least 0.5):");
console.log(`  throughput, updates/s stack ÷ bare:     vs grammY ${(rate(full) / rate(grammy)).toFixed(2)}   vs Poller ${(rate(full) / rate(poller)).toFixed(2)}`);
console.log("      how many updates per second the stack gets through, as a share of the bare bot's, with people who");
console.log("      wait for each answer; depends on this machine's load and on the fake's speed as well.");
console.log(`  CPU, bare's CPU per update ÷ stack's:   vs grammY ${(cpu(grammy) / cpu(full)).toFixed(2)}   vs Poller ${(cpu(poller) / cpu(full)).toFixed(2)}`);
console.log("      the bot process's own work per update (user + system time of all its threads, from /proc):");
console.log(`      0.25 would mean the stack spends 4x the bare bot's CPU on an update; here ${(cpu(full) / cpu(grammy)).toFixed(1)}x grammY's.`);
for (const r of onPg) console.log(`  ${r.name}: throughput vs grammY ${(rate(r) / rate(grammy)).toFixed(2)}, CPU (all instances) vs grammY ${(cpu(grammy) / cpu(r)).toFixed(2)}`);
if (!postgres) console.log("  PostgreSQL: skipped (no TEST_POSTGRES_URL and no PostgreSQL binaries; sudo apt-get install postgresql)");
console.log("  vs grammY measures the whole stack against the textbook bot; vs Poller removes the polling loop's");
console.log("  share, leaving what the adapter, core, dialog engine, database and outbox cost.");
console.log(`\nDelivery engine: ${ENGINE_ROWS} announcements queued (bulk lane), the fake Bot API enforcing Telegram's limits, measured ${ENGINE_SECONDS} s:`);
console.log(`  sustained sends/s ${engine.perSecond.toFixed(1)} of the configured ${engine.configured} (ratio ${(engine.perSecond / engine.configured).toFixed(2)}); 429s over a limit: ${engine.overLimit}; sends inside a retry_after window: ${engine.inWindow}`);
console.log(`  a member writing meanwhile is answered in: median ${percentile(engine.answerMs, 50).toFixed(0)} ms, max ${Math.max(...engine.answerMs).toFixed(0)} ms (${engine.answerMs.length} members); bot RSS ${engine.rssMb.toFixed(0)} MB with ${engine.left} rows still queued`);
console.log("");
printProblems(problems);
console.log("");
printBroadcast(broadcast);
console.log("");
printWhatsApp(whatsapp);
if (unclean.length) console.log(`\nUnclean stops (see test/e2e/process.test.ts):\n${unclean.map((u) => `  ${u}`).join("\n")}`);
console.log(`\nBench time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
