// A private, throwaway PostgreSQL cluster from Debian's binaries (/usr/lib/postgresql/<v>/bin):
// initdb in a temporary directory, pg_ctl on 127.0.0.1 at a spare port with its socket in that
// directory, trust authentication for the user `postgres`. Used by `npm test` (scripts/test.mjs)
// and by `npm run db:migration` (the schema engine diffs PostgreSQL migrations on a live server).
// As root, PostgreSQL refuses to run, so the binaries run as the `postgres` user (runuser).
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** How to get PostgreSQL when it is missing (printed by the scripts that need it). */
export const INSTALL_HINT =
  "Install PostgreSQL (Debian/Ubuntu: `sudo apt-get install postgresql`), or point TEST_POSTGRES_URL at a server " +
  "where the user may create databases (e.g. postgresql://postgres@127.0.0.1:5432/postgres).";

/** The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl (or PG_BINDIR), or undefined. */
export function findPostgresBin() {
  const candidates = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(base, v, "bin")));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

function sparePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster; resolves to `{ url, stop }`. `stop()` (synchronous, safe to call twice) stops
 * the server and removes its directory. Throws with initdb's or the server's log when it fails.
 */
export async function startPostgresCluster({ bin = findPostgresBin(), maxConnections = 300 } = {}) {
  if (!bin) throw new Error(`No PostgreSQL binaries found in /usr/lib/postgresql/*/bin. ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), "qti-pg-"));
  const data = join(dir, "data");
  const asRoot = userInfo().uid === 0;
  const run = (cmd, args) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return spawnSync(file, argv, { encoding: "utf8", cwd: dir });
  };
  if (asRoot) {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (pw.status !== 0) throw new Error("running as root, PostgreSQL needs the `postgres` user (Debian's postgresql package creates it)");
    chownSync(dir, Number(pw.stdout), Number(gid.stdout));
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, "postmaster.pid"))) run("pg_ctl", ["-D", data, "-m", "immediate", "-s", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const init = run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stderr || init.stdout}`);
    const port = await sparePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      // A throwaway cluster: durability is not wanted, speed is.
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      `-c max_connections=${maxConnections}`,
    ].join(" ");
    const start = run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "60", "-o", options, "-s", "start"]);
    if (start.status !== 0) {
      const log = spawnSync("cat", [join(dir, "server.log")], { encoding: "utf8" }).stdout;
      throw new Error(`pg_ctl start failed:\n${start.stderr || start.stdout}\n${log}`);
    }
    return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
