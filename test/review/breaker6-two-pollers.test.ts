/**
 * breaker6: two instances in long polling with one token (and one database). Telegram serves
 * getUpdates to one caller at a time and answers the other 409 Conflict; the README says long
 * polling is one instance only. The operator must be told so, clearly, and people still answered once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { onPostgres, testDatabaseUrl } from "../support/db-template.ts";
import { startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";
import { tr } from "../support/core-harness.ts";
import { alive, freePort, startBot, type BotProcess } from "../../bench/proc.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let fake: FakeBotApi | undefined;
let dir: string | undefined;
const running: BotProcess[] = [];

afterEach(async () => {
  for (const bot of running) if (alive(bot.pid)) bot.child.kill("SIGKILL");
  running.length = 0;
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("a second polling instance is told clearly that another one polls with the token", async () => {
  fake = await startFakeBotApi();
  dir = mkdtempSync(join(tmpdir(), "qti-b6-"));
  const url = await testDatabaseUrl(`file:${join(dir, "bot.db")}`);
  const env = async () => ({
    TELEGRAM_BOT_TOKEN: fake!.token,
    TELEGRAM_API_ROOT: fake!.apiRoot,
    DATABASE_URL: url,
    PORT: String(await freePort()),
    DEFAULT_LOCALE: "en",
    LOG_LEVEL: "info",
  });
  const a = startBot("node", ["--import", "tsx", "src/main.ts"], await env(), { cwd: ROOT });
  running.push(a);
  await a.ready;
  const b = startBot("node", ["--import", "tsx", "src/main.ts"], await env(), { cwd: ROOT });
  running.push(b);
  await b.ready;
  const person = fake.user({ first_name: "Aigerim", language_code: "en" });
  person.send("/start");
  await person.waitFor(tr("en", "menu-prompt"));
  // Both poll: the conflict shows in a log.
  await Promise.any([a.waitForLine("getUpdates failed; retrying"), b.waitForLine("getUpdates failed; retrying")]);
  await fake.settled();
  expect(person.messages.filter((m) => m.text.includes(tr("en", "menu-prompt")))).toHaveLength(1);
  const told = [...a.lines, ...b.lines].some((l) => /only one bot instance/i.test(typeof l === "string" ? l : JSON.stringify(l)));
  expect(told).toBe(true);
}, 90_000);

// FAULT (not fixed): the README says SQLite is one instance only, but nothing enforces it: a second
// instance on the same SQLite file starts, says "ready", and both then fail turns and claims with
// "database is locked" (logged as transient, retried forever); the operator is never told why.
// A lock held by the running instance (a lock file beside the database, or an exclusive lock
// taken at open) would let the second one stop at start with a message naming DATABASE_URL.
it.skipIf(onPostgres).fails("on SQLite, a second instance on the same file is refused at start with a clear message", async () => {
  fake = await startFakeBotApi();
  dir = mkdtempSync(join(tmpdir(), "qti-b6-"));
  const url = `file:${join(dir, "bot.db")}`;
  const env = async () => ({ TELEGRAM_BOT_TOKEN: fake!.token, TELEGRAM_API_ROOT: fake!.apiRoot, DATABASE_URL: url, PORT: String(await freePort()), LOG_LEVEL: "info" });
  const a = startBot("node", ["--import", "tsx", "src/main.ts"], await env(), { cwd: ROOT });
  running.push(a);
  await a.ready;
  const b = startBot("node", ["--import", "tsx", "src/main.ts"], await env(), { cwd: ROOT });
  running.push(b);
  const first = await Promise.race([b.ready.then(() => "ready" as const), b.exited.then((code) => code)]);
  expect(first).toBe(2);
}, 90_000);
