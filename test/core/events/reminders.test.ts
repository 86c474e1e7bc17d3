/**
 * Event reminders (src/core/events/jobs.ts) with the jobs engine's clock moved by the test and the
 * worker ticked by hand: a day and two hours before, to those going (placed) or maybe, in their
 * language; once, across a restart; never for a cancelled event; a reschedule moves them (the old
 * jobs find the start changed and do nothing); none whose time has passed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { answerEvent, cancelEvent, createEvent, updateEvent } from "../../../src/core/events/service.ts";
import { REMINDER_JOB, reminderKey } from "../../../src/core/events/jobs.ts";
import { tr } from "../../support/core-harness.ts";
import { formatLocalDateTime } from "../../../src/core/time.ts";
import { input, member, publish, staff, startWorld, type World } from "./support.ts";

let w: World;
afterEach(async () => {
  await w?.close();
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const jobs = () => w.db.transaction((tx) => tx.job.findMany({ where: { kind: REMINDER_JOB }, orderBy: { runAt: "asc" } }));

/** An event three days from now (w.now 30.11.2026 11:00 in Almaty), published, answered by four enterprises. */
async function answered() {
  const s = await staff(w);
  const startsAt = new Date(w.now.getTime() + 3 * DAY);
  const r = await w.run(s, (u) => createEvent(u, input({ startsAt: startsAt.toISOString(), capacity: 2 })));
  if (!r.ok) throw new Error(r.reason);
  await publish(w, r.id);
  const going = await member(w, "501", "kk");
  const maybe = await member(w, "502", "en");
  const no = await member(w, "503", "ru");
  const waiting = await member(w, "504", "ru");
  await w.run(going, (u) => answerEvent(u, r.id, "going", 2));
  await w.run(maybe, (u) => answerEvent(u, r.id, "maybe", null));
  await w.run(no, (u) => answerEvent(u, r.id, "no", null));
  await w.run(waiting, (u) => answerEvent(u, r.id, "going", 1));
  await w.core.dispatcher.idle();
  w.channel.messages.length = 0;
  return { id: r.id, staff: s, startsAt };
}

// The start as the bot writes it (core/time.ts, tested in time.test.ts); the first event is 03.12.2026 11:00.
const reminder = (locale: "kk" | "ru" | "en", at: Date) => tr(locale, "event-reminder", { title: input().title[locale]!, time: formatLocalDateTime(at) });

describe("reminders", () => {
  it("go a day and two hours before to those going or maybe, in their language, each once, even across a restart", async () => {
    w = await startWorld();
    const { id, startsAt } = await answered();
    expect(formatLocalDateTime(startsAt)).toBe("03.12.2026 11:00");
    expect((await jobs()).map((j) => [j.key, j.runAt.getTime()])).toEqual([
      [reminderKey(id, 1440, startsAt), startsAt.getTime() - DAY],
      [reminderKey(id, 120, startsAt), startsAt.getTime() - 2 * HOUR],
    ]);
    w.later(2 * DAY - MIN);
    await w.core.jobWorker.tick();
    expect(await w.texts("501")).toEqual([]);
    w.later(2 * MIN);
    await w.core.jobWorker.tick();
    const venue = tr("kk", "event-venue-line", { venue: input().venue! });
    expect(await w.texts("501")).toEqual([`${reminder("kk", startsAt)}\n${venue}`]);
    expect((await w.texts("502"))[0]).toContain(reminder("en", startsAt));
    expect(await w.texts("503")).toEqual([]); // not going
    expect(await w.texts("504")).toEqual([]); // waiting: no place
    await w.restart();
    await w.core.jobWorker.tick();
    expect((await w.texts("501")).length).toBe(1);
    w.later(DAY - 2 * HOUR);
    await w.core.jobWorker.tick();
    await w.restart();
    await w.core.jobWorker.tick();
    expect((await w.texts("501")).length).toBe(2);
    expect((await w.texts("502")).length).toBe(2);
    expect((await jobs()).map((j) => [j.status, j.attempts])).toEqual([
      ["done", 1],
      ["done", 1],
    ]);
  });

  it("never fire for a cancelled event", async () => {
    w = await startWorld();
    const { id, staff: s } = await answered();
    await w.run(s, (u) => cancelEvent(u, id, 0, null));
    await w.core.dispatcher.idle();
    w.channel.messages.length = 0;
    w.later(3 * DAY - HOUR);
    await w.core.jobWorker.tick();
    await w.core.jobWorker.tick();
    for (const chat of ["501", "502", "503", "504"]) expect(await w.texts(chat)).toEqual([]);
    expect((await jobs()).map((j) => j.status)).toEqual(["done", "done"]);
  });

  it("follow a reschedule: the old times do nothing, the new ones fire; none is scheduled whose time has passed", async () => {
    w = await startWorld();
    const { id, staff: s, startsAt } = await answered();
    const moved = new Date(startsAt.getTime() + DAY);
    expect(await w.run(s, (u) => updateEvent(u, id, 0, input({ startsAt: moved.toISOString(), capacity: 2 })))).toEqual({ ok: true });
    await w.core.dispatcher.idle();
    w.channel.messages.length = 0;
    expect((await jobs()).map((j) => j.key)).toEqual([reminderKey(id, 1440, startsAt), reminderKey(id, 120, startsAt), reminderKey(id, 1440, moved), reminderKey(id, 120, moved)]);
    w.later(3 * DAY - HOUR); // past both old times
    await w.core.jobWorker.tick();
    expect(await w.texts("501")).toEqual([]);
    w.later(DAY); // past the new day-before
    await w.core.jobWorker.tick();
    expect((await w.texts("501"))[0]).toContain(reminder("kk", moved));
    // Moved to 90 minutes from now: the day-before and two-hours-before are past, nothing is scheduled.
    const soon = new Date(w.now.getTime() + 90 * MIN);
    const before = (await jobs()).length;
    expect(await w.run(s, (u) => updateEvent(u, id, 1, input({ startsAt: soon.toISOString(), capacity: 2 })))).toEqual({ ok: true });
    expect((await jobs()).length).toBe(before);
  });
});
