/**
 * The database: migrations applied at open, then a Prisma client, picked by DATABASE_URL:
 * `file:` → SQLite over better-sqlite3 (the embedded default); `postgres://`/`postgresql://` →
 * PostgreSQL over `@prisma/adapter-pg` (a pg Pool), with the client generated from the derived
 * schema (src/db/generated-pg; same models, so both share the `Tx` type).
 *
 * All access goes through `transaction`. The SQLite adapter has one connection and serializes
 * transactions with a mutex, but a query issued outside a transaction would run *inside* whichever
 * transaction is open at that moment (and be rolled back with it, or read its uncommitted rows).
 * So nothing else is exported: one way in, always isolated.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { PrismaClient, type Prisma } from "./generated/client.ts";
import { PrismaClient as PrismaClientPg } from "./generated-pg/client.ts";
import { DatabaseUrlError, maskUrl, migratePostgres, migrateSqlite, type MigrateResult } from "./migrate.ts";

export type Tx = Prisma.TransactionClient;

/** Transactions that erased personal data: once they commit, the WAL is checkpointed and emptied. */
const scrubbing = new WeakSet<object>();

/**
 * Marks `tx` as erasing personal data (privacy.ts).
 *
 * SQLite: with `secure_delete` the freed pages are overwritten with zeros; after the commit a
 * `wal_checkpoint(TRUNCATE)` copies them into the database file and empties the WAL, so no readable
 * copy of the erased rows is left in either.
 *
 * PostgreSQL: an UPDATE or DELETE leaves the old row version in the table file until VACUUM
 * removes it, so after the commit the tables erasure touches are vacuumed (`ERASURE_TABLES`): no
 * query, index or `pageinspect` of live pages reads the old values any more. What PostgreSQL keeps
 * regardless, and this cannot reach: the WAL holds the old values until its segments are recycled
 * (after the next checkpoints; longer with archiving, replication slots or `wal_keep_size`), the
 * freed bytes in the table file stay until overwritten by new rows, and backups keep what they hold.
 */
export function requestScrub(tx: Tx): void {
  scrubbing.add(tx);
}

/** A parameter of a raw statement. A Date is stored as the provider stores a Prisma DateTime. */
export type SqlParam = string | number | boolean | null | Date;

/**
 * Raw SQL inside the current transaction, written once for both providers: `?` placeholders
 * (turned into `$1 …` on PostgreSQL), quoted identifiers, ON CONFLICT, RETURNING; no
 * provider-only functions. What comes back differs by provider, so read values with care:
 * timestamps are ISO strings on SQLite and Dates on PostgreSQL (`new Date(v)` takes both),
 * booleans 0/1 or true/false (`!!v`), counts numbers or strings (`Number(v)`).
 *
 * Why raw at all: the per-message bookkeeping (core/bookkeeping.ts) runs several statements for
 * every message, and Prisma's query layer costs 65-190 µs a statement on SQLite (its client, query
 * interpreter and adapter, which prepares every statement anew); a prepared statement on the
 * driver costs a few µs. And the delivery engine's claim is one atomic `UPDATE … RETURNING`.
 */
export interface Sql {
  readonly provider: "sqlite" | "postgresql";
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, ...params: SqlParam[]): Promise<number>;
  /** The first row, or undefined. */
  get<T>(sql: string, ...params: SqlParam[]): Promise<T | undefined>;
  /** Every row. */
  all<T>(sql: string, ...params: SqlParam[]): Promise<T[]>;
  /**
   * Holds a lock named `key` until the transaction ends: another transaction asking for the same
   * key waits (PostgreSQL: `pg_advisory_xact_lock`). On SQLite a no-op: its transactions already
   * run one at a time.
   */
  lock(key: string): Promise<void>;
}

/**
 * The row-lock clause that ends a SELECT: " FOR UPDATE" on PostgreSQL, with `skipLocked`
 * " FOR UPDATE SKIP LOCKED" (rows another transaction holds are passed over, not waited for); ""
 * on SQLite, whose write transactions already run one at a time. The one place this differs.
 */
export function forUpdate(provider: Sql["provider"], opts: { skipLocked?: boolean } = {}): string {
  if (provider !== "postgresql") return "";
  return opts.skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
}

/** The SQL access of the transaction `tx` is, while it is open. */
const sqls = new WeakMap<object, Sql>();

/** Raw SQL in the transaction `tx` (see {@link Sql}); throws for a client that is not a Database.transaction's. */
export function sqlOf(tx: Tx): Sql {
  const sql = sqls.get(tx);
  if (!sql) throw new Error("raw SQL needs a transaction of Database.transaction");
  return sql;
}

/**
 * How Prisma stores a DateTime on SQLite (the adapter's default `iso8601` format), so that rows
 * written through the driver read back through the model API exactly alike.
 */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/**
 * The better-sqlite3 adapter's factory, wrapped to keep the connection it opens: the adapter does
 * not expose it, but holds it as `client` (@prisma/adapter-better-sqlite3 7.x). If a later version
 * hides it, opening the database fails here, loudly, rather than running the slow path unnoticed.
 */
function capturingAdapter(file: string, gate: Gate): { factory: PrismaBetterSqlite3; connection: () => BetterSqlite3.Database } {
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
  let connection: BetterSqlite3.Database | undefined;
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (!client || typeof client.prepare !== "function" || typeof client.inTransaction !== "boolean") {
      throw new Error("@prisma/adapter-better-sqlite3 no longer exposes its connection as `client`: update src/db/database.ts");
    }
    connection = client;
    // Prisma's transactions pass through `gate` too (held from BEGIN to COMMIT or ROLLBACK), so
    // that they and the driver's own (rawOnly) never overlap on the one connection.
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args: Parameters<typeof start>) => {
      const release = await gate();
      try {
        const tx = await start(...args);
        const commit = tx.commit.bind(tx);
        const rollback = tx.rollback.bind(tx);
        tx.commit = () => commit().finally(release);
        tx.rollback = () => rollback().finally(release);
        return tx;
      } catch (error) {
        release();
        throw error;
      }
    };
    return adapter;
  };
  return {
    factory,
    connection: () => {
      if (!connection) throw new Error("the database is not connected yet");
      return connection;
    },
  };
}

/** Waits for the turn; resolves to the function that ends it. */
type Gate = () => Promise<() => void>;

/** A first-come first-served lock (one holder at a time). */
function gateOf(): Gate {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = tail;
    tail = before.then(() => mine);
    let released = false;
    return before.then(() => () => {
      if (released) return;
      released = true;
      release();
    });
  };
}

/**
 * The `tx` of a rawOnly transaction on SQLite: a key for `sqlOf`, with no Prisma API (any use
 * throws, naming the mistake, rather than running outside the transaction).
 */
function rawTx(): Tx {
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === "symbol" || key === "then") return undefined;
        throw new Error(`tx.${key} in a rawOnly transaction: only sqlOf(tx) may be used there`);
      },
    },
  ) as Tx;
}

export interface Database {
  readonly provider: "sqlite" | "postgresql";
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. On
   * PostgreSQL a transaction aborted by a deadlock or serialization failure is rolled back and
   * `fn` runs again (up to 5 times in all), so `fn` keeps its effects inside the transaction.
   *
   * `opts.rawOnly`: `fn` uses `sqlOf(tx)` only, never Prisma's API on `tx` (on SQLite that throws).
   * On SQLite the transaction then runs on the driver (BEGIN and COMMIT prepared once), without
   * Prisma's interactive transaction, which costs more than the few statements of a delivery
   * engine's pass; the same connection, the same isolation (transactions still run one at a time).
   * On PostgreSQL it changes nothing. A wrapper that drops the option only makes it slower.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { rawOnly?: boolean }): Promise<T>;
  readonly migrations: MigrateResult;
  /** SQLite: the database file's absolute path. PostgreSQL: the URL with its password masked. */
  readonly file: string;
  close(): Promise<void>;
}

/** The tables whose rows erasure (core/privacy.ts) changes or deletes: vacuumed after it on PostgreSQL. */
export const ERASURE_TABLES = [
  "Person",
  "ChannelIdentity",
  "Membership",
  "Enterprise",
  "EnterpriseChange",
  "DialogState",
  "ChatMenu",
  "Outbox",
  "SentMessage",
  "AuditLog",
  "Problem",
  "ProblemEntry",
  "ProblemAffected",
  "ThreadFocus",
] as const;

/** True for a URL `openDatabase` opens on PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));
export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/postgresql/migrations", import.meta.url));

/** "file:./data/bot.db" → an absolute path (relative to the working directory, like Prisma). */
export function sqlitePath(url: string): string {
  const path = url.replace(/^file:/, "").replace(/\?.*$/, "");
  if (path === ":memory:") throw new Error("DATABASE_URL: an in-memory database would lose everything at restart");
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}

export interface OpenOptions {
  /**
   * A migrated database file copied to `url`'s file when that does not exist yet (tests: copying
   * is much cheaper than migrating every fresh database). The migrations still run after the
   * copy, so a template that lags behind is brought up to date like any database.
   */
  template?: string;
}

/**
 * Opens the database DATABASE_URL names, applying the committed migrations first. A PostgreSQL
 * server that cannot be reached or refuses the login fails within about 10 s with an error naming
 * DATABASE_URL (password masked). `opts.template` is for SQLite only.
 */
export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  return isPostgresUrl(url) ? openPostgres(url) : openSqlite(url, opts);
}

async function openSqlite(url: string, opts: OpenOptions): Promise<Database> {
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  if (opts.template !== undefined && !existsSync(file)) copyFileSync(opts.template, file);
  const migrations = migrateSqlite(file, MIGRATIONS_DIR);
  const gate = gateOf();
  const adapter = capturingAdapter(file, gate);
  const prisma = new PrismaClient({ adapter: adapter.factory });
  // Per-connection settings. WAL survives a crash of the process without fsync on every commit;
  // NORMAL is durable across process crashes (only a power loss may lose the last commits).
  await prisma.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  // Deleted or overwritten content is zeroed on disk, not left in free pages (erasure, Law 94-V).
  await prisma.$queryRawUnsafe("PRAGMA secure_delete = ON");
  const sqlite = adapter.connection();
  const statements = new Map<string, BetterSqlite3.Statement>();
  /**
   * Prepared once per connection, rows as plain numbers (not BigInt). Only inside a transaction:
   * outside one, a statement would commit on its own (or run inside whichever transaction is open),
   * breaking "one turn, one transaction". The adapter has one connection, and `transaction` hands
   * this out only to code running inside a Prisma transaction on it, where `BEGIN` has been issued
   * and nothing else can run (the adapter's mutex).
   */
  const statement = (text: string): BetterSqlite3.Statement => {
    if (!sqlite.inTransaction) throw new Error("a driver statement outside a transaction");
    let stmt = statements.get(text);
    if (!stmt) {
      stmt = sqlite.prepare(text);
      stmt.safeIntegers(false);
      statements.set(text, stmt);
    }
    return stmt;
  };
  const bind = (params: SqlParam[]) => params.map((p) => (p instanceof Date ? sqliteTime(p) : typeof p === "boolean" ? (p ? 1 : 0) : p));
  const sql: Sql = {
    provider: "sqlite",
    run: async (text, ...params) => statement(text).run(...bind(params)).changes,
    get: async <T>(text: string, ...params: SqlParam[]) => statement(text).get(...bind(params)) as T | undefined,
    all: async <T>(text: string, ...params: SqlParam[]) => statement(text).all(...bind(params)) as T[],
    lock: async () => {},
  };
  let scrubPending = false;
  /** Empties the WAL; when the connection is busy (another transaction began), tries again after the next one. */
  const checkpoint = async () => {
    // Between transactions (the gate): inside one, a checkpoint could not empty the WAL.
    const release = await gate();
    try {
      const rows = await prisma.$queryRawUnsafe<{ busy: number | bigint }[]>("PRAGMA wal_checkpoint(TRUNCATE)");
      scrubPending = Number(rows[0]?.busy ?? 0) !== 0;
    } catch {
      scrubPending = true;
    } finally {
      release();
    }
  };
  const begin = sqlite.prepare("BEGIN");
  const commit = sqlite.prepare("COMMIT");
  const rollback = sqlite.prepare("ROLLBACK");
  /** A transaction on the driver alone (Database.transaction's rawOnly), as Prisma's adapter runs one: BEGIN … COMMIT. */
  const rawTransaction = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    const release = await gate();
    const tx = rawTx();
    try {
      begin.run();
      sqls.set(tx, sql);
      try {
        const value = await fn(tx);
        commit.run();
        return value;
      } catch (error) {
        if (sqlite.inTransaction) rollback.run();
        throw error;
      }
    } finally {
      sqls.delete(tx);
      release();
    }
  };
  return {
    provider: "sqlite",
    file,
    migrations,
    async transaction(fn, opts) {
      if (opts?.rawOnly) {
        const result = await rawTransaction(fn);
        if (scrubPending) await checkpoint();
        return result;
      }
      let scrub = scrubPending;
      // Transactions queue on the adapter's mutex; under load the wait can be long, never an error.
      const result = await prisma.$transaction(
        async (tx) => {
          sqls.set(tx, sql);
          try {
            const value = await fn(tx);
            scrub ||= scrubbing.has(tx);
            return value;
          } finally {
            sqls.delete(tx);
          }
        },
        { maxWait: 120_000, timeout: 120_000 },
      );
      // After the commit: a checkpoint cannot run inside a transaction. When it finds the
      // connection busy, it is tried again after the next transaction (and at close).
      if (scrub) await checkpoint();
      return result;
    },
    async close() {
      if (scrubPending) await checkpoint();
      await prisma.$disconnect();
    },
  };
}

/** How long connecting to PostgreSQL may take before start-up fails (pg's connectionTimeoutMillis). */
const PG_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connections per instance. A turn holds one for its transaction; raw SQL runs on the same one.
 * PostgreSQL's default max_connections is 100, so a few instances fit with room for tools.
 * Overridable with `?connection_limit=N` in the URL (Prisma's own parameter name).
 */
const PG_POOL_SIZE = 10;

/** How often a transaction aborted by a deadlock or serialization failure is run in all (PostgreSQL). */
const PG_CONFLICT_ATTEMPTS = 5;

/** A deadlock (40P01) or serialization failure (40001): the adapter reports both as TransactionWriteConflict (Prisma P2034). */
export function isWriteConflict(error: unknown): boolean {
  // A raw query's driver error sits in `meta.driverAdapterError` (Prisma P2010).
  const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 8; e = next(e), depth++) {
    const { code, kind, meta } = e as { code?: unknown; kind?: unknown; meta?: { code?: unknown; kind?: unknown } };
    if (code === "P2034" || code === "40P01" || code === "40001" || kind === "TransactionWriteConflict") return true;
    if (meta?.code === "40P01" || meta?.code === "40001" || meta?.kind === "TransactionWriteConflict") return true;
  }
  return false;
}

/** `?` placeholders → `$1, $2, …`, leaving quoted identifiers and string literals alone. */
export function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (m) => (m === "?" ? `$${++n}` : m));
}

/**
 * A value read through raw SQL on PostgreSQL as it reads on SQLite: 64-bit integers (counts, ids of
 * BIGINT columns) come back from Prisma as BigInt; numbers within the safe range become numbers.
 */
function plainRow<T>(row: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) row[k] = Number(v);
  }
  return row as T;
}

async function openPostgres(url: string): Promise<Database> {
  const masked = maskUrl(url);
  const parsed = new URL(url);
  const limit = Number(parsed.searchParams.get("connection_limit") ?? PG_POOL_SIZE);
  parsed.searchParams.delete("connection_limit");
  const connectionString = parsed.toString();
  const migrations = await migratePostgres(connectionString, POSTGRES_MIGRATIONS_DIR, { connectTimeoutMs: PG_CONNECT_TIMEOUT_MS });
  const pool = new pg.Pool({ connectionString, max: limit, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
  // An idle connection dropped by the server (restart, network) is replaced on the next use; the
  // pool reports it here, and without a listener it would crash the process.
  pool.on("error", () => {});
  const prisma = new PrismaClientPg({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }) as unknown as PrismaClient;
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch (error) {
    await prisma.$disconnect().catch(() => {});
    throw new DatabaseUrlError(`DATABASE_URL ${masked}: ${(error as Error).message}`, { cause: error });
  }
  const sqlFor = (tx: Tx): Sql => ({
    provider: "postgresql",
    run: (text, ...params) => tx.$executeRawUnsafe(numberPlaceholders(text), ...params),
    get: async <T>(text: string, ...params: SqlParam[]) => {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(numberPlaceholders(text), ...params);
      return rows[0] === undefined ? undefined : plainRow<T>(rows[0]);
    },
    all: async <T>(text: string, ...params: SqlParam[]) =>
      (await tx.$queryRawUnsafe<Record<string, unknown>[]>(numberPlaceholders(text), ...params)).map((r) => plainRow<T>(r)),
    // hashtextextended: the key's 64-bit hash, the advisory lock's id space. Held until the
    // transaction ends. Run as a statement: the function returns `void`, which Prisma cannot read.
    lock: async (key) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))`, key);
    },
  });
  // INDEX_CLEANUP ON: without it VACUUM may skip the indexes when few rows died, leaving the
  // erased values in their entries.
  const vacuum = () => prisma.$executeRawUnsafe(`VACUUM (INDEX_CLEANUP ON) ${ERASURE_TABLES.map((t) => `"${t}"`).join(", ")}`);
  return {
    provider: "postgresql",
    file: masked,
    migrations,
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        let scrub = false;
        try {
          const result = await prisma.$transaction(
            async (tx) => {
              sqls.set(tx, sqlFor(tx));
              try {
                const value = await fn(tx);
                scrub = scrubbing.has(tx);
                return value;
              } finally {
                sqls.delete(tx);
              }
            },
            { maxWait: 120_000, timeout: 120_000 },
          );
          // After the commit: VACUUM cannot run inside a transaction.
          if (scrub) await vacuum();
          return result;
        } catch (error) {
          // Concurrent transactions that lock the same rows in different orders deadlock, and
          // PostgreSQL aborts one of them (SQLite runs one at a time, so it never happens there).
          // Everything the aborted one did is rolled back, so it runs again, after a short random
          // wait so that the two do not meet again in step.
          if (attempt >= PG_CONFLICT_ATTEMPTS || !isWriteConflict(error)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
        }
      }
    },
    async close() {
      await prisma.$disconnect();
    },
  };
}
