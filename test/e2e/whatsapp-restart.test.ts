/**
 * The same WhatsApp message twice, through a restart of the bot: handled live, then listed again
 * unread by the missed-messages pass at start, it is answered once; a message that arrived while the
 * bot was down is answered once after the start, and once only when WhatsApp delivers it live too.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Message as WMessage } from "whatsapp-web.js";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { RawMessage } from "../support/fake-whatsapp.ts";

const PHONE = "+77011234567";
let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

/** The same message again, as WhatsApp hands it over a second time (a new object, the same raw model). */
const again = (msg: WMessage) => wa.fake.message({ ...(msg as unknown as { _data: RawMessage })._data });

describe("a WhatsApp message delivered twice across a restart", () => {
  for (const locale of ["kk", "ru", "en"] as const) {
    it(`live, then again in the missed-messages pass after a restart: handled once (${locale})`, async () => {
      wa = await startWhatsAppHarness();
      await wa.say(PHONE, "hi");
      await wa.choose(PHONE, { kk: "Қазақша", ru: "Русский", en: "English" }[locale]);
      wa.fresh(PHONE);
      const help = wa.fake.text(PHONE, "/help");
      await wa.receive(help);
      const first = wa.fresh(PHONE);
      expect(first.join("\n")).toContain(tr(locale, "menu-register"));
      // WhatsApp still lists it unread (the bot went down before marking the chat seen).
      wa.fake.unread(PHONE, [again(help)]);
      await wa.restart();
      await wa.settled();
      expect(wa.fresh(PHONE)).toEqual([]);
      expect(wa.fake.chats.get("77011234567@c.us")!.unreadCount).toBe(0);
    });
  }

  it("a message that arrived while the bot was down: answered once after the start, not again when delivered live", async () => {
    wa = await startWhatsAppHarness();
    await wa.say(PHONE, "hi");
    await wa.choose(PHONE, "English");
    wa.fresh(PHONE);
    const menu = wa.fake.text(PHONE, "menu");
    wa.fake.unread(PHONE, [menu]);
    await wa.restart();
    await wa.settled();
    const answered = wa.fresh(PHONE);
    expect(answered).toHaveLength(1);
    expect(answered[0]).toContain(tr("en", "menu-prompt"));
    await wa.receive(again(menu));
    expect(wa.fresh(PHONE)).toEqual([]);
  });
});
