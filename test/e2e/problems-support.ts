/**
 * Shared steps of the problem end-to-end tests (problems*.test.ts): the whole bot over HTTP against
 * the fake Bot API, a staff forum or plain group with admin Dana, members registered and approved
 * through the real flow (the application's notice in the staff group, Approve pressed), and a
 * report walked through question by question as a person does it.
 */
import { expect } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import { sampleJpeg, samplePdf, type BotMessage, type FakeGroup, type FakeUser } from "../support/fake-bot-api.ts";
import { registerOnTelegram, step } from "../support/telegram-steps.ts";
import { binCheckDigit } from "../../src/core/members/bin.ts";
import { FILES_PER_MESSAGE } from "../../src/core/problems/service.ts";
import type { Locale } from "../../src/i18n/locales.ts";

export const ADMIN = 900;
export const GROUP = -1001234;
export const REF = /QT-\d{4}-\d{4}/;
/**
 * A ceiling for each of these tests (vitest's default is 30 s): each registers and approves its
 * members and walks whole reports over HTTP, which on PostgreSQL on a loaded 2-core machine takes
 * longer than that. Nothing is timed: every step waits for its event.
 */
export const E2E_TIMEOUT = 120_000;

/** The n-th valid legal-entity BIN of a series (check digit computed as bin.ts does). */
export function binOf(n: number): string {
  for (let k = n; ; k += 100) {
    const first = `9901400${String(k).padStart(4, "0")}`;
    const check = binCheckDigit(first);
    if (check !== null && check < 10) return `${first}${check}`;
  }
}

export interface World {
  h: TelegramHarness;
  group: FakeGroup;
  dana: FakeUser;
  /** Applications approved so far (the next notice is A-<approved+1>). */
  approved: number;
}

/** The bot with a staff group (a forum with `forum`), admin Dana, who has written to the bot. */
export async function startWorld(opts: { forum?: boolean } = {}): Promise<World> {
  const h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: String(GROUP) });
  const group = h.fake.group({ id: GROUP, title: "QTI staff", type: "supergroup", ...(opts.forum ? { forum: true } : {}) });
  const dana = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
  // The bot's first turn warms up Prisma and the locales: on PostgreSQL on a loaded machine that
  // alone can pass the fake's default 5 s wait, so the first answer gets longer (later steps are warm).
  dana.send("/start");
  await dana.waitFor(tr("en", "menu-prompt"), { after: 0, timeoutMs: 60_000 });
  return { h, group, dana, approved: 0 };
}

/** A person who registered `name` through the real flow, whose application Dana approved in the staff group. */
export async function member(w: World, locale: Locale, name: string, bin = binOf(w.approved + 1)): Promise<FakeUser> {
  const user = w.h.fake.user({ language_code: locale, first_name: `Member ${w.approved + 1}` });
  await registerOnTelegram(user, { locale, bin, name });
  const id = `A-${w.approved + 1}`;
  const notice = await w.group.waitFor(new RegExp(`${id}\\b`), { after: 0 });
  w.dana.pressIn(w.group, tr("ru", "notice-approve"), { message: notice.message_id });
  await user.waitFor(/🎉/, { after: 0 });
  w.approved++;
  await w.h.settled();
  return user;
}

export interface ReportInput {
  category?: string;
  title: string;
  description?: string;
  /** Two photos as an album and a PDF (default), or none; "ask": stop at the files question. */
  files?: "album+pdf" | "none" | "ask";
  anonymous?: boolean;
}

/** Bytes of the files a report sends, by role (distinct per `seed`). */
export function reportFiles(seed: string) {
  return { photo1: sampleJpeg(`${seed}-1`), photo2: sampleJpeg(`${seed}-2`), pdf: samplePdf(`${seed}-act`) };
}

/** Answers the questions of a report up to the anonymity question (files per `r.files`). */
export async function reportUpToAnonymity(w: World, user: FakeUser, locale: Locale, r: ReportInput, seed = r.title): Promise<void> {
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  await step(user, () => user.send("/problem"), t("problem-cat-taxes-hint"));
  await step(user, () => user.press(t(`problem-cat-${r.category ?? "taxes"}`)), t("problem-ask-title"));
  await step(user, () => user.send(r.title), t("problem-ask-description"));
  await step(user, () => user.send(r.description ?? "Возврат НДС задерживается на полгода."), t("problem-description-added"));
  await step(user, () => user.press(t("problem-done-button")), t("problem-ask-files", { max: FILES_PER_MESSAGE }));
  if (r.files === "ask") return;
  if ((r.files ?? "album+pdf") === "album+pdf") await sendReportFiles(w, user, locale, seed);
  else await step(user, () => user.press(t("problem-skip-button")), t("problem-ask-anonymity").split("\n")[0]!);
}

/** Sends two photos as an album (one acknowledgement) and a PDF, each acknowledged, then Done. */
export async function sendReportFiles(w: World, user: FakeUser, locale: Locale, seed: string, opts: { done?: boolean } = {}): Promise<void> {
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  const f = reportFiles(seed);
  await step(user, () => user.sendAlbum([{ kind: "photo", bytes: f.photo1 }, { kind: "photo", bytes: f.photo2 }]), t("problem-file-added"));
  await w.h.settled();
  await step(user, () => user.sendDocument({ bytes: f.pdf, name: "акт сверки.pdf" }), t("problem-file-added"));
  await w.h.settled();
  if (opts.done !== false) await step(user, () => user.press(t("problem-done-button")), t("problem-ask-anonymity").split("\n")[0]!);
}

/**
 * The anonymity answer, then Send on the summary; returns the confirmation (with the reference).
 * Similar open problems, if offered, are passed by ("mine is different").
 */
export async function finishReport(user: FakeUser, locale: Locale, anonymous: boolean): Promise<BotMessage> {
  const t = (key: string, args?: Record<string, string | number>) => tr(locale, key, args);
  const summary = t("problem-summary", { details: "" }).split("\n")[0]!;
  const similar = [1, 2].map((count) => t("problem-similar", { count, list: "" }).split("\n")[0]!);
  const next = await step(user, () => user.press(t(anonymous ? "problem-anon-anonymous" : "problem-anon-named")), (m) => m.text.startsWith(summary) || similar.some((s) => m.text.startsWith(s)));
  if (!next.text.startsWith(summary)) await step(user, () => user.press(t("problem-similar-different")), summary);
  return step(user, () => user.press(t("problem-send-button")), REF);
}

/** A whole report sent; returns its reference (as the member was told) and the staff post. */
export async function report(w: World, user: FakeUser, locale: Locale, r: ReportInput): Promise<{ ref: string; told: BotMessage; post: BotMessage }> {
  await reportUpToAnonymity(w, user, locale, r);
  const told = await finishReport(user, locale, r.anonymous ?? false);
  const ref = REF.exec(told.text)![0];
  const post = await w.group.waitFor((m) => !!m.reply_markup && m.text.includes(ref), { after: 0 });
  return { ref, told, post };
}

/** The staff post's button with callback data starting with `prefix` ("ps:t:", "ps:s:", "ps:n:"). */
export function buttonData(post: BotMessage, prefix: string): string {
  const data = post.reply_markup!.inline_keyboard.flat().map((b) => ("callback_data" in b ? b.callback_data : "")).find((d) => d?.startsWith(prefix));
  expect(data, `no ${prefix} button on the post`).toBeDefined();
  return data!;
}
