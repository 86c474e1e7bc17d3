/**
 * The bot's file store: the bytes of every file a person sent (or the bot sends), kept on disk
 * under FILES_DIR (default `data/files/`, next to the SQLite file), named by their SHA-256:
 * `ab/cd/abcd…` (content-addressed: the same bytes are kept once, and a file is never rewritten or
 * deleted while a record names it). What the bytes are is sniffed from the bytes (`file-type`),
 * never taken from the name or the type the sender's app claimed.
 *
 * Refused (issue 7 "Limits"): executables and scripts (by their magic bytes, by a shebang, and by
 * a document name ending in an executable or script extension, since scripts have no magic bytes),
 * a "photo" whose bytes are not an image, and anything over the channel's download limit.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileTypeFromBuffer } from "file-type";
import type { FileRefusal } from "../channel.ts";

/** What the bytes of a kept file are (StoredFileInfo without the row id). */
export interface KeptFile {
  sha256: string;
  /** Bytes. */
  size: number;
  /** Sniffed: "image/jpeg", "application/pdf", "text/plain", "application/octet-stream"... */
  mime: string;
  /** The file extension of the sniffed type, without a dot ("pdf"), when it has one. */
  ext?: string;
  kind: "photo" | "document";
}

/** The outcome of keeping a file: kept, or refused and why. */
export type KeepResult = { kept: KeptFile } | { refused: FileRefusal };

/** When a channel declares no download limit: Telegram's (the Bot API serves bots at most 20 MB). */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Sniffed types that run code where they are opened: Windows PE (exe, dll), ELF, Mach-O, Java
 * (jar, class), Android packages, WebAssembly, installers and disk images (deb, rpm, dmg, cab),
 * browser extensions, shortcuts and registry files, Flash, compiled help (chm runs scripts).
 */
const EXECUTABLE_MIMES = new Set([
  "application/x-msdownload",
  "application/x-elf",
  "application/x-mach-binary",
  "application/java-archive",
  "application/java-vm",
  "application/vnd.android.package-archive",
  "application/wasm",
  "application/x-deb",
  "application/x-rpm",
  "application/x-apple-diskimage",
  "application/vnd.ms-cab-compressed",
  "application/x-google-chrome-extension",
  "application/x-xpinstall",
  "application/x.ms.shortcut",
  "application/x-ms-regedit",
  "application/x-ft-windows-registry-hive",
  "application/x-shockwave-flash",
  "application/vnd.ms-htmlhelp",
  "application/x.apple.alias",
  "application/x-msi",
]);

/**
 * Name extensions of executables and scripts (a script has no magic bytes: its name is how a
 * computer decides to run it), and of web pages and vector images that run scripts when opened.
 */
const EXECUTABLE_EXTENSIONS = new Set(
  (
    "exe dll com scr pif cpl msi msp msc sys drv ocx efi run elf so dylib app ipa apk aab xapk dex jar class war ear " +
    "bat cmd ps1 psm1 psd1 ps1xml vbs vbe js jse mjs cjs wsf wsh ws hta sct reg inf lnk url scf " +
    "sh bash zsh ksh csh fish command tool py pyc pyw pl rb php phtml lua tcl awk " +
    "html htm xhtml shtml mht mhtml svg svgz xsl xslt swf chm appimage deb rpm dmg pkg mpkg crx xpi vsix gadget iqy slk"
  ).split(" "),
);

/** Extensions a plain-text file may keep; any other name gets ".txt" added (a text named "x.pdf" is not a PDF). */
const TEXT_EXTENSIONS = new Set(["txt", "csv", "tsv", "log", "md", "json", "xml", "ini", "cfg", "conf", "yaml", "yml"]);

/** The extension of a name, lowercased, without the dot; "" when it has none. */
export function extensionOf(name: string | undefined | null): string {
  const m = /\.([^./\\]{1,16})$/.exec(name ?? "");
  return m ? m[1]!.toLowerCase() : "";
}

/** Whether the bytes look like text (valid UTF-8 without NUL bytes), in a sample of the start. */
function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) return false;
  try {
    // A sample cut in the middle of a character is still text: drop up to three trailing bytes.
    new TextDecoder("utf-8", { fatal: true }).decode(sample.length < bytes.length ? sample.subarray(0, Math.max(0, sample.length - 3)) : sample);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the bytes are, and whether they may be kept: sniffed with `file-type`; bytes it does not
 * know are text (UTF-8, no NUL) or "application/octet-stream". `kind` is how the person sent it;
 * `name` the document's name as their app gave it (checked for executable extensions only).
 */
export async function sniff(
  bytes: Uint8Array,
  kind: "photo" | "document",
  name?: string | null,
): Promise<{ ok: true; mime: string; ext?: string } | { ok: false }> {
  if (EXECUTABLE_EXTENSIONS.has(extensionOf(name))) return { ok: false };
  const type = await fileTypeFromBuffer(bytes);
  if (type) {
    if (EXECUTABLE_MIMES.has(type.mime)) return { ok: false };
    if (kind === "photo" && !type.mime.startsWith("image/")) return { ok: false };
    return { ok: true, mime: type.mime, ext: type.ext };
  }
  if (kind === "photo") return { ok: false };
  // A script names its interpreter on the first line ("#!/bin/sh"), whatever the file is called.
  if (bytes[0] === 0x23 && bytes[1] === 0x21) return { ok: false };
  if (looksLikeText(bytes)) {
    const ext = extensionOf(name);
    if (ext === "csv") return { ok: true, mime: "text/csv", ext };
    // A calendar file (an event's .ics, events/ics.ts): phones open it by its type and name.
    if (ext === "ics") return { ok: true, mime: "text/calendar", ext };
    return { ok: true, mime: "text/plain", ext: TEXT_EXTENSIONS.has(ext) ? ext : "txt" };
  }
  return { ok: true, mime: "application/octet-stream" };
}

/**
 * A file name that is safe to show and to hand to a platform: no path, no control or direction
 * characters, at most 100 characters, and an extension that says what the bytes are (a text named
 * "x.pdf" becomes "x.pdf.txt"). Without a usable name: "file-<first 8 of the hash>.<ext>".
 */
export function safeName(name: string | null | undefined, file: { sha256: string; ext?: string; mime: string }): string {
  let base = (name ?? "")
    .normalize("NFC")
    .replace(/^.*[/\\]/, "")
    // Control characters, bidirectional overrides and zero-width marks (a name "gpj.exe" shown reversed).
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, "")
    .replace(/[<>:"|?*]/g, "_")
    .replace(/^[\s.]+|[\s.]+$/g, "");
  const wanted = file.ext;
  if (!base) base = `file-${file.sha256.slice(0, 8)}`;
  const ext = extensionOf(base);
  const fits = wanted === undefined || ext === wanted || (wanted === "jpg" && ext === "jpeg") || (file.mime.startsWith("text/") && TEXT_EXTENSIONS.has(ext));
  if (!fits) base = `${base}.${wanted}`;
  if (base.length > 100) {
    const tail = extensionOf(base);
    base = `${base.slice(0, 100 - tail.length - 2)}….${tail}`;
  }
  return base;
}

export class FileStore {
  /** The directory, absolute. */
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Where the bytes of `sha256` are (or would be): `<dir>/ab/cd/<sha256>`. */
  path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("not a SHA-256");
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Checks and keeps `bytes` sent as `kind` (named `name`, for documents): refused "too-big" over
   * `maxBytes`, "type" for executables, scripts and a photo that is no image. Written atomically
   * (a temporary file renamed into place) and idempotently (the same bytes twice are one file).
   */
  async keep(bytes: Uint8Array, kind: "photo" | "document", opts: { name?: string | null; maxBytes?: number } = {}): Promise<KeepResult> {
    if (bytes.length > (opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES)) return { refused: "too-big" };
    if (bytes.length === 0) return { refused: "unavailable" };
    const type = await sniff(bytes, kind, opts.name);
    if (!type.ok) return { refused: "type" };
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    await this.write(sha256, bytes);
    return { kept: { sha256, size: bytes.length, mime: type.mime, ...(type.ext ? { ext: type.ext } : {}), kind } };
  }

  /** Whether the bytes of `sha256` are on disk. */
  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.path(sha256))).isFile();
    } catch {
      return false;
    }
  }

  private async write(sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.path(sha256);
    if (await this.has(sha256)) return;
    const dir = join(this.dir, sha256.slice(0, 2), sha256.slice(2, 4));
    await mkdir(dir, { recursive: true });
    // Written whole under another name, then renamed: a reader (or a crash) never sees half a file.
    const temp = join(dir, `.${sha256}.${randomUUID()}.tmp`);
    try {
      await writeFile(temp, bytes, { flag: "wx" });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
