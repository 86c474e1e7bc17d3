/**
 * Breaker 9: a WhatsApp chat id is a phone number. After a person on WhatsApp erases their data,
 * no table may keep the digits of their number (processed-update ids, pace keys, dialog keys,
 * outbox rows, counters...), and no log line may carry them nor their message texts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { sqlOf } from "../../src/db/database.ts";
import { startWhatsAppHarness, type WhatsAppHarness } from "../support/whatsapp-harness.ts";
import { testProvider } from "../support/db-template.ts";
import { tr } from "../support/core-harness.ts";
import { WHATSAPP_CAPABILITIES } from "../../src/channels/whatsapp/capabilities.ts";
import { registerOnWhatsApp } from "../e2e/whatsapp-support.ts";

const PHONE = "+77019876543";
const DIGITS = "7019876543";
let wa: WhatsAppHarness;
afterEach(async () => wa?.close());

/** Every row of every table, as text, with the table's name. */
async function everyRow(): Promise<string[]> {
  return wa.db.transaction(async (tx) => {
    const sql = sqlOf(tx);
    const tables =
      testProvider === "postgresql"
        ? (await sql.all<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).map((r) => r.t)
        : (await sql.all<{ t: string }>(`SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r) => r.t);
    const rows: string[] = [];
    for (const t of tables) {
      if (t === "_prisma_migrations") continue;
      for (const r of await sql.all<Record<string, unknown>>(`SELECT * FROM "${t}"`)) rows.push(`${t}: ${JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`);
    }
    return rows;
  });
}

async function erase(phone: string) {
  const t = (k: string) => tr("ru", k);
  await wa.say(phone, "меню");
  await wa.choose(phone, t("menu-privacy"));
  await wa.choose(phone, t("privacy-erase-button"));
  await wa.choose(phone, t("privacy-erase-yes"));
  expect(wa.last(phone)).toContain(t("privacy-erased").split(" ")[0]!);
}

describe("erasure on WhatsApp leaves no phone number", () => {
  for (const paced of [false, true]) {
    it(`in no table and no log line (${paced ? "paced" : "unpaced"} channel)`, { timeout: 120_000 }, async () => {
      wa = await startWhatsAppHarness(paced ? { capabilities: WHATSAPP_CAPABILITIES } : {});
      await registerOnWhatsApp(wa, PHONE, "ru", "990140000384", "Швейный цех Секрет");
      await erase(PHONE);
      await wa.settled();
      const left = (await everyRow()).filter((r) => r.includes(DIGITS));
      expect(left).toEqual([]);
      expect(wa.logs.filter((l) => l.includes(DIGITS) || l.includes("Секрет") || l.includes("Айгерим"))).toEqual([]);
    });
  }
});
