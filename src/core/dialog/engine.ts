/**
 * Runs flows with the replay engine of @grammyjs/conversations (used standalone: it does not need
 * grammY) and keeps their state in DialogState, one row per conversation, so a flow survives a
 * restart at the same question. Each answer replays the flow from the start: recorded answers and
 * action results are handed back in order until the flow reaches the new question.
 */
// Why `out/engine.js` and not the package's main entry (checked for @grammyjs/conversations 2.1.1;
// test/core/dialog/engine-api.test.ts fails when it stops being true):
// - The package publishes no "exports" map, only "main": "./out/mod.js". That module re-exports
//   every part, among them conversation.js, which requires ./deps.node.js, which requires "grammy"
//   (Composer, Context). Importing the main entry therefore loads grammY into the core, which the
//   core must not depend on (DESIGN.md; eslint.config.js). ReplayEngine is the same class either
//   way: mod.js re-exports it from out/engine.js, whose own imports (state.js, resolve.js) need
//   nothing from grammY; the file and its types (out/engine.d.ts) are part of the published package
//   ("files": ["out/"]), and the version is pinned by package-lock.json.
// - Everything used from it is the engine's documented surface: `new ReplayEngine(builder)`,
//   `replay`, the static `supply` and `reset`, and the controls' `interrupt` and `action`.
import { ReplayEngine, type ReplayResult, type ReplayState } from "@grammyjs/conversations/out/engine.js";
import { randomBytes } from "node:crypto";
import type { InboundEvent } from "../channel.ts";
import type { Turn } from "../turn.ts";
import { FlowDialog, LeaveFlow, type Dialog, type FlowExit, type Json, type Refusal } from "./dialog.ts";
import { slashCommandOf } from "./commands.ts";
import { deleteDialog, loadDialog, saveDialog } from "../bookkeeping.ts";

export interface FlowDef<A = Json> {
  name: string;
  /** Bump when a change would make stored runs replay differently; they then restart politely. */
  version: number;
  /** Message key naming what the person is doing ("registration"). */
  title: string;
  /** The main menu: where a private chat rests between tasks. */
  idle?: boolean;
  /**
   * "/cancel" is the flow's to handle (it asks before leaving, or goes back a step inside
   * `Dialog.orBack`), instead of leaving at once; leaving then says `cancelled` (default
   * "flow-cancelled"), the same as the flow's own Cancel button.
   */
  cancel?: { asks: true; cancelled: string };
  run(d: Dialog, args: A): Promise<FlowExit | void>;
}

export interface FlowStart {
  flow: string;
  args?: Json;
  /** Hand the triggering event to the new flow's first question too (a pressed menu button). */
  supply?: boolean;
}

interface Stored {
  args: Json;
  runId: string;
  waiting: number;
  replay: ReplayState;
  /** The last refusal sent since an answer was accepted (one burst, one answer: see FlowDialog.refuse). */
  refusal?: Refusal;
  /** The data of the last one-time button accepted as an answer: a second press of it is a double tap. */
  consumed?: string;
}

/** What one turn's replays learned, saved with the state. */
interface TurnMemory {
  refusal?: Refusal;
  consumed?: string;
}

/** A flow threw: a bug or a failed action. The turn is rolled back; the stored state stays. */
export class FlowError extends Error {
  override name = "FlowError";
  constructor(
    readonly flow: string,
    override readonly cause: unknown,
  ) {
    super(`Flow ${flow} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Replay state beyond this size is abandoned (someone pasting huge texts over and over). */
const MAX_STATE_CHARS = 512_000;
/** Longer answers are cut before they are recorded; no question accepts anything near this. */
const MAX_RECORDED_TEXT = 4_096;

export class DialogEngine {
  readonly #flows = new Map<string, FlowDef<never>>();
  readonly #idle: string;

  constructor(flows: FlowDef<never>[]) {
    for (const f of flows) this.#flows.set(f.name, f);
    const idle = flows.find((f) => f.idle);
    if (!idle) throw new Error("One flow must be the idle flow (the main menu)");
    this.#idle = idle.name;
  }

  get idleFlow(): string {
    return this.#idle;
  }

  /** Whether `key` has a flow waiting for an answer (other than the idle menu). */
  async activeFlow(turn: Turn, key: string): Promise<string | null> {
    return (await loadDialog(turn.unit.tx, key))?.flow ?? null;
  }

  /**
   * Hands `event` to the flow waiting in conversation `key`, or, when none is, starts what
   * `route` says (nothing when it returns null).
   */
  async handle(turn: Turn, key: string, event: InboundEvent, route: () => FlowStart | null | Promise<FlowStart | null>): Promise<void> {
    const row = await loadDialog(turn.unit.tx, key);
    let start: FlowStart | null = null;
    let current: { flow: FlowDef<never>; stored: Stored } | null = null;

    if (row) {
      const flow = this.#flows.get(row.flow);
      if (!flow || row.version !== flow.version) {
        // The bot was updated mid-flow: start that step again rather than replay old answers.
        await turn.unit.outbox.send(turn.here, { text: "flow-restarted" });
        start = flow ? { flow: flow.name, args: parseStored(row.state)?.args ?? {} } : null;
      } else if (!flow.idle && !flow.cancel && event.type === "text" && slashCommandOf(event.text) === "cancel") {
        // Handled before any replay, so that /cancel works even when a flow cannot be replayed. A bare
        // "отмена" is the dialog's to judge: in a free-text question it may be an answer (a name).
        await turn.unit.outbox.send(turn.here, { text: "flow-cancelled", removeKeyboard: true });
        start = turn.inbound.chatType === "private" ? { flow: this.#idle } : null;
      } else {
        const stored = parseStored(row.state);
        if (stored && event.type === "choice" && stored.consumed === event.data) {
          // A double tap: the second press of a button whose question is already answered. The
          // first press did everything; this one changes and says nothing.
          return;
        }
        if (stored) current = { flow, stored };
        else start = { flow: flow.name, args: {} };
      }
    }

    let flow: FlowDef<never>;
    let args: Json;
    let runId: string;
    let result: ReplayResult;
    const memory: TurnMemory = { ...(current?.stored.consumed ? { consumed: current.stored.consumed } : {}) };
    if (current) {
      ({ flow } = current);
      ({ args, runId } = current.stored);
      result = await this.answer(flow, args, runId, turn, current.stored, event, memory);
    } else {
      start ??= await route();
      if (!start) {
        if (row) await deleteDialog(turn.unit.tx, key);
        return;
      }
      ({ flow, args, runId, result } = await this.begin(start, turn, memory));
      if (start.supply && result.type === "interrupted") {
        result = await this.answer(flow, args, runId, turn, { replay: result.state, waiting: result.interrupts[0]! }, event, memory);
      }
    }

    for (let hops = 0; ; hops++) {
      if (result.type === "interrupted") {
        const stored: Stored = {
          args,
          runId,
          waiting: result.interrupts[0]!,
          replay: result.state,
          ...(memory.refusal ? { refusal: memory.refusal } : {}),
          ...(memory.consumed ? { consumed: memory.consumed } : {}),
        };
        const state = JSON.stringify(stored);
        if (state.length > MAX_STATE_CHARS) {
          await turn.unit.outbox.send(turn.here, { text: "flow-too-long" });
          if (row || current) await deleteDialog(turn.unit.tx, key);
          return;
        }
        await saveDialog(turn.unit.tx, key, { flow: flow.name, version: flow.version, state }, turn.unit.now);
        return;
      }
      if (result.type === "thrown") {
        if (result.error instanceof LeaveFlow) {
          if (!result.error.quiet) await turn.unit.outbox.send(turn.here, { text: flow.cancel?.cancelled ?? "flow-cancelled", removeKeyboard: true });
          const target = result.error.target;
          if (turn.inbound.chatType !== "private" || flow.idle) {
            if (row) await deleteDialog(turn.unit.tx, key);
            return;
          }
          ({ flow, args, runId, result } = await this.begin({ flow: this.#idle, args: target ? { open: target } : {} }, turn, memory));
          continue;
        }
        if (isBadReplay(result.error) && hops === 0) {
          await turn.unit.outbox.send(turn.here, { text: "flow-restarted" });
          ({ flow, args, runId, result } = await this.begin({ flow: flow.name, args }, turn, memory));
          continue;
        }
        throw new FlowError(flow.name, result.error);
      }
      // returned (or canceled, which flows do not use): go on with the next flow, or rest.
      const exit = result.type === "returned" ? (result.returnValue as FlowExit | undefined) : undefined;
      const next: FlowStart | null =
        exit && "next" in exit
          ? { flow: exit.next, args: exit.args ?? {} }
          : exit && "end" in exit
            ? null
            : !flow.idle && turn.inbound.chatType === "private"
              ? { flow: this.#idle }
              : null;
      if (!next || hops >= 8) {
        if (row) await deleteDialog(turn.unit.tx, key);
        return;
      }
      ({ flow, args, runId, result } = await this.begin(next, turn, memory));
    }
  }

  private async begin(start: FlowStart, turn: Turn, memory: TurnMemory) {
    const flow = this.#flows.get(start.flow);
    if (!flow) throw new Error(`Unknown flow ${start.flow}`);
    const args = start.args ?? {};
    const runId = randomBytes(3).toString("base64url");
    delete memory.refusal;
    const result = await this.replay(flow, args, runId, turn, { send: [], receive: [] }, memory);
    return { flow, args, runId, result };
  }

  /**
   * Gives `event` to the question waiting at interrupt `at.waiting`. When the answer is refused (the
   * question is asked again), the state is set back to before it: a refused answer changes nothing,
   * so nothing of it is kept (free text typed before consent is personal data) and repeated junk
   * does not grow the state. Only the refusal is remembered (`memory.refusal`), so that the same
   * refusal is not sent again for the rest of a burst; an accepted answer forgets it.
   */
  private async answer(
    flow: FlowDef<never>,
    args: Json,
    runId: string,
    turn: Turn,
    at: { replay: ReplayState; waiting: number; refusal?: Refusal },
    event: InboundEvent,
    memory: TurnMemory,
  ): Promise<ReplayResult> {
    const { replay: state, waiting } = at;
    const checkpoint = ReplayEngine.supply(state, waiting, recordable(event));
    let refused = false;
    let refusal: Refusal | null = null;
    if (at.refusal) memory.refusal = at.refusal;
    else delete memory.refusal;
    const result = await this.replay(flow, args, runId, turn, state, memory, (op, r) => {
      if (op !== waiting) return;
      refused = true;
      refusal = r;
    });
    if (refused && result.type === "interrupted") {
      ReplayEngine.reset(state, checkpoint);
      const kept = refusal ?? at.refusal;
      if (kept) memory.refusal = kept;
      else delete memory.refusal;
      return { type: "interrupted", state, interrupts: [waiting] };
    }
    delete memory.refusal;
    return result;
  }

  /**
   * Replays `state` (mutated in place) up to the flow's next question, or its end.
   *
   * Why this races `engine.replay` instead of awaiting it: the engine reports an interrupt only
   * after a macrotask (`replayState` in out/engine.js awaits `setTimeout(0)` in its boundary loop),
   * which it spends checking for floating promises, and its public API has no option to skip that
   * wait. Our flows have none (every call is awaited; FlowDialog numbers the operations), and the
   * wait would hold the turn's transaction, and with it the database, for over a millisecond per
   * message. So the dialog reports the first interrupt that has no recorded answer (`onWait`) and
   * the result is built from there, in the shape `replay` returns (`{ type: "interrupted", state,
   * interrupts: [op] }`); the state is complete at that point, since every action has finished.
   * The engine's own promise settles later with the same result and is ignored; a flow that
   * returns or throws settles it first, and then its result is the one taken.
   */
  private replay(
    flow: FlowDef<never>,
    args: Json,
    runId: string,
    turn: Turn,
    state: ReplayState,
    memory: TurnMemory,
    onRefused: (op: number, refusal: Refusal | null) => void = () => {},
  ): Promise<ReplayResult> {
    let reportWait: (result: ReplayResult) => void = () => {};
    const waiting = new Promise<ReplayResult>((resolve) => (reportWait = resolve));
    const answered = (op: number) => state.receive.some((r) => r.send === op);
    const engine = new ReplayEngine(async (controls) => {
      const d = new FlowDialog(controls, () => turn, runId, { idle: !!flow.idle, title: flow.title, flow: flow.name, asksToLeave: !!flow.cancel }, {
        answered,
        onWait: (op) => reportWait({ type: "interrupted", state, interrupts: [op] }),
        onRefused,
        onConsumed: (data) => void (memory.consumed = data),
        ...(memory.refusal ? { previous: memory.refusal } : {}),
      });
      // The builder's return value becomes the result's returnValue (typed void by the library).
      return (await flow.run(d, args as never)) as unknown as void;
    });
    return Promise.race([engine.replay(state), waiting]);
  }
}

/** The run id of a stored flow (it names the run's buttons), or null when the state is unreadable. */
export function storedRunId(state: string): string | null {
  return parseStored(state)?.runId ?? null;
}

function parseStored(state: string): Stored | null {
  try {
    const s = JSON.parse(state) as Partial<Stored>;
    return s && typeof s.runId === "string" && typeof s.waiting === "number" && s.replay ? (s as Stored) : null;
  } catch {
    return null;
  }
}

function isBadReplay(error: unknown): boolean {
  return error instanceof Error && /^Bad replay|^No op|^Op \d+ is invalid/.test(error.message);
}

/** The event as it is kept in the replay log: long texts cut (they fail validation anyway). */
function recordable(event: InboundEvent): InboundEvent {
  if (event.type === "text" && event.text.length > MAX_RECORDED_TEXT) {
    return { type: "text", text: event.text.slice(0, MAX_RECORDED_TEXT) };
  }
  return event;
}
