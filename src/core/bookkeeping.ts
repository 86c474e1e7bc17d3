/**
 * The per-message bookkeeping of a turn: the dedup mark, the dialog state, the outbox and the chat
 * menu. These run several times for every message, so they are single SQL statements through
 * Prisma's raw API (measured: about 65 µs each, against 100-190 µs for the model API here), written
 * in SQL that SQLite and PostgreSQL both accept (quoted identifiers, ON CONFLICT, RETURNING).
 * Timestamps are passed as Date parameters, stored exactly as the model API stores them.
 */
import type { Tx } from "../db/database.ts";

/** Marks an update as handled; false when it already was (a redelivery). */
export async function claimUpdate(tx: Tx, id: string, now: Date): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO "ProcessedUpdate" ("id", "createdAt") VALUES (${id}, ${now}) ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/**
 * Forgets dedup marks older than `before`. Telegram re-delivers an unconfirmed update for at most a
 * day, so a week of marks is plenty; without this the table grows by a row per update forever.
 */
export async function pruneProcessed(tx: Tx, before: Date): Promise<number> {
  return tx.$executeRaw`DELETE FROM "ProcessedUpdate" WHERE "createdAt" < ${before}`;
}

export interface DialogRow {
  flow: string;
  version: number;
  state: string;
}

export async function loadDialog(tx: Tx, key: string): Promise<DialogRow | null> {
  const rows = await tx.$queryRaw<DialogRow[]>`
    SELECT "flow", "version", "state" FROM "DialogState" WHERE "key" = ${key}`;
  const row = rows[0];
  return row ? { flow: row.flow, version: Number(row.version), state: row.state } : null;
}

export async function saveDialog(tx: Tx, key: string, row: DialogRow, now: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "DialogState" ("key", "flow", "version", "state", "startedAt", "updatedAt")
    VALUES (${key}, ${row.flow}, ${row.version}, ${row.state}, ${now}, ${now})
    ON CONFLICT ("key") DO UPDATE SET "flow" = excluded."flow", "version" = excluded."version",
      "state" = excluded."state", "updatedAt" = excluded."updatedAt"`;
}

export async function deleteDialog(tx: Tx, key: string): Promise<void> {
  await tx.$executeRaw`DELETE FROM "DialogState" WHERE "key" = ${key}`;
}

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
}

export async function enqueue(
  tx: Tx,
  m: { channel: string; chatId: string; payload: string; tag: string | null; locale: string | null },
  now: Date,
): Promise<QueuedMessage> {
  const rows = await tx.$queryRaw<{ id: number | bigint }[]>`
    INSERT INTO "Outbox" ("channel", "chatId", "payload", "tag", "locale", "attempts", "createdAt")
    VALUES (${m.channel}, ${m.chatId}, ${m.payload}, ${m.tag}, ${m.locale}, 0, ${now}) RETURNING "id"`;
  return { ...m, id: Number(rows[0]!.id), attempts: 0, notBefore: null };
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
}

export async function loadMenu(tx: Tx, channel: string, chatId: string): Promise<ChatMenuRow | null> {
  const rows = await tx.$queryRaw<{ choices: string }[]>`
    SELECT "choices" FROM "ChatMenu" WHERE "channel" = ${channel} AND "chatId" = ${chatId}`;
  return rows[0] ? (JSON.parse(rows[0].choices) as ChatMenuRow) : null;
}

export async function saveMenu(tx: Tx, channel: string, chatId: string, menu: ChatMenuRow, now: Date): Promise<void> {
  const json = JSON.stringify(menu);
  await tx.$executeRaw`
    INSERT INTO "ChatMenu" ("channel", "chatId", "choices", "updatedAt") VALUES (${channel}, ${chatId}, ${json}, ${now})
    ON CONFLICT ("channel", "chatId") DO UPDATE SET "choices" = excluded."choices", "updatedAt" = excluded."updatedAt"`;
}

export async function deleteMenu(tx: Tx, channel: string, chatId: string): Promise<void> {
  await tx.$executeRaw`DELETE FROM "ChatMenu" WHERE "channel" = ${channel} AND "chatId" = ${chatId}`;
}

/**
 * The tag of message `messageId` the bot sent in a chat, when it begins with `prefix` (a question
 * asked in a group: see dialog.ts questionTag); null when there is no such message.
 */
export async function tagOfSent(tx: Tx, channel: string, chatId: string, messageId: string, prefix: string): Promise<string | null> {
  const row = await tx.sentMessage.findFirst({ where: { channel, chatId, messageId, tag: { startsWith: prefix } }, select: { tag: true } });
  return row?.tag ?? null;
}

/** Stops tracking the messages tagged `tag`, sent or still queued (a question that is over). */
export async function untagMessages(tx: Tx, tag: string): Promise<void> {
  await tx.sentMessage.deleteMany({ where: { tag } });
  await tx.outbox.updateMany({ where: { tag }, data: { tag: null } });
}
