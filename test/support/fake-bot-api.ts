/**
 * A fake Telegram Bot API server for end-to-end tests and benchmarks of the
 * real grammY bot (nothing outside this machine is reachable, so this is how
 * the bot meets "Telegram"). See fake-bot-api/server.ts for the entry point.
 *
 * ```ts
 * const fake = await startFakeBotApi();
 * const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
 * const aigerim = fake.user({ first_name: "Aigerim" });
 * aigerim.send("/start");
 * await aigerim.waitFor(/Welcome/);
 * // Files: people send photos, documents and albums whose bytes the bot fetches (getFile, then
 * // GET /file/bot<token>/<file_path>); what the bot sends shows as `message.file` (kind, name,
 * // mime, bytes, sha256), `thread` and `reply_to`. Forums: fake.group({ type: "supergroup", forum: true }).
 * aigerim.sendAlbum([{ kind: "photo", caption: "Мата" }, { kind: "photo" }]);
 * aigerim.sendDocument({ name: "акт.pdf", bytes: samplePdf() });
 * ```
 */
export { BotApiError } from "./fake-bot-api/errors.ts";
export {
  type AlbumItem,
  type SendFileOptions,
  FakeGroup,
  type FakeGroupInit,
  type FakeUserInit,
  FakeUser,
  type PressResult,
  type SendOptions,
} from "./fake-bot-api/people.ts";
export {
  FakeBotApi,
  type FakeBotApiOptions,
  type InjectedError,
  type RecordedCall,
  type ConfirmedOptions,
  type SettledOptions,
  startFakeBotApi,
  TELEGRAM_FLOOD_LIMITS,
  type FakeLimits,
  type FloodStats,
} from "./fake-bot-api/server.ts";
export type { BotMessage, CallbackAnswer, MessageMatch, SentFile, WaitForOptions } from "./fake-bot-api/state.ts";
export { type FileInput, MAX_DOWNLOAD_BYTES, sampleJpeg, samplePdf, sha256 } from "./fake-bot-api/files.ts";
export type { UpdateInput } from "./fake-bot-api/updates.ts";
