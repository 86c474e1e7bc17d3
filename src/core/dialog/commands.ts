/**
 * Commands a person can use anywhere: "/cancel" and friends, and the same words typed without a
 * slash in any of the three languages (the console and WhatsApp have no command menu).
 */
import type { I18n } from "../../i18n/i18n.ts";
import { LOCALES } from "../../i18n/locales.ts";
import { foldLabel } from "../turn.ts";

export const GLOBAL_COMMANDS = ["start", "menu", "cancel", "help", "language"] as const;
export type GlobalCommand = (typeof GLOBAL_COMMANDS)[number];

/** "/start@QazBot payload" → { name: "start", args: "payload" }. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = /^\/([a-z0-9_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? "").trim() } : null;
}

/** Commands that open a main-menu entry (the entry is named after the flow it starts). */
export const MENU_COMMANDS: Readonly<Record<string, string>> = {
  register: "register",
  profile: "profile",
  enterprise: "profile",
  language: "language",
  help: "help",
  privacy: "privacy",
  mydata: "privacy",
  pending: "pending",
  staff: "team",
  team: "team",
};

const wordCache = new WeakMap<I18n, Map<string, GlobalCommand>>();

/** Which global command a text means: "/cancel", "отмена", "болдырмау", "Cancel"... or null. */
export function globalCommandOf(text: string, i18n: I18n): GlobalCommand | null {
  const cmd = parseCommand(text);
  if (cmd) return (GLOBAL_COMMANDS as readonly string[]).includes(cmd.name) ? (cmd.name as GlobalCommand) : null;
  let words = wordCache.get(i18n);
  if (!words) {
    words = new Map();
    for (const command of GLOBAL_COMMANDS) {
      for (const locale of LOCALES) {
        for (const w of i18n.t(locale, `words-${command}`).split(",")) {
          const folded = foldLabel(w);
          if (folded) words.set(folded, command);
        }
      }
    }
    wordCache.set(i18n, words);
  }
  return words.get(foldLabel(text)) ?? null;
}
