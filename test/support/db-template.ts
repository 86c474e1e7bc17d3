/**
 * Test databases on either provider, chosen by the environment (scripts/test.mjs sets it):
 *
 * - default (no TEST_DATABASE): SQLite. `openTestDatabase("file:<dir>/bot.db")` copies a migrated
 *   template file to that path when it does not exist yet, then opens it.
 * - TEST_DATABASE=postgresql with TEST_POSTGRES_URL=<a server URL whose user may CREATE DATABASE>:
 *   the same call opens a PostgreSQL database of its own, named after the `file:` URL (so opening
 *   the same URL again, e.g. a harness's restart, opens the same data), created with
 *   `CREATE DATABASE … TEMPLATE` from a database migrated once per run (test/support/pg-global-setup.ts).
 *   It is dropped once its test has removed the URL's directory (checked at the next open in the
 *   worker) and at the end of the run at the latest.
 *
 * The SQLite template file is made once per set of migrations: it lives in the OS temp directory
 * under a name keyed by the migrations' names and checksums, so every worker and every later run
 * shares it, and a new or changed migration makes a new one. The migration runners themselves stay
 * covered by test/db/*.
 */
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR, openDatabase, sqlitePath, type Database } from "../../src/db/database.ts";
import { migratePostgres, migrateSqlite, readMigrations } from "../../src/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Names this run's PostgreSQL test databases (`qti_<run>_…`), so a teardown drops only its own. */
    postgresRun: string;
  }
}

/** The provider this test run uses. */
export const testProvider: "sqlite" | "postgresql" = process.env.TEST_DATABASE === "postgresql" ? "postgresql" : "sqlite";
/** True in the PostgreSQL half of the suite (for `describe.skipIf(onPostgres)` on SQLite-only behaviour). */
export const onPostgres = testProvider === "postgresql";

/** The server the PostgreSQL half runs on (an admin connection URL). */
export function postgresServerUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error("TEST_DATABASE=postgresql needs TEST_POSTGRES_URL (scripts/test.mjs sets both)");
  return url;
}

/** `server` with its database set to `database`. */
export function withDatabase(server: string, database: string, params: Record<string, string> = {}): string {
  const u = new URL(server);
  u.pathname = `/${database}`;
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

const migrationsKey = (dir: string) => {
  const key = createHash("sha256");
  for (const m of readMigrations(dir)) key.update(`${m.name}\u0000${m.checksum}\u0000`);
  return key.digest("hex").slice(0, 16);
};

/** The migrated template database's name on PostgreSQL (keyed by the migrations, like the SQLite file). */
export const postgresTemplateName = () => `qti_tpl_${migrationsKey(POSTGRES_MIGRATIONS_DIR)}`;

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates the migrated template database when it is missing (once per run, in the global setup).
 * Built under another name and renamed, under an advisory lock, so that runs sharing a server never
 * copy a half-migrated template.
 */
export async function ensurePostgresTemplate(): Promise<string> {
  const name = postgresTemplateName();
  await withAdmin(async (admin) => {
    await admin.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [name]);
    try {
      const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
      if (rowCount) return;
      const building = `${name}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await migratePostgres(withDatabase(postgresServerUrl(), building), POSTGRES_MIGRATIONS_DIR);
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } finally {
      await admin.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [name]);
    }
  });
  return name;
}

/** Drops every database of the run `run` (the global teardown). */
export async function dropPostgresRun(run: string): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`qti_${run}_%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/** This worker's PostgreSQL test databases, each with the directory whose removal ends it. */
const created = new Map<string, string>();

async function sweep(admin: pg.Client): Promise<void> {
  for (const [name, dir] of created) {
    if (existsSync(dir)) continue;
    created.delete(name);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/**
 * The DATABASE_URL a test (or a child process it starts) uses for the `file:` URL `fileUrl`: that
 * URL itself on SQLite; on PostgreSQL the URL of a database of its own, created from the migrated
 * template when it does not exist yet.
 */
export async function testDatabaseUrl(fileUrl: string, opts: { connectionLimit?: number } = {}): Promise<string> {
  if (!onPostgres) return fileUrl;
  const path = sqlitePath(fileUrl);
  const name = `qti_${inject("postgresRun")}_${createHash("sha256").update(path).digest("hex").slice(0, 16)}`;
  if (!created.has(name)) {
    await withAdmin(async (admin) => {
      await sweep(admin);
      const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${postgresTemplateName()}"`);
    });
    created.set(name, dirname(path));
  }
  return withDatabase(postgresServerUrl(), name, { connection_limit: String(opts.connectionLimit ?? 5) });
}

/** A new, empty PostgreSQL database of this run (no migrations): its URL. Dropped at the end of the run. */
export async function emptyPostgresDatabase(): Promise<string> {
  const name = `qti_${inject("postgresRun")}_e${createHash("sha256").update(`${process.pid}:${Math.random()}`).digest("hex").slice(0, 15)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return withDatabase(postgresServerUrl(), name);
}

/** The path of a SQLite database file with every committed migration applied (created when missing). */
let cached: string | undefined;
export function migratedTemplate(): string {
  if (cached !== undefined && existsSync(cached)) return cached;
  const file = join(tmpdir(), `qti-migrated-${migrationsKey(MIGRATIONS_DIR).padEnd(20, "0")}.db`);
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

/**
 * Opens the test database for `url` (a "file:" URL): on SQLite that file, starting from a copy of
 * the migrated template; on PostgreSQL the database {@link testDatabaseUrl} names for it.
 */
export async function openTestDatabase(url: string): Promise<Database> {
  if (!onPostgres) return openDatabase(url, { template: migratedTemplate() });
  const pgUrl = await testDatabaseUrl(url);
  const db = await openDatabase(pgUrl);
  postgresUrls.set(db, pgUrl);
  return db;
}

const postgresUrls = new WeakMap<Database, string>();

/** The PostgreSQL URL of a database opened by openTestDatabase (for a test's own session on it). */
export function postgresUrlOf(db: Database): string {
  const url = postgresUrls.get(db);
  if (!url) throw new Error("not a PostgreSQL database of openTestDatabase");
  return url;
}

/**
 * Makes `db` (from openTestDatabase) stop answering until the returned function is called, as a
 * database held by something else does. SQLite: a transaction that hangs, taking its one
 * connection. PostgreSQL: another session holding every table in ACCESS EXCLUSIVE mode, so every
 * statement of the bot waits (a pool has more connections, so a hung transaction would not do).
 */
export async function holdDatabase(db: Database): Promise<() => Promise<void>> {
  if (!onPostgres) {
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const hung = db.transaction(() => {
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await running;
    return async () => {
      release();
      await hung;
    };
  }
  const client = new pg.Client({ connectionString: postgresUrlOf(db) });
  await client.connect();
  await client.query("BEGIN");
  const { rows } = await client.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`);
  await client.query(`LOCK TABLE ${rows.map((r) => `"${r.t}"`).join(", ")} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query("COMMIT");
    await client.end();
  };
}
