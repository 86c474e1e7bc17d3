/**
 * Announcements to WhatsApp members, end to end through the real adapter on the fake client, in
 * kk, ru and en: a broadcast (started by staff through the services) reaches the member once with
 * the how-to-stop line; /stop typed, or the menu's option chosen by its number, stops the next
 * one; /subscribe brings them back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { tr } from "../support/core-harness.ts";
import { approvedMember, plain } from "./whatsapp-support.ts";
import { createBroadcast, startBroadcast } from "../../src/core/broadcasts/service.ts";
import type { Unit } from "../../src/core/unit.ts";

const ADMIN = "900";
const E2E_TIMEOUT = 120_000;
const PEOPLE = { kk: "+77017654321", ru: "+77011234567", en: "+77027770011" } as const;

let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

async function asAdmin<T>(fn: (unit: Unit) => Promise<T>): Promise<T> {
  const id = await wa.db.transaction((tx) => tx.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: ADMIN } }, include: { person: true } }));
  const result = await wa.core.run({ person: { personId: id.personId, role: id.person.role, locale: "en" }, ref: `telegram:${ADMIN}` }, fn);
  await wa.settled();
  return result;
}

/** Staff start an announcement to the members; its outcome (refused when nobody would get it). */
async function announce(text: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  return asAdmin(async (unit) => {
    const b = await createBroadcast(unit, { texts: { kk: `${text} kk`, ru: `${text} ru`, en: `${text} en` }, file: null, audience: { kind: "members" } });
    if (!b.ok) throw new Error(b.reason);
    return startBroadcast(unit, b.id);
  });
}

for (const locale of ["kk", "ru", "en"] as const) {
  const phone = PEOPLE[locale];
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  for (const how of ["/stop typed", "menu option by number"] as const) {
    describe(`announcements on WhatsApp (${locale}, ${how})`, () => {
      it(
        "one per member with the how-to-stop line; stopped, none; /subscribe, again",
        async () => {
          wa = await startWhatsAppHarness({ admins: [ADMIN] });
          await wa.staff(ADMIN).send("/start");
          await approvedMember(wa, ADMIN, phone, locale, "990140000384", "Enterprise Ltd");
          wa.fresh(phone);
          expect((await announce("Congress news")).ok).toBe(true);
          const got = wa.fresh(phone);
          expect(got).toHaveLength(1);
          expect(got[0]).toContain(`Congress news ${locale}`);
          expect(plain(got[0]!)).toContain(plain(t("broadcast-stop-line")));

          if (how === "/stop typed") await wa.say(phone, "/stop");
          else {
            await wa.say(phone, "menu");
            await wa.choose(phone, t("menu-stop"));
          }
          expect(plain(wa.fresh(phone).join("\n"))).toContain(plain(t("compose-stopped")).slice(0, 30));
          // The member was the only recipient: nobody is left to send it to.
          expect(await announce("Second news")).toEqual({ ok: false, reason: "broadcast-no-recipients" });
          expect(wa.fresh(phone).join("\n")).not.toContain("Second news");

          await wa.say(phone, "/subscribe");
          wa.fresh(phone);
          expect((await announce("Third news")).ok).toBe(true);
          const third = wa.fresh(phone);
          expect(third).toHaveLength(1);
          expect(third[0]).toContain(`Third news ${locale}`);
        },
        E2E_TIMEOUT,
      );
    });
  }
}
