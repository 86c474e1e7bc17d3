/**
 * Industry problems end to end, what must not happen (issue 7, "How it is shown" and Quality), the
 * whole bot over HTTP against the fake Bot API: a member, and a member of the staff group who is
 * not staff, trying every staff button (forged callback data too) and command are refused, nothing
 * changes, and the audit log has the denials; a restart in the middle of a report continues at the
 * same question with the files kept; a hostile title goes through the whole stack intact.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import { sha256, type BotMessage, type FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import { E2E_TIMEOUT, buttonData, finishReport, member, report, reportFiles, reportUpToAnonymity, sendReportFiles, startWorld, type World } from "./problems-support.ts";
import { FILES_PER_MESSAGE } from "../../src/core/problems/service.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.h.close();
  w = undefined;
});

/** What a problem is, to compare before and after the refused attempts. */
const snapshot = (ref: string) =>
  w!.h.db.transaction(async (tx) => {
    const p = await tx.problem.findUniqueOrThrow({ where: { ref }, include: { entries: true, affected: true } });
    return { status: p.status, revision: p.revision, assigneeId: p.assigneeId, entries: p.entries.length, affected: p.affected.length };
  });

const denials = () => w!.h.db.transaction((tx) => tx.auditLog.findMany({ where: { outcome: "denied" }, orderBy: { id: "asc" } }));

/** Presses `data` (forged or copied) on the newest bot message in `user`'s own chat and waits for the bot's answer. */
async function forge(user: FakeUser, data: string, messageId?: number): Promise<string | undefined> {
  const answer = await user.pressData(data, messageId).answer;
  await w!.h.settled();
  return answer.text;
}

describe("a non-staff user trying staff buttons and commands", () => {
  it("a member: forged post buttons, list buttons, /problems, /stats, /export and another enterprise's /problem <ref> are refused and audited", async () => {
    w = await startWorld();
    const owner = await member(w, "ru", "Первое ТОО");
    const { ref, post } = await report(w, owner, "ru", { title: "Чужая проблема", files: "none" });
    const intruder = await member(w, "en", "Intruder LLP");
    const before = await snapshot(ref);
    const deniedBefore = (await denials()).length;
    // A staff list's buttons, copied from Dana's chat.
    await step(w.dana, () => w!.dana.send("/problems"), tr("en", "lists-title"));
    const list = w.dana.messages.filter((m) => m.reply_markup).at(-1)!;
    const listData = list.reply_markup!.inline_keyboard.flat().map((b) => ("callback_data" in b ? b.callback_data! : "")).filter(Boolean);
    expect(listData.length).toBeGreaterThan(0);
    await w.h.settled();

    const refusals: (string | undefined)[] = [];
    const seen = intruder.messages.at(-1)!.message_id;
    for (const data of [buttonData(post, "ps:t:"), buttonData(post, "ps:s:"), buttonData(post, "ps:n:"), "ps:t:1:0", "ps:s:1:0", "ps:n:1", "ps:x:1", "ps:t:1:0:extra", ...listData]) {
      refusals.push(await forge(intruder, data));
    }
    expect(refusals.every((r) => r === tr("en", "error-not-allowed") || r === tr("en", "button-stale")), JSON.stringify(refusals)).toBe(true);
    for (const command of ["/problems", "/stats", "/export"]) {
      await step(intruder, () => intruder.send(command), tr("en", "error-not-allowed"));
    }
    await step(intruder, () => intruder.send(`/problem ${ref}`), tr("en", "problem-not-found"));
    await w.h.settled();
    const said = intruder.messages.filter((m) => m.message_id > seen);
    // Nothing of the problem or the lists leaked, no status question, no file.
    expect(said.map((m) => m.text).join("\n")).not.toContain("Чужая проблема");
    expect(said.some((m) => m.text.includes(tr("en", "lists-title")) || m.text.includes(tr("en", "lists-export-ask")) || m.file)).toBe(false);
    expect(await snapshot(ref)).toEqual(before);
    expect(w.group.messages.filter((m) => m.message_id > post.message_id && m.text.includes(ref))).toEqual([]);
    const denied = (await denials()).slice(deniedBefore).map((d) => d.action);
    // The copied list buttons belong to Dana's dialog: stale here, nothing to audit.
    expect(denied).toEqual([
      ...["problem.take", "problem.status", "problem.note", "problem.take", "problem.status", "problem.note", "forged-button", "forged-button"],
      ...["menu-problems", "menu-stats", "menu-export", "problem.view"],
    ]);
    expect((await denials()).slice(deniedBefore).every((d) => d.actorRef === `telegram:${intruder.id}`)).toBe(true);
  }, E2E_TIMEOUT);

  it("a member of the staff group who is not staff: the post's buttons, the group commands and a reply to the post are refused and audited", async () => {
    w = await startWorld();
    const owner = await member(w, "ru", "Первое ТОО");
    const { ref, post } = await report(w, owner, "ru", { title: "Проблема для группы", files: "none" });
    const stranger = w.h.fake.user({ first_name: "Stranger", language_code: "en" });
    const before = await snapshot(ref);
    const deniedBefore = (await denials()).length;
    const ownerSeen = owner.messages.at(-1)!.message_id;
    for (const label of ["thread-button-take", "thread-button-status", "thread-button-note"]) {
      const answer = await stranger.pressIn(w.group, tr("ru", label), { message: post.message_id }).answer;
      expect(answer.text).toBe(tr("en", "error-not-allowed"));
    }
    await w.h.settled();
    let last = w.group.messages.at(-1)!.message_id;
    for (const command of ["/problems", "/stats", "/export"]) {
      stranger.sendIn(w.group, command);
      const refused = await w.group.waitFor(tr("en", "error-not-allowed"), { after: last });
      last = refused.message_id;
    }
    // Writing to the member by replying to the post: staff only.
    stranger.sendIn(w.group, "Я тоже хочу ответить", { replyTo: post.message_id });
    await w.group.waitFor(tr("en", "thread-staff-only"), { after: last });
    await w.h.settled();
    expect(owner.messages.filter((m) => m.message_id > ownerSeen)).toEqual([]);
    expect(await snapshot(ref)).toEqual(before);
    // No status question or note question was opened for them.
    expect(w.group.messages.some((m) => m.text.includes(tr("en", "thread-status-ask", { ref })) || m.text.includes(tr("en", "thread-note-ask", { ref })))).toBe(false);
    const denied = (await denials()).slice(deniedBefore);
    expect(denied.map((d) => d.action)).toEqual(["problem.take", "problem.status", "problem.note", "command-problems", "command-stats", "command-export", "problem.reply"]);
    expect(denied.every((d) => d.actorRef === `telegram:${stranger.id}`)).toBe(true);
  }, E2E_TIMEOUT);
});

describe("a restart in the middle of a report", () => {
  for (const how of ["crash", "restart"] as const) {
    it(`after the photos were sent (${how}): the report goes on at the same question with the files kept, and the staff post has them`, async () => {
      w = await startWorld();
      const user = await member(w, "ru", "Рестарт ТОО");
      const title = "Перезапуск посреди заявки";
      await reportUpToAnonymity(w, user, "ru", { title, files: "ask" });
      await sendReportFiles(w, user, "ru", title, { done: false });
      // The bot stops (killed, or shut down) and a new one starts on the same database and file store.
      if (how === "crash") {
        await w.h.crash();
        await w.h.start();
      } else await w.h.restart();
      await w.h.settled();
      // Still the files question: Done (under the last acknowledgement) goes on to anonymity, three files kept.
      await step(user, () => user.press(tr("ru", "problem-done-button")), tr("ru", "problem-ask-anonymity").split("\n")[0]!);
      const told = await finishReport(user, "ru", false);
      const summary = user.messages.filter((m) => m.text.includes(tr("ru", "problem-line-files", { count: 3 })));
      expect(summary.length).toBeGreaterThan(0);
      const ref = /QT-\d{4}-\d{4}/.exec(told.text)![0];
      const post = await w.group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0 });
      expect(post.text).toContain(tr("ru", "thread-post-files", { count: 3 }));
      const f = reportFiles(title);
      await w.group.waitFor((m) => m.reply_to === post.message_id && m.file?.kind === "document", { after: post.message_id });
      const files = w.group.messages.filter((m) => m.message_id > post.message_id && m.reply_to === post.message_id && m.file);
      expect(files.map((m) => m.file!.sha256)).toEqual([sha256(f.photo1), sha256(f.photo2), sha256(f.pdf)]);
      // Nothing was asked twice: one files question, one anonymity question.
      expect(user.messages.filter((m) => m.text === tr("ru", "problem-ask-files", { max: FILES_PER_MESSAGE }))).toHaveLength(1);
    }, E2E_TIMEOUT);
  }
});

describe("a hostile title through the whole stack", () => {
  it("markup, &, emoji and zero-width characters render in the post, the topic and the member's messages; 4,000 characters are refused and asked again; no button is forged", async () => {
    w = await startWorld({ forum: true });
    const user = await member(w, "en", "Hostile <LLP>");
    const hostile = `<b>VAT</b> & <a href="tg://user?id=1">refunds</a> 🧵👩‍🏭 zero\u200bwidth\u200d "ps:t:1:0" </code>&amp;`;
    const t = (key: string, args?: Record<string, string | number>) => tr("en", key, args);
    await step(user, () => user.send("/problem"), t("problem-cat-taxes-hint"));
    await step(user, () => user.press(t("problem-cat-taxes")), t("problem-ask-title"));
    // 4,000 characters of it: refused with the reason, asked again (the answer itself renders).
    const long = hostile.repeat(Math.ceil(4000 / hostile.length)).slice(0, 4000);
    await step(user, () => user.send(long), t("problem-title-too-long", { max: 120 }));
    await step(user, () => user.send(hostile), t("problem-ask-description"));
    // The description takes 4,000 characters of it.
    const description = long.replace(/\u200b|\u200d/g, "");
    await step(user, () => user.send(description), t("problem-description-added"));
    await step(user, () => user.press(t("problem-done-button")), t("problem-ask-files", { max: FILES_PER_MESSAGE }));
    await step(user, () => user.press(t("problem-skip-button")), t("problem-ask-anonymity").split("\n")[0]!);
    const told = await finishReport(user, "en", false);
    const ref = /QT-\d{4}-\d{4}/.exec(told.text)![0];
    const stored = await w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref } }));
    // Kept as typed, minus the stray invisible characters (text.ts cleanText); the emoji's own joiner stays.
    expect(stored.title).toBe(`<b>VAT</b> & <a href="tg://user?id=1">refunds</a> 🧵👩\u200d🏭 zerowidth "ps:t:1:0" </code>&amp;`);
    const summary = user.messages.find((m) => m.text.includes(t("problem-line-title", { title: stored.title })));
    expect(summary).toBeDefined();

    const post = await w.group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0 });
    expect(post.text).toContain(stored.title);
    // Exactly the three buttons, with the bot's own data: the title's "ps:t:1:0" is text, not a button.
    expect(post.reply_markup!.inline_keyboard.flat().map((b) => ("callback_data" in b ? b.callback_data : ""))).toEqual([
      buttonData(post, "ps:t:"),
      buttonData(post, "ps:s:"),
      buttonData(post, "ps:n:"),
    ]);
    expect(post.reply_markup!.inline_keyboard.flat().every((b) => "callback_data" in b && /^ps:[tsn]:\d+(:[0-9a-z]+)?$/.test(b.callback_data!))).toBe(true);
    expect(post.entities.filter((e) => e.type === "text_link" || e.type === "text_mention")).toEqual([]);
    // The topic's name (at most 128 characters) and the whole description in the thread.
    const topic = w.group.topics().get(post.thread!)!;
    expect(topic.startsWith(`${ref} `)).toBe(true);
    expect([...topic].length).toBeLessThanOrEqual(128);
    // The post cuts the 4,000 characters; the whole description follows in the topic, split where needed.
    expect(post.text).toContain(tr("ru", "thread-post-more"));
    await w.group.waitFor((m) => m.thread === post.thread && m.text.startsWith(tr("ru", "thread-description-full", { ref })), { after: post.message_id });
    await w.h.settled();
    const threadText = w.group.messages.filter((m) => m.thread === post.thread && m.message_id > post.message_id).map((m) => m.text).join("");
    expect(threadText.replace(/\s+/g, "")).toContain(description.replace(/\s+/g, ""));

    // A staff reply and a status change reach the member with the title intact.
    await w.h.settled();
    const seen = user.messages.at(-1)!.message_id;
    w.dana.sendIn(w.group, "Got it <i>&</i>", { thread: post.thread! });
    const reply = await user.waitFor(/Got it/, { after: seen });
    expect(reply.text).toContain(stored.title);
    expect(reply.text).toContain("Got it <i>&</i>");
    expect(reply.entities.filter((e) => e.type === "text_link")).toEqual([]);
  }, E2E_TIMEOUT);
});
