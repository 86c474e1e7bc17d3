/**
 * Database.transaction's `rawOnly` (the delivery engine's passes): on SQLite a transaction on the
 * driver alone. It must be a transaction like the other kind: all or nothing, isolated from
 * Prisma's transactions on the same connection, and Prisma's API on its `tx` refused (it would run
 * outside the transaction's rules). On PostgreSQL the option changes nothing; the same tests hold.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlOf, type Database } from "../../src/db/database.ts";
import { openTestDatabase } from "../support/db-template.ts";

let dir: string;
let db: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-rawtx-"));
  db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (key: string) =>
  db.transaction(async (tx) => Number((await sqlOf(tx).get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Setting" WHERE "key" = ?`, key))!.n));
const insert = (tx: Parameters<Parameters<Database["transaction"]>[0]>[0], key: string) =>
  sqlOf(tx).run(`INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?)`, key, "v", new Date());

describe("a rawOnly transaction", () => {
  it("commits what it wrote when it resolves", async () => {
    await db.transaction((tx) => insert(tx, "raw-commit"), { rawOnly: true });
    expect(await count("raw-commit")).toBe(1);
  });

  it("rolls back everything it wrote when it throws", async () => {
    await expect(
      db.transaction(
        async (tx) => {
          await insert(tx, "raw-rollback");
          throw new Error("boom");
        },
        { rawOnly: true },
      ),
    ).rejects.toThrow("boom");
    expect(await count("raw-rollback")).toBe(0);
  });

  it.runIf(process.env.TEST_DATABASE !== "postgresql")("waits for a Prisma transaction open at the same time, and does not see its writes (SQLite: one connection)", async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let finish!: () => void;
    const hold = new Promise<void>((r) => (finish = r));
    // A Prisma transaction writes, then waits (awaiting: the event loop turns) before it throws.
    const prismaTx = db.transaction(async (tx) => {
      await tx.setting.create({ data: { key: "prisma-held", value: "v" } });
      entered();
      await hold;
      throw new Error("rolled back");
    });
    await inside;
    // Meanwhile a raw transaction starts: it must wait for the other to end, not run inside it.
    let rawSaw: number | undefined;
    const raw = db.transaction(
      async (tx) => {
        rawSaw = Number((await sqlOf(tx).get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Setting" WHERE "key" = ?`, "prisma-held"))!.n);
        await insert(tx, "raw-after");
      },
      { rawOnly: true },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(rawSaw).toBeUndefined();
    finish();
    await expect(prismaTx).rejects.toThrow("rolled back");
    await raw;
    expect(rawSaw).toBe(0);
    expect(await count("prisma-held")).toBe(0);
    expect(await count("raw-after")).toBe(1);
  });

  it.runIf(process.env.TEST_DATABASE !== "postgresql")("refuses Prisma's API on its tx (SQLite)", async () => {
    await expect(db.transaction(async (tx) => tx.setting.count(), { rawOnly: true })).rejects.toThrow(/rawOnly/);
  });
});
