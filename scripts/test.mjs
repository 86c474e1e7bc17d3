// `npm test`: the whole suite on SQLite, then again on PostgreSQL. Arguments pass through to
// vitest (`npm test -- test/core`). The PostgreSQL half runs on TEST_POSTGRES_URL when it is set
// (a server where the user may create databases), else on a private cluster started from Debian's
// binaries (scripts/postgres-cluster.mjs) and removed at the end, also on failure or Ctrl-C.
// Without PostgreSQL it runs the SQLite half and says what it skipped and how to get it.
// TEST_DATABASE=sqlite or TEST_DATABASE=postgresql runs that half only.
// Exits non-zero when either half fails.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { INSTALL_HINT, findPostgresBin, startPostgresCluster } from "./postgres-cluster.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const only = process.env.TEST_DATABASE;
let child;
let cluster;

function cleanUpAndExit(code) {
  cluster?.stop();
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // vitest gets the same Ctrl-C from the terminal; give it a moment to end its workers.
    if (child && child.exitCode === null) child.kill(signal);
    setTimeout(() => cleanUpAndExit(130), child ? 2000 : 0).unref();
    child?.once("exit", () => cleanUpAndExit(130));
  });
}
process.on("exit", () => cluster?.stop());

function vitest(label, env) {
  console.log(`\n=== Tests on ${label} ===\n`);
  const started = Date.now();
  return new Promise((resolve) => {
    child = spawn(process.execPath, [fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url)), "run", ...args], {
      cwd: root,
      stdio: "inherit",
      env,
    });
    child.on("exit", (code, signal) => {
      child = undefined;
      console.log(`\n=== ${label}: ${code === 0 ? "passed" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const results = [];
const { TEST_DATABASE: _drop, ...baseEnv } = process.env;
if (only !== "postgresql") results.push(await vitest("SQLite", { ...baseEnv }));

if (only !== "sqlite") {
  let url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    if (!findPostgresBin()) {
      console.log(`\n=== Skipped the PostgreSQL half: no PostgreSQL found. ${INSTALL_HINT} ===`);
    } else {
      const t0 = Date.now();
      cluster = await startPostgresCluster();
      url = cluster.url;
      console.log(`\nPrivate PostgreSQL cluster at ${url} (started in ${Date.now() - t0} ms)`);
    }
  }
  if (url) results.push(await vitest("PostgreSQL", { ...baseEnv, TEST_DATABASE: "postgresql", TEST_POSTGRES_URL: url }));
  cluster?.stop();
}
cleanUpAndExit(results.some((code) => code !== 0) ? 1 : 0);
