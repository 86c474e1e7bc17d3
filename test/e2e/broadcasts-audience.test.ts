/**
 * Who receives an announcement, end to end (issue 8 items 5 and 7, "How it is shown": every
 * audience filter; opted-out and blocked people): Dana composes each announcement in the bot over
 * HTTP, pressing the real buttons, and sends it; the fake Bot API shows who got it. A person who
 * wrote /stop, or who blocked the bot (Telegram says so), is neither counted nor sent to; a deleted
 * account (nothing said) is sent to once, gets 403, is marked unreachable and not retried, and is
 * not counted in the next announcement.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import { announce, E2E_TIMEOUT, en, plain, startWorld, WAIT, type Member, type World } from "./events-support.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Who of `people` received a message containing `text`, by name. */
function receivers(people: Record<string, FakeUser>, text: string): string[] {
  return Object.entries(people)
    .filter(([, u]) => u.messages.some((m) => m.text.includes(text)))
    .map(([name]) => name)
    .sort();
}

describe("the audience decides who receives an announcement", () => {
  it("region, sector, language, enterprise status, an event's answer, staff only; /stop and a blocked bot", async () => {
    w = await startWorld();
    const m: Record<string, Member> = {
      A: await w.member("kk", { region: "almaty-city", sector: "apparel" }),
      B: await w.member("ru", { region: "astana", sector: "textiles", status: "ownerless" }),
      C: await w.member("en", { region: "astana", sector: "apparel" }),
      D: await w.member("ru", { region: "almaty-city", sector: "textiles", status: "suspended" }),
      Stopped: await w.member("ru"),
      Blocked: await w.member("ru"),
      Deleted: await w.member("ru"),
      Outsider: await w.member("ru", { enterpriseId: null }),
      Staff: await w.member("ru", { role: "staff", enterpriseId: null }),
    };
    const people: Record<string, FakeUser> = { ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.user])), Dana: w.dana };
    // One opts out with /stop (and is told how to come back); one blocks the bot (Telegram tells the
    // bot: my_chat_member); one deletes the account (nothing is told: the bot learns it from a 403).
    await step(m.Stopped!.user, () => m.Stopped!.user.send("/stop"), tr("ru", "compose-stopped").slice(0, 30));
    m.Blocked!.user.blockBot();
    m.Deleted!.user.deactivate();
    await w.h.settled(WAIT);

    // All members: the deleted account is still counted (nothing says so until a send is refused).
    const all = await announce(w, [en("compose-audience-all")], 4, { done: false });
    expect(receivers(people, all.text)).toEqual(["A", "B", "C"]);
    const report = w.dana.messages.filter((x) => x.text.startsWith(plain(en("broadcast-report", { id: all.id, sent: 3, total: 4 })))).at(-1);
    expect(report?.text).toContain(en("broadcast-report-unreachable", { count: 1 }));
    // One 403, then never again: the address is marked unreachable. The one who blocked the bot: never tried.
    const sendsTo = (who: Member) => w!.h.fake.callsTo("sendMessage").filter((c) => String(c.params.chat_id) === String(who.user.id));
    expect(sendsTo(m.Deleted!).length).toBe(1);
    expect(sendsTo(m.Blocked!).length).toBe(0);
    const identity = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(m.Deleted!.user.id) } }));
    expect(identity.reachable).toBe(false);
    // The member's announcement ends with the line on how to stop them, in their language.
    expect(m.C!.user.messages.find((x) => x.text.includes(all.text))!.text).toContain(plain(tr("en", "broadcast-stop-line")));

    const region = await announce(w, [en("compose-audience-region"), en("region-astana")], 2);
    expect(receivers(people, region.text)).toEqual(["B", "C"]);
    const sector = await announce(w, [en("compose-audience-sector"), en("sector-apparel")], 2);
    expect(receivers(people, sector.text)).toEqual(["A", "C"]);
    const language = await announce(w, [en("compose-audience-language"), en("compose-lang-kk"), en("compose-lang-en")], 2);
    expect(receivers(people, language.text)).toEqual(["A", "C"]);
    const status = await announce(w, [en("compose-audience-status"), en("compose-status-suspended")], 1);
    expect(receivers(people, status.text)).toEqual(["D"]);
    const staff = await announce(w, [en("compose-audience-staff")], 2, { done: false });
    expect(receivers(people, staff.text)).toEqual(["Dana", "Staff"]);

    // An event's answers: A going, C maybe, B not answered.
    const now = Date.now();
    await w.h.db.transaction(async (tx) => {
      const e = await tx.event.create({ data: { title: JSON.stringify({ ru: "Съезд", en: "Congress" }), startsAt: new Date(now + 7 * 86_400_000), status: "published", publishedAt: new Date() } });
      await tx.eventRsvp.create({ data: { eventId: e.id, enterpriseId: m.A!.enterpriseId!, answer: "going", delegates: 2 } });
      await tx.eventRsvp.create({ data: { eventId: e.id, enterpriseId: m.C!.enterpriseId!, answer: "maybe", delegates: 0 } });
    });
    const going = await announce(w, [en("compose-audience-event"), /Congress/, en("compose-answer-going")], 1);
    expect(receivers(people, going.text)).toEqual(["A"]);
    const none = await announce(w, [en("compose-audience-event"), /Congress/, en("compose-answer-none")], 1);
    expect(receivers(people, none.text)).toEqual(["B"]);

    // All members again: the deleted account is no longer counted nor sent to; /stop still holds.
    const again = await announce(w, [en("compose-audience-all")], 3, { done: false });
    expect(receivers(people, again.text)).toEqual(["A", "B", "C"]);
    expect(sendsTo(m.Deleted!).length).toBe(1);
    expect(sendsTo(m.Blocked!).length).toBe(0);
  }, E2E_TIMEOUT);
});
