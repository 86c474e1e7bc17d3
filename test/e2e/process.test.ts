/**
 * The bot as a process, stopped the way a supervisor stops it: SIGTERM to the one PID it started
 * (systemd's main PID, `docker stop`, a shell's `kill`), both for the production form
 * (`node --liftoff-only dist/bot/main.js`, deploy/qaz-textile-bot.service's ExecStart) and for
 * `npm start`. The real main against the fake Bot API over HTTP (TELEGRAM_API_ROOT), with a
 * temporary database.
 *
 * A graceful stop: the bot's "stopped" log line, exit code 0, no process of its tree left behind
 * (an orphan would keep polling and hold the database), within STOP_BOUND_MS of the signal. The
 * bound is generous for a loaded machine; against the fake a stop takes a few hundred ms.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { testDatabaseUrl } from "../support/db-template.ts";
import { startFakeBotApi, type FakeBotApi, type FakeUser } from "../support/fake-bot-api.ts";
import { tr } from "../support/core-harness.ts";
import { alive, descendants, freePort, startBot, type BotProcess } from "../../bench/proc.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** How long a stop may take after SIGTERM, from the signal to the process's exit. */
const STOP_BOUND_MS = 15_000;
/**
 * How long a fresh process may take to give its first answer: not a timing assertion (the first
 * turn loads the code and warms the database's connections; about 0.2–0.8 s unloaded, on SQLite and
 * PostgreSQL alike), only a bound for a stuck process; the default 5 s ran out on a loaded machine.
 */
const FIRST_ANSWER_MS = 30_000;

const FORMS = {
  "production form": { command: "node", args: ["--liftoff-only", "dist/bot/main.js"] },
  "npm start": { command: "npm", args: ["start", "--silent"] },
} as const;
type Form = keyof typeof FORMS;

let fake: FakeBotApi;
let dir: string;
let running: BotProcess[] = [];

beforeAll(() => {
  // The production form runs the bundle: build it as `npm run build` does.
  const built = spawnSync("node", ["scripts/build.mjs"], { cwd: ROOT, encoding: "utf8" });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

afterEach(async () => {
  // Never leave a bot running after a failed assertion.
  for (const bot of running) if (alive(bot.pid)) bot.child.kill("SIGKILL");
  running = [];
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(form: Form): Promise<BotProcess> {
  fake ??= await startFakeBotApi();
  dir ??= mkdtempSync(join(tmpdir(), "qti-process-"));
  const bot = startBot(FORMS[form].command, [...FORMS[form].args], {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    DATABASE_URL: await testDatabaseUrl(`file:${join(dir, "bot.db")}`),
    PORT: String(await freePort()),
    DEFAULT_LOCALE: "en",
    LOG_LEVEL: "info",
  }, { cwd: ROOT });
  running.push(bot);
  return bot;
}

/** SIGTERM to the process itself (not its group), as a supervisor watching one PID sends it. */
async function stopGracefully(bot: BotProcess): Promise<void> {
  const tree = descendants(bot.pid);
  bot.child.kill("SIGTERM");
  const code = await Promise.race([
    bot.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve(`still running ${STOP_BOUND_MS} ms after SIGTERM`), STOP_BOUND_MS).unref()),
  ]);
  const output = bot.lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
  expect(code, output).toBe(0);
  expect(bot.lines.some((l) => typeof l === "object" && l.msg === "stopped"), output).toBe(true);
  expect(tree.filter(alive), "processes of the bot's tree left running").toEqual([]);
}

beforeEach(() => {
  fake = undefined as unknown as FakeBotApi;
  dir = undefined as unknown as string;
});

/** Whether the person got the main menu exactly once (a second copy would be a re-send). */
async function answeredOnce(person: FakeUser): Promise<void> {
  // after: 0: an answer given before the stop counts too (it must not come a second time).
  await person.waitFor(tr("en", "menu-prompt"), { after: 0, timeoutMs: 20_000 });
  await fake.settled();
  // The greeting and the menu come as one message (outbox/coalesce.ts): the menu ends it.
  expect(person.messages.filter((m) => m.text.includes(tr("en", "menu-prompt")))).toHaveLength(1);
}

describe.each(Object.keys(FORMS) as Form[])("SIGTERM to %s", (form) => {
  it("at rest: stops gracefully, exit 0, nothing left running", async () => {
    const bot = await start(form);
    await bot.ready;
    const person = fake.user({ first_name: "Aigerim", language_code: "en" });
    person.send("/start");
    await person.waitFor(tr("en", "menu-prompt"), { timeoutMs: FIRST_ANSWER_MS });
    await fake.settled();
    await stopGracefully(bot);
  }, 60_000);

  it("mid-activity: 20 people's updates in hand; after a restart each has one answer", async () => {
    const bot = await start(form);
    await bot.ready;
    const people = Array.from({ length: 20 }, (_, i) => fake.user({ first_name: `P${i}`, language_code: "en" }));
    for (const p of people) p.send("/start");
    // The signal lands while the batch is being handled: the first answer is out, others are not.
    await people[0]!.waitFor(tr("en", "menu-prompt"), { timeoutMs: FIRST_ANSWER_MS });
    await stopGracefully(bot);
    const again = await start("production form");
    await again.ready;
    for (const p of people) await answeredOnce(p);
    await stopGracefully(again);
  }, 90_000);
});

describe("SIGTERM to the production form", () => {
  it("the moment it says ready (a supervisor may act on that line at once)", async () => {
    // Before the fix "ready" was printed before the signal handlers were installed: a SIGTERM in
    // between killed the process (exit by signal, no "stopped"). Seen in the bench on a loaded machine.
    const bot = await start("production form");
    await bot.ready;
    await stopGracefully(bot);
  }, 60_000);

  it("mid-send: a sendMessage on its way; after a restart the person has one answer", async () => {
    const bot = await start("production form");
    await bot.ready;
    fake.delay("sendMessage", 2_000);
    const person = fake.user({ first_name: "Aigerim", language_code: "en" });
    const update = person.send("/start");
    // The update was handed to the bot; its answer is held by the fake for 2 s.
    await vi.waitFor(() => expect(fake.callsTo("getUpdates").some((c) => JSON.stringify(c.result ?? null).includes(`"update_id":${update}`))).toBe(true), { timeout: 30_000, interval: 20 });
    await stopGracefully(bot);
    fake.delay("sendMessage", 0);
    const again = await start("production form");
    await again.ready;
    await answeredOnce(person);
    await stopGracefully(again);
  }, 90_000);

  it("during a retry_after of 30 s: stops within the bound, and the answer comes after a restart", async () => {
    const bot = await start("production form");
    await bot.ready;
    fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 30", parameters: { retry_after: 30 } });
    const person = fake.user({ first_name: "Aigerim", language_code: "en" });
    person.send("/start");
    await vi.waitFor(() => expect(fake.callsTo("sendMessage").some((c) => c.error_code === 429)).toBe(true), { timeout: 30_000, interval: 20 });
    await stopGracefully(bot);
    const again = await start("production form");
    await again.ready;
    // The pause is kept in the database (every instance, and a restart, must honour it): the answer
    // comes once retry_after has passed, not before.
    await person.waitFor(tr("en", "menu-prompt"), { after: 0, timeoutMs: 45_000 });
    await answeredOnce(person);
    const limitedAt = fake.callsTo("sendMessage").find((c) => c.error_code === 429)!.at;
    const sentAfter = fake.callsTo("sendMessage").filter((c) => c.at > limitedAt);
    expect(sentAfter.length).toBeGreaterThan(0);
    for (const c of sentAfter) expect(c.at).toBeGreaterThanOrEqual(limitedAt + 30_000);
    await stopGracefully(again);
  }, 120_000);
});
