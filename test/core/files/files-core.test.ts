/**
 * Files people send, through the core (core.ts `handle`): the bytes are fetched and kept before
 * the turn's transaction, the turn records the row and sees `stored` with its id, refusals are
 * answered in the person's language, a file nobody asked for gets a clear answer, and nothing
 * crashes a turn. Runs on both databases.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sqlOf } from "../../../src/db/database.ts";
import { conversationLock, FLOWS } from "../../../src/core/core.ts";
import { DialogEngine, type FlowDef } from "../../../src/core/dialog/engine.ts";
import { fail, ok, type Dialog, type Json } from "../../../src/core/dialog/dialog.ts";
import type { Inbound, StoredFileInfo } from "../../../src/core/channel.ts";
import { Turn } from "../../../src/core/turn.ts";
import { SYSTEM } from "../../../src/core/unit.ts";
import { DeliveryError } from "../../../src/core/channel.ts";
import { startHarness, tr, type Harness } from "../../support/core-harness.ts";
import { EXE, JPEG, PDF, png } from "./samples.ts";

let h: Harness;
afterEach(async () => h?.close());

const MB = 1024 * 1024;

/** A person at the main menu, in English. */
async function atMenu(id = "100") {
  const p = h.person(id, { language: "en" });
  await p.send("/start");
  if (p.buttons().includes("English")) await p.press("English");
  p.fresh();
  return p;
}

describe("a file a person sends", () => {
  it("is fetched and kept before the turn's transaction, which records its row with the platform's id", async () => {
    h = await startHarness();
    const p = await atMenu();
    // While the file is fetched no transaction of this conversation may be open: taking its lock
    // in a transaction of our own must succeed at once (a fetch inside the turn would wait forever).
    let free: boolean | undefined;
    h.channel.downloadHook = async (file) => {
      const attempt = h.db.transaction(async (tx) => {
        await sqlOf(tx).lock(conversationLock("telegram:100"));
        return true;
      });
      free = await Promise.race([attempt, new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000))]);
      return h.channel.uploads.get(file.platformId)!;
    };
    await p.sendFile({ kind: "document", name: "scan.pdf", bytes: PDF });
    expect(free).toBe(true);
    const row = await h.db.transaction((tx) => tx.storedFile.findFirstOrThrow());
    expect([row.mime, row.kind, row.size]).toEqual(["application/pdf", "document", PDF.length]);
    expect(JSON.parse(row.platformIds)).toEqual({ telegram: expect.stringMatching(/^upload-/) });
    expect(await h.files.has(row.sha256)).toBe(true);
    // (That the turn's event carries `stored` with this id: see "a question that takes files" below.)
  });

  it("at the main menu, is answered with where files go (and the menu again); an album gets one answer", async () => {
    h = await startHarness();
    const p = await atMenu();
    await p.sendFile({ kind: "photo", bytes: png(1), mediaGroup: "album-1" });
    await p.sendFile({ kind: "photo", bytes: png(2), mediaGroup: "album-1" });
    const answers = p.fresh();
    expect(answers.length).toBe(1);
    expect(answers[0]).toContain(tr("en", "file-outside-question"));
    expect(answers[0]).toContain(tr("en", "menu-prompt"));
    // Both photos were kept all the same (the same conversation may use them later).
    expect(await h.db.transaction((tx) => tx.storedFile.count())).toBe(2);
  });

  it("at a question that takes text, is answered like other unexpected input, once per album", async () => {
    h = await startHarness();
    const p = await atMenu();
    await p.press(tr("en", "menu-register"));
    await p.press(tr("en", "consent-agree"));
    const question = p.last().text;
    p.fresh();
    await p.sendFile({ kind: "photo", bytes: png(4), mediaGroup: "album-2" });
    await p.sendFile({ kind: "photo", bytes: png(5), mediaGroup: "album-2" });
    const answers = p.fresh();
    expect(answers).toEqual([`${tr("en", "error-need-text")}\n\n${question}`]);
  });

  it("as the first message of someone new: the language, then where files go, then the menu", async () => {
    h = await startHarness();
    const p = h.person("200", { language: "kk" });
    await p.sendFile({ kind: "document", name: "a.pdf", bytes: PDF });
    if (p.buttons().includes("Қазақша")) await p.press("Қазақша");
    const texts = p.messages().map((m) => m.text);
    expect(texts.some((t) => t.includes(tr("kk", "file-outside-question")))).toBe(true);
    expect(p.last().text).toContain(tr("kk", "menu-prompt"));
  });

  it("announced over 20 MB: not downloaded; a program: not kept; a failed download: no crash; each answered", async () => {
    h = await startHarness();
    const p = await atMenu();
    await p.sendFile({ kind: "document", name: "big.pdf", bytes: PDF, announced: 21 * MB });
    expect(h.channel.downloads).toBe(0);
    await p.sendFile({ kind: "document", name: "invoice.pdf", bytes: EXE });
    h.channel.downloadHook = async () => {
      throw new DeliveryError("retry", "ECONNRESET");
    };
    const result = await p.sendFile({ kind: "photo", bytes: JPEG });
    expect(result).toEqual({});
    expect(await h.db.transaction((tx) => tx.storedFile.count())).toBe(0);
    expect(p.messages().filter((m) => m.text.includes(tr("en", "error-generic")))).toEqual([]);
    expect(p.fresh().filter((t) => t.includes(tr("en", "file-outside-question"))).length).toBeGreaterThanOrEqual(1);
  });

  it("in a group: fetched only in the staff group and only for a reply or a thread's message", async () => {
    h = await startHarness({ settings: { staffChat: { channel: "telegram", chatId: "-100500" } } });
    await h.inGroup("-100999", "7").sendFile({ kind: "photo", bytes: JPEG });
    await h.inGroup("-100500", "7").sendFile({ kind: "photo", bytes: JPEG });
    expect(h.channel.downloads).toBe(0);
    await h.inGroup("-100500", "7").sendFile({ kind: "photo", bytes: JPEG, replyTo: "1" });
    await h.inGroup("-100500", "7").sendFile({ kind: "photo", bytes: png(3), threadId: "42" });
    expect(h.channel.downloads).toBe(2);
  });
});

/**
 * A question that takes files (AskSpec.takesFiles), as the report's will be. No flow of this
 * branch asks for files, so a test flow joins the core's flows for these tests, and is started in
 * the person's conversation through the dialog engine; then files are sent as people send them.
 */
describe("a question that takes files", () => {
  const flow: FlowDef<Json> = {
    name: "test-files",
    version: 1,
    title: "flow-menu",
    async run(d: Dialog) {
      for (;;) {
        const file = await d.ask<StoredFileInfo | null>({
          prompt: () => "Send a file, or 'done'",
          takesFiles: true,
          accept: (e) => (e.type === "file" && e.stored ? ok(e.stored) : e.type === "text" && e.text === "done" ? ok(null) : fail(() => "Not a file")),
        });
        if (!file) return;
        // The row is there, in the turn's transaction, with the id the event carries.
        const found = await d.act("row", async (turn) => (await turn.unit.tx.storedFile.findUnique({ where: { id: file.id } }))?.sha256 === file.sha256);
        await d.act("echo", (turn) => turn.unit.outbox.send(turn.here, { text: () => `got ${file.kind} ${file.mime} ${found}`, files: [{ fileId: file.id, name: "echo" }] }));
      }
    },
  };
  beforeAll(() => void FLOWS.push(flow as FlowDef<never>));
  afterAll(() => void FLOWS.splice(FLOWS.indexOf(flow as FlowDef<never>), 1));

  /** Starts the test flow in `id`'s private chat, as a menu entry would. */
  async function startFlow(id: string) {
    const engine = new DialogEngine(FLOWS);
    const inbound: Inbound = { channel: "telegram", chatId: id, userId: id, chatType: "private", event: { type: "text", text: "" } };
    await h.core.run(SYSTEM, (unit) => engine.handle(new Turn(unit, inbound, "ru"), `telegram:${id}`, inbound.event, () => ({ flow: "test-files" })));
    await h.core.dispatcher.idle();
  }

  it("gets the kept file with its row's id, in the turn that records it", async () => {
    h = await startHarness();
    const p = h.person("300", { language: "ru" });
    await startFlow("300");
    await p.sendFile({ kind: "document", name: "акт.pdf", bytes: PDF });
    const row = await h.db.transaction((tx) => tx.storedFile.findFirstOrThrow());
    const echo = p.messages().find((m) => m.text.startsWith("got"))!;
    expect(echo.text).toBe("got document application/pdf true");
    expect(echo.files.map((f) => [f.name, f.bytes, f.reused])).toEqual([["echo.pdf", PDF, true]]);
    expect(echo.message.files![0]!.id).toBe(row.id);
  });

  it("says why a file was refused: too big (with the 20 MB limit), a refused type, not fetched", async () => {
    h = await startHarness({ downloadTimeoutMs: 200 });
    const p = h.person("300", { language: "ru" });
    await startFlow("300");
    p.fresh();
    await p.sendFile({ kind: "document", name: "big.pdf", bytes: PDF, announced: 21 * MB });
    await p.sendFile({ kind: "document", name: "invoice.pdf", bytes: EXE });
    h.channel.downloadHook = () => new Promise<Uint8Array>(() => {});
    await p.sendFile({ kind: "photo", bytes: JPEG });
    const texts = p.fresh();
    expect(texts.length).toBe(3);
    expect(texts[0]).toContain(tr("ru", "file-refused-too-big", { limit: 20 }));
    expect(texts[0]).toContain("20");
    expect(texts[1]).toContain(tr("ru", "file-refused-type"));
    expect(texts[2]).toContain(tr("ru", "file-refused-unavailable"));
    for (const t of texts) expect(t).toContain("Send a file, or 'done'");
    expect(await h.db.transaction((tx) => tx.storedFile.count())).toBe(0);
  });
});
