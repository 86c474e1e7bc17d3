/**
 * An independent checker for the core's rich-text format (see src/core/rich-text.ts): only <b>, <i>,
 * <u> and <code>, properly nested and closed, and only the entities &amp; &lt; &gt; &quot;.
 * Deliberately not built on parseRich, so that it can judge parseRich's and splitRich's output.
 */
const ALLOWED = new Set(["b", "i", "u", "code"]);

/** Problems found in `text`, empty when it is valid rich text. */
export function richMarkupProblems(text: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  for (const m of text.matchAll(/<[^>]*>?|&[^;\s]*;?/g)) {
    const token = m[0];
    if (token.startsWith("&")) {
      if (!/^&(amp|lt|gt|quot);$/.test(token)) problems.push(`stray or unknown entity ${JSON.stringify(token)} at ${m.index}`);
      continue;
    }
    const tag = /^<(\/?)([a-z]+)>$/.exec(token);
    if (!tag || !ALLOWED.has(tag[2]!)) {
      problems.push(`markup that is not <b>, <i>, <u> or <code>: ${JSON.stringify(token)} at ${m.index}`);
      continue;
    }
    const [, closing, name] = tag;
    if (!closing) open.push(name!);
    else if (open[open.length - 1] === name) open.pop();
    else problems.push(`</${name}> at ${m.index} closes ${open.length ? `<${open[open.length - 1]}>` : "nothing"}`);
  }
  if (open.length) problems.push(`left open: ${open.map((t) => `<${t}>`).join("")}`);
  return problems;
}
