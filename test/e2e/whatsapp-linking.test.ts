/**
 * Linking Telegram and WhatsApp through the adapters: a person who registered on Telegram (the
 * recording Telegram channel, buttons pressed) shows a code there, types it on WhatsApp (the fake
 * client), then sees their enterprise on WhatsApp; staff's decision on the application afterwards
 * reaches the person once, on the chat they used last (WhatsApp), not on Telegram.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { plain } from "./whatsapp-support.ts";

const ADMIN = "900";
const TG = "555";
const PHONE = "+77011234567";
const E2E_TIMEOUT = 120_000;
const en = (key: string, args?: Record<string, string | number>) => tr("en", key, args);

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

/** A person registers an enterprise on Telegram (English hint), pressing buttons; returns their chat. */
async function registerOnTelegram() {
  const tg = wa.staff(TG);
  await tg.send("/start");
  await tg.press(en("menu-register"));
  await tg.press(en("consent-agree"));
  await tg.send("990140000384");
  await tg.send("Silk Road LLP");
  await tg.press(en("region-almaty-city"));
  await tg.press(en("sector-apparel"));
  await tg.send("45");
  await tg.send("Aigerim");
  await tg.send("+7 701 765 43 21");
  await tg.press(en("reg-confirm-button"));
  return tg;
}

describe("linking Telegram to WhatsApp through the adapters", () => {
  it(
    "a code shown on Telegram, typed on WhatsApp: the enterprise on WhatsApp, and the decision once, on WhatsApp",
    async () => {
      wa = await startWhatsAppHarness({ admins: [ADMIN] });
      const admin = wa.staff(ADMIN);
      await admin.send("/start");
      const tg = await registerOnTelegram();
      const notice = [...admin.messages()].reverse().find((m) => m.text.includes("Silk Road LLP"));
      const approve = notice?.message.choices?.flat().find((b) => /^s:(ap|ja|ca):/.test(b.data));
      expect(approve, "Approve on the application's notice").toBeDefined();

      // The code, shown on Telegram.
      await tg.send("/link");
      await tg.press(en("identity-show"));
      const shown = [...tg.messages()].reverse().find((m) => m.text.includes("Your code"));
      const code = /(\d{3}) ?(\d{3})/.exec(shown?.text ?? "");
      if (!code) throw new Error(`no code on Telegram; last: ${JSON.stringify(tg.messages().slice(-2).map((m) => m.text))}`);
      expect(code, "a six-digit code on Telegram").not.toBeNull();

      // Typed on WhatsApp by the same person, who then sees the enterprise there.
      await wa.say(PHONE, "hello");
      await wa.choose(PHONE, "English");
      await wa.say(PHONE, "/link");
      if (wa.fresh(PHONE).join("\n").includes(`. ${en("identity-enter")}`)) await wa.choose(PHONE, en("identity-enter"));
      await wa.say(PHONE, `${code![1]} ${code![2]}`);
      expect(plain(wa.fresh(PHONE).join("\n"))).toContain(plain(en("identity-linked", { channels: "" })).slice(0, 7));
      await wa.say(PHONE, "menu");
      await wa.choose(PHONE, en("menu-profile"));
      expect(wa.fresh(PHONE).join("\n")).toContain("Silk Road LLP");

      // Staff approve: the person hears it once, on WhatsApp (used last).
      const tgBefore = tg.messages().length;
      await admin.pressData(approve!.data);
      expect(wa.fresh(PHONE).filter((m) => m.includes("🎉"))).toHaveLength(1);
      expect(tg.messages().slice(tgBefore)).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    "the other way round: a code shown on a new WhatsApp chat, typed on Telegram where the data is, is refused with the way to do it",
    async () => {
      wa = await startWhatsAppHarness({ admins: [ADMIN] });
      await wa.staff(ADMIN).send("/start");
      const tg = await registerOnTelegram();
      await wa.say(PHONE, "hello");
      await wa.choose(PHONE, "English");
      await wa.say(PHONE, "/link");
      await wa.choose(PHONE, en("identity-show"));
      const code = /(\d{3}) ?(\d{3})/.exec(wa.fresh(PHONE).join("\n"));
      if (!code) throw new Error(`no code on WhatsApp; last: ${JSON.stringify(wa.last(PHONE))}`);
      await tg.send("/link");
      await tg.press(en("identity-enter"));
      const before = tg.messages().length;
      await tg.send(code[0]);
      expect(tg.messages().slice(before).map((m) => m.text).join("\n")).toContain(en("identity-refused-direction"));
      // Nothing merged: the WhatsApp chat is still someone new, without the enterprise.
      const people = await wa.db.transaction((tx) => tx.channelIdentity.findMany({ select: { channel: true, personId: true } }));
      const waPerson = people.find((p) => p.channel === "whatsapp")!.personId;
      expect(people.filter((p) => p.personId === waPerson)).toHaveLength(1);
    },
    E2E_TIMEOUT,
  );
});
