/**
 * Fluent bundles from locales/*.ftl. `t` returns rich text (see core/rich-text.ts): the
 * translations may use <b>, <i>, <code>; every string argument is escaped before it is placed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import { escapeHtml, Rich } from "../core/rich-text.ts";
import { LOCALES, type Locale } from "./locales.ts";

/** Strings are escaped before they are placed; `Rich` values (already rendered messages) are not. */
export type MessageArgs = Record<string, string | number | Rich>;

export interface I18n {
  /** The message `key` in `locale`, with `args` escaped and placed. Throws for an unknown key: a bug. */
  t(locale: Locale, key: string, args?: MessageArgs): string;
  has(key: string): boolean;
  /** Message ids per locale, for the parity test. */
  keys(locale: Locale): string[];
}

export const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

export class MissingMessageError extends Error {
  override name = "MissingMessageError";
}

export function createI18n(dir: string = LOCALES_DIR): I18n {
  const bundles = new Map<Locale, FluentBundle>();
  for (const locale of LOCALES) {
    const source = readFileSync(join(dir, `${locale}.ftl`), "utf8");
    const resource = new FluentResource(source);
    const bundle = new FluentBundle(locale, { useIsolating: false });
    const errors = bundle.addResource(resource);
    if (errors.length) throw new Error(`locales/${locale}.ftl: ${errors.map((e) => e.message).join("; ")}`);
    bundles.set(locale, bundle);
  }
  const bundleOf = (locale: Locale) => bundles.get(locale) ?? bundles.get("en")!;
  // A message without arguments always formats the same (the bundles never change after this), and
  // a turn formats dozens (button labels in every language for the typed menu): formatted once.
  // Bounded by the locales' keys.
  const plain = new Map<string, string>();
  return {
    t(locale, key, args) {
      const cacheKey = args === undefined ? `${locale}\u0000${key}` : undefined;
      if (cacheKey !== undefined) {
        const hit = plain.get(cacheKey);
        if (hit !== undefined) return hit;
      }
      const bundle = bundleOf(locale);
      const message = bundle.getMessage(key);
      if (!message?.value) throw new MissingMessageError(`No message "${key}" in locales/${locale}.ftl`);
      const escaped: Record<string, FluentVariable> = {};
      for (const [k, v] of Object.entries(args ?? {})) escaped[k] = v instanceof Rich ? v.html : typeof v === "string" ? escapeHtml(v) : v;
      const errors: Error[] = [];
      const text = bundle.formatPattern(message.value, escaped, errors);
      if (errors.length) throw new MissingMessageError(`locales/${locale}.ftl ${key}: ${errors.map((e) => e.message).join("; ")}`);
      if (cacheKey !== undefined) plain.set(cacheKey, text);
      return text;
    },
    has: (key) => bundleOf("en").hasMessage(key),
    keys: (locale) => {
      const source = readFileSync(join(dir, `${locale}.ftl`), "utf8");
      return [...source.matchAll(/^([a-zA-Z][a-zA-Z0-9_-]*)\s*=/gm)].map((m) => m[1]!);
    },
  };
}
