/**
 * End to end over HTTP: the real grammY bot and Telegram adapter, the real core and SQLite, and the
 * project's fake Bot API server, which rejects what Telegram rejects (malformed HTML, over-long
 * texts, over-long callback_data).
 */
import { afterEach, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startTelegramHarness, WEBHOOK_SECRET, type TelegramHarness } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import type { FakeUser } from "../support/fake-bot-api.ts";
import type { Locale } from "../../src/i18n/locales.ts";
import { LOCALES } from "../../src/i18n/locales.ts";
import { step } from "../support/telegram-steps.ts";

const IIN = "061211600012";
const BIN = "990140000384";
const ADMIN = 900;
const ADMIN2 = 901;

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every call the bot made that Telegram would have refused. */
function refusedCalls(harness: TelegramHarness) {
  return harness.fake.calls.filter((c) => !c.ok && c.method !== "getUpdates");
}

const firstLine = (locale: Locale, key: string, args?: Record<string, string>) => tr(locale, key, args).split("\n")[0]!;

async function register(user: FakeUser, locale: Locale, opts: { bin?: string; name?: string } = {}) {
  await step(user, () => user.send("/start"), tr(locale, "menu-prompt"));
  await step(user, () => user.press(tr(locale, "menu-register")), firstLine(locale, "consent-text"));
  await step(user, () => user.press(tr(locale, "consent-agree")), tr(locale, "reg-ask-bin"));
  await step(user, () => user.send(opts.bin ?? IIN), tr(locale, "reg-ask-name"));
  await step(user, () => user.send(opts.name ?? "Textile Company"), tr(locale, "reg-ask-region"));
  await step(user, () => user.press(tr(locale, "region-almaty-city")), tr(locale, "reg-ask-sector"));
  await step(user, () => user.press(tr(locale, "sector-leather-footwear")), tr(locale, "reg-ask-employees"));
  await step(user, () => user.send("120"), tr(locale, "reg-ask-contact"));
  await step(user, () => user.send("Aigerim"), tr(locale, "reg-ask-phone"));
  // The phone question offers Telegram's "share my contact" button.
  expect(user.replyKeyboard()?.keyboard?.[0]?.[0]).toMatchObject({ request_contact: true });
  await step(user, () => user.sendContact("77011234567", { own: true }), firstLine(locale, "reg-summary", { details: "", contact: "" }));
  await step(user, () => user.press(tr(locale, "reg-confirm-button")), tr(locale, "reg-submitted", { name: opts.name ?? "Textile Company" }).split("\n")[0]!);
}

describe("one step, one message (issue 5, Speed)", () => {
  it("sends an answer's acknowledgement and the next question as one message, and keeps the phone keyboard's removal right", async () => {
    h = await startTelegramHarness();
    const user = h.fake.user({ first_name: "Aigerim", language_code: "en" });
    await register(user, "en", { bin: BIN });
    const sends = h.fake.callsTo("sendMessage").filter((c) => String(c.params.chat_id) === String(user.id));
    // The BIN's acknowledgement and the name question: one message (as the person sees it).
    const bin = user.messages.filter((m) => m.text.includes(tr("en", "reg-ask-name")));
    expect(bin).toHaveLength(1);
    expect(bin[0]!.text).toMatch(/^✓ 990140000384: /);
    // /start: the greeting and the menu in one message, with the menu's buttons.
    const greeting = user.messages[0]!;
    expect(greeting.text.startsWith(firstLine("en", "welcome"))).toBe(true);
    expect(greeting.text.endsWith(tr("en", "menu-prompt"))).toBe(true);
    expect(sends[0]!.params.reply_markup).toMatchObject({ inline_keyboard: expect.any(Array) });
    // The phone's acknowledgement takes the "share my phone" keyboard away; the summary that
    // follows has inline buttons (one reply_markup per message), so they stay two messages.
    const saved = sends.find((c) => String(c.params.text).startsWith("✓ Phone"));
    expect(saved?.params.reply_markup).toEqual({ remove_keyboard: true });
    expect(String(saved?.params.text)).not.toContain(firstLine("en", "reg-summary", { details: "", contact: "" }));
    expect(user.replyKeyboard()).toBeUndefined();
    // 11 updates, each answered by exactly one message except the phone step (two, as above).
    expect(sends).toHaveLength(12);
    expect(refusedCalls(h)).toEqual([]);
  });
});

describe("Telegram, long polling", () => {
  it.each(LOCALES)("registers an enterprise in %s and staff approve it", async (locale) => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const admin = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    const user = h.fake.user({ first_name: "Айгерим", language_code: locale });
    await register(user, locale);

    const notice = await admin.waitFor(tr("en", "notice-application-title", { id: "A-1" }), { after: 0 });
    expect(notice.text).toContain("+7 701 123 4567");
    const press = admin.press(tr("en", "notice-approve"));
    expect(await press.answer).toMatchObject({ text: tr("en", "staff-approved-notice") });
    await user.waitFor(tr(locale, "decision-application-approved", { name: "Textile Company" }).split("\n")[0]!, { after: 0 });
    // The notice now says who approved, and its buttons are gone.
    const edited = await admin.waitFor((m) => m.message_id === notice.message_id && m.edits > 0, { after: 0 });
    expect(edited.text).toContain(tr("en", "notice-decided-approved", { by: "Dana" }));
    expect(edited.reply_markup?.inline_keyboard ?? []).toEqual([]);
    expect(refusedCalls(h)).toEqual([]);
  });

  it("answers every wrong answer with the reason, and Telegram accepts every message", async () => {
    h = await startTelegramHarness();
    const user = h.fake.user({ language_code: "ru" });
    await step(user, () => user.send("/start"), tr("ru", "menu-prompt"));
    await step(user, () => user.press(tr("ru", "menu-register")), firstLine("ru", "consent-text"));
    await step(user, () => user.press(tr("ru", "consent-agree")), tr("ru", "reg-ask-bin"));
    await step(user, () => user.send("<b>12</b> & 34"), tr("ru", "error-bin-not-digits"));
    await step(user, () => user.send("061211600013"), tr("ru", "error-bin-checksum"));
    await step(user, () => user.sendSticker(), tr("ru", "error-need-text"));
    await step(user, () => user.send(IIN), tr("ru", "reg-ask-name"));
    await step(user, () => user.send("x".repeat(5000)), tr("ru", "error-name-too-long", { max: 200 }));
    await step(user, () => user.send("\u200b\u200c\u200d\ufeff"), tr("ru", "error-name-empty"));
    await step(user, () => user.send("😀🧵👗"), tr("ru", "error-name-no-letters"));
    await step(user, () => user.sendPhoto(), tr("ru", "error-need-text"));
    await step(user, () => user.send("<Textile & Co> \u200b 🧵"), tr("ru", "reg-ask-region"));
    await step(user, () => user.send("Марс"), tr("ru", "error-need-choice"));
    await step(user, () => user.press(tr("ru", "region-abai")), tr("ru", "reg-ask-sector"));
    await step(user, () => user.send("</b>"), tr("ru", "error-need-choice"));
    await step(user, () => user.press(tr("ru", "sector-other")), tr("ru", "reg-ask-employees"));
    await step(user, () => user.send("-5"), tr("ru", "error-employees-not-number"));
    await step(user, () => user.send("7"), tr("ru", "reg-ask-contact"));
    await step(user, () => user.send("&&&"), tr("ru", "error-person-name-no-letters"));
    await step(user, () => user.send("Иван & <Co>"), tr("ru", "reg-ask-phone"));
    await step(user, () => user.send("phone"), tr("ru", "error-phone-invalid"));
    await step(user, () => user.send("8 701 123 45 67"), firstLine("ru", "reg-summary", { details: "", contact: "" }));
    const summary = user.last();
    expect(summary.text).toContain("<Textile & Co> 🧵");
    expect(summary.text).toContain("Иван & <Co>");
    expect(refusedCalls(h)).toEqual([]);
  });

  it("keeps hostile text intact all the way to the staff chat", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: "-1001" });
    const group = h.fake.group({ id: -1001, title: "QTI staff" });
    const user = h.fake.user({ language_code: "en" });
    const name = "<Textile & Co> ‹b› &amp; 🧵 Тоқыма";
    await register(user, "en", { name });
    const notice = await group.waitFor(tr("ru", "notice-application-title", { id: "A-1" }), { after: 0 });
    expect(notice.text).toContain(name);
    expect(refusedCalls(h)).toEqual([]);
  });

  it("continues at the same question after a restart, and after a crash", async () => {
    h = await startTelegramHarness();
    const user = h.fake.user({ language_code: "kk" });
    await step(user, () => user.send("/start"), tr("kk", "menu-prompt"));
    await step(user, () => user.press(tr("kk", "menu-register")), firstLine("kk", "consent-text"));
    await step(user, () => user.press(tr("kk", "consent-agree")), tr("kk", "reg-ask-bin"));
    await h.restart();
    await step(user, () => user.send(IIN), tr("kk", "reg-ask-name"));
    await h.crash();
    user.send("Тоқыма");
    await h.start();
    await user.waitFor(tr("kk", "reg-ask-region"), { after: 0 });
  });

  it("handles an update delivered twice once", async () => {
    h = await startTelegramHarness();
    const user = h.fake.user({ language_code: "en" });
    const id = user.send("/start");
    await user.waitFor(tr("en", "menu-prompt"), { after: 0 });
    await h.settled();
    const before = user.messages.length;
    h.fake.redeliver(id);
    await h.settled();
    expect(user.messages.length).toBe(before);
  });

  it("re-delivers a batch that was in hand during a crash, and handles each update once", async () => {
    h = await startTelegramHarness();
    const users = Array.from({ length: 5 }, (_, i) => h!.fake.user({ id: 5000 + i, language_code: "ru" }));
    for (const u of users) u.send("/start");
    await Promise.all(users.map((u) => u.waitFor(tr("ru", "menu-prompt"))));
    await h.crash(); // the batch was never confirmed
    await h.start();
    await h.settled();
    for (const u of users) expect(u.messages.filter((m) => m.text.endsWith(tr("ru", "menu-prompt")))).toHaveLength(1);
  });

  it("gives one approval when two staff press Approve at once", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN), String(ADMIN2)] });
    const a = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    const b = h.fake.user({ id: ADMIN2, first_name: "Олжас", language_code: "ru" });
    await step(a, () => a.send("/start"), tr("en", "menu-prompt"));
    await step(b, () => b.send("/start"), tr("ru", "menu-prompt"));
    const user = h.fake.user({ language_code: "kk" });
    await register(user, "kk");
    await a.waitFor(/A-1\b/, { after: 0 });
    await b.waitFor(/A-1\b/, { after: 0 });
    const [pa, pb] = [a.press(tr("en", "notice-approve")), b.press(tr("ru", "notice-approve"))];
    const answers = [await pa.answer, await pb.answer];
    // Either may come first: on SQLite turns run one at a time in arrival order, on PostgreSQL at once.
    expect([
      [tr("en", "staff-approved-notice"), tr("ru", "already-active")].sort(),
      [tr("en", "already-active"), tr("ru", "staff-approved-notice")].sort(),
    ]).toContainEqual(answers.map((x) => x.text).sort());
    await h.settled();
    const approvals = user.messages.filter((m) => m.text.startsWith(tr("kk", "decision-application-approved", { name: "Textile Company" }).slice(0, 15)));
    expect(approvals).toHaveLength(1);
  });

  it("refuses a forged Approve from a member, and audits it", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const user = h.fake.user({ language_code: "ru" });
    await register(user, "ru", { bin: BIN });
    const intruder = h.fake.user({ language_code: "en" });
    await step(intruder, () => intruder.send("/start"), tr("en", "menu-prompt"));
    const forged = intruder.pressData("s:ap:1:lz0");
    expect(await forged.answer).toMatchObject({ text: tr("en", "error-not-allowed") });
    const enterprise = await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow());
    expect(enterprise.status).toBe("pending");
    const audit = await h.db.transaction((tx) => tx.auditLog.findMany());
    expect(audit).toMatchObject([{ action: "application-approve", outcome: "denied", actorRef: `telegram:${intruder.id}` }]);
  });

  it("rejects in the staff group with the reason given by reply", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)], staffChatId: "-1001" });
    const group = h.fake.group({ id: -1001, title: "QTI staff" });
    const admin = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    const user = h.fake.user({ language_code: "en" });
    await register(user, "en");
    await group.waitFor(/A-1\b/, { after: 0 });
    admin.pressIn(group, tr("ru", "notice-reject"));
    const ask = await group.waitFor(tr("en", "staff-reject-ask-application", { id: "A-1" }), { after: 0 });
    // The question names Dana (a text mention), and carries a Cancel button she can always press.
    expect(ask.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual([tr("en", "group-cancel-button")]);
    expect(ask.entities?.some((e) => e.type === "text_link" || e.type === "text_mention")).toBe(true);
    admin.sendIn(group, "Not light industry", { replyTo: ask.message_id });
    await user.waitFor(/Not light industry/, { after: 0 });
    expect(refusedCalls(h)).toEqual([]);
  });

  it("stops writing to a member who blocked the bot", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const admin = h.fake.user({ id: ADMIN, language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    const user = h.fake.user({ language_code: "ru" });
    await register(user, "ru");
    const reachable = async () => (await h!.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(user.id) } }))).reachable;
    const until = async (want: boolean) => {
      for (let i = 0; i < 200 && (await reachable()) !== want; i++) await new Promise((r) => setTimeout(r, 50));
    };
    // Telegram tells the bot of the block (my_chat_member): recorded at once, before any send is refused.
    user.blockBot();
    await until(false);
    expect(await reachable()).toBe(false);
    await admin.waitFor(/A-1\b/, { after: 0 });
    admin.press(tr("en", "notice-approve"));
    await h.settled();
    expect(await reachable()).toBe(false);
    // Nothing was even tried: the approval notice skips an address known to be blocked.
    expect(h.fake.callsTo("sendMessage").filter((c) => String(c.params.chat_id) === String(user.id) && !c.ok)).toHaveLength(0);
    // Unblocking (Telegram's Restart button) makes them reachable again.
    user.unblockBot();
    await until(true);
    expect(await reachable()).toBe(true);
  });

  it("a block Telegram did not announce is learned from the first refused send (403), which is not retried", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const admin = h.fake.user({ id: ADMIN, language_code: "en" });
    await step(admin, () => admin.send("/start"), tr("en", "menu-prompt"));
    const user = h.fake.user({ language_code: "ru" });
    await register(user, "ru");
    // A deleted account: Telegram sends the bot no update for it.
    user.deactivate();
    await admin.waitFor(/A-1\b/, { after: 0 });
    admin.press(tr("en", "notice-approve"));
    await h.settled();
    const identity = await h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: String(user.id) } }));
    expect(identity.reachable).toBe(false);
    expect(h.fake.callsTo("sendMessage").filter((c) => String(c.params.chat_id) === String(user.id) && !c.ok)).toHaveLength(1);
  });

  it("waits out a 429 and delivers", async () => {
    h = await startTelegramHarness();
    const user = h.fake.user({ language_code: "en" });
    h.fake.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    user.send("/start");
    await user.waitFor(tr("en", "menu-prompt"), { timeoutMs: 8000 });
    expect(h.fake.callsTo("sendMessage").filter((c) => c.error_code === 429)).toHaveLength(1);
  });

  it("registers the commands in Kazakh, Russian and English", async () => {
    h = await startTelegramHarness();
    await h.telegram.commandsRegistered;
    const calls = h.fake.callsTo("setMyCommands");
    const byLanguage = Object.fromEntries(calls.map((c) => [String(c.params.language_code ?? ""), c.params.commands]));
    for (const locale of LOCALES) {
      expect(byLanguage[locale]).toContainEqual({ command: "start", description: tr(locale, "cmd-start") });
    }
    expect(byLanguage[""]).toBeDefined();
  });
});

describe("Telegram, webhook", () => {
  it("registers and approves over a webhook that checks the secret token", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)], webhook: true });
    expect(h.fake.webhookInfo().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/telegram\/hook$/);
    const admin = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "ru" });
    await step(admin, () => admin.send("/start"), tr("ru", "menu-prompt"));
    const user = h.fake.user({ language_code: "en" });
    await register(user, "en");
    await admin.waitFor(/A-1\b/, { after: 0 });
    admin.press(tr("ru", "notice-approve"));
    await user.waitFor(tr("en", "decision-application-approved", { name: "Textile Company" }).split("\n")[0]!, { after: 0 });
    expect(refusedCalls(h)).toEqual([]);
  });

  it("refuses posts without the secret token", async () => {
    h = await startTelegramHarness({ webhook: true });
    const url = new URL(h.fake.webhookInfo().url ?? "");
    const post = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ update_id: 999, message: { message_id: 1, date: 0, chat: { id: 5, type: "private", first_name: "x" }, from: { id: 5, is_bot: false, first_name: "x" }, text: "/start" } });
        const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(body);
      });
    expect(await post({})).toBe(401);
    expect(await post({ "X-Telegram-Bot-Api-Secret-Token": "wrong" })).toBe(401);
    expect(await post({ "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET })).toBe(200);
    const processed = await h.db.transaction((tx) => tx.processedUpdate.findMany());
    expect(processed.map((p) => p.id)).toEqual([`telegram:${h!.fake.botInfo.id}:999`]);
  });
});
