/**
 * The reasons src/core/dialog/engine.ts gives for importing @grammyjs/conversations/out/engine.js
 * and for racing its replay still hold. When one fails, the comment there is out of date: use the
 * package's public entry (or its "exports" map) instead.
 */
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
    const grammy = require.resolve("grammy");
    const grammyLoaded = () => Object.keys(require.cache).some((k) => k.startsWith(grammy.slice(0, grammy.lastIndexOf("/out/"))));
    require("@grammyjs/conversations/out/engine.js");
    expect(grammyLoaded()).toBe(false);
    const main = require("@grammyjs/conversations") as { ReplayEngine: unknown };
    expect(grammyLoaded()).toBe(true);
    // The same class either way.
    expect(main.ReplayEngine).toBe(require("@grammyjs/conversations/out/engine.js").ReplayEngine);
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
