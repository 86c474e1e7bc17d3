/**
 * Announcements delivered end to end at Telegram's limits (issue 8 items 6, 8, 9 and 10, "How it is
 * shown"): the bot with the Telegram adapter's real limits against the fake Bot API enforcing
 * Telegram's (429 with retry_after). A crash in the middle of a broadcast and a start again: every
 * recipient gets it, at most the messages in flight at the crash twice; a member pressing a button
 * while hundreds are queued is answered before the broadcast ends; pause, resume and cancel from
 * the progress message's buttons, the report's figures, /broadcasts and the failures' CSV.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import type { BotMessage } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import { compose, E2E_TIMEOUT, en, mark, plain, reportOf, startWorld, until, WAIT, type Member, type World } from "./events-support.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/**
 * The most rows one instance holds in flight at once on a channel (src/core/outbox/dispatcher.ts,
 * the default `concurrency`): a crash may leave that many sent but not recorded, sent again after.
 */
const IN_FLIGHT_BOUND = 16;

/** `n` members reading Russian, each of a new active enterprise. */
async function members(world: World, n: number): Promise<Member[]> {
  const out: Member[] = [];
  for (let i = 0; i < n; i++) out.push(await world.member("ru"));
  return out;
}

/** How many messages containing `text` each member got. */
const copies = (people: Member[], text: string) => people.map((m) => m.user.messages.filter((x) => x.text.includes(text)).length);
const delivered = (people: Member[], text: string) => copies(people, text).filter((c) => c > 0).length;

/** The bot at Telegram's limits (the adapter's own), against a fake that enforces them too. */
const atLimits = () => startWorld({ limits: "telegram", fakeLimits: true });

describe("a restart in the middle of a broadcast", () => {
  it.each(["crash", "graceful stop"] as const)("after a %s and a start again, every recipient gets it; at most the in-flight ones twice", async (how) => {
    w = await atLimits();
    const people = await members(w, 150);
    const { text, id } = await compose(w, [en("compose-audience-all")], 150, { done: false });
    await until(() => delivered(people, text) >= 20, "20 delivered before the crash");
    if (how === "crash") {
      await w.h.crash();
      expect(delivered(people, text)).toBeLessThan(150);
      await w.h.start();
    } else {
      // Stopped as a deploy stops it (in-flight sends finish and are recorded), then started again.
      expect(delivered(people, text)).toBeLessThan(150);
      await w.h.restart();
    }
    const report = await reportOf(w, id);
    expect(report.text).toContain(plain(en("broadcast-report", { id, sent: 150, total: 150 })));
    const counts = copies(people, text);
    // Nobody skipped; duplicates only among the rows that were in flight at the crash.
    expect(counts.filter((c) => c === 0).length).toBe(0);
    expect(counts.reduce((a, c) => a + (c - 1), 0)).toBeLessThanOrEqual(IN_FLIGHT_BOUND);
    // Telegram's limits were kept: no call inside a retry_after window.
    expect(w.h.fake.floodStats.inWindow).toBe(0);
  }, E2E_TIMEOUT);
});

describe("a member during a broadcast", () => {
  it("is answered before a broadcast of hundreds ends", async () => {
    w = await atLimits();
    const people = await members(w, 300);
    const asking = people[299]!;
    const { text, id } = await compose(w, [en("compose-audience-all")], 300, { done: false });
    await until(() => delivered(people, text) >= 10, "the broadcast under way");
    // The member opens the menu and presses a button of it, while most of the broadcast is queued.
    const menu = await step(asking.user, () => asking.user.send("/menu"), tr("ru", "menu-prompt"));
    const after = mark(asking.user);
    asking.user.press(tr("ru", "menu-myevents"), { message: menu.message_id });
    const answer = await asking.user.waitFor((m) => m.message_id > after && !m.text.includes(text), WAIT);
    const queuedThen = 300 - delivered(people, text);
    expect(queuedThen).toBeGreaterThan(0);
    // Dana's progress message is edited while it sends (every few seconds), before the report.
    const sending = (m: BotMessage) => {
      const k = /(\d+) of 300 delivered/.exec(m.text);
      return m.text.startsWith(plain(en("broadcast-progress", { id, sent: 0, total: 0 })).split(":")[0]!) && !!k && Number(k[1]) > 0 && Number(k[1]) < 300;
    };
    const progress = await w.dana.waitFor(sending, { after: 0, ...WAIT }).catch(() => w!.dana.messages.find(sending));
    expect(progress, "a progress edit while sending").toBeDefined();
    await reportOf(w, id);
    // In the order Telegram saw them: the answer came before the broadcast's last message.
    const sends = w.h.fake.callsTo("sendMessage").filter((c) => c.ok);
    const answerAt = sends.findIndex((c) => String(c.params.chat_id) === String(asking.user.id) && c.params.text !== undefined && !String(c.params.text).includes("Объявление") && (c.result as { message_id: number }).message_id === answer.message_id);
    const lastBulk = sends.findLastIndex((c) => String(c.params.text ?? "").includes("Объявление"));
    expect(answerAt).toBeGreaterThanOrEqual(0);
    expect(answerAt).toBeLessThan(lastBulk);
    expect(w.h.fake.floodStats.inWindow).toBe(0);
  }, E2E_TIMEOUT);
});

describe("the progress message", () => {
  it("pauses, resumes and cancels from its buttons; the report's figures; /broadcasts; the failures' CSV", async () => {
    w = await atLimits();
    const people = await members(w, 200);
    // One deleted the account (403, learned on the first send); one chat refuses the message (400).
    people[0]!.user.deactivate();
    w.h.fake.failNext("sendMessage", { error_code: 400, description: "Bad Request: message is too long" }, 1, people[1]!.user.id);
    const { dana, h } = w;
    const { text, id } = await compose(w, [en("compose-audience-all")], 200, { done: false });
    const progress = await dana.waitFor((m) => !!m.reply_markup && m.reply_markup.inline_keyboard.flat().some((b) => b.text === en("broadcast-btn-pause")), { after: 0, ...WAIT });
    await until(() => delivered(people, text) >= 5, "some delivered");

    // Pause: nothing more is sent while paused (a definite point: the bot has nothing left to do).
    const paused = dana.press(en("broadcast-btn-pause"), { message: progress.message_id });
    expect((await paused.answer).text).toBe(en("compose-paused"));
    await h.settled(WAIT);
    const whilePaused = delivered(people, text);
    expect(whilePaused).toBeLessThan(198);
    await dana.waitFor((m) => m.message_id === progress.message_id && m.text.startsWith(plain(en("broadcast-progress-paused", { id, sent: 0, total: 0 })).split(":")[0]!), { after: progress.message_id - 1, ...WAIT });
    await h.settled(WAIT);
    expect(delivered(people, text)).toBe(whilePaused);

    // Resume from the same message: sending goes on.
    const resumed = dana.press(en("broadcast-btn-resume"), { message: progress.message_id });
    expect((await resumed.answer).text).toBe(en("compose-resumed"));
    await until(() => delivered(people, text) >= whilePaused + 5, "more delivered after Resume");

    // Cancel asks first; yes stops it.
    await step(dana, () => dana.press(en("broadcast-btn-cancel"), { message: progress.message_id }), en("compose-cancel-confirm", { id, title: "x", left: 0, sent: 0 }).slice(0, 20));
    await step(dana, () => dana.press(en("compose-cancel-yes")), en("compose-cancel-done", { id }));
    const report = await reportOf(w, id, { cancelled: true });
    await h.settled(WAIT);
    const got = delivered(people, text);
    expect(got).toBeLessThan(198);
    const rows = await h.db.transaction((tx) => tx.outbox.groupBy({ by: ["status"], where: { broadcastId: id }, _count: true }));
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r._count]));
    // The report's figures are what happened.
    expect(report.text).toContain(plain(en("broadcast-report-cancelled", { id, sent: got, total: 200 })));
    expect(report.text).toContain(en("broadcast-report-unreachable", { count: 1 }));
    expect(report.text).toContain(en("broadcast-report-failed", { count: 1 }));
    expect(report.text).toContain(en("broadcast-report-not-sent", { count: 200 - got - 2 }));
    expect([byStatus.sent, byStatus.unreachable, byStatus.failed, byStatus.cancelled]).toEqual([got, 1, 1, 200 - got - 2]);
    // Nobody got it twice, and nothing went after the cancel.
    expect(Math.max(...people.map((m) => m.user.messages.filter((x) => x.text.includes(text)).length))).toBe(1);

    // /broadcasts lists it with its figures; opened, its failures come as a CSV document.
    const list = await step(dana, () => dana.send("/broadcasts"), plain(en("compose-list-title")));
    expect(list.text).toContain(text.slice(0, 12));
    await step(dana, () => dana.press(new RegExp(text.slice(0, 12))), plain(en("compose-figures-title", { id, title: "" })).split(":")[0]!);
    const card: BotMessage = dana.last();
    expect(card.text).toContain(`${en("compose-figures-counts", { total: 200, sent: got, unreachable: 1, failed: 1, left: 0, cancelled: 200 - got - 2 }).split("\n")[1]}`);
    const before = mark(dana);
    dana.press(en("compose-csv-button", { count: 2 }));
    const doc = await dana.waitFor((m) => m.file?.kind === "document", { after: before, ...WAIT });
    expect(doc.file!.name).toMatch(/\.csv$/);
    const csv = doc.file!.bytes.toString("utf8");
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split("\r\n").filter(Boolean);
    expect(lines.length).toBe(3);
    expect(csv).toContain(`Person ${people[0]!.user.id}`);
    expect(csv).toContain(`Person ${people[1]!.user.id}`);
    expect(csv).toContain(en("broadcast-csv-unreachable"));
    expect(csv).toContain("message is too long");
    expect(w.h.fake.floodStats.inWindow).toBe(0);
  }, E2E_TIMEOUT);
});
