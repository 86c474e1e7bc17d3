/**
 * Breaker 8 (no fault found, kept as a guard): a member who answered an event and then stopped
 * announcements (/stop) still gets its reminder (issue 8 item 7: events they answered still reach
 * them).
 */
import { afterEach, describe, expect, it } from "vitest";
import { setAnnouncements } from "../../src/core/broadcasts/service.ts";
import { answerEvent, createEvent } from "../../src/core/events/service.ts";
import { formatLocalDateTime } from "../../src/core/time.ts";
import { tr } from "../support/core-harness.ts";
import { input, member, publish, staff, startWorld, type World } from "../core/events/support.ts";

let w: World;
afterEach(async () => {
  await w?.close();
});

const HOUR = 3_600_000;

describe("a member who stopped announcements", () => {
  it("still gets the reminders of an event they answered", async () => {
    w = await startWorld();
    const s = await staff(w);
    const startsAt = new Date(w.now.getTime() + 3 * 24 * HOUR);
    const r = await w.run(s, (u) => createEvent(u, input({ startsAt: startsAt.toISOString() })));
    if (!r.ok) throw new Error(r.reason);
    await publish(w, r.id);
    const m = await member(w, "501", "kk");
    await w.run(m, (u) => answerEvent(u, r.id, "maybe", null));
    expect(await w.run(m, (u) => setAnnouncements(u, false))).toEqual({ on: false });
    await w.core.dispatcher.idle();
    w.channel.messages.length = 0;
    w.later(2 * 24 * HOUR + 60_000);
    await w.core.jobWorker.tick();
    await w.core.dispatcher.idle();
    const text = tr("kk", "event-reminder", { title: input().title.kk!, time: formatLocalDateTime(startsAt) });
    expect(w.channel.in("501").map((x) => x.text.split("\n")[0])).toEqual([text]);
  });
});
