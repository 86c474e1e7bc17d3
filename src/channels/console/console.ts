/**
 * A terminal chat with the same core, flows and database as Telegram, so anyone can try the bot
 * without a token. It has no real buttons and no share-contact button (its capabilities say so):
 * the core numbers every option still shown uniquely, so any of them (each notice listed by
 * /pending) can be chosen by typing its number, or the option's text; the phone is typed.
 * `/as NAME` switches to another person (e.g. `/as admin`, the operator persona, to approve);
 * messages to other people are shown with their name. At start, and on switching, the question the
 * persona's conversation waits at is shown again. The language of a new persona's first answer is
 * the terminal's (LC_ALL, LC_MESSAGES or LANG, passed as `languageHint`); /language changes it.
 * `/file PATH` sends a local file as a document (`/photo PATH` as a photo), so the whole problem
 * report can be tried here; files the bot sends are shown as lines ("📎 name (size)").
 */
import { readFile, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import type { ChannelCapabilities, ChannelSender, Inbound, InboundEvent, InboundFileRef, Outbound, OutboundMessage } from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import { parseRich, toPlain } from "../../core/rich-text.ts";

export interface ConsoleOptions {
  core: Core;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  persona?: string;
  languageHint?: string;
  /** ANSI styles (bold, dim); on when the output is a terminal. */
  color?: boolean;
}

export interface ConsoleChannel {
  sender: ChannelSender;
  /** Reads lines until the input ends (Ctrl+D) or /quit. */
  run(): Promise<void>;
  stop(): void;
  readonly persona: string;
}

const PERSONA = /^[\p{L}\p{N}_-]{1,32}$/u;

/** A terminal shows text only: options are typed, and so is the phone number. */
export const CONSOLE_CAPABILITIES: ChannelCapabilities = { buttons: false, shareContact: false };

/** The lines the console prints at start: what it is and how to use it (language included). */
export function consoleBanner(opts: { dbFile: string; logFile: string; admin: string; languageHint?: string }): string {
  return [
    "Qaz Textile Industry bot: console chat (no TELEGRAM_BOT_TOKEN set).",
    `Database: ${opts.dbFile}   Log: ${opts.logFile}`,
    `Type /start. Options are numbered: type the number. "/as ${opts.admin}" becomes the operator (staff);`,
    '"/as NAME" any other person. "/file PATH" sends a local file ("/photo PATH" a photo). Ctrl+D or /quit leaves.',
    `Language of a new person: from LC_ALL, LC_MESSAGES or LANG (now ${opts.languageHint ? `"${opts.languageHint}"` : "unset: the default"}),`,
    "e.g. LANG=kk_KZ.UTF-8 (kk, ru or en); /language changes it in the chat.",
    "",
  ].join("\n");
}

export function createConsoleChannel(opts: ConsoleOptions): ConsoleChannel {
  const { core, output } = opts;
  const color = opts.color ?? false;
  let persona = opts.persona ?? "you";
  let nextId = 1;
  let rl: Interface | undefined;

  const style = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const write = (text: string) => output.write(text.endsWith("\n") ? text : `${text}\n`);

  function render(message: OutboundMessage): string {
    const text = parseRich(message.text)
      .map((s) => (s.styles.includes("b") ? style("1", s.text) : s.styles.includes("i") ? style("3", s.text) : s.text))
      .join("");
    const lines = [text];
    // Files as lines: the console shows no images; the bytes stay in the bot's file store.
    for (const f of message.files ?? []) lines.push(f.kind === "photo" ? `🖼 photo (${formatSize(f.size)})` : `📎 ${f.name} (${formatSize(f.size)})`);
    const buttons = message.choices?.flat() ?? [];
    // The core numbers options uniquely across the chat (`key`); a plain list counts from 1.
    // An empty key: the answer is a typed number, the option is typed by its text ("• No limit").
    buttons.forEach((b, i) => lines.push(`  ${style("36", b.key === "" ? "•" : `${b.key ?? i + 1}.`)} ${b.label}`));
    return lines.join("\n");
  }

  const sender: ChannelSender = {
    channel: "console",
    capabilities: CONSOLE_CAPABILITIES,
    /** A file typed as `/file PATH`: `platformId` is the local path (the console is a local tool). */
    async download(file: InboundFileRef) {
      return new Uint8Array(await readFile(file.platformId));
    },
    async deliver(chatId: string, outbound: Outbound) {
      const header =
        outbound.kind === "edit"
          ? style("2", `── message ${outbound.messageId} to ${chatId} was updated ──`)
          : chatId === persona
            ? ""
            : style("2", `── to ${chatId} ──`);
      const thread = outbound.kind === "send" && outbound.message.openThread ? style("2", `── thread: ${toPlain(outbound.message.openThread)} ──`) : "";
      write(`${header ? `${header}\n` : ""}${thread ? `${thread}\n` : ""}${render(outbound.message)}\n`);
      return { messageId: outbound.kind === "edit" ? outbound.messageId : String(nextId++) };
    },
  };

  function say(text: string): Promise<void> {
    return handle({ type: "text", text });
  }

  async function handle(event: InboundEvent): Promise<void> {
    const inbound: Inbound = {
      channel: "console",
      chatId: persona,
      userId: persona,
      chatType: "private",
      ...(opts.languageHint ? { languageHint: opts.languageHint } : {}),
      displayName: persona,
      event,
    };
    const result = await core.handle(inbound);
    await core.dispatcher.idle();
    if (result.notice) write(style("2", `(${result.notice})`));
  }

  return {
    sender,
    get persona() {
      return persona;
    },
    run() {
      const rl_ = createInterface({ input: opts.input, output, terminal: color, prompt: style("32", `${persona}> `) });
      rl = rl_;
      let quit = false;
      let pending = 0;
      const line = async (raw: string): Promise<void> => {
        const text = raw.trim();
        if (quit || !text) return;
        const as = /^\/as(?:\s+(.*))?$/.exec(text);
        if (as) {
          const name = (as[1] ?? "").trim().toLowerCase();
          if (!PERSONA.test(name)) return void write(style("2", "Usage: /as NAME (letters, digits, _ or -), e.g. /as admin"));
          persona = name;
          write(style("2", `── you are now "${persona}" ──`));
          rl_.setPrompt(style("32", `${persona}> `));
          return handle({ type: "resume" });
        }
        const file = /^\/(file|photo)(?:\s+(.*))?$/.exec(text);
        if (file) {
          const path = (file[2] ?? "").trim().replace(/^(["'])(.*)\1$/, "$2");
          const kind = file[1] === "photo" ? "photo" : "document";
          let size: number;
          try {
            const info = await stat(path);
            if (!info.isFile()) throw new Error("not a file");
            size = info.size;
          } catch {
            return void write(style("2", "Usage: /file PATH sends a local file as a document, /photo PATH as a photo"));
          }
          return handle({ type: "file", file: { kind, platformId: resolve(path), name: basename(path), size } });
        }
        if (text === "/quit" || text === "/exit") {
          quit = true;
          rl_.close();
          return;
        }
        return say(text);
      };
      // Lines are handled one after another, in order; the question this persona's conversation
      // waits at (after a restart) comes first.
      let chain: Promise<void> = handle({ type: "resume" }).then(() => rl_.prompt());
      return new Promise<void>((resolve) => {
        rl_.on("line", (raw) => {
          pending++;
          chain = chain
            .then(() => line(raw))
            .catch((error: unknown) => write(style("2", `(error: ${error instanceof Error ? error.message : String(error)})`)))
            .then(() => {
              if (--pending === 0 && !quit) rl_.prompt();
            });
        });
        // Ctrl+D (end of input) or /quit: what was typed before the end is finished first.
        rl_.on("close", () => void chain.then(resolve));
      });
    },
    stop() {
      rl?.close();
    },
  };
}

/** A size for people: "812 B", "34 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
