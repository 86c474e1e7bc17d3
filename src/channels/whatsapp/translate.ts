/**
 * whatsapp-web.js → core: a received `Message` becomes an Inbound, or null for what the bot does
 * not act on (its own messages, groups, status updates, broadcasts, channels, system messages).
 * Translation only: no decisions are made here. The message shape is the library's
 * (node_modules/whatsapp-web.js/src/structures/Message.js, v1.34): `from`, `body` (the caption
 * when `hasMedia`), `type`, `id._serialized`, `location`, `vCards`, and the raw model in `_data`
 * (`mimetype`, `filename`, `size`, `notifyName`).
 */
import { createHash } from "node:crypto";
import type { Message } from "whatsapp-web.js";
import type { Inbound, InboundEvent, InboundFileRef } from "../../core/channel.ts";

/** The raw fields of the WhatsApp Web model the adapter reads (Message keeps them in `_data`). */
interface RawFields {
  mimetype?: string;
  filename?: string;
  size?: number;
  notifyName?: string;
  isStatusV3?: boolean;
  /** The bare id of the message this one quotes (a reply), and who wrote that one. */
  quotedStanzaID?: string;
  quotedParticipant?: string | { _serialized?: string };
}

/** What a received message is, as far as the adapter is concerned. */
export type WhatsAppKind = "text" | "photo" | "document" | "location" | "contact" | "voice" | "unsupported" | "ignored";

/**
 * WhatsApp Web's system entries that reach the "message" event but are nothing a person sent
 * (whatsapp-web.js MessageTypes): never answered. "ciphertext" is a message still being decrypted
 * (the library reports it apart, "message_ciphertext"; the real one follows).
 */
const SYSTEM_TYPES = new Set([
  "revoked",
  "ciphertext",
  "debug",
  "e2e_notification",
  "gp2",
  "group_notification",
  "notification",
  "notification_template",
  "protocol",
  "reaction",
  "call_log",
  "broadcast_notification",
]);

/** The raw model behind a Message (whatsapp-web.js keeps it in `_data`, also exposed as `rawData`). */
export function rawOf(msg: Message): RawFields {
  return ((msg as unknown as { _data?: RawFields })._data ?? {}) as RawFields;
}

/**
 * Whether a message is not a person writing to the bot in a private chat: the bot's own (sent from
 * the phone too), a group's ("@g.us"), a status update ("status@broadcast", `isStatus`), a
 * broadcast list's, or a channel's ("@newsletter"). WhatsApp ids: "<digits>@c.us" for a phone,
 * "<digits>@lid" for a privacy-preserving id of the same kind of private chat.
 */
export function isIgnored(msg: Message): boolean {
  const from = msg.from ?? "";
  if (msg.fromMe || msg.isStatus || msg.broadcast || rawOf(msg).isStatusV3) return true;
  if (!/@(c\.us|lid)$/.test(from)) return true;
  return SYSTEM_TYPES.has(msg.type);
}

/**
 * The E.164 phone a WhatsApp id stands for: "77011234567@c.us" → "+77011234567". A "@lid" id
 * hides the number (WhatsApp's linked ids), so none: the person types it.
 */
export function phoneOf(chatId: string): string | undefined {
  const m = /^(\d{7,15})@c\.us$/.exec(chatId);
  return m ? `+${m[1]}` : undefined;
}

/**
 * The first telephone number of a vCard (RFC 6350 TEL; WhatsApp writes
 * "TEL;type=CELL;waid=77011234567:+7 701 123 4567"): the WhatsApp id's digits when it names one,
 * else the number as written. Undefined when the card has none.
 */
export function vcardPhone(vcard: string): { phone: string; waId?: string } | undefined {
  // Folded lines (RFC 6350 3.2) are unfolded first.
  const lines = vcard.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  for (const line of lines) {
    const m = /^(?:[\w-]+\.)?TEL([^:]*):(.*)$/i.exec(line.trim());
    if (!m) continue;
    const waid = /;waid=(\d+)/i.exec(m[1] ?? "")?.[1];
    const written = (m[2] ?? "").replace(/^tel:/i, "").trim();
    if (waid) return { phone: `+${waid}`, waId: waid };
    if (written) return { phone: written };
  }
  return undefined;
}

/** What kind of message it is (see WhatsAppKind); "ignored" for isIgnored ones. */
export function kindOf(msg: Message): WhatsAppKind {
  if (isIgnored(msg)) return "ignored";
  switch (msg.type) {
    case "chat":
      return "text";
    case "image":
      return "photo";
    case "document":
      return "document";
    case "location":
      return "location";
    case "vcard":
    case "multi_vcard":
      return "contact";
    case "ptt":
    case "audio":
      return "voice";
    default:
      return "unsupported";
  }
}

/**
 * The Inbound for a received message, or null (see isIgnored). `id` is "whatsapp:" + the SHA-256
 * (hex, first 32) of the message's serialized id, the same each time WhatsApp (or the missed-messages
 * pass at start) hands it over, so the core handles it once. Hashed because the serialized id
 * ("false_77011234567@c.us_3EB0...") carries the phone number, and the dedup marks outlive erasure. Files are announced with the message's id as `platformId` (the
 * adapter downloads them with `downloadMedia()`).
 */
export function toInbound(msg: Message): Inbound | null {
  const kind = kindOf(msg);
  if (kind === "ignored") return null;
  const raw = rawOf(msg);
  const chatId = msg.from;
  const phone = phoneOf(chatId);
  const base = {
    id: `whatsapp:${createHash("sha256").update(msg.id._serialized).digest("hex").slice(0, 32)}`,
    channel: "whatsapp" as const,
    chatId,
    userId: chatId,
    chatType: "private" as const,
    ...(phone ? { phone } : {}),
    ...(raw.notifyName ? { displayName: raw.notifyName } : {}),
    ...(quotedId(raw, chatId) ? { replyTo: quotedId(raw, chatId)! } : {}),
  };
  return { ...base, event: eventOf(msg, kind, raw) };
}

/**
 * The serialized id of the message a reply quotes, as the adapter recorded it when it was sent
 * (whatsapp-web.js: "<fromMe>_<chat>_<id>"): in a private chat it was written either by the person
 * (`quotedParticipant` is their id) or by the bot. Lets a member's reply to a message about their
 * problem reach its thread, as on Telegram.
 */
export function quotedId(raw: RawFields, chatId: string): string | undefined {
  if (!raw.quotedStanzaID) return undefined;
  const participant = typeof raw.quotedParticipant === "object" ? raw.quotedParticipant?._serialized : raw.quotedParticipant;
  return `${participant === chatId ? "false" : "true"}_${chatId}_${raw.quotedStanzaID}`;
}

function eventOf(msg: Message, kind: Exclude<WhatsAppKind, "ignored">, raw: RawFields): InboundEvent {
  switch (kind) {
    case "text":
      return { type: "text", text: msg.body ?? "" };
    case "photo":
    case "document": {
      const file: InboundFileRef = {
        kind,
        platformId: msg.id._serialized,
        ...(kind === "document" && raw.filename ? { name: raw.filename } : {}),
        ...(raw.mimetype ? { mime: raw.mimetype } : {}),
        ...(typeof raw.size === "number" && raw.size > 0 ? { size: raw.size } : {}),
      };
      // With media, `body` is the caption; some WhatsApp versions put a document's file name there.
      const caption = msg.body && msg.body !== raw.filename ? msg.body : undefined;
      return { type: "file", file, ...(caption ? { caption } : {}) };
    }
    case "location": {
      const loc = msg.location as unknown as { latitude?: number | string; longitude?: number | string } | undefined;
      const latitude = Number(loc?.latitude);
      const longitude = Number(loc?.longitude);
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return { type: "unsupported", kind: "location" };
      return { type: "location", latitude, longitude };
    }
    case "contact": {
      for (const card of msg.vCards ?? []) {
        const tel = vcardPhone(card);
        if (tel) return { type: "contact", phone: tel.phone, own: false, ...(tel.waId ? { userId: `${tel.waId}@c.us` } : {}) };
      }
      return { type: "unsupported", kind: "contact" };
    }
    case "voice":
      return { type: "unsupported", kind: "voice" };
    case "unsupported":
      return { type: "unsupported", kind: msg.type || "other" };
  }
}
