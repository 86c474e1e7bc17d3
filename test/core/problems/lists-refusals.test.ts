/** The staff lists refuse everyone but staff: commands, menu entries, group commands and forged buttons, each answered and audited. */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../../support/core-harness.ts";
import type { CoreSettings } from "../../../src/core/turn.ts";
import { STAFF_COMMANDS } from "../../../src/core/core.ts";
import { MENU_COMMANDS } from "../../../src/core/dialog/commands.ts";

const ADMINS: CoreSettings["admins"] = [{ channel: "telegram", id: "900" }];
const GROUP = "-100500";

let h: Harness;
afterEach(async () => h?.close());

const audit = () => h.db.transaction((tx) => tx.auditLog.findMany({ orderBy: { id: "asc" } }));

describe("staff lists for non-staff", () => {
  it("refuses /problems, /stats and /export and the menu entries, and audits each", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const intruder = h.person("666", { language: "ru" });
    await intruder.send("/start");
    expect(intruder.buttons()).not.toContain(tr("ru", "menu-problems"));
    intruder.fresh();
    for (const command of ["/problems", "/stats", "/export"]) {
      await intruder.send(command);
      const said = intruder.fresh();
      expect(said).toContain(tr("ru", "error-not-allowed"));
      // Nothing of the lists leaked: no list, no figures, no file.
      expect(said.join("\n")).not.toContain(tr("ru", "lists-title"));
      expect(said.join("\n")).not.toContain(tr("ru", "lists-stats-title"));
      expect(said.join("\n")).not.toContain(tr("ru", "lists-export-ask"));
    }
    for (const item of ["problems", "stats", "export"]) {
      const r = await intruder.pressData(`m:${item}`);
      expect(r.notice).toBe(tr("ru", "error-not-allowed"));
    }
    expect(intruder.messages().some((m) => m.message.files?.length)).toBe(false);
    expect((await audit()).map((x) => [x.action, x.outcome, x.actorRef])).toEqual(
      ["menu-problems", "menu-stats", "menu-export", "menu-problems", "menu-stats", "menu-export"].map((a) => [a, "denied", "telegram:666"]),
    );
  });

  it("refuses forged list buttons without showing anything", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const intruder = h.person("666", { language: "en" });
    await intruder.send("/start");
    intruder.fresh();
    for (const data of ["abcd0:p1", "abcd0:next", "abcd0:fs", "abcd0:export", "abcd1:government", "x".repeat(64)]) {
      const r = await intruder.pressData(data);
      expect(r.notice === tr("en", "button-stale") || r.notice === tr("en", "error-not-allowed")).toBe(true);
    }
    const said = intruder.fresh().join("\n");
    expect(said).not.toContain(tr("en", "lists-title"));
    expect(said).not.toContain(tr("en", "lists-stats-title"));
  });

  it("refuses the group commands to a member of the staff group who is not staff", async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: GROUP } } });
    const intruder = h.inGroup(GROUP, "666", { language: "en" });
    for (const command of ["/problems", "/stats", "/export"]) {
      await intruder.send(command);
      expect(intruder.last().text).toBe(tr("en", "error-not-allowed"));
    }
    expect((await audit()).map((x) => [x.action, x.outcome])).toEqual([
      ["command-problems", "denied"],
      ["command-stats", "denied"],
      ["command-export", "denied"],
    ]);
  });

  it("offers the lists to staff: the menu entry, the commands and the group's command menu", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const admin = h.person("900", { language: "kk" });
    await admin.send("/start");
    expect(admin.buttons()).toContain(tr("kk", "menu-problems"));
    expect(STAFF_COMMANDS).toEqual(expect.arrayContaining(["problems", "stats"]));
    expect(MENU_COMMANDS).toMatchObject({ problems: "problems", stats: "stats", export: "export" });
    await admin.send("/help");
    expect(admin.fresh().join("\n")).toContain("/problems");
  });
});
