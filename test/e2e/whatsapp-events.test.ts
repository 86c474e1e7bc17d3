/**
 * Events for a WhatsApp member, end to end through the real adapter on the fake client, in kk, ru
 * and en: the invitation (published by staff through the services) arrives numbered, the answer
 * "going" is typed by number or by its text in another language, the delegates are typed, the
 * .ics arrives as a document (MessageMedia text/calendar), and a change reaches the member.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { approvedMember, plain } from "./whatsapp-support.ts";
import { createEvent, updateEvent, type EventInput } from "../../src/core/events/service.ts";
import { publishEvent } from "../../src/core/broadcasts/service.ts";
import type { Unit } from "../../src/core/unit.ts";
import type { Locale } from "../../src/i18n/locales.ts";

const ADMIN = "900";
const E2E_TIMEOUT = 120_000;
const PEOPLE = { kk: "+77017654321", ru: "+77011234567", en: "+77027770011" } as const;
/** The "going" option typed in another language than the member's. */
const GOING_ELSEWHERE: Record<Locale, Locale> = { kk: "ru", ru: "en", en: "kk" };
const INPUT: EventInput = {
  title: { ru: "Съезд", kk: "Съезд қк", en: "Congress" },
  description: { ru: "Программа", kk: "Бағдарлама", en: "Programme" },
  startsAt: "2027-03-15T05:00:00.000Z",
  venue: "Hall A",
  location: null,
  capacity: null,
  rsvpDeadline: null,
  reminders: [],
};

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

async function asAdmin<T>(fn: (unit: Unit) => Promise<T>): Promise<T> {
  const id = await wa.db.transaction((tx) => tx.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: ADMIN } }, include: { person: true } }));
  const result = await wa.core.run({ person: { personId: id.personId, role: id.person.role, locale: "en" }, ref: `telegram:${ADMIN}` }, fn);
  await wa.settled();
  return result;
}

for (const locale of ["kk", "ru", "en"] as const) {
  const phone = PEOPLE[locale];
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  for (const how of ["number", "text"] as const) {
    describe(`an event invitation on WhatsApp (${locale}, going typed as ${how})`, () => {
      it(
        "invitation numbered, going with delegates typed, the .ics as a text/calendar document, a change notice",
        async () => {
          wa = await startWhatsAppHarness({ admins: [ADMIN] });
          await wa.staff(ADMIN).send("/start");
          await approvedMember(wa, ADMIN, phone, locale, "990140000384", "Enterprise Ltd");
          wa.fresh(phone);
          const id = await asAdmin(async (unit) => {
            const r = await createEvent(unit, INPUT);
            if (!r.ok) throw new Error(r.reason);
            const p = await publishEvent(unit, r.id, { kind: "members" });
            if (!p.ok) throw new Error(p.reason);
            return r.id;
          });
          const invitation = wa.fresh(phone);
          expect(invitation, "one invitation").toHaveLength(1);
          expect(invitation[0]).toContain(INPUT.title[locale]!);
          expect(invitation[0]!.split("\n")).toContain(`${wa.keyOf(phone, t("broadcast-rsvp-going"))}. ${t("broadcast-rsvp-going")}`);

          // The option's words in another language, without its emoji, in capitals and spaced.
          if (how === "number") await wa.choose(phone, t("broadcast-rsvp-going"));
          else await wa.say(phone, `  ${tr(GOING_ELSEWHERE[locale], "broadcast-rsvp-going").replace("✅", "").trim().toUpperCase()} `);
          expect(plain(wa.last(phone))).toContain(plain(t("evf-ask-delegates", { title: INPUT.title[locale]!, max: 20 })).slice(0, 20));
          await wa.say(phone, "3");
          const answered = wa.fresh(phone).join("\n");
          expect(plain(answered)).toContain(plain(t("event-going-confirmed", { title: INPUT.title[locale]!, time: "15.03.2027 10:00", count: 3 })).slice(0, 40));
          const rsvp = await wa.db.transaction((tx) => tx.eventRsvp.findFirstOrThrow({ where: { eventId: id } }));
          expect(rsvp.answer).toBe("going");
          expect(rsvp.delegates).toBe(3);
          const ics = wa.to(phone).find((m) => m.media?.mimetype.startsWith("text/calendar"));
          expect(ics, "the .ics on WhatsApp").toBeDefined();
          expect(ics!.media!.asDocument).toBe(true);
          expect(ics!.media!.filename).toMatch(/\.ics$/);
          expect(ics!.media!.bytes.toString("utf8")).toContain("BEGIN:VCALENDAR");

          // Staff move the venue: the member is told.
          const revision = (await wa.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id } }))).revision;
          await asAdmin((unit) => updateEvent(unit, id, revision, { ...INPUT, venue: "Hall B" }));
          const changed = wa.fresh(phone).join("\n");
          expect(plain(changed)).toContain(plain(t("event-changed", { title: INPUT.title[locale]! })));
          expect(changed).toContain("Hall B");
        },
        E2E_TIMEOUT,
      );
    });
  }
}
