import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // The PostgreSQL half (TEST_DATABASE=postgresql, see scripts/test.mjs and
    // test/support/db-template.ts): one migrated template database per run, dropped databases after.
    globalSetup: ["test/support/pg-global-setup.ts"],
    pool: "forks",
    // Files share a worker's module graph instead of each loading it afresh: Prisma's client, its
    // query compiler and the locales warm up once per worker, not once per file (that warm-up was
    // about half of the suite's CPU time). Tests keep their state in their own harnesses, and
    // test/setup.ts puts back timers and mocks a file might leave behind.
    isolate: false,
    // More workers than cores: the end-to-end files mostly wait (HTTP round trips, child processes,
    // retry windows), so a third worker on two cores keeps them busy meanwhile.
    maxWorkers: Math.max(2, Math.ceil(availableParallelism() * 1.5)),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
