/**
 * A terminal chat with the same core, flows and database as Telegram, so anyone can try the bot
 * without a token. Buttons appear as numbered options (type the number or the option's text).
 * `/as NAME` switches to another person (e.g. `/as admin`, the operator persona, to approve);
 * messages to other people are shown with their name.
 */
import { createInterface, type Interface } from "node:readline";
import type { ChannelSender, Inbound, Outbound, OutboundMessage } from "../../core/channel.ts";
import type { Core } from "../../core/core.ts";
import { parseRich } from "../../core/rich-text.ts";

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
    const buttons = message.choices?.flat() ?? [];
    buttons.forEach((b, i) => lines.push(`  ${style("36", `${i + 1}.`)} ${b.label}`));
    return lines.join("\n");
  }

  const sender: ChannelSender = {
    channel: "console",
    async deliver(chatId: string, outbound: Outbound) {
      const header =
        outbound.kind === "edit"
          ? style("2", `── message ${outbound.messageId} to ${chatId} was updated ──`)
          : chatId === persona
            ? ""
            : style("2", `── to ${chatId} ──`);
      write(`${header ? `${header}\n` : ""}${render(outbound.message)}\n`);
      return { messageId: outbound.kind === "edit" ? outbound.messageId : String(nextId++) };
    },
  };

  async function say(text: string): Promise<void> {
    const inbound: Inbound = {
      channel: "console",
      chatId: persona,
      userId: persona,
      chatType: "private",
      ...(opts.languageHint ? { languageHint: opts.languageHint } : {}),
      displayName: persona,
      event: { type: "text", text },
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
      rl = createInterface({ input: opts.input, output, terminal: color, prompt: style("32", `${persona}> `) });
      const lines: string[] = [];
      let busy = false;
      const next = async (): Promise<void> => {
        if (busy) return;
        busy = true;
        while (lines.length) {
          const line = lines.shift()!.trim();
          if (!line) continue;
          const as = /^\/as(?:\s+(.*))?$/.exec(line);
          if (as) {
            const name = (as[1] ?? "").trim().toLowerCase();
            if (PERSONA.test(name)) {
              persona = name;
              write(style("2", `── you are now "${persona}" ──`));
              rl?.setPrompt(style("32", `${persona}> `));
            } else {
              write(style("2", "Usage: /as NAME (letters, digits, _ or -), e.g. /as admin"));
            }
            continue;
          }
          if (line === "/quit" || line === "/exit") {
            rl?.close();
            break;
          }
          await say(line);
        }
        busy = false;
        rl?.prompt();
      };
      return new Promise<void>((resolve) => {
        rl!.on("line", (line) => {
          lines.push(line);
          void next();
        });
        rl!.on("close", () => {
          // Let what was typed before the end finish.
          const wait = () => (busy || lines.length ? setTimeout(wait, 20) : resolve());
          void next().then(wait);
        });
        rl!.prompt();
      });
    },
    stop() {
      rl?.close();
    },
  };
}
