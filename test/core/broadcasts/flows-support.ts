/**
 * The compose flows' tests: the whole core through chats (core harness: real database of either
 * provider, real locales, a recording channel), with staff and members written straight into the
 * database (registration has its own tests) so that audiences can be built quickly.
 */
import { startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { Locale } from "../../../src/i18n/locales.ts";

export { tr };

let bins = 200_000_000_000;

export interface ComposeWorld {
  h: Harness;
  /** The staff member (chat "900", Russian). */
  staff: TestPerson;
  /** A new enterprise (active unless said), its id. */
  enterprise(opts?: { region?: string; sector?: string; status?: string }): Promise<number>;
  /** A person on telegram chat `chat` (a member of `enterpriseId` when given), their person id. */
  person(chat: string, opts?: { locale?: Locale; role?: string; enterpriseId?: number }): Promise<number>;
  /** Those chats' messages, text only. */
  texts(chat: string): string[];
  close(): Promise<void>;
}

export async function startCompose(opts: { clock?: () => Date } = {}): Promise<ComposeWorld> {
  const h = await startHarness({ ...(opts.clock ? { clock: opts.clock } : {}) });
  const w: ComposeWorld = {
    h,
    staff: undefined as unknown as TestPerson,
    async enterprise(e = {}) {
      const row = await h.db.transaction((tx) =>
        tx.enterprise.create({
          data: { name: "Textile LLP", bin: String(bins++), binKind: "legal-entity", region: e.region ?? "almaty-city", sector: e.sector ?? "apparel", employees: 40, status: e.status ?? "active", submittedAt: new Date() },
        }),
      );
      return row.id;
    },
    async person(chat, p = {}) {
      return h.db.transaction(async (tx) => {
        const person = await tx.person.create({
          data: { locale: p.locale ?? "ru", role: p.role ?? "member", name: `Person ${chat}`, consentAt: new Date(), consentVersion: "1", identities: { create: { channel: "telegram", externalId: chat } } },
        });
        if (p.enterpriseId) await tx.membership.create({ data: { personId: person.id, enterpriseId: p.enterpriseId, role: "owner", status: "active", requestedAt: new Date() } });
        return person.id;
      });
    },
    texts: (chat) => h.channel.in(chat).map((m) => m.text),
    close: () => h.close(),
  };
  await w.person("900", { role: "staff", locale: "ru" });
  w.staff = h.person("900", { language: "ru" });
  return w;
}

/** Members reading kk (2), ru (3) and en (1), in Almaty and Astana, apparel and textiles. Their chats. */
export async function sixMembers(w: ComposeWorld): Promise<{ kk: string[]; ru: string[]; en: string[] }> {
  const almaty = await w.enterprise({ region: "almaty-city", sector: "apparel" });
  const astana = await w.enterprise({ region: "astana", sector: "textiles", status: "ownerless" });
  const chats = { kk: ["101", "102"], ru: ["201", "202", "203"], en: ["301"] };
  await w.person("101", { locale: "kk", enterpriseId: almaty });
  await w.person("102", { locale: "kk", enterpriseId: astana });
  await w.person("201", { locale: "ru", enterpriseId: almaty });
  await w.person("202", { locale: "ru", enterpriseId: astana });
  await w.person("203", { locale: "ru", enterpriseId: astana });
  await w.person("301", { locale: "en", enterpriseId: almaty });
  return chats;
}

/** The newest message of `p` whose text contains `text`. */
export const newest = (p: TestPerson, text: string) => [...p.messages()].reverse().find((m) => m.text.includes(text));

/** Presses the language toggles `locales` (ru labels) and Done. */
export async function chooseLanguages(staff: TestPerson, locales: Locale[]): Promise<void> {
  for (const l of locales) await staff.press(tr("ru", `compose-lang-${l}`));
  await staff.press(tr("ru", "compose-done"));
}

/**
 * Composes in `locales` (texts "Текст <l>"), no file, to all active members: up to the screen.
 */
export async function composeSimple(staff: TestPerson, locales: Locale[] = ["ru"]): Promise<void> {
  await staff.send("/announce");
  await chooseLanguages(staff, locales);
  for (const l of locales) await staff.send(`Текст ${l}`);
  await staff.press(tr("ru", "compose-skip"));
  await staff.press(tr("ru", "compose-audience-all"));
}
