/**
 * Applies the committed migrations (prisma/migrations/<name>/migration.sql) at start, recording them
 * in `_prisma_migrations` exactly as `prisma migrate deploy` would, so either tool can take over.
 * Prisma's CLI cannot migrate here (it downloads a native engine), hence this runner, one for each
 * provider: prisma/migrations on SQLite, prisma/postgresql/migrations on PostgreSQL.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";


/**
 * The database DATABASE_URL names cannot be used (unreachable, login refused, no such database):
 * an operator's problem, told in one line without a stack (main.ts). Its message names
 * DATABASE_URL with the password masked.
 */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

export interface MigrationRecord {
  name: string;
  checksum: string;
  sql: string;
}

export function readMigrations(dir: string): MigrationRecord[] {
  if (!existsSync(dir)) throw new Error(`No migrations directory at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrateResult {
  applied: string[];
  /** Already-applied migrations whose file changed since (Prisma warns about these too). */
  modified: string[];
}

/**
 * Applies what is missing, each migration in its own transaction.
 *
 * Foreign keys are off while migrating (SQLite's procedure for schema changes): Prisma rebuilds a
 * table by copying it and dropping the old one, and with foreign keys on, that DROP would
 * cascade-delete every row referring to it. The PRAGMA in Prisma's SQL cannot do it, as SQLite
 * ignores it inside a transaction. Each migration is checked with foreign_key_check before it commits.
 */
export function migrateSqlite(file: string, migrationsDir: string): MigrateResult {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = OFF");
    db.exec(CREATE_TABLE);
    const rows = db
      .prepare(`SELECT migration_name AS name, checksum, finished_at AS finished, rolled_back_at AS rolledBack FROM "_prisma_migrations"`)
      .all() as { name: string; checksum: string; finished: string | null; rolledBack: string | null }[];
    const failed = rows.find((r) => !r.finished && !r.rolledBack);
    if (failed) {
      throw new Error(
        `Migration ${failed.name} failed earlier and was not resolved; fix the database, then delete its row from _prisma_migrations.`,
      );
    }
    const done = new Map(rows.filter((r) => r.finished).map((r) => [r.name, r.checksum]));
    const result: MigrateResult = { applied: [], modified: [] };
    for (const m of readMigrations(migrationsDir)) {
      const known = done.get(m.name);
      if (known !== undefined) {
        if (known !== m.checksum) result.modified.push(m.name);
        continue;
      }
      const apply = db.transaction(() => {
        db.exec(m.sql);
        const broken = db.pragma("foreign_key_check") as unknown[];
        if (broken.length) throw new Error(`Migration ${m.name} leaves ${broken.length} rows with broken references; nothing was applied.`);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), m.checksum, Date.now(), m.name, Date.now());
      });
      apply();
      result.applied.push(m.name);
    }
    return result;
  } finally {
    db.close();
  }
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}

/** Prisma's `_prisma_migrations` on PostgreSQL, column for column as `prisma migrate deploy` creates it. */
const CREATE_TABLE_PG = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The session advisory lock Prisma's migrate takes on PostgreSQL, so that our runner and its CLI exclude each other too. */
export const PRISMA_MIGRATE_LOCK = 72707369;

/**
 * Applies the PostgreSQL migrations that are missing, each in its own transaction, under Prisma's
 * session advisory lock: instances starting at once migrate one after the other, and the later
 * ones find nothing left to do. Fails within `connectTimeoutMs` when the server cannot be reached,
 * with an error naming DATABASE_URL (password masked).
 */
export async function migratePostgres(url: string, migrationsDir: string, opts: { connectTimeoutMs?: number } = {}): Promise<MigrateResult> {
  const migrations = readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new DatabaseUrlError(`DATABASE_URL ${maskUrl(url)}: cannot connect to PostgreSQL: ${(error as Error).message || String(error)}`, { cause: error });
  }
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`);
    await client.query(CREATE_TABLE_PG);
    const { rows } = await client.query<{ name: string; checksum: string; finished: Date | null; rolledBack: Date | null }>(
      `SELECT migration_name AS name, checksum, finished_at AS finished, rolled_back_at AS "rolledBack" FROM "_prisma_migrations"`,
    );
    const failed = rows.find((r) => !r.finished && !r.rolledBack);
    if (failed) {
      throw new Error(
        `Migration ${failed.name} failed earlier and was not resolved; fix the database, then delete its row from _prisma_migrations.`,
      );
    }
    const done = new Map(rows.filter((r) => r.finished).map((r) => [r.name, r.checksum]));
    const result: MigrateResult = { applied: [], modified: [] };
    for (const m of migrations) {
      const known = done.get(m.name);
      if (known !== undefined) {
        if (known !== m.checksum) result.modified.push(m.name);
        continue;
      }
      await client.query("BEGIN");
      try {
        const started = new Date();
        // No parameters: the simple query protocol, which runs a file of several statements.
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), m.checksum, m.name, started],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new Error(`Migration ${m.name} failed, nothing of it was applied: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    // Ending the session releases the advisory lock too.
    await client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`).catch(() => {});
    await client.end().catch(() => {});
  }
}
