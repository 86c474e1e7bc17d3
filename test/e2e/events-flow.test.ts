/**
 * Events end to end (issue 8, "How it is shown"), the whole bot over HTTP against the fake Bot API:
 * a staff member creates an event in three languages pressing the real buttons and typing the
 * date, publishes it with RSVP; members reading kk, ru and en get it in their language; delegates
 * and the waiting list; the .ics file's bytes as the member downloads them; reminders with a clock
 * the test moves; reschedule and cancel notices to those who answered, in their language.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { download, E2E_TIMEOUT, en, mark, startWorld, textsOf, WAIT, type Member, type World } from "./events-support.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const TITLES = { kk: "Қауымдастық съезі", ru: "Съезд ассоциации", en: "Association congress" } as const;
const VENUE = "Atakent Expo, hall 3";
/** 10:00 in Almaty on the day typed, as an instant (Luxon, the zone's rules; no hand arithmetic). */
const START = DateTime.fromObject({ year: 2027, month: 3, day: 15, hour: 10 }, { zone: "Asia/Almaty" });

/** Dana creates the event in kk, ru and en through /events, saves it and publishes it to all members; its id. */
async function createAndPublish(world: World, opts: { capacity?: number } = {}): Promise<number> {
  const { dana, h } = world;
  await step(dana, () => dana.send("/events"), en("evf-list-empty"));
  await step(dana, () => dana.press(en("evf-button-new")), en("evf-ask-languages"));
  await step(dana, () => dana.press("Kazakh + Russian + English"), en("evf-ask-title", { language: "Kazakh" }));
  await step(dana, () => dana.send(TITLES.kk), en("evf-ask-description", { language: "Kazakh" }));
  await step(dana, () => dana.send("Жыл сайынғы съезд"), en("evf-ask-title", { language: "Russian" }));
  await step(dana, () => dana.send(TITLES.ru), en("evf-ask-description", { language: "Russian" }));
  await step(dana, () => dana.send("Ежегодный съезд"), en("evf-ask-title", { language: "English" }));
  await step(dana, () => dana.send(TITLES.en), en("evf-ask-description", { language: "English" }));
  await step(dana, () => dana.send("The yearly congress"), en("evf-ask-time"));
  // Unreadable, then in the past: each refused with why, and asked again.
  await step(dana, () => dana.send("32.13.2027 10:00"), en("evf-bad-time"));
  await step(dana, () => dana.send("01.01.2026 10:00"), en("evf-bad-time-past"));
  await step(dana, () => dana.send("15.03.2027 10:00"), en("evf-ask-venue"));
  await step(dana, () => dana.send(VENUE), en("evf-ask-location"));
  await step(dana, () => dana.press(en("evf-button-no-location")), en("evf-ask-capacity"));
  if (opts.capacity) await step(dana, () => dana.send(String(opts.capacity)), en("evf-ask-deadline"));
  else await step(dana, () => dana.press(en("evf-button-no-limit")), en("evf-ask-deadline"));
  await step(dana, () => dana.press(en("evf-button-no-deadline")), en("evf-ask-reminders"));
  const summary = await step(dana, () => dana.press(en("evf-button-reminders-default")), en("evf-summary").replace(/<\/?b>/g, ""));
  expect(summary.text).toContain(en("evf-field-time", { time: "15.03.2027 10:00" }));
  await step(dana, () => dana.press(en("evf-button-save")), en("evf-status-draft"));
  await h.settled(WAIT);
  await step(dana, () => dana.press(en("evf-button-publish")), en("evf-ask-audience"));
  // The number of people first, then a yes: members of every enterprise (here: all of them).
  const people = await h.db.transaction((tx) => tx.membership.count({ where: { status: "active" } }));
  await step(dana, () => dana.press(en("evf-audience-all")), en("evf-publish-confirm", { count: people }));
  await step(dana, () => dana.press(en("evf-publish-yes")), en("evf-status-published"));
  const [event] = await h.db.transaction((tx) => tx.event.findMany());
  expect(JSON.parse(event!.title)).toEqual(TITLES);
  expect(event!.startsAt.getTime()).toBe(START.toMillis());
  return event!.id;
}

/** Waits for the invitation in `m`'s chat, in `m`'s language, with the three RSVP buttons in it. */
async function invitation(m: Member) {
  const got = await m.user.waitFor(TITLES[m.locale], { after: 0, ...WAIT });
  expect(got.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(["going", "maybe", "no"].map((a) => tr(m.locale, `broadcast-rsvp-${a}`)));
  for (const other of Object.keys(TITLES) as Locale[]) if (other !== m.locale) expect(got.text).not.toContain(TITLES[other]);
  return got;
}

/** `m` presses Going on the invitation and answers the delegates question with `count`; the answer. */
async function going(m: Member, id: number, count: number) {
  const t = (key: string, args?: Record<string, string | number>) => tr(m.locale, key, args);
  const inv = await invitation(m);
  await w!.h.settled(WAIT);
  await step(m.user, () => m.user.press(t("broadcast-rsvp-going"), { message: inv.message_id }), t("evf-ask-delegates", { title: TITLES[m.locale], max: 20 }));
  expect(id).toBeGreaterThan(0);
  const after = mark(m.user);
  m.user.send(String(count));
  return m.user.waitFor((msg) => msg.text.includes(TITLES[m.locale]) && !msg.text.includes(t("evf-ask-delegates", { title: TITLES[m.locale], max: 20 })), { after, ...WAIT });
}

const rsvps = () => w!.h.db.transaction((tx) => tx.eventRsvp.findMany({ orderBy: { id: "asc" } }));

describe("an event created in three languages and published with RSVP", () => {
  it("reaches members in kk, ru and en in their language; delegates, the waiting list, the .ics as downloaded", async () => {
    w = await startWorld();
    const kk = await w.member("kk");
    const ru = await w.member("ru");
    const enM = await w.member("en");
    const outsider = await w.member("ru", { enterpriseId: null });
    const id = await createAndPublish(w, { capacity: 5 });
    for (const m of [kk, ru, enM]) await invitation(m);
    await w.h.settled(WAIT);
    // Someone without an enterprise is not invited.
    expect(textsOf(outsider.user).some((t) => t.includes(TITLES.ru))).toBe(false);

    // kk: going with 3 delegates, a confirmation carrying the calendar file.
    const confirmed = await going(kk, id, 3);
    const ics = await kk.user.waitFor((m) => m.file?.kind === "document" && /\.ics$/.test(m.file.name ?? ""), { after: 0, ...WAIT });
    expect(confirmed.text + ics.text).toContain(TITLES.kk);
    const bytes = (await download(w.h, ics)).toString("utf8");
    expect(bytes).toBe(ics.file!.bytes.toString("utf8"));
    // Unfolded (RFC 5545 folds long lines with CRLF + space).
    const lines = bytes.replace(/\r\n[ \t]/g, "").split("\r\n");
    const field = (name: string) => lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
    expect(field("SUMMARY")).toBe(`SUMMARY:${TITLES.kk}`);
    expect(field("LOCATION")).toBe(`LOCATION:${VENUE.replace(/,/g, "\\,")}`);
    // The start instant is 10:00 in Almaty whichever way the file writes it (UTC "Z" or TZID).
    const dtstart = field("DTSTART")!;
    const utc = /^DTSTART:(\d{8}T\d{6})Z$/.exec(dtstart);
    const zoned = /^DTSTART;TZID=([^:]+):(\d{8}T\d{6})$/.exec(dtstart);
    const instant = utc
      ? DateTime.fromFormat(utc[1]!, "yyyyMMdd'T'HHmmss", { zone: "utc" })
      : DateTime.fromFormat(zoned![2]!, "yyyyMMdd'T'HHmmss", { zone: zoned![1]! });
    expect(instant.isValid, dtstart).toBe(true);
    expect(instant.toMillis()).toBe(START.toMillis());

    // ru: going with 3 more → over capacity 5: the waiting list, place 1.
    const waiting = await going(ru, id, 3);
    expect(waiting.text).toContain(tr("ru", "evf-answer-waiting", { title: TITLES.ru, place: 1, count: 3 }));
    // en: maybe.
    const inv = await invitation(enM);
    await step(enM.user, () => enM.user.press(en("broadcast-rsvp-maybe"), { message: inv.message_id }), en("evf-answer-maybe", { title: TITLES.en }));
    expect((await rsvps()).map((r) => [r.enterpriseId, r.answer, r.delegates, r.waiting])).toEqual([
      [kk.enterpriseId, "going", 3, false],
      [ru.enterpriseId, "going", 3, true],
      [enM.enterpriseId, "maybe", 0, false],
    ]);

    // kk changes to not going: ru moves up, and is told so in Russian.
    await w.h.settled(WAIT);
    const before = mark(ru.user);
    const invKk = await invitation(kk);
    await step(kk.user, () => kk.user.press(tr("kk", "broadcast-rsvp-no"), { message: invKk.message_id }), tr("kk", "evf-answer-no", { title: TITLES.kk }));
    const movedUp = await ru.user.waitFor(tr("ru", "event-moved-up", { title: TITLES.ru, time: "15.03.2027 10:00", count: 3 }).split("\n")[0]!, { after: before, ...WAIT });
    expect(movedUp.text).toContain(TITLES.ru);
    expect((await rsvps()).map((r) => [r.answer, r.waiting])).toEqual([["no", false], ["going", false], ["maybe", false]]);
  }, E2E_TIMEOUT);
});

describe("reminders", () => {
  it("go a day and two hours before to those going or maybe, in their language, each once, also across a restart", async () => {
    let offset = 0;
    w = await startWorld({ clock: () => new Date(Date.now() + offset) });
    const kk = await w.member("kk");
    const ru = await w.member("ru");
    const enM = await w.member("en");
    const id = await createAndPublish(w);
    await going(kk, id, 2);
    const inv = await invitation(ru);
    await step(ru.user, () => ru.user.press(tr("ru", "broadcast-rsvp-maybe"), { message: inv.message_id }), tr("ru", "evf-answer-maybe", { title: TITLES.ru }));
    const invEn = await invitation(enM);
    await step(enM.user, () => enM.user.press(en("broadcast-rsvp-no"), { message: invEn.message_id }), en("evf-answer-no", { title: TITLES.en }));
    await w.h.settled(WAIT);
    const reminder = (l: Locale) => tr(l, "event-reminder", { title: TITLES[l], time: "15.03.2027 10:00" });
    const count = (m: Member) => textsOf(m.user).filter((t) => t.includes(reminder(m.locale))).length;

    /** Moves the bot's clock to `at` (Almaty) and runs the due jobs. */
    const at = async (local: string) => {
      offset = DateTime.fromFormat(local, "dd.MM.yyyy HH:mm", { zone: "Asia/Almaty" }).toMillis() - Date.now();
      await w!.h.core.jobWorker.tick();
      await w!.h.settled(WAIT);
    };
    await at("14.03.2027 09:58");
    expect([count(kk), count(ru), count(enM)]).toEqual([0, 0, 0]);
    await at("14.03.2027 10:01");
    await kk.user.waitFor(reminder("kk"), { after: 0, ...WAIT });
    await ru.user.waitFor(reminder("ru"), { after: 0, ...WAIT });
    // Again, and after a restart: nothing more.
    await at("14.03.2027 10:05");
    await w.h.restart();
    await at("14.03.2027 10:06");
    expect([count(kk), count(ru), count(enM)]).toEqual([1, 1, 0]);
    await at("15.03.2027 08:01");
    await w.h.restart();
    await at("15.03.2027 08:02");
    expect([count(kk), count(ru), count(enM)]).toEqual([2, 2, 0]);
  }, E2E_TIMEOUT);
});

describe("reschedule and cancel", () => {
  it("tell everyone who answered what changed, each in their language; nobody else", async () => {
    w = await startWorld();
    const kk = await w.member("kk");
    const ru = await w.member("ru");
    const enM = await w.member("en");
    const silent = await w.member("ru");
    const id = await createAndPublish(w);
    await going(kk, id, 2);
    for (const [m, answer] of [[ru, "maybe"], [enM, "no"]] as const) {
      const inv = await invitation(m);
      await step(m.user, () => m.user.press(tr(m.locale, `broadcast-rsvp-${answer}`), { message: inv.message_id }), tr(m.locale, `evf-answer-${answer}`, { title: TITLES[m.locale] }));
    }
    await invitation(silent);
    await w.h.settled(WAIT);
    const marks = new Map<FakeUser, number>([kk, ru, enM, silent].map((m) => [m.user, mark(m.user)]));
    const { dana } = w;

    await step(dana, () => dana.send("/events"), en("evf-list-title").replace(/<\/?b>/g, ""));
    await step(dana, () => dana.press(new RegExp(TITLES.en)), en("evf-status-published"));
    await step(dana, () => dana.press(en("evf-button-edit")), en("evf-edit-which"));
    await step(dana, () => dana.press(en("evf-edit-time")), en("evf-ask-time"));
    await step(dana, () => dana.send("16.03.2027 11:30"), en("evf-updated"));
    for (const m of [kk, ru, enM]) {
      const notice = await m.user.waitFor(tr(m.locale, "event-changed", { title: TITLES[m.locale] }), { after: marks.get(m.user)!, ...WAIT });
      expect(notice.text).toContain(tr(m.locale, "event-changed-time", { time: "16.03.2027 11:30", before: "15.03.2027 10:00" }));
    }

    await w.h.settled(WAIT);
    await step(dana, () => dana.press(en("evf-button-cancel-event")), en("evf-ask-cancel-reason"));
    await step(dana, () => dana.send("The hall is closed"), en("evf-ask-cancel-sure"));
    await step(dana, () => dana.press(en("evf-button-cancel-yes")), en("evf-cancelled"));
    for (const m of [kk, ru, enM]) {
      const notice = await m.user.waitFor(tr(m.locale, "event-cancelled-notice", { title: TITLES[m.locale], time: "16.03.2027 11:30" }), { after: marks.get(m.user)!, ...WAIT });
      expect(notice.text).toContain(tr(m.locale, "event-cancelled-reason", { reason: "The hall is closed" }));
    }
    await w.h.settled(WAIT);
    // The one who never answered heard neither.
    expect(textsOf(silent.user).filter((t) => t.includes(TITLES.ru)).length).toBe(1);
    expect((await w.h.db.transaction((tx) => tx.event.findUniqueOrThrow({ where: { id } }))).status).toBe("cancelled");
  }, E2E_TIMEOUT);
});
