import { describe, expect, it } from "vitest";
import { KeyedMutex } from "../../src/core/keyed-mutex.ts";

/** A promise settled from outside, to control exactly when a task finishes. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyedMutex", () => {
  it("runs tasks with the same key one after another, in call order, even when the first is slow", async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const slow = gate();
    const first = mutex.run("chat:1", async () => {
      events.push("first start");
      await slow.promise;
      events.push("first end");
      return 1;
    });
    const second = mutex.run("chat:1", async () => {
      events.push("second start");
      events.push("second end");
      return 2;
    });
    const third = mutex.run("chat:1", async () => {
      events.push("third");
      return 3;
    });
    await tick();
    await tick();
    expect(events).toEqual(["first start"]);
    slow.open();
    expect(await Promise.all([first, second, third])).toEqual([1, 2, 3]);
    expect(events).toEqual(["first start", "first end", "second start", "second end", "third"]);
  });

  it("runs tasks with different keys at the same time", async () => {
    const mutex = new KeyedMutex();
    const a = gate();
    const started: string[] = [];
    const first = mutex.run("chat:a", async () => {
      started.push("a");
      await a.promise;
    });
    const second = mutex.run("chat:b", async () => {
      started.push("b");
      return "b done";
    });
    // b finishes while a is still waiting: the keys do not wait for each other.
    expect(await second).toBe("b done");
    expect(started).toEqual(["a", "b"]);
    a.open();
    await first;
  });

  it("hands a task's rejection to its caller and still runs the next task with that key", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("chat:1", async () => {
      throw new Error("turn failed");
    });
    const next = mutex.run("chat:1", async () => "next ran");
    await expect(failing).rejects.toThrow("turn failed");
    expect(await next).toBe("next ran");
  });

  it("treats a task that throws synchronously like one that rejects", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("k", (() => {
      throw new Error("sync");
    }) as () => Promise<never>);
    await expect(failing).rejects.toThrow("sync");
    expect(await mutex.run("k", async () => "after")).toBe("after");
  });

  it("idle() resolves only after every started task, of every key, has finished", async () => {
    const mutex = new KeyedMutex();
    const gates = [gate(), gate(), gate()];
    const finished: number[] = [];
    mutex.run("x", async () => {
      await gates[0]!.promise;
      finished.push(0);
    });
    mutex.run("x", async () => {
      await gates[1]!.promise;
      finished.push(1);
    });
    void mutex
      .run("y", async () => {
        await gates[2]!.promise;
        throw new Error("y failed");
      })
      .catch(() => finished.push(2));
    let idle = false;
    const waiting = mutex.idle().then(() => (idle = true));
    gates[2]!.open();
    gates[0]!.open();
    await tick();
    await tick();
    expect(idle).toBe(false);
    gates[1]!.open();
    await waiting;
    expect(idle).toBe(true);
    expect(finished).toEqual(expect.arrayContaining([0, 1, 2]));
  });

  it("idle() also waits for a task queued while it was already waiting", async () => {
    const mutex = new KeyedMutex();
    const first = gate();
    const later = gate();
    let laterDone = false;
    mutex.run("x", () => first.promise);
    const waiting = mutex.idle();
    mutex.run("z", async () => {
      await later.promise;
      laterDone = true;
    });
    first.open();
    await tick();
    later.open();
    await waiting;
    expect(laterDone).toBe(true);
  });

  it("idle() resolves at once when nothing runs", async () => {
    const mutex = new KeyedMutex();
    await mutex.run("x", async () => {});
    let resolved = false;
    void mutex.idle().then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(true);
  });
});
