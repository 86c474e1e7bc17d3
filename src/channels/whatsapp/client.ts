/**
 * The part of whatsapp-web.js's `Client` the adapter uses, so that tests can drive the adapter with
 * a fake client (test/support/fake-whatsapp.ts) that emits the library's real `Message` shape.
 * The real one is built by session.ts (LocalAuth under data/, Debian's Chromium).
 *
 * Events used (whatsapp-web.js Events): "qr" (string), "authenticated", "auth_failure" (string),
 * "ready", "message" (Message), "disconnected" (reason string), "change_state" (WAState).
 */
import type { EventEmitter } from "node:events";
import type { Chat, Message, MessageContent, MessageSendOptions } from "whatsapp-web.js";

export interface WhatsAppClient extends EventEmitter {
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: MessageContent, options?: MessageSendOptions): Promise<Message>;
  getChats(): Promise<Chat[]>;
  /** The browser whatsapp-web.js launched (puppeteer), to record its PID; absent before initialize(). */
  pupBrowser?: { process(): { pid?: number } | null } | null;
}
