/**
 * A member on WhatsApp reports a problem with a photo and a document (fetched through the library's
 * downloadMedia() into the bot's file store) that reach staff on Telegram with their bytes; a voice
 * note gets "please write".
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { sampleJpeg, samplePdf } from "../support/fake-bot-api.ts";
import { approvedMember, plain } from "./whatsapp-support.ts";
import { BOT_ID } from "../support/fake-whatsapp.ts";

const ADMIN = "900";
const ANA = "+77011234567";
const REF = /QT-\d{4}-\d{4}/;
const E2E_TIMEOUT = 120_000;

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

describe("a problem report on WhatsApp", () => {
  it(
    "with a photo and a document: both downloaded with downloadMedia(), kept, sent to staff on Telegram with the same bytes; staff's answer with a document reaches the member",
    async () => {
      wa = await startWhatsAppHarness({ admins: [ADMIN] });
      await wa.staff(ADMIN).send("/start");
      await approvedMember(wa, ADMIN, ANA, "ru", "990140000384", "ТОО «Текстиль»");
      const t = (key: string, args?: Record<string, string | number>) => tr("ru", key, args);

      await wa.say(ANA, "/problem");
      await wa.choose(ANA, t("problem-cat-taxes"));
      expect(wa.last(ANA)).toContain(plain(t("problem-ask-title")).slice(0, 20));
      await wa.say(ANA, "Возврат НДС");
      await wa.say(ANA, "Возврат НДС задерживается на полгода.");
      await wa.choose(ANA, t("problem-done-button"));
      const jpeg = sampleJpeg("wa-problem");
      const pdf = samplePdf("wa-problem-act");
      await wa.receive(wa.fake.image(ANA, jpeg, { caption: "Станок" }));
      expect(wa.last(ANA).startsWith(t("problem-file-added"))).toBe(true);
      await wa.receive(wa.fake.document(ANA, pdf, { filename: "акт сверки.pdf" }));
      expect(wa.last(ANA).startsWith(t("problem-file-added"))).toBe(true);
      expect(wa.fake.downloads).toBe(2);
      await wa.choose(ANA, t("problem-done-button"));
      await wa.choose(ANA, t("problem-anon-named"));
      if (!wa.last(ANA).includes(`. ${t("problem-send-button")}`)) await wa.choose(ANA, t("problem-similar-different"));
      await wa.choose(ANA, t("problem-send-button"));
      const ref = REF.exec(wa.fresh(ANA).join("\n"))?.[0];
      expect(ref, "the member is told the reference").toBeDefined();

      // Staff on Telegram got the report with both files, byte for byte.
      const sent = wa.staff(ADMIN).messages().flatMap((m) => m.files);
      expect(sent.some((f) => f.kind === "photo" && Buffer.from(f.bytes).equals(Buffer.from(jpeg)))).toBe(true);
      expect(sent.some((f) => f.kind === "document" && f.name === "акт сверки.pdf" && Buffer.from(f.bytes).equals(Buffer.from(pdf)))).toBe(true);

      // Staff answer on Telegram, replying to the report's post with a document: it reaches the member on WhatsApp.
      const post = [...wa.staff(ADMIN).messages()].reverse().find((m) => m.text.includes(ref!) && m.message.choices?.length);
      expect(post, "the report's post in the admin's chat").toBeDefined();
      const answer = samplePdf("wa-staff-answer");
      wa.fresh(ANA);
      await wa.staff(ADMIN).sendFile({ kind: "document", bytes: answer, name: "ответ.pdf", caption: "Письмо в КГД направлено" }, { replyTo: post!.messageId });
      const got = wa.to(ANA).filter((m) => m.media);
      const reply = got.find((m) => m.media!.filename === "ответ.pdf");
      expect(reply, "the staff's document on WhatsApp").toBeDefined();
      expect(reply!.media!.asDocument).toBe(true);
      expect(reply!.media!.bytes.equals(Buffer.from(answer))).toBe(true);
      expect(wa.fresh(ANA).join("\n")).toContain("Письмо в КГД направлено");

      // The member answers by quoting (replying to) that message on WhatsApp: it reaches staff.
      const before = wa.staff(ADMIN).messages().length;
      const stanza = reply!.id.split("_").at(-1);
      await wa.receive(wa.fake.text(ANA, "Спасибо, ждём ответа КГД", { quotedStanzaID: stanza, quotedParticipant: { _serialized: BOT_ID }, quotedMsg: { body: "" } }));
      expect(wa.staff(ADMIN).messages().slice(before).some((m) => m.text.includes("Спасибо, ждём ответа КГД"))).toBe(true);
    },
    E2E_TIMEOUT,
  );
});

describe("a voice note", () => {
  it("while a question waits for text: the person is asked to write, and the question stays", async () => {
    wa = await startWhatsAppHarness({ admins: [ADMIN] });
    await wa.say(ANA, "Привет");
    await wa.choose(ANA, "Русский");
    await wa.choose(ANA, tr("ru", "menu-register"));
    await wa.choose(ANA, tr("ru", "consent-agree"));
    wa.fresh(ANA);
    await wa.receive(wa.fake.voice(ANA));
    const answer = wa.fresh(ANA).join("\n");
    expect(answer).toContain(tr("ru", "voice-please-write"));
    expect(plain(answer)).toContain(plain(tr("ru", "reg-ask-bin").split("\n")[0]!));
    expect(wa.fake.downloads).toBe(0);
  });

  it("at the main menu: the person is asked to write, and the menu stays", async () => {
    wa = await startWhatsAppHarness({ admins: [ADMIN] });
    await wa.say(ANA, "Привет");
    await wa.choose(ANA, "Русский");
    wa.fresh(ANA);
    await wa.receive(wa.fake.voice(ANA));
    const answer = wa.fresh(ANA).join("\n");
    expect(answer).toContain(tr("ru", "voice-please-write"));
    expect(answer).toContain(tr("ru", "menu-register"));
    expect(wa.fake.downloads).toBe(0);
  });
});
