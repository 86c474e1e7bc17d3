/**
 * The bench's reference bots, each run as its own process (bundled like the real bot):
 *
 *   node dist/bench/bare-bot.js grammy   grammY's own long polling, started as grammY's docs show
 *                                        (`bot.start()`), handling a batch one update at a time;
 *   node dist/bench/bare-bot.js poller   the same handlers on the project's Poller
 *                                        (src/channels/telegram/polling.ts), as the real bot polls.
 *
 * Each update gets the same visible answer as the real bot gives a step: one HTML message with
 * buttons, and a press is answered. No database, no dialog: the floor of what a grammY bot costs.
 * Reads TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT and BENCH_BUTTONS; prints {"msg":"ready"} when polling, and
 * {"msg":"stopped"} after SIGTERM.
 */
import { Bot, InlineKeyboard } from "grammy";
import { Poller } from "../src/channels/telegram/polling.ts";
import { createLogger } from "../src/log.ts";

const mode = process.argv[2];
if (mode !== "grammy" && mode !== "poller") throw new Error("usage: bare-bot.js grammy|poller");
const bot = new Bot(process.env.TELEGRAM_BOT_TOKEN!, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } });
// The real bot's button labels (BENCH_BUTTONS, a JSON array from the bench), so the same people can press them.
const [a, b, c, d, e] = JSON.parse(process.env.BENCH_BUTTONS ?? "[]") as string[];
const keyboard = new InlineKeyboard()
  .text(a ?? "a", "a")
  .text(b ?? "b", "b")
  .row()
  .text(c ?? "c", "c")
  .text(d ?? "d", "d")
  .row()
  .text(e ?? "e", "e");
bot.on("message", (ctx) => ctx.reply("<b>ok</b>", { parse_mode: "HTML", reply_markup: keyboard }));
bot.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply("<b>ok</b>", { parse_mode: "HTML", reply_markup: keyboard });
});
const say = (msg: string) => process.stdout.write(JSON.stringify({ msg }) + "\n");

let stop: () => Promise<void>;
if (mode === "grammy") {
  const running = bot.start({ onStart: () => { say("ready"); } });
  stop = async () => {
    await bot.stop();
    await running;
  };
} else {
  await bot.init();
  const poller = new Poller({
    bot,
    log: createLogger({ level: "warn" }),
    timeout: 30,
    allowedUpdates: ["message", "callback_query"],
    receive: async (update) => {
      await bot.handleUpdate(update);
      return "done";
    },
  });
  await poller.start();
  say("ready");
  stop = () => poller.stop();
}
process.once("SIGTERM", () =>
  void stop().then(() => {
    say("stopped");
    process.exit(0);
  }),
);
