/**
 * A core for problem service tests: a real database (either provider), real locales, a recording
 * channel, a clock the test moves, and the job worker ticked by hand. People and enterprises are
 * written directly (registration has its own tests); services are called in units of work as the
 * flows call them (`d.act`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../../src/db/database.ts";
import { createCore, type Core } from "../../../src/core/core.ts";
import type { Acting, Unit } from "../../../src/core/unit.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import { silentLogger } from "../../../src/log.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { i18n, RecordingChannel } from "../../support/core-harness.ts";
import type { ProblemDraft } from "../../../src/core/problems/service.ts";

export interface World {
  core: Core;
  db: Database;
  channel: RecordingChannel;
  dir: string;
  /** The clock every unit reads. */
  now: Date;
  later(ms: number): void;
  /** A new enterprise (active unless said), its id. */
  enterprise(opts?: { name?: string; region?: string; sector?: string; status?: string; binKind?: string }): Promise<number>;
  /** A person reachable on telegram chat `chat`, optionally with an active membership; returns how to act as them. */
  person(chat: string, opts?: { locale?: Locale; role?: string; name?: string; enterpriseId?: number; membership?: string; phone?: string }): Promise<Acting & { person: NonNullable<Acting["person"]> }>;
  run<T>(as: Acting, fn: (unit: Unit) => Promise<T>): Promise<T>;
  /** Texts delivered to a chat (visible text), after the dispatcher went idle. */
  texts(chat: string): Promise<string[]>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

let bins = 100_000_000_000;

export async function startWorld(opts: { staffChat?: string; start?: Date } = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "qti-problems-"));
  process.env.FILES_DIR = join(dir, "files");
  const url = `file:${join(dir, "bot.db")}`;
  const channel = new RecordingChannel();
  let db = await openTestDatabase(url);
  const settings = { defaultLocale: "ru" as Locale, admins: [], ...(opts.staffChat ? { staffChat: { channel: "telegram" as const, chatId: opts.staffChat } } : {}) };
  const make = async (instance: string) => {
    const core = createCore({ db, i18n: i18n(), log: silentLogger, clock: () => world.now, settings, jobs: { start: false, instance } });
    await core.start();
    await core.dispatcher.register(channel);
    return core;
  };
  let restarts = 0;
  const world: World = {
    core: undefined as unknown as Core,
    get db() {
      return db;
    },
    channel,
    dir,
    now: opts.start ?? new Date("2026-11-30T06:00:00Z"),
    later(ms) {
      world.now = new Date(world.now.getTime() + ms);
    },
    async enterprise(e = {}) {
      const row = await db.transaction((tx) =>
        tx.enterprise.create({
          data: {
            name: e.name ?? "Textile LLP",
            bin: String(bins++),
            binKind: e.binKind ?? "legal-entity",
            region: e.region ?? "almaty-city",
            sector: e.sector ?? "apparel",
            employees: 40,
            status: e.status ?? "active",
            submittedAt: world.now,
          },
        }),
      );
      return row.id;
    },
    async person(chat, p = {}) {
      const row = await db.transaction(async (tx) => {
        const person = await tx.person.create({
          data: {
            locale: p.locale ?? "ru",
            role: p.role ?? "member",
            name: p.name ?? null,
            phone: p.phone ?? null,
            ...(p.name ? { consentAt: world.now, consentVersion: "1" } : {}),
            identities: { create: { channel: "telegram", externalId: chat } },
          },
        });
        if (p.enterpriseId) {
          await tx.membership.create({ data: { personId: person.id, enterpriseId: p.enterpriseId, role: "owner", status: p.membership ?? "active", requestedAt: world.now } });
        }
        return person;
      });
      return { person: { personId: row.id, role: row.role, locale: (p.locale ?? "ru") as Locale }, ref: `telegram:${chat}` };
    },
    run: (as, fn) => world.core.run(as, fn),
    async texts(chat) {
      await world.core.dispatcher.idle();
      return channel.in(chat).map((m) => m.text);
    },
    async restart() {
      await world.core.stop();
      await world.core.dispatcher.stop();
      await db.close();
      db = await openTestDatabase(url);
      world.core = await make(`i${++restarts}`);
    },
    async close() {
      await world.core.stop();
      await world.core.dispatcher.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  world.core = await make("i0");
  return world;
}

/** A report as the flow sends it. */
export const draft = (over: Partial<ProblemDraft> = {}): ProblemDraft => ({
  category: "certification",
  title: "Сертификат соответствия на ткань",
  description: "Орган по сертификации требует повторные испытания каждой партии.",
  files: [],
  anonymous: false,
  ...over,
});
