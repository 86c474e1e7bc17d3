/**
 * What the WhatsApp channel can show and how fast it may send (ChannelCapabilities): no buttons
 * (whatsapp-web.js lost buttons and lists, so options are numbered and typed), no share-contact
 * button (the phone comes with every message: Inbound.phone), and the pace that protects the
 * association's number from a ban (an unofficial client that writes to many people quickly is
 * flagged): a pause with jitter between messages to different chats, and a daily cap on messages to
 * people who have not written in the last 24 hours. The delivery engine (core/outbox/dispatcher.ts)
 * honours both; announcements to WhatsApp recipients go through the same pace.
 */
import type { ChannelCapabilities } from "../../core/channel.ts";
import type { Config } from "../../config.ts";

/** A person who wrote within this long is in a conversation: a message to them is no first message. */
export const QUIET_MS = 24 * 60 * 60 * 1000;

/** The DailyCounter key of WhatsApp's first messages. */
export const FIRST_MESSAGES_COUNTER = "whatsapp:first";

/** The pacing part of the configuration (config.ts WHATSAPP_PAUSE_SECONDS, WHATSAPP_PAUSE_JITTER_SECONDS, WHATSAPP_DAILY_FIRST_MESSAGES). */
export type WhatsAppPacing = Config["whatsappPacing"];

/** The defaults of config.ts: 4 s plus 0..3 s between chats, 50 first messages a day. */
export const DEFAULT_WHATSAPP_PACING: WhatsAppPacing = { pauseSeconds: 4, jitterSeconds: 3, dailyFirstMessages: 50 };

/** WhatsApp's capabilities with the configured pace (main.ts passes them to the adapter). */
export function whatsappCapabilities(config: { whatsappPacing: WhatsAppPacing }): ChannelCapabilities {
  const p = config.whatsappPacing;
  return {
    buttons: false,
    shareContact: false,
    // 20 MB, as on Telegram, so that a file a member sends here can be forwarded to staff there
    // (whatsapp.ts WHATSAPP_MAX_DOWNLOAD_BYTES; downloadMedia() holds the whole file in memory).
    maxDownloadBytes: 20 * 1024 * 1024,
    limits: {
      chatSwitch: { pauseMs: Math.round(p.pauseSeconds * 1000), jitterMs: Math.round(p.jitterSeconds * 1000) },
      firstMessages: { perDay: p.dailyFirstMessages, quietMs: QUIET_MS, counter: FIRST_MESSAGES_COUNTER },
    },
  };
}

/** With the default pace (tests, and an adapter built without the configuration). */
export const WHATSAPP_CAPABILITIES: ChannelCapabilities = whatsappCapabilities({ whatsappPacing: DEFAULT_WHATSAPP_PACING });
