import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimUpdate,
  deleteDialog,
  deleteMenu,
  enqueue,
  loadDialog,
  loadMenu,
  pruneProcessed,
  saveDialog,
  saveMenu,
  type MenuChoice,
} from "../../src/core/bookkeeping.ts";
import { sqlOf, type Database } from "../../src/db/database.ts";
import { openTestDatabase } from "../support/db-template.ts";

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "qti-bookkeeping-"));
  db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
});

afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = new Date("2026-11-26T06:00:00.123Z");
const T1 = new Date("2026-11-26T06:05:30.456Z");

/** How the database holds a column, as text, to compare raw inserts with the model API's. */
async function storedText(table: string, column: string, where: string, value: string | number): Promise<string> {
  const row = await db.transaction((tx) => sqlOf(tx).get<{ v: string }>(`SELECT CAST("${column}" AS TEXT) AS v FROM "${table}" WHERE "${where}" = ?`, value));
  return row!.v;
}

describe("claimUpdate", () => {
  it("claims an update id once; a redelivery of the same id is refused", async () => {
    expect(await db.transaction((tx) => claimUpdate(tx, "telegram:bot:100", T0))).toBe(true);
    expect(await db.transaction((tx) => claimUpdate(tx, "telegram:bot:100", T1))).toBe(false);
    expect(await db.transaction((tx) => claimUpdate(tx, "telegram:bot:101", T1))).toBe(true);
  });

  it("records the claim with its time, readable through the model API", async () => {
    await db.transaction((tx) => claimUpdate(tx, "telegram:bot:200", T0));
    const row = await db.transaction((tx) => tx.processedUpdate.findUnique({ where: { id: "telegram:bot:200" } }));
    expect(row).toEqual({ id: "telegram:bot:200", createdAt: T0 });
  });

  it("forgets a claim whose turn rolled back, so the redelivered update is handled", async () => {
    await expect(
      db.transaction(async (tx) => {
        expect(await claimUpdate(tx, "telegram:bot:300", T0)).toBe(true);
        throw new Error("the turn failed");
      }),
    ).rejects.toThrow("the turn failed");
    expect(await db.transaction((tx) => claimUpdate(tx, "telegram:bot:300", T1))).toBe(true);
  });
});

describe("dialog state", () => {
  it("saves a new dialog and loads it back", async () => {
    await db.transaction((tx) => saveDialog(tx, "telegram:10", { flow: "register", version: 2, state: '["a"]' }, T0));
    expect(await db.transaction((tx) => loadDialog(tx, "telegram:10"))).toEqual({ flow: "register", version: 2, state: '["a"]' });
  });

  it("updates a saved dialog in place, keeping when it started", async () => {
    await db.transaction((tx) => saveDialog(tx, "telegram:11", { flow: "register", version: 1, state: "[]" }, T0));
    await db.transaction((tx) => saveDialog(tx, "telegram:11", { flow: "profile", version: 3, state: '[{"x":1}]' }, T1));

    expect(await db.transaction((tx) => loadDialog(tx, "telegram:11"))).toEqual({ flow: "profile", version: 3, state: '[{"x":1}]' });
    const row = await db.transaction((tx) => tx.dialogState.findUnique({ where: { key: "telegram:11" } }));
    expect(row).toMatchObject({ startedAt: T0, updatedAt: T1 });
    expect(await db.transaction((tx) => tx.dialogState.count({ where: { key: "telegram:11" } }))).toBe(1);
  });

  it("keeps a large state with any characters intact", async () => {
    const state = JSON.stringify({ name: "ТОО «Жібек» 'quoted' \"double\" 🧵", long: "ә".repeat(50_000) });
    await db.transaction((tx) => saveDialog(tx, "whatsapp:77011234567", { flow: "register", version: 1, state }, T0));
    expect((await db.transaction((tx) => loadDialog(tx, "whatsapp:77011234567")))?.state).toBe(state);
  });

  it("deletes a dialog, after which loading it finds nothing", async () => {
    await db.transaction((tx) => saveDialog(tx, "telegram:12", { flow: "menu", version: 1, state: "[]" }, T0));
    await db.transaction((tx) => deleteDialog(tx, "telegram:12"));
    expect(await db.transaction((tx) => loadDialog(tx, "telegram:12"))).toBeNull();
    await expect(db.transaction((tx) => deleteDialog(tx, "telegram:12"))).resolves.toBeUndefined();
  });

  it("loads nothing for a conversation that never had a dialog", async () => {
    expect(await db.transaction((tx) => loadDialog(tx, "console:nobody"))).toBeNull();
  });

  it("stores its times exactly as the model API stores them", async () => {
    await db.transaction((tx) => saveDialog(tx, "telegram:raw", { flow: "menu", version: 1, state: "[]" }, T0));
    await db.transaction((tx) =>
      tx.dialogState.create({ data: { key: "telegram:model", flow: "menu", version: 1, state: "[]", startedAt: T0, updatedAt: T0 } }),
    );
    expect(await storedText("DialogState", "startedAt", "key", "telegram:raw")).toBe(await storedText("DialogState", "startedAt", "key", "telegram:model"));
  });
});

describe("enqueue", () => {
  const message = (chatId: string) => ({ channel: "telegram", chatId, payload: `{"kind":"send","to":"${chatId}"}`, tag: null, locale: "kk" });

  it("returns increasing ids and the message as queued", async () => {
    const [a, b] = await db.transaction(async (tx) => [await enqueue(tx, message("1"), T0), await enqueue(tx, message("2"), T0)]);
    const c = await db.transaction((tx) => enqueue(tx, { ...message("3"), tag: "application:7", locale: null }, T1));
    expect(b!.id).toBeGreaterThan(a!.id);
    expect(c.id).toBeGreaterThan(b!.id);
    expect(c).toEqual({ id: c.id, channel: "telegram", chatId: "3", payload: '{"kind":"send","to":"3"}', tag: "application:7", locale: null, attempts: 0, notBefore: null, lane: "conversation" });
    expect(typeof c.id).toBe("number");
  });

  it("writes a row that the model API reads with the same createdAt, as a Date", async () => {
    const queued = await db.transaction((tx) => enqueue(tx, message("40"), T1));
    const row = await db.transaction((tx) => tx.outbox.findUnique({ where: { id: queued.id } }));
    const { lane, ...rest } = queued;
    expect(row).toEqual({
      ...rest,
      lane,
      lastError: null,
      createdAt: T1,
      status: "queued",
      priority: 0,
      leaseUntil: null,
      leasedBy: null,
      messageId: null,
      sentAt: null,
      updatedAt: null,
      broadcastId: null,
    });
    expect(row?.createdAt).toBeInstanceOf(Date);
  });

  it("stores createdAt as the model API does, so date filters and ordering see raw and model rows alike", async () => {
    const raw = await db.transaction((tx) => enqueue(tx, message("50"), T0));
    const model = await db.transaction((tx) => tx.outbox.create({ data: { ...message("51"), createdAt: T0 } }));
    expect(await storedText("Outbox", "createdAt", "id", raw.id)).toBe(await storedText("Outbox", "createdAt", "id", model.id));

    const found = await db.transaction((tx) =>
      tx.outbox.findMany({ where: { createdAt: { gte: T0, lt: new Date(T0.getTime() + 1) }, chatId: { in: ["50", "51"] } }, select: { id: true } }),
    );
    expect(found.map((r) => r.id).sort((x, y) => x - y)).toEqual([raw.id, model.id]);
  });

  it("takes nothing into the outbox when the turn rolls back", async () => {
    await expect(
      db.transaction(async (tx) => {
        await enqueue(tx, message("60"), T0);
        throw new Error("the turn failed");
      }),
    ).rejects.toThrow();
    expect(await db.transaction((tx) => tx.outbox.count({ where: { chatId: "60" } }))).toBe(0);
  });
});

describe("chat menu", () => {
  const choices: MenuChoice[] = [
    { data: "m:register", match: ["кәсіпорынды тіркеу", "зарегистрировать предприятие", "register an enterprise"] },
    { data: "m:help", match: ["анықтама", "помощь", "help"] },
  ];

  it("saves the buttons of a chat and loads them back", async () => {
    await db.transaction((tx) => saveMenu(tx, "whatsapp", "77011234567", { foreign: false, choices }, T0));
    expect(await db.transaction((tx) => loadMenu(tx, "whatsapp", "77011234567"))).toEqual({ foreign: false, choices });
  });

  it("replaces the buttons when the chat gets a newer menu", async () => {
    await db.transaction((tx) => saveMenu(tx, "console", "aigerim", { foreign: false, choices }, T0));
    await db.transaction((tx) => saveMenu(tx, "console", "aigerim", { foreign: true, choices: [{ data: "yes", match: ["иә", "да", "yes"] }] }, T1));
    expect(await db.transaction((tx) => loadMenu(tx, "console", "aigerim"))).toEqual({ foreign: true, choices: [{ data: "yes", match: ["иә", "да", "yes"] }] });
    const row = await db.transaction((tx) => tx.chatMenu.findUnique({ where: { channel_chatId: { channel: "console", chatId: "aigerim" } } }));
    expect(row?.updatedAt).toEqual(T1);
  });

  it("keeps menus of different chats and channels apart", async () => {
    await db.transaction((tx) => saveMenu(tx, "telegram", "5", { foreign: false, choices }, T0));
    expect(await db.transaction((tx) => loadMenu(tx, "whatsapp", "5"))).toBeNull();
    expect(await db.transaction((tx) => loadMenu(tx, "telegram", "6"))).toBeNull();
  });

  it("deletes a chat's menu, after which loading it finds nothing", async () => {
    await db.transaction((tx) => saveMenu(tx, "telegram", "7", { foreign: false, choices }, T0));
    await db.transaction((tx) => deleteMenu(tx, "telegram", "7"));
    expect(await db.transaction((tx) => loadMenu(tx, "telegram", "7"))).toBeNull();
  });

  it("keeps an empty menu apart from no menu", async () => {
    await db.transaction((tx) => saveMenu(tx, "telegram", "8", { foreign: false, choices: [] }, T0));
    expect(await db.transaction((tx) => loadMenu(tx, "telegram", "8"))).toEqual({ foreign: false, choices: [] });
  });
});

describe("pruneProcessed", () => {
  it("forgets only the update ids older than the cut-off", async () => {
    const old = new Date("2026-11-01T00:00:00Z");
    const recent = new Date("2026-11-20T00:00:00Z");
    await db.transaction((tx) => claimUpdate(tx, "prune:old", old));
    await db.transaction((tx) => claimUpdate(tx, "prune:recent", recent));
    const removed = await db.transaction((tx) => pruneProcessed(tx, new Date("2026-11-10T00:00:00Z")));
    expect(removed).toBeGreaterThanOrEqual(1);
    const left = await db.transaction((tx) => tx.processedUpdate.findMany({ where: { id: { startsWith: "prune:" } } }));
    expect(left.map((r) => r.id)).toEqual(["prune:recent"]);
    // A forgotten id would be handled again, as Telegram no longer sends it anyway.
    expect(await db.transaction((tx) => claimUpdate(tx, "prune:old", recent))).toBe(true);
  });
});

describe("the driver under a turn's transaction", () => {
  it("commits the driver's writes and Prisma's writes of one transaction together", async () => {
    await db.transaction(async (tx) => {
      await claimUpdate(tx, "together:1", T0);
      await tx.setting.create({ data: { key: "together:1", value: "x" } });
    });
    const seen = await db.transaction(async (tx) => ({
      // The driver reads what Prisma wrote, and Prisma what the driver wrote: one connection.
      claimedAgain: await claimUpdate(tx, "together:1", T1),
      setting: await tx.setting.findUnique({ where: { key: "together:1" } }),
    }));
    expect(seen.claimedAgain).toBe(false);
    expect(seen.setting?.value).toBe("x");
  });

  it("rolls back the driver's writes with Prisma's when the turn fails", async () => {
    await expect(
      db.transaction(async (tx) => {
        await claimUpdate(tx, "together:2", T0);
        await enqueue(tx, { channel: "telegram", chatId: "together-2", payload: "{}", tag: null, locale: null }, T0);
        await tx.setting.create({ data: { key: "together:2", value: "x" } });
        throw new Error("the turn failed");
      }),
    ).rejects.toThrow("the turn failed");
    expect(await db.transaction((tx) => claimUpdate(tx, "together:2", T1))).toBe(true);
    expect(await db.transaction((tx) => tx.outbox.count({ where: { chatId: "together-2" } }))).toBe(0);
    expect(await db.transaction((tx) => tx.setting.count({ where: { key: "together:2" } }))).toBe(0);
  });

  it("refuses a statement on a transaction that has ended (it would commit on its own)", async () => {
    let kept: Parameters<Parameters<Database["transaction"]>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(claimUpdate(kept!, "together:3", T0)).rejects.toThrow(/transaction/);
    expect(await db.transaction((tx) => claimUpdate(tx, "together:3", T1))).toBe(true);
  });

  it("does not see another transaction's uncommitted writes through a later turn (turns queue on the connection)", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = db.transaction(async (tx) => {
      await claimUpdate(tx, "together:4", T0);
      await held;
      throw new Error("rolled back");
    });
    const second = db.transaction((tx) => claimUpdate(tx, "together:4", T1));
    release();
    await expect(first).rejects.toThrow("rolled back");
    // The second ran after the first rolled back, so its claim is the one that counts.
    expect(await second).toBe(true);
  });
});
