/**
 * breaker7: a double tap on Take (the second press before the post's edit arrives, still carrying
 * the old revision) was answered "This message is out of date: the problem has changed since",
 * to the very person who had just taken it. Taking a problem one has already taken is answered as
 * taken, whatever revision the button carries; another's Take from an old post stays outdated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, button, GROUP, postOf, startThreadWorld, tr, type ThreadWorld } from "../core/problems/thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

describe("Take pressed twice", () => {
  it("the same person's second press is answered as taken; another's press of the old post is outdated", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const take = button(postOf(w, id), "t");
    const dana = w.h.inGroup(GROUP, ADMIN, { language: "en", name: "Dana" });
    expect((await dana.pressData(take)).notice).toBe(tr("en", "thread-taken"));
    expect((await dana.pressData(take)).notice).toBe(tr("en", "thread-taken"));
    const row = await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
    expect(row.revision).toBe(1);
    const audits = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "problem.take", outcome: "ok" } }));
    expect(audits.length).toBeLessThanOrEqual(1);

    // Another staff member pressing Take on the post as it was: outdated.
    await w.h.person("905", { language: "en", name: "Erlan" }).send("/start");
    const other = w.h.inGroup(GROUP, "905", { language: "en", name: "Erlan" });
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "905" } } }, data: { role: "staff" } }));
    const before = w.group().length;
    const r = await other.pressData(take);
    const said = [r.notice, ...w.group().slice(before).map((m) => m.text)].filter(Boolean);
    expect(said, JSON.stringify(said)).toContain(tr("en", "problem-outdated"));
    expect((await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).revision).toBe(1);
  });
});
