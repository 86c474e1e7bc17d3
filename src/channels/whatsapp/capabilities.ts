/**
 * What the WhatsApp channel can show and how fast it may send (ChannelCapabilities): no buttons
 * (whatsapp-web.js lost buttons and lists, so options are numbered and typed), no share-contact
 * button (the phone comes with every message: Inbound.phone).
 */
import type { ChannelCapabilities } from "../../core/channel.ts";

export const WHATSAPP_CAPABILITIES: ChannelCapabilities = { buttons: false, shareContact: false };
