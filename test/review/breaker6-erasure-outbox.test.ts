/**
 * breaker6: after erasure, the delivery engine's tables (Outbox rows queued or kept for reports,
 * SentMessage, OutboxPace, Job) hold none of the erased person's data (name, phone, BIN, texts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness } from "../support/core-harness.ts";
import { sqlOf } from "../../src/db/database.ts";
import { noticeButton } from "./helpers.ts";

let h: Harness;
afterEach(async () => h?.close());

const NAME = "Aigerim";
const PHONE = "7011234567";
const COMPANY = "Zhibek Textile Uniq";
const BIN = "061211600012";

async function erase(p: ReturnType<Harness["person"]>) {
  await p.send("/start");
  await p.press(tr("en", "menu-privacy"));
  await p.press(tr("en", "privacy-erase-button"));
  await p.press(tr("en", "privacy-erase-yes"));
}

/**
 * Sends to `chatId` fail for now (a transient error: retried with backoff, so the rows stay queued).
 * The harness waits for the outbox to be idle after each turn, which a retried row never is: it
 * waits instead until every other chat's rows are finished.
 */
function failFor(chatId: string, when: (text: string) => boolean = () => true): { on: boolean } {
  const state = { on: true };
  const deliver = h.channel.deliver.bind(h.channel);
  h.channel.deliver = async (to, outbound) => {
    if (state.on && to === chatId && when(JSON.stringify(outbound))) throw new Error("socket hang up");
    return deliver(to, outbound);
  };
  const dispatcher = h.core.dispatcher;
  const idle = dispatcher.idle.bind(dispatcher);
  dispatcher.idle = async () => {
    if (!state.on) return idle();
    for (;;) {
      const busy = await h.db.transaction((tx) =>
        sqlOf(tx).get(
          `SELECT 1 AS "x" FROM "Outbox" WHERE "status" IN ('queued', 'sending') AND "chatId" <> ? LIMIT 1`,
          chatId,
        ),
      );
      if (!busy) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return state;
}

/** Every row of the engine's tables, as text, that still names the erased person. */
async function leftovers(): Promise<string[]> {
  const rows: string[] = [];
  await h.db.transaction(async (tx) => {
    const sql = sqlOf(tx);
    const last = await sql.get<{ id: number }>(`SELECT MAX("id") AS "id" FROM "Outbox" WHERE "chatId" = '100'`);
    const confirmation = last ? Number(last.id) : undefined;
    for (const table of ["Outbox", "SentMessage", "OutboxPace", "Job"]) {
      for (const r of await sql.all<Record<string, unknown>>(`SELECT * FROM "${table}"`)) {
        const text = JSON.stringify(r);
        if ([NAME, PHONE, COMPANY, BIN].some((s) => text.includes(s))) rows.push(`${table}: ${text.slice(0, 300)}`);
        // Their chat id too (the identity the erasure deletes), but for the confirmation of the erasure itself.
        else if (table === "Outbox" && r.chatId === "100" && r.id !== confirmation) rows.push(`${table}: ${text.slice(0, 300)}`);
      }
    }
  });
  return rows;
}

describe("erasure and the delivery engine (breaker6)", () => {
  it("a staff notice still queued (the staff chat failing for now) keeps no personal data after erasure", async () => {
    h = await start();
    failFor("900");
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: BIN, name: COMPANY });
    await erase(p);
    expect(p.last().text).toBe(tr("en", "privacy-erased"));
    expect(await leftovers()).toEqual([]);
  });

  it("the decision on a sole proprietor's application, still queued to them, keeps no personal data after they erase", async () => {
    h = await start();
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: BIN, name: COMPANY });
    await p.send("/start");
    await p.press(tr("en", "menu-privacy"));
    await p.press(tr("en", "privacy-erase-button"));
    // Their chat fails for now, for the decision only (it names their trade name): it stays queued.
    failFor("100", (text) => text.includes(COMPANY));
    await h.person("900", { language: "en" }).pressData(noticeButton(h.person("900"), 0));
    await p.press(tr("en", "privacy-erase-yes"));
    expect(await leftovers()).toEqual([]);
  });

  it("messages sent and kept for reports keep no personal data after erasure", async () => {
    h = await start();
    const p = h.person("100", { language: "en" });
    await applyForMembership(p, "en", { bin: BIN, name: COMPANY });
    await erase(p);
    expect(await leftovers()).toEqual([]);
  });
});

const start = () => startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
