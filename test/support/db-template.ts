/**
 * A migrated database to copy instead of migrating a fresh one in every test.
 *
 * Made once per set of migrations: the file lives in the OS temp directory under a name keyed by
 * the migrations' names and checksums, so every worker and every later run shares it, and a new or
 * changed migration makes a new one. The migration runner itself stays covered by test/db/*.
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MIGRATIONS_DIR, openDatabase, type Database } from "../../src/db/database.ts";
import { migrateSqlite, readMigrations } from "../../src/db/migrate.ts";

let cached: string | undefined;

/** The path of a database file with every committed migration applied (created when missing). */
export function migratedTemplate(): string {
  if (cached !== undefined && existsSync(cached)) return cached;
  const key = createHash("sha256");
  for (const m of readMigrations(MIGRATIONS_DIR)) key.update(`${m.name}\u0000${m.checksum}\u0000`);
  const file = join(tmpdir(), `qti-migrated-${key.digest("hex").slice(0, 20)}.db`);
  if (!existsSync(file)) {
    // Built aside and renamed into place: a worker never copies a half-migrated file, and
    // workers racing to build it each rename a complete one.
    const building = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    try {
      migrateSqlite(building, MIGRATIONS_DIR);
      renameSync(building, file);
    } finally {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${building}${suffix}`, { force: true });
    }
  }
  return (cached = file);
}

/** Opens the database at `url` (a "file:" URL), starting from a copy of the migrated template. */
export function openTestDatabase(url: string): Promise<Database> {
  return openDatabase(url, { template: migratedTemplate() });
}
