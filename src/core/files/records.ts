/**
 * The `StoredFile` rows: what the bytes kept by the FileStore (store.ts) are, and each channel's
 * own id for the same file (Telegram's file_id), reused for sending while the platform accepts it.
 */
import { sqlOf, type Tx } from "../../db/database.ts";
import type { ChannelName, OutboundFile, StoredFileInfo } from "../channel.ts";
import type { FileSpec } from "../message.ts";
import { safeName, type FileStore, type KeptFile } from "./store.ts";

/** A StoredFile row as read. */
export interface StoredFileRow {
  id: number;
  sha256: string;
  size: number;
  mime: string;
  kind: "photo" | "document";
  /** channel → that platform's id for the file. */
  platformIds: Record<string, string>;
}

function parseIds(json: string | null | undefined): Record<string, string> {
  try {
    const value = JSON.parse(json ?? "{}") as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The row of the bytes `file` describes (created the first time they are kept: upserted by
 * sha256, safe under concurrent turns), with `platformId` recorded as `channel`'s id for it when
 * given and the file was sent the way the row shows it (a photo's id cannot send a document).
 * Returns what a flow sees of it. Call inside the turn's transaction.
 */
export async function recordStoredFile(
  tx: Tx,
  file: KeptFile,
  now: Date,
  seen?: { channel: ChannelName; platformId: string },
): Promise<StoredFileInfo> {
  const sql = sqlOf(tx);
  await sql.run(
    `INSERT INTO "StoredFile" ("sha256", "size", "mime", "kind", "createdAt", "platformIds") VALUES (?, ?, ?, ?, ?, '{}') ON CONFLICT ("sha256") DO NOTHING`,
    file.sha256, file.size, file.mime, file.kind, now,
  );
  const row = (await sql.get<{ id: number | string; kind: string }>(`SELECT "id", "kind" FROM "StoredFile" WHERE "sha256" = ?`, file.sha256))!;
  const id = Number(row.id);
  if (seen && row.kind === file.kind) await recordPlatformIds(tx, seen.channel, [{ fileId: id, platformId: seen.platformId }]);
  return { id, sha256: file.sha256, size: file.size, mime: file.mime, kind: file.kind };
}

/**
 * Records `channel`'s ids for files (from a delivery, or a file a person sent): the newest id
 * replaces the one before. Files locked in id order, so concurrent recorders never deadlock.
 */
export async function recordPlatformIds(tx: Tx, channel: string, ids: { fileId: number; platformId: string }[]): Promise<void> {
  const sql = sqlOf(tx);
  for (const { fileId, platformId } of [...ids].sort((a, b) => a.fileId - b.fileId)) {
    if (!platformId) continue;
    await sql.lock(`file:${fileId}`);
    const row = await sql.get<{ platformIds: string }>(`SELECT "platformIds" FROM "StoredFile" WHERE "id" = ?`, fileId);
    if (!row) continue;
    const known = parseIds(row.platformIds);
    if (known[channel] === platformId) continue;
    known[channel] = platformId;
    await sql.run(`UPDATE "StoredFile" SET "platformIds" = ? WHERE "id" = ?`, JSON.stringify(known), fileId);
  }
}

/** The rows of `ids` (those that exist), by id. */
export async function loadStoredFiles(tx: Tx, ids: number[]): Promise<Map<number, StoredFileRow>> {
  const rows = ids.length ? await tx.storedFile.findMany({ where: { id: { in: [...new Set(ids)] } } }) : [];
  return new Map(
    rows.map((r) => [r.id, { id: r.id, sha256: r.sha256, size: r.size, mime: r.mime, kind: r.kind === "photo" ? "photo" : "document", platformIds: parseIds(r.platformIds) }]),
  );
}

/**
 * The files of a message as a channel gets them (OutboundMessage.files): the path of the bytes,
 * a safe name, and `channel`'s id for each when known. A file whose row or bytes are gone is left
 * out (returned in `missing`), so that the rest of the message is still delivered.
 */
export async function outboundFiles(
  tx: Tx,
  store: FileStore,
  specs: FileSpec[],
  channel: string,
): Promise<{ files: OutboundFile[]; missing: number[] }> {
  const rows = await loadStoredFiles(tx, specs.map((s) => s.fileId));
  const files: OutboundFile[] = [];
  const missing: number[] = [];
  for (const spec of specs) {
    const row = rows.get(spec.fileId);
    if (!row || !(await store.has(row.sha256))) {
      missing.push(spec.fileId);
      continue;
    }
    const platformId = row.platformIds[channel];
    files.push({
      id: row.id,
      kind: row.kind,
      path: store.path(row.sha256),
      name: safeName(spec.name, { sha256: row.sha256, mime: row.mime, ...extOf(row.mime) }),
      mime: row.mime,
      size: row.size,
      ...(platformId ? { platformId } : {}),
    });
  }
  return { files, missing };
}

/** The usual extension of a sniffed type, for a default or corrected file name. */
function extOf(mime: string): { ext?: string } {
  const known: Record<string, string> = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/tiff": "tif",
    "image/bmp": "bmp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/x-rar-compressed": "rar",
    "application/x-7z-compressed": "7z",
    "application/rtf": "rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/plain": "txt",
    "text/csv": "csv",
    "text/calendar": "ics",
  };
  const ext = known[mime];
  return ext ? { ext } : {};
}

/**
 * Keeps a file the bot makes itself (a CSV export) and records its row, in `tx`: checked like a
 * file a person sent (a name ending in ".csv" makes text "text/csv"). Throws when refused (the
 * bot's own bytes are never an executable; a refusal is a fault).
 */
export async function keepOwnFile(
  tx: Tx,
  store: FileStore,
  bytes: Uint8Array,
  file: { kind?: "photo" | "document"; name: string },
  now: Date,
): Promise<StoredFileInfo> {
  const result = await store.keep(bytes, file.kind ?? "document", { name: file.name, maxBytes: Number.MAX_SAFE_INTEGER });
  if ("refused" in result) throw new Error(`the bot's own file was refused (${result.refused})`);
  return recordStoredFile(tx, result.kept, now);
}
