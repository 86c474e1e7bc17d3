/**
 * The broadcast bench (issue 8): an announcement to BROADCAST_MEMBERS members (10,000), started by
 * `startBroadcast` (core/broadcasts/service.ts) the way a staff member's "send now" starts it, and
 * delivered by the bot as a child process (the production form) against the fake Bot API with
 * Telegram's limits on.
 *
 * Rate: Telegram's free 30 a second would make 10,000 messages take about seven minutes, so the bot
 * runs in paid-broadcast mode (TELEGRAM_PAID_BROADCAST) at BROADCAST_RATE a second (300 by
 * default; up to 1,000 as Telegram allows) and the fake enforces that same rate on paid messages
 * (its free limits stay on for everything else). The sustained rate is printed as a ratio of that
 * configured rate.
 *
 * Printed: the sustained messages per second (from the end of the first burst to half the
 * broadcast, no kills in it) as a ratio of the configured rate; requests inside a retry_after
 * window; recipients never reached; duplicates after `kill -9` of the bot at five random points of
 * the second half, each followed by a restart (at most the engine's concurrency, 16, per kill: the
 * sends in flight); resident memory before, during and after; and the p95 time from a member's
 * button press to the answer while the broadcast runs against the same with none.
 *
 *   BENCH_ONLY=broadcast npm run bench
 *   BROADCAST_MEMBERS=2000 BROADCAST_RATE=500 BENCH_ONLY=broadcast npm run bench
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, sqlOf, type Database } from "../src/db/database.ts";
import { createCore } from "../src/core/core.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { silentLogger } from "../src/log.ts";
import { toPlain } from "../src/core/rich-text.ts";
import { createBroadcast, startBroadcast } from "../src/core/broadcasts/service.ts";
import type { Acting } from "../src/core/unit.ts";
import { startFakeBotApi, type FakeBotApi, type FakeUser } from "../test/support/fake-bot-api.ts";
import { freePort, rssMb, sampleRss, startBot, type BotProcess } from "./proc.ts";

const MEMBERS = Number(process.env.BROADCAST_MEMBERS ?? 10_000);
const RATE = Number(process.env.BROADCAST_RATE ?? 300);
const KILLS = 5;
/** The delivery engine's sends in flight per channel (DispatcherOptions.concurrency's default): the bound on duplicates per kill. */
const IN_FLIGHT = 16;
const PRESSES_ALONE = 20;
const MEMBER_BASE = 20_000_000;
const STAFF_CHAT = 19_999_999;

const i18n = createI18n();
const t = (key: string) => toPlain(i18n.t("en", key));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (v: number[], p: number) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((v.length * p) / 100))] ?? NaN;

export interface BroadcastRun {
  members: number;
  rate: number;
  startMs: number;
  perSecond: number;
  inWindow: number;
  overLimit: number;
  paid: number;
  unreached: number;
  duplicates: number;
  kills: number;
  rssBeforeMb: number;
  rssDuringMb: number;
  rssAfterMb: number;
  pressAloneMs: number[];
  pressDuringMs: number[];
  seconds: number;
}

/** 10,000 active members (100 enterprises of 100) and one staff member, in multi-row INSERTs. */
async function seed(db: Database): Promise<Acting> {
  const now = new Date();
  return db.transaction(async (tx) => {
    const perEnterprise = 100;
    const enterprises = await tx.enterprise.createManyAndReturn({
      data: Array.from({ length: Math.ceil(MEMBERS / perEnterprise) }, (_, e) => ({
        name: `Textile ${e}`, bin: String(300_000_000_000 + e), binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 40, status: "active", submittedAt: now,
      })),
      select: { id: true },
    });
    for (let start = 0; start < MEMBERS; start += 1000) {
      const n = Math.min(1000, MEMBERS - start);
      const people = await tx.person.createManyAndReturn({
        data: Array.from({ length: n }, (_, i) => ({ locale: ["kk", "ru", "en"][(start + i) % 3]!, role: "member", name: `Member ${start + i}`, consentAt: now, consentVersion: "1" })),
        select: { id: true },
      });
      await tx.channelIdentity.createMany({ data: people.map((p, i) => ({ channel: "telegram", externalId: String(MEMBER_BASE + start + i), personId: p.id })) });
      await tx.membership.createMany({
        data: people.map((p, i) => ({ personId: p.id, enterpriseId: enterprises[Math.floor((start + i) / perEnterprise)]!.id, role: i % perEnterprise ? "employee" : "owner", status: "active", requestedAt: now })),
      });
    }
    const staff = await tx.person.create({ data: { locale: "en", role: "staff", name: "Staff", identities: { create: { channel: "telegram", externalId: String(STAFF_CHAT) } } } });
    return { person: { personId: staff.id, role: "staff", locale: "en" }, ref: `telegram:${STAFF_CHAT}` };
  });
}

/** A new person presses the main menu's first button: the time from the press to the bot's answer (ms). */
async function press(fake: FakeBotApi, id: number): Promise<number> {
  const user = fake.user({ id, first_name: "P", language_code: "en" });
  user.send("/start");
  await user.waitFor((m) => m.text.includes(t("menu-prompt")), { timeoutMs: 60_000 });
  const after = user.messages.at(-1)!.message_id;
  const t0 = performance.now();
  user.press(t("menu-register"));
  const consent = t("consent-text").split("\n")[0]!;
  await user.waitFor((m) => m.text.includes(consent), { after, timeoutMs: 60_000 });
  return performance.now() - t0;
}

export async function broadcastBench(opts: { root: string; production: string[]; stop: (bot: BotProcess, what: string) => Promise<void> }): Promise<BroadcastRun> {
  // The configured rate on paid messages with a second's worth of burst, as the fake models Telegram's
  // free limit (30 at once, 30 a second): the bot paces at exactly the rate it is allowed.
  const fake = await startFakeBotApi({ recordCalls: false, limits: { paid: { burst: RATE, everyMs: 1000 / RATE } } });
  const dir = mkdtempSync(join(tmpdir(), "qti-bench-broadcast-"));
  const url = `file:${join(dir, "bench.db")}`;
  const began = performance.now();
  let db: Database | undefined;
  let bot: BotProcess | undefined;
  try {
    db = await openDatabase(url);
    const staff = await seed(db);
    fake.user({ id: STAFF_CHAT, first_name: "Staff", started: true, language_code: "en" });
    const members: FakeUser[] = Array.from({ length: MEMBERS }, (_, i) => fake.user({ id: MEMBER_BASE + i, started: true }));
    const sent = () => members.reduce((n, m) => n + Math.min(1, m.messages.length), 0);
    const port = await freePort();
    const env = {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_URL: url,
      PORT: String(port),
      DEFAULT_LOCALE: "en",
      LOG_LEVEL: "info",
      TELEGRAM_PAID_BROADCAST: "true",
      TELEGRAM_PAID_SENDS_PER_SECOND: String(RATE),
    };
    const spawnBot = async () => {
      const b = startBot("node", opts.production, env, { cwd: opts.root });
      await b.ready;
      return b;
    };
    bot = await spawnBot();
    await sleep(1000);
    const rssBeforeMb = rssMb(bot.pid);
    let presser = 30_000_000;
    const pressAloneMs: number[] = [];
    for (let i = 0; i < PRESSES_ALONE; i++) pressAloneMs.push(await press(fake, presser++));

    // The bench's process plays the staff member's "send now" (one transaction writes every row),
    // with the bot stopped meanwhile: two processes writing one SQLite file fail each other's
    // transactions (SQLITE_BUSY). The bot starts again on the queued broadcast, as after a restart.
    await opts.stop(bot, "broadcast bench, before the broadcast");
    bot = undefined;
    const core = createCore({ db, i18n, log: silentLogger, settings: { defaultLocale: "en", admins: [], outboxRetentionDays: 30 } });
    const created = await core.run(staff, (u) => createBroadcast(u, { texts: { en: "The congress opens on 15.03.2027 at 10:00.", ru: "Съезд откроется 15.03.2027 в 10:00.", kk: "Съезд 15.03.2027 сағат 10:00-де ашылады." }, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(`createBroadcast: ${created.reason}`);
    const t0Start = performance.now();
    const started = await core.run(staff, (u) => startBroadcast(u, created.id));
    if (!started.ok) throw new Error(`startBroadcast: ${started.reason}`);
    const startMs = performance.now() - t0Start;
    if (started.total !== MEMBERS) throw new Error(`startBroadcast counted ${started.total} recipients, not ${MEMBERS}`);
    bot = await spawnBot();

    // Sustained rate: from after the first burst to half the broadcast; members press buttons meanwhile.
    const sampler = sampleRss(bot.pid, 100);
    while (sent() < MEMBERS * 0.05) await sleep(50);
    const s0 = sent();
    const t0 = performance.now();
    const pressDuringMs: number[] = [];
    while (sent() < MEMBERS * 0.5) {
      pressDuringMs.push(await press(fake, presser++));
      await sleep(100);
    }
    const perSecond = (sent() - s0) / ((performance.now() - t0) / 1000);
    sampler.stop();
    const rssDuringMb = sampler.peak;

    // kill -9 at five random points of the second half, each followed by a restart.
    const points = Array.from({ length: KILLS }, () => 0.55 + Math.random() * 0.4).sort((a, b) => a - b);
    const dupes = () => members.reduce((n, m) => n + Math.max(0, m.messages.length - 1), 0);
    let kills = 0;
    for (const point of points) {
      while (sent() < MEMBERS * point && sent() < MEMBERS) await sleep(20);
      if (sent() >= MEMBERS) break;
      bot!.child.kill("SIGKILL");
      await bot!.exited;
      kills++;
      bot = await spawnBot();
    }
    // Until every row of the broadcast is finished (the killed instances' leases expire after 30 s).
    const deadline = performance.now() + 300_000;
    for (;;) {
      const left = await db.transaction((tx) =>
        sqlOf(tx).get<{ n: number | string }>(`SELECT COUNT(*) AS "n" FROM "Outbox" WHERE "broadcastId" = ? AND "status" IN ('queued', 'sending', 'held')`, created.id),
      );
      if (Number(left?.n ?? 0) === 0) break;
      if (performance.now() > deadline) throw new Error(`${Number(left?.n)} rows still unfinished after 5 minutes`);
      await sleep(500);
    }
    await sleep(2000);
    const rssAfterMb = rssMb(bot.pid);
    const duplicates = dupes();
    await opts.stop(bot, "broadcast bench");
    bot = undefined;
    return {
      members: MEMBERS,
      rate: RATE,
      startMs,
      perSecond,
      inWindow: fake.floodStats.inWindow,
      overLimit: fake.floodStats.overLimit,
      paid: fake.floodStats.paid,
      unreached: members.filter((m) => m.messages.length === 0).length,
      duplicates,
      kills,
      rssBeforeMb,
      rssDuringMb,
      rssAfterMb,
      pressAloneMs,
      pressDuringMs,
      seconds: (performance.now() - began) / 1000,
    };
  } finally {
    if (bot) {
      bot.child.kill("SIGKILL");
      await bot.exited;
    }
    await db?.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bench's lines for a broadcast run. */
export function printBroadcast(r: BroadcastRun): void {
  console.log(`Broadcast: ${r.members} members, started by startBroadcast (one transaction writing every row: ${r.startMs.toFixed(0)} ms), against the fake with Telegram's limits on.`);
  console.log(`  The bot runs in paid-broadcast mode at TELEGRAM_PAID_SENDS_PER_SECOND=${r.rate} and the fake enforces ${r.rate}/s on paid messages`);
  console.log(`  (Telegram's free 30/s would take ${Math.round(r.members / 25 / 60)} min for this; the ratio below is against the configured ${r.rate}/s).`);
  console.log(`  sustained messages/s ${r.perSecond.toFixed(1)} of the configured ${r.rate}: ratio ${(r.perSecond / r.rate).toFixed(2)} (aim >= 0.95)`);
  console.log(`  requests inside a retry_after window: ${r.inWindow} (must be 0); 429s over a limit: ${r.overLimit}; paid messages: ${r.paid}`);
  console.log(`  recipients never reached: ${r.unreached} (must be 0)`);
  // A killed instance's sends in flight show up twice only when its leases expire (30 s later), so they are counted together.
  console.log(`  duplicates after ${r.kills} kill -9 and restarts: ${r.duplicates} (bound: the sends in flight at each kill, at most the engine's concurrency ${IN_FLIGHT}: ${r.kills} × ${IN_FLIGHT} = ${r.kills * IN_FLIGHT})`);
  console.log(`  bot RSS: before ${r.rssBeforeMb.toFixed(0)} MB, during (peak) ${r.rssDuringMb.toFixed(0)} MB, after (the last restarted process, drained) ${r.rssAfterMb.toFixed(0)} MB`);
  console.log(`  a member's button press → answer: p95 ${percentile(r.pressDuringMs, 95).toFixed(0)} ms during the broadcast (${r.pressDuringMs.length} presses, median ${percentile(r.pressDuringMs, 50).toFixed(0)} ms) vs p95 ${percentile(r.pressAloneMs, 95).toFixed(0)} ms with none (${r.pressAloneMs.length} presses, median ${percentile(r.pressAloneMs, 50).toFixed(0)} ms)`);
  console.log(`  bench part time ${r.seconds.toFixed(0)} s`);
}
