/**
 * Bytes the bot makes itself (the CSV export) kept as a StoredFile, so that the outbox can send
 * them like any other kept file (MessageSpec.files): in the core's file store (core/files, FILES_DIR),
 * where the dispatcher reads a message's files.
 */
import type { Unit } from "../unit.ts";
import { recordStoredFile } from "../files/records.ts";

/**
 * Keeps `bytes` (content-addressed: the same bytes once) and returns the StoredFile id. The file is
 * written before the row, so a committed row always has its bytes; a rolled-back unit leaves at
 * most an unreferenced file. `name` decides the sniffed text type (".csv": text/csv).
 */
export async function storeBytes(unit: Unit, bytes: Uint8Array, meta: { mime: string; kind: "photo" | "document"; name?: string }): Promise<number> {
  const result = await unit.services.files.keep(bytes, meta.kind, { name: meta.name ?? (meta.mime === "text/csv" ? "export.csv" : null), maxBytes: Number.MAX_SAFE_INTEGER });
  if ("refused" in result) throw new Error(`the bot's own file was refused (${result.refused})`);
  return (await recordStoredFile(unit.tx, result.kept, unit.now)).id;
}
