/**
 * Where the staff group is at run time. It starts as configured (STAFF_CHAT_ID), but Telegram can
 * move a group: upgraded to a supergroup, it gets a new id, keeps its messages (and their ids), and
 * the old id refuses everything. The bot then follows the new id, and keeps it in the `Setting`
 * table so that a restart with the old configuration still finds the group; admins are told to
 * update the configuration. A configuration changed to anything else wins over what was followed.
 */
import { sqlOf, type Database, type Tx } from "../../db/database.ts";
import type { Logger } from "../../log.ts";
import type { ChannelName } from "../channel.ts";
import { adminTargets } from "../people.ts";
import type { Unit } from "../unit.ts";

export interface ChatRef {
  channel: ChannelName;
  chatId: string;
}

/** The Setting row's key, and its JSON: the configured id the move started from, and where it led. */
const KEY = "staff-chat";
interface Stored {
  channel: string;
  configured: string;
  chatId: string;
}
/**
 * The Setting row saying the staff group refused a message (JSON ChatRef: the chat that refused):
 * shared by every instance, so that all of them notify staff privately until the next start.
 */
const DOWN_KEY = "staff-chat-down";

/**
 * The staff group as this instance knows it: a copy of what the database says (the `Setting`
 * rows above), read again at the start of every turn and unit of work (`sync`), so that a move or
 * an outage found by another instance holds here too from this instance's next unit on.
 */
export class StaffChat {
  #current: ChatRef | undefined;
  #down = false;
  readonly #listeners: ((chat: ChatRef) => void)[] = [];

  constructor(readonly configured: ChatRef | undefined) {
    this.#current = configured;
  }

  /** The staff group now (after any move), or undefined when none is configured. */
  get current(): ChatRef | undefined {
    return this.#current;
  }

  /** Whether the staff group refused a message (the bot was removed from it, or a wrong id), as of the last `sync`. */
  get down(): boolean {
    return this.#down;
  }

  /** Where staff notices go: the staff group, unless it refused messages (then staff privately). */
  get target(): ChatRef | undefined {
    return this.#down ? undefined : this.#current;
  }

  /** Whether (channel, chatId) is the staff group. */
  is(channel: string, chatId: string): boolean {
    return !!this.#current && this.#current.channel === channel && this.#current.chatId === chatId;
  }

  /**
   * At start: a recorded move from another configured id is dropped (the configuration names
   * another group now: it wins), and so is an outage (a start tries the group again, as the
   * admins' message says). Returns the followed id when it differs from the configured one, so
   * that the caller can warn that the configuration is out of date.
   */
  async load(db: Database, log: Logger): Promise<string | undefined> {
    const configured = this.configured;
    await db.transaction(async (tx) => {
      const row = await tx.setting.findUnique({ where: { key: KEY } });
      const stored = row ? parse(row.value) : null;
      if (row && !(configured && stored && stored.channel === configured.channel && stored.configured === configured.chatId)) {
        await tx.setting.deleteMany({ where: { key: KEY } });
      }
      await tx.setting.deleteMany({ where: { key: DOWN_KEY } });
      await this.sync(tx);
    });
    if (configured && this.#current && this.#current.chatId !== configured.chatId) {
      log.warn("STAFF_CHAT_ID is out of date: the staff group moved; following its new id (set STAFF_CHAT_ID to it)", {
        configured: configured.chatId,
        staffChat: this.#current.chatId,
      });
      return this.#current.chatId;
    }
    return undefined;
  }

  /**
   * Reads where the staff group is and whether it is down from the database (one raw statement:
   * this runs at the start of every turn). Listeners hear of a move another instance recorded.
   */
  async sync(tx: Tx): Promise<void> {
    const rows = await sqlOf(tx).all<{ key: string; value: string }>(`SELECT "key", "value" FROM "Setting" WHERE "key" IN (?, ?)`, KEY, DOWN_KEY);
    const moved = parse(rows.find((r) => r.key === KEY)?.value);
    const down = parseRef(rows.find((r) => r.key === DOWN_KEY)?.value);
    const configured = this.configured;
    const current =
      configured && moved && moved.channel === configured.channel && moved.configured === configured.chatId
        ? { channel: configured.channel, chatId: moved.chatId }
        : configured;
    // A group moves forward only (to a supergroup, once); "not moved" read after this instance
    // followed a move is a snapshot older than the move (PostgreSQL), not a move back.
    const stale = current === configured && this.#current !== configured;
    const now = stale ? this.#current : current;
    this.#down = !!down && !!now && down.channel === now.channel && down.chatId === now.chatId;
    if (stale) return;
    if (current && this.#current && current.chatId !== this.#current.chatId) {
      this.#current = current;
      for (const listener of this.#listeners) listener(current);
    }
  }

  /**
   * Records in `tx` that the staff group is now `to`; `follow` applies it once `tx` commits. False
   * when that is recorded already (the move is announced twice, and may be found by a send too).
   * A moved group is reachable again: an outage recorded for the old id no longer applies.
   */
  async record(tx: Tx, to: string, now: Date): Promise<boolean> {
    if (!this.configured) return false;
    const stored: Stored = { channel: this.configured.channel, configured: this.configured.chatId, chatId: to };
    const row = await tx.setting.findUnique({ where: { key: KEY } });
    const before = row ? parse(row.value) : null;
    if (before && before.channel === stored.channel && before.configured === stored.configured && before.chatId === to) return false;
    const value = JSON.stringify(stored);
    await tx.setting.upsert({ where: { key: KEY }, create: { key: KEY, value, updatedAt: now }, update: { value, updatedAt: now } });
    await tx.setting.deleteMany({ where: { key: DOWN_KEY } });
    return true;
  }

  /**
   * Records in `tx` that the staff group (`chat`) refused a message. True only for the first
   * instance to record it (INSERT … ON CONFLICT DO NOTHING): that one tells the admins, once.
   * Applies here once `tx` commits; other instances see it at their next `sync`.
   */
  async recordDown(tx: Tx, chat: ChatRef, now: Date): Promise<boolean> {
    const inserted = await sqlOf(tx).run(
      `INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES (?, ?, ?) ON CONFLICT ("key") DO NOTHING`,
      DOWN_KEY,
      JSON.stringify({ channel: chat.channel, chatId: chat.chatId }),
      now,
    );
    return inserted > 0;
  }

  /** The staff group refused a message (after `recordDown` committed). */
  fellDown(): void {
    this.#down = true;
  }

  /** The staff group is now `to` (after `record` committed); a moved group is reachable again. */
  follow(to: string): void {
    if (!this.#current || this.#current.chatId === to) return;
    this.#current = { channel: this.#current.channel, chatId: to };
    this.#down = false;
    for (const listener of this.#listeners) listener(this.#current);
  }

  /** Calls `listener` whenever the staff group moves (an adapter registers its command menu there). */
  onMove(listener: (chat: ChatRef) => void): void {
    this.#listeners.push(listener);
  }
}

function parseRef(value: string | undefined): ChatRef | null {
  if (value === undefined) return null;
  try {
    const v = JSON.parse(value) as Partial<ChatRef>;
    return typeof v.channel === "string" && typeof v.chatId === "string" ? (v as ChatRef) : null;
  } catch {
    return null;
  }
}

function parse(value: string | undefined): Stored | null {
  if (value === undefined) return null;
  try {
    const v = JSON.parse(value) as Partial<Stored>;
    return typeof v.channel === "string" && typeof v.configured === "string" && typeof v.chatId === "string" ? (v as Stored) : null;
  } catch {
    return null;
  }
}

/**
 * Moves what the bot recorded about chat `from` to `to`, the same chat under its new id: the copies
 * of messages sent there (so that a decision still edits the notices that moved with the group), the
 * messages queued for it, the questions asked there and the conversations waiting for their answers.
 */
export async function moveChatRecords(tx: Tx, channel: string, from: string, to: string): Promise<void> {
  await tx.sentMessage.updateMany({ where: { channel, chatId: from }, data: { chatId: to } });
  await tx.outbox.updateMany({ where: { channel, chatId: from }, data: { chatId: to } });
  // Question tags and conversation keys name the chat (dialog.ts questionTag, core.ts conversationKey).
  const oldAsk = `ask:${channel}:${from}:`;
  const newAsk = `ask:${channel}:${to}:`;
  for (const row of await tx.sentMessage.findMany({ where: { tag: { startsWith: oldAsk } }, select: { id: true, tag: true } })) {
    await tx.sentMessage.update({ where: { id: row.id }, data: { tag: newAsk + row.tag.slice(oldAsk.length) } });
  }
  for (const row of await tx.outbox.findMany({ where: { tag: { startsWith: oldAsk } }, select: { id: true, tag: true } })) {
    await tx.outbox.update({ where: { id: row.id }, data: { tag: newAsk + row.tag!.slice(oldAsk.length) } });
  }
  const oldKey = `${channel}:${from}:`;
  for (const row of await tx.dialogState.findMany({ where: { key: { startsWith: oldKey } }, select: { key: true } })) {
    await tx.dialogState.update({ where: { key: row.key }, data: { key: `${channel}:${to}:${row.key.slice(oldKey.length)}` } });
  }
  // A group's typed-number menu is not used (typed answers in a group are text).
  await tx.chatMenu.deleteMany({ where: { channel, chatId: from } });
}

/**
 * A chat has a new id (Telegram: the staff group was upgraded to a supergroup; its messages moved
 * with it). What the bot recorded about it moves too; when it is the staff group, the bot follows
 * it from now on (recorded, so a restart does too), logs both ids and tells admins privately what
 * to change in the configuration. Once `unit` commits, the bot follows the group and `redirect`
 * runs (the dispatcher's queues for the old id move to the new one). Idempotent: the move is
 * announced twice (in the old chat and in the new one) and may also be found by a refused send.
 */
export async function moveChat(unit: Unit, channel: ChannelName, from: string, to: string, redirect: () => void): Promise<void> {
  if (from === to) return;
  await moveChatRecords(unit.tx, channel, from, to);
  const { staffChat } = unit;
  const ours = staffChat.is(channel, from);
  if (ours && (await staffChat.record(unit.tx, to, unit.now))) {
    unit.log.warn("the staff group has a new id (upgraded to a supergroup); following it: set STAFF_CHAT_ID to the new id", { from, to });
    for (const target of await adminTargets(unit.tx, unit.settings.defaultLocale)) {
      await unit.outbox.send(target, { text: { key: "staff-chat-moved", args: { from, to } } });
    }
  }
  unit.afterCommit(() => {
    if (ours) staffChat.follow(to);
    redirect();
  });
}
