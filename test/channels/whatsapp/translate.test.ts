/**
 * whatsapp-web.js messages → Inbound, on the library's real Message objects (built offline by the
 * fake client from WhatsApp Web's raw model): every message type, and what is ignored.
 */
import { describe, expect, it } from "vitest";
import { FakeWhatsApp } from "../../support/fake-whatsapp.ts";
import { phoneOf, toInbound, vcardPhone } from "../../../src/channels/whatsapp/translate.ts";

const fake = new FakeWhatsApp();
const PHONE = "+77011234567";
const CHAT = "77011234567@c.us";

describe("a private message becomes an Inbound", () => {
  it("text: channel whatsapp, private, chat and user the sender's id, the phone in E.164, the message's id, no language hint", () => {
    const msg = fake.text(PHONE, "Сәлем");
    expect(toInbound(msg)).toEqual({
      id: expect.stringMatching(/^whatsapp:[0-9a-f]{32}$/),
      channel: "whatsapp",
      chatId: CHAT,
      userId: CHAT,
      chatType: "private",
      phone: PHONE,
      displayName: "Fake Person",
      event: { type: "text", text: "Сәлем" },
    });
    // Hashed: the serialized id ("false_77011234567@c.us_3EB0...") carries the phone number (breaker9).
    expect(toInbound(msg)!.id).toMatch(/^whatsapp:[0-9a-f]{32}$/);
  });

  it("the same message handed over twice has the same id (the core handles it once)", () => {
    const msg = fake.text(PHONE, "2");
    const again = fake.message({ ...(msg as unknown as { _data: ReturnType<FakeWhatsApp["raw"]> })._data });
    expect(toInbound(again)!.id).toBe(toInbound(msg)!.id);
  });

  it("an image: a photo file announced by the message's id, its mime and size, the caption", () => {
    const msg = fake.image(PHONE, new Uint8Array(10), { caption: "Станок сломался" });
    expect(toInbound(msg)!.event).toEqual({
      type: "file",
      file: { kind: "photo", platformId: msg.id._serialized, mime: "image/jpeg", size: 10 },
      caption: "Станок сломался",
    });
  });

  it("a document: its file name, mime, size and caption", () => {
    const msg = fake.document(PHONE, new Uint8Array(7), { filename: "акт.pdf", caption: "Акт" });
    expect(toInbound(msg)!.event).toEqual({
      type: "file",
      file: { kind: "document", platformId: msg.id._serialized, name: "акт.pdf", mime: "application/pdf", size: 7 },
      caption: "Акт",
    });
  });

  it("a document whose body is only its file name has no caption", () => {
    const msg = fake.document(PHONE, new Uint8Array(7), { filename: "акт.pdf", caption: "акт.pdf" });
    expect(toInbound(msg)!.event).not.toHaveProperty("caption");
  });

  it("a location: latitude and longitude", () => {
    expect(toInbound(fake.location(PHONE, 43.238949, 76.889709, "Алматы\nпр. Абая"))!.event).toEqual({ type: "location", latitude: 43.238949, longitude: 76.889709 });
  });

  it("a contact card: its phone (the WhatsApp id's digits), not the sender's own", () => {
    expect(toInbound(fake.contact(PHONE, "Айгерим", "77021112233"))!.event).toEqual({ type: "contact", phone: "+77021112233", own: false, userId: "77021112233@c.us" });
  });

  it("several contact cards: the first with a number", () => {
    const raw = fake.raw(PHONE, "multi_vcard", { vcardList: [{ vcard: "BEGIN:VCARD\nFN:Нет номера\nEND:VCARD" }, { vcard: "BEGIN:VCARD\nFN:A\nTEL;type=CELL:+7 702 111 22 33\nEND:VCARD" }] });
    expect(toInbound(fake.message(raw))!.event).toEqual({ type: "contact", phone: "+7 702 111 22 33", own: false });
  });

  it("a voice note and an audio file are unsupported 'voice' (the core asks to write)", () => {
    expect(toInbound(fake.voice(PHONE))!.event).toEqual({ type: "unsupported", kind: "voice" });
    expect(toInbound(fake.message(fake.raw(PHONE, "audio", { directPath: "/x", mimetype: "audio/mpeg" })))!.event).toEqual({ type: "unsupported", kind: "voice" });
  });

  it("a sticker, a video, a poll: unsupported with their kind", () => {
    expect(toInbound(fake.sticker(PHONE))!.event).toEqual({ type: "unsupported", kind: "sticker" });
    expect(toInbound(fake.message(fake.raw(PHONE, "video", { directPath: "/v" })))!.event).toEqual({ type: "unsupported", kind: "video" });
    expect(toInbound(fake.message(fake.raw(PHONE, "poll_creation", { pollName: "?" })))!.event).toEqual({ type: "unsupported", kind: "poll_creation" });
  });

  it("a reply quoting the bot's message names it as the adapter recorded it; quoting one's own, too", () => {
    const toBot = fake.text(PHONE, "Спасибо", { quotedStanzaID: "BOT7", quotedParticipant: { _serialized: "77000000000@c.us" }, quotedMsg: { body: "x" } });
    expect(toInbound(toBot)!.replyTo).toBe(`true_${CHAT}_BOT7`);
    const toOwn = fake.text(PHONE, "ещё", { quotedStanzaID: "3EB0AA", quotedParticipant: CHAT, quotedMsg: { body: "x" } });
    expect(toInbound(toOwn)!.replyTo).toBe(`false_${CHAT}_3EB0AA`);
    expect(toInbound(fake.text(PHONE, "x"))).not.toHaveProperty("replyTo");
  });

  it("a '@lid' sender: the same private chat, but no phone (WhatsApp hides the number)", () => {
    const inbound = toInbound(fake.text("123456789012345@lid", "hi"))!;
    expect(inbound).toMatchObject({ chatId: "123456789012345@lid", userId: "123456789012345@lid", chatType: "private" });
    expect(inbound).not.toHaveProperty("phone");
  });
});

describe("what the bot does not act on", () => {
  it("its own messages (also sent from the phone)", () => {
    const raw = fake.raw(PHONE, "chat", { body: "x" });
    raw.id = { ...raw.id, fromMe: true };
    expect(toInbound(fake.message(raw))).toBeNull();
  });

  it("group messages", () => {
    expect(toInbound(fake.text("120363025555555555@g.us", "1", { author: CHAT }))).toBeNull();
  });

  it("status updates and broadcast lists", () => {
    expect(toInbound(fake.text("status@broadcast", "news", { author: CHAT }))).toBeNull();
    expect(toInbound(fake.text(PHONE, "x", { isStatusV3: true }))).toBeNull();
    expect(toInbound(fake.text(PHONE, "x", { broadcast: true }))).toBeNull();
  });

  it("channels (newsletters)", () => {
    expect(toInbound(fake.text("120363111111111111@newsletter", "post"))).toBeNull();
  });

  it("system entries: a deleted message, a reaction, an encryption notice", () => {
    for (const type of ["revoked", "reaction", "e2e_notification", "notification_template", "protocol", "ciphertext"]) {
      expect(toInbound(fake.message(fake.raw(PHONE, type))), type).toBeNull();
    }
  });
});

describe("numbers", () => {
  it("a phone id is E.164; other ids have none", () => {
    expect(phoneOf("77011234567@c.us")).toBe("+77011234567");
    expect(phoneOf("1234@lid")).toBeUndefined();
    expect(phoneOf("120363025555555555@g.us")).toBeUndefined();
  });

  it("a vCard's TEL: waid first, else the number as written, folded lines unfolded", () => {
    expect(vcardPhone("BEGIN:VCARD\r\nTEL;type=CELL;waid=77011234567:+7 701 123 4567\r\nEND:VCARD")).toEqual({ phone: "+77011234567", waId: "77011234567" });
    expect(vcardPhone("BEGIN:VCARD\nitem1.TEL:+7 701\n 123 45 67\nEND:VCARD")).toEqual({ phone: "+7 701123 45 67" });
    expect(vcardPhone("BEGIN:VCARD\nFN:x\nEND:VCARD")).toBeUndefined();
  });
});
