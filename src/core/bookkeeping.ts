/**
 * The per-message bookkeeping of a turn: the dedup mark, the dialog state, the outbox, the chat
 * menu and who wrote. These run several times for every message, so they are raw statements
 * inside the turn's transaction (src/db/database.ts `Sql`: prepared statements on SQLite's driver),
 * not Prisma queries: measured on the bench, Prisma's query layer (client, query interpreter,
 * adapter preparing every statement anew) was about 40% of the bot's CPU per update. Timestamps
 * are stored exactly as the model API stores them, so both read the same rows alike; the SQL is
 * written once for both providers (quoted identifiers, ON CONFLICT, RETURNING).
 */
import { sqlOf as sql, type Tx } from "../db/database.ts";

/** Marks an update as handled; false when it already was (a redelivery). */
export async function claimUpdate(tx: Tx, id: string, now: Date): Promise<boolean> {
  return (await sql(tx).run(`INSERT INTO "ProcessedUpdate" ("id", "createdAt") VALUES (?, ?) ON CONFLICT DO NOTHING`, id, now)) === 1;
}

/**
 * Deletes a chat's pace keys (its own bucket, keyed by the chat id, and the last-chat mark
 * "*last:<chatId>" of the pause between chats; dispatcher.ts): erasure must not leave the chat id,
 * a phone number on WhatsApp, behind.
 */
export async function forgetPace(tx: Tx, channel: string, chatId: string): Promise<void> {
  await sql(tx).run(`DELETE FROM "OutboxPace" WHERE "channel" = ? AND ("key" = ? OR "key" = ?)`, channel, chatId, `*last:${chatId}`);
}

/**
 * Forgets dedup marks older than `before`. Telegram re-delivers an unconfirmed update for at most a
 * day, so a week of marks is plenty; without this the table grows by a row per update forever.
 */
export async function pruneProcessed(tx: Tx, before: Date): Promise<number> {
  return await sql(tx).run(`DELETE FROM "ProcessedUpdate" WHERE "createdAt" < ?`, before);
}

/**
 * When the newest remembered update was handled, by any instance (the dedup marks are shared), or
 * undefined when none is remembered.
 */
export async function lastClaimedAt(tx: Tx): Promise<Date | undefined> {
  const row = await sql(tx).get<{ at: string | Date | null }>(`SELECT MAX("createdAt") AS "at" FROM "ProcessedUpdate"`);
  return row?.at ? new Date(row.at) : undefined;
}

export interface DialogRow {
  flow: string;
  version: number;
  state: string;
}

export async function loadDialog(tx: Tx, key: string): Promise<DialogRow | null> {
  const row = (await sql(tx).get(`SELECT "flow", "version", "state" FROM "DialogState" WHERE "key" = ?`, key)) as DialogRow | undefined;
  return row ? { flow: row.flow, version: Number(row.version), state: row.state } : null;
}

export async function saveDialog(tx: Tx, key: string, row: DialogRow, now: Date): Promise<void> {
  const at = now;
  await sql(tx).run(`INSERT INTO "DialogState" ("key", "flow", "version", "state", "startedAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("key") DO UPDATE SET "flow" = excluded."flow", "version" = excluded."version",
         "state" = excluded."state", "updatedAt" = excluded."updatedAt"`, key, row.flow, row.version, row.state, at, at);
}

export async function deleteDialog(tx: Tx, key: string): Promise<void> {
  await sql(tx).run(`DELETE FROM "DialogState" WHERE "key" = ?`, key);
}

/** Which queue of a chat a message waits in (core/outbox/dispatcher.ts): its rank is the claim's ORDER BY. */
export type Lane = "conversation" | "notice" | "bulk";
export const LANE_PRIORITY: Record<Lane, number> = { conversation: 0, notice: 1, bulk: 2 };

/** A message as queued in the outbox; handed to the dispatcher once the turn commits. */
export interface QueuedMessage {
  id: number;
  channel: string;
  chatId: string;
  payload: string;
  tag: string | null;
  locale: string | null;
  attempts: number;
  notBefore: Date | null;
  lane: Lane;
}

/**
 * Queues a message (status `queued`). `lane` defaults to "conversation"; `notBefore` (a scheduled
 * message) keeps it, and the later messages of its chat and lane, back until then.
 */
export async function enqueue(
  tx: Tx,
  m: { channel: string; chatId: string; payload: string; tag: string | null; locale: string | null; lane?: Lane; notBefore?: Date | null },
  now: Date,
): Promise<QueuedMessage> {
  const lane = m.lane ?? "conversation";
  const notBefore = m.notBefore ?? null;
  const { id } = (await sql(tx).get<{ id: number }>(
    `INSERT INTO "Outbox" ("channel", "chatId", "payload", "tag", "locale", "attempts", "createdAt", "status", "lane", "priority", "notBefore")
     VALUES (?, ?, ?, ?, ?, 0, ?, 'queued', ?, ?, ?) RETURNING "id"`,
    m.channel, m.chatId, m.payload, m.tag, m.locale, now, lane, LANE_PRIORITY[lane], notBefore,
  ))!;
  return { channel: m.channel, chatId: m.chatId, payload: m.payload, tag: m.tag, locale: m.locale, id: Number(id), attempts: 0, notBefore, lane };
}

/** A row for {@link enqueueMany}: one recipient of a broadcast. */
export interface BulkRow {
  channel: string;
  chatId: string;
  payload: string;
  tag: string | null;
  locale: string | null;
}

/** Rows per INSERT statement in {@link enqueueMany} (11 parameters each: well under both providers' limits). */
export const ENQUEUE_BATCH = 1000;

/**
 * Queues many messages at once (a broadcast: one row per recipient), `ENQUEUE_BATCH` rows per
 * multi-row INSERT: 10,000 single-row INSERTs take seconds on PostgreSQL, inside the transaction
 * that starts the send. Every row gets `lane`, `broadcastId` and status `queued`. The rows' chats
 * must be distinct (the returned ids are matched by chat).
 */
export async function enqueueMany(tx: Tx, rows: BulkRow[], opts: { lane: Lane; broadcastId: number | null }, now: Date): Promise<QueuedMessage[]> {
  const out: QueuedMessage[] = [];
  for (let start = 0; start < rows.length; start += ENQUEUE_BATCH) {
    const batch = rows.slice(start, start + ENQUEUE_BATCH);
    const values = batch.map(() => `(?, ?, ?, ?, ?, 0, ?, 'queued', ?, ?, NULL, ?)`).join(", ");
    const params = batch.flatMap((m) => [m.channel, m.chatId, m.payload, m.tag, m.locale, now, opts.lane, LANE_PRIORITY[opts.lane], opts.broadcastId]);
    const ids = await sql(tx).all<{ id: number | string; channel: string; chatId: string }>(
      `INSERT INTO "Outbox" ("channel", "chatId", "payload", "tag", "locale", "attempts", "createdAt", "status", "lane", "priority", "notBefore", "broadcastId")
       VALUES ${values} RETURNING "id", "channel", "chatId"`,
      ...params,
    );
    // RETURNING's order is not promised by either provider: match by chat.
    const byChat = new Map(ids.map((r) => [`${r.channel}\u0000${r.chatId}`, Number(r.id)]));
    for (const m of batch) {
      const id = byChat.get(`${m.channel}\u0000${m.chatId}`);
      if (id === undefined) throw new Error("enqueueMany: a row's id was not returned (two rows for one chat?)");
      out.push({ id, channel: m.channel, chatId: m.chatId, payload: m.payload, tag: m.tag, locale: m.locale, attempts: 0, notBefore: null, lane: opts.lane });
    }
  }
  return out;
}

/**
 * Deletes finished outbox rows (sent, failed, unreachable, and cancelled: a broadcast's rows never
 * sent) last changed before `before`, and the per-chat send budgets idle since then; returns how
 * many outbox rows went. Rows still queued, sending or held (a paused broadcast's) are never
 * touched. Called by the scheduled pruning job (OUTBOX_RETENTION_DAYS).
 */
export async function pruneDelivered(tx: Tx, before: Date): Promise<number> {
  const n = await sql(tx).run(`DELETE FROM "Outbox" WHERE "status" IN ('sent', 'failed', 'unreachable', 'cancelled') AND "updatedAt" < ?`, before);
  await sql(tx).run(
    `DELETE FROM "OutboxPace" WHERE "key" <> '' AND "readyAt" < ? AND ("pausedUntil" IS NULL OR "pausedUntil" < ?)`,
    before, before,
  );
  return n;
}

/** Replaces the payload of a queued row (a message merged into it before the turn committed: outbox/coalesce.ts). */
export async function updatePayload(tx: Tx, id: number, payload: string): Promise<void> {
  await sql(tx).run(`UPDATE "Outbox" SET "payload" = ? WHERE "id" = ?`, payload, id);
}

export interface MenuChoice {
  data: string;
  /** Folded labels in every language, for matching typed text. */
  match: string[];
  /** Its number, on channels without real buttons (unique among the chat's entries). */
  n?: number;
  /** The tagged message it belongs to (a notice): kept until that message is edited. */
  tag?: string;
}

/** The buttons of a chat's newest message; `foreign` when they came from someone else's turn (a notice). */
export interface ChatMenuRow {
  foreign: boolean;
  choices: MenuChoice[];
  /** The question asked takes a typed number (MessageSpec.numeric): typed digits are its answer, not an option's number. */
  numeric?: boolean;
}

export async function loadMenu(tx: Tx, channel: string, chatId: string): Promise<ChatMenuRow | null> {
  const row = (await sql(tx).get(`SELECT "choices" FROM "ChatMenu" WHERE "channel" = ? AND "chatId" = ?`, channel, chatId)) as
    | { choices: string }
    | undefined;
  return row ? (JSON.parse(row.choices) as ChatMenuRow) : null;
}

export async function saveMenu(tx: Tx, channel: string, chatId: string, menu: ChatMenuRow, now: Date): Promise<void> {
  await sql(tx).run(`INSERT INTO "ChatMenu" ("channel", "chatId", "choices", "updatedAt") VALUES (?, ?, ?, ?)
       ON CONFLICT ("channel", "chatId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`, channel, chatId, JSON.stringify(menu), now);
}

export async function deleteMenu(tx: Tx, channel: string, chatId: string): Promise<void> {
  await sql(tx).run(`DELETE FROM "ChatMenu" WHERE "channel" = ? AND "chatId" = ?`, channel, chatId);
}

/** A chat identity and its person, as `identify` (people.ts) needs them for every message. */
export interface IdentityRow {
  identityId: number;
  reachable: boolean;
  personId: number;
  role: string;
  locale: string | null;
  /** Person.lastChannel: where their newest private message came from (notice routing, issue 9). */
  lastChannel: string | null;
  /** ChannelIdentity.lastInboundAt: when they last wrote from here (kept within a few minutes). */
  lastInboundAt: Date | null;
}

export async function loadIdentity(tx: Tx, channel: string, externalId: string): Promise<IdentityRow | null> {
  const row = (await sql(tx).get(`SELECT i."id" AS "identityId", i."reachable" AS "reachable", p."id" AS "personId", p."role" AS "role", p."locale" AS "locale",
       p."lastChannel" AS "lastChannel", i."lastInboundAt" AS "lastInboundAt"
       FROM "ChannelIdentity" i JOIN "Person" p ON p."id" = i."personId"
       WHERE i."channel" = ? AND i."externalId" = ?`, channel, externalId)) as (Omit<IdentityRow, "reachable" | "lastInboundAt"> & { reachable: number; lastInboundAt: string | Date | null }) | undefined;
  return row ? { ...row, reachable: !!row.reachable, lastInboundAt: row.lastInboundAt === null ? null : new Date(row.lastInboundAt) } : null;
}

/** Removes outbox rows by id; returns how many (finished rows are kept and pruned: see pruneDelivered). */
export async function deleteOutbox(tx: Tx, ids: number[]): Promise<number> {
  let n = 0;
  for (const id of ids) n += await sql(tx).run(`DELETE FROM "Outbox" WHERE "id" = ?`, id);
  return n;
}

/**
 * Marks, in SentMessage, the other messages of one delivery under its tag (`tag + PART_SUFFIX`):
 * an album's other files, a long text's other parts. Found by a reply (tagOfSent), never edited
 * (an edit by tag changes the message with the text and buttons only).
 */
export const PART_SUFFIX = "#part";

/**
 * The tag of message `messageId` the bot sent in a chat, when it begins with `prefix` (a question
 * asked in a group: see dialog.ts questionTag; a problem's thread); null when there is no such
 * message. Any message of a delivery counts (a reply to the second photo of an album finds it).
 */
export async function tagOfSent(tx: Tx, channel: string, chatId: string, messageId: string, prefix: string): Promise<string | null> {
  const row = await tx.sentMessage.findFirst({ where: { channel, chatId, messageId, tag: { startsWith: prefix } }, select: { tag: true }, orderBy: { id: "asc" } });
  if (!row) return null;
  return row.tag.endsWith(PART_SUFFIX) ? row.tag.slice(0, -PART_SUFFIX.length) : row.tag;
}

/** Whether message `messageId` in a chat is one the bot sent there and still tracks. */
export async function wasSent(tx: Tx, channel: string, chatId: string, messageId: string): Promise<boolean> {
  return !!(await tx.sentMessage.findFirst({ where: { channel, chatId, messageId }, select: { id: true } }));
}

/** Stops tracking the messages tagged `tag`, sent or still queued (a question that is over). */
export async function untagMessages(tx: Tx, tag: string): Promise<void> {
  await tx.sentMessage.deleteMany({ where: { tag: { in: [tag, tag + PART_SUFFIX] } } });
  await tx.outbox.updateMany({ where: { tag, status: { in: ["queued", "sending", "held"] } }, data: { tag: null } });
}
