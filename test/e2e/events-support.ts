/**
 * Shared steps of the events and announcements end-to-end tests (events-*.test.ts,
 * broadcasts-*.test.ts): the whole bot over HTTP against the fake Bot API, a configured admin Dana
 * (English) who has written to the bot, and member enterprises written straight into the database
 * (registration has its own end-to-end tests; an audience of dozens or hundreds is built in
 * milliseconds that way), each person a fake Telegram user who has started the bot.
 */
import { startTelegramHarness, type TelegramHarness, type TelegramHarnessOptions } from "../support/telegram-harness.ts";
import { tr } from "../support/core-harness.ts";
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

/** The newest message of `who` (after `after`) that carries a document. */
export const documentIn = (who: FakeUser, after: number) => who.waitFor((m) => m.file?.kind === "document", { after, ...WAIT });

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
