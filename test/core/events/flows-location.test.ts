/**
 * The inbound "location" event (added for an event's map point, issue 8) where nothing asks for
 * one: a member in a problem's "Write to staff" who shares a location is told it cannot be passed
 * on, like a sticker (Telegram locations were "unsupported" before; without routing them the same
 * way they fell to the dialog engine, and the member got the main menu believing staff had it).
 */
import { afterEach, describe, expect, it } from "vitest";
import { MEMBER, startThreadWorld, tr, type ThreadWorld } from "../problems/thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

describe("a shared location outside the event questions", () => {
  it("in Write to staff is answered 'cannot be passed on', and Write to staff stays on", async () => {
    w = await startThreadWorld();
    const { ref } = await w.submit();
    const m = w.member;
    await m.send("/start");
    await m.press(tr("ru", "menu-myproblems"));
    await m.press(new RegExp(ref));
    await m.press(tr("ru", "problem-write-button"));
    m.fresh();
    await w.raw(MEMBER, { type: "location", latitude: 43.2389, longitude: 76.8897 });
    expect(m.fresh()).toEqual([tr("ru", "thread-unsupported")]);
    await m.send("Текст после точки");
    expect(m.fresh()).toEqual([tr("ru", "thread-sent-to-staff")]);
  }, 120_000);
});
