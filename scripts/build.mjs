// `npm run build`: bundles src/main.ts into dist/bot/main.js (one ESM file, minified names kept
// readable in stack traces via a source map), so production runs `node dist/bot/main.js`:
// no TypeScript loader at start, no npm between the supervisor and the bot.
//
// Kept outside the bundle, loaded from node_modules at run time:
// - better-sqlite3: a native addon (.node), cannot be bundled;
// - @prisma/client/runtime: the query compiler's WebAssembly (base64 in a .mjs) is imported lazily
//   by the generated client; bundling it would parse several MB of base64 at every start.
// The bundle sits two directories deep (dist/bot/) on purpose: src/db/database.ts and
// src/i18n/i18n.ts find prisma/migrations and locales as `new URL("../../…", import.meta.url)`,
// which from dist/bot/main.js is the repository root as well. Checked below.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Bundles `entry` (relative to the repository) into `outfile`. Used by the bench as well. */
export async function bundle(entry, outfile) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    external: ["better-sqlite3", "@prisma/client/runtime/query_compiler_*"],
    // CommonJS dependencies (grammY) call require() for Node's built-ins; an ESM bundle has none.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    logLevel: "warning",
  });
  for (const dir of ["../../prisma/migrations", "../../locales"]) {
    const url = new URL(dir, new URL(outfile, `file://${root}/`));
    if (!existsSync(url)) throw new Error(`${outfile}: ${dir} does not resolve to ${fileURLToPath(url)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle("src/main.ts", "dist/bot/main.js");
  console.log("built dist/bot/main.js");
}
