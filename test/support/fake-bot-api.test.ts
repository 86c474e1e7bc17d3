import http from "node:http";
import type { AddressInfo } from "node:net";
import { Bot, GrammyError, InlineKeyboard, InputFile, Keyboard, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { escapeTelegramHtml } from "./telegram-html.ts";
import { type FakeBotApi, type FakeBotApiOptions, startFakeBotApi } from "./fake-bot-api.ts";

/** A fake plus a real grammY bot pointed at it; both cleaned up after the test. */
async function setup(options: FakeBotApiOptions = {}): Promise<{ fake: FakeBotApi; bot: Bot }> {
  const fake = await startFakeBotApi(options);
  const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
  onTestFinished(async () => {
    if (bot.isRunning()) await bot.stop();
    await fake.close();
  });
  return { fake, bot };
}

/** Starts long polling; a middleware error makes the returned promise reject (loudly, even if not awaited yet). */
function startPolling(bot: Bot): Promise<void> {
  bot.catch((err) => {
    throw err.error;
  });
  return bot.start({ timeout: 30 });
}

/** Raw HTTP call to the fake, to check the wire format. */
async function raw(fake: FakeBotApi, path: string, init?: RequestInit): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${fake.apiRoot}${path}`, init);
  return { status: response.status, json: await response.json() };
}

function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(GrammyError);
      return error as GrammyError;
    },
  );
}

describe("fake Bot API: wire format", () => {
  it("answers a wrong token with 401 and an unknown method with 404, exactly like Telegram", async () => {
    const { fake } = await setup();
    expect(await raw(fake, "/bot123:WRONG/getMe")).toEqual({
      status: 401,
      json: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    expect(await raw(fake, `/bot${fake.token}/sendTelepathy`, { method: "POST" })).toEqual({
      status: 404,
      json: { ok: false, error_code: 404, description: "Not Found" },
    });
    const me = await raw(fake, `/bot${fake.token}/getme`);
    expect(me).toEqual({ status: 200, json: { ok: true, result: fake.botInfo } });
  });

  it("accepts query strings and form bodies, with JSON-typed parameters as text", async () => {
    const { fake } = await setup();
    const user = fake.user({ started: true });
    const form = new URLSearchParams({
      chat_id: String(user.id),
      text: "<b>Qaz</b> Textile",
      parse_mode: "HTML",
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Join", callback_data: "join" }]] }),
    });
    const sent = await raw(fake, `/bot${fake.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    expect(sent.status).toBe(200);
    expect(user.last()).toMatchObject({ text: "Qaz Textile", entities: [{ type: "bold", offset: 0, length: 3 }] });
    expect(user.buttons()).toEqual(["Join"]);
    const viaQuery = await raw(fake, `/bot${fake.token}/sendChatAction?chat_id=${user.id}&action=typing`);
    expect(viaQuery).toEqual({ status: 200, json: { ok: true, result: true } });
  });

  it("answers a held getUpdates with 409 when a second poller arrives, and refuses polling while a webhook is set", async () => {
    const { fake, bot } = await setup();
    const first = grammyError(bot.api.getUpdates({ timeout: 5 }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = bot.api.getUpdates({ timeout: 0 });
    expect((await first).description).toBe(
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    );
    expect(await second).toEqual([]);

    await bot.api.setWebhook("http://127.0.0.1:9/hook");
    const conflict = await grammyError(bot.api.getUpdates());
    expect(conflict.error_code).toBe(409);
    expect(conflict.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
    expect((await grammyError(bot.api.setWebhook("https://example.com/hook"))).error_code).toBe(400);
    expect((await grammyError(bot.api.setWebhook("http://127.0.0.1:9/", { secret_token: "no spaces" }))).description).toBe(
      "Bad Request: secret token contains unallowed characters",
    );
  });

  it("holds getUpdates until an update arrives, honours limit/offset and allowed_updates", async () => {
    const { fake, bot } = await setup();
    const user = fake.user();
    const held = bot.api.getUpdates({ timeout: 5, limit: 1 });
    setTimeout(() => {
      user.send("one");
      user.send("two");
    }, 30);
    const [first, ...rest] = await held;
    expect(rest).toEqual([]);
    expect(first?.message?.text).toBe("one");
    const next = await bot.api.getUpdates({ offset: (first?.update_id ?? 0) + 1 });
    expect(next.map((u) => u.message?.text)).toEqual(["two"]);

    user.sendSticker();
    fake.injectUpdate({ message_reaction: { chat: user.chat, message_id: 1, date: 0, old_reaction: [], new_reaction: [] } });
    const sticker = await bot.api.getUpdates({ offset: (next[0]?.update_id ?? 0) + 1, allowed_updates: ["message"] });
    expect(sticker).toHaveLength(1);
    expect(sticker[0]?.message?.sticker?.emoji).toBe("👍");
  });
});

describe("fake Bot API with a real grammY bot (long polling)", () => {
  it("echoes a message round trip, with a bot_command entity and Kazakh text", async () => {
    const { fake, bot } = await setup();
    bot.command("start", (ctx) => ctx.reply(`Сәлеметсіз бе, ${ctx.from?.first_name ?? ""}!`));
    bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
    const running = startPolling(bot);

    const aigerim = fake.user({ first_name: "Айгерім" });
    aigerim.send("/start");
    expect((await aigerim.waitFor(/Сәлеметсіз/)).text).toBe("Сәлеметсіз бе, Айгерім!");
    aigerim.send("Тоқыма 🧵");
    const echo = await aigerim.waitFor("Тоқыма");
    expect(echo).toMatchObject({ text: "Тоқыма 🧵", message: { from: { is_bot: true }, chat: { id: aigerim.id } } });
    await fake.confirmed(); // grammY confirms an update after handling it
    expect(aigerim.messages.map((m) => m.text)).toEqual(["Сәлеметсіз бе, Айгерім!", "Тоқыма 🧵"]);

    await bot.stop();
    expect(await running).toBeUndefined();
  });

  it("surfaces HTML escaping mistakes as GrammyError 400 with Telegram's description", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ started: true });
    const company = "<Textile & Co>";

    const unescaped = await grammyError(bot.api.sendMessage(user.id, `Welcome to ${company}`, { parse_mode: "HTML" }));
    expect(unescaped.error_code).toBe(400);
    expect(unescaped.description).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "textile" at byte offset 11',
    );
    const unclosed = await grammyError(bot.api.sendMessage(user.id, "<b>Сәлем", { parse_mode: "HTML" }));
    expect(unclosed.description).toBe(
      'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
    );

    await bot.api.sendMessage(user.id, `Welcome to <b>${escapeTelegramHtml(company)}</b>`, { parse_mode: "HTML" });
    expect(user.last()).toMatchObject({
      text: "Welcome to <Textile & Co>",
      html: "Welcome to <b>&lt;Textile &amp; Co&gt;</b>",
      entities: [{ type: "bold", offset: 11, length: 14 }],
    });
    const empty = await grammyError(bot.api.sendMessage(user.id, "<b> </b>", { parse_mode: "HTML" }));
    expect(empty.description).toBe("Bad Request: text must be non-empty");
    expect((await grammyError(bot.api.sendMessage(user.id, ""))).description).toBe("Bad Request: message text is empty");
    expect((await grammyError(bot.api.sendMessage(user.id, "ы".repeat(4097)))).description).toBe(
      "Bad Request: message is too long",
    );
  });

  it("rejects callback_data longer than 64 bytes (bytes, not characters)", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ started: true });
    const cyrillic33 = "қ".repeat(33); // 33 characters, 66 bytes
    const tooLong = await grammyError(
      bot.api.sendMessage(user.id, "Choose", { reply_markup: new InlineKeyboard().text("Go", cyrillic33) }),
    );
    expect(tooLong.description).toBe("Bad Request: BUTTON_DATA_INVALID");
    const ascii65 = await grammyError(
      bot.api.sendMessage(user.id, "Choose", { reply_markup: new InlineKeyboard().text("Go", "x".repeat(65)) }),
    );
    expect(ascii65.description).toBe("Bad Request: BUTTON_DATA_INVALID");
    await bot.api.sendMessage(user.id, "Choose", { reply_markup: new InlineKeyboard().text("Go", "қ".repeat(32)) });
    expect(user.buttons()).toEqual(["Go"]);
    const textOnly = await raw(fake, `/bot${fake.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: user.id, text: "x", reply_markup: { inline_keyboard: [[{ text: "Plain" }]] } }),
    });
    expect(textOnly).toEqual({
      status: 400,
      json: {
        ok: false,
        error_code: 400,
        description: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
      },
    });
  });

  it("injects a 429 with retry_after via failNext, without performing the call", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ started: true });
    fake.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    const flood = await grammyError(bot.api.sendMessage(user.id, "first"));
    expect(flood.error_code).toBe(429);
    expect(flood.parameters.retry_after).toBe(1);
    expect(user.messages).toEqual([]);

    await bot.api.sendMessage(user.id, "second");
    expect(user.last().text).toBe("second");
    expect(fake.callsTo("sendMessage").map((c) => [c.ok, c.error_code])).toEqual([
      [false, 429],
      [true, undefined],
    ]);
  });

  it("confirms updates by offset, and redelivers unconfirmed ones after a restart", async () => {
    const { fake } = await setup();
    const user = fake.user();
    const newBot = () => new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });

    // 1) A normal stop confirms: the next instance does not see the old update.
    const first = newBot();
    const seenByFirst: number[] = [];
    first.on("message", async (ctx) => {
      seenByFirst.push(ctx.update.update_id);
      await ctx.reply("ok");
    });
    const firstRun = startPolling(first);
    const u1 = user.send("hello");
    await user.waitFor("ok");
    await first.stop();
    await firstRun;
    expect(seenByFirst).toEqual([u1]);
    expect(fake.callsTo("getUpdates").at(-1)?.params).toMatchObject({ offset: u1 + 1, limit: 1 });

    // 2) A crash (the confirming getUpdates never happens) makes Telegram deliver it again.
    const second = newBot();
    const seenBySecond: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    second.on("message", async (ctx) => {
      seenBySecond.push(ctx.update.update_id);
      await gate;
    });
    const secondRun = startPolling(second);
    const u2 = user.send("are you there?");
    await expect.poll(() => seenBySecond).toEqual([u2]);
    fake.failNext("getUpdates", { error_code: 500, description: "Internal Server Error" });
    await expect(second.stop()).rejects.toBeInstanceOf(GrammyError);
    release();
    await secondRun;

    const third = newBot();
    const seenByThird: number[] = [];
    third.on("message", (ctx) => void seenByThird.push(ctx.update.update_id));
    const thirdRun = startPolling(third);
    await fake.confirmed();
    expect(seenByThird).toEqual([u2]);

    // 3) fake.redeliver re-sends even a confirmed update (as after a webhook retry).
    fake.redeliver(u1);
    await fake.confirmed();
    expect(seenByThird).toEqual([u2, u1]);
    await third.stop();
    await thirdRun;
  });

  it("presses inline buttons and resolves the answer; answering twice is rejected", async () => {
    const { fake, bot } = await setup();
    let queryId = "";
    bot.command("join", (ctx) =>
      ctx.reply("Join the association?", {
        reply_markup: new InlineKeyboard().text("✅ Yes", "join:yes").text("No", "join:no").row().url("Site", "https://qaztextile.kz"),
      }),
    );
    bot.callbackQuery(/^join:(yes|no)$/, async (ctx) => {
      queryId = ctx.callbackQuery.id;
      await ctx.answerCallbackQuery({ text: "Saved" });
      await ctx.editMessageText(ctx.match[1] === "yes" ? "Welcome aboard!" : "Maybe later");
    });
    const running = startPolling(bot);

    const user = fake.user();
    user.send("/join");
    const question = await user.waitFor("Join the association?");
    expect(user.buttons()).toEqual(["✅ Yes", "No", "Site"]);
    expect(() => user.press("Maybe")).toThrow(/No inline button matching "Maybe".*\n.*"✅ Yes" \| "No" \| "Site"/);
    expect(() => user.press("Site")).toThrow(/not a callback button/);

    const pressed = user.press("Yes");
    expect(await pressed.answer).toEqual({ text: "Saved" });
    const edited = await user.waitFor("Welcome aboard!");
    expect(edited).toMatchObject({ message_id: question.message_id, edits: 1, reply_markup: undefined });
    expect(pressed.queryId).toBe(queryId);
    expect((await grammyError(bot.api.answerCallbackQuery(queryId))).description).toBe(
      "Bad Request: query is too old and response timeout expired or query ID is invalid",
    );
    await bot.stop();
    await running;
  });

  it("answers 403 for users who never wrote or blocked the bot, and 400 for unknown chats", async () => {
    const { fake, bot } = await setup();
    const stranger = fake.user();
    const cant = await grammyError(bot.api.sendMessage(stranger.id, "Hi!"));
    expect([cant.error_code, cant.description]).toEqual([403, "Forbidden: bot can't initiate conversation with a user"]);

    const member = fake.user({ started: true });
    await bot.api.sendMessage(member.id, "News");
    member.blockBot();
    const blocked = await grammyError(bot.api.sendMessage(member.id, "More news"));
    expect([blocked.error_code, blocked.description]).toEqual([403, "Forbidden: bot was blocked by the user"]);
    const [update] = await bot.api.getUpdates();
    expect(update?.my_chat_member?.new_chat_member.status).toBe("kicked");

    const unknown = await grammyError(bot.api.sendMessage(424242, "?"));
    expect([unknown.error_code, unknown.description]).toEqual([400, "Bad Request: chat not found"]);
    const group = fake.group({ title: "Тоқыма кластері" });
    await bot.api.sendMessage(group.id, "Hello group");
    expect(group.last().text).toBe("Hello group");
  });
});

describe("fake Bot API: messages, edits and keyboards", () => {
  it("applies Telegram's edit rules: not modified, not found, keyboard removed by a plain edit", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ started: true });
    const keyboard = new InlineKeyboard().text("A", "a");
    const sent = await bot.api.sendMessage(user.id, "<i>Draft</i>", { parse_mode: "HTML", reply_markup: keyboard });
    expect(sent.reply_markup).toEqual({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });

    const same = await grammyError(
      bot.api.editMessageText(user.id, sent.message_id, "<i>Draft</i>", { parse_mode: "HTML", reply_markup: keyboard }),
    );
    expect(same.description).toBe(
      "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
    expect((await grammyError(bot.api.editMessageText(user.id, 999, "x"))).description).toBe(
      "Bad Request: message to edit not found",
    );
    expect((await grammyError(bot.api.editMessageReplyMarkup(user.id, sent.message_id, { reply_markup: keyboard }))).description).toMatch(
      /message is not modified/,
    );

    const edited = await bot.api.editMessageText(user.id, sent.message_id, "<i>Draft</i>", { parse_mode: "HTML" });
    expect(edited).toMatchObject({ text: "Draft", edit_date: expect.any(Number) });
    expect(edited).not.toHaveProperty("reply_markup");
    expect(user.last()).toMatchObject({ edits: 1, reply_markup: undefined });

    await bot.api.deleteMessage(user.id, sent.message_id);
    expect(user.messages[0]?.deleted).toBe(true);
    expect((await grammyError(bot.api.deleteMessage(user.id, sent.message_id))).description).toBe(
      "Bad Request: message to delete not found",
    );
  });

  it("tracks reply keyboards, contacts shared with request_contact, and groups", async () => {
    const { fake, bot } = await setup();
    bot.command("register", (ctx) =>
      ctx.reply("Share your phone", {
        reply_markup: new Keyboard().requestContact("📱 Share").resized().oneTime().placeholder("Phone"),
      }),
    );
    bot.on("message:contact", (ctx) =>
      ctx.reply(`Got ${ctx.message.contact.phone_number} (own: ${ctx.message.contact.user_id === ctx.from.id})`, {
        reply_markup: { remove_keyboard: true },
      }),
    );
    bot.on("message:text", (ctx) => ctx.reply(`Group says: ${ctx.message.text}`));
    const running = startPolling(bot);

    const user = fake.user({ first_name: "Dana" });
    user.send("/register");
    await user.waitFor("Share your phone");
    expect(user.replyKeyboard()).toMatchObject({
      keyboard: [[{ text: "📱 Share", request_contact: true }]],
      one_time_keyboard: true,
      input_field_placeholder: "Phone",
    });
    user.sendContact("+77011234567", { own: true });
    expect((await user.waitFor(/^Got/)).text).toBe("Got +77011234567 (own: true)");
    expect(user.replyKeyboard()).toBeUndefined();

    const group = fake.group();
    user.sendIn(group, "Сәлем, топ!");
    expect((await group.waitFor("Group says")).text).toBe("Group says: Сәлем, топ!");
    await bot.stop();
    await running;

    const tooLong = await grammyError(
      bot.api.sendMessage(user.id, "x", { reply_markup: new Keyboard().text("a").placeholder("p".repeat(65)) }),
    );
    expect(tooLong.error_code).toBe(400);
  });

  it("validates and stores bot commands per scope and language", async () => {
    const { bot } = await setup();
    await bot.api.setMyCommands([{ command: "start", description: "Бастау" }], { language_code: "kk" });
    await bot.api.setMyCommands([{ command: "start", description: "Start" }]);
    expect(await bot.api.getMyCommands({ language_code: "kk" })).toEqual([{ command: "start", description: "Бастау" }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: "start", description: "Start" }]);
    expect(await bot.api.getMyCommands({ scope: { type: "all_private_chats" } })).toEqual([]);
    expect((await grammyError(bot.api.setMyCommands([{ command: "Start", description: "x" }]))).description).toBe(
      "Bad Request: BOT_COMMAND_INVALID",
    );
    expect((await grammyError(bot.api.setMyCommands([{ command: "help", description: "" }]))).description).toBe(
      "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
    );
    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
    await expect(bot.api.setChatMenuButton({ menu_button: { type: "commands" } })).resolves.toBe(true);
  });

  it("explains a waitFor timeout with the chat's messages and failed calls", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ first_name: "Erlan", started: true });
    await bot.api.sendMessage(user.id, "Menu", { reply_markup: new InlineKeyboard().text("Pay dues", "dues") });
    await grammyError(bot.api.sendMessage(user.id, "a < b", { parse_mode: "HTML" }));
    const error = await user.waitFor("Receipt", { timeoutMs: 30 }).then(
      () => new Error("expected a timeout"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toContain("waitFor(Receipt) timed out after 30 ms");
    expect(error.message).toContain('#1 bot "Menu" [buttons: Pay dues]');
    expect(error.message).toContain('sendMessage → 400 Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2');
  });
});

describe("fake Bot API with a real grammY bot (webhook)", () => {
  async function webhookServer(bot: Bot, secretToken: string) {
    const posts: { secret: string | undefined }[] = [];
    const callback = webhookCallback(bot, "http", { secretToken });
    const server = http.createServer((req, res) => {
      const secret = req.headers["x-telegram-bot-api-secret-token"];
      posts.push({ secret: Array.isArray(secret) ? secret[0] : secret });
      callback(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`, posts };
  }

  it("retries a webhook rejected by grammY for a wrong secret, then delivers with the right one", async () => {
    const { fake, bot } = await setup({ webhookRetryDelayMs: 20 });
    bot.on("message:text", (ctx) => ctx.reply(`Echo: ${ctx.message.text}`));
    const hook = await webhookServer(bot, "right_secret-1");

    await bot.api.setWebhook(hook.url, { secret_token: "wrong_secret" });
    const user = fake.user();
    user.send("via webhook");
    await expect.poll(() => hook.posts.length).toBeGreaterThanOrEqual(3);
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({
      url: hook.url,
      pending_update_count: 1,
      last_error_message: "Wrong response from the webhook: 401 Unauthorized",
    });
    expect(user.messages).toEqual([]);

    await bot.api.setWebhook(hook.url, { secret_token: "right_secret-1" });
    expect((await user.waitFor("Echo: via webhook")).text).toBe("Echo: via webhook");
    await fake.confirmed();
    expect((await bot.api.getWebhookInfo()).pending_update_count).toBe(0);
    expect(hook.posts.at(-1)?.secret).toBe("right_secret-1");
  });

  it("delivers webhook updates in order and executes a webhook reply", async () => {
    const { fake } = await setup();
    const bot = new Bot(fake.token, {
      botInfo: fake.botInfo,
      client: { apiRoot: fake.apiRoot, canUseWebhookReply: (method) => method === "sendMessage" },
    });
    const order: string[] = [];
    bot.on("message:text", async (ctx) => {
      order.push(ctx.message.text);
      await ctx.reply(`#${ctx.message.text}`);
    });
    const hook = await webhookServer(bot, "s3cret");
    await bot.api.setWebhook(hook.url, { secret_token: "s3cret" });
    const user = fake.user();
    for (const text of ["1", "2", "3"]) user.send(text);
    await fake.confirmed(); // acknowledged: each answered after its handler ran
    expect(order).toEqual(["1", "2", "3"]);
    await expect.poll(() => user.messages.map((m) => m.text)).toEqual(["#1", "#2", "#3"]);
    expect(fake.callsTo("sendMessage").every((c) => c.via === "webhook-reply")).toBe(true);
  });
});

describe("fake Bot API: extension points", () => {
  it("lets tests stub unimplemented methods, including multipart uploads, and delay answers", async () => {
    const { fake, bot } = await setup();
    const user = fake.user({ started: true });
    fake.stub("sendDocument", (params) => ({ message_id: 1, date: 0, chat: user.chat, document: params.document }));
    const sent = await bot.api.sendDocument(user.id, new InputFile(Buffer.from("member list"), "members.csv"));
    expect(sent.document).toMatchObject({ file_name: "members.csv", size: 11 });
    expect(fake.callsTo("sendDocument")[0]?.params).toMatchObject({ chat_id: String(user.id) });

    fake.delay("sendMessage", 60);
    const started = Date.now();
    const pending = bot.api.sendMessage(user.id, "slow");
    // Once the call has arrived, settled() waits for its (delayed) answer.
    await vi.waitFor(() => expect(fake.callsInFlight).toBe(1), { interval: 1 });
    await expect(fake.settled({ quietMs: 10 })).resolves.toBeUndefined();
    expect(fake.callsInFlight).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect((await pending).text).toBe("slow");
  });

  it("simulates photos, stickers, replies and button presses in groups", async () => {
    const { fake, bot } = await setup();
    bot.on("message:photo", (ctx) => ctx.reply(`photo ${ctx.message.photo.length} sizes, caption ${ctx.message.caption ?? "-"}`));
    bot.command("poll", (ctx) => ctx.reply("Attend the fair?", { reply_markup: new InlineKeyboard().text("Yes", "fair:yes") }));
    bot.callbackQuery("fair:yes", (ctx) => ctx.answerCallbackQuery({ text: `Thanks, ${ctx.from.first_name}`, show_alert: true }));
    const running = startPolling(bot);

    const user = fake.user({ first_name: "Marat" });
    user.sendPhoto({ caption: "Мата үлгісі" });
    expect((await user.waitFor(/^photo/)).text).toBe("photo 4 sizes, caption Мата үлгісі");

    const group = fake.group({ type: "supergroup", title: "Textile Fair" });
    user.sendIn(group, "/poll@qaz_textile_test_bot");
    await group.waitFor("Attend the fair?");
    const press = user.pressIn(group, "Yes");
    expect(await press.answer).toEqual({ text: "Thanks, Marat", show_alert: true });
    expect(group.id).toBeLessThan(-1_000_000_000_000);
    await bot.stop();
    await running;
  });
});

describe("fake Bot API: lifecycle", () => {
  it("answers a held long poll on close and settles only when updates are confirmed", async () => {
    const fake = await startFakeBotApi();
    const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
    const user = fake.user();
    user.send("unread");
    await expect(fake.settled({ timeoutMs: 30 })).rejects.toThrow(/1 pending update\(s\).*is the bot running/);
    const updates: Update[] = await bot.api.getUpdates();
    await bot.api.getUpdates({ offset: (updates[0]?.update_id ?? 0) + 1, timeout: 0 });
    await fake.settled();

    const held = bot.api.getUpdates({ timeout: 30 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fake.close();
    expect(await held).toEqual([]);
  });

  it("resolves confirmed() at the getUpdates whose offset confirms the last update, without a quiet period", async () => {
    const { fake, bot } = await setup();
    const user = fake.user();
    const first = user.send("one");
    let confirmed = false;
    const waiting = fake.confirmed().then(() => (confirmed = true));
    expect((await bot.api.getUpdates({ timeout: 0 })).map((u) => u.update_id)).toEqual([first]); // fetched only
    await bot.api.getUpdates({ offset: first, timeout: 0 });
    expect(confirmed).toBe(false);
    await bot.api.getUpdates({ offset: first + 1, timeout: 0 });
    await waiting;

    // An update taken out and put back (redeliver) is pending again, not confirmed in between.
    const second = user.send("two");
    expect((await bot.api.getUpdates({ offset: first + 1, timeout: 0 })).map((u) => u.update_id)).toEqual([second]);
    confirmed = false;
    const again = fake.confirmed().then(() => (confirmed = true));
    fake.redeliver(second);
    await new Promise((resolve) => setImmediate(resolve));
    expect(confirmed).toBe(false);
    await expect(fake.confirmed({ timeoutMs: 20 })).rejects.toThrow(/1 pending update\(s\)/);
    expect((await bot.api.getUpdates({ offset: second + 1, timeout: 0 })).map((u) => u.update_id)).toEqual([second]);
    await bot.api.getUpdates({ offset: second + 1, timeout: 0 });
    await again;
  });
});

describe("fake Bot API: the staff group's special cases", () => {
  it("delivers an anonymous admin's message in the group's name, from GroupAnonymousBot", async () => {
    const { fake, bot } = await setup();
    const group = fake.group({ type: "supergroup", title: "Staff" });
    const admin = fake.user({ first_name: "Dana" });
    admin.sendIn(group, "/cancel", { anonymous: true, signature: "Chief" });
    const [update] = await bot.api.getUpdates();
    expect(update?.message).toMatchObject({
      from: { id: 1087968824, is_bot: true, username: "GroupAnonymousBot" },
      sender_chat: { id: group.id, type: "supergroup" },
      author_signature: "Chief",
      text: "/cancel",
    });
  });

  it("upgrades a group to a supergroup like Telegram: two service messages, the messages kept, the old id refused", async () => {
    const { fake, bot } = await setup();
    const group = fake.group({ title: "Staff" });
    const admin = fake.user({ first_name: "Dana" });
    const sent = await bot.api.sendMessage(group.id, "Notice", { reply_markup: new InlineKeyboard().text("Approve", "ap") });
    const supergroup = group.migrateToSupergroup(admin);
    const updates = await bot.api.getUpdates();
    expect(updates.map((u) => u.message)).toMatchObject([
      { chat: { id: group.id, type: "group" }, from: { id: admin.id }, migrate_to_chat_id: supergroup.id },
      { chat: { id: supergroup.id, type: "supergroup" }, sender_chat: { id: supergroup.id }, migrate_from_chat_id: group.id },
    ]);
    const refused = await grammyError(bot.api.sendMessage(group.id, "Hello?"));
    expect([refused.error_code, refused.description, refused.parameters.migrate_to_chat_id]).toEqual([
      400,
      "Bad Request: group chat was upgraded to a supergroup chat",
      supergroup.id,
    ]);
    await grammyError(bot.api.editMessageText(group.id, sent.message_id, "Decided"));
    // The notice lives on in the supergroup under the same id, and its button still works.
    await bot.api.editMessageText(supergroup.id, sent.message_id, "Decided");
    expect(supergroup.messages.find((m) => m.message_id === sent.message_id)?.text).toBe("Decided");
  });
});
