/**
 * The API flows are written against, the same on every channel. A flow is an async function that
 * asks and says; it is replayed from the start at every answer (see engine.ts), so:
 * - everything with an effect (database, sending, clock, randomness) goes through `act`, which runs
 *   once and returns the recorded result on replays, and returns JSON only;
 * - everything else must be deterministic.
 */
import type { ReplayControls } from "@grammyjs/conversations/out/engine.js";
import type { InboundEvent } from "../channel.ts";
import type { ButtonSpec, Label, Translate } from "../message.ts";
import type { Turn } from "../turn.ts";
import { createHash } from "node:crypto";
import { globalCommandOf, MENU_COMMANDS, parseCommand, slashCommandOf } from "./commands.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import { setLocale } from "../people.ts";
import { allowed } from "../permissions.ts";
import { fileRefusalLabel, maxDownloadBytes } from "../files/fetch.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Parse<T> = { ok: true; value: T } | { ok: false; error: Label };
export const ok = <T>(value: T): Parse<T> => ({ ok: true, value });
export const fail = <T = never>(error: Label): Parse<T> => ({ ok: false, error });

export interface Option<I extends string = string> {
  id: I;
  label: Label;
  /** Key of other words that choose it when typed, in any language ("words-yes": "да, ага"). */
  words?: string;
}

/**
 * How a flow ends: `next` starts another flow right away (in the same turn); `end` leaves the chat
 * with no flow at all (after erasure). Otherwise a private chat returns to the main menu.
 */
export type FlowExit = { next: string; args?: Json } | { end: true };

export interface AskSpec<T> {
  prompt: Label;
  /**
   * A short form of a long prompt (the consent text), sent after the reason when an answer is
   * refused, instead of the whole prompt again. A long prompt with buttons and no `reask` is not
   * repeated either: the reason and the buttons are.
   */
  reask?: Label;
  /** Buttons, in rows. A plain list is laid out `columns` per row. */
  options?: Option[] | Option[][];
  columns?: number;
  /**
   * Buttons that stay valid in older messages too (the main menu), sent as "<stable>:<id>";
   * otherwise a button belongs to this one question and is refused once the question has passed.
   */
  stable?: string;
  requestPhone?: Label;
  /** The prompt where the channel has no share-contact button (it must not say "press the button below"). */
  typedPrompt?: Label;
  /**
   * A screen of choices that holds nothing unsaved ("My enterprise", "My data", the staff list):
   * /start, /menu or another menu entry leaves it without asking "leave? your answers will be lost".
   */
  settled?: boolean;
  /**
   * The answer is a typed number (a capacity, a head count): on a text channel a typed "1" is the
   * number one, never the first option; the options are shown unnumbered ("• No limit") and chosen
   * by their text (MessageSpec.numeric). A button press still chooses an option.
   */
  numeric?: boolean;
  /**
   * The question is not sent when first asked, only after a refusal or a resume: the previous
   * message asked it already (the rest of an album gets no answer of its own, issue 7). Its buttons
   * must then be `stable`, so that those of the message that asked it stay valid.
   */
  silent?: boolean;
  /**
   * The question takes files (photos, documents): a file the core could not keep (`refused`: too
   * big, a refused type, not fetched) is answered with why, whatever `accept` says. A question
   * without it answers a file like any other unexpected answer (the main menu: where files go).
   */
  takesFiles?: boolean;
  /** Interprets the answer; `picked` is the chosen option's id when a button of this question was pressed. */
  accept(event: InboundEvent, picked: string | undefined): Parse<T>;
}

/** How the flow being run wants interjections ("/start", "/help"...) handled. */
export interface DialogContext {
  /** The main menu: "/start" and "/menu" just show it again. */
  idle: boolean;
  /** Message key naming the flow ("registration"), for "you are in the middle of …". */
  title: string;
  /** The flow's name, which is also its menu entry's id ("register"): a press of that entry is no reason to leave it. */
  flow?: string;
  /** The flow asks before it is left (FlowDef.cancel): a cancel word offers to leave instead of leaving. */
  asksToLeave?: boolean;
}

/**
 * A refusal sent in this conversation, remembered until an answer is accepted, so that the same
 * refusal is not sent again for a burst of messages (an album of photos, a quick flurry of
 * stickers). `sig` is a hash of the refusal's text (no personal data kept), `at` the turn's time
 * (ms), `group` the album id of the message refused.
 */
export interface Refusal {
  sig: string;
  at: number;
  group?: string;
}

/** Identical refusals closer than this are one burst: the later ones are not answered. */
export const BURST_MS = 10_000;

/** What the engine tells a dialog and learns from it (see engine.ts). */
export interface DialogHooks {
  /** Whether interrupt `op` has a recorded answer. */
  answered(op: number): boolean;
  /** The flow waits at interrupt `op` (it has no answer yet). */
  onWait(op: number): void;
  /** The answer given at interrupt `op` was refused (its question is asked again, or not, in a burst). */
  onRefused(op: number, refusal: Refusal | null): void;
  /** A button of a one-time question (`data`) was accepted as its answer: a second press of it is a double tap. */
  onConsumed(data: string): void;
  /** The last refusal sent in this conversation since an accepted answer. */
  previous?: Refusal;
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
  choice<I extends string>(
    prompt: Label,
    options: Option<I>[] | Option<I>[][],
    opts?: { columns?: number; stable?: string; reask?: Label; settled?: boolean },
  ): Promise<I>;
  /**
   * A phone number: the platform's share-contact button or typed; returns E.164. `typedPrompt` is
   * asked instead of `prompt` where the channel has no share-contact button.
   */
  phone(prompt: Label, parse: (raw: string, fromContact: boolean) => Parse<string>, typedPrompt?: Label): Promise<string>;
  /** Yes or no ("да", "иә", "no" typed count too). */
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

/** A prompt longer than this (code units of the rendered text) is not repeated whole after a refusal. */
const LONG_PROMPT = 400;

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
    private readonly hooks: Partial<DialogHooks> = {},
  ) {}

  /**
   * Waits for the next answer. The engine learns where a replay stops from `onWait`: the first
   * interrupt without a recorded answer. Flows are strictly sequential (every call awaited), so
   * every action of the turn has finished by then and the state is complete.
   */
  private async interrupt(): Promise<{ op: number; event: InboundEvent }> {
    const op = this.#op++;
    if (!(this.hooks.answered?.(op) ?? true)) this.hooks.onWait?.(op);
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
    return this.act("say", (turn) => turn.unit.outbox.send(turn.here, { text, ...(opts.removeKeyboard ? { removeKeyboard: true } : {}) }));
  }

  async ask<T>(spec: AskSpec<T>): Promise<T> {
    const pid = `${this.runId}${(this.#prompts++).toString(36)}`;
    const rows = toRows(spec.options ?? [], spec.columns ?? 1);
    const ids = new Set(rows.flat().map((o) => o.id));
    const prefix = spec.stable ?? pid;
    // A question without buttons takes free text: there a bare word ("Старт") may be the answer.
    const freeText = rows.length === 0;
    const q: Question = { spec: spec as AskSpec<unknown>, rows, prefix };
    if (!spec.silent) await this.prompt(q);
    for (;;) {
      const { op, event } = await this.interrupt();
      let picked: string | undefined;
      if (event.type === "resume") {
        // The channel reopened the chat: the question again, as it was.
        await this.prompt(q);
        this.hooks.onRefused?.(op, null);
        continue;
      }
      if (event.type === "choice") {
        const [head, ...rest] = event.data.split(":");
        const id = rest.join(":");
        // A stable button (the menu) is judged by `accept`: it may be old, or forged.
        if (head === prefix && (spec.stable !== undefined || ids.has(id))) {
          picked = id;
        } else if (head === "m" && !this.context.idle) {
          // A main-menu button pressed in the middle of something else.
          if (id === this.context.flow) {
            // The entry of this very task (a double tap on "Register"): nothing to leave.
            await this.act("already", (turn) => void (turn.notice = turn.t("flow-already-here")));
            this.hooks.onRefused?.(op, null);
            continue;
          }
          if (id === "help" || id === "language") await this.interject(id);
          else await this.offerLeave(id, q);
          await this.prompt(q);
          continue;
        } else {
          // A button of an earlier question (or a forged one): say so where the platform can.
          await this.act("stale", (turn) => {
            turn.notice = turn.t("button-stale");
          });
          this.hooks.onRefused?.(op, null);
          continue;
        }
      } else if (event.type === "text") {
        // Slash commands count everywhere; bare words as said below, so that nobody's name is eaten.
        const said = await this.act("command", (turn) => {
          const slash = slashCommandOf(event.text);
          const { i18n } = turn.unit.services;
          const own = slash ? null : globalCommandOf(event.text, i18n, turn.locale);
          // Another language's word (people mix languages on WhatsApp): `foreign`.
          const other = slash || own ? null : globalCommandOf(event.text, i18n, turn.locale, true);
          return { slash, word: own ?? other, ...(other ? { foreign: true } : {}) };
        });
        // A command word (cancel, menu, help, language; in any of the three languages) in a
        // free-text question: one the question would refuse anyway (a BIN, a head count, a phone)
        // cannot be meant as the answer, so it is the command. One it would take (an enterprise
        // named "Меню") is asked about, the answer or the command, when it is a word of the person's
        // own language; another language's word ("Cancel" in a Russian chat) and a start word
        // ("Старт") are the answer (fault 18). In a question with options a word is the command
        // (an option's own label was already turned into a press: core.ts typedChoice).
        const word = !said.slash && freeText ? said.word : null;
        const notAnAnswer = !!word && !spec.accept(event, undefined).ok;
        let command = said.slash ?? (freeText && !notAnAnswer ? null : said.word);
        if (word && !notAnAnswer && !this.context.idle && word !== "start" && !said.foreign) {
          const text = event.text.trim();
          const leaves = word === "cancel" || word === "menu";
          const meant = await this.choice((t) => t(word === "cancel" ? "dialog-word-or-cancel" : leaves ? "dialog-word-or-menu" : `dialog-word-or-${word}`, { text }), [
            [{ id: "answer", label: "dialog-use-as-answer" }],
            [{ id: "command", label: leaves ? "flow-leave-button" : word === "help" ? "dialog-show-help" : "dialog-change-language" }],
          ]);
          command = null;
          if (meant === "command" && leaves) {
            // Inside a field re-asked from a summary, cancelling means back to the summary.
            if (word === "cancel" && this.#back > 0) throw new BackOut();
            throw new LeaveFlow(null);
          }
          if (meant === "command") command = word;
        }
        if (command === "help" || command === "language") {
          await this.interject(command);
          await this.prompt(q);
          continue;
        }
        if (command === "cancel" && this.#back > 0) throw new BackOut();
        if (command === "cancel" && !this.context.idle && !this.context.asksToLeave) {
          // A cancel word typed where no answer is text ("/cancel" itself is handled by the engine,
          // except in a flow that asks before leaving).
          throw new LeaveFlow(null);
        }
        if (command === "start" || command === "menu" || command === "cancel") {
          if (this.context.idle) {
            await this.refuse(op, q, command === "start" ? "welcome-back" : undefined);
            continue;
          }
          await this.offerLeave(null, q);
          await this.prompt(q);
          continue;
        }
        // Any other command is not an answer ("/register" is no enterprise name).
        const other = parseCommand(event.text);
        if (other && !this.context.idle) {
          // A menu command typed in the middle of a task offers to leave it for that entry.
          const entry = MENU_COMMANDS[other.name];
          if (entry && entry === this.context.flow) {
            await this.refuse(op, q, "flow-already-here");
          } else if (entry) {
            await this.offerLeave(entry, q);
            await this.prompt(q);
          } else {
            await this.refuse(op, q, "error-unknown-command");
          }
          continue;
        }
      }
      const result = spec.accept(event, picked);
      if (result.ok) {
        if (picked !== undefined) {
          const once = spec.stable === undefined && event.type === "choice" ? event.data : undefined;
          await this.act("consumed", (turn) => {
            turn.consumed = true;
            if (once) this.hooks.onConsumed?.(once);
          });
        }
        return result.value;
      }
      await this.refuse(op, q, this.fileReason(event, spec) ?? unsupportedReason(event) ?? result.error);
    }
  }

  /** Why a file is refused here, when that is not `accept`'s reason (see AskSpec.takesFiles). */
  private fileReason(event: InboundEvent, spec: AskSpec<unknown>): Label | undefined {
    if (event.type !== "file") return undefined;
    if (spec.takesFiles) return event.refused ? fileRefusalLabel(event.refused, maxDownloadBytes(this.turn().capabilities().maxDownloadBytes)) : undefined;
    return this.context.idle ? "file-outside-question" : undefined;
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
    opts: { columns?: number; stable?: string; reask?: Label; settled?: boolean } = {},
  ): Promise<I> {
    return this.ask<I>({
      prompt,
      options,
      ...opts,
      accept: (_event, picked) => (picked !== undefined ? ok(picked as I) : fail("error-need-choice")),
    });
  }

  phone(prompt: Label, parse: (raw: string, fromContact: boolean) => Parse<string>, typedPrompt?: Label): Promise<string> {
    return this.ask({
      prompt,
      ...(typedPrompt ? { typedPrompt } : {}),
      requestPhone: "phone-share-button",
      accept: (event) => {
        if (event.type === "contact") return parse(event.phone, true);
        if (event.type === "text") return parse(event.text, false);
        // Without a share-contact button there is no "button below" to press.
        return fail(this.turn().capabilities().shareContact ? "error-need-phone" : "error-need-phone-typed");
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
    const answer = await this.choice(prompt, [
      [
        { id: "yes", label: yes, words: "words-yes" },
        { id: "no", label: no, words: "words-no" },
      ],
    ]);
    return answer === "yes";
  }

  /**
   * Answers a refused answer at interrupt `op`: the reason (when there is one) and the question
   * again, in one message. A long question is not repeated whole (its short `reask`, or just its
   * buttons). The same refusal again within a burst (the next photo of an album, or within
   * BURST_MS with nothing accepted in between, unless typed) is not sent: one burst, one answer.
   */
  private async refuse(op: number, q: Question, reason?: Label): Promise<void> {
    const refusal = await this.act("refuse", async (turn) => {
      const text = this.questionText(turn, q, reason);
      const sig = createHash("sha256").update(text).digest("base64url").slice(0, 16);
      const group = turn.inbound.mediaGroup;
      const now = turn.unit.now.getTime();
      const prev = this.hooks.previous;
      // A typed message is the person's own try and is always answered; only what a client sends
      // in a flurry (album parts, stickers, voice...) is one burst by time.
      const typed = turn.inbound.event.type === "text";
      const burst = !!prev && prev.sig === sig && ((!!group && prev.group === group) || (!typed && now >= prev.at && now - prev.at < BURST_MS));
      if (!burst) await this.putQuestion(turn, q, text);
      return { sig, at: now, ...(group ? { group } : {}) } satisfies Refusal;
    });
    this.hooks.onRefused?.(op, refusal);
  }

  /** The text of a question, after `reason` when the previous answer was refused. */
  private questionText(turn: Turn, q: Question, reason?: Label): string {
    const t: Translate = (key, args) => turn.t(key, args);
    const { spec } = q;
    const noContact = !!spec.requestPhone && !turn.capabilities().shareContact;
    const prompt = renderWith(t, noContact && spec.typedPrompt ? spec.typedPrompt : spec.prompt);
    if (!reason) return prompt;
    const why = renderWith(t, reason);
    if (spec.reask) return `${why}\n\n${renderWith(t, spec.reask)}`;
    // The buttons say what to do; a long text (the consent) is not sent again for each refusal.
    if (q.rows.length && prompt.length > LONG_PROMPT) return why;
    return `${why}\n\n${prompt}`;
  }

  private async prompt(q: Question): Promise<void> {
    await this.act("prompt", (turn) => this.putQuestion(turn, q, this.questionText(turn, q)));
  }

  /** Puts question `q` to the person, through the outbox (the one way to send). */
  private async putQuestion(turn: Turn, q: Question, text: string): Promise<void> {
    const { spec, rows, prefix } = q;
    const buttons: ButtonSpec[][] = rows.map((r) => r.map((o) => ({ data: `${prefix}:${o.id}`, label: o.label, ...(o.words ? { words: o.words } : {}) })));
    // In a group a question also carries a Cancel button: a press always names the real person,
    // so the one asked can leave even where their typed /cancel cannot be told apart (anonymous admins).
    if (turn.inbound.chatType === "group") buttons.push([{ data: `${GROUP_CANCEL}${this.runId}`, label: "group-cancel-button" }]);
    await turn.unit.outbox.send(
      turn.here,
      {
        text: () => text,
        ...(buttons.length ? { choices: buttons } : {}),
        ...(spec.numeric ? { numeric: true } : {}),
        ...(spec.requestPhone && turn.capabilities().shareContact ? { requestPhone: spec.requestPhone } : {}),
        // In a group the bot sees only replies to its messages (privacy mode): ask this member to reply.
        ...(turn.inbound.chatType === "group"
          ? { replyFrom: { userId: turn.inbound.userId, name: turn.inbound.displayName ?? "" } }
          : {}),
      },
      // In a group, an answer must reply to the question: remember which message asked it.
      turn.inbound.chatType === "group" ? { tag: questionTag(turn.inbound) } : {},
    );
  }

  /** Something said in the middle of a question; the question is asked again afterwards. */
  private async interject(what: "help" | "language"): Promise<void> {
    if (what === "help") {
      // The same help as /help at rest (helpFlow in menu.ts): the member part privately, the staff
      // part for staff. One action, as before, so that dialogs stored mid-flow replay unchanged.
      await this.act("say", async (turn) => {
        if (turn.inbound.chatType !== "group") await turn.unit.outbox.send(turn.here, { text: "help-text" });
        if (await allowed(turn.unit, { action: "staff.view" })) await turn.unit.outbox.send(turn.here, { text: "help-staff" });
      });
    } else await chooseLanguage(this);
  }

  /**
   * The menu (or a menu command) in the middle of a task leaves it, after a confirmation, so that
   * a stray press does not throw away half a registration. `target` is what to open instead.
   */
  private async offerLeave(target: string | null, q?: Question): Promise<void> {
    // Nothing typed here would be lost: leave at once (AskSpec.settled).
    if (q?.spec.settled) throw new LeaveFlow(target, true);
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

/**
 * Why a recording (a voice note, audio, a round video) is refused at any question: the bot cannot
 * listen, so the person is asked to write (WhatsApp sends many voice notes). Other unsupported
 * things (a sticker) keep the question's own reason.
 */
function unsupportedReason(event: InboundEvent): Label | undefined {
  if (event.type !== "unsupported") return undefined;
  return VOICE_KINDS.has(event.kind) ? "voice-please-write" : undefined;
}

/** Inbound "unsupported" kinds that are recordings (Telegram's and whatsapp-web.js's names). */
const VOICE_KINDS = new Set(["voice", "audio", "video_note", "ptt"]);

interface Question {
  spec: AskSpec<unknown>;
  rows: Option[][];
  prefix: string;
}
/**
 * The data of the Cancel button of a question asked in a group, followed by the run id of its flow
 * (so that the button of a question already closed cancels nothing); handled in core.ts.
 */
export const GROUP_CANCEL = "g:cancel:";

/** Tags a question asked in a group, so that only a reply to it counts as its answer. */
export function questionTag(inbound: { channel: string; chatId: string; userId: string }): string {
  return `ask:${inbound.channel}:${inbound.chatId}:${inbound.userId}`;
}

/** Thrown inside a flow to leave it for the main menu (and open `target` from there, when set). */
export class LeaveFlow extends Error {
  override name = "LeaveFlow";
  /** `quiet`: nothing was left unsaved (a settled screen), so no "stopped" message. */
  constructor(
    readonly target: string | null,
    readonly quiet = false,
  ) {
    super("left the flow");
  }
}

/** Asks for a language (the question in all three, each name in its own language) and switches to it. */
export async function chooseLanguage(d: Dialog): Promise<Locale> {
  const locale = await d.choice(
    (t) => t("language-prompt"),
    // A language's name or code typed in any language chooses it too ("рус", "kk", "ағылшынша").
    LOCALES.map((l) => ({ id: l, label: () => LANGUAGE_NAMES[l], words: `language-words-${l}` })),
    { columns: 3 },
  );
  await d.act("set-locale", async (turn) => {
    turn.locale = locale;
    await setLocale(turn.unit, locale);
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

