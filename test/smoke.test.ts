import { describe, expect, it } from "vitest";
import { ReplayEngine } from "@grammyjs/conversations/out/engine.js";

describe("toolchain", () => {
  it("loads the conversations replay engine without grammY", async () => {
    const engine = new ReplayEngine(async (c) => {
      const v = await c.interrupt("wait");
      await c.action(() => v, "echo");
    });
    const first = await engine.play();
    expect(first.type).toBe("interrupted");
  });
});
