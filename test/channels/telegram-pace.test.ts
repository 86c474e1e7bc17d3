/**
 * The pacer counts what Telegram counts (dispatcher.ts, ChannelCapabilities.messageCount): an
 * album is one message per item, a long text one per part. Many albums and split texts going out
 * at once, through the whole bot against the fake Bot API with its flood limits on, meet no 429.
 * Both sides' limits are Telegram's shape scaled to 100 ms steps, the bot's stricter (as
 * TELEGRAM_LIMITS are against Telegram's) and by enough that an upload's delay on a busy machine
 * does not make two albums arrive closer than the bot spaced them; the test waits seconds, not minutes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../support/telegram-harness.ts";
import { sampleJpeg } from "../support/fake-bot-api.ts";
import { keepOwnFile } from "../../src/core/files/records.ts";
import { messageCount } from "../../src/channels/telegram/translate.ts";

const GROUP = -1005555;

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("the pacer and Telegram's flood limits", () => {
  it("counts an album per photo and a split text per part, so many albums meet no 429", async () => {
    h = await startTelegramHarness({
      limits: { global: { burst: 25, everyMs: 4 }, privateChat: { burst: 3, everyMs: 200 }, group: { burst: 3, everyMs: 450 } },
      fakeLimits: { global: { burst: 30, everyMs: 10 / 3 }, privateChat: { burst: 5, everyMs: 100 }, group: { burst: 5, everyMs: 300 } },
    });
    const people = [h.fake.user({ first_name: "A" }), h.fake.user({ first_name: "B" })];
    for (const p of people) {
      p.send("/start");
      await p.waitFor((m) => m.message_id > 0);
    }
    await h.settled();
    const group = h.fake.group({ id: GROUP, title: "Staff", type: "supergroup" });
    const chats = [...people.map((p) => String(p.id)), String(GROUP)];
    const long = `${"Абзац длинного текста. ".repeat(200)}\n\n`.repeat(2).trim(); // two messages on Telegram
    await h.core.run({ person: null, ref: "test" }, async (unit) => {
      for (const [c, chatId] of chats.entries()) {
        for (let i = 0; i < 4; i++) {
          const files = [];
          for (let j = 0; j < 4; j++) {
            const f = await keepOwnFile(unit.tx, unit.services.files, sampleJpeg(`c${c}-a${i}-p${j}`), { kind: "photo", name: `p${j}.jpg` }, unit.now);
            files.push({ fileId: f.id, name: `p${j}.jpg` });
          }
          await unit.outbox.send({ channel: "telegram", chatId, locale: "ru" }, { text: () => `Альбом ${i + 1}`, files }, { lane: "bulk" });
        }
        await unit.outbox.send({ channel: "telegram", chatId, locale: "ru" }, { text: () => long }, { lane: "bulk" });
      }
    });
    for (const p of people) await p.waitFor((m) => m.text.startsWith("Абзац"), { timeoutMs: 20_000 });
    await group.waitFor((m) => m.text.startsWith("Абзац"), { timeoutMs: 20_000 });
    await h.settled({ timeoutMs: 20_000 });
    for (const p of people) expect(p.messages.filter((m) => m.file?.kind === "photo").length).toBe(16);
    expect(h.fake.floodStats.performed).toBeGreaterThanOrEqual(3 * (4 + 2));
    expect(group.messages.filter((m) => m.file?.kind === "photo").length).toBe(16);
    expect(h.fake.calls.filter((c) => !c.ok).map((c) => `${c.method} ${String(c.params.chat_id)} ${c.error}`)).toEqual([]);
    expect(h.fake.floodStats).toMatchObject({ overLimit: 0, inWindow: 0 });
  });

  it("messageCount: what each kind of message costs", () => {
    const long = "Абзац. ".repeat(1000);
    expect(messageCount({ text: "Привет" }, 0)).toBe(1);
    expect(messageCount({ text: long }, 0)).toBe(2);
    expect(messageCount({ text: "Подпись" }, 4)).toBe(4);
    expect(messageCount({ text: "" }, 10)).toBe(10);
    expect(messageCount({ text: long }, 3)).toBe(5);
    // An album cannot carry buttons: the text goes apart.
    expect(messageCount({ text: "Выберите", choices: [[{ data: "x", label: "X" }]] }, 2)).toBe(3);
    expect(messageCount({ text: "Выберите", choices: [[{ data: "x", label: "X" }]] }, 1)).toBe(1);
  });
});
