/**
 * The WhatsApp adapter against the real core and database on the fake whatsapp-web.js client:
 * redeliveries, the messages missed while away, what is ignored, sending (parts, files, edits),
 * downloads through downloadMedia(), and failures (a send that fails, a dropped connection).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../../support/whatsapp-harness.ts";
import { tr } from "../../support/core-harness.ts";
import { sampleJpeg, samplePdf } from "../../support/fake-bot-api.ts";
import { DeliveryError, type OutboundFile } from "../../../src/core/channel.ts";
import { classify } from "../../../src/channels/whatsapp/whatsapp.ts";
import type { RawMessage } from "../../support/fake-whatsapp.ts";

const ANA = "+77011234567";
const LANGUAGE = tr("ru", "language-prompt").split("\n")[0]!.slice(0, 10);

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

/** A file kept in the bot's store, as the dispatcher hands it to the adapter (OutboundFile). */
async function kept(bytes: Uint8Array, kind: "photo" | "document", name: string): Promise<OutboundFile> {
  const r = await wa.files.keep(bytes, kind, { name });
  if (!("kept" in r)) throw new Error(`not kept: ${r.refused}`);
  return { id: 1, kind, path: wa.files.path(r.kept.sha256), name, mime: r.kept.mime, size: r.kept.size };
}

describe("receiving", () => {
  it("the same message delivered twice is handled once", async () => {
    wa = await startWhatsAppHarness();
    const msg = wa.fake.text(ANA, "Привет");
    await wa.receive(msg);
    const first = wa.fresh(ANA);
    expect(first.length).toBeGreaterThan(0);
    // WhatsApp (or the missed-messages pass) hands the very same message over again.
    await wa.receive(wa.fake.message({ ...(msg as unknown as { _data: RawMessage })._data }));
    expect(wa.fresh(ANA)).toEqual([]);
  });

  it("messages that arrived while the bot was away are answered once at start, in order; on a second start nothing again", async () => {
    wa = await startWhatsAppHarness({ deferStart: true });
    const f = wa.fake;
    f.unread(ANA, [f.text(ANA, "Привет"), f.text(ANA, "2")]);
    await wa.channel.start();
    await wa.settled();
    const answers = wa.fresh(ANA);
    // The first message got the language offer, the "2" chose Русский: the menu in Russian came after.
    expect(answers[0]).toContain(LANGUAGE);
    expect(answers.join("\n")).toContain(tr("ru", "language-changed"));
    expect(answers.at(-1)).toContain(tr("ru", "menu-prompt"));
    expect(f.chats.get("77011234567@c.us")!.seen).toBe(1);

    // Another start where WhatsApp still lists the same messages as unread (the bot crashed
    // before they were marked seen): handled before, so nothing is answered again.
    f.chats.get("77011234567@c.us")!.unreadCount = 2;
    await wa.restart();
    await wa.settled();
    expect(wa.fresh(ANA)).toEqual([]);
  });

  it("after a reconnect, messages that arrived while disconnected are read from the unread chats", async () => {
    wa = await startWhatsAppHarness({ reconnectRetryMs: 200 });
    const f = wa.fake;
    f.disconnect();
    // Not emitted live: WhatsApp Web was not connected; the message waits unread in its chat.
    f.unread(ANA, [f.text(ANA, "Привет")]);
    f.ready();
    await wa.settled();
    expect(wa.fresh(ANA)[0]).toContain(LANGUAGE);
  });

  it("when the unread chats cannot be read, start still completes and live messages are answered", async () => {
    wa = await startWhatsAppHarness({ deferStart: true });
    wa.fake.getChats = async () => {
      throw new Error("Protocol error (Runtime.callFunctionOn): Target closed");
    };
    await wa.channel.start();
    await wa.say(ANA, "Привет");
    expect(wa.fresh(ANA)[0]).toContain(LANGUAGE);
    expect(wa.logs.some((l) => l.includes("could not read the messages missed while away"))).toBe(true);
  });

  it("a live message during the missed-messages pass waits for it (order kept)", async () => {
    wa = await startWhatsAppHarness({ deferStart: true });
    const f = wa.fake;
    f.unread(ANA, [f.text(ANA, "Привет")]);
    const started = wa.channel.start();
    f.receive(f.text(ANA, "2"));
    await started;
    await wa.settled();
    expect(wa.fresh(ANA).at(-1)).toContain(tr("ru", "menu-prompt"));
  });

  it("group messages, status updates, broadcasts, channels and the bot's own are ignored", async () => {
    wa = await startWhatsAppHarness();
    const f = wa.fake;
    await wa.receive(f.text("120363025555555555@g.us", "/start", { author: "77011234567@c.us" }));
    await wa.receive(f.text("status@broadcast", "моя история", { author: "77011234567@c.us" }));
    await wa.receive(f.text(ANA, "рассылка", { broadcast: true }));
    await wa.receive(f.text("120363111111111111@newsletter", "пост"));
    const own = f.raw(ANA, "chat", { body: "/start" });
    own.id = { ...own.id, fromMe: true };
    await wa.receive(f.message(own));
    // Unread group chats are not read at start either.
    f.unread("120363025555555555@g.us", [f.text("120363025555555555@g.us", "1", { author: "77011234567@c.us" })]);
    await wa.restart();
    await wa.settled();
    expect(f.sent).toEqual([]);
  });
});

describe("sending", () => {
  it("a file sent to a member: a photo as an image with the text as caption, a document as a document", async () => {
    wa = await startWhatsAppHarness();
    const jpeg = sampleJpeg("wa-out");
    const pdf = samplePdf("wa-out");
    const photo = await kept(jpeg, "photo", "photo.jpg");
    const doc = await kept(pdf, "document", "акт.pdf");
    const delivered = await wa.channel.sender.deliver("77011234567@c.us", {
      kind: "send",
      message: { text: "<b>Ответ</b> по проблеме", files: [photo, doc] },
    });
    const sent = wa.fake.to(ANA);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.media).toMatchObject({ mimetype: "image/jpeg", asDocument: false });
    expect(sent[0]!.media!.bytes.equals(Buffer.from(jpeg))).toBe(true);
    expect(sent[0]!.text).toBe("*Ответ* по проблеме");
    expect(sent[1]!.media).toMatchObject({ mimetype: "application/pdf", filename: "акт.pdf", asDocument: true });
    expect(sent[1]!.media!.bytes.equals(Buffer.from(pdf))).toBe(true);
    expect(delivered).toEqual({ messageId: sent[0]!.id, messageIds: [sent[0]!.id, sent[1]!.id] });
  });

  it("a text too long for a caption goes first, as a message of its own", async () => {
    wa = await startWhatsAppHarness();
    const delivered = await wa.channel.sender.deliver("77011234567@c.us", {
      kind: "send",
      message: { text: "Слово ".repeat(300), files: [await kept(samplePdf("long"), "document", "a.pdf")] },
    });
    const sent = wa.fake.to(ANA);
    expect(sent.map((m) => !!m.media)).toEqual([false, true]);
    expect(sent[1]!.raw).toBe("");
    expect(delivered.messageId).toBe(sent[0]!.id);
  });

  it("a reply quotes the message it answers, in its first part only", async () => {
    wa = await startWhatsAppHarness();
    await wa.channel.sender.deliver("77011234567@c.us", { kind: "send", message: { text: `${"Абзац. ".repeat(700)}\n\n${"Ещё. ".repeat(700)}`, replyTo: "false_77011234567@c.us_3EB0AA" } });
    const sent = wa.fake.to(ANA);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent[0]!.options.quotedMessageId).toBe("false_77011234567@c.us_3EB0AA");
    expect(sent.slice(1).every((m) => m.options.quotedMessageId === undefined)).toBe(true);
    expect(sent.every((m) => m.options.parseVCards === false)).toBe(true);
  });

  it("an edit arrives as a new message, and its id is returned", async () => {
    wa = await startWhatsAppHarness();
    const first = await wa.channel.sender.deliver("77011234567@c.us", { kind: "send", message: { text: "Статус: новая" } });
    const edited = await wa.channel.sender.deliver("77011234567@c.us", { kind: "edit", messageId: first.messageId, message: { text: "Статус: <b>решена</b>" } });
    expect(wa.fake.to(ANA).map((m) => m.text)).toEqual(["Статус: новая", "Статус: *решена*"]);
    expect(edited.messageId).toBe(wa.fake.to(ANA)[1]!.id);
  });

  it("a send that fails is retried by the dispatcher, and the answer arrives once", async () => {
    wa = await startWhatsAppHarness();
    wa.fake.failNext();
    await wa.say(ANA, "Привет");
    expect(wa.fake.failedSends).toHaveLength(1);
    expect(wa.fresh(ANA)).toHaveLength(1);
    expect(wa.last(ANA)).toContain(LANGUAGE);
  });

  it("while disconnected nothing is sent and nothing is lost: delivery resumes after 'ready'", async () => {
    wa = await startWhatsAppHarness({ reconnectRetryMs: 200 });
    wa.fake.disconnect();
    expect(wa.channel.connected).toBe(false);
    const done = wa.say(ANA, "Привет");
    // The turn is committed; its answer waits in the outbox while the client is down.
    await wa.channel.idle();
    await wa.core.idle();
    expect(wa.fake.sent).toEqual([]);
    wa.fake.ready();
    await done;
    expect(wa.fresh(ANA)).toHaveLength(1);
    expect(wa.last(ANA)).toContain(LANGUAGE);
  });

  it("errors: a browser gone pauses the channel (retry), an unknown number is unreachable, nothing is fatal", () => {
    expect(classify(new Error("Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed."), "send")).toMatchObject({ failure: "retry", scope: "global" });
    expect(classify(new TypeError("Cannot read properties of null (reading 'evaluate')"), "send")).toMatchObject({ failure: "retry", scope: "global" });
    expect(classify(new Error("Evaluation failed: Error: No LID for user"), "send").failure).toBe("unreachable");
    expect(classify(new Error("Evaluation failed: something else"), "send")).toMatchObject({ failure: "retry", retryAfterMs: undefined });
    // Reasons are logged: WhatsApp ids (phone numbers) are taken out, also inside serialized message ids.
    const reason = classify(new Error("Evaluation failed: no chat 77011234567@c.us for msg true_77011234567@c.us_3EB0ABC"), "send").message;
    expect(reason).toBe("send: Error: Evaluation failed: no chat <id> for msg <id>");
    const rejected = new DeliveryError("rejected", "x");
    expect(classify(rejected, "send")).toBe(rejected);
  });
});

describe("downloading", () => {
  it("a photo's bytes come from downloadMedia() (base64 decoded)", async () => {
    wa = await startWhatsAppHarness();
    const jpeg = sampleJpeg("dl");
    const msg = wa.fake.image(ANA, jpeg);
    // Held by the adapter once received; the core fetches it before the turn.
    await wa.receive(msg);
    expect(wa.fake.downloads).toBe(1);
    const bytes = await wa.channel.sender.download!({ kind: "photo", platformId: msg.id._serialized });
    expect(Buffer.from(bytes).equals(Buffer.from(jpeg))).toBe(true);
  });

  it("a file over 20 MB is refused as too big before downloading; one no longer held is refused", async () => {
    wa = await startWhatsAppHarness();
    await expect(wa.channel.sender.download!({ kind: "document", platformId: "x", size: 21 * 1024 * 1024 })).rejects.toThrow(/too big/);
    await expect(wa.channel.sender.download!({ kind: "document", platformId: "false_1@c.us_NOPE" })).rejects.toMatchObject({ failure: "rejected" });
    expect(wa.fake.downloads).toBe(0);
  });
});
