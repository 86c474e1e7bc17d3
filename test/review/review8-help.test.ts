/**
 * Review of issue 8: the new commands are where people look for them. The staff group's command
 * menu (STAFF_COMMANDS, registered for the group's chat) offered /events, /announce and /broadcasts,
 * but the group took only /pending, /problems, /stats, /export and /help: the others met silence.
 * And /help named none of /myevents, /stop, /subscribe, /events, /announce, /broadcasts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GROUP_COMMANDS, MEMBER_COMMANDS, STAFF_COMMANDS } from "../../src/core/core.ts";
import { createBroadcast } from "../../src/core/broadcasts/service.ts";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { LOCALES } from "../../src/i18n/locales.ts";

let h: Harness;
afterEach(async () => h?.close());
const G = "-1001";

describe("issue 8's commands in help and in the staff group", () => {
  it("every command of the staff group's command menu works there (none meets silence)", () => {
    for (const c of STAFF_COMMANDS) if (c !== "cancel") expect(GROUP_COMMANDS[c], c).toBe(c);
  });

  it("in the staff group, /events and /announce point to the private chat and /broadcasts shows the recent ones", { timeout: 120_000 }, async () => {
    h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }], staffChat: { channel: "telegram", chatId: G } } });
    const dana = h.inGroup(G, "900", { language: "en", name: "Dana" });
    await dana.send("/help");
    const staffId = (await h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { role: "admin" } }))).id;
    await h.core.run({ person: { personId: staffId, role: "admin", locale: "en" }, ref: "telegram:900" }, async (unit) => {
      const r = await createBroadcast(unit, { texts: { en: "Congress on 15 March" }, file: null, audience: { kind: "staff" } });
      if (!r.ok) throw new Error(r.reason);
    });
    dana.fresh();
    await dana.send("/events");
    expect(dana.fresh()).toEqual([tr("en", "evf-private-only")]);
    await dana.send("/announce");
    expect(dana.fresh()).toEqual([tr("en", "compose-private-only")]);
    await dana.send("/broadcasts");
    const seen = dana.fresh();
    expect(seen.length).toBe(1);
    expect(seen[0]).toContain("Congress on 15 March");
    expect(seen[0]).toContain(tr("en", "compose-list-group-hint"));
    // No question is left waiting for Dana's reply in the group: her next remark is chatter.
    await dana.send("hello all");
    expect(dana.fresh()).toEqual([]);
  });

  it.each(LOCALES)("/help names the commands of events and announcements (%s)", (l) => {
    const member = tr(l, "help-text");
    for (const c of MEMBER_COMMANDS) if (c !== "start") expect(member, c).toContain(`/${c}`);
    const staff = tr(l, "help-staff");
    for (const c of STAFF_COMMANDS) if (c !== "help" && c !== "cancel") expect(staff, c).toContain(`/${c}`);
  });
});
