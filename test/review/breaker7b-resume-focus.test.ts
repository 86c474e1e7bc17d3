/**
 * breaker7b: the console shows a person's waiting question again when it starts and on `/as NAME`
 * (a "resume" event). For staff who had opened a problem with `/problem <ref>` in a private chat,
 * that re-shown menu was saved as the dialog moving on, which ended the focus: switching to the
 * member to read the reply and back (as the README suggests), or a restart, and the staff's next
 * message was answered "Please choose one of the options" instead of reaching the member.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { ADMIN, activeMember, reportProblem } from "../core/problems/report-support.ts";

let h: Harness;
let now = new Date("2026-11-30T05:00:00Z");
beforeEach(async () => {
  now = new Date("2026-11-30T05:00:00Z");
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] }, clock: () => now });
});
afterEach(async () => h.close());

const later = () => (now = new Date(now.getTime() + 60_000));
const resume = (chat: string) => h.handle({ channel: "telegram", chatId: chat, userId: chat, chatType: "private", event: { type: "resume" } });

describe("a chat reopened (resume) keeps the problem it is focused on", () => {
  it("staff's /problem <ref>: after a resume, what staff write still reaches the member", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const staff = h.person(ADMIN, { language: "en" });
    later();
    await staff.send(`/problem ${ref}`);
    later();
    await resume(ADMIN);
    later();
    await staff.send("We are looking into it");
    expect(staff.last().text).toBe(tr("en", "thread-sent-to-member"));
    expect(p.last().text).toContain("We are looking into it");
    const entries = await h.db.transaction((tx) => tx.problemEntry.findMany({ where: { kind: "staff" } }));
    expect(entries.map((e) => e.text)).toEqual(["We are looking into it"]);
  }, 120_000); // whole flows on a shared machine

  it("a resume does not revive a focus that is over (the menu opened since)", async () => {
    const p = await activeMember(h, "100", "en");
    const ref = await reportProblem(p, "en");
    const staff = h.person(ADMIN, { language: "en" });
    later();
    await staff.send(`/problem ${ref}`);
    later();
    await staff.send("/menu");
    later();
    await resume(ADMIN);
    later();
    await staff.send("Not for the member");
    expect(await h.db.transaction((tx) => tx.problemEntry.count({ where: { kind: "staff" } }))).toBe(0);
    expect(p.last().text).not.toContain("Not for the member");
  }, 120_000); // whole flows on a shared machine
});
