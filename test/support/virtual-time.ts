/**
 * Virtual time for the delivery engine's tests (test/core/outbox): waits are kept in order, and
 * once the process has nothing else to do the clock jumps to the earliest one, which then fires.
 *
 * "Nothing else to do" is a setImmediate later AND no database transaction in flight: on SQLite
 * a query runs in-process, but on PostgreSQL it is real I/O, during which the event loop turns; a
 * clock that jumped then moved time under a claim half done (a scheduled row's time passed before
 * the conversation was claimed, a chat's 429 pause ended before other chats were sent).
 */
import type { Database } from "../../src/db/database.ts";

/** `db` with its transactions counted: `busy()` while any runs (pass the same object to the engine and the test). */
export function countingDatabase(db: Database): { db: Database; busy: () => boolean } {
  let inFlight = 0;
  const counted = new Proxy(db, {
    get(target, key, receiver) {
      if (key !== "transaction") return Reflect.get(target, key, receiver) as unknown;
      return <T>(fn: Parameters<Database["transaction"]>[0], opts?: Parameters<Database["transaction"]>[1]) => {
        inFlight++;
        return (target.transaction(fn, opts) as Promise<T>).finally(() => inFlight--);
      };
    },
  });
  return { db: counted, busy: () => inFlight > 0 };
}

/** A virtual clock starting at `start` (ms) that waits while `busy()` (see the module). */
export function virtualTime(start = 1_000_000, busy: () => boolean = () => false) {
  let t = start;
  const timers: { due: number; resolve: () => void }[] = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    if (busy()) return schedule();
    timers.sort((a, b) => a.due - b.due);
    const next = timers.shift();
    if (!next) return;
    t = Math.max(t, next.due);
    next.resolve();
    schedule();
  };
  const schedule = () => {
    if (scheduled || !timers.length) return;
    scheduled = true;
    setImmediate(tick);
  };
  return {
    now: () => t,
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ due: t + ms, resolve });
        schedule();
      }),
  };
}
