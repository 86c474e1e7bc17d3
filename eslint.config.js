/**
 * `npm run lint`: the architecture's import rules (DESIGN.md, issue 5 section 2), plus a handful of
 * correctness rules that need no type information. No style rules: formatting is not linted.
 *
 * ESLint and the typescript-eslint parser live in tools/lint with their own lockfile: the parser
 * needs the classic TypeScript compiler API (TypeScript 6.0 at most) as the package `typescript`,
 * while the bot type-checks with TypeScript 7, which has none; one npm tree cannot hold both under
 * that name (the parser's peer dependency conflicts with the root's `typescript`).
 */
import { createRequire } from "node:module";

const lintTools = createRequire(new URL("./tools/lint/package.json", import.meta.url));
const parser = lintTools("@typescript-eslint/parser");

// Module specifiers as regular expressions (sources, without slashes: see `dynamicImport`).
/** Platform SDKs, except the replay engine, which the core runs flows on without grammY. */
const PLATFORM = String.raw`^(?!@grammyjs/conversations/out/engine\.js$)(grammy|@grammyjs|whatsapp-web\.js|puppeteer)(/|$)`;
/** Prisma, the SQLite and PostgreSQL drivers and src/db (the generated client, the Tx type, migrations). */
const DATABASE = String.raw`^(@prisma/|\.prisma/|better-sqlite3$|pg$)|(^|/)db/`;
/** Anything under src/channels. */
const CHANNELS = String.raw`(^|/)channels/`;

const NO_PLATFORM =
  "The core (src/core) never imports a platform SDK (grammY, whatsapp-web.js): adapters in src/channels translate platform payloads. Only the replay engine, @grammyjs/conversations/out/engine.js, is allowed.";
const NO_CHANNELS = "The core does not depend on an adapter: adapters depend on the core.";
const NO_DATABASE_IN_CHANNELS = "Adapters (src/channels) never touch the database (Prisma, the driver, src/db): they call the core.";
const NO_DATABASE_IN_FLOWS =
  "Flows reach the database only inside `d.act(...)`, through services and data modules given `turn.unit`: never by importing Prisma, its generated client or src/db/database.ts.";

/** `no-restricted-imports` for static imports, `export … from` and `import type`. */
function restrictImports(...rules) {
  return ["error", { patterns: rules.map(([regex, message]) => ({ regex, message })) }];
}

/** `import("…")`, which no-restricted-imports does not see. esquery ends a regex at any "/". */
function dynamicImport([regex, message]) {
  return { selector: `ImportExpression[source.value=/${regex.replaceAll("/", String.raw`\x2F`)}/]`, message };
}

/** The files that hold flows: code run by the replay engine (src/core/dialog is its machinery). */
const FLOWS = [
  "src/core/menu.ts",
  "src/core/members/{registration,profile,privacy,consent,questions}.ts",
  "src/core/staff/{decisions,team,pending}.ts",
];

const core = [
  [PLATFORM, NO_PLATFORM],
  [CHANNELS, NO_CHANNELS],
];
const flows = [...core, [DATABASE, NO_DATABASE_IN_FLOWS]];
const channels = [[DATABASE, NO_DATABASE_IN_CHANNELS]];

/**
 * Flows never touch the transaction, not even in an `act` callback: they call services and data
 * modules (members/membership.ts, members/erasure.ts, staff/decide.ts, staff/roles.ts, people.ts,
 * ...) with the Unit of work (`turn.unit`), and those return plain objects (issue 5 section 2).
 */
const NO_TX = {
  selector: "MemberExpression[property.name='tx']",
  message:
    "Flows do not touch the transaction (`.tx`): call a service or a data module with `turn.unit` inside `d.act(...)` (members/membership.ts, people.ts, staff/decide.ts, ...).",
};

// A later block's rule replaces an earlier one's for the same file, so each block lists all of
// its restrictions.
export default [
  { ignores: ["src/db/generated/**", "src/db/generated-pg/**", "**/node_modules/**", "data/**", "coverage/**", "dist/**"] },
  {
    files: ["**/*.ts", "**/*.js", "**/*.mjs"],
    languageOptions: { parser, ecmaVersion: "latest", sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-constant-binary-expression": "error",
      "no-debugger": "error",
      "no-dupe-else-if": "error",
      "no-dupe-keys": "error",
      "no-duplicate-case": "error",
      "no-self-assign": "error",
      "no-self-compare": "error",
      "no-unreachable": "error",
      "no-unsafe-finally": "error",
      "no-unsafe-negation": "error",
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": restrictImports(...core),
      "no-restricted-syntax": ["error", ...core.map(dynamicImport)],
    },
  },
  {
    files: ["src/core/dialog/**/*.ts", ...FLOWS],
    rules: {
      "no-restricted-imports": restrictImports(...flows),
      "no-restricted-syntax": ["error", ...flows.map(dynamicImport)],
    },
  },
  {
    files: FLOWS,
    rules: { "no-restricted-syntax": ["error", ...flows.map(dynamicImport), NO_TX] },
  },
  {
    files: ["src/channels/**/*.ts"],
    rules: {
      "no-restricted-imports": restrictImports(...channels),
      "no-restricted-syntax": ["error", ...channels.map(dynamicImport)],
    },
  },
];
