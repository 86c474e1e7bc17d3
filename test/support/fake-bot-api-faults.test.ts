/** The fake Bot API's flood windows and lost answers (used by test/e2e/flood and duplicates). */
import { Bot, GrammyError, HttpError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeBotApi, type FakeBotApi } from "./fake-bot-api.ts";

let fake: FakeBotApi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup() {
  fake = await startFakeBotApi();
  const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
  return { fake, bot };
}

describe("fake Bot API: flood control and lost answers", () => {
  it("a flood window without a chat answers 429 to every chat, with the seconds left", async () => {
    const { fake, bot } = await setup();
    const [a, b] = [fake.user({ started: true }), fake.user({ started: true })];
    fake.flood(3);
    for (const u of [a, b]) {
      const error = await bot.api.sendMessage(u.id, "hi").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrammyError);
      expect((error as GrammyError).error_code).toBe(429);
      expect((error as GrammyError).parameters.retry_after).toBe(3);
    }
    expect(a.messages).toEqual([]);
    // Other methods are not limited.
    await expect(bot.api.getMe()).resolves.toBeTruthy();
  });

  it("a flood window for one chat leaves the others alone", async () => {
    const { fake, bot } = await setup();
    const [a, b] = [fake.user({ started: true }), fake.user({ started: true })];
    fake.flood(3, { chatId: a.id });
    await expect(bot.api.sendMessage(a.id, "hi")).rejects.toBeInstanceOf(GrammyError);
    await expect(bot.api.sendMessage(b.id, "hi")).resolves.toMatchObject({ text: "hi" });
  });

  it("a lost answer: the message is stored, the bot gets a 500 or a cut connection", async () => {
    const { fake, bot } = await setup();
    const u = fake.user({ started: true });
    fake.loseAnswerNext("sendMessage", { as: "5xx" });
    fake.loseAnswerNext("sendMessage", { as: "drop" });
    const first = await bot.api.sendMessage(u.id, "one").catch((e: unknown) => e);
    expect((first as GrammyError).error_code).toBe(500);
    const second = await bot.api.sendMessage(u.id, "two").catch((e: unknown) => e);
    expect(second).toBeInstanceOf(HttpError);
    await bot.api.sendMessage(u.id, "three");
    expect(u.messages.map((m) => m.text)).toEqual(["one", "two", "three"]);
  });
});

describe("fake Bot API: Telegram's flood limits (limits: true)", () => {
  const code = (e: unknown) => (e instanceof GrammyError ? e.error_code : 200);

  it("a private chat takes a short burst, then 429 with retry_after, and the window refuses what ignores it", async () => {
    fake = await startFakeBotApi({ limits: { privateChat: { burst: 3, everyMs: 1000 } } });
    const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
    const [a, b] = [fake.user({ started: true }), fake.user({ started: true })];
    const results: number[] = [];
    for (let i = 0; i < 5; i++) results.push(code(await bot.api.sendMessage(a.id, `m${i}`).catch((e: unknown) => e)));
    expect(results).toEqual([200, 200, 200, 429, 429]);
    const refused = (await bot.api.sendMessage(a.id, "again").catch((e: unknown) => e)) as GrammyError;
    expect(refused.parameters.retry_after).toBeGreaterThanOrEqual(1);
    // The first 429 opened the window; the calls after it were inside it.
    expect(fake.floodStats).toEqual({ overLimit: 1, inWindow: 2, performed: 3, paid: 0 });
    // Another chat is not limited by this one.
    await expect(bot.api.sendMessage(b.id, "hi")).resolves.toMatchObject({ text: "hi" });
    expect(a.messages.map((m) => m.text)).toEqual(["m0", "m1", "m2"]);
  });

  it("the bot's global limit holds for every chat together", async () => {
    fake = await startFakeBotApi({ limits: { global: { burst: 4, everyMs: 1000 } } });
    const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
    const people = Array.from({ length: 6 }, () => fake!.user({ started: true }));
    const results: number[] = [];
    for (const p of people) results.push(code(await bot.api.sendMessage(p.id, "hi").catch((e: unknown) => e)));
    expect(results).toEqual([200, 200, 200, 200, 429, 429]);
    // Other methods are not limited.
    await expect(bot.api.getMe()).resolves.toBeTruthy();
  });
});

describe("fake Bot API: paid broadcasts (allow_paid_broadcast)", () => {
  const code = (e: unknown) => (e instanceof GrammyError ? e.error_code : 200);

  it("paid messages count against their own limit, not the free global one, and still against their chat's", async () => {
    fake = await startFakeBotApi({ limits: { global: { burst: 2, everyMs: 1000 }, paid: { burst: 4, everyMs: 1000 }, privateChat: { burst: 1, everyMs: 1000 } } });
    const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
    const people = Array.from({ length: 7 }, () => fake!.user({ started: true }));
    const paid = { allow_paid_broadcast: true };
    // The free budget spent first: paid messages still go.
    const free = [];
    for (const p of people.slice(0, 2)) free.push(code(await bot.api.sendMessage(p.id, "free").catch((e: unknown) => e)));
    expect(free).toEqual([200, 200]);
    const results: number[] = [];
    for (const p of people.slice(2)) results.push(code(await bot.api.sendMessage(p.id, "paid", paid).catch((e: unknown) => e)));
    expect(results).toEqual([200, 200, 200, 200, 429]);
    expect(fake.floodStats).toMatchObject({ performed: 6, paid: 4, overLimit: 1 });
    // A chat's own limit holds for paid messages too (its one message already went).
    const again = await bot.api.sendMessage(people[2]!.id, "paid again", paid).catch((e: unknown) => e);
    expect(code(again)).toBe(429);
    // The calls performed carry the flag as the bot sent it.
    expect(fake.callsTo("sendMessage").filter((c) => c.ok && c.params.allow_paid_broadcast === true)).toHaveLength(4);
  });
});

describe("fake Bot API: unreachable people and server faults", () => {
  it("a blocked user answers 403 bot was blocked, a deleted account 403 user is deactivated, an unknown chat 400 chat not found", async () => {
    const { fake, bot } = await setup();
    const [blocked, gone] = [fake.user({ started: true }), fake.user({ started: true })];
    blocked.blockBot();
    gone.deactivate();
    const describe = async (chatId: number) => {
      const e = await bot.api.sendMessage(chatId, "hi").catch((error: unknown) => error);
      return e instanceof GrammyError ? `${e.error_code} ${e.description}` : "sent";
    };
    expect(await describe(blocked.id)).toBe("403 Forbidden: bot was blocked by the user");
    expect(await describe(gone.id)).toBe("403 Forbidden: user is deactivated");
    expect(await describe(987_654_321)).toBe("400 Bad Request: chat not found");
    expect(() => gone.send("hello")).toThrow(/deactivated/);
  });

  it("failNext for one chat fails that chat's next calls only (a 5xx), the others go on", async () => {
    const { fake, bot } = await setup();
    const [a, b] = [fake.user({ started: true }), fake.user({ started: true })];
    fake.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" }, 2, a.id);
    const result = async (chatId: number) => {
      const e = await bot.api.sendMessage(chatId, "hi").catch((error: unknown) => error);
      return e instanceof GrammyError ? e.error_code : 200;
    };
    expect([await result(b.id), await result(a.id), await result(b.id), await result(a.id), await result(a.id)]).toEqual([200, 502, 200, 502, 200]);
    expect(a.messages).toHaveLength(1);
  });
});
