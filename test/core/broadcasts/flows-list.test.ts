/**
 * `/broadcasts` (issue 8 item 6): recent announcements with their figures, a page at a time; one
 * opened shows its figures and, with failures, a button that sends their CSV as a document. And
 * scheduling from the compose screen: an unreadable or past time is asked again, a future one
 * schedules.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { DeliveryError } from "../../../src/core/channel.ts";
import { createBroadcast, startBroadcast } from "../../../src/core/broadcasts/service.ts";
import { LIST_SIZE } from "../../../src/core/broadcasts/compose-flows.ts";
import { composeSimple, newest, sixMembers, startCompose, tr, type ComposeWorld } from "./flows-support.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

describe("/broadcasts", () => {
  it("lists with figures, pages, opens one and sends the CSV of its failures", { timeout: 240_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    // 203 blocked the bot; 202's chat is not found.
    const deliver = w.h.channel.deliver.bind(w.h.channel);
    w.h.channel.deliver = async (chatId, outbound) => {
      if (chatId === "203") throw new DeliveryError("unreachable", "Forbidden: bot was blocked by the user");
      if (chatId === "202") throw new DeliveryError("rejected", "Bad Request: chat not found");
      return deliver(chatId, outbound);
    };
    const { staff } = w;
    await composeSimple(staff, ["ru"]);
    await staff.press(tr("ru", "compose-send-button"));
    await staff.press(tr("ru", "compose-send-yes"));
    await w.h.core.dispatcher.idle();
    // More, to the staff only, so that the list has two pages.
    const me = await w.h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { role: "staff" } }));
    for (let i = 0; i < LIST_SIZE; i++) {
      await w.h.core.run({ person: { personId: me.id, role: "staff", locale: "ru" }, ref: "telegram:900" }, async (unit) => {
        const b = await createBroadcast(unit, { texts: { ru: `Для сотрудников ${i}` }, file: null, audience: { kind: "staff" } });
        if (!b.ok) throw new Error(b.reason);
        await startBroadcast(unit, b.id);
      });
    }
    await w.h.core.dispatcher.idle();
    await staff.send("/broadcasts");
    let list = staff.last();
    expect(list.text).toContain(tr("ru", "compose-list-range", { from: 1, to: LIST_SIZE, total: LIST_SIZE + 1 }));
    expect(list.text).toContain(`Для сотрудников ${LIST_SIZE - 1}`);
    expect(list.text).not.toContain("Текст ru");
    await staff.press(tr("ru", "compose-list-next"));
    list = staff.last();
    expect(list.text).toContain(tr("ru", "compose-list-range", { from: LIST_SIZE + 1, to: LIST_SIZE + 1, total: LIST_SIZE + 1 }));
    expect(list.text).toContain("Текст ru");
    await staff.press(/Текст ru/);
    const card = staff.last();
    expect(card.text).toContain("Текст ru");
    expect(card.text).toMatch(/Доставлено: 4/);
    expect(card.text).toMatch(/недоступны: 1/);
    expect(card.text).toMatch(/Ошибки доставки: 1/);
    await staff.press(tr("ru", "compose-csv-button", { count: 2 }));
    const doc = newest(staff, tr("ru", "compose-csv-sent", { count: 2 }))!;
    expect(doc.files.length).toBe(1);
    const csv = new TextDecoder().decode(doc.files[0]!.bytes);
    expect(csv.split("\r\n").filter(Boolean).length).toBe(3);
    expect(csv).toContain("Person 203");
    expect(csv).toContain("Person 202");
    expect(csv).toContain(tr("ru", "broadcast-csv-unreachable"));
    // Back to the list, on the page it was opened from.
    await staff.press(tr("ru", "compose-list-back"));
    expect(staff.last().text).toContain(tr("ru", "compose-list-range", { from: LIST_SIZE + 1, to: LIST_SIZE + 1, total: LIST_SIZE + 1 }));
  });

  it("is refused to a member", { timeout: 30_000 }, async () => {
    w = await startCompose();
    const e = await w.enterprise();
    await w.person("400", { enterpriseId: e });
    const member = w.h.person("400", { language: "ru" });
    await member.send("/broadcasts");
    expect(member.fresh()).toContain(tr("ru", "error-not-allowed"));
  });
});

describe("Schedule", () => {
  it("asks again for an unreadable or past time, then schedules", { timeout: 180_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const { staff } = w;
    await composeSimple(staff, ["ru"]);
    await staff.press(tr("ru", "compose-schedule-button"));
    expect(staff.last().text).toBe(tr("ru", "compose-ask-when"));
    staff.fresh();
    await staff.send("завтра утром");
    expect(staff.fresh()).toEqual([tr("ru", "compose-when-unreadable"), tr("ru", "compose-ask-when")]);
    await staff.send("15.03.2020 10:00");
    const past = staff.fresh();
    expect(past[0]).toMatch(new RegExp(`^${tr("ru", "compose-when-past", { now: "X" }).split("X")[0]!.replace(/[()]/g, ".")}`));
    expect(past[1]).toBe(tr("ru", "compose-ask-when"));
    const at = DateTime.now().setZone("Asia/Almaty").plus({ days: 2 }).startOf("minute");
    await staff.send(at.toFormat("dd.MM.yyyy HH:mm"));
    expect(staff.fresh()).toContain(tr("ru", "compose-scheduled", { date: at.toFormat("dd.MM.yyyy HH:mm") }));
    const b = await w.h.db.transaction((tx) => tx.broadcast.findFirstOrThrow({ orderBy: { id: "desc" } }));
    expect(b.status).toBe("scheduled");
    expect(b.scheduledAt?.getTime()).toBe(at.toMillis());
    // Nothing reached the members yet.
    expect(w.texts("201")).toEqual([]);
    // Cancelled from /broadcasts (a scheduled one has no progress message): it never starts.
    await staff.send("/broadcasts");
    await staff.press(/Текст ru/);
    expect(staff.last().text).toContain(tr("ru", "compose-figures-scheduled", { date: at.toFormat("dd.MM.yyyy HH:mm") }));
    await staff.press(tr("ru", "compose-open-cancel"));
    await staff.press(tr("ru", "compose-cancel-yes"));
    expect(staff.fresh()).toContain(tr("ru", "compose-cancel-done", { id: b.id }));
    expect((await w.h.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id: b.id } }))).status).toBe("cancelled");
  });
});
