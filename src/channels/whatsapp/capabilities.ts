/**
 * What the WhatsApp channel can show and how fast it may send (ChannelCapabilities): no buttons
 * (whatsapp-web.js lost buttons and lists, so options are numbered and typed), no share-contact
 * button (the phone comes with every message: Inbound.phone).
 */
import type { ChannelCapabilities } from "../../core/channel.ts";

export const WHATSAPP_CAPABILITIES: ChannelCapabilities = {
  buttons: false,
  shareContact: false,
  // 20 MB, as on Telegram, so that a file a member sends here can be forwarded to staff there
  // (whatsapp.ts WHATSAPP_MAX_DOWNLOAD_BYTES; downloadMedia() holds the whole file in memory).
  maxDownloadBytes: 20 * 1024 * 1024,
};
