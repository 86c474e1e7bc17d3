/**
 * Prisma's schema engine, run as WebAssembly so that migration SQL can be produced offline
 * (the Prisma CLI would download a native schema-engine binary first, which fails here).
 * Used by `npm run db:migration` and by the test that proves the migrations match the schema.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as engineModule from "@prisma/schema-engine-wasm/schema_engine_bg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
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

type Factory = PrismaBetterSqlite3;
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

/** SQL that takes a database built from `migrationsDir` to the state `schemaPath` describes ("" when they agree). */
export async function diffMigrationsToSchema(migrationsDir: string, schemaPath: string): Promise<string> {
  await loadWasm();
  const schema = readFileSync(schemaPath, "utf8");
  const factory = new PrismaBetterSqlite3({ url: ":memory:" });
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: [[schemaPath, schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(scriptTolerant(factory)),
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
