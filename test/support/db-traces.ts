/**
 * Where a text (a WhatsApp id, a phone's digits) still appears in the database: every table's rows
 * read through Prisma and searched as JSON, so that an erasure test sees a trace in any column,
 * keys included (ProcessedUpdate ids, OutboxPace keys, DialogState keys, ChatMenu, AuditLog...).
 */
import type { Database } from "../../src/db/database.ts";

/** "Table: row JSON" for every row of every table that contains one of `needles`. */
export async function tracesOf(db: Database, needles: string[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const found: string[] = [];
    const delegates = tx as unknown as Record<string, { findMany?: () => Promise<unknown[]> }>;
    const models = Object.keys(delegates).filter((k) => !k.startsWith("$") && !k.startsWith("_") && typeof delegates[k]?.findMany === "function");
    if (models.length < 20) throw new Error(`tracesOf: only ${models.length} tables found`);
    for (const model of models) {
      for (const row of await delegates[model]!.findMany!()) {
        const json = JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
        if (needles.some((n) => json.includes(n))) found.push(`${model}: ${json.slice(0, 300)}`);
      }
    }
    return found;
  });
}
