/**
 * A member stops and restarts announcements (issue 8 item 7): /stop, /subscribe and the menu entry
 * (one of the two, by state); the answer says what still reaches them; staff's recipient count
 * leaves them out while stopped.
 */
import { afterEach, describe, expect, it } from "vitest";
import { composeSimple, sixMembers, startCompose, tr, type ComposeWorld } from "./flows-support.ts";
import { MEMBER_COMMANDS } from "../../../src/core/core.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

const total = (count: number) => tr("ru", "compose-screen-total", { count });

describe("/stop and /subscribe", () => {
  it("stop and restart announcements by command and menu, and change who is counted", { timeout: 180_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const member = w.h.person("201", { language: "ru" });
    await member.send("/menu");
    expect(member.buttons()).toContain(tr("ru", "menu-stop"));
    expect(member.buttons()).not.toContain(tr("ru", "menu-subscribe"));
    await member.send("/stop");
    expect(member.fresh()).toContain(tr("ru", "compose-stopped"));
    // The menu now offers the other entry.
    expect(member.buttons()).toContain(tr("ru", "menu-subscribe"));
    expect(member.buttons()).not.toContain(tr("ru", "menu-stop"));

    // Staff count five now; the Kazakh reader stops through the menu: four.
    await composeSimple(w.staff, ["ru"]);
    expect(w.staff.last().text).toContain(total(5));
    const kk = w.h.person("101", { language: "kk" });
    await kk.send("/menu");
    await kk.press(tr("kk", "menu-stop"));
    expect(kk.fresh()).toContain(tr("kk", "compose-stopped"));
    await w.staff.press(tr("ru", "compose-edit-button"));
    await w.staff.press(tr("ru", "compose-edit-audience"));
    await w.staff.press(tr("ru", "compose-audience-all"));
    expect(w.staff.last().text).toContain(total(4));
    expect(w.staff.last().text).toContain(tr("ru", "compose-screen-per-language", { language: tr("ru", "compose-lang-kk"), count: 1 }));

    // Back on: by the menu entry, and by the command (twice is harmless).
    await member.press(tr("ru", "menu-subscribe"));
    expect(member.fresh()).toContain(tr("ru", "compose-subscribed"));
    await kk.send("/subscribe");
    await kk.send("/subscribe");
    expect(kk.fresh().filter((t) => t === tr("kk", "compose-subscribed")).length).toBe(2);
    await w.staff.press(tr("ru", "compose-edit-button"));
    await w.staff.press(tr("ru", "compose-edit-audience"));
    await w.staff.press(tr("ru", "compose-audience-all"));
    expect(w.staff.last().text).toContain(total(6));

    // Subscribed again: the next announcement reaches them.
    await w.staff.press(tr("ru", "compose-send-button"));
    await w.staff.press(tr("ru", "compose-send-yes"));
    await w.h.core.dispatcher.idle();
    expect(w.texts("201").join("\n")).toContain("Текст ru");
  });

  it("the menu offers neither entry to someone with no enterprise (announcements do not reach them)", { timeout: 60_000 }, async () => {
    w = await startCompose();
    await w.person("500");
    const visitor = w.h.person("500", { language: "ru" });
    await visitor.send("/menu");
    expect(visitor.buttons()).toContain(tr("ru", "menu-help"));
    expect(visitor.buttons()).not.toContain(tr("ru", "menu-stop"));
    expect(visitor.buttons()).not.toContain(tr("ru", "menu-subscribe"));
    // Staff get announcements addressed to staff: the entry is theirs too.
    await w.staff.send("/menu");
    expect(w.staff.buttons()).toContain(tr("ru", "menu-stop"));
    expect(w.staff.buttons()).toContain(tr("ru", "menu-announce"));
  });

  it("are in the members' command menu, described in every language", () => {
    expect(MEMBER_COMMANDS).toContain("stop");
    expect(MEMBER_COMMANDS).toContain("subscribe");
    for (const l of ["kk", "ru", "en"] as const) {
      expect(tr(l, "cmd-stop")).not.toBe("");
      expect(tr(l, "cmd-subscribe")).not.toBe("");
    }
  });
});
