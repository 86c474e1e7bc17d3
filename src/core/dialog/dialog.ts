/**
 * The API flows are written against, the same on every channel. A flow is an async function that
 * asks and says; it is replayed from the start at every answer (see engine.ts), so:
 * - everything with an effect (database, sending, clock, randomness) goes through `act`, which runs
 *   once and returns the recorded result on replays, and returns JSON only;
 * - everything else must be deterministic.
 */
import type { ReplayControls } from "@grammyjs/conversations/out/engine.js";
import type { InboundEvent } from "../channel.ts";
import type { Label, Translate, Turn } from "../turn.ts";
import { globalCommandOf, MENU_COMMANDS, parseCommand } from "./commands.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Parse<T> = { ok: true; value: T } | { ok: false; error: Label };
export const ok = <T>(value: T): Parse<T> => ({ ok: true, value });
export const fail = <T = never>(error: Label): Parse<T> => ({ ok: false, error });

export interface Option<I extends string = string> {
  id: I;
  label: Label;
}

/**
 * How a flow ends: `next` starts another flow right away (in the same turn); `end` leaves the chat
 * with no flow at all (after erasure). Otherwise a private chat returns to the main menu.
 */
export type FlowExit = { next: string; args?: Json } | { end: true };

export interface AskSpec<T> {
  prompt: Label;
  /** Buttons, in rows. A plain list is laid out `columns` per row. */
  options?: Option[] | Option[][];
  columns?: number;
  /**
   * Buttons that stay valid in older messages too (the main menu), sent as "<stable>:<id>";
   * otherwise a button belongs to this one question and is refused once the question has passed.
   */
  stable?: string;
  requestPhone?: Label;
  /** Interprets the answer; `picked` is the chosen option's id when a button of this question was pressed. */
  accept(event: InboundEvent, picked: string | undefined): Parse<T>;
}

/** How the flow being run wants interjections ("/start", "/help"...) handled. */
export interface DialogContext {
  /** The main menu: "/start" and "/menu" just show it again. */
  idle: boolean;
  /** Message key naming the flow ("registration"), for "you are in the middle of …". */
  title: string;
}

export interface Dialog {
  /**
   * Runs `fn` once (recorded), with the current turn, and returns its result on every replay.
   * The result must be JSON data: no Date, no class instances (it is read back from JSON).
   */
  act<T>(name: string, fn: (turn: Turn) => T | Promise<T>): Promise<T>;
  /** Sends a message to the person. */
  say(text: Label, opts?: { removeKeyboard?: boolean }): Promise<void>;
  /** Asks until `accept` accepts; every refusal is answered with its reason and the question again. */
  ask<T>(spec: AskSpec<T>): Promise<T>;
  /** Free text, interpreted by `parse`. */
  text<T>(prompt: Label, parse: (text: string) => Parse<T>): Promise<T>;
  /** One of the options (a button, its number, or its label typed in any language). */
  choice<I extends string>(prompt: Label, options: Option<I>[] | Option<I>[][], opts?: { columns?: number; stable?: string }): Promise<I>;
  /** A phone number: the platform's share-contact button or typed; returns E.164. */
  phone(prompt: Label, parse: (raw: string, fromContact: boolean) => Parse<string>): Promise<string>;
  /** Yes or no. */
  confirm(prompt: Label, yes?: Label, no?: Label): Promise<boolean>;
  /**
   * Runs `fn`, where "/cancel" means "back" (e.g. to the summary a field was re-asked from): it
   * returns null instead of leaving the flow. Needs a flow with `cancel` set (see FlowDef).
   */
  orBack<T>(fn: () => Promise<T>): Promise<T | null>;
}

/** Thrown by a question inside `orBack` when the person sends /cancel; caught by `orBack`. */
class BackOut extends Error {
  override name = "BackOut";
}

const LANGUAGE_NAMES: Record<Locale, string> = { kk: "Қазақша", ru: "Русский", en: "English" };

/**
 * Tells the engine where a replay stops: at the first interrupt that has no recorded answer in the
 * replay state. Flows are strictly sequential (every call awaited), so at that point every action
 * of the turn has finished and the state is complete.
 */
export type OnWait = (op: number) => void;

export class FlowDialog implements Dialog {
  #prompts = 0;
  /** How many `orBack` scopes are open: /cancel inside one goes back instead of leaving. */
  #back = 0;
  /** Index of the next engine operation (interrupts and actions share one numbering). */
  #op = 0;

  constructor(
    private readonly controls: ReplayControls,
    private readonly turn: () => Turn,
    private readonly runId: string,
    private readonly context: DialogContext,
    private readonly answered: (op: number) => boolean = () => true,
    private readonly onWait: OnWait = () => {},
    /** Told when the answer given at interrupt `op` was refused and its question is asked again. */
    private readonly onRefused: (op: number) => void = () => {},
  ) {}

  private async interrupt(): Promise<{ op: number; event: InboundEvent }> {
    const op = this.#op++;
    if (!this.answered(op)) this.onWait(op);
    return { op, event: (await this.controls.interrupt("input")) as InboundEvent };
  }

  async act<T>(name: string, fn: (turn: Turn) => T | Promise<T>): Promise<T> {
    this.#op++;
    return this.controls.action(async () => {
      const value = await fn(this.turn());
      // Recorded results are read back from JSON; hand out the same shape on the first run too.
      return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
    }, name);
  }

  say(text: Label, opts: { removeKeyboard?: boolean } = {}): Promise<void> {
    return this.act("say", (turn) => turn.reply({ text, ...(opts.removeKeyboard ? { removeKeyboard: true } : {}) }));
  }

  async ask<T>(spec: AskSpec<T>): Promise<T> {
    const pid = `${this.runId}${(this.#prompts++).toString(36)}`;
    const rows = toRows(spec.options ?? [], spec.columns ?? 1);
    const ids = new Set(rows.flat().map((o) => o.id));
    const prefix = spec.stable ?? pid;
    await this.prompt(spec, rows, prefix);
    for (;;) {
      const { op, event } = await this.interrupt();
      let picked: string | undefined;
      if (event.type === "choice") {
        const [head, ...rest] = event.data.split(":");
        const id = rest.join(":");
        // A stable button (the menu) is judged by `accept`: it may be old, or forged.
        if (head === prefix && (spec.stable !== undefined || ids.has(id))) {
          picked = id;
        } else if (head === "m" && !this.context.idle) {
          // A main-menu button pressed in the middle of something else.
          if (id === "help" || id === "language") await this.interject(id);
          else await this.offerLeave(id);
          await this.prompt(spec, rows, prefix);
          continue;
        } else {
          // A button of an earlier question (or a forged one): say so where the platform can.
          await this.act("stale", (turn) => {
            turn.notice = turn.t("button-stale");
          });
          this.onRefused(op);
          continue;
        }
      } else if (event.type === "text") {
        const command = await this.act("command", (turn) => globalCommandOf(event.text, turn.services.i18n));
        if (command === "help" || command === "language") {
          await this.interject(command);
          await this.prompt(spec, rows, prefix);
          continue;
        }
        if (command === "cancel" && this.#back > 0) throw new BackOut();
        if (command === "start" || command === "menu" || command === "cancel") {
          if (this.context.idle) {
            if (command === "start") await this.say("welcome-back");
            await this.prompt(spec, rows, prefix);
            this.onRefused(op);
            continue;
          }
          await this.offerLeave(null);
          await this.prompt(spec, rows, prefix);
          continue;
        }
        // Any other command is not an answer ("/register" is no enterprise name).
        const other = parseCommand(event.text);
        if (other && !this.context.idle) {
          // A menu command typed in the middle of a task offers to leave it for that entry.
          const entry = MENU_COMMANDS[other.name];
          if (entry) {
            await this.offerLeave(entry);
            await this.prompt(spec, rows, prefix);
          } else {
            await this.say("error-unknown-command");
            await this.prompt(spec, rows, prefix);
            this.onRefused(op);
          }
          continue;
        }
      }
      const result = spec.accept(event, picked);
      if (result.ok) {
        if (picked !== undefined) await this.act("consumed", (turn) => void (turn.consumed = true));
        return result.value;
      }
      await this.prompt(spec, rows, prefix, result.error);
      this.onRefused(op);
    }
  }

  text<T>(prompt: Label, parse: (text: string) => Parse<T>): Promise<T> {
    return this.ask({
      prompt,
      accept: (event) => (event.type === "text" ? parse(event.text) : fail("error-need-text")),
    });
  }

  choice<I extends string>(
    prompt: Label,
    options: Option<I>[] | Option<I>[][],
    opts: { columns?: number; stable?: string } = {},
  ): Promise<I> {
    return this.ask<I>({
      prompt,
      options,
      ...opts,
      accept: (_event, picked) => (picked !== undefined ? ok(picked as I) : fail("error-need-choice")),
    });
  }

  phone(prompt: Label, parse: (raw: string, fromContact: boolean) => Parse<string>): Promise<string> {
    return this.ask({
      prompt,
      requestPhone: "phone-share-button",
      accept: (event) => {
        if (event.type === "contact") return parse(event.phone, true);
        if (event.type === "text") return parse(event.text, false);
        return fail("error-need-phone");
      },
    });
  }

  async orBack<T>(fn: () => Promise<T>): Promise<T | null> {
    this.#back++;
    try {
      return await fn();
    } catch (error) {
      if (error instanceof BackOut) return null;
      throw error;
    } finally {
      this.#back--;
    }
  }

  async confirm(prompt: Label, yes: Label = "button-yes", no: Label = "button-no"): Promise<boolean> {
    const answer = await this.choice(prompt, [[{ id: "yes", label: yes }, { id: "no", label: no }]]);
    return answer === "yes";
  }

  private async prompt(spec: AskSpec<unknown>, rows: Option[][], prefix: string, error?: Label): Promise<void> {
    const text: Label = error
      ? (t: Translate) => `${renderWith(t, error)}\n\n${renderWith(t, spec.prompt)}`
      : spec.prompt;
    await this.act("prompt", (turn) =>
      turn.reply(
        {
        text,
        ...(rows.length ? { choices: rows.map((r) => r.map((o) => ({ data: `${prefix}:${o.id}`, label: o.label }))) } : {}),
        ...(spec.requestPhone ? { requestPhone: spec.requestPhone } : {}),
        // In a group the bot sees only replies to its messages (privacy mode): ask this member to reply.
        ...(turn.inbound.chatType === "group"
          ? { replyFrom: { userId: turn.inbound.userId, name: turn.inbound.displayName ?? "" } }
          : {}),
        },
        // In a group, an answer must reply to the question: remember which message asked it.
        turn.inbound.chatType === "group" ? { tag: questionTag(turn.inbound) } : {},
      ),
    );
  }

  /** Something said in the middle of a question; the question is asked again afterwards. */
  private async interject(what: "help" | "language"): Promise<void> {
    if (what === "help") await this.say("help-text");
    else await chooseLanguage(this);
  }

  /**
   * The menu (or a menu command) in the middle of a task leaves it, after a confirmation, so that
   * a stray press does not throw away half a registration. `target` is what to open instead.
   */
  private async offerLeave(target: string | null): Promise<void> {
    const title = this.context.title;
    const answer = await this.choice((t) => t("flow-leave-ask", { flow: t(title) }), [
      [
        { id: "leave", label: "flow-leave-button" },
        { id: "stay", label: "flow-stay-button" },
      ],
    ]);
    if (answer === "leave") throw new LeaveFlow(target);
  }
}

/** Tags a question asked in a group, so that only a reply to it counts as its answer. */
export function questionTag(inbound: { channel: string; chatId: string; userId: string }): string {
  return `ask:${inbound.channel}:${inbound.chatId}:${inbound.userId}`;
}

/** Thrown inside a flow to leave it for the main menu (and open `target` from there, when set). */
export class LeaveFlow extends Error {
  override name = "LeaveFlow";
  constructor(readonly target: string | null) {
    super("left the flow");
  }
}

/** Asks for a language (the question in all three, each name in its own language) and switches to it. */
export async function chooseLanguage(d: Dialog): Promise<Locale> {
  const locale = await d.choice(
    (t) => t("language-prompt"),
    LOCALES.map((l) => ({ id: l, label: () => LANGUAGE_NAMES[l] })),
    { columns: 3 },
  );
  await d.act("set-locale", async (turn) => {
    turn.locale = locale;
    if (turn.actor) {
      turn.actor.locale = locale;
      await turn.tx.person.update({ where: { id: turn.actor.personId }, data: { locale } });
    }
  });
  await d.say("language-changed");
  return locale;
}

function toRows<T>(options: T[] | T[][], columns: number): T[][] {
  if (options.length === 0) return [];
  if (Array.isArray(options[0])) return options as T[][];
  const flat = options as T[];
  const rows: T[][] = [];
  for (let i = 0; i < flat.length; i += columns) rows.push(flat.slice(i, i + columns));
  return rows;
}

function renderWith(t: Translate, label: Label): string {
  if (typeof label === "string") return t(label);
  if (typeof label === "function") return label(t);
  return t(label.key, label.args);
}

