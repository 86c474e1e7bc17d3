/**
 * The reasons src/core/dialog/engine.ts gives for importing @grammyjs/conversations/out/engine.js
 * and for racing its replay still hold. When one fails, the comment there is out of date: use the
 * package's public entry (or its "exports" map) instead.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ReplayEngine, type ReplayResult } from "@grammyjs/conversations/out/engine.js";

const require = createRequire(import.meta.url);

describe("the replay engine's entry points", () => {
  it("the package's main entry loads grammY, its engine module does not", () => {
    const pkgPath = require.resolve("@grammyjs/conversations/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { exports?: unknown; main: string };
    // No exports map: no grammY-free public subpath to use instead.
    expect(pkg.exports).toBeUndefined();
    // In a fresh process (test files share workers, so this one's module cache may hold grammY).
    const probe = (entry: string) => {
      const code = `const r = require(${JSON.stringify(entry)}); const g = require.resolve("grammy"); const root = g.slice(0, g.lastIndexOf("/out/"));
        process.stdout.write(JSON.stringify({ grammy: Object.keys(require.cache).some((k) => k.startsWith(root)), engine: typeof r.ReplayEngine }));`;
      const out = spawnSync(process.execPath, ["-e", code], { cwd: process.cwd(), encoding: "utf8" });
      return JSON.parse(out.stdout) as { grammy: boolean; engine: string };
    };
    expect(probe("@grammyjs/conversations/out/engine.js")).toEqual({ grammy: false, engine: "function" });
    expect(probe("@grammyjs/conversations")).toEqual({ grammy: true, engine: "function" });
  });

  it("an interrupt is reported only after a macrotask: no number of microtasks gets the result out", async () => {
    const engine = new ReplayEngine(async (controls) => {
      await controls.action(() => "done", "act");
      await controls.interrupt("input");
    });
    let settled = false;
    const replay = engine.play().then((r: ReplayResult) => {
      settled = true;
      return r;
    });
    // Its boundary loop awaits setTimeout(0): microtasks alone never let it report.
    for (let i = 0; i < 1000; i++) await Promise.resolve();
    expect(settled).toBe(false);
    expect((await replay).type).toBe("interrupted");
  });
});
