/**
 * Prisma's schema engine, run as WebAssembly so that migration SQL can be produced offline
 * (the Prisma CLI would download a native schema-engine binary first, which fails here).
 * Used by `npm run db:migration` and by the test that proves the migrations match the schema.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as engineModule from "@prisma/schema-engine-wasm/schema_engine_bg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

interface WasmApi {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown> & { __wbindgen_start: () => void } } }>;
}
let loaded: Promise<void> | undefined;

/** The package's own entry imports the .wasm as an ES module, which Node 20 cannot do; load it by hand. */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const wasmPath = require.resolve("@prisma/schema-engine-wasm").replace(/schema_engine\.js$/, "schema_engine_bg.wasm");
    // @types/node declares the WebAssembly namespace's types but not its functions.
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wasm.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": engineModule });
    engineModule.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
  })();
  return loaded;
}

type Factory = PrismaBetterSqlite3 | PrismaPg;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;

/**
 * The engine applies each migration file with one `executeRaw`, which better-sqlite3 refuses for
 * more than one statement; send argument-less SQL through `executeScript` (sqlite3_exec) instead.
 */
function scriptTolerant(factory: Factory): Factory {
  const wrap = (adapter: Adapter): Adapter => {
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query) => {
      if (query.args.length === 0) {
        await adapter.executeScript(query.sql);
        return 0;
      }
      return executeRaw(query);
    };
    return adapter;
  };
  return Object.assign(Object.create(Object.getPrototypeOf(factory)) as Factory, {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  });
}

/**
 * The PostgreSQL adapter's factory with a shadow database that is really dropped: the adapter's own
 * (7.10) drops it while its pool still holds a connection to it, which fails and leaves it behind.
 */
const CHAR_OID = 18;

function pgWithShadow(url: string): PrismaPg {
  const config = pgConfig(url);
  const factory = new PrismaPg(config);
  factory.connectToShadowDb = async () => {
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    const admin = new pg.Client(config);
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    const pool = new pg.Pool({ ...config, database, max: 2 });
    // The engine reads the catalogue's `"char"` columns (e.g. pg_class.relkind), a type the
    // adapter (7.10) has no mapping for; they are one-character text, so report them as text.
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<pg.QueryResult>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<pg.QueryResult> }).query = async (...args) => {
      const result = await query(...args);
      for (const field of result.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = pg.types.builtins.TEXT;
      return result;
    };
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const dropper = new pg.Client(config);
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    };
    return adapter;
  };
  return factory;
}

export interface MigrationsDir {
  baseDir: string;
  names: string[];
}

export function listMigrations(baseDir: string): MigrationsDir {
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(baseDir, d.name, "migration.sql")))
        .map((d) => d.name)
        .sort()
    : [];
  return { baseDir, names };
}

/**
 * A PostgreSQL server's connection settings as an object. The adapter's shadow database is
 * `{ ...config, database }`, and node-postgres lets a `connectionString` override `database`, so
 * a URL string would make the engine replay the migrations into the server's own database.
 */
export function pgConfig(url: string): { host: string; port: number; user: string; password?: string; database: string } {
  const u = new URL(url);
  const host = u.searchParams.get("host") ?? decodeURIComponent(u.hostname);
  return {
    host,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || "postgres"),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
  };
}

/**
 * SQL that takes a database built from `migrationsDir` to the state `schemaPath` describes ("" when they agree).
 * SQLite needs nothing; PostgreSQL needs a live server (`postgresUrl`), where the engine creates and
 * drops a shadow database to replay the migrations in (the engine connects even for a pure diff).
 */
export async function diffMigrationsToSchema(migrationsDir: string, schemaPath: string, postgresUrl?: string): Promise<string> {
  await loadWasm();
  const schema = readFileSync(schemaPath, "utf8");
  const factory: Factory = postgresUrl ? pgWithShadow(postgresUrl) : new PrismaBetterSqlite3({ url: ":memory:" });
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(postgresUrl ? factory : scriptTolerant(factory)),
  );
  try {
    const { names } = listMigrations(migrationsDir);
    const lockPath = join(migrationsDir, "migration_lock.toml");
    const result = await engine.diff({
      from: {
        tag: "migrations",
        baseDir: migrationsDir,
        lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
        shadowDbInitScript: "",
        migrationDirectories: names.map((name) => ({
          path: name,
          migrationFile: {
            path: "migration.sql",
            content: { tag: "ok" as const, value: readFileSync(join(migrationsDir, name, "migration.sql"), "utf8") },
          },
        })),
      },
      to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = (result.stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  } finally {
    engine.free();
  }
}
