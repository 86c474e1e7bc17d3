/**
 * Industry problems end to end, what staff do and what members hear back (issue 7, "How it is
 * shown"), the whole bot over HTTP against the fake Bot API: a status change chosen with the post's
 * Status button and commented, reaching members in kk, ru and en; joining a similar problem;
 * resolved, then "not solved" with a comment; the CSV export's bytes as staff receive the document.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tr } from "../support/core-harness.ts";
import type { BotMessage, FakeUser } from "../support/fake-bot-api.ts";
import { step } from "../support/telegram-steps.ts";
import { LOCALES, type Locale } from "../../src/i18n/locales.ts";
import { E2E_TIMEOUT, finishReport, member, report, reportUpToAnonymity, startWorld, type World } from "./problems-support.ts";

let w: World | undefined;
afterEach(async () => {
  await w?.h.close();
  w = undefined;
});

const problemRow = (ref: string) => w!.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { ref }, include: { affected: true } }));

/** The group's newest message matching `match`, posted after `after`. */
const inGroup = (match: string | RegExp | ((m: BotMessage) => boolean), after: number) => w!.group.waitFor(match, { after });

/** Dana presses Status on `post`, picks `status` (in her language, en) and answers the comment question by replying to it (or "Without a comment"). */
async function statusFlow(post: BotMessage, ref: string, status: string, comment: string | null): Promise<BotMessage> {
  const { group, dana, h } = w!;
  await h.settled();
  const start = group.messages.at(-1)!.message_id;
  dana.pressIn(group, tr("ru", "thread-button-status"), { message: post.message_id });
  const ask = await inGroup(tr("en", "thread-status-ask", { ref }), start);
  await h.settled();
  dana.pressIn(group, tr("en", `problem-status-${status}`), { message: ask.message_id });
  const commentAsk = await inGroup(tr("en", "thread-comment-optional", { ref }), ask.message_id);
  await h.settled();
  if (comment === null) dana.pressIn(group, tr("en", "thread-comment-skip"), { message: commentAsk.message_id });
  else dana.sendIn(group, comment, { replyTo: commentAsk.message_id });
  return inGroup((m) => m.text.startsWith(tr("en", "thread-status-done", { ref, status: tr("en", `problem-status-${status}`) })), commentAsk.message_id);
}

describe("a status change reaches the member in the member's language, with the staff comment", () => {
  it("three members, in kk, ru and en", async () => {
    w = await startWorld();
    const people: { locale: Locale; user: FakeUser; ref: string; post: BotMessage }[] = [];
    for (const [i, locale] of LOCALES.entries()) {
      const user = await member(w, locale, `Enterprise ${i + 1}`);
      const { ref, post } = await report(w, user, locale, { title: `Проблема ${i + 1}: таможня`, files: "none" });
      people.push({ locale, user, ref, post });
    }
    for (const { locale, user, ref, post } of people) {
      const after = user.messages.at(-1)!.message_id;
      await statusFlow(post, ref, "review", `Комментарий <b>для</b> ${locale} & ко`);
      const notice = await user.waitFor(tr(locale, "problem-notice-status", { status: tr(locale, "problem-status-review"), ref, title: "x" }).split("\n")[0]!, { after });
      expect(notice.text).toContain(ref);
      expect(notice.text).toContain(tr(locale, "problem-notice-comment", { text: `Комментарий <b>для</b> ${locale} & ко` }));
      expect((await problemRow(ref)).status).toBe("review");
      // The post shows the new status.
      await inGroup((m) => m.message_id === post.message_id && m.text.includes(tr("ru", "thread-post-status", { status: tr("ru", "problem-status-review") })), 0);
    }
  }, E2E_TIMEOUT);
});

describe("joining a similar problem", () => {
  it("a second enterprise sees the first's problem, says it is the same, and the first's count and post follow", async () => {
    w = await startWorld();
    const first = await member(w, "ru", "Первое ТОО");
    const { ref, post } = await report(w, first, "ru", { title: "Возврат НДС задерживается на полгода", files: "none" });
    const second = await member(w, "en", "Second LLP");
    await reportUpToAnonymity(w, second, "en", { title: "Возврат НДС задерживается", files: "none" });
    const similar = await step(second, () => second.press(tr("en", "problem-anon-named")), tr("en", "problem-similar", { count: 1, list: "" }).split("\n")[0]!);
    expect(similar.text).toContain(ref);
    expect(similar.text).toContain("Возврат НДС задерживается на полгода");
    await step(second, () => second.press(tr("en", "problem-similar-same", { ref })), tr("en", "problem-join-comment", { ref }));
    const joined = await step(second, () => second.send("У нас то же самое: 40 млн тенге"), tr("en", "problem-joined", { ref }));
    expect(joined.text).toContain(ref);

    // The reporter's enterprise and the one that joined.
    const row = await problemRow(ref);
    const secondLlp = await w.h.db.transaction((tx) => tx.enterprise.findFirstOrThrow({ where: { name: "Second LLP" } }));
    expect(row.affected.map((a) => a.enterpriseId)).toEqual([secondLlp.id]);
    // The thread hears it, and the post counts two enterprises.
    const relayed = await inGroup((m) => m.text.includes(tr("ru", "thread-relay-joined", { ref, enterprise: "Second LLP" })), post.message_id);
    expect(relayed.reply_to).toBe(post.message_id);
    await inGroup((m) => m.message_id === post.message_id && m.text.includes(tr("ru", "thread-post-affected", { count: 2 })), 0);
    // No second problem was filed.
    expect(await w.h.db.transaction((tx) => tx.problem.count())).toBe(1);
  }, E2E_TIMEOUT);
});

describe("resolved, then not solved", () => {
  it("the member says it is not solved with a comment: reopened, and staff are told in the thread", async () => {
    w = await startWorld();
    const user = await member(w, "kk", "Тоқыма ЖШС");
    const { ref, post } = await report(w, user, "kk", { title: "Электр тарифі өсті", files: "none" });
    const after = user.messages.at(-1)!.message_id;
    await statusFlow(post, ref, "resolved", null);
    const asked = await user.waitFor(tr("kk", "problem-notice-solved-ask", { days: 14 }), { after });
    expect(asked.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual([tr("kk", "problem-solved-yes"), tr("kk", "problem-solved-no")]);
    await w.h.settled();
    await step(user, () => user.press(tr("kk", "problem-solved-no"), { message: asked.message_id }), tr("kk", "problem-unsolved-ask", { ref }));
    const last = w.group.messages.at(-1)!.message_id;
    await step(user, () => user.send("Тариф әлі де <b>жоғары</b> & өзгермеді"), tr("kk", "problem-unsolved-done", { ref }));
    expect((await problemRow(ref)).status).toBe("reopened");
    const told = await inGroup((m) => m.text.includes("Тариф әлі де <b>жоғары</b> & өзгермеді"), last);
    expect(told.reply_to).toBe(post.message_id);
    expect(told.text).toContain(`${tr("ru", "problem-status-resolved")} → ${tr("ru", "problem-status-reopened")}`);
    await inGroup((m) => m.message_id === post.message_id && m.text.includes(tr("ru", "thread-post-status", { status: tr("ru", "problem-status-reopened") })), 0);
  }, E2E_TIMEOUT);
});

describe("the CSV export as staff receive it", () => {
  it("UTF-8 with a BOM, Cyrillic, `;`, `\"` and newlines quoted; the export for government bodies leaves out anonymous enterprises", async () => {
    w = await startWorld();
    const named = await member(w, "ru", 'ТОО "Ткань; Пряжа"');
    const a = await report(w, named, "ru", { title: 'Сырьё; "хлопок" дорожает', files: "none" });
    const hidden = await member(w, "ru", "Тайное ТОО");
    const b = await report(w, hidden, "ru", { title: "Анонимная проблема", files: "none", anonymous: true });
    // A title with a line break cannot be typed (a title is one line), but data may hold one: it must stay in its cell.
    await w.h.db.transaction((tx) => tx.problem.update({ where: { ref: b.ref }, data: { title: "Анонимная\nпроблема" } }));
    const { dana } = w;

    const exportAs = async (kind: "internal" | "government"): Promise<string> => {
      await w!.h.settled();
      await step(dana, () => dana.send("/export"), tr("en", "lists-export-ask"));
      const doc = await step(dana, () => dana.press(tr("en", `lists-export-${kind}`)), (m) => m.file?.kind === "document");
      expect(doc.file!.name).toMatch(kind === "government" ? /^problems-.*-gov\.csv$/ : /^problems-[^g]*\.csv$/);
      const bytes = doc.file!.bytes;
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString("utf8");
      // Valid UTF-8 through and through (Cyrillic kept, not mangled into replacement characters).
      expect(Buffer.from(text, "utf8").equals(bytes.subarray(3))).toBe(true);
      return text;
    };
    const internal = await exportAs("internal");
    const lines = internal.split("\r\n");
    expect(lines[0]).toBe(["ref", "created", "category", "title", "enterprise", "region", "sector", "anonymous", "status", "affected", "assignee", "first-reply", "resolved", "closed"].map((c) => tr("en", `problem-csv-${c}`)).join(";"));
    expect(internal).toContain(`${a.ref};`);
    expect(internal).toContain(`;"Сырьё; ""хлопок"" дорожает";"ТОО ""Ткань; Пряжа""";`);
    expect(internal).toContain(`;"Анонимная\nпроблема";Тайное ТОО;`);
    const government = await exportAs("government");
    expect(government).toContain(`;"ТОО ""Ткань; Пряжа""";`);
    expect(government).not.toContain("Тайное ТОО");
    expect(government).toContain(`;"Анонимная\nпроблема";;`);
  }, E2E_TIMEOUT);
});
