/**
 * Several instances on one PostgreSQL database (issue 6, "How it is shown"): two bot processes in
 * webhook mode behind a load balancer (test/support/balancer.ts, as nginx would be), against the
 * fake Bot API with Telegram's flood limits on. 50 people register at once; every update goes to
 * a random instance, a tenth of them to both; one instance is killed (SIGKILL, and in a second run
 * stopped with SIGTERM) mid-way and
 * started again. Expected:
 * - 0 lost answers: every person gets every answer, in order (each step waits for its answer);
 * - 0 duplicate applications, and each staff notice once (a repeat only within the in-flight bound);
 * - per-chat order: each person's answers come in the order of the steps;
 * - 0 sends inside a retry_after window, and the bot's global rate within Telegram's limit.
 *
 * On SQLite this file is skipped: several instances need PostgreSQL (README "Several instances").
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { alive, freePort, startBot, type BotProcess } from "../../bench/proc.ts";
import { bins, drive, registration } from "../../bench/workload.ts";
import { startBalancer, type Balancer } from "../support/balancer.ts";
import { startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { tr } from "../support/core-harness.ts";
import { onPostgres } from "../support/db-template.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const POSTGRES = onPostgres ? process.env.TEST_POSTGRES_URL : undefined;
const PEOPLE = 50;
const SECRET = "cluster-test-secret";
/** Messages a killed instance may have sent without recording it (its claimed, in-flight sends). */
const IN_FLIGHT_BOUND = 20;

let fake: FakeBotApi | undefined;
let balancer: Balancer | undefined;
const bots: BotProcess[] = [];
let dir: string | undefined;
let admin: pg.Client | undefined;
let database: string | undefined;

afterEach(async () => {
  for (const bot of bots) if (alive(bot.pid)) bot.child.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
  bots.length = 0;
  await balancer?.close();
  await fake?.close();
  if (admin && database) await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  await admin?.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
  [balancer, fake, admin, database, dir] = [undefined, undefined, undefined, undefined, undefined];
}, 60_000);

/** A new empty database on the test server; its URL. */
async function freshDatabase(): Promise<string> {
  admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  database = `cluster_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(POSTGRES!);
  url.pathname = `/${database}`;
  return url.toString();
}

describe.skipIf(!POSTGRES)("two instances on one PostgreSQL behind a load balancer (webhook mode)", () => {
  // SIGKILL: the instance's claimed sends wait for their lease; SIGTERM: it hands them back and stops.
  it.each(["SIGKILL", "SIGTERM"] as const)("50 people register at once; duplicates, an instance stopped by %s and flood limits lose and repeat nothing", async (signal) => {
    const databaseUrl = await freshDatabase();
    dir = mkdtempSync(join(tmpdir(), "qti-cluster-"));
    // Telegram delivers up to max_connections updates at once (40 by default) and retries failures.
    fake = await startFakeBotApi({ webhookConcurrency: 40, webhookRetryDelayMs: 200, limits: true, recordCalls: true });
    const staff = fake.user({ first_name: "Staff", language_code: "en", started: true });
    const ports = [await freePort(), await freePort()];
    balancer = await startBalancer({ ports, duplicate: 0.1, seed: 6 });
    const env = (port: number): Record<string, string> => ({
      TELEGRAM_BOT_TOKEN: fake!.token,
      TELEGRAM_API_ROOT: fake!.apiRoot,
      TELEGRAM_WEBHOOK_URL: `${balancer!.url}/telegram`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      STAFF_TELEGRAM_IDS: String(staff.id),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
    });
    const start = (i: number) => {
      const bot = startBot("node", ["--import", "tsx", "src/main.ts"], env(ports[i]!), { cwd: ROOT });
      bots.push(bot);
      return bot;
    };
    // Both start at once: the migrations run once (an advisory lock), the other waits for them.
    const [a, b] = [start(0), start(1)];
    await Promise.all([a.ready, b.ready]);

    // One person alone first: how many messages a registration brings (some steps answer with two).
    const gen = bins();
    const controlBin = gen.next().value as string;
    const control = await drive(fake, 1, 8_000_000, () => registration(controlBin), (step) => (text) => text.includes(step.expect));
    const perPerson = control.users[0]!.messages.length;

    // The load, and meanwhile: instance b killed once enough updates went through, then started again.
    const binsUsed: string[] = [controlBin];
    let killed: BotProcess | undefined;
    const running = drive(
      fake,
      PEOPLE,
      9_000_000,
      () => {
        const bin = gen.next().value as string;
        binsUsed.push(bin);
        return registration(bin);
      },
      (step) => (text) => text.includes(step.expect),
      // An answer claimed by the killed instance waits for its lease to expire (LEASE_MS), then goes.
      { timeoutMs: 120_000 },
    );
    const chaos = (async () => {
      while (balancer!.stats.received < PEOPLE * 4) await new Promise((r) => setTimeout(r, 50));
      b.child.kill(signal);
      killed = b;
      await b.exited;
      await new Promise((r) => setTimeout(r, 1000));
      const again = start(1);
      await again.ready;
    })();
    const result = await running;
    await chaos;
    expect(killed, "instance b was killed mid-way").toBeDefined();
    expect(result.updates).toBe(PEOPLE * 11);

    // Every application once, and every staff notice (each may be repeated only within the bound).
    const title = tr("en", "notice-application-title", { id: "" }).trim();
    const titles = () => staff.messages.filter((m) => m.text.startsWith(title));
    const deadline = Date.now() + 120_000;
    while (new Set(titles().map((m) => m.text)).size < PEOPLE + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const notices = titles().map((m) => m.text);
    expect(new Set(notices).size, "one notice per application").toBe(PEOPLE + 1);
    const repeatedNotices = notices.length - new Set(notices).size;

    // Each person: the answers in the order of the steps; a repeat only within the in-flight bound.
    let repeatedAnswers = 0;
    const steps = registration("000000000000");
    for (const [i, person] of result.users.entries()) {
      const texts = person.messages.map((m) => m.text);
      let k = 0;
      for (const text of texts) if (k < steps.length && text.includes(steps[k]!.expect)) k++;
      expect(k, `person ${i}: every answer, in order`).toBe(steps.length);
      expect(texts.length, `person ${i}: at least what the person alone got`).toBeGreaterThanOrEqual(perPerson);
      repeatedAnswers += texts.length - perPerson;
    }
    expect(repeatedAnswers + repeatedNotices, "messages sent twice (a killed instance's sends in flight)").toBeLessThanOrEqual(IN_FLIGHT_BOUND);

    // The database: each enterprise once.
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows } = await check.query<{ bin: string; n: string }>(`SELECT "bin", COUNT(*) AS n FROM "Enterprise" GROUP BY "bin"`);
    await check.end();
    expect(rows.length).toBe(PEOPLE + 1);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.bin))).toEqual(new Set(binsUsed));

    // Telegram's limits: nothing sent inside an announced window, the global rate kept.
    const refused = fake.calls.filter((c) => c.error_code === 429).map((c) => `${c.method} ${String(c.params.chat_id)} at ${c.at} ${c.error}`);
    expect(fake.floodStats.inWindow, `sends inside a retry_after window: ${refused.join("; ")}`).toBe(0);
    const sends = fake.calls.filter((c) => /^(send|copy|forward)/.test(c.method) && c.method !== "sendChatAction" && c.ok).map((c) => c.at).sort((x, y) => x - y);
    let busiest = 0;
    for (let i = 0, j = 0; i < sends.length; i++) {
      while (sends[i]! - sends[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    // 30 a second with Telegram's tolerated burst: at most burst + rate in any one second.
    expect(busiest, "sends in the busiest second").toBeLessThanOrEqual(60);
    expect(balancer.stats.duplicated).toBeGreaterThan(0);
  }, 300_000);
});
