/**
 * breaker7: in a forum staff group, what the bot answers to a message in a problem's topic must
 * be in that topic. The acknowledgement was; the refusals were not (a file too big or of a refused
 * type, a sticker, a non-staff member writing there): they went to the group's General topic,
 * where nobody writing in the problem's topic sees them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN, MEMBER, postOf, startThreadWorld, tr, type ThreadWorld } from "../core/problems/thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

describe("answers in a problem's forum topic", () => {
  it("a refused file, a sticker and a non-staff writer are answered in the topic", async () => {
    w = await startThreadWorld({ forum: true });
    const { id } = await w.submit();
    const topic = postOf(w, id).threadId!;
    expect(topic).toBeDefined();

    let before = w.group().length;
    await w.raw(ADMIN, { type: "unsupported", kind: "sticker" }, { group: true, threadId: topic });
    expect(w.group().slice(before).map((m) => [m.text, m.message.threadId])).toEqual([[tr("en", "thread-unsupported"), topic]]);

    before = w.group().length;
    await w.raw(
      ADMIN,
      { type: "file", file: { kind: "document", platformId: "big", size: 50 * 1024 * 1024, name: "scan.pdf" } } as never,
      { group: true, threadId: topic },
    );
    const refused = w.group().slice(before);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message.threadId).toBe(topic);

    // Someone in the group who is not staff.
    before = w.group().length;
    await w.raw("777", { type: "text", text: "Я тоже хочу ответить" }, { group: true, threadId: topic, name: "Guest" });
    const staffOnly = w.group().slice(before);
    expect(staffOnly.map((m) => [m.text, m.message.threadId])).toEqual([[tr("en", "thread-staff-only"), topic]]);
    expect(w.member.messages().some((m) => m.text.includes("Я тоже хочу ответить"))).toBe(false);
    void MEMBER;
  });
});
