/**
 * Shared steps of the events and announcements end-to-end tests (events-*.test.ts,
 * broadcasts-*.test.ts): the whole bot over HTTP against the fake Bot API, a configured admin Dana
 * (English) who has written to the bot, and member enterprises written straight into the database
 * (registration has its own end-to-end tests; an audience of dozens or hundreds is built in
 * milliseconds that way), each person a fake Telegram user who has started the bot.
 */
import { expect } from "vitest";
import { startTelegramHarness, type TelegramHarness, type TelegramHarnessOptions } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
import { step } from "../support/telegram-steps.ts";
import type { BotMessage, FakeUser } from "../support/fake-bot-api.ts";
import type { Locale } from "../../src/i18n/locales.ts";

export const ADMIN = 900;
/**
 * A ceiling for each of these tests: whole flows over HTTP on a loaded 2-core machine, on
 * PostgreSQL too. Nothing is timed: every step waits for its event.
 */
export const E2E_TIMEOUT = 240_000;
/** How long one wait for the bot may take (a broadcast of hundreds at Telegram's pace is seconds). */
export const WAIT = { timeoutMs: 60_000 } as const;

export const en = (key: string, args?: Record<string, string | number>) => tr("en", key, args);

export interface Member {
  user: FakeUser;
  locale: Locale;
  personId: number;
  enterpriseId: number | null;
}

export interface World {
  h: TelegramHarness;
  dana: FakeUser;
  /**
   * A person of a new enterprise (active unless said) reading `locale`, or of `enterpriseId` when
   * given, or of none with `enterpriseId: null`; role "member" unless said.
   */
  member(locale: Locale, opts?: { region?: string; sector?: string; status?: string; enterpriseId?: number | null; role?: string; name?: string }): Promise<Member>;
  close(): Promise<void>;
}

let bins = 300_000_000_000;
let users = 10_000;

/** The bot with admin Dana, who has written /start (the first turn warms Prisma and the locales up). */
export async function startWorld(opts: TelegramHarnessOptions = {}): Promise<World> {
  const h = await startTelegramHarness({ admins: [String(ADMIN)], ...opts });
  const dana = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
  dana.send("/start");
  await dana.waitFor(en("menu-prompt"), { after: 0, timeoutMs: 60_000 });
  await h.settled({ timeoutMs: 60_000 });
  const world: World = {
    h,
    dana,
    async member(locale, m = {}) {
      const id = users++;
      const user = h.fake.user({ id, first_name: `Member ${id}`, language_code: locale, started: true });
      const { personId, enterpriseId } = await h.db.transaction(async (tx) => {
        const person = await tx.person.create({
          data: { locale, role: m.role ?? "member", name: `Person ${id}`, consentAt: new Date(), consentVersion: "1", identities: { create: { channel: "telegram", externalId: String(id) } } },
        });
        let enterpriseId = m.enterpriseId === undefined ? null : m.enterpriseId;
        if (m.enterpriseId === undefined && (m.role ?? "member") === "member") {
          const e = await tx.enterprise.create({
            data: { name: m.name ?? `Enterprise ${id}`, bin: String(bins++), binKind: "legal-entity", region: m.region ?? "almaty-city", sector: m.sector ?? "apparel", employees: 40, status: m.status ?? "active", submittedAt: new Date() },
          });
          enterpriseId = e.id;
        }
        if (enterpriseId !== null) await tx.membership.create({ data: { personId: person.id, enterpriseId, role: "owner", status: "active", requestedAt: new Date() } });
        return { personId: person.id, enterpriseId };
      });
      return { user, locale, personId, enterpriseId };
    },
    close: () => h.close(),
  };
  return world;
}

/** The id of the newest message in `who`'s chat (0 when none): a point to wait for what follows. */
export const mark = (who: FakeUser): number => who.messages.at(-1)?.message_id ?? 0;

/**
 * Downloads a file the way a Telegram client does it for the person: getFile with the message's
 * file_id, then the bytes at the file path the answer gives.
 */
export async function download(h: TelegramHarness, message: BotMessage): Promise<Buffer> {
  const root = `${h.fake.apiRoot}/bot${h.fake.token}`;
  const res = (await (await fetch(`${root}/getFile?file_id=${encodeURIComponent(message.file!.file_id)}`)).json()) as { ok: boolean; result: { file_path: string } };
  if (!res.ok) throw new Error(`getFile failed: ${JSON.stringify(res)}`);
  const bytes = await fetch(`${h.fake.apiRoot}/file/bot${h.fake.token}/${res.result.file_path}`);
  if (!bytes.ok) throw new Error(`download failed: ${bytes.status}`);
  return Buffer.from(await bytes.arrayBuffer());
}

/** The message texts the bot sent to `who` (not deleted), oldest first. */
export const textsOf = (who: FakeUser): string[] => who.messages.filter((m) => !m.deleted).map((m) => m.text);

/** What a person reads of a message with markup: the text without its tags. */
export const plain = (s: string) => s.replace(/<[^>]+>/g, "");

let serial = 0;

/** `compose`, then the final report awaited. */
export async function announce(world: World, choose: (string | RegExp)[], expected: number, opts: { done?: boolean } = {}): Promise<{ text: string; id: number }> {
  const sent = await compose(world, choose, expected, opts);
  await reportOf(world, sent.id);
  return sent;
}

/** Dana's final report of broadcast `id` (the progress message replaced by it), once it is there. */
export async function reportOf(world: World, id: number, opts: { cancelled?: boolean } = {}): Promise<BotMessage> {
  const head = plain(en(opts.cancelled ? "broadcast-report-cancelled" : "broadcast-report", { id, sent: 0, total: 0 })).split(":")[0]!;
  const report = await world.dana.waitFor((m) => m.text.startsWith(head), { after: 0, timeoutMs: 120_000 });
  await world.h.settled(WAIT);
  return report;
}

/**
 * Dana composes an announcement in Russian (a text unique to it, with markup typed as text) for
 * the audience chosen by `choose` (button labels after "Who should receive it?", in English;
 * `done: false` when the last press needs no "Done"), checks the screen's count of `expected`
 * recipients and sends it; returns the text and the broadcast's id once sending has started.
 */
export async function compose(world: World, choose: (string | RegExp)[], expected: number, opts: { done?: boolean } = {}): Promise<{ text: string; id: number }> {
  const { dana, h } = world;
  const text = `Объявление ${++serial}: <b>не разметка</b> & всё`;
  await h.settled(WAIT);
  await step(dana, () => dana.send("/announce"), en("compose-ask-languages", { chosen: en("compose-none-chosen") }).split("\n")[0]!);
  await step(dana, () => dana.press(en("compose-lang-ru")), en("compose-ask-languages", { chosen: en("compose-lang-ru") }).split("\n")[0]!);
  await step(dana, () => dana.press(en("compose-done")), en("compose-ask-text", { language: en("compose-lang-ru"), max: 4000, caption: 1024 }).slice(0, 30));
  await step(dana, () => dana.send(text), en("compose-ask-file", { caption: 1024 }).slice(0, 30));
  await step(dana, () => dana.press(en("compose-skip")), en("compose-ask-audience"));
  for (const [i, label] of choose.entries()) {
    await h.settled(WAIT);
    const last = i === choose.length - 1 && opts.done === false;
    await step(dana, () => dana.press(label), last ? plain(en("compose-screen-title")) : () => true);
  }
  if (opts.done !== false) await step(dana, () => dana.press(en("compose-done")), plain(en("compose-screen-title")));
  expect(dana.last().text).toContain(plain(en("compose-screen-total", { count: expected })));
  await step(dana, () => dana.press(en("compose-send-button")), plain(en("compose-send-confirm", { count: expected })).slice(0, 20));
  await step(dana, () => dana.press(en("compose-send-yes")), plain(en("compose-started", { count: expected })).slice(0, 30));
  const row = await h.db.transaction((tx) => tx.broadcast.findFirstOrThrow({ orderBy: { id: "desc" } }));
  return { text, id: row.id };
}

/** Resolves once `condition()` holds (checked every 20 ms); rejects after `timeoutMs` with `what`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
