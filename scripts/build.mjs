// `npm run build`: bundles src/main.ts into dist/bot/main.js (one ESM file, minified names kept
// readable in stack traces via a source map), so production runs `node dist/bot/main.js`:
// no TypeScript loader at start, no npm between the supervisor and the bot.
//
// Kept outside the bundle, loaded from node_modules at run time:
// - better-sqlite3: a native addon (.node), cannot be bundled;
// - @prisma/client/runtime/query_compiler_*: the query compiler's JavaScript glue, imported lazily by
//   the generated client (its WebAssembly is read from dist/bot/*.wasm instead: see below).
// The bundle sits two directories deep (dist/bot/) on purpose: src/db/database.ts and
// src/i18n/i18n.ts find prisma/migrations and locales as `new URL("../../…", import.meta.url)`,
// which from dist/bot/main.js is the repository root as well. Checked below.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// The generated client loads its query compiler from a 4.4 MB JavaScript module holding the
// WebAssembly as base64: parsing that module and decoding it costs about 130 ms of CPU at every
// start (measured: 180 ms against 50 ms for the raw file). The build writes the raw .wasm beside
// the bundle and rewrites the generated loader to read it; if the generated code ever changes
// shape, the build fails here rather than shipping the slow path unnoticed.
const WASM_LOADER =
  /const \{ wasm \} = await import\("@prisma\/client\/runtime\/(query_compiler_[\w.]+?)\.wasm-base64\.mjs"\)\s*return await decodeBase64AsWasm\(wasm\)/;

/** esbuild plugin: the Prisma query compiler from a .wasm file next to `outfile`. */
function prismaWasmFile(outfile) {
  return {
    name: "prisma-wasm-file",
    setup(b) {
      b.onLoad({ filter: /[\\/]db[\\/]generated[\\/]internal[\\/]class\.ts$/ }, async (args) => {
        const source = readFileSync(args.path, "utf8");
        const match = WASM_LOADER.exec(source);
        if (!match) throw new Error(`${args.path}: the query compiler loader has changed; update WASM_LOADER in scripts/build.mjs`);
        const name = `${match[1]}.wasm`;
        const { wasm } = await import(pathToFileURL(join(root, "node_modules/@prisma/client/runtime", `${match[1]}.wasm-base64.mjs`)).href);
        // esbuild creates the output folder only when it writes the bundle, after this.
        mkdirSync(join(root, dirname(outfile)), { recursive: true });
        writeFileSync(join(root, dirname(outfile), name), Buffer.from(wasm, "base64"));
        const contents = source.replace(
          match[0],
          `const { readFileSync } = await import("node:fs")\n    return new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(`./${name}`)}, import.meta.url)))`,
        );
        return { contents, loader: "ts", resolveDir: dirname(args.path) };
      });
    },
  };
}

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
    minifyWhitespace: true,
    minifySyntax: true,
    // Class and function names as written: node-fetch (grammY's fetch on Node) accepts a signal
    // only if its class is named "AbortSignal", and bundling renames the abort-controller
    // polyfill's class when another module uses the global one (every Bot API call then failed).
    keepNames: true,
    // WhatsApp (whatsapp-web.js drives Chromium through puppeteer, whose optional and dynamic
    // requires, e.g. unzipper's S3 client, do not bundle) and its QR helpers load from node_modules.
    external: ["better-sqlite3", "@prisma/client/runtime/query_compiler_*", "whatsapp-web.js", "qrcode", "qrcode-terminal"],
    // CommonJS dependencies (grammY) call require() for Node's built-ins; an ESM bundle has none.
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    plugins: [prismaWasmFile(outfile)],
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
