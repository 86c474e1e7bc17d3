/**
 * Vitest's global setup for the PostgreSQL half (TEST_DATABASE=postgresql): migrates the template
 * database once before any worker starts, gives the run an id for its databases' names, and drops
 * them all at the end. Does nothing on SQLite.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { dropPostgresRun, ensurePostgresTemplate, onPostgres } from "./db-template.ts";

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const run = randomBytes(4).toString("hex");
  project.provide("postgresRun", run);
  if (!onPostgres) return;
  await ensurePostgresTemplate();
  return () => dropPostgresRun(run);
}
