/**
 * Commands a person can use anywhere: "/cancel" and friends, and the same words typed without a
 * slash in the person's language (the console and WhatsApp have no command menu).
 */
import type { I18n } from "../../i18n/i18n.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import { foldLabel, looseLabel } from "../message.ts";

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
  problems: "problems",
  stats: "stats",
  export: "export",
  staff: "team",
  team: "team",
  problem: "problem",
  myproblems: "myproblems",
  events: "events",
  myevents: "myevents",
  announce: "announce",
  broadcasts: "broadcasts",
  stop: "stop",
  subscribe: "subscribe",
  link: "link",
};

/**
 * Per process, not in the database: derived only from the locale files this process loaded, which
 * never change while it runs (instances of one version load the same files), so it is never stale.
 */
const wordCache = new WeakMap<I18n, Map<Locale, Map<string, GlobalCommand>>>();

/**
 * Which global command a text means. A slash command ("/cancel") counts in every language; a bare
 * word ("отмена", "болдырмау", "cancel") counts in the person's own language `locale`, and with
 * `anyLanguage` in the other two as well (their own language first). No command word of one
 * language means another command in another (test/core/textinput checks). Whether a bare word is
 * taken as a command at all is the caller's call (dialog.ts: in a free-text question it may be
 * the answer; an other language's word there is the answer whenever the question takes it).
 */
export function globalCommandOf(text: string, i18n: I18n, locale: Locale, anyLanguage = false): GlobalCommand | null {
  const cmd = parseCommand(text);
  if (cmd) return slashCommandOf(text);
  const byLocale = commandWords(i18n);
  const folded = looseLabel(foldLabel(text));
  if (!folded) return null;
  for (const l of anyLanguage ? [locale, ...LOCALES.filter((x) => x !== locale)] : [locale]) {
    const found = byLocale.get(l)?.get(folded);
    if (found) return found;
  }
  return null;
}

/** The bare words of every global command, folded (foldLabel, looseLabel), per language (the locales' "words-<command>"). */
export function commandWords(i18n: I18n): Map<Locale, Map<string, GlobalCommand>> {
  let byLocale = wordCache.get(i18n);
  if (!byLocale) {
    byLocale = new Map();
    for (const l of LOCALES) {
      const words = new Map<string, GlobalCommand>();
      for (const command of GLOBAL_COMMANDS) {
        for (const w of i18n.t(l, `words-${command}`).split(",")) {
          const folded = looseLabel(foldLabel(w));
          if (folded) words.set(folded, command);
        }
      }
      byLocale.set(l, words);
    }
    wordCache.set(i18n, byLocale);
  }
  return byLocale;
}

/** The global command of a slash command ("/cancel@QazBot"), or null for anything else. */
export function slashCommandOf(text: string): GlobalCommand | null {
  const cmd = parseCommand(text);
  return cmd && (GLOBAL_COMMANDS as readonly string[]).includes(cmd.name) ? (cmd.name as GlobalCommand) : null;
}
