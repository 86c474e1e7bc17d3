/**
 * The architecture rules of eslint.config.js catch what they are meant to catch (a rule that
 * silently matches nothing would let `npm run lint` pass forever). Snippets are linted as if they
 * stood at the given path; nothing is written.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const tools = new URL("../tools/lint/", import.meta.url);

type Linter = { lintText(code: string, opts: { filePath: string }): Promise<{ messages: { ruleId: string | null; message: string }[] }[]> };
let eslint: Linter;

beforeAll(() => {
  // ESLint lives apart in tools/lint (see eslint.config.js); `npm run lint` installs it, and so
  // does this test when it runs first, so that `npm install && npm test` keeps working.
  if (!existsSync(new URL("node_modules/.package-lock.json", tools))) {
    execFileSync("npm", ["ci", "--prefix", fileURLToPath(tools), "--no-audit", "--no-fund", "--loglevel=error"], { stdio: "inherit" });
  }
  const { ESLint } = createRequire(new URL("package.json", tools))("eslint") as { ESLint: new (o: { cwd: string }) => Linter };
  eslint = new ESLint({ cwd: root });
}, 300_000);

async function rulesBroken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe("eslint.config.js", () => {
  it.each([
    ["src/core/core.ts", 'import { Bot } from "grammy";'],
    ["src/core/turn.ts", 'import type { Update } from "grammy/types";'],
    ["src/core/outbox/dispatcher.ts", 'import { autoRetry } from "@grammyjs/auto-retry";'],
    ["src/core/dialog/engine.ts", 'import { createConversation } from "@grammyjs/conversations";'],
    ["src/core/people.ts", 'export { Client } from "whatsapp-web.js";'],
    ["src/core/core.ts", 'import { createTelegramChannel } from "../channels/telegram/telegram.ts";'],
    ["src/channels/telegram/telegram.ts", 'import type { Tx } from "../../db/database.ts";'],
    ["src/channels/console/console.ts", 'import { PrismaClient } from "@prisma/client";'],
    ["src/channels/telegram/translate.ts", 'import type { Person } from "../../db/generated/models.ts";'],
    ["src/core/menu.ts", 'import type { Tx } from "../db/database.ts";'],
    ["src/core/dialog/dialog.ts", 'import type { Prisma } from "../../db/generated/client.ts";'],
  ])("refuses, in %s, %s", async (path, code) => {
    expect(await rulesBroken(path, code)).toEqual(["no-restricted-imports"]);
  });

  it.each([
    ["src/core/core.ts", 'const grammy = await import("grammy");'],
    ["src/channels/telegram/polling.ts", 'const prisma = await import("@prisma/client");'],
    ["src/core/members/profile.ts", 'const db = await import("../../db/database.ts");'],
  ])("refuses, in %s, the dynamic import %s", async (path, code) => {
    expect(await rulesBroken(path, code)).toEqual(["no-restricted-syntax"]);
  });

  it("refuses a flow's use of tx anywhere, even inside an act callback; a service module may", async () => {
    const inside = 'export async function f(d) { return d.act("load", async (turn) => turn.tx.person.findMany()); }';
    const helper = "async function f(unit: Unit) { return unit.tx.person.findMany(); }";
    const outside = "export async function f(d) { return d.turn.tx.person.findMany(); }";
    const service = 'export async function f(d) { return d.act("load", (turn) => teamList(turn.unit)); }';
    for (const flow of ["src/core/staff/team.ts", "src/core/staff/pending.ts", "src/core/menu.ts", "src/core/members/consent.ts"]) {
      for (const code of [inside, helper, outside]) expect(await rulesBroken(flow, code)).toEqual(["no-restricted-syntax"]);
      expect(await rulesBroken(flow, service)).toEqual([]);
    }
    expect(await rulesBroken("src/core/staff/roles.ts", helper)).toEqual([]);
  });

  it("allows what the architecture allows", async () => {
    expect(await rulesBroken("src/core/dialog/engine.ts", 'import { ReplayEngine } from "@grammyjs/conversations/out/engine.js";')).toEqual([]);
    expect(await rulesBroken("src/core/people.ts", 'import type { Tx } from "../db/database.ts";')).toEqual([]);
    expect(await rulesBroken("src/channels/telegram/telegram.ts", 'import { Bot } from "grammy";')).toEqual([]);
    expect(await rulesBroken("src/main.ts", 'import { openDatabase } from "./db/database.ts";')).toEqual([]);
  });
});
