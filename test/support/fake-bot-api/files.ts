/**
 * Files in the fake Bot API: the bytes behind every file_id (sent by simulated people or uploaded
 * by the bot), getFile's File objects with file_path, and the download route's lookup. Limits and
 * texts from core.telegram.org/bots/api ("getFile": bots download at most 20 MB; "Sending files":
 * upload limits) and Telegram's answers as bots meet them.
 */
import { createHash } from "node:crypto";
import type { Document, File, PhotoSize } from "grammy/types";
import { badRequest } from "./errors.ts";

/** The largest file a bot may download with getFile (Bot API docs: 20 MB). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** The largest photo a bot may upload (Bot API docs, sendPhoto: 10 MB). */
export const MAX_PHOTO_UPLOAD_BYTES = 10 * 1024 * 1024;

/** One file the fake holds. */
export interface HeldFile {
  file_id: string;
  file_unique_id: string;
  kind: "photo" | "document";
  bytes: Buffer;
  /** Documents: the name as given by the sender. */
  name?: string;
  mime?: string;
  /** Assigned by the first getFile (Telegram does the same: the path appears on demand). */
  file_path?: string;
  /** For a photo: the full PhotoSize array it belongs to (so a resend returns all sizes). */
  sizes?: PhotoSize[];
}

/** An uploaded file as the fake records it in `params`. */
export interface UploadedFile {
  file_name: string;
  mime_type: string | undefined;
  size: number;
  /** The bytes (not enumerable: recorded calls stay small and printable). */
  readonly bytes: Buffer;
}

/** Whether a parameter value is a file uploaded with the call. */
export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && Buffer.isBuffer((value as { bytes?: unknown }).bytes);
}

/** What a test gives for an inbound file; everything has a default. */
export interface FileInput {
  /** The bytes; default a small JPEG (photos) or PDF (documents) unique to the file. */
  bytes?: Uint8Array;
  /** Documents: the file name. Default "document.pdf". */
  name?: string;
  /** Documents: the mime type the sender's app claims. Default from the name's extension. */
  mime?: string;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  txt: "text/plain",
  csv: "text/csv",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  exe: "application/x-msdownload",
};

/** The mime type Telegram gives a document from its file name (it goes by the extension). */
export function mimeFromName(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? "";
  return MIME_BY_EXTENSION[ext] ?? "application/octet-stream";
}

/** Whether the bytes are an image Telegram can make a photo of (JPEG, PNG, WebP). */
export function isImage(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    (b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP")
  );
}

/** sha256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let counter = 0;

/** A small JPEG-looking file, distinct per call (enough for the fake and for type sniffing). */
export function sampleJpeg(seed = `photo-${++counter}`): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0"), Buffer.from(seed), Buffer.from([0xff, 0xd9])]);
}

/** A small PDF-looking file, distinct per call. */
export function samplePdf(seed = `pdf-${++counter}`): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${seed}\n%%EOF\n`);
}

/** The file store of one fake server. */
export class FileStore {
  private readonly byId = new Map<string, HeldFile>();
  private readonly byPath = new Map<string, HeldFile>();
  private next = 0;
  private paths = 0;

  private ids(kind: string): { file_id: string; file_unique_id: string } {
    const tail = (++this.next).toString(36).padStart(6, "0");
    return { file_id: `BQACAgIAAxkBAAI${kind}${tail}AAHfake`, file_unique_id: `AgAD${kind}${tail}` };
  }

  /**
   * A photo as Telegram stores it: several sizes, the largest holding `bytes` (the smaller ones
   * hold slices of them, standing in for the thumbnails Telegram makes).
   */
  addPhoto(bytes: Uint8Array): PhotoSize[] {
    const full = Buffer.from(bytes);
    const dims: [number, number][] = [[90, 60], [320, 213], [800, 533], [1280, 853]];
    const sizes: PhotoSize[] = [];
    const held: HeldFile[] = [];
    dims.forEach(([width, height], i) => {
      const part = i === dims.length - 1 ? full : full.subarray(0, Math.max(1, Math.floor((full.length * (i + 1)) / (dims.length * 2))));
      const ids = this.ids("PH");
      const file: HeldFile = { ...ids, kind: "photo", bytes: part, mime: "image/jpeg" };
      held.push(file);
      sizes.push({ ...ids, width, height, file_size: part.length });
    });
    for (const file of held) {
      file.sizes = sizes;
      this.byId.set(file.file_id, file);
    }
    return structuredClone(sizes);
  }

  /** A document as Telegram stores it. */
  addDocument(bytes: Uint8Array, name: string, mime?: string): Document {
    const ids = this.ids("DO");
    const file: HeldFile = { ...ids, kind: "document", bytes: Buffer.from(bytes), name, mime: mime ?? mimeFromName(name) };
    this.byId.set(file.file_id, file);
    return this.documentOf(file);
  }

  /** The Document object of a held document. */
  documentOf(file: HeldFile): Document {
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_name: file.name ?? "document", mime_type: file.mime ?? "application/octet-stream", file_size: file.bytes.length };
  }

  get(fileId: string): HeldFile | undefined {
    return this.byId.get(fileId);
  }

  /** Makes a file_id unknown, as when Telegram stops accepting an old one. */
  forget(fileId: string): void {
    this.byId.delete(fileId);
  }

  /** getFile: the File object (with a file_path), or Telegram's refusals. */
  getFile(fileId: string): File {
    const file = this.byId.get(fileId);
    if (file === undefined) throw badRequest("invalid file_id");
    if (file.bytes.length > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big");
    if (file.file_path === undefined) {
      const ext = file.kind === "photo" ? "jpg" : (/\.([A-Za-z0-9]+)$/.exec(file.name ?? "")?.[1] ?? "");
      file.file_path = `${file.kind === "photo" ? "photos" : "documents"}/file_${this.paths++}${ext ? `.${ext}` : ""}`;
      this.byPath.set(file.file_path, file);
    }
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.bytes.length, file_path: file.file_path };
  }

  /** The bytes served at /file/bot<token>/<file_path>. */
  byFilePath(path: string): HeldFile | undefined {
    return this.byPath.get(path);
  }
}
