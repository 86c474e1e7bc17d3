/**
 * WhatsApp's capabilities built from the configuration (channels/whatsapp/capabilities.ts): the
 * pause and jitter in ms between chats and the daily cap of first messages, as the delivery
 * engine reads them; no buttons, no share-contact button, Telegram's download limit.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { WHATSAPP_CAPABILITIES, whatsappCapabilities } from "../../src/channels/whatsapp/capabilities.ts";

describe("whatsappCapabilities", () => {
  it("declares the configured pace", () => {
    const caps = whatsappCapabilities(parseConfig({ WHATSAPP_PAUSE_SECONDS: "5", WHATSAPP_PAUSE_JITTER_SECONDS: "2.5", WHATSAPP_DAILY_FIRST_MESSAGES: "30" }));
    expect(caps).toEqual({
      buttons: false,
      shareContact: false,
      maxDownloadBytes: 20 * 1024 * 1024,
      limits: {
        chatSwitch: { pauseMs: 5000, jitterMs: 2500 },
        firstMessages: { perDay: 30, quietMs: 24 * 3_600_000, counter: "whatsapp:first" },
      },
    });
  });

  it("defaults to the configuration's defaults", () => {
    expect(WHATSAPP_CAPABILITIES).toEqual(whatsappCapabilities(parseConfig({})));
  });
});
