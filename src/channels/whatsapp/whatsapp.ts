/**
 * STAND-IN (branch wa-ops only; the merge takes branch wa-adapter's whatsapp.ts instead): the
 * signature main.ts wires, so that the service side compiles and runs before the adapter lands.
 * It takes no messages and refuses every send for a retry later.
 */
import { DeliveryError, type ChannelSender } from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import type { Logger } from "../../log.ts";
import { WHATSAPP_CAPABILITIES } from "./capabilities.ts";
import type { WhatsAppClient } from "./client.ts";

export interface WhatsAppOptions {
  core: Core;
  client: WhatsAppClient;
  log: Logger;
  /** Whether the client is ready when the channel is created. */
  connected?: boolean;
}

export interface WhatsAppChannel {
  sender: ChannelSender;
  start(): Promise<void>;
  stop(): Promise<void>;
  idle(): Promise<void>;
  readonly connected: boolean;
}

/** Stand-in: see the file's comment. */
export function createWhatsAppChannel(opts: WhatsAppOptions): WhatsAppChannel {
  return {
    sender: {
      channel: "whatsapp",
      capabilities: WHATSAPP_CAPABILITIES,
      deliver: () => Promise.reject(new DeliveryError("retry", "whatsapp: stand-in adapter", 5_000, "global")),
    },
    start: async () => {},
    stop: async () => {},
    idle: async () => {},
    connected: opts.connected ?? true,
  };
}
