/**
 * Industry problems end to end (issue 7, "How it is shown"), the whole bot over HTTP against the
 * fake Bot API: a report with two photos as an album and a PDF reaching the staff group with its
 * files and buttons; the staff thread both ways (text and photo to the member, the member's answer
 * by reply and by "Write to staff" back into the thread), in a plain group and in a forum.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import { sampleJpeg, sha256, type BotMessage, type FakeGroup } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import { E2E_TIMEOUT, REF, member, report, reportFiles, startWorld, type World } from "./problems-support.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.h.close();
  w = undefined;
});

/** The files of the post, in its thread (replies to it, or in its topic), once all three arrived. */
async function postFiles(group: FakeGroup, post: BotMessage): Promise<BotMessage[]> {
  const inThread = (m: BotMessage) => (post.thread !== undefined ? m.thread === post.thread : m.reply_to === post.message_id);
  await group.waitFor((m) => inThread(m) && m.file?.kind === "document", { after: post.message_id });
  return group.messages.filter((m) => m.message_id > post.message_id && inThread(m) && m.file);
}

describe("a member reports a problem with an album of two photos and a PDF", () => {
  it("the staff group gets the post with the anonymity line, the files and the buttons; the reference exists when told", async () => {
    w = await startWorld();
    const user = await member(w, "ru", "Textile & <Co>");
    const { ref, told, post } = await report(w, user, "ru", { title: "НДС: возврат задерживается", anonymous: true });
    expect(ref).toMatch(/^QT-\d{4}-0001$/);
    // The year is Almaty's (the counter is per year there).
    expect(ref.slice(3, 7)).toBe(new Intl.DateTimeFormat("en", { timeZone: "Asia/Almaty", year: "numeric" }).format(new Date()));
    expect(told.text.startsWith(tr("ru", "problem-submitted", { ref }))).toBe(true);
    // Committed before it was told: the row is there the moment the member reads the reference.
    const row = await w.h.db.transaction((tx) => tx.problem.findUnique({ where: { ref }, include: { entries: { include: { files: true } } } }));
    expect(row).toMatchObject({ ref, anonymous: true, status: "new", title: "НДС: возврат задерживается" });
    expect(row!.entries[0]!.files).toHaveLength(3);

    // The post: anonymity first and prominent, the enterprise, the files counted, Take/Status/Note.
    expect(post.text.split("\n")[0]).toBe(tr("ru", "thread-post-anonymous"));
    expect(post.text).toContain("Textile & <Co>");
    expect(post.text).toContain(tr("ru", "thread-post-files", { count: 3 }));
    expect(post.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual([
      tr("ru", "thread-button-take"),
      tr("ru", "thread-button-status"),
      tr("ru", "thread-button-note"),
    ]);
    // The files follow in its thread, byte for byte: the two photos as an album, the PDF by name.
    const f = reportFiles("НДС: возврат задерживается");
    const files = await postFiles(w.group, post);
    expect(files.map((m) => m.file!.sha256)).toEqual([sha256(f.photo1), sha256(f.photo2), sha256(f.pdf)]);
    expect(files[0]!.media_group_id).toBeDefined();
    expect(files[0]!.media_group_id).toBe(files[1]!.media_group_id);
    expect(files[2]!.file).toMatchObject({ kind: "document", name: "акт сверки.pdf" });
  }, E2E_TIMEOUT);
});

describe("the staff thread, both ways", () => {
  for (const forum of [false, true]) {
    it(`${forum ? "in a forum (a topic per problem)" : "in a plain group"}: staff text and photo reach the member; the member's answers come back as replies to the post`, async () => {
      w = await startWorld({ forum });
      const { group, dana } = w;
      const user = await member(w, "kk", "Тоқыма ЖШС");
      const { ref, post } = await report(w, user, "kk", { title: "Шикізат жеткізу кешігуде" });
      if (forum) {
        expect(post.thread).toBeDefined();
        expect(group.topics().get(post.thread!)).toBe(`${ref} Шикізат жеткізу кешігуде`);
      }
      await postFiles(group, post);
      await w.h.settled();

      // Staff reply to the post: text, then a photo.
      dana.sendIn(group, "Пришлите, пожалуйста, акт сверки.", { replyTo: post.message_id });
      const reply = await user.waitFor(/акт сверки/, { after: 0 });
      expect(reply.text).toContain(ref);
      await group.waitFor(tr("en", "thread-sent-to-member"), { after: post.message_id });
      const stamp = sampleJpeg("stamp");
      dana.sendPhoto({ in: group, replyTo: post.message_id, bytes: stamp, caption: "Образец" });
      const photo = await user.waitFor((m) => m.file?.kind === "photo", { after: reply.message_id });
      expect(photo.file!.sha256).toBe(sha256(stamp));
      expect(photo.text).toContain("Образец");
      await w.h.settled();

      // The member replies to the relayed message: back into the thread as a reply to the post.
      user.send("Акт <i>готов</i> & отправлен", { replyTo: reply.message_id });
      const relayed = await group.waitFor((m) => m.text.includes("Акт <i>готов</i> & отправлен"), { after: post.message_id });
      expect(relayed.reply_to).toBe(post.message_id);
      if (forum) expect(relayed.thread).toBe(post.thread);
      await user.waitFor(tr("kk", "thread-sent-to-staff"), { after: photo.message_id });
      await w.h.settled();

      // Through "My problems" → the problem → "Write to staff".
      await step(user, () => user.send("/myproblems"), ref);
      await step(user, () => user.press(new RegExp(ref)), ref);
      await step(user, () => user.press(tr("kk", "problem-write-button")), tr("kk", "problem-write-intro", { ref }));
      user.send("Тағы бір құжат жібердім.");
      const written = await group.waitFor((m) => m.text.includes("Тағы бір құжат жібердім."), { after: relayed.message_id });
      expect(written.reply_to).toBe(post.message_id);
      if (forum) expect(written.thread).toBe(post.thread);
      expect(written.text).toMatch(REF);
    }, E2E_TIMEOUT);
  }
});
