/**
 * Files and threads on the way out (outbox.ts, dispatcher.ts): a message's files are delivered
 * from the store with this channel's id for each when known (recorded from every delivery and
 * every file a person sent), an anchored message replies to its anchor in the anchor's thread (read
 * from SentMessage, so any instance does the same), every message of an album is found by its tag,
 * and an edit changes only the text. Runs on both databases.
 */
import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createCore } from "../../../src/core/core.ts";
import { tagOfSent } from "../../../src/core/bookkeeping.ts";
import { keepOwnFile } from "../../../src/core/files/records.ts";
import { mergeMessages, coalesceInto } from "../../../src/core/outbox/coalesce.ts";
import { SYSTEM, type Unit } from "../../../src/core/unit.ts";
import type { Target } from "../../../src/core/message.ts";
import { silentLogger } from "../../../src/log.ts";
import { i18n, RecordingChannel, startHarness, type Harness } from "../../support/core-harness.ts";
import { JPEG, PDF, png } from "./samples.ts";

let h: Harness;
afterEach(async () => h?.close());

/** A text as is (not a locale key). */
const say = (text: string) => () => text;

const STAFF: Target = { channel: "telegram", chatId: "-100500", locale: "en" };
const OTHER: Target = { channel: "telegram", chatId: "-100600", locale: "ru" };

/** Keeps `bytes` as the bot's own file and returns its row id. */
async function keep(bytes: Uint8Array, name: string, kind: "photo" | "document" = "document"): Promise<number> {
  return h.core.run(SYSTEM, async (unit) => (await keepOwnFile(unit.tx, unit.services.files, bytes, { kind, name }, unit.now)).id);
}

async function run(fn: (unit: Unit) => Promise<void>): Promise<void> {
  await h.core.run(SYSTEM, fn);
  await h.core.dispatcher.idle();
}

const platformIds = async (id: number) =>
  JSON.parse((await h.db.transaction((tx) => tx.storedFile.findUniqueOrThrow({ where: { id } }))).platformIds) as Record<string, string>;

describe("files in messages", () => {
  it("delivers a message's files from the store, with a safe name, and records the channel's id for each", async () => {
    h = await startHarness();
    const pdf = await keep(PDF, "report.pdf");
    await run((unit) => unit.outbox.send(STAFF, { text: say("Report"), files: [{ fileId: pdf, name: "../secret/Отчёт\u202E.pdf" }] }));
    const [m] = h.channel.in(STAFF.chatId);
    expect(m!.text).toBe("Report");
    expect(m!.files).toEqual([{ name: "Отчёт.pdf", kind: "document", size: PDF.length, bytes: PDF, reused: false }]);
    expect(m!.message.files![0]!.path.startsWith(h.files.dir)).toBe(true);
    expect((await platformIds(pdf)).telegram).toMatch(/^file-/);

    // Sent again (another chat): the platform's id is reused, the bytes are not sent again.
    await run((unit) => unit.outbox.send(OTHER, { text: say("Again"), files: [{ fileId: pdf, name: "report.pdf" }] }));
    const [again] = h.channel.in(OTHER.chatId);
    expect(again!.files.map((f) => [f.name, f.reused])).toEqual([["report.pdf", true]]);
  });

  it("a file a person sent is sent on with the platform's id it came with", async () => {
    h = await startHarness();
    const member = h.person("100", { language: "en" });
    await member.send("/start");
    await member.sendFile({ kind: "photo", bytes: JPEG });
    const row = await h.db.transaction((tx) => tx.storedFile.findFirstOrThrow());
    expect(row.kind).toBe("photo");
    expect(JSON.parse(row.platformIds)).toEqual({ telegram: expect.stringMatching(/^upload-/) });
    await run((unit) => unit.outbox.send(STAFF, { text: say("Photo from a member"), files: [{ fileId: row.id }] }));
    const [m] = h.channel.in(STAFF.chatId);
    expect(m!.files).toEqual([expect.objectContaining({ kind: "photo", reused: true, bytes: JPEG })]);
  });

  it("a file whose bytes are gone is left out; the message still goes", async () => {
    h = await startHarness();
    const pdf = await keep(PDF, "a.pdf");
    const photo = await keep(png(1), "p.png", "photo");
    const row = await h.db.transaction((tx) => tx.storedFile.findUniqueOrThrow({ where: { id: pdf } }));
    rmSync(h.files.path(row.sha256));
    await run((unit) => unit.outbox.send(STAFF, { text: say("Two files"), files: [{ fileId: pdf }, { fileId: photo }, { fileId: 9999 }] }));
    const [m] = h.channel.in(STAFF.chatId);
    expect(m!.text).toBe("Two files");
    expect(m!.files.map((f) => f.kind)).toEqual(["photo"]);
  });

  it("every message of a tagged album is found by its tag; an edit changes only the text and keeps the files", async () => {
    h = await startHarness();
    const a = await keep(png(2), "a.png", "photo");
    const b = await keep(png(3), "b.png", "photo");
    await run((unit) => unit.outbox.send(STAFF, { text: say("Problem QT-1"), files: [{ fileId: a }, { fileId: b }] }, { tag: "problem:1" }));
    const [first, second] = h.channel.in(STAFF.chatId);
    expect(second!.albumOf).toBe(first!.messageId);
    const tags = await h.db.transaction(async (tx) => [
      await tagOfSent(tx, "telegram", STAFF.chatId, first!.messageId, "problem:"),
      await tagOfSent(tx, "telegram", STAFF.chatId, second!.messageId, "problem:"),
    ]);
    expect(tags).toEqual(["problem:1", "problem:1"]);

    // The harness refuses an edit of an album's other message: only the one with the text is edited.
    await run((unit) => unit.outbox.editTagged("problem:1", () => ({ text: say("Problem QT-1 (taken)"), files: [{ fileId: a }, { fileId: b }] })));
    expect(first!.text).toBe("Problem QT-1 (taken)");
    expect(first!.edited).toBe(1);
    expect(first!.files.length).toBe(2);
    expect(second!.edited).toBe(0);
  });
});

describe("threads and anchors", () => {
  it("a message anchored to a tagged one replies to it in its thread (a forum topic opened by the first)", async () => {
    h = await startHarness();
    h.channel.forums.add(STAFF.chatId);
    await run((unit) => unit.outbox.send(STAFF, { text: say("Problem QT-7"), openThread: () => "QT-7 · Raw materials\nsecond line" }, { tag: "problem:7" }));
    const [post] = h.channel.in(STAFF.chatId);
    expect(post!.openThread).toBe("QT-7 · Raw materials second line");
    expect(post!.threadId).toBe("thread-1");
    const sent = await h.db.transaction((tx) => tx.sentMessage.findFirstOrThrow({ where: { tag: "problem:7" } }));
    expect([sent.messageId, sent.threadId]).toEqual([post!.messageId, "thread-1"]);

    await run((unit) => unit.outbox.send(STAFF, { text: say("The member writes") }, { anchor: "problem:7" }));
    const reply = h.channel.in(STAFF.chatId).at(-1)!;
    expect([reply.text, reply.replyTo, reply.threadId]).toEqual(["The member writes", post!.messageId, "thread-1"]);
  });

  it("an edit of a thread's post changes its text where it is; a post still waiting keeps the thread it opens", async () => {
    h = await startHarness();
    h.channel.forums.add(STAFF.chatId);
    const spec = (text: string) => ({ text: say(text), openThread: say("QT-11") });
    await run(async (unit) => {
      await unit.outbox.send(STAFF, spec("Problem QT-11"), { tag: "problem:11" });
      // Edited before it was sent: the waiting post takes the new text and still opens its thread.
      await unit.outbox.editTagged("problem:11", () => spec("Problem QT-11 (new)"));
    });
    const [post] = h.channel.in(STAFF.chatId);
    expect([post!.text, post!.openThread, post!.threadId]).toEqual(["Problem QT-11 (new)", "QT-11", "thread-1"]);
    await run((unit) => unit.outbox.editTagged("problem:11", () => spec("Problem QT-11 (taken)")));
    expect(h.channel.in(STAFF.chatId).length).toBe(1);
    expect([post!.text, post!.message.openThread]).toEqual(["Problem QT-11 (taken)", undefined]);
  });

  it("the anchor and its reply queued in one unit: the anchor goes first, the reply is anchored to it", async () => {
    h = await startHarness();
    await run(async (unit) => {
      await unit.outbox.send(STAFF, { text: say("Post") }, { tag: "problem:8", lane: "notice" });
      await unit.outbox.send(STAFF, { text: say("Reply") }, { anchor: "problem:8", lane: "notice" });
    });
    const [post, reply] = h.channel.in(STAFF.chatId);
    expect(post!.text).toBe("Post");
    expect([reply!.text, reply!.replyTo, reply!.threadId]).toEqual(["Reply", post!.messageId, undefined]);
  });

  it("an anchor not sent (or not in this chat) yet: delivered without a reply", async () => {
    h = await startHarness();
    await run((unit) => unit.outbox.send(OTHER, { text: say("Elsewhere") }, { tag: "problem:9" }));
    await run((unit) => unit.outbox.send(STAFF, { text: say("No anchor here") }, { anchor: "problem:9" }));
    const [m] = h.channel.in(STAFF.chatId);
    expect([m!.text, m!.replyTo, m!.threadId]).toEqual(["No anchor here", undefined, undefined]);
  });

  it("another instance delivers an anchored message the same way: the anchor is read from the database", async () => {
    h = await startHarness();
    h.channel.forums.add(STAFF.chatId);
    await run((unit) => unit.outbox.send(STAFF, { text: say("Post"), openThread: say("QT-10") }, { tag: "problem:10" }));
    const [post] = h.channel.in(STAFF.chatId);
    // This instance stops delivering; a second one on the same database takes the next message.
    h.core.dispatcher.unregister("telegram");
    const second = createCore({ db: h.db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [] }, files: h.files, jobs: { start: false } });
    const channel = new RecordingChannel("telegram");
    await second.dispatcher.register(channel);
    try {
      await second.run(SYSTEM, (unit) => unit.outbox.send(STAFF, { text: say("Reply") }, { anchor: "problem:10" }));
      await second.dispatcher.idle();
      const [reply] = channel.in(STAFF.chatId);
      expect([reply!.replyTo, reply!.threadId]).toEqual([post!.messageId, post!.threadId]);
    } finally {
      await second.dispatcher.stop();
    }
  });
});

describe("coalescing", () => {
  it("never merges a message with files, a thread, a reply or an anchor", async () => {
    const file = { id: 1, kind: "document" as const, path: "/x", name: "a.pdf", mime: "application/pdf", size: 1 };
    expect(mergeMessages({ text: "Ack" }, { text: "Next" })).not.toBeNull();
    for (const placed of [{ files: [file] }, { openThread: "T" }, { threadId: "5" }, { replyTo: "9" }]) {
      expect(mergeMessages({ text: "Ack", ...placed }, { text: "Next" })).toBeNull();
      expect(mergeMessages({ text: "Ack" }, { text: "Next", ...placed })).toBeNull();
    }
    const row = (payload: object) => ({ id: 1, channel: "telegram", chatId: "1", payload: JSON.stringify(payload), tag: null, locale: null, attempts: 0, notBefore: null, lane: "conversation" as const });
    const to = { channel: "telegram", chatId: "1" };
    expect(coalesceInto([row({ kind: "send", message: { text: "Ack" } })], to, { text: "Next" }, null)).not.toBeNull();
    expect(coalesceInto([row({ kind: "send", message: { text: "Ack" }, files: [{ fileId: 1 }] })], to, { text: "Next" }, null)).toBeNull();
    expect(coalesceInto([row({ kind: "send", message: { text: "Ack" }, anchor: "problem:1" })], to, { text: "Next" }, null)).toBeNull();
    expect(coalesceInto([row({ kind: "send", message: { text: "Ack" } })], to, { text: "Next" }, null, { files: [{ fileId: 1 }] })).toBeNull();
    expect(coalesceInto([row({ kind: "send", message: { text: "Ack" } })], to, { text: "Next" }, null, { anchor: "problem:1" })).toBeNull();
  });

  it("on a channel that merges a turn's messages, a message with files stays whole", async () => {
    h = await startHarness({ capabilities: { mergeMessages: true } });
    const pdf = await keep(PDF, "a.pdf");
    await run(async (unit) => {
      await unit.outbox.send(STAFF, { text: say("First") });
      await unit.outbox.send(STAFF, { text: say("With a file"), files: [{ fileId: pdf }] });
      await unit.outbox.send(STAFF, { text: say("After") });
    });
    expect(h.channel.in(STAFF.chatId).map((m) => [m.text, m.files.length])).toEqual([
      ["First", 0],
      ["With a file", 1],
      ["After", 0],
    ]);
  });
});
