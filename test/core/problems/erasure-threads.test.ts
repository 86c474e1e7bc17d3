/**
 * Erasure and the staff threads (members/erasure.ts → problems/data.ts forgetProblemPerson): a
 * person's relayed messages are re-rendered without their name in EVERY problem's thread they
 * wrote in, not only in those they reported; and no copy of their name or phone is left in the
 * problems' tables, the outbox, or (SQLite) the database file's bytes.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { addMemberMessage } from "../../../src/core/problems/service.ts";
import { focusOn } from "../../../src/core/problems/focus.ts";
import { ADMIN, MEMBER, postOf, startThreadWorld, type ThreadWorld } from "./thread-support.ts";

const onPostgres = process.env.TEST_DATABASE === "postgresql";
const NAME = "Zhanar Qwertyuly";
const PHONE = "+77019876543";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

describe("erasure and the staff threads", () => {
  it("the person's relayed messages lose their name in every thread they wrote in, and no copy is left in the problems' tables", async () => {
    w = await startThreadWorld();
    const identity = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER } }));
    await w.h.db.transaction((tx) => tx.person.update({ where: { id: identity.personId }, data: { name: NAME, phone: PHONE } }));
    // Problem A: theirs. Problem B: reported by a colleague of the same enterprise (not by them).
    const a = await w.submit({ title: "Первая проблема" });
    const b = await w.submit({ title: "Вторая проблема" });
    const colleague = await w.h.db.transaction((tx) => tx.person.create({ data: { name: "Коллега", locale: "ru" } }));
    await w.h.db.transaction((tx) => tx.problem.update({ where: { id: b.id }, data: { reporterId: colleague.id } }));

    // The member writes in each thread (as "Write to staff" does): relayed with their name.
    const actor = { person: { personId: identity.personId, role: "member", locale: "ru" as const }, ref: `telegram:${MEMBER}` };
    const relayed: string[] = [];
    for (const [problem, text] of [[a, "Ответ по первой"], [b, "Ответ по второй"]] as const) {
      expect(await w.h.core.run(actor, (unit) => addMemberMessage(unit, problem.id, { text, files: [] }))).toEqual({ ok: true });
      await w.h.core.dispatcher.idle();
      const copy = w.group().find((m) => m.text.includes(text))!;
      expect(copy.text).toContain(NAME);
      relayed.push(copy.messageId);
    }

    await w.h.core.run({ person: { personId: identity.personId, role: "member", locale: "ru" }, ref: `telegram:${MEMBER}` }, (unit) => erasePerson(unit, identity.personId));
    await w.h.core.dispatcher.idle();

    for (const [i, id] of relayed.entries()) {
      const copy = w.group().find((m) => m.messageId === id)!;
      expect(copy.text, `thread ${i + 1}`).not.toContain("Zhanar");
      expect(copy.text).toContain(i === 0 ? "Ответ по первой" : "Ответ по второй");
    }
    expect(postOf(w, a.id).text).not.toContain("Zhanar");
    expect(postOf(w, b.id).text).not.toContain("Zhanar");

    // What the database keeps: no copy of the name or phone in the problems' tables nor the outbox.
    const rows = await w.h.db.transaction(async (tx) => [
      ...(await tx.problem.findMany()),
      ...(await tx.problemEntry.findMany()),
      ...(await tx.problemAffected.findMany()),
      ...(await tx.outbox.findMany()),
      ...(await tx.sentMessage.findMany()),
    ]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain("Zhanar");
    expect(dump).not.toContain("9876543");
    if (!onPostgres) {
      await w.h.core.idle();
      const files = [join(w.h.dir, "bot.db"), join(w.h.dir, "bot.db-wal")].filter((f) => existsSync(f));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const secret of ["Zhanar", "Qwertyuly", "9876543"]) expect(bytes.includes(Buffer.from(secret, "utf8")), `${secret} in ${file}`).toBe(false);
      }
    }
  });

  it("a staff member's reply echoed from their private chat into the thread loses their name when they are erased", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const key = `telegram:${ADMIN}`;
    const admin = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: ADMIN } }));
    await w.h.db.transaction((tx) => tx.person.update({ where: { id: admin.personId }, data: { name: "Dana Staffbekova" } }));
    await w.h.core.run({ person: { personId: admin.personId, role: "admin", locale: "en" }, ref: key }, (unit) => focusOn(unit, key, id));
    await w.admin.send("We have written to the customs committee.");
    await w.h.core.dispatcher.idle();
    const echo = w.group().at(-1)!;
    expect(echo.text).toContain("Staffbekova");
    expect(echo.text).toContain("customs committee");

    await w.h.core.run({ person: { personId: admin.personId, role: "admin", locale: "en" }, ref: key }, (unit) => erasePerson(unit, admin.personId));
    await w.h.core.dispatcher.idle();
    const after = w.group().find((m) => m.messageId === echo.messageId)!;
    expect(after.text).not.toContain("Staffbekova");
    expect(after.text).toContain("customs committee");
  });
});
