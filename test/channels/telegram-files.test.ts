/**
 * The Telegram adapter's files and threads against the fake Bot API over HTTP, without the core:
 * updates with photos, documents, albums, topic posts and replies become Inbound events
 * (toInbound); the sender downloads files (getFile + the file URL) and delivers files, albums,
 * forum topics, threads and replies, reusing Telegram's file ids where it still accepts them.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Api } from "grammy";
import type { Update } from "grammy/types";
import { DeliveryError, type ChannelSender, type Delivered, type OutboundFile, type OutboundMessage } from "../../src/core/channel.ts";
import type { Core } from "../../src/core/core.ts";
import { createTelegramChannel, TELEGRAM_MAX_DOWNLOAD_BYTES } from "../../src/channels/telegram/telegram.ts";
import { toInbound } from "../../src/channels/telegram/translate.ts";
import { createLogger } from "../../src/log.ts";
import { MAX_DOWNLOAD_BYTES, sampleJpeg, samplePdf, sha256, startFakeBotApi, type FakeBotApi } from "../support/fake-bot-api.ts";

let fake: FakeBotApi;
let sender: ChannelSender;
let api: Api;
let dir: string;

beforeEach(async () => {
  fake = await startFakeBotApi();
  // The sender and the translation need no core: it is never started here.
  const channel = createTelegramChannel({
    token: fake.token,
    apiRoot: fake.apiRoot,
    port: 0,
    core: {} as Core,
    log: createLogger({ level: "error", write: () => {} }),
    botInfo: fake.botInfo,
    limits: null,
  });
  sender = channel.sender;
  api = new Api(fake.token, { apiRoot: fake.apiRoot });
  dir = await mkdtemp(path.join(tmpdir(), "tg-files-"));
});

afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** The pending updates, confirmed, as the adapter translates them. */
async function inbound() {
  const updates: Update[] = await api.getUpdates({ timeout: 0 });
  if (updates.length > 0) await api.getUpdates({ offset: updates.at(-1)!.update_id + 1, timeout: 0 });
  return updates.map((u) => toInbound(u, fake.botInfo));
}

let stored = 0;
/** A kept file on disk, as the core hands it to the adapter. */
async function keptFile(kind: "photo" | "document", bytes: Buffer, name: string, platformId?: string): Promise<OutboundFile> {
  const file = path.join(dir, `${++stored}`);
  await writeFile(file, bytes);
  return { id: stored, kind, path: file, name, mime: kind === "photo" ? "image/jpeg" : "application/pdf", size: bytes.length, ...(platformId ? { platformId } : {}) };
}

function send(chatId: number, message: Partial<OutboundMessage>): Promise<Delivered> {
  return sender.deliver(String(chatId), { kind: "send", message: { text: "", ...message } });
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe("Telegram inbound files and threads", () => {
  it("a photo is a file event with the largest size; a document keeps its name, type and size", async () => {
    const user = fake.user({ language_code: "ru" });
    user.sendPhoto({ bytes: sampleJpeg("p"), caption: "Брак ткани" });
    user.sendDocument({ bytes: samplePdf("d"), name: "претензия.pdf" });
    user.sendSticker();
    const [photo, document, sticker] = await inbound();
    expect(photo!.event).toMatchObject({ type: "file", caption: "Брак ткани", file: { kind: "photo", size: sampleJpeg("p").length } });
    // The largest size is the one holding the bytes the person sent.
    const ref = photo!.event.type === "file" ? photo!.event.file : undefined;
    expect(fake.file(ref!.platformId)?.bytes).toEqual(sampleJpeg("p"));
    expect(document!.event).toEqual({
      type: "file",
      file: { kind: "document", platformId: expect.any(String), name: "претензия.pdf", mime: "application/pdf", size: samplePdf("d").length },
    });
    expect(sticker!.event).toEqual({ type: "unsupported", kind: "sticker" });
  });

  it("an album's items share mediaGroup; a topic post carries threadId and no replyTo; a reply carries both", async () => {
    const user = fake.user();
    user.sendAlbum([{ kind: "photo", caption: "Образцы" }, { kind: "photo" }]);
    const album = await inbound();
    expect(album.map((i) => i!.mediaGroup)).toEqual([expect.any(String), album[0]!.mediaGroup]);
    expect(album.map((i) => i!.event.type)).toEqual(["file", "file"]);

    const group = fake.group({ type: "supergroup", forum: true });
    const thread = group.createTopic(user, "QT-2026-0001");
    user.sendIn(group, "В теме", { thread });
    const [post] = await inbound();
    expect(post).toMatchObject({ threadId: String(thread), event: { type: "text", text: "В теме" } });
    expect(post!.replyTo).toBeUndefined();

    const bot = await api.sendMessage(group.id, "Ответ сотрудника", { message_thread_id: thread });
    user.sendDocument({ in: group, replyTo: bot.message_id, name: "a.pdf" });
    const [reply] = await inbound();
    expect(reply).toMatchObject({ threadId: String(thread), replyTo: String(bot.message_id), event: { type: "file" } });

    // In a supergroup without topics a reply names its reply thread, which is no topic.
    const chat = fake.group({ type: "supergroup" });
    const asked = await api.sendMessage(chat.id, "Вопрос группе");
    user.sendIn(chat, "Ответ в группе", { replyTo: asked.message_id });
    const [inGroup] = await inbound();
    expect(inGroup).toMatchObject({ replyTo: String(asked.message_id), event: { type: "text" } });
    expect(inGroup!.threadId).toBeUndefined();

    const plain = fake.user();
    plain.send("x");
    const [first] = await inbound();
    const answer = await api.sendMessage(plain.id, "Вопрос");
    plain.send("Ответ", { replyTo: answer.message_id });
    const [second] = await inbound();
    expect(first!.threadId).toBeUndefined();
    expect(second).toMatchObject({ replyTo: String(answer.message_id) });
    expect(second!.threadId).toBeUndefined();
  });
});

describe("Telegram download", () => {
  it("fetches the bytes through getFile and the file URL of the configured apiRoot", async () => {
    expect(sender.capabilities?.maxDownloadBytes).toBe(20 * 1024 * 1024);
    const user = fake.user();
    const bytes = samplePdf("download");
    user.sendDocument({ bytes, name: "x.pdf" });
    const [event] = await inbound();
    const ref = event!.event.type === "file" ? event!.event.file : undefined;
    expect(Buffer.from(await sender.download!(ref!))).toEqual(bytes);
    expect(fake.downloads).toEqual([{ path: expect.stringMatching(/^documents\//), ok: true }]);
  });

  it("over 20 MB is rejected: announced, or refused by getFile; an unknown id is rejected; a 5xx is retried", async () => {
    const user = fake.user();
    user.sendDocument({ bytes: Buffer.alloc(MAX_DOWNLOAD_BYTES + 1), name: "big.zip" });
    const [event] = await inbound();
    const ref = event!.event.type === "file" ? event!.event.file : undefined;
    expect(ref!.size).toBeGreaterThan(TELEGRAM_MAX_DOWNLOAD_BYTES);
    expect((await failure(sender.download!(ref!))).failure).toBe("rejected");
    expect(fake.callsTo("getFile")).toHaveLength(0);
    // Without the announced size, Telegram's getFile refuses it.
    const refused = await failure(sender.download!({ kind: "document", platformId: ref!.platformId }));
    expect(refused.failure).toBe("rejected");
    expect(refused.message).toMatch(/file is too big/);
    expect((await failure(sender.download!({ kind: "photo", platformId: "gone" }))).failure).toBe("rejected");
    fake.failNext("getFile", { error_code: 502, description: "Bad Gateway" });
    expect((await failure(sender.download!({ kind: "photo", platformId: "gone" }))).failure).toBe("retry");
    expect(fake.downloads).toEqual([]);
  });

  it("never puts the token in an error, and stops when aborted", async () => {
    const user = fake.user();
    user.sendPhoto();
    const [event] = await inbound();
    const ref = event!.event.type === "file" ? event!.event.file : undefined;
    const controller = new AbortController();
    controller.abort();
    const aborted = await failure(sender.download!(ref!, controller.signal));
    expect(aborted.failure).toBe("retry");
    expect(aborted.message).not.toContain(fake.token.split(":")[1]!);
    expect(fake.downloads).toEqual([]);
  });
});

describe("Telegram delivery of files", () => {
  it("one photo with its caption; one document; platformIds and messageIds per file", async () => {
    const user = fake.user({ started: true });
    const jpeg = sampleJpeg("one");
    const photo = await send(user.id, { text: "<b>Фото</b> заявки", files: [await keptFile("photo", jpeg, "p.jpg")] });
    const shown = user.last();
    expect(shown).toMatchObject({ text: "Фото заявки", file: { kind: "photo", sha256: sha256(jpeg) } });
    expect(photo).toEqual({ messageId: String(shown.message_id), messageIds: [String(shown.message_id)], platformIds: [shown.file!.file_id] });

    const pdf = samplePdf("one");
    const doc = await send(user.id, { text: "", files: [await keptFile("document", pdf, "Акт.pdf")] });
    expect(user.last()).toMatchObject({ text: "", file: { kind: "document", name: "Акт.pdf", mime: "application/pdf", sha256: sha256(pdf) } });
    expect(doc.platformIds).toEqual([user.last().file!.file_id]);
    expect(fake.callsTo("sendMessage")).toHaveLength(0);
  });

  it("several files: photos as one album with the caption on the first, documents apart; ids in the order given", async () => {
    const user = fake.user({ started: true });
    const a = await keptFile("photo", sampleJpeg("a"), "a.jpg");
    const pdf = await keptFile("document", samplePdf("b"), "b.pdf");
    const c = await keptFile("photo", sampleJpeg("c"), "c.jpg");
    const delivered = await send(user.id, { text: "Заявка QT-2026-0001", files: [a, pdf, c] });
    const shown = user.messages;
    expect(shown.map((m) => [m.file?.kind, m.text])).toEqual([
      ["photo", "Заявка QT-2026-0001"],
      ["photo", ""],
      ["document", ""],
    ]);
    expect(shown[0]!.media_group_id).toBeDefined();
    expect(shown[1]!.media_group_id).toBe(shown[0]!.media_group_id);
    expect(delivered.messageIds).toEqual(shown.map((m) => String(m.message_id)));
    // The message that carries the text is the one named (an edit replaces it).
    expect(delivered.messageId).toBe(String(shown[0]!.message_id));
    expect(delivered.platformIds).toEqual([shown[0]!.file!.file_id, shown[2]!.file!.file_id, shown[1]!.file!.file_id]);
    expect(shown.map((m) => m.file!.sha256)).toEqual([sha256(sampleJpeg("a")), sha256(sampleJpeg("c")), sha256(samplePdf("b"))]);
  });

  it("more than ten photos go as several albums; a text over 1,024 characters goes first as its own message", async () => {
    const user = fake.user({ started: true });
    const photos = await Promise.all(Array.from({ length: 12 }, (_, i) => keptFile("photo", sampleJpeg(`n${i}`), `${i}.jpg`)));
    const long = "Описание. ".repeat(120);
    const delivered = await send(user.id, { text: long, files: photos });
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
    expect(fake.callsTo("sendMediaGroup").map((c) => JSON.parse(String(c.params.media)).length)).toEqual([10, 2]);
    expect(user.messages[0]!.text.trim()).toBe(long.trim());
    expect(user.messages[0]!.file).toBeUndefined();
    expect(user.messages.slice(1).every((m) => m.file?.kind === "photo" && m.text === "")).toBe(true);
    expect(delivered.messageIds).toHaveLength(13);
    expect(delivered.messageId).toBe(String(user.messages[0]!.message_id));
    expect(delivered.platformIds).toHaveLength(12);
  });

  it("an edit of a message sent with files replaces its caption and buttons; a text sent apart is edited as text", async () => {
    const group = fake.group({ type: "supergroup" });
    const photo = await keptFile("photo", sampleJpeg("e"), "e.jpg");
    const choices = (label: string) => [[{ data: "ps:take:1", label }]];
    const sent = await send(group.id, { text: "<b>QT-1</b> новая", files: [photo], choices: choices("Взять") });
    expect(group.last()).toMatchObject({ text: "QT-1 новая", file: { kind: "photo" } });
    expect(group.buttons()).toEqual(["Взять"]);
    const edit = (message: Partial<OutboundMessage>) =>
      sender.deliver(String(group.id), { kind: "edit", messageId: sent.messageId, message: { text: "", ...message } });
    await edit({ text: "<b>QT-1</b> в работе", files: [photo], choices: choices("Статус") });
    expect(group.last()).toMatchObject({ text: "QT-1 в работе", edits: 1, entities: [{ type: "bold", offset: 0, length: 4 }] });
    expect(group.buttons()).toEqual(["Статус"]);
    // The same edit again changes nothing and is no failure; without `files` Telegram's answer
    // ("no text in the message") leads to the caption.
    await edit({ text: "<b>QT-1</b> в работе", files: [photo], choices: choices("Статус") });
    await edit({ text: "QT-1 решена" });
    expect(group.last()).toMatchObject({ text: "QT-1 решена", edits: 2 });
    expect(fake.callsTo("editMessageText").map((c) => c.error)).toEqual(["Bad Request: there is no text in the message to edit"]);

    // A text too long for a caption went first, on its own: the edit with files edits that text.
    const long = await send(group.id, { text: "д".repeat(1100), files: [photo] });
    expect(long.messageId).toBe(String(group.messages.find((m) => m.text.startsWith("д"))!.message_id));
    await sender.deliver(String(group.id), { kind: "edit", messageId: long.messageId, message: { text: "е".repeat(1100), files: [photo] } });
    expect(group.messages.find((m) => m.message_id === Number(long.messageId))).toMatchObject({ text: "е".repeat(1100), edits: 1 });
  });

  it("reuses a platform file id without uploading, and uploads again when Telegram no longer accepts it", async () => {
    const user = fake.user({ started: true });
    const jpeg = sampleJpeg("reuse");
    const first = await send(user.id, { text: "1", files: [await keptFile("photo", jpeg, "r.jpg")] });
    const id = first.platformIds![0]!;
    const file = await keptFile("photo", jpeg, "r.jpg", id);
    const again = await send(user.id, { text: "2", files: [file] });
    expect(again.platformIds).toEqual([id]);
    expect(fake.callsTo("sendPhoto").at(-1)!.params.photo).toBe(id);

    fake.forgetFile(id);
    const fallback = await send(user.id, { text: "3", files: [file] });
    const calls = fake.callsTo("sendPhoto").slice(-2);
    expect(calls.map((c) => c.ok)).toEqual([false, true]);
    expect(calls[0]!.error).toMatch(/wrong file identifier/);
    expect(typeof calls[1]!.params.photo).toBe("object");
    expect(fallback.platformIds![0]).not.toBe(id);
    expect(user.last()).toMatchObject({ text: "3", file: { sha256: sha256(jpeg) } });

    // In an album too.
    const other = await keptFile("photo", sampleJpeg("other"), "o.jpg", "AgACAgIAAxkBAAexpired");
    const album = await send(user.id, { text: "4", files: [file, other] });
    expect(fake.callsTo("sendMediaGroup").map((c) => c.ok)).toEqual([false, true]);
    expect(album.platformIds).toHaveLength(2);
  });
});

describe("Telegram threads and replies", () => {
  it("openThread in a forum creates a topic (title clipped to 128) and sends in it; threadId sends there later", async () => {
    const group = fake.group({ type: "supergroup", forum: true });
    const title = `QT-2026-0042 ${"Ткань ".repeat(40)}`;
    const opened = await send(group.id, { text: "Новая заявка", openThread: title, files: [await keptFile("photo", sampleJpeg("t"), "t.jpg")] });
    const [topic] = fake.callsTo("createForumTopic");
    expect(String(topic!.params.name)).toHaveLength(128);
    expect(String(topic!.params.name)).toMatch(/^QT-2026-0042 Ткань .*…$/);
    expect(opened.threadId).toBeDefined();
    expect(group.topics().get(Number(opened.threadId))).toBe(String(topic!.params.name));
    expect(group.last()).toMatchObject({ thread: Number(opened.threadId), text: "Новая заявка", file: { kind: "photo" } });

    const later = await send(group.id, { text: "Ответ участника", threadId: opened.threadId!, replyTo: opened.messageId });
    expect(later.threadId).toBe(opened.threadId);
    expect(group.last()).toMatchObject({ thread: Number(opened.threadId), reply_to: Number(opened.messageId) });
  });

  it("a topic name is one line of at most 128 UTF-16 units, cut at a whole character", async () => {
    const group = fake.group({ type: "supergroup", forum: true });
    const delivered = await send(group.id, { text: "x", openThread: `<b>QT-1</b> A &amp; B\n${"🧵".repeat(100)}` });
    const name = String(fake.callsTo("createForumTopic")[0]!.params.name);
    expect(delivered.threadId).toBeDefined();
    expect(name).toMatch(/^QT-1 A & B (🧵)+…$/);
    expect(name.length).toBeLessThanOrEqual(128);
  });

  it("where the chat is not a forum, openThread sends plainly, and does not ask again", async () => {
    const group = fake.group({ type: "supergroup" });
    const basic = fake.group();
    for (const chat of [group, basic, group, basic]) {
      const delivered = await send(chat.id, { text: "Заявка", openThread: "QT-2026-0001" });
      expect(delivered.threadId).toBeUndefined();
      expect(chat.last()).toMatchObject({ text: "Заявка", thread: undefined });
    }
    expect(fake.callsTo("createForumTopic").map((c) => c.error)).toEqual(["Bad Request: the chat is not a forum", "Bad Request: the chat is not a forum"]);
    // A private chat has no topics: not even asked.
    const user = fake.user({ started: true });
    await send(user.id, { text: "x", openThread: "y" });
    expect(fake.callsTo("createForumTopic")).toHaveLength(2);
  });

  it("in a forum where the bot may not manage topics, openThread sends plainly (the chat is not unreachable)", async () => {
    const group = fake.group({ type: "supergroup", forum: true, botManagesTopics: false });
    const delivered = await send(group.id, { text: "Заявка", openThread: "QT-2026-0002" });
    expect(delivered.threadId).toBeUndefined();
    expect(group.last()).toMatchObject({ text: "Заявка", thread: undefined });
    expect(fake.callsTo("createForumTopic").map((c) => c.error)).toEqual(["Bad Request: not enough rights to create a topic"]);
  });

  it("a retried delivery goes to the topic it opened instead of opening another", async () => {
    const group = fake.group({ type: "supergroup", forum: true });
    fake.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    expect((await failure(send(group.id, { text: "Заявка", openThread: "QT-1" }))).failure).toBe("retry");
    const delivered = await send(group.id, { text: "Заявка", openThread: "QT-1" });
    const topics = fake.callsTo("createForumTopic");
    expect(topics).toHaveLength(1);
    expect(delivered.threadId).toBe(String((topics[0]!.result as { message_thread_id: number }).message_thread_id));
    expect(group.last()).toMatchObject({ text: "Заявка", thread: Number(delivered.threadId) });
  });

  it("replyTo: the first part of a split text replies, every part is in the thread; a reply gone is sent anyway", async () => {
    const group = fake.group({ type: "supergroup", forum: true });
    const thread = (await api.createForumTopic(group.id, "T")).message_thread_id;
    const question = await api.sendMessage(group.id, "Вопрос", { message_thread_id: thread });
    const long = `${"а".repeat(4000)}\n\n${"б".repeat(4000)}`;
    const delivered = await send(group.id, { text: long, threadId: String(thread), replyTo: String(question.message_id) });
    const parts = group.messages.slice(1);
    expect(parts).toHaveLength(2);
    expect(parts.map((m) => [m.thread, m.reply_to])).toEqual([
      [thread, question.message_id],
      [thread, undefined],
    ]);
    expect(delivered.messageIds).toEqual(parts.map((m) => String(m.message_id)));

    await api.deleteMessage(group.id, question.message_id);
    await send(group.id, { text: "Всё равно", threadId: String(thread), replyTo: String(question.message_id), files: [await keptFile("document", samplePdf("g"), "g.pdf")] });
    expect(group.last()).toMatchObject({ text: "Всё равно", thread, reply_to: undefined, file: { name: "g.pdf" } });
  });

  it("a group that refuses photos or documents rejects that message only: the chat is not unreachable", async () => {
    const group = fake.group({ type: "supergroup" });
    fake.failNext("sendPhoto", { error_code: 400, description: "Bad Request: not enough rights to send photos to the chat" });
    expect((await failure(send(group.id, { text: "x", files: [await keptFile("photo", sampleJpeg(), "x.jpg")] }))).failure).toBe("rejected");
    fake.failNext("sendDocument", { error_code: 400, description: "Bad Request: not enough rights to send documents to the chat" });
    expect((await failure(send(group.id, { text: "x", files: [await keptFile("document", samplePdf(), "x.pdf")] }))).failure).toBe("rejected");
    fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: not enough rights to send text messages to the chat" });
    expect((await failure(send(group.id, { text: "x" }))).failure).toBe("unreachable");
  });

  it("a kept file missing on disk is rejected, not retried forever", async () => {
    const user = fake.user({ started: true });
    const file = await keptFile("document", samplePdf("gone"), "gone.pdf");
    await rm(file.path);
    const refused = await failure(send(user.id, { text: "x", files: [file] }));
    expect(refused.failure).toBe("rejected");
    expect(fake.callsTo("sendDocument")).toHaveLength(0);
  });

  it("a message to a thread that does not exist (a deleted topic) goes to the chat without it; a server error is retried", async () => {
    const group = fake.group({ type: "supergroup", forum: true });
    const sent = await send(group.id, { text: "x", threadId: "999" });
    expect(sent.threadLost).toBe(true);
    expect(sent.threadId).toBeUndefined();
    expect(group.last()).toMatchObject({ text: "x", thread: undefined, message_id: Number(sent.messageId) });
    const user = fake.user({ started: true });
    fake.failNext("sendPhoto", { error_code: 500, description: "Internal Server Error" });
    expect((await failure(send(user.id, { text: "x", files: [await keptFile("photo", sampleJpeg(), "x.jpg")] }))).failure).toBe("retry");
  });
});
