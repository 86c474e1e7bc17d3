import { mkdtempSync, mkdirSync, cpSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrateSqlite } from "../../src/db/migrate.ts";
import { MIGRATIONS_DIR } from "../../src/db/database.ts";
import { onPostgres } from "../support/db-template.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(onPostgres)("migrations keep the data (SQLite's table rebuilds; SQLite half only)", () => {
  it("a migration that rebuilds a table does not cascade-delete the rows that refer to it", () => {
    const dir = mkdtempSync(join(tmpdir(), "qti-migrate-"));
    dirs.push(dir);
    // A database at the first migration, with people, identities and memberships in it.
    const first = join(dir, "first");
    mkdirSync(first);
    const names = readdirSync(MIGRATIONS_DIR).filter((n) => /^\d/.test(n)).sort();
    cpSync(join(MIGRATIONS_DIR, names[0]!), join(first, names[0]!), { recursive: true });
    cpSync(join(MIGRATIONS_DIR, "migration_lock.toml"), join(first, "migration_lock.toml"));
    const file = join(dir, "bot.db");
    migrateSqlite(file, first);
    const db = new Database(file);
    const now = new Date().toISOString();
    db.prepare(`INSERT INTO "Person" (id, locale, role, name, updatedAt) VALUES (1, 'kk', 'admin', 'Aigerim', ?)`).run(now);
    db.prepare(`INSERT INTO "ChannelIdentity" (channel, externalId, personId) VALUES ('telegram', '100', 1)`).run();
    db.prepare(
      `INSERT INTO "Enterprise" (id, name, bin, binKind, region, sector, employees, submittedAt, updatedAt) VALUES (1, 'T', '990140000384', 'legal-entity', 'astana', 'textiles', 5, ?, ?)`,
    ).run(now, now);
    db.prepare(`INSERT INTO "Membership" (personId, enterpriseId, role, requestedAt) VALUES (1, 1, 'owner', ?)`).run(now);
    db.close();

    const result = migrateSqlite(file, MIGRATIONS_DIR);
    expect(result.applied).toEqual(names.slice(1));
    const after = new Database(file);
    expect(after.prepare(`SELECT count(*) AS n FROM "ChannelIdentity"`).get()).toEqual({ n: 1 });
    expect(after.prepare(`SELECT count(*) AS n FROM "Membership"`).get()).toEqual({ n: 1 });
    expect(after.prepare(`SELECT name, role FROM "Person"`).get()).toEqual({ name: "Aigerim", role: "admin" });
    expect(after.pragma("foreign_key_check")).toEqual([]);
    after.close();
  });
});
