/**
 * Bytes the bot makes itself (the CSV export) kept as a StoredFile, so that the outbox can send
 * them like any other kept file (MessageSpec.files).
 *
 * TODO(coordinator): once branch `files` (src/core/files) is merged, point {@link storeBytes} at its
 * store (the same content-addressed directory, FILES_DIR) and delete the writing below. Until then
 * it writes the same layout: `<FILES_DIR or data/files>/<sha256>`, row in StoredFile by sha256.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Unit } from "../unit.ts";

/** Where kept files live: FILES_DIR, else data/files under the working directory. */
export function filesDir(): string {
  return resolve(process.env.FILES_DIR ?? join("data", "files"));
}

/** The path of the bytes with this SHA-256 (hex). */
export function pathOfSha(sha256: string): string {
  return join(filesDir(), sha256);
}

/**
 * Keeps `bytes` (content-addressed: the same bytes once) and returns the StoredFile id. The file is
 * written before the row (a temporary name, then renamed), so a committed row always has its bytes;
 * a rolled-back unit leaves at most an unreferenced file.
 */
export async function storeBytes(unit: Unit, bytes: Uint8Array, meta: { mime: string; kind: "photo" | "document" }): Promise<number> {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const path = pathOfSha(sha256);
  if (!existsSync(path)) {
    mkdirSync(filesDir(), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  }
  const row = await unit.tx.storedFile.upsert({
    where: { sha256 },
    create: { sha256, size: bytes.byteLength, mime: meta.mime, kind: meta.kind, createdAt: unit.now },
    update: {},
    select: { id: true },
  });
  return row.id;
}
