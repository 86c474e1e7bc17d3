/**
 * Members' answers to events through the real core (issue 8 item 2): the invitation's RSVP buttons
 * (ev:g|m|n:<id>), "Going" asking how many delegates (1 to 20, refused with why and asked again,
 * a button or a typed number), the waiting list with its place, maybe and not going, the deadline
 * and a cancelled event, forged data (a non-member, a missing event, malformed), My events; the
 * staff's attendee list and its CSV.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEvents, STAFF, text, type EventsWorld } from "./flows-support.ts";
import type { TestPerson } from "../../support/core-harness.ts";
import { cancelEvent } from "../../../src/core/events/service.ts";

let w: EventsWorld;
afterEach(async () => w?.close());

const ru = (key: string, args?: Record<string, string | number>) => text("ru", key, args);
const en = (key: string, args?: Record<string, string | number>) => text("en", key, args);
const rsvps = () => w.h.db.transaction((tx) => tx.eventRsvp.findMany({ orderBy: { id: "asc" } }));
/** The newest message but the main menu, which follows every finished task in a private chat. */
const said = (p: TestPerson) => [...p.messages()].reverse().find((m) => !m.albumOf && m.text !== ru("menu-prompt") && m.text !== en("menu-prompt") && m.text !== text("kk", "menu-prompt"))!;
const denied = (action: string) => w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action, outcome: "denied" } }));

describe("answering an invitation", () => {
  it("asks how many delegates for Going, refuses bad numbers, and confirms with the calendar file", async () => {
    w = await startEvents();
    const a = await w.member("501", "Cotton LLP");
    const id = await w.published({ capacity: 20 });
    expect(a.buttons()).toEqual([ru("broadcast-rsvp-going"), ru("broadcast-rsvp-maybe"), ru("broadcast-rsvp-no")]);
    await a.press(ru("broadcast-rsvp-going"));
    expect(said(a).text).toBe(ru("evf-ask-delegates", { title: "Съезд", max: 20 }));
    a.fresh();
    for (const bad of ["25", "0", "three", "-1", "2.5"]) {
      await a.send(bad);
      expect(a.fresh()).toEqual([`${ru("evf-bad-delegates", { max: 20 })}\n\n${ru("evf-ask-delegates", { title: "Съезд", max: 20 })}`]);
    }
    await a.send("12");
    const confirmation = said(a);
    expect(confirmation.text).toContain("Съезд");
    expect(confirmation.files.map((f) => f.name)).toEqual([expect.stringMatching(/\.ics$/)]);
    expect((await rsvps()).map((r) => [r.eventId, r.answer, r.delegates, r.waiting])).toEqual([[id, "going", 12, false]]);
    // Changed to two delegates with a button of the question (typed "2" on channels without buttons).
    await a.press(ru("broadcast-rsvp-going"));
    await a.press(/^2$/);
    expect((await rsvps()).map((r) => r.delegates)).toEqual([2]);
    // The same again changes nothing and is said so, once.
    a.fresh();
    await a.press(ru("broadcast-rsvp-going"));
    await a.send("2");
    expect(a.fresh()).toEqual([ru("evf-ask-delegates", { title: "Съезд", max: 20 }), ru("evf-answer-going", { title: "Съезд", count: 2 }), ru("menu-prompt")]);
  }, 120_000);

  it("puts an answer over capacity on the waiting list with its place; maybe and not going are answered at once", async () => {
    w = await startEvents();
    const a = await w.member("501", "Cotton LLP");
    const b = await w.member("502", "Wool JSC", "en");
    const c = await w.member("503", "Silk Ltd", "kk");
    const id = await w.published({ capacity: 4 });
    await a.pressData(`ev:g:${id}`);
    await a.send("3");
    await b.pressData(`ev:g:${id}`);
    await b.send("2");
    expect(said(b).text).toBe(en("evf-answer-waiting", { title: "Congress", place: 1, count: 2 }));
    const maybe = await c.press(text("kk", "broadcast-rsvp-maybe"));
    expect(maybe.consumed).toBe(true);
    expect(said(c).text).toBe(text("kk", "evf-answer-maybe", { title: "Съезд қк" }));
    await c.pressData(`ev:n:${id}`);
    expect(said(c).text).toBe(text("kk", "evf-answer-no", { title: "Съезд қк" }));
    expect((await rsvps()).map((r) => [r.answer, r.delegates, r.waiting])).toEqual([
      ["going", 3, false],
      ["going", 2, true],
      ["no", 0, false],
    ]);
  }, 120_000);

  it("tells why after the deadline and for a cancelled event, and records nothing", async () => {
    w = await startEvents();
    const a = await w.member("501", "Cotton LLP");
    const id = await w.published({ rsvpDeadline: "2026-12-10T05:00:00.000Z" });
    // The delegates question is open when the deadline passes: the answer is refused there.
    await a.pressData(`ev:g:${id}`);
    w.later(11 * 86_400_000);
    await a.send("2");
    expect(said(a).text).toBe(ru("evf-refused-event-deadline-passed"));
    await a.pressData(`ev:g:${id}`);
    expect(said(a).text).toBe(ru("evf-refused-event-deadline-passed"));
    await a.pressData(`ev:m:${id}`);
    expect(said(a).text).toBe(ru("evf-refused-event-deadline-passed"));
    expect(await rsvps()).toEqual([]);

    const other = await w.published({ title: { ru: "Семинар" } });
    const revision = (await w.h.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id: other } }))).revision;
    await w.as(STAFF, (unit) => cancelEvent(unit, other, revision, null));
    await a.pressData(`ev:g:${other}`);
    expect(said(a).text).toBe(ru("evf-refused-event-cancelled"));
    await a.pressData(`ev:n:${other}`);
    expect(said(a).text).toBe(ru("evf-refused-event-cancelled"));
    expect(await rsvps()).toEqual([]);
  }, 120_000);

  it("refuses forged data: a non-member, a missing event, malformed data; each audited", async () => {
    w = await startEvents();
    await w.member("501", "Cotton LLP");
    const id = await w.published();
    const s = await w.stranger("600");
    await s.pressData(`ev:m:${id}`);
    expect(said(s).text).toBe(ru("evf-refused-event-not-member"));
    await s.pressData(`ev:g:${id}`);
    expect(said(s).text).toBe(ru("evf-refused-event-not-member"));
    expect(said(s).text).not.toContain(ru("evf-ask-delegates", { title: "Съезд", max: 20 }));
    expect((await denied("event.answer")).length).toBe(2);

    const a = w.h.person("501");
    await a.pressData("ev:m:987654");
    expect(said(a).text).toBe(ru("evf-refused-event-not-found"));
    await a.pressData("ev:g:987654");
    expect(said(a).text).toBe(ru("evf-refused-event-not-found"));
    for (const forged of ["ev:x:1", `ev:g:${id}:5`, "ev:g:abc", "ev:g:0", "ev:m:99999999999999999999", `ev:g: ${id}`]) {
      const r = await a.pressData(forged);
      expect(r.notice).toBe(ru("button-stale"));
    }
    expect((await denied("event.button")).length).toBe(6);
    expect(await rsvps()).toEqual([]);
  }, 120_000);
});

describe("My events", () => {
  it("lists upcoming events with the enterprise's answer and the buttons to change it", async () => {
    w = await startEvents();
    const a = await w.member("501", "Cotton LLP");
    const id = await w.published();
    await w.published({ title: { ru: "Семинар" }, startsAt: "2027-01-20T05:00:00.000Z" });
    await a.pressData(`ev:g:${id}`);
    await a.send("4");
    a.fresh();
    await a.send("/myevents");
    const shown = a.fresh();
    expect(shown[0]).toBe(ru("evf-my-title", { count: 2 }));
    // Soonest first; each with its answer.
    expect(shown[1]).toContain("Семинар");
    expect(shown[1]).toContain(ru("evf-member-no-answer"));
    expect(shown[2]).toContain("Съезд");
    expect(shown[2]).toContain(ru("evf-answer-going", { title: "Съезд", count: 4 }));
    await a.press(ru("broadcast-rsvp-no"));
    expect((await rsvps()).map((r) => r.answer)).toEqual(["no"]);
    // The menu offers it to members.
    await a.send("/menu");
    expect(a.buttons()).toContain(ru("menu-myevents"));
    const s = await w.stranger("600");
    await s.send("/myevents");
    expect(said(s).text).toBe(ru("evf-my-empty"));
  }, 120_000);
});

describe("the attendee list", () => {
  it("shows delegates per enterprise with totals, paged, and exports them as CSV", async () => {
    w = await startEvents();
    const a = await w.member("501", "Cotton <b>LLP</b>");
    const b = await w.member("502", "Wool JSC");
    const c = await w.member("503", "Silk Ltd");
    const id = await w.published({ capacity: 5 });
    await a.pressData(`ev:g:${id}`);
    await a.send("3");
    await b.pressData(`ev:g:${id}`);
    await b.send("4");
    await c.pressData(`ev:m:${id}`);
    const st = w.staff;
    await st.send("/events");
    await st.press(/Congress/);
    await st.press(en("evf-button-attendees"));
    const list = st.last().text;
    expect(list).toContain(en("evf-attendees-totals", { going: 1, delegates: 3, waiting: 1, maybe: 1, no: 0 }));
    expect(list).toContain(en("evf-attendee-going", { n: 1, name: "Cotton <b>LLP</b>", count: 3 }));
    expect(list).toContain(en("evf-attendee-waiting", { n: 2, name: "Wool JSC", count: 4 }));
    expect(list).toContain(en("evf-attendee-maybe", { n: 3, name: "Silk Ltd" }));
    expect(st.last().message.text).toContain("Cotton &lt;b&gt;LLP&lt;/b&gt;");
    await st.press(en("evf-button-back"));
    await st.press(en("evf-button-export"));
    const sent = [...st.messages()].reverse().find((m) => m.files.length);
    expect(sent?.text).toBe(en("evf-export-sent"));
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(sent!.files[0]!.bytes);
    expect(sent!.files[0]!.name).toMatch(/\.csv$/);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv).toContain("Cotton <b>LLP</b>");
    expect(csv).toContain("Wool JSC");
  }, 120_000);

  it("pages a long list", async () => {
    w = await startEvents();
    const id = await (async () => {
      for (let i = 1; i <= 17; i++) await w.member(String(700 + i), `Enterprise ${String(i).padStart(2, "0")}`);
      return w.published();
    })();
    for (let i = 1; i <= 17; i++) await w.h.person(String(700 + i)).pressData(`ev:n:${id}`);
    const st = w.staff;
    await st.send("/events");
    await st.press(/Congress/);
    await st.press(en("evf-button-attendees"));
    expect(st.last().text).toContain(en("evf-list-range", { from: 1, to: 15, total: 17 }));
    expect(st.last().text).not.toContain("16. ");
    await st.press(en("lists-next"));
    expect(st.last().text).toContain(en("evf-list-range", { from: 16, to: 17, total: 17 }));
    expect(st.last().text).toContain("17. ");
  }, 120_000);
});
