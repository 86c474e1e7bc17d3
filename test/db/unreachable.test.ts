/**
 * A PostgreSQL DATABASE_URL that cannot be used stops start-up with one line for the operator: it
 * names DATABASE_URL with the password masked, and carries no stack trace (the real main, as a process).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("an unreachable PostgreSQL server: one line naming DATABASE_URL, password masked, no stack, exit 1", () => {
  const run = spawnSync("node", ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    input: "",
    timeout: 60_000,
    env: { ...process.env, DATABASE_URL: "postgresql://bot:S3cretPass@127.0.0.1:1/qaz", TELEGRAM_BOT_TOKEN: "" },
  });
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).toContain("DATABASE_URL postgresql://bot:***@127.0.0.1:1/qaz");
  expect(run.stderr).not.toContain("S3cretPass");
  expect(run.stderr).not.toMatch(/^\s+at /m);
}, 70_000);
