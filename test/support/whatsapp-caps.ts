/**
 * WhatsApp's capabilities without its pace (the pause between chats and the daily cap of first
 * messages: seconds per person in real time), for tests about everything else. The pace has tests
 * of its own on a virtual clock (test/core/outbox/pacing.test.ts, test/core/broadcasts/pacing.test.ts).
 */
import { WHATSAPP_CAPABILITIES } from "../../src/channels/whatsapp/capabilities.ts";
import type { ChannelCapabilities } from "../../src/core/channel.ts";

export const UNPACED_WHATSAPP: ChannelCapabilities = { ...WHATSAPP_CAPABILITIES, limits: {} };
