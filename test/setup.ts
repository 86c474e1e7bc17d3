/**
 * Runs before every test file. Files share a worker (vitest.config.ts: isolate false), so whatever
 * a file leaves changed globally is put back when it ends, before the next file in that worker.
 */
import { afterAll, vi } from "vitest";

afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});
