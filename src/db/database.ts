/**
 * The database: migrations applied at open, then a Prisma client over better-sqlite3.
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
import type BetterSqlite3 from "better-sqlite3";
import { PrismaClient, type Prisma } from "./generated/client.ts";
import { migrateSqlite, type MigrateResult } from "./migrate.ts";

export type Tx = Prisma.TransactionClient;

/** Transactions that erased personal data: once they commit, the WAL is checkpointed and emptied. */
const scrubbing = new WeakSet<object>();

/**
 * Marks `tx` as erasing personal data (privacy.ts). With `secure_delete` the freed pages are
 * overwritten with zeros; after the commit a `wal_checkpoint(TRUNCATE)` copies them into the
 * database file and empties the WAL, so no readable copy of the erased rows is left in either.
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
function capturingAdapter(file: string): { factory: PrismaBetterSqlite3; connection: () => BetterSqlite3.Database } {
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

export interface Database {
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  readonly migrations: MigrateResult;
  readonly file: string;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

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

export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  const file = sqlitePath(url);
  mkdirSync(dirname(file), { recursive: true });
  if (opts.template !== undefined && !existsSync(file)) copyFileSync(opts.template, file);
  const migrations = migrateSqlite(file, MIGRATIONS_DIR);
  const adapter = capturingAdapter(file);
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
    try {
      const rows = await prisma.$queryRawUnsafe<{ busy: number | bigint }[]>("PRAGMA wal_checkpoint(TRUNCATE)");
      scrubPending = Number(rows[0]?.busy ?? 0) !== 0;
    } catch {
      scrubPending = true;
    }
  };
  return {
    file,
    migrations,
    async transaction(fn) {
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
