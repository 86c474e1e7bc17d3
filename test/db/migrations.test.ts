import { createHash } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { diffMigrationsToSchema } from "../../scripts/schema-engine.ts";
import { postgresSchemaText } from "../../scripts/postgres-schema.mjs";
import { MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR, openDatabase, sqlitePath, type Database } from "../../src/db/database.ts";
import { PRISMA_MIGRATE_LOCK, migratePostgres, migrateSqlite, readMigrations } from "../../src/db/migrate.ts";
import { emptyPostgresDatabase, onPostgres, openTestDatabase, postgresServerUrl } from "../support/db-template.ts";

const SCHEMA = fileURLToPath(new URL("../../prisma/schema.prisma", import.meta.url));

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: number | string | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: number | string | null;
  started_at: number | string;
  applied_steps_count: number;
}

const temps: string[] = [];
const open: Database[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "qti-migrations-"));
  temps.push(dir);
  return dir;
}

/** A copy of the committed migrations that a test may change. */
function migrationsCopy(): string {
  const dir = join(tempDir(), "migrations");
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function withSqlite<T>(file: string, fn: (db: Sqlite.Database) => T): T {
  const db = new Sqlite(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const migrationRows = (file: string) =>
  withSqlite(file, (db) => db.prepare(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`).all() as MigrationRow[]);

const tables = (file: string) =>
  withSqlite(file, (db) =>
    (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name),
  );

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(onPostgres)("committed migrations (SQLite; the PostgreSQL ones in the PostgreSQL half)", () => {
  it("produce exactly prisma/schema.prisma (an empty diff), so no migration was forgotten", async () => {
    expect(await diffMigrationsToSchema(MIGRATIONS_DIR, SCHEMA)).toBe("");
  });

  it("are reported as behind when the schema gains a field, which is how a forgotten migration shows", async () => {
    const schema = join(tempDir(), "schema.prisma");
    writeFileSync(schema, readFileSync(SCHEMA, "utf8").replace(/model Person \{/, "model Person {\n  nickname String?"));
    const sql = await diffMigrationsToSchema(MIGRATIONS_DIR, schema);
    expect(sql).toMatch(/"nickname" TEXT/);
  });
});

describe.skipIf(onPostgres)("migrateSqlite (SQLite half only)", () => {
  it("applies every migration to a fresh file and records each as prisma migrate deploy would", () => {
    const file = join(tempDir(), "fresh.db");
    const expected = readMigrations(MIGRATIONS_DIR);
    expect(expected.length).toBeGreaterThan(0);

    const result = migrateSqlite(file, MIGRATIONS_DIR);

    expect(result).toEqual({ applied: expected.map((m) => m.name), modified: [] });
    const rows = migrationRows(file);
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
    for (const row of rows) {
      const sql = readFileSync(join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(tables(file)).toEqual(expect.arrayContaining(["Person", "Enterprise", "Outbox", "AuditLog", "_prisma_migrations"]));
  });

  it("applies nothing the second time", () => {
    const file = join(tempDir(), "twice.db");
    migrateSqlite(file, MIGRATIONS_DIR);
    const before = migrationRows(file);
    expect(migrateSqlite(file, MIGRATIONS_DIR)).toEqual({ applied: [], modified: [] });
    expect(migrationRows(file)).toEqual(before);
  });

  it("applies only a migration added since the last start", () => {
    const dir = migrationsCopy();
    const file = join(tempDir(), "grow.db");
    migrateSqlite(file, dir);
    mkdirSync(join(dir, "29991231000000_add_nickname"));
    writeFileSync(join(dir, "29991231000000_add_nickname", "migration.sql"), `ALTER TABLE "Person" ADD COLUMN "nickname" TEXT;\n`);

    expect(migrateSqlite(file, dir)).toEqual({ applied: ["29991231000000_add_nickname"], modified: [] });
    const columns = withSqlite(file, (db) => (db.prepare(`PRAGMA table_info("Person")`).all() as { name: string }[]).map((c) => c.name));
    expect(columns).toContain("nickname");
  });

  it("reports an applied migration whose file changed since, without applying it again", () => {
    const dir = migrationsCopy();
    const file = join(tempDir(), "modified.db");
    const [first] = migrateSqlite(file, dir).applied;
    appendFileSync(join(dir, first!, "migration.sql"), "\n-- edited after it was applied\n");

    expect(migrateSqlite(file, dir)).toEqual({ applied: [], modified: [first] });
  });

  it("refuses to run over a migration that failed earlier, and says how to resolve it", () => {
    const file = join(tempDir(), "failed.db");
    migrateSqlite(file, MIGRATIONS_DIR);
    withSqlite(file, (db) =>
      db
        .prepare(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)`)
        .run("b1f0c1a2-0000-4000-8000-000000000000", "abc", "29991231000000_half_done", Date.now()),
    );

    expect(() => migrateSqlite(file, MIGRATIONS_DIR)).toThrow(/29991231000000_half_done.*failed.*delete its row from _prisma_migrations/s);
  });

  it("applies a migration again when its earlier failed attempt was marked rolled back", () => {
    const file = join(tempDir(), "rolled-back.db");
    const [name] = readMigrations(MIGRATIONS_DIR).map((m) => m.name);
    withSqlite(file, (db) => {
      db.exec(`CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
        "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
        "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
      db.prepare(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, rolled_back_at) VALUES ('x', 'y', ?, 1)`).run(name);
    });

    expect(migrateSqlite(file, MIGRATIONS_DIR).applied[0]).toBe(name);
  });

  it("leaves no trace of a migration whose SQL fails, so it can be fixed and run again", () => {
    const dir = migrationsCopy();
    const file = join(tempDir(), "broken.db");
    migrateSqlite(file, dir);
    mkdirSync(join(dir, "29991231000000_broken"));
    writeFileSync(
      join(dir, "29991231000000_broken", "migration.sql"),
      `CREATE TABLE "Scratch" ("id" INTEGER NOT NULL PRIMARY KEY);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n`,
    );

    expect(() => migrateSqlite(file, dir)).toThrow(/NoSuchTable/);
    expect(tables(file)).not.toContain("Scratch");
    expect(migrationRows(file).map((r) => r.migration_name)).not.toContain("29991231000000_broken");
  });

  it("names the directory when there is no migrations directory", () => {
    const missing = join(tempDir(), "nowhere");
    expect(() => migrateSqlite(join(tempDir(), "x.db"), missing)).toThrow(missing);
  });
});

describe("openDatabase", () => {
  /** A fresh database: on SQLite migrated by openDatabase itself, on PostgreSQL from the run's template. */
  async function openTemp(): Promise<{ db: Database; dir: string }> {
    const dir = join(tempDir(), "nested", "data");
    const db = onPostgres ? await openTestDatabase(`file:${join(dir, "bot.db")}`) : await openDatabase(`file:${join(dir, "bot.db")}`);
    open.push(db);
    return { db, dir };
  }

  it.skipIf(onPostgres)("creates the missing directories and applies the migrations (SQLite)", async () => {
    const { db, dir } = await openTemp();
    expect(existsSync(join(dir, "bot.db"))).toBe(true);
    expect(db.file).toBe(join(dir, "bot.db"));
    expect(db.migrations.applied).toEqual(readMigrations(MIGRATIONS_DIR).map((m) => m.name));
  });

  it.skipIf(onPostgres)("refuses an in-memory database, which would lose everything at restart", async () => {
    await expect(openDatabase("file::memory:")).rejects.toThrow(/DATABASE_URL.*in-memory/);
  });

  it("resolves a relative file URL against the working directory and ignores URL parameters", () => {
    expect(sqlitePath("file:./data/bot.db")).toBe(resolve(process.cwd(), "data/bot.db"));
    expect(sqlitePath("file:/srv/bot.db?connection_limit=1")).toBe("/srv/bot.db");
  });

  it("writes and reads back every model through a transaction, so the migration SQL fits the client", async () => {
    const { db } = await openTemp();
    const at = new Date("2026-11-26T06:41:32.123Z");
    const written = await db.transaction(async (tx) => {
      const person = await tx.person.create({ data: { locale: "kk", name: "Айгүл Сейітқызы", phone: "+77011234567", consentAt: at, consentVersion: "v1" } });
      const identity = await tx.channelIdentity.create({ data: { channel: "telegram", externalId: "123456789", personId: person.id } });
      const enterprise = await tx.enterprise.create({
        data: { name: "ТОО «Жібек жолы»", bin: "061211600012", binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 45, submittedAt: at },
      });
      const membership = await tx.membership.create({ data: { personId: person.id, enterpriseId: enterprise.id, role: "owner", requestedAt: at } });
      const change = await tx.enterpriseChange.create({
        data: { enterpriseId: enterprise.id, field: "name", oldValue: "ТОО «Жібек жолы»", newValue: "ТОО «Жібек»", requestedById: person.id, requestedAt: at },
      });
      const dialog = await tx.dialogState.create({ data: { key: "telegram:1", flow: "register", version: 1, state: "[]" } });
      const processed = await tx.processedUpdate.create({ data: { id: "telegram:bot:1", createdAt: at } });
      const outbox = await tx.outbox.create({ data: { channel: "telegram", chatId: "1", payload: "{}", tag: "application:1", locale: "ru", notBefore: at } });
      const sent = await tx.sentMessage.create({ data: { tag: "application:1", channel: "telegram", chatId: "-100", messageId: "77", locale: "ru" } });
      const menu = await tx.chatMenu.create({ data: { channel: "telegram", chatId: "1", choices: "[]" } });
      const audit = await tx.auditLog.create({ data: { actorId: person.id, actorRef: "telegram:1", action: "approve", subject: "application:1", outcome: "ok", at } });
      return { person, identity, enterprise, membership, change, dialog, processed, outbox, sent, menu, audit };
    });

    const read = await db.transaction(async (tx) => ({
      person: await tx.person.findUnique({ where: { id: written.person.id } }),
      identity: await tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: "telegram", externalId: "123456789" } } }),
      enterprise: await tx.enterprise.findUnique({ where: { bin: "061211600012" } }),
      membership: await tx.membership.findUnique({ where: { personId: written.person.id } }),
      change: await tx.enterpriseChange.findUnique({ where: { id: written.change.id } }),
      dialog: await tx.dialogState.findUnique({ where: { key: "telegram:1" } }),
      processed: await tx.processedUpdate.findUnique({ where: { id: "telegram:bot:1" } }),
      outbox: await tx.outbox.findUnique({ where: { id: written.outbox.id } }),
      sent: await tx.sentMessage.findUnique({ where: { id: written.sent.id } }),
      menu: await tx.chatMenu.findUnique({ where: { channel_chatId: { channel: "telegram", chatId: "1" } } }),
      audit: await tx.auditLog.findUnique({ where: { id: written.audit.id } }),
    }));

    expect(read).toEqual(written);
    // Defaults come from the migration SQL and the client alike.
    expect(read.person).toMatchObject({ role: "member", consentAt: at, erasedAt: null });
    expect(read.identity?.reachable).toBe(true);
    expect(read.enterprise?.status).toBe("pending");
    expect(read.membership?.status).toBe("pending");
    expect(read.change?.status).toBe("pending");
    expect(read.outbox).toMatchObject({ attempts: 0, notBefore: at, lastError: null });
    expect(read.person?.createdAt).toBeInstanceOf(Date);
  });

  it("enforces foreign keys and cascades a person's deletion to their identities and membership", async () => {
    const { db } = await openTemp();
    await expect(db.transaction((tx) => tx.channelIdentity.create({ data: { channel: "telegram", externalId: "1", personId: 999 } }))).rejects.toThrow();

    const remaining = await db.transaction(async (tx) => {
      const person = await tx.person.create({ data: { identities: { create: { channel: "console", externalId: "aigerim" } } } });
      await tx.person.delete({ where: { id: person.id } });
      return tx.channelIdentity.count();
    });
    expect(remaining).toBe(0);
  });

  it("rolls back everything a transaction wrote when it throws", async () => {
    const { db } = await openTemp();
    await expect(
      db.transaction(async (tx) => {
        await tx.person.create({ data: { locale: "ru" } });
        await tx.auditLog.create({ data: { actorRef: "console:x", action: "test", outcome: "ok" } });
        throw new Error("the turn failed");
      }),
    ).rejects.toThrow("the turn failed");

    const counts = await db.transaction(async (tx) => [await tx.person.count(), await tx.auditLog.count()]);
    expect(counts).toEqual([0, 0]);
  });

  it("keeps the data and applies nothing when the same file is opened again", async () => {
    const { db, dir } = await openTemp();
    await db.transaction((tx) => tx.person.create({ data: { locale: "en" } }));
    await db.close();
    open.splice(open.indexOf(db), 1);

    const again = onPostgres ? await openTestDatabase(`file:${join(dir, "bot.db")}`) : await openDatabase(`file:${join(dir, "bot.db")}`);
    open.push(again);
    expect(again.migrations).toEqual({ applied: [], modified: [] });
    expect(await again.transaction((tx) => tx.person.count())).toBe(1);
  });

  it.skipIf(onPostgres)("starts a missing file from a template, migrates what the template lacks, and never overwrites a file", async () => {
    // A template one migration behind: the copy gets the missing one applied at open.
    const [first, ...rest] = readMigrations(MIGRATIONS_DIR);
    const partial = join(tempDir(), "migrations");
    mkdirSync(join(partial, first!.name), { recursive: true });
    writeFileSync(join(partial, first!.name, "migration.sql"), first!.sql);
    const template = join(tempDir(), "template.db");
    migrateSqlite(template, partial);
    withSqlite(template, (t) => t.exec(`CREATE TABLE "TemplateMark" ("id" INTEGER)`));

    const file = join(tempDir(), "copy.db");
    const db = await openDatabase(`file:${file}`, { template });
    open.push(db);
    expect(db.migrations).toEqual({ applied: rest.map((m) => m.name), modified: [] });
    expect(tables(file)).toContain("TemplateMark");
    await db.transaction((tx) => tx.person.create({ data: { locale: "en" } }));
    await db.close();
    open.splice(open.indexOf(db), 1);

    // An existing file is opened as it is.
    const again = await openDatabase(`file:${file}`, { template });
    open.push(again);
    expect(await again.transaction((tx) => tx.person.count())).toBe(1);
    expect(migrationRows(template).map((r) => r.migration_name)).toEqual([first!.name]);
  });
});

/** Runs `fn` with a client on the database at `url`. */
async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const pgMigrationRows = (url: string) =>
  withPg(url, async (c) => (await c.query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).rows as MigrationRow[]);

const pgTables = (url: string) =>
  withPg(url, async (c) =>
    (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map((r) => r.t),
  );

/** A copy of the committed PostgreSQL migrations that a test may change. */
function pgMigrationsCopy(): string {
  const dir = join(tempDir(), "pg-migrations");
  cpSync(POSTGRES_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe.skipIf(!onPostgres)("committed PostgreSQL migrations", () => {
  /** The derived schema as the install script writes it, from the schema as it is now. */
  function derivedSchema(source = readFileSync(SCHEMA, "utf8")): string {
    const file = join(tempDir(), "schema.prisma");
    writeFileSync(file, postgresSchemaText(source));
    return file;
  }

  it("produce exactly the schema derived from prisma/schema.prisma (an empty diff), so no migration was forgotten", async () => {
    expect(await diffMigrationsToSchema(POSTGRES_MIGRATIONS_DIR, derivedSchema(), postgresServerUrl())).toBe("");
  });

  it("are reported as behind when the schema gains a field", async () => {
    const schema = derivedSchema(readFileSync(SCHEMA, "utf8").replace(/model Person \{/, "model Person {\n  nickname String?"));
    expect(await diffMigrationsToSchema(POSTGRES_MIGRATIONS_DIR, schema, postgresServerUrl())).toMatch(/"nickname" TEXT/);
  });

  it("have the same directory names as SQLite's from the first shared one on (db:migration writes both)", () => {
    const sqlite = readMigrations(MIGRATIONS_DIR).map((m) => m.name);
    const postgres = readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.name);
    // The PostgreSQL history starts with one baseline of everything SQLite had by then.
    const [baseline, ...rest] = postgres;
    expect(sqlite.filter((n) => n <= baseline!).length).toBeGreaterThan(0);
    expect(sqlite.filter((n) => n > baseline!)).toEqual(rest);
  });
});

describe.skipIf(!onPostgres)("migratePostgres", () => {
  it("applies every migration to an empty database and records each as prisma migrate deploy does on PostgreSQL", async () => {
    const url = await emptyPostgresDatabase();
    const expected = readMigrations(POSTGRES_MIGRATIONS_DIR);

    expect(await migratePostgres(url, POSTGRES_MIGRATIONS_DIR)).toEqual({ applied: expected.map((m) => m.name), modified: [] });

    const rows = await pgMigrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
    for (const row of rows) {
      expect(row.checksum).toBe(createHash("sha256").update(readFileSync(join(POSTGRES_MIGRATIONS_DIR, row.migration_name, "migration.sql"))).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    // Prisma's own table, column for column (schema-engine: sql-migration-connector, postgres flavour).
    const columns = await withPg(url, async (c) =>
      (
        await c.query<{ column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string }>(
          `SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns
           WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        )
      ).rows.map((r) => `${r.column_name} ${r.data_type}${r.character_maximum_length ? `(${r.character_maximum_length})` : ""} ${r.is_nullable}`),
    );
    expect(columns).toEqual([
      "id character varying(36) NO",
      "checksum character varying(64) NO",
      "finished_at timestamp with time zone YES",
      "migration_name character varying(255) NO",
      "logs text YES",
      "rolled_back_at timestamp with time zone YES",
      "started_at timestamp with time zone NO",
      "applied_steps_count integer NO",
    ]);
    expect(await pgTables(url)).toEqual(expect.arrayContaining(["Person", "Enterprise", "Outbox", "AuditLog", "_prisma_migrations"]));
  });

  it("migrates once when two instances start at the same time (Prisma's advisory lock)", async () => {
    const url = await emptyPostgresDatabase();
    const results = await Promise.all([migratePostgres(url, POSTGRES_MIGRATIONS_DIR), migratePostgres(url, POSTGRES_MIGRATIONS_DIR)]);
    const names = readMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.name);
    expect(results.map((r) => r.applied).sort((a, b) => a.length - b.length)).toEqual([[], names]);
    expect((await pgMigrationRows(url)).map((r) => r.migration_name)).toEqual(names);
  });

  it("waits while another process holds Prisma's migrate lock", async () => {
    const url = await emptyPostgresDatabase();
    await withPg(url, async (holder) => {
      await holder.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK})`);
      let done = false;
      const migrating = migratePostgres(url, POSTGRES_MIGRATIONS_DIR).then((r) => ((done = true), r));
      // The runner's session is waiting on the lock (pg_locks shows it not granted) and has applied nothing.
      await expect
        .poll(async () => (await holder.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rowCount)
        .toBe(1);
      expect(done).toBe(false);
      await holder.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_LOCK})`);
      expect((await migrating).applied.length).toBeGreaterThan(0);
    });
  });

  it("applies only a migration added since, and reports one changed after it was applied", async () => {
    const dir = pgMigrationsCopy();
    const url = await emptyPostgresDatabase();
    const [first] = (await migratePostgres(url, dir)).applied;
    mkdirSync(join(dir, "29991231000000_add_nickname"));
    writeFileSync(join(dir, "29991231000000_add_nickname", "migration.sql"), `ALTER TABLE "Person" ADD COLUMN "nickname" TEXT;\n`);
    appendFileSync(join(dir, first!, "migration.sql"), "\n-- edited after it was applied\n");

    expect(await migratePostgres(url, dir)).toEqual({ applied: ["29991231000000_add_nickname"], modified: [first] });
    expect(await migratePostgres(url, dir)).toEqual({ applied: [], modified: [first] });
  });

  it("leaves no trace of a migration whose SQL fails, and refuses to run over one that failed under Prisma's CLI", async () => {
    const dir = pgMigrationsCopy();
    const url = await emptyPostgresDatabase();
    await migratePostgres(url, dir);
    mkdirSync(join(dir, "29991231000000_broken"));
    writeFileSync(join(dir, "29991231000000_broken", "migration.sql"), `CREATE TABLE "Scratch" ("id" INTEGER PRIMARY KEY);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" TEXT;\n`);

    await expect(migratePostgres(url, dir)).rejects.toThrow(/29991231000000_broken.*NoSuchTable/s);
    expect(await pgTables(url)).not.toContain("Scratch");
    expect((await pgMigrationRows(url)).map((r) => r.migration_name)).not.toContain("29991231000000_broken");

    await withPg(url, (c) =>
      c.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, applied_steps_count) VALUES ('b1f0c1a2-0000-4000-8000-000000000000', 'abc', '29991231000001_half_done', 0)`),
    );
    await expect(migratePostgres(url, POSTGRES_MIGRATIONS_DIR)).rejects.toThrow(/29991231000001_half_done.*failed.*delete its row from _prisma_migrations/s);
  });

  it("fails at once on a server that refuses the connection, naming DATABASE_URL without the password", async () => {
    const refused = new URL(postgresServerUrl());
    refused.username = "no_such_role";
    refused.password = "hunter2-secret";
    const error = await openDatabase(refused.toString()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^DATABASE_URL postgresql:\/\/no_such_role:\*\*\*@/);
    expect(error?.message).toMatch(/no_such_role/);
    expect(error?.message).not.toContain("hunter2-secret");
  });
});

// breaker6: with TEST_POSTGRES_URL at a server that is not there, `npm run db:migration` ended in a
// WebAssembly stack trace from Prisma's engine, naming neither the variable nor saying nothing was written.
describe("npm run db:migration with an unreachable PostgreSQL server (breaker6)", () => {
  it("names the variable, masks the password, writes nothing and exits 1", async () => {
    const { spawnSync } = await import("node:child_process");
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const run = spawnSync("node", ["--import", "tsx", "scripts/new-migration.ts", "breaker6_probe"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, TEST_POSTGRES_URL: "postgresql://postgres:S3cr3tPW@127.0.0.1:1/postgres", POSTGRES_URL: "" },
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("TEST_POSTGRES_URL postgresql://postgres:***@127.0.0.1:1/postgres");
    expect(run.stderr).toContain("Nothing was written");
    expect(run.stderr).not.toContain("wasm");
    expect(run.stderr + run.stdout).not.toContain("S3cr3tPW");
  }, 130_000);
});
