/**
 * The bot core: one entry point for every channel. `handle` takes what a person did, runs it as one
 * turn in one transaction (deduplicated by the event id, serialized per conversation), and hands
 * the queued messages to the dispatcher once committed.
 */
import type { Database, Tx } from "../db/database.ts";
import type { I18n } from "../i18n/i18n.ts";
import { negotiateLocale, type Locale } from "../i18n/locales.ts";
import type { Logger } from "../log.ts";
import type { Inbound, InboundEvent, TurnResult } from "./channel.ts";
import { parseCommand } from "./dialog/commands.ts";
import { questionTag } from "./dialog/dialog.ts";
import { DialogEngine, type FlowDef, type FlowStart } from "./dialog/engine.ts";
import { KeyedMutex } from "./keyed-mutex.ts";
import { claimUpdate, deleteDialog, loadDialog, loadMenu, pruneProcessed, type QueuedMessage } from "./bookkeeping.ts";
import { helpFlow, languageFlow, menuFlow } from "./menu.ts";
import { privacyFlow } from "./members/privacy.ts";
import { profileFlow } from "./members/profile.ts";
import { joinFlow, registerFlow } from "./members/registration.ts";
import { Dispatcher } from "./outbox/dispatcher.ts";
import { ensureConfiguredAdmins, identify, targetsOf } from "./people.ts";
import { deny, isStaff, rejectFlow, staffButton } from "./staff/decisions.ts";
import { pendingFlow } from "./staff/pending.ts";
import { notifyStaff, parseNoticeTag } from "./staff/notices.ts";
import { teamFlow } from "./staff/team.ts";
import { foldLabel, render, Turn, type CoreServices, type CoreSettings } from "./turn.ts";

export const FLOWS: FlowDef<never>[] = [
  menuFlow,
  helpFlow,
  languageFlow,
  registerFlow,
  joinFlow,
  profileFlow,
  privacyFlow,
  pendingFlow,
  teamFlow,
  rejectFlow,
] as FlowDef<never>[];

/** Commands offered in the platform's command menu, per audience. */
export const MEMBER_COMMANDS = ["start", "menu", "language", "help", "cancel"] as const;
export const STAFF_COMMANDS = ["pending", "help", "cancel"] as const;

/** Staff commands that work in the staff group (everything else there is staff notices and replies). */
const GROUP_COMMANDS: Record<string, string> = { pending: "pending", help: "help" };

export interface CoreDeps {
  db: Database;
  i18n: I18n;
  log: Logger;
  settings: CoreSettings;
  clock?: () => Date;
}

/** Options of {@link Core.handle}. */
export interface HandleOptions {
  /**
   * The platform delivers the event again if it is not confirmed (Telegram's offset or webhook
   * status): a transient failure then throws {@link RetryLater} instead of apologizing.
   */
  redeliverable?: boolean;
}

/**
 * A turn failed for a reason that passes (the database locked or busy past its timeout, a
 * transaction timeout). Nothing was committed, so the same event must be handled again later:
 * do not confirm it to the platform.
 */
export class RetryLater extends Error {
  override name = "RetryLater";
  constructor(override readonly cause: unknown) {
    super("the turn failed transiently; handle the event again later", { cause });
  }
}

/** Database failures that pass by themselves: SQLite busy/locked, Prisma's connection and transaction timeouts. */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (typeof e !== "object") return false;
    const { code, message, kind, meta } = e as { code?: unknown; message?: unknown; kind?: unknown; meta?: { code?: unknown } };
    for (const c of [code, meta?.code]) {
      if (typeof c === "string" && /^(SQLITE_BUSY|SQLITE_LOCKED|P1008|P2024|P2028|P2034)/.test(c)) return true;
    }
    if (kind === "SocketTimeout" || kind === "TransactionWriteConflict") return true;
    if (typeof message === "string" && /database (table )?is locked|SQLITE_BUSY|database is busy|timed out|Transaction already closed|expired transaction/i.test(message)) return true;
  }
  return false;
}

export interface Core {
  /**
   * Handles one inbound event; resolves once its effects are committed. A failed turn is rolled
   * back and the person gets the generic apology (sent directly if even the database's outbox
   * cannot take it); with `redeliverable`, a transient failure throws {@link RetryLater} instead.
   */
  handle(inbound: Inbound, opts?: HandleOptions): Promise<TurnResult>;
  /** Whether the database answers a cheap read (of its schema) within `timeoutMs` (default 2 s). */
  health(timeoutMs?: number): Promise<{ ok: boolean; detail?: string }>;
  readonly dispatcher: Dispatcher;
  readonly i18n: I18n;
  readonly settings: CoreSettings;
  /** Applies configuration to the data (the configured admins). */
  start(): Promise<void>;
  /** Waits for turns in progress (shutdown). */
  idle(): Promise<void>;
  /** Housekeeping, run at start and daily: forgets old dedup marks. */
  maintain(): Promise<void>;
}

/** How long a handled update's id is remembered (redeliveries come within a day). */
export const DEDUP_DAYS = 7;

/** One conversation per private chat; in a group, one per member (their reply to a question is theirs). */
export function conversationKey(inbound: Inbound): string {
  return inbound.chatType === "private"
    ? `${inbound.channel}:${inbound.chatId}`
    : `${inbound.channel}:${inbound.chatId}:${inbound.userId}`;
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? (() => new Date());
  const services: CoreServices = { i18n: deps.i18n, log: deps.log, clock, settings: deps.settings, capabilities: (channel) => dispatcher.capabilitiesOf(channel) };
  const engine = new DialogEngine(FLOWS);
  const mutex = new KeyedMutex();
  const { settings } = deps;
  const dispatcher: Dispatcher = new Dispatcher({
    db: deps.db,
    log: deps.log.child({ part: "dispatcher" }),
    onUnreachable: (channel, chatId, dropped, reason) => staffChatUnreachable(channel, chatId, dropped, reason),
  });

  /**
   * The staff group refused a message (the bot was removed, or STAFF_CHAT_ID is wrong): from now on
   * until the next start, staff are notified privately; the notices that were dropped are sent to
   * them, and admins are told once.
   */
  async function staffChatUnreachable(channel: string, chatId: string, dropped: QueuedMessage[], reason: string): Promise<void> {
    if (!settings.staffChat || settings.staffChat.channel !== channel || settings.staffChat.chatId !== chatId) return;
    const firstTime = !services.staffChatDown;
    services.staffChatDown = true;
    deps.log.error("the staff chat cannot be reached; notifying staff privately (is the bot in the group? is STAFF_CHAT_ID right?)", { reason });
    const queued = await deps.db.transaction(async (tx) => {
      const inbound: Inbound = { channel: settings.staffChat!.channel, chatId, userId: "system", chatType: "group", event: { type: "text", text: "" } };
      const t = new Turn(tx, services, inbound, clock(), null, settings.defaultLocale);
      if (firstTime) {
        const admins = await tx.person.findMany({ where: { role: "admin" }, select: { id: true } });
        for (const admin of admins) {
          for (const target of await targetsOf(tx, admin.id, settings.defaultLocale)) await t.send(target, { text: "staff-chat-unreachable" });
        }
      }
      for (const row of dropped) {
        const notice = parseNoticeTag(row.tag);
        if (notice) await notifyStaff(t, notice.kind, notice.id);
      }
      return t.queued;
    });
    dispatcher.enqueue(queued);
  }

  const isStaffChat = (inbound: Inbound) =>
    !!settings.staffChat && settings.staffChat.channel === inbound.channel && settings.staffChat.chatId === inbound.chatId;

  async function turn(tx: Tx, inbound: Inbound, key: string): Promise<{ result: TurnResult; queued: QueuedMessage[] }> {
    const now = clock();
    if (inbound.id && !(await claimUpdate(tx, inbound.id, now))) return { result: { duplicate: true }, queued: [] };
    // The bot answers in private chats and in the staff group; other groups are not its business.
    if (inbound.chatType === "group" && !isStaffChat(inbound)) return { result: {}, queued: [] };
    // A channel reopening a chat that waits for nothing: nobody to greet, and no one to record.
    if (inbound.event.type === "resume" && !(await loadDialog(tx, key))) return { result: {}, queued: [] };
    const actor = await identify(tx, inbound);
    const locale: Locale = actor?.locale ?? negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
    const t = new Turn(tx, services, inbound, now, actor, locale);
    const event = await typedChoice(t, inbound.event, key, engine.idleFlow);

    if (event.type === "choice" && event.data.startsWith("s:")) {
      const start = await staffButton(t, event.data);
      if (start && !(await startFlow(t, key, start))) {
        t.notice = t.t("staff-finish-current");
      }
    } else if (inbound.chatType === "group") {
      // In the staff group: answers to a question the bot asked this member, and staff commands.
      if (event.type === "text" && !parseCommand(event.text) && (await loadDialog(tx, key)) && !(await repliesToQuestion(t))) {
        // A remark replying to another message (a notice) is not the answer to this member's question.
        await t.reply("group-reply-to-question");
        return { result: {}, queued: t.queued };
      }
      await engine.handle(t, key, event, async () => {
        const name = event.type === "text" ? parseCommand(event.text)?.name : undefined;
        const flow = name ? GROUP_COMMANDS[name] : undefined;
        if (!flow) return null; // ordinary chatter
        if (await isStaff(t)) return { flow };
        await deny(t, `command-${name}`);
        return null;
      });
    } else {
      await engine.handle(t, key, event, () => privateStart(event));
    }
    return { result: { ...(t.notice ? { notice: t.notice } : {}), ...(t.consumed ? { consumed: true } : {}) }, queued: t.queued };
  }

  /** Starts a flow unless the conversation is busy with another task (the menu does not count). */
  async function startFlow(t: Turn, key: string, start: FlowStart): Promise<boolean> {
    const active = await engine.activeFlow(t, key);
    if (active && active !== engine.idleFlow) return false;
    if (active) await deleteDialog(t.tx, key);
    await engine.handle(t, key, { type: "text", text: "" }, () => start);
    return true;
  }

  /**
   * Tells the person their action failed, through the outbox; if the database cannot take even
   * that, straight through the channel's sender (private chats and the staff group only).
   */
  async function apologize(inbound: Inbound): Promise<void> {
    try {
      const queued = await deps.db.transaction(async (tx) => {
        const actor = inbound.chatType === "private" ? await identify(tx, inbound) : null;
        const locale = actor?.locale ?? negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
        const t = new Turn(tx, services, inbound, clock(), actor, locale);
        await t.reply("error-generic");
        return t.queued;
      });
      dispatcher.enqueue(queued);
      return;
    } catch (error) {
      deps.log.error("could not queue the apology; sending it directly", { error });
    }
    if (inbound.chatType !== "private" && !isStaffChat(inbound)) return;
    const sender = dispatcher.sender(inbound.channel);
    const locale = negotiateLocale(inbound.languageHint) ?? settings.defaultLocale;
    try {
      await sender?.deliver(inbound.chatId, { kind: "send", message: { text: render(deps.i18n, locale, "error-generic") } });
    } catch (error) {
      deps.log.error("could not even apologize", { error });
    }
  }

  return {
    dispatcher,
    i18n: deps.i18n,
    settings,
    async start() {
      const removed = await deps.db.transaction((tx) => ensureConfiguredAdmins(tx, settings.admins));
      if (removed) deps.log.warn("admins no longer in the configuration lost the role", { count: removed });
      await this.maintain();
    },
    async maintain() {
      const before = new Date(clock().getTime() - DEDUP_DAYS * 86_400_000);
      const pruned = await deps.db.transaction((tx) => pruneProcessed(tx, before));
      if (pruned) deps.log.info("forgot old update ids", { count: pruned });
    },
    idle: () => mutex.idle(),
    async health(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([deps.db.transaction((tx) => tx.$queryRawUnsafe("SELECT 1 FROM sqlite_master LIMIT 1")), timeout]);
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    },
    handle(inbound, opts = {}) {
      const key = conversationKey(inbound);
      return mutex.run(key, async () => {
        try {
          const { result, queued } = await deps.db.transaction((tx) => turn(tx, inbound, key));
          dispatcher.enqueue(queued);
          return result;
        } catch (error) {
          // Rolled back: the conversation stays where it was. Either the platform delivers the
          // event again later, or the person is told to try again: never a silent loss.
          if (opts.redeliverable && isTransient(error)) {
            deps.log.warn("turn failed transiently; the event will come again", { error, channel: inbound.channel, event: inbound.event.type });
            throw new RetryLater(error);
          }
          deps.log.error("turn failed", { error, channel: inbound.channel, event: inbound.event.type });
          await apologize(inbound);
          return {};
        }
      });
    },
  };
}

/** Whether a group message replies to the question the bot asked its sender there. */
async function repliesToQuestion(t: Turn): Promise<boolean> {
  if (!t.inbound.replyTo) return false;
  const asked = await t.tx.sentMessage.findFirst({
    where: { tag: questionTag(t.inbound), channel: t.inbound.channel, chatId: t.inbound.chatId, messageId: t.inbound.replyTo },
    select: { id: true },
  });
  return !!asked;
}

/**
 * What to start in a private chat with no flow waiting: the main menu, greeting on /start or a
 * first message; a pressed menu button or a command is handed on to it. Nothing on a "resume".
 */
function privateStart(event: InboundEvent): FlowStart | null {
  // The channel reopened a chat that waits for nothing: nothing to show again.
  if (event.type === "resume") return null;
  if (event.type === "choice") return { flow: "menu", supply: true };
  if (event.type === "text") {
    const cmd = parseCommand(event.text);
    if (cmd && cmd.name !== "start" && cmd.name !== "menu") return { flow: "menu", supply: true };
  }
  return { flow: "menu", args: { greet: true } };
}

/**
 * A typed "2" or a typed button label means that button (the console and WhatsApp show buttons as
 * numbered lists; see Turn.numberChoices). Not in groups: there a typed answer is text.
 * - With real buttons, the chat's menu holds the newest question's buttons, numbered from 1.
 * - Without, it holds every option still shown, each with its own number: the current question's
 *   and those of notices not yet decided. A label typed is the current question's first, then any
 *   other option's when only one has it. While the person answers a question of their own that
 *   takes text, what they type is their answer, never a press of a notice's button.
 */
export async function typedChoice(t: Turn, event: InboundEvent, key: string, idleFlow: string): Promise<InboundEvent> {
  if (event.type !== "text" || t.inbound.chatType !== "private") return event;
  const menu = await loadMenu(t.tx, t.inbound.channel, t.inbound.chatId);
  if (!menu) {
    t.knowNoMenu(t.inbound.channel, t.inbound.chatId);
    return event;
  }
  const numbered = menu.choices.some((c) => c.n !== undefined);
  const current = numbered ? menu.choices.filter((c) => c.tag === undefined) : menu.choices;
  if (numbered ? !current.length : menu.foreign) {
    // Only notices' options are live: a typed "1" in the middle of a question is its answer.
    const waiting = await loadDialog(t.tx, key);
    if (waiting && waiting.flow !== idleFlow) return event;
  }
  const press = (c: { data: string } | undefined): InboundEvent => (c ? { type: "choice", data: c.data } : event);
  const number = /^\s*(\d{1,3})\s*[.)]?\s*$/.exec(event.text);
  if (number) {
    const n = Number(number[1]);
    return press(numbered ? menu.choices.find((c) => c.n === n) : menu.choices[n - 1]);
  }
  const folded = foldLabel(event.text);
  if (!folded) return event;
  const mine = current.find((c) => c.match.includes(folded));
  if (mine) return press(mine);
  const others = menu.choices.filter((c) => c.match.includes(folded));
  return others.length === 1 ? press(others[0]) : event;
}
