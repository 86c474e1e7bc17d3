/**
 * A WhatsApp member's problem followed end to end, in kk, ru and en: reported with a photo, seen in
 * "My problems", a staff question on Telegram reaching the member and the member's reply reaching
 * staff, the staff's "resolved" confirmed by the member typing the option's number; then erasure
 * leaves neither the WhatsApp id nor the phone's digits anywhere (the photo's platform id included).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { sampleJpeg } from "../support/fake-bot-api.ts";
import { tracesOf } from "../support/db-traces.ts";
import { BOT_ID } from "../support/fake-whatsapp.ts";
import { approvedMember, plain, reportOnWhatsApp } from "./whatsapp-support.ts";

const ADMIN = "900";
const E2E_TIMEOUT = 120_000;
const PEOPLE = { kk: "+77017654321", ru: "+77011234567", en: "+77027770011" } as const;

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

for (const locale of ["kk", "ru", "en"] as const) {
  const phone = PEOPLE[locale];
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);

  describe(`a problem followed on WhatsApp (${locale})`, () => {
    it(
      "reported with a photo, in My problems, staff question and member reply, resolved and confirmed, then erased without a trace",
      async () => {
        wa = await startWhatsAppHarness({ admins: [ADMIN] });
        const admin = wa.staff(ADMIN);
        await admin.send("/start");
        await approvedMember(wa, ADMIN, phone, locale, "990140000384", "Enterprise Ltd");
        const ref = await reportOnWhatsApp(wa, phone, locale, "VAT refund delayed", sampleJpeg(`wa-${locale}`));

        // My problems lists it.
        await wa.say(phone, "menu");
        await wa.choose(phone, t("menu-myproblems"));
        const list = wa.fresh(phone).join("\n");
        expect(list).toContain(ref);
        expect(list).toContain(t("problem-status-new"));

        // A staff question on Telegram (a reply to the report's post) reaches the member.
        const post = [...admin.messages()].reverse().find((m) => m.text.includes(ref) && m.message.choices?.length);
        expect(post, "the report's post in the admin's chat").toBeDefined();
        await admin.send("Which quarter is the refund for?", { replyTo: post!.messageId });
        const question = wa.to(phone).find((m) => m.text.includes("Which quarter is the refund for?"));
        expect(question, "the staff question on WhatsApp").toBeDefined();
        expect(question!.text).toContain(ref);

        // The member's reply, quoting the question, reaches staff.
        const before = admin.messages().length;
        await wa.receive(wa.fake.text(phone, "Q3 2026 *urgent*", { quotedStanzaID: question!.id.split("_").at(-1), quotedParticipant: { _serialized: BOT_ID }, quotedMsg: { body: "" } }));
        expect(admin.messages().slice(before).some((m) => m.text.includes("Q3 2026 *urgent*") && m.text.includes(ref))).toBe(true);

        // Staff mark it resolved; the member confirms by typing the option's number.
        await admin.press(tr("en", "thread-button-status"));
        await admin.press(tr("en", "problem-status-resolved"));
        await admin.press(tr("en", "thread-comment-skip"));
        const ask = plain(wa.fresh(phone).join("\n"));
        expect(ask).toContain(plain(t("problem-notice-solved-ask", { days: 14 })).split("\n")[0]!.slice(0, 25));
        await wa.choose(phone, t("problem-solved-yes"));
        expect(plain(wa.fresh(phone).join("\n"))).toContain(plain(t("problem-solved-thanks", { ref })));
        const row = await wa.db.transaction((tx) => tx.problem.findFirstOrThrow({ where: { ref } }));
        expect(row.status).toBe("closed");

        // Erasure: the problem stays the enterprise's, and no trace of the number remains.
        await wa.say(phone, "menu");
        await wa.choose(phone, t("menu-privacy"));
        await wa.choose(phone, t("privacy-erase-button"));
        await wa.choose(phone, t("privacy-erase-yes"));
        await wa.settled();
        expect(await tracesOf(wa.db, [phone.slice(2)])).toEqual([]);
      },
      E2E_TIMEOUT,
    );
  });
}
