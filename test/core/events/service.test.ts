/**
 * The event services (src/core/events/service.ts) on a real database (both providers): creating,
 * answering with delegates against the capacity and its waiting list, the deadline, changes and
 * cancellation told to everyone who answered in their language, concurrency, the .ics bytes and
 * the attendee CSV.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  answerEvent,
  attendees,
  attendeesCsv,
  cancelEvent,
  createEvent,
  eventForMember,
  eventForStaff,
  eventIcs,
  listEvents,
  myEvents,
  updateEvent,
} from "../../../src/core/events/service.ts";
import { tr } from "../../support/core-harness.ts";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { input, member, publish, staff, START, startWorld, type World } from "./support.ts";

let w: World;
afterEach(async () => {
  await w?.close();
});

const DAY = 86_400_000;

async function published(over: Parameters<typeof input>[0] = {}) {
  const s = await staff(w);
  const r = await w.run(s, (u) => createEvent(u, input(over)));
  if (!r.ok) throw new Error(r.reason);
  await publish(w, r.id);
  return { id: r.id, staff: s };
}

const rsvps = (eventId: number) => w.db.transaction((tx) => tx.eventRsvp.findMany({ where: { eventId }, orderBy: { enterpriseId: "asc" } }));
const audits = (action: string) => w.db.transaction((tx) => tx.auditLog.findMany({ where: { action }, orderBy: { id: "asc" } }));

describe("creating", () => {
  it("staff create a draft; a start in the past is refused; members may not", async () => {
    w = await startWorld();
    const s = await staff(w);
    const r = await w.run(s, (u) => createEvent(u, input()));
    expect(r.ok).toBe(true);
    const view = await w.run(s, (u) => eventForStaff(u, (r as { id: number }).id));
    expect(view).toMatchObject({ status: "draft", revision: 0, startsAt: START, capacity: null, reminders: [1440, 120], counts: { delegates: 0, going: 0, maybe: 0, no: 0, waiting: 0 } });
    expect(view!.title).toEqual(input().title);
    expect(await w.run(s, (u) => createEvent(u, input({ startsAt: new Date(w.now.getTime() - 60_000).toISOString() })))).toEqual({ ok: false, reason: "event-past" });
    const m = await member(w, "501");
    expect(await w.run(m, (u) => createEvent(u, input()))).toEqual({ ok: false, reason: "error-not-allowed" });
    expect(await w.run(m, (u) => eventForStaff(u, 1))).toBeNull();
    expect((await audits("event.create")).map((a) => a.outcome)).toEqual(["ok", "denied", "denied"]);
  });

  it("lists upcoming first (soonest first), then past and cancelled (latest first), in pages", async () => {
    w = await startWorld();
    const s = await staff(w);
    const at = (days: number) => new Date(w.now.getTime() + days * DAY).toISOString();
    const ids: number[] = [];
    for (const d of [10, 2, 5, 1]) ids.push(((await w.run(s, (u) => createEvent(u, input({ startsAt: at(d) })))) as { id: number }).id);
    await w.run(s, (u) => cancelEvent(u, ids[0]!, 0, null));
    w.later(1.5 * DAY); // the 1-day one is past now
    const all = await w.run(s, (u) => listEvents(u, { page: 0, size: 10 }));
    expect(all.total).toBe(4);
    expect(all.items.map((e) => e.id)).toEqual([ids[1], ids[2], ids[0], ids[3]]);
    const page1 = await w.run(s, (u) => listEvents(u, { page: 1, size: 2 }));
    expect(page1.items.map((e) => e.id)).toEqual([ids[0], ids[3]]);
  });
});

describe("answers, capacity and the waiting list", () => {
  it("counts delegates against the capacity; over it, a going answer waits in line; freed places move the line up in order, and those moved are told", async () => {
    w = await startWorld();
    const { id } = await published({ capacity: 10 });
    const a = await member(w, "501", "ru");
    const b = await member(w, "502", "en");
    const c = await member(w, "503", "kk");
    const d = await member(w, "504", "ru");
    expect(await w.run(a, (u) => answerEvent(u, id, "going", 6))).toEqual({ ok: true, rsvp: { eventId: id, answer: "going", delegates: 6, waiting: null } });
    expect(await w.run(b, (u) => answerEvent(u, id, "going", 5))).toEqual({ ok: true, rsvp: { eventId: id, answer: "going", delegates: 5, waiting: 1 } });
    // 4 places are free, but B waits: C (3) joins the line behind B, nobody overtakes.
    expect(await w.run(c, (u) => answerEvent(u, id, "going", 3))).toEqual({ ok: true, rsvp: { eventId: id, answer: "going", delegates: 3, waiting: 2 } });
    expect(await w.run(d, (u) => answerEvent(u, id, "going", 4))).toMatchObject({ rsvp: { waiting: 3 } });
    const s = await staff(w);
    expect((await w.run(s, (u) => eventForStaff(u, id)))!.counts).toEqual({ delegates: 6, going: 1, maybe: 0, no: 0, waiting: 3 });
    // A changes to "maybe": 10 places free; B (5) and C (3) move up; D (4) does not fit in the 2 left.
    w.later(60_000);
    expect(await w.run(a, (u) => answerEvent(u, id, "maybe", null))).toMatchObject({ ok: true, rsvp: { answer: "maybe", delegates: 0, waiting: null } });
    expect((await rsvps(id)).map((r) => [r.answer, r.delegates, r.waiting])).toEqual([
      ["maybe", 0, false],
      ["going", 5, false],
      ["going", 3, false],
      ["going", 4, true],
    ]);
    const title = { ru: input().title.ru!, en: input().title.en!, kk: input().title.kk! };
    const time = "15.03.2027 10:00";
    expect((await w.texts("502")).at(-1)).toContain(tr("en", "event-moved-up", { title: title.en, time, count: 5 }));
    expect((await w.texts("503")).at(-1)).toContain(tr("kk", "event-moved-up", { title: title.kk, time, count: 3 }));
    expect((await w.texts("504")).some((t) => t.includes(tr("ru", "event-moved-up", { title: title.ru, time, count: 4 })))).toBe(false);
    // The first confirmation carried the calendar file; so did the moved-up notice.
    const first = w.channel.in("501").find((m) => m.text.includes(tr("ru", "event-going-confirmed", { title: title.ru, time, count: 6 })));
    expect(first?.files.map((f) => f.name)).toEqual([`event-${id}.ics`]);
    expect(w.channel.in("502").at(-1)!.files.map((f) => f.name)).toEqual([`event-${id}.ics`]);
    // B lowers its number to 3: D (4) fits now (3 + 3 + 4 = 10).
    await w.run(b, (u) => answerEvent(u, id, "going", 3));
    expect((await rsvps(id)).map((r) => r.waiting)).toEqual([false, false, false, false]);
    expect((await w.texts("504")).at(-1)).toContain(tr("ru", "event-moved-up", { title: title.ru, time, count: 4 }));
    // A placed enterprise asking for more than fits waits with its new number.
    expect(await w.run(c, (u) => answerEvent(u, id, "going", 5))).toMatchObject({ rsvp: { delegates: 5, waiting: 1 } });
    expect((await w.run(s, (u) => eventForStaff(u, id)))!.counts).toEqual({ delegates: 7, going: 2, maybe: 1, no: 0, waiting: 1 });
  });

  it("refuses delegates outside 1..20, people of no member enterprise (audited), drafts, and answers after the deadline, the start or a cancellation", async () => {
    w = await startWorld();
    const { id, staff: s } = await published({ rsvpDeadline: new Date(w.now.getTime() + DAY).toISOString() });
    const a = await member(w, "501");
    for (const n of [0, 21, 2.5, null]) expect(await w.run(a, (u) => answerEvent(u, id, "going", n))).toEqual({ ok: false, reason: "event-delegates-range" });
    const loner = await w.person("505");
    expect(await w.run(loner, (u) => answerEvent(u, id, "going", 2))).toEqual({ ok: false, reason: "event-not-member" });
    const pendingEnterprise = await w.enterprise({ status: "pending" });
    const applicant = await w.person("506", { enterpriseId: pendingEnterprise });
    expect(await w.run(applicant, (u) => answerEvent(u, id, "maybe", null))).toEqual({ ok: false, reason: "event-not-member" });
    const draft = await w.run(s, (u) => createEvent(u, input()));
    expect(await w.run(a, (u) => answerEvent(u, (draft as { id: number }).id, "going", 1))).toEqual({ ok: false, reason: "event-not-found" });
    expect(await w.run(a, (u) => answerEvent(u, 9999, "going", 1))).toEqual({ ok: false, reason: "event-not-found" });
    expect((await audits("event.answer")).map((r) => [r.outcome, r.subject])).toEqual([
      ["denied", `event:${id}`],
      ["denied", `event:${id}`],
      ["denied", `event:${(draft as { id: number }).id}`],
      ["denied", "event:9999"],
    ]);
    expect((await w.run(a, (u) => answerEvent(u, id, "going", 2))).ok).toBe(true);
    w.later(DAY);
    expect(await w.run(a, (u) => answerEvent(u, id, "no", null))).toEqual({ ok: false, reason: "event-deadline-passed" });
    // Another event: its start passed; a third: cancelled.
    const soon = await published({ startsAt: new Date(w.now.getTime() + 3_600_000).toISOString() });
    const later = await published();
    await w.run(s, (u) => cancelEvent(u, later.id, 0, null));
    expect(await w.run(a, (u) => answerEvent(u, later.id, "going", 1))).toEqual({ ok: false, reason: "event-cancelled" });
    w.later(2 * 3_600_000);
    expect(await w.run(a, (u) => answerEvent(u, soon.id, "going", 1))).toEqual({ ok: false, reason: "event-past" });
  });

  it("never exceeds the capacity when enterprises answer at once", async () => {
    w = await startWorld();
    const { id } = await published({ capacity: 10 });
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await member(w, String(600 + i)));
    const results = await Promise.all(people.map((p) => w.run(p, (u) => answerEvent(u, id, "going", 3))));
    expect(results.every((r) => r.ok)).toBe(true);
    const rows = await rsvps(id);
    const placed = rows.filter((r) => !r.waiting);
    expect(placed.reduce((s, r) => s + r.delegates, 0)).toBe(9);
    expect(placed.length).toBe(3);
    // The line is numbered 1..5 without gaps or ties, as the answers were told.
    const places = results.map((r) => (r.ok ? r.rsvp.waiting : -1)).filter((x) => x !== null).sort();
    expect(places).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("changes and cancellation", () => {
  it("everyone who answered is told what changed, in their language; an outdated revision is refused; a larger capacity moves the line up", async () => {
    w = await startWorld();
    const { id, staff: s } = await published({ capacity: 2 });
    const people = { kk: await member(w, "501", "kk"), ru: await member(w, "502", "ru"), en: await member(w, "503", "en") };
    await w.run(people.kk, (u) => answerEvent(u, id, "going", 2));
    await w.run(people.ru, (u) => answerEvent(u, id, "maybe", null));
    await w.run(people.en, (u) => answerEvent(u, id, "going", 1)); // waits
    const nobody = await member(w, "504", "ru"); // did not answer: not told
    const newStart = "2027-03-16T06:30:00.000Z"; // 16.03.2027 11:30
    const changed = input({ startsAt: newStart, venue: "Астана, «EXPO»", capacity: 5, title: { ...input().title, en: "<b>Congress</b> & fair" } });
    expect(await w.run(s, (u) => updateEvent(u, id, 1, changed))).toEqual({ ok: false, reason: "event-outdated" });
    expect(await w.run(s, (u) => updateEvent(u, id, 0, changed))).toEqual({ ok: true });
    expect(await w.run(s, (u) => updateEvent(u, id, 0, changed))).toEqual({ ok: false, reason: "event-outdated" });
    for (const [chat, locale] of [["501", "kk"], ["502", "ru"], ["503", "en"]] as const) {
      const texts = await w.texts(chat);
      const notice = texts.find((t) => t.startsWith(tr(locale, "event-changed", { title: changed.title[locale]! })));
      expect(notice, chat).toBeDefined();
      expect(notice).toContain(tr(locale, "event-changed-time", { before: "15.03.2027 10:00", time: "16.03.2027 11:30" }));
      expect(notice).toContain(tr(locale, "event-changed-venue", { venue: "Астана, «EXPO»" }));
      expect(notice).toContain(tr(locale, "event-changed-capacity", { count: 5 }));
      expect(notice).not.toContain(tr(locale, "event-changed-deadline-none"));
    }
    // The title typed with markup is shown as text (escaped), not as markup.
    expect(w.channel.in("503").some((m) => m.message.text.includes("&lt;b&gt;Congress&lt;/b&gt; &amp; fair"))).toBe(true);
    expect(await w.texts("504")).toEqual([]);
    // The en enterprise waited; 5 places now: moved up and told.
    expect((await w.texts("503")).at(-1)).toContain(tr("en", "event-moved-up", { title: changed.title.en!, time: "16.03.2027 11:30", count: 1 }));
    void nobody;
  });

  it("a cancellation tells everyone who answered, in their language, with the reason; nothing can be answered after", async () => {
    w = await startWorld();
    const { id, staff: s } = await published();
    const people = { kk: await member(w, "501", "kk"), ru: await member(w, "502", "ru"), en: await member(w, "503", "en") };
    await w.run(people.kk, (u) => answerEvent(u, id, "going", 2));
    await w.run(people.ru, (u) => answerEvent(u, id, "no", null));
    await w.run(people.en, (u) => answerEvent(u, id, "maybe", null));
    expect(await w.run(s, (u) => cancelEvent(u, id, 0, "Перенос на осень"))).toEqual({ ok: true });
    expect(await w.run(s, (u) => cancelEvent(u, id, 1, null))).toEqual({ ok: false, reason: "event-cancelled" });
    for (const [chat, locale] of [["501", "kk"], ["502", "ru"], ["503", "en"]] as const) {
      expect((await w.texts(chat)).at(-1)).toBe(
        [tr(locale, "event-cancelled-notice", { title: input().title[locale]!, time: "15.03.2027 10:00" }), tr(locale, "event-cancelled-reason", { reason: "Перенос на осень" })].join("\n"),
      );
    }
    expect(await w.run(people.en, (u) => answerEvent(u, id, "going", 1))).toEqual({ ok: false, reason: "event-cancelled" });
    expect(await w.run(s, (u) => updateEvent(u, id, 1, input()))).toEqual({ ok: false, reason: "event-cancelled" });
  });
});

describe("what members see", () => {
  it("the event in their language (else ru, kk, en) with their enterprise's answer; My events lists what they answered", async () => {
    w = await startWorld();
    const { id } = await published({ description: { en: "Plenary." } });
    const kk = await member(w, "501", "kk");
    await w.run(kk, (u) => answerEvent(u, id, "maybe", null));
    const seen = await w.run(kk, (u) => eventForMember(u, id));
    expect(seen).toMatchObject({ ok: true, event: { id, title: { kk: input().title.kk }, description: { kk: "Plenary." } }, rsvp: { answer: "maybe", delegates: 0, waiting: null } });
    const mine = await w.run(kk, (u) => myEvents(u));
    expect(mine.map((m) => [m.event.id, m.rsvp?.answer])).toEqual([[id, "maybe"]]);
    const other = await member(w, "502", "en");
    expect(await w.run(other, (u) => myEvents(u))).toEqual([]);
    // Invited: the event's publication was delivered to their chat (one Outbox row of its broadcast).
    await w.db.transaction(async (tx) => {
      const b = await tx.broadcast.create({ data: { kind: "event", eventId: id, texts: "{}", audience: "{}" } });
      await tx.outbox.create({ data: { channel: "telegram", chatId: "502", payload: "{}", status: "sent", lane: "bulk", broadcastId: b.id } });
    });
    const invited = await w.run(other, (u) => myEvents(u));
    expect(invited.map((m) => [m.event.id, m.event.title, m.rsvp])).toEqual([[id, { en: input().title.en }, null]]);
  });
});

describe("the calendar file", () => {
  it("has the start in UTC (10:00 in Almaty), the summary and location in the reader's language, GEO, a stable UID and a two-hour duration", async () => {
    w = await startWorld();
    const { id, staff: s } = await published();
    const ics = (await w.run(s, (u) => eventIcs(u, id, "kk")))!;
    expect(ics.name).toBe(`event-${id}.ics`);
    const lines = ics.content.split("\r\n");
    expect(lines).toContain("DTSTART:20270315T050000Z");
    expect(lines).toContain("DURATION:PT2H");
    expect(lines).toContain(`SUMMARY:${input().title.kk}`);
    expect(lines).toContain("LOCATION:Алматы\\, Rixos\\, зал «Достық»");
    expect(lines).toContain("GEO:43.2389;76.9455");
    expect(lines).toContain(`UID:event-${id}@qaz-textile-bot`);
    expect(lines).toContain("SEQUENCE:0");
    expect(ics.content.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    // Rescheduled: the same UID, a higher SEQUENCE, the new start.
    await w.run(s, (u) => updateEvent(u, id, 0, input({ startsAt: "2027-03-15T07:00:00.000Z", location: null })));
    const again = (await w.run(s, (u) => eventIcs(u, id, "en")))!.content.split("\r\n");
    expect(again).toContain(`UID:event-${id}@qaz-textile-bot`);
    expect(again).toContain("SEQUENCE:1");
    expect(again).toContain("DTSTART:20270315T070000Z");
    expect(again).toContain(`SUMMARY:${input().title.en}`);
    expect(again.some((l) => l.startsWith("GEO:"))).toBe(false);
    // The confirmation a member gets carries these bytes, as a calendar file.
    const m = await member(w, "501", "en");
    await w.run(m, (u) => answerEvent(u, id, "going", 2));
    await w.core.dispatcher.idle();
    const file = w.channel.in("501").at(-1)!.files[0]!;
    expect(file.name).toBe(`event-${id}.ics`);
    expect(new TextDecoder().decode(file.bytes)).toBe((await w.run(s, (u) => eventIcs(u, id, "en")))!.content);
    const stored = await w.db.transaction((tx) => tx.storedFile.findMany({ where: { mime: "text/calendar" } }));
    expect(stored.length).toBe(1);
  });
});

describe("the attendee list", () => {
  it("lists placed, waiting, maybe, no with totals; the CSV opens in Excel (BOM, ';', CRLF, Cyrillic) with formulas defused", async () => {
    w = await startWorld();
    const { id, staff: s } = await published({ capacity: 3 });
    const a = await member(w, "501", "ru", "ТОО «Шёлковый путь»; Алматы");
    const b = await member(w, "502", "ru", "=HYPERLINK(\"http://x\")");
    const c = await member(w, "503", "ru", "ИП Ахметова");
    await w.run(c, (u) => answerEvent(u, id, "no", null));
    w.later(1000);
    await w.run(a, (u) => answerEvent(u, id, "going", 3));
    w.later(1000);
    await w.run(b, (u) => answerEvent(u, id, "going", 2));
    const list = await w.run(s, (u) => attendees(u, id));
    expect(list).toMatchObject({ ok: true, totals: { delegates: 3, going: 1, maybe: 0, no: 1, waiting: 1 } });
    expect((list as { items: { enterprise: string; waiting: boolean; person: string | null }[] }).items.map((i) => [i.enterprise, i.waiting, i.person])).toEqual([
      ["ТОО «Шёлковый путь»; Алматы", false, "Person 501"],
      ['=HYPERLINK("http://x")', true, "Person 502"],
      ["ИП Ахметова", false, "Person 503"],
    ]);
    const m = await member(w, "504");
    expect(await w.run(m, (u) => attendees(u, id))).toEqual({ ok: false, reason: "error-not-allowed" });
    const csv = await w.run(s, (u) => attendeesCsv(u, id));
    if (!csv.ok) throw new Error(csv.reason);
    expect(csv.name).toBe(`event-${id}-attendees-2026-11-30.csv`);
    const h = (k: string) => tr("ru", `event-csv-${k}`);
    expect(csv.csv).toBe(
      "\uFEFF" +
        [
          [h("enterprise"), h("answer"), h("delegates"), h("waiting"), h("person"), h("answered")].join(";"),
          `"ТОО «Шёлковый путь»; Алматы";${tr("ru", "event-answer-going")};3;нет;Person 501;30.11.2026 11:00`,
          `"'=HYPERLINK(""http://x"")";${tr("ru", "event-answer-going")};2;да;Person 502;30.11.2026 11:00`,
          `ИП Ахметова;${tr("ru", "event-answer-no")};0;нет;Person 503;30.11.2026 11:00`,
          `${h("totals")};${tr("ru", "event-answer-going")};3;1;;`,
        ].join("\r\n") +
        "\r\n",
    );
    const kept = await w.db.transaction((tx) => tx.storedFile.findUniqueOrThrow({ where: { id: csv.fileId } }));
    expect(kept.mime).toBe("text/csv");
    // The person who answered erases their data: the enterprise's answer stays, without them.
    await w.run(a, (u) => erasePerson(u, a.person.personId));
    const after = await w.run(s, (u) => attendees(u, id));
    expect((after as { items: { enterprise: string; delegates: number; person: string | null }[] }).items[0]).toMatchObject({ enterprise: "ТОО «Шёлковый путь»; Алматы", delegates: 3, person: null });
    expect(await w.db.transaction((tx) => tx.eventRsvp.count({ where: { personId: a.person.personId } }))).toBe(0);
  });
});
