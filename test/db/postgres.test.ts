/**
 * What the PostgreSQL provider adds to the database layer (src/db/database.ts): runs in the
 * PostgreSQL half of the suite only (TEST_DATABASE=postgresql, see scripts/test.mjs).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { numberPlaceholders, sqlOf, type Database } from "../../src/db/database.ts";
import { onPostgres, openTestDatabase } from "../support/db-template.ts";

describe("numberPlaceholders", () => {
  it("numbers each ? in order and leaves string literals and quoted identifiers alone", () => {
    expect(numberPlaceholders(`SELECT "a?" FROM "T" WHERE "x" = ? AND "y" = '?''?' AND "z" IN (?, ?)`)).toBe(
      `SELECT "a?" FROM "T" WHERE "x" = $1 AND "y" = '?''?' AND "z" IN ($2, $3)`,
    );
  });
});

describe.skipIf(!onPostgres)("the PostgreSQL provider", () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "qti-pg-"));
    db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is opened for a postgresql:// URL and says so", () => {
    expect(db.provider).toBe("postgresql");
  });

  it("reads raw values the way the SQLite side does: numbers, not BigInt; Dates for timestamps", async () => {
    const at = new Date("2026-11-30T05:00:00.123Z");
    const row = await db.transaction(async (tx) => {
      await sqlOf(tx).run(`INSERT INTO "ProcessedUpdate" ("id", "createdAt") VALUES (?, ?)`, "raw:1", at);
      return sqlOf(tx).get<{ n: unknown; at: unknown }>(`SELECT COUNT(*) AS n, MAX("createdAt") AS at FROM "ProcessedUpdate" WHERE "id" = ?`, "raw:1");
    });
    expect(row).toEqual({ n: 1, at });
  });

  it("runs again a transaction that PostgreSQL aborted as a deadlock victim, so both turns complete", async () => {
    await db.transaction((tx) => tx.setting.createMany({ data: [{ key: "dl:a", value: "0" }, { key: "dl:b", value: "0" }] }));
    let aLocked!: () => void;
    let bLocked!: () => void;
    const aHeld = new Promise<void>((r) => (aLocked = r));
    const bHeld = new Promise<void>((r) => (bLocked = r));
    let runs = 0;
    // Each locks one row, waits until the other holds its row, then wants the other's: a deadlock.
    const first = db.transaction(async (tx) => {
      runs++;
      await tx.setting.update({ where: { key: "dl:a" }, data: { value: "first" } });
      aLocked();
      await bHeld;
      await tx.setting.update({ where: { key: "dl:b" }, data: { value: "first" } });
    });
    const second = db.transaction(async (tx) => {
      runs++;
      await tx.setting.update({ where: { key: "dl:b" }, data: { value: "second" } });
      bLocked();
      await aHeld;
      await tx.setting.update({ where: { key: "dl:a" }, data: { value: "second" } });
    });
    await Promise.all([first, second]);
    expect(runs).toBe(3);
    const values = await db.transaction((tx) => tx.setting.findMany({ where: { key: { startsWith: "dl:" } }, orderBy: { key: "asc" } }));
    // The victim ran last, so both rows hold its value.
    expect(new Set(values.map((v) => v.value)).size).toBe(1);
  });

  it("lock(key) holds a second transaction asking for the same key until the first ends", async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const first = db.transaction(async (tx) => {
      await sqlOf(tx).lock("chat:1");
      locked();
      await held;
      order.push("first");
    });
    await isLocked;
    const second = db.transaction(async (tx) => {
      await sqlOf(tx).lock("chat:1");
      order.push("second");
    });
    // Another key is not held up.
    await db.transaction(async (tx) => {
      await sqlOf(tx).lock("chat:2");
      order.push("other");
    });
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["other", "first", "second"]);
  });
});
