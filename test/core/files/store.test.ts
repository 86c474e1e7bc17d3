/**
 * The file store (src/core/files/store.ts) and the fetch before a turn (fetch.ts): types sniffed
 * from the bytes, executables and scripts refused whatever their name, the download limit checked
 * before and after, files kept once, atomically.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryError, type ChannelSender, type InboundFileRef } from "../../../src/core/channel.ts";
import { fetchFile, fileRefusalLabel } from "../../../src/core/files/fetch.ts";
import { FileStore, safeName } from "../../../src/core/files/store.ts";
import { CSV, ELF, EXE, JPEG, PDF, png, SCRIPT, TEXT } from "./samples.ts";

let dir: string;
let store: FileStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qti-files-"));
  store = new FileStore(join(dir, "files"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under the store, relative. */
function listed(): string[] {
  if (!existsSync(store.dir)) return [];
  return readdirSync(store.dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(store.dir.length + 1));
}

describe("FileStore.keep", () => {
  it("accepts a real PDF, PNG and JPEG, with the type read from the bytes, not the name", async () => {
    const pdf = await store.keep(PDF, "document", { name: "scan.jpg" });
    expect(pdf).toMatchObject({ kept: { mime: "application/pdf", size: PDF.length, kind: "document" } });
    expect(await store.keep(png(), "photo")).toMatchObject({ kept: { mime: "image/png", kind: "photo" } });
    expect(await store.keep(JPEG, "photo")).toMatchObject({ kept: { mime: "image/jpeg", kind: "photo" } });
    expect(await store.keep(JPEG, "document", { name: "фото.jpeg" })).toMatchObject({ kept: { mime: "image/jpeg", kind: "document" } });
  });

  it("keeps the bytes under their SHA-256 (ab/cd/<sha>), once for the same bytes, and no temporary file is left", async () => {
    const first = await store.keep(PDF, "document", { name: "a.pdf" });
    const again = await store.keep(PDF, "document", { name: "b.pdf" });
    if (!("kept" in first) || !("kept" in again)) throw new Error("refused");
    expect(again.kept.sha256).toBe(first.kept.sha256);
    const sha = first.kept.sha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(listed()).toEqual([join(sha.slice(0, 2), sha.slice(2, 4), sha)]);
    expect(new Uint8Array(readFileSync(store.path(sha)))).toEqual(PDF);
    expect(await store.has(sha)).toBe(true);
  });

  it("refuses programs whatever they are called: an .exe renamed .pdf, an ELF named .jpg", async () => {
    expect(await store.keep(EXE, "document", { name: "invoice.pdf" })).toEqual({ refused: "type" });
    expect(await store.keep(ELF, "document", { name: "photo.jpg" })).toEqual({ refused: "type" });
    expect(await store.keep(EXE, "document")).toEqual({ refused: "type" });
    expect(listed()).toEqual([]);
  });

  it("refuses scripts: a shell script named .pdf (its first line names the interpreter), and documents named as scripts or programs", async () => {
    expect(await store.keep(SCRIPT, "document", { name: "report.pdf" })).toEqual({ refused: "type" });
    for (const name of ["run.bat", "setup.CMD", "x.ps1", "a.vbs", "tool.js", "page.html", "image.svg", "app.apk", "lib.jar", "setup.msi", "readme.txt.exe"]) {
      expect(await store.keep(TEXT, "document", { name }), name).toEqual({ refused: "type" });
    }
    expect(listed()).toEqual([]);
  });

  it("a photo must be an image", async () => {
    expect(await store.keep(PDF, "photo")).toEqual({ refused: "type" });
    expect(await store.keep(TEXT, "photo")).toEqual({ refused: "type" });
  });

  it("takes plain text and CSV as documents, and unknown binary data that is no program", async () => {
    expect(await store.keep(TEXT, "document", { name: "notes.txt" })).toMatchObject({ kept: { mime: "text/plain" } });
    expect(await store.keep(CSV, "document", { name: "list.csv" })).toMatchObject({ kept: { mime: "text/csv" } });
    const binary = new Uint8Array([0x00, 0x13, 0x37, 0xfe, 0x00, 0x01, 0x02, 0x03, 0x99, 0x98]);
    expect(await store.keep(binary, "document", { name: "data.dat" })).toMatchObject({ kept: { mime: "application/octet-stream" } });
  });

  it("refuses over the limit, and an empty file", async () => {
    expect(await store.keep(PDF, "document", { maxBytes: PDF.length - 1 })).toEqual({ refused: "too-big" });
    expect(await store.keep(PDF, "document", { maxBytes: PDF.length })).toMatchObject({ kept: {} });
    expect(await store.keep(new Uint8Array(), "document")).toEqual({ refused: "unavailable" });
  });
});

describe("safeName", () => {
  const pdf = { sha256: "ab".repeat(32), mime: "application/pdf", ext: "pdf" };
  it("keeps a plain name, drops paths and control or direction characters", () => {
    expect(safeName("Отчёт 2026.pdf", pdf)).toBe("Отчёт 2026.pdf");
    expect(safeName("../../etc/passwd.pdf", pdf)).toBe("passwd.pdf");
    expect(safeName("C:\\Users\\a\\doc.pdf", pdf)).toBe("doc.pdf");
    expect(safeName("inv\u202Efdp.exe\u0000.pdf", pdf)).toBe("invfdp.exe.pdf");
  });
  it("makes the extension say what the bytes are, and names a nameless file", () => {
    expect(safeName("scan.jpg", pdf)).toBe("scan.jpg.pdf");
    expect(safeName("notes.pdf", { sha256: pdf.sha256, mime: "text/plain", ext: "txt" })).toBe("notes.pdf.txt");
    expect(safeName("list.csv", { sha256: pdf.sha256, mime: "text/csv", ext: "csv" })).toBe("list.csv");
    expect(safeName(undefined, pdf)).toBe("file-abababab.pdf");
    expect(safeName("  ...  ", pdf)).toBe("file-abababab.pdf");
  });
  it("is at most 100 characters and keeps the extension", () => {
    const name = safeName(`${"я".repeat(300)}.pdf`, pdf);
    expect(name.length).toBeLessThanOrEqual(100);
    expect(name.endsWith(".pdf")).toBe(true);
  });
});

describe("fetchFile", () => {
  const MB = 1024 * 1024;
  function sender(serve: (file: InboundFileRef, signal?: AbortSignal) => Promise<Uint8Array>, maxDownloadBytes?: number) {
    const calls: InboundFileRef[] = [];
    const s: ChannelSender = {
      channel: "telegram",
      ...(maxDownloadBytes ? { capabilities: { maxDownloadBytes } } : {}),
      deliver: () => Promise.reject(new Error("not here")),
      download: (file, signal) => {
        calls.push(file);
        return serve(file, signal);
      },
    };
    return { s, calls };
  }
  const ref = (size?: number): InboundFileRef => ({ kind: "document", platformId: "f1", name: "a.pdf", ...(size !== undefined ? { size } : {}) });

  it("refuses a file announced over the channel's limit (Telegram 20 MB) without downloading it", async () => {
    const { s, calls } = sender(async () => PDF, 20 * MB);
    expect(await fetchFile(ref(21 * MB), s, store)).toEqual({ refused: "too-big" });
    expect(calls).toEqual([]);
  });

  it("checks the real size after the download too, and reads the platform's 'too big' refusal", async () => {
    const small = sender(async () => PDF, PDF.length - 1);
    expect(await fetchFile(ref(10), small.s, store)).toEqual({ refused: "too-big" });
    const refusing = sender(async () => {
      throw new DeliveryError("rejected", "Bad Request: file is too big");
    });
    expect(await fetchFile(ref(), refusing.s, store)).toEqual({ refused: "too-big" });
  });

  it("keeps what it fetched", async () => {
    const { s } = sender(async () => PDF);
    const result = await fetchFile(ref(PDF.length), s, store);
    expect(result).toMatchObject({ kept: { mime: "application/pdf", size: PDF.length } });
  });

  it("a network failure, a timeout or a channel without downloads is 'unavailable', never a throw", async () => {
    const failing = sender(async () => {
      throw new DeliveryError("retry", "ECONNRESET");
    });
    expect(await fetchFile(ref(), failing.s, store)).toEqual({ refused: "unavailable" });
    let aborted = false;
    const hanging = sender(
      (_file, signal) =>
        new Promise<Uint8Array>(() => {
          signal?.addEventListener("abort", () => (aborted = true));
        }),
    );
    expect(await fetchFile(ref(), hanging.s, store, { timeoutMs: 50 })).toEqual({ refused: "unavailable" });
    expect(aborted).toBe(true);
    expect(await fetchFile(ref(), { channel: "console", deliver: () => Promise.reject(new Error("x")) }, store)).toEqual({ refused: "unavailable" });
  });

  it("words the limit of a too-big refusal in MB", () => {
    expect(fileRefusalLabel("too-big", 20 * MB)).toEqual({ key: "file-refused-too-big", args: { limit: 20 } });
    expect(fileRefusalLabel("type")).toBe("file-refused-type");
  });
});
