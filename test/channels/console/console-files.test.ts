/**
 * Files in the console (src/channels/console/console.ts): `/file PATH` sends a local file as a
 * person would (the core fetches it through the console's `download` and keeps it), and files the
 * bot sends are shown as lines. Against the real core, database and locales.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConsoleChannel, formatSize } from "../../../src/channels/console/console.ts";
import { createCore, type Core } from "../../../src/core/core.ts";
import { FileStore } from "../../../src/core/files/store.ts";
import { keepOwnFile } from "../../../src/core/files/records.ts";
import { SYSTEM } from "../../../src/core/unit.ts";
import type { Database } from "../../../src/db/database.ts";
import { toPlain } from "../../../src/core/rich-text.ts";
import { silentLogger } from "../../../src/log.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { i18n, tr } from "../../support/core-harness.ts";
import { PDF, png } from "../../core/files/samples.ts";

let dir: string;
let close: (() => Promise<void>) | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qti-console-files-"));
});
afterEach(async () => {
  await close?.();
  close = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const PROMPT = /[\p{L}\p{N}_-]+> $/u;

async function open(): Promise<{ core: Core; db: Database; files: FileStore; type(line: string): Promise<string> }> {
  const db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
  const files = new FileStore(join(dir, "files"));
  const core = createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [] }, files });
  await core.start();
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const chat = createConsoleChannel({ core, input, output, persona: "you", languageHint: "en" });
  await core.dispatcher.register(chat.sender);
  const running = chat.run();
  const printed = (from: number) =>
    new Promise<string>((resolve) => {
      const check = () => {
        if (PROMPT.test(text.slice(from))) {
          output.off("data", check);
          resolve(toPlain(text.slice(from)));
        }
      };
      output.on("data", check);
      check();
    });
  await printed(0);
  close = async () => {
    input.end();
    await running;
    await core.idle();
    await core.dispatcher.stop();
    await db.close();
  };
  return {
    core,
    db,
    files,
    type(line) {
      const from = text.length;
      input.write(`${line}\n`);
      return printed(from);
    },
  };
}

describe("files in the console", () => {
  it("/file PATH sends a local file: the core keeps it and answers as it would on any channel", async () => {
    const s = await open();
    await s.type("/start");
    const path = join(dir, "акт сверки.pdf");
    writeFileSync(path, PDF);
    const out = await s.type(`/file ${path}`);
    expect(out).toContain(tr("en", "file-outside-question"));
    const row = await s.db.transaction((tx) => tx.storedFile.findFirstOrThrow());
    expect([row.mime, row.kind, row.size]).toEqual(["application/pdf", "document", PDF.length]);
    expect(await s.files.has(row.sha256)).toBe(true);
  });

  it("/file without a readable path says how to use it, and sends nothing", async () => {
    const s = await open();
    await s.type("/start");
    const out = await s.type(`/file ${join(dir, "missing.pdf")}`);
    expect(out).toContain("Usage: /file PATH");
    expect(await s.db.transaction((tx) => tx.storedFile.count())).toBe(0);
  });

  it("shows the files the bot sends as lines: a document with its name and size, a photo", async () => {
    const s = await open();
    await s.type("/start");
    const photo = png(9);
    await s.core.run(SYSTEM, async (unit) => {
      const doc = await keepOwnFile(unit.tx, unit.services.files, PDF, { name: "report.pdf" }, unit.now);
      const pic = await keepOwnFile(unit.tx, unit.services.files, photo, { name: "p.png", kind: "photo" }, unit.now);
      await unit.outbox.send({ channel: "console", chatId: "you", locale: "en" }, { text: () => "Files", files: [{ fileId: doc.id, name: "Отчёт.pdf" }, { fileId: pic.id }] });
    });
    const out = await s.type("/help");
    expect(out).toContain(`📎 Отчёт.pdf (${formatSize(PDF.length)})`);
    expect(out).toContain(`🖼 photo (${formatSize(photo.length)})`);
  });
});
