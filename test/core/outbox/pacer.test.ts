/**
 * The pacer: declared limits per scope, and a rate-limit answer that holds back its whole scope.
 * Time is a plain number moved by hand.
 */
import { describe, expect, it } from "vitest";
import { Pacer } from "../../../src/core/outbox/pacer.ts";
import type { ChannelCapabilities } from "../../../src/core/channel.ts";

const caps: ChannelCapabilities = {
  limits: {
    global: { burst: 5, everyMs: 100 },
    privateChat: { burst: 2, everyMs: 1000 },
    group: { burst: 1, everyMs: 3000 },
  },
  isGroup: (chatId) => chatId.startsWith("-"),
};

function pacer(c: ChannelCapabilities | null = caps) {
  let t = 0;
  const p = new Pacer(c ?? undefined, () => t);
  return { p, advance: (ms: number) => (t += ms) };
}

describe("Pacer", () => {
  it("lets a private chat send its burst, then one message per interval", () => {
    const { p, advance } = pacer();
    expect(p.take("1")).toBe(0);
    expect(p.take("1")).toBe(0);
    expect(p.take("1")).toBe(1000);
    advance(400);
    expect(p.take("1")).toBe(600);
    advance(600);
    expect(p.take("1")).toBe(0);
    expect(p.take("1")).toBe(1000);
  });

  it("keeps other chats independent of one chat's limit", () => {
    const { p } = pacer();
    p.take("1");
    p.take("1");
    expect(p.take("1")).toBeGreaterThan(0);
    expect(p.take("2")).toBe(0);
  });

  it("uses the group limit for groups", () => {
    const { p, advance } = pacer();
    expect(p.take("-100")).toBe(0);
    expect(p.take("-100")).toBe(3000);
    advance(3000);
    expect(p.take("-100")).toBe(0);
  });

  it("keeps all chats together under the global limit", () => {
    const { p, advance } = pacer();
    for (let chat = 1; chat <= 5; chat++) expect(p.take(String(chat))).toBe(0);
    expect(p.take("6")).toBe(100);
    advance(100);
    expect(p.take("6")).toBe(0);
  });

  it("a waiting send does not use up a slot", () => {
    const { p, advance } = pacer();
    p.take("1");
    p.take("1");
    expect(p.take("1")).toBe(1000);
    expect(p.take("1")).toBe(1000);
    advance(1000);
    expect(p.take("1")).toBe(0);
  });

  it("a global rate-limit answer holds back every chat until it has passed", () => {
    const { p, advance } = pacer();
    p.pause("1", "global", 5000);
    expect(p.take("1")).toBe(5000);
    expect(p.take("2")).toBe(5000);
    expect(p.take("-100")).toBe(5000);
    advance(4999);
    expect(p.take("2")).toBe(1);
    advance(1);
    expect(p.take("2")).toBe(0);
  });

  it("a chat's rate-limit answer holds back that chat only", () => {
    const { p, advance } = pacer();
    p.pause("-100", "chat", 7000);
    expect(p.take("-100")).toBe(7000);
    expect(p.take("-200")).toBe(0);
    expect(p.take("1")).toBe(0);
    advance(7000);
    expect(p.take("-100")).toBe(0);
  });

  it("a channel without limits is never held back, except by a rate-limit answer", () => {
    const { p } = pacer(null);
    for (let i = 0; i < 100; i++) expect(p.take("1")).toBe(0);
    p.pause("1", "chat", 10);
    expect(p.take("1")).toBe(10);
  });
});
