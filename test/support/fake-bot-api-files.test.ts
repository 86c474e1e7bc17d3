/**
 * The fake Bot API's files and forum topics, through grammY's own client over HTTP: what people
 * send (photos, documents, albums, topic posts), getFile and the download URL, sendPhoto,
 * sendDocument and sendMediaGroup with their limits, createForumTopic and message_thread_id.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Api, GrammyError, InputFile } from "grammy";
import type { Message, Update } from "grammy/types";
import { MAX_DOWNLOAD_BYTES, sampleJpeg, samplePdf, sha256, startFakeBotApi, type FakeBotApi } from "./fake-bot-api.ts";

let fake: FakeBotApi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setUp(options: Parameters<typeof startFakeBotApi>[0] = {}): Promise<{ fake: FakeBotApi; api: Api }> {
  fake = await startFakeBotApi(options);
  return { fake, api: new Api(fake.token, { apiRoot: fake.apiRoot }) };
}

/** Every pending update, confirmed. */
async function drain(api: Api): Promise<Update[]> {
  const updates = await api.getUpdates({ timeout: 0 });
  if (updates.length > 0) await api.getUpdates({ offset: updates.at(-1)!.update_id + 1, timeout: 0 });
  return updates;
}

async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return (error as GrammyError).description;
}

describe("fake Bot API: files people send", () => {
  it("a photo arrives as four sizes, and the largest downloads as the bytes sent", async () => {
    const { fake, api } = await setUp();
    const user = fake.user();
    const bytes = sampleJpeg("fabric");
    user.sendPhoto({ bytes, caption: "Мата" });
    const [update] = await drain(api);
    const photo = update!.message!.photo!;
    expect(photo).toHaveLength(4);
    expect(update!.message!.caption).toBe("Мата");
    const largest = photo.at(-1)!;
    expect(largest.file_size).toBe(bytes.length);
    const file = await api.getFile(largest.file_id);
    expect(file.file_path).toMatch(/^photos\//);
    const response = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    // Another token, or a path never announced: Telegram's file server answers 404.
    expect((await fetch(`${fake.apiRoot}/file/bot1:wrong/${file.file_path}`)).status).toBe(404);
    expect((await fetch(`${fake.apiRoot}/file/bot${fake.token}/photos/nothing.jpg`)).status).toBe(404);
    expect(await refusal(api.getFile("no-such-id"))).toBe("Bad Request: invalid file_id");
  });

  it("a document carries its name, type and size; over 20 MB getFile refuses it", async () => {
    const { fake, api } = await setUp();
    const user = fake.user();
    user.sendDocument({ bytes: samplePdf("act"), name: "акт сверки.pdf" });
    user.sendDocument({ bytes: Buffer.alloc(MAX_DOWNLOAD_BYTES + 1), name: "big.zip" });
    const [small, big] = await drain(api);
    expect(small!.message!.document).toMatchObject({ file_name: "акт сверки.pdf", mime_type: "application/pdf", file_size: samplePdf("act").length });
    expect((await api.getFile(small!.message!.document!.file_id)).file_path).toMatch(/^documents\/.*\.pdf$/);
    expect(await refusal(api.getFile(big!.message!.document!.file_id))).toBe("Bad Request: file is too big");
  });

  it("an album is several updates sharing one media_group_id, the caption on the first", async () => {
    const { fake, api } = await setUp();
    const user = fake.user();
    user.sendAlbum([{ kind: "photo", caption: "Цех" }, { kind: "photo" }, { kind: "photo" }]);
    const updates = await drain(api);
    expect(updates).toHaveLength(3);
    const groups = new Set(updates.map((u) => u.message!.media_group_id));
    expect(groups.size).toBe(1);
    expect([...groups][0]).toMatch(/^\d+$/);
    expect(updates.map((u) => u.message!.caption)).toEqual(["Цех", undefined, undefined]);
    expect(() => user.sendAlbum([{ kind: "photo" }, { kind: "document" }])).toThrow(/mix/);
  });

  it("posts in a forum topic carry message_thread_id and is_topic_message, and reply to the topic's start", async () => {
    const { fake, api } = await setUp();
    const group = fake.group({ type: "supergroup", forum: true });
    const admin = fake.user();
    const thread = group.createTopic(admin, "Таможня");
    admin.sendIn(group, "Вопрос", { thread });
    admin.sendPhoto({ in: group, thread });
    const [text, photo] = await drain(api);
    expect(text!.message).toMatchObject({ message_thread_id: thread, is_topic_message: true, reply_to_message: { message_id: thread } });
    expect(text!.message!.chat).toMatchObject({ is_forum: true });
    expect(photo!.message).toMatchObject({ message_thread_id: thread, is_topic_message: true });
    // A reply to a message of the topic is in the topic too.
    admin.sendIn(group, "Ответ", { replyTo: text!.message!.message_id });
    const [reply] = await drain(api);
    expect(reply!.message).toMatchObject({ message_thread_id: thread, is_topic_message: true, reply_to_message: { message_id: text!.message!.message_id } });
  });
});

describe("fake Bot API: files the bot sends", () => {
  it("sendPhoto and sendDocument take uploads and known file_ids, and refuse unknown ones", async () => {
    const { fake, api } = await setUp();
    const user = fake.user({ started: true });
    const jpeg = sampleJpeg("sent");
    const sent = await api.sendPhoto(user.id, new InputFile(jpeg, "a.jpg"), { caption: "<b>Фото</b> &amp; подпись", parse_mode: "HTML" });
    expect(sent.caption).toBe("Фото & подпись");
    expect(sent.caption_entities).toEqual([{ type: "bold", offset: 0, length: 4 }]);
    const id = sent.photo.at(-1)!.file_id;
    expect(fake.file(id)?.bytes).toEqual(jpeg);
    const again = await api.sendPhoto(user.id, id);
    expect(again.photo.at(-1)!.file_id).toBe(id);
    const doc = await api.sendDocument(user.id, new InputFile(samplePdf("x"), "отчёт.pdf"));
    expect(doc.document).toMatchObject({ file_name: "отчёт.pdf", mime_type: "application/pdf" });
    expect(user.last().file).toMatchObject({ kind: "document", name: "отчёт.pdf", sha256: sha256(samplePdf("x")) });

    expect(await refusal(api.sendPhoto(user.id, "AgACAgIAAxkBAAnothing"))).toBe("Bad Request: wrong file identifier/HTTP URL specified");
    fake.forgetFile(id);
    expect(await refusal(api.sendPhoto(user.id, id))).toBe("Bad Request: wrong file identifier/HTTP URL specified");
    expect(await refusal(api.sendPhoto(user.id, doc.document.file_id))).toBe("Bad Request: type of file mismatch");
    expect(await refusal(api.sendPhoto(user.id, new InputFile(samplePdf(), "x.jpg")))).toBe("Bad Request: IMAGE_PROCESS_FAILED");
    expect(await refusal(api.sendPhoto(user.id, new InputFile(sampleJpeg()), { caption: "x".repeat(1025) }))).toBe("Bad Request: message caption is too long");
    expect(await refusal(api.sendPhoto(user.id, new InputFile(sampleJpeg()), { caption: "a & b", parse_mode: "HTML" }))).toMatch(/^Bad Request: can't parse entities/);
    // 1,024 characters fit.
    await api.sendPhoto(user.id, new InputFile(sampleJpeg()), { caption: "я".repeat(1024) });
  });

  it("sendMediaGroup sends 2 to 10 items of one kind as an album, each with its caption", async () => {
    const { fake, api } = await setUp();
    const user = fake.user({ started: true });
    const photos = [sampleJpeg("1"), sampleJpeg("2")];
    const album: Message[] = await api.sendMediaGroup(user.id, [
      { type: "photo", media: new InputFile(photos[0]!, "1.jpg"), caption: "<i>Альбом</i>", parse_mode: "HTML" },
      { type: "photo", media: new InputFile(photos[1]!, "2.jpg") },
    ]);
    expect(album).toHaveLength(2);
    expect(new Set(album.map((m) => m.media_group_id)).size).toBe(1);
    expect(album[0]!.caption).toBe("Альбом");
    expect(user.messages.map((m) => m.file?.sha256)).toEqual(photos.map((p) => sha256(p)));
    expect(user.messages.map((m) => m.media_group_id)).toEqual([album[0]!.media_group_id, album[0]!.media_group_id]);

    const reuse = album.map((m) => ({ type: "photo" as const, media: m.photo!.at(-1)!.file_id }));
    expect(await api.sendMediaGroup(user.id, reuse)).toHaveLength(2);
    expect(await refusal(api.sendMediaGroup(user.id, reuse.slice(0, 1)))).toMatch(/^Bad Request: wrong number of media/);
    expect(await refusal(api.sendMediaGroup(user.id, Array.from({ length: 11 }, () => reuse[0]!)))).toMatch(/^Bad Request: wrong number of media/);
    expect(
      await refusal(api.sendMediaGroup(user.id, [reuse[0]!, { type: "document", media: new InputFile(samplePdf(), "a.pdf") }] as never)),
    ).toBe("Bad Request: document can't be mixed with other media types");
    expect(await refusal(api.sendMediaGroup(user.id, [reuse[0]!, { type: "photo", media: "nope" }]))).toBe(
      'Bad Request: failed to send message #2 with the error message "wrong file identifier/HTTP URL specified"',
    );
    const docs: Message[] = await api.sendMediaGroup(user.id, [
      { type: "document", media: new InputFile(samplePdf("a"), "a.pdf") },
      { type: "document", media: new InputFile(samplePdf("b"), "b.pdf"), caption: "два" },
    ]);
    expect(docs.map((m) => m.document?.file_name)).toEqual(["a.pdf", "b.pdf"]);
  });

  it("editMessageCaption replaces a photo's caption and buttons; a text message has no caption to edit", async () => {
    const { fake, api } = await setUp();
    const user = fake.user({ started: true });
    const photo = await api.sendPhoto(user.id, new InputFile(sampleJpeg()), { caption: "было" });
    const keyboard = { inline_keyboard: [[{ text: "Да", callback_data: "y" }]] };
    const edited = await api.editMessageCaption(user.id, photo.message_id, { caption: "<b>стало</b>", parse_mode: "HTML", reply_markup: keyboard });
    expect(edited).toMatchObject({ caption: "стало", caption_entities: [{ type: "bold", offset: 0, length: 5 }], reply_markup: keyboard });
    expect(user.last()).toMatchObject({ text: "стало", edits: 1, file: { kind: "photo" } });
    expect(await refusal(api.editMessageCaption(user.id, photo.message_id, { caption: "<b>стало</b>", parse_mode: "HTML", reply_markup: keyboard }))).toMatch(
      /^Bad Request: message is not modified/,
    );
    expect(await refusal(api.editMessageText(user.id, photo.message_id, "текст"))).toBe("Bad Request: there is no text in the message to edit");
    const text = await api.sendMessage(user.id, "текст");
    expect(await refusal(api.editMessageCaption(user.id, text.message_id, { caption: "x" }))).toBe("Bad Request: there is no caption in the message to edit");
  });

  it("flood limits count an album as one message per item", async () => {
    const { fake, api } = await setUp({ limits: { privateChat: { burst: 3, everyMs: 60_000 } } });
    const user = fake.user({ started: true });
    const sent = await api.sendPhoto(user.id, new InputFile(sampleJpeg()));
    const id = sent.photo.at(-1)!.file_id;
    // One token left of three: a two-photo album is over the limit.
    await api.sendPhoto(user.id, id);
    const error = await refusal(api.sendMediaGroup(user.id, [{ type: "photo", media: id }, { type: "photo", media: id }]));
    expect(error).toMatch(/^Too Many Requests: retry after \d+/);
  });
});

describe("fake Bot API: forum topics", () => {
  it("createForumTopic opens a topic where messages go by message_thread_id; a wrong thread or a non-forum is refused", async () => {
    const { fake, api } = await setUp();
    const forum = fake.group({ type: "supergroup", forum: true });
    const plain = fake.group({ type: "supergroup" });
    const topic = await api.createForumTopic(forum.id, "QT-2026-0001 Сырьё");
    expect(topic).toMatchObject({ name: "QT-2026-0001 Сырьё", icon_color: 0x6fb9f0 });
    expect(forum.topics().get(topic.message_thread_id)).toBe("QT-2026-0001 Сырьё");
    const m = await api.sendMessage(forum.id, "Новая заявка", { message_thread_id: topic.message_thread_id });
    expect(m).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    const photo = await api.sendPhoto(forum.id, new InputFile(sampleJpeg()), { message_thread_id: topic.message_thread_id, reply_parameters: { message_id: m.message_id } });
    expect(forum.last()).toMatchObject({ thread: topic.message_thread_id, reply_to: m.message_id, message_id: photo.message_id });
    // The topic's creation is a service message, not among the bot's messages.
    expect(forum.messages.map((x) => x.message_id)).toEqual([m.message_id, photo.message_id]);

    // A reply to a message of a topic goes to that topic without naming it.
    const reply = await api.sendMessage(forum.id, "Уточнение", { reply_parameters: { message_id: m.message_id } });
    expect(reply).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true, reply_to_message: { message_id: m.message_id } });
    expect(await refusal(api.sendMessage(forum.id, "x", { message_thread_id: 999 }))).toBe("Bad Request: message thread not found");
    expect(await refusal(api.sendMessage(plain.id, "x", { message_thread_id: topic.message_thread_id }))).toBe("Bad Request: message thread not found");
    expect(await refusal(api.createForumTopic(plain.id, "x"))).toBe("Bad Request: the chat is not a forum");
    expect(await refusal(api.createForumTopic(forum.id, "я".repeat(129)))).toBe("Bad Request: TOPIC_NAME_INVALID");
    await api.createForumTopic(forum.id, "я".repeat(128));
  });
});
