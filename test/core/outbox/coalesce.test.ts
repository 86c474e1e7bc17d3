import { describe, expect, it } from "vitest";
import { coalesceInto, mergeMessages, MERGED_TEXT_LIMIT } from "../../../src/core/outbox/coalesce.ts";
import type { QueuedMessage } from "../../../src/core/bookkeeping.ts";
import type { OutboundMessage } from "../../../src/core/channel.ts";

const ack: OutboundMessage = { text: "✓ <code>061211600012</code>" };
const question: OutboundMessage = { text: "What is the enterprise's <b>name</b>?" };
const buttons: OutboundMessage = { text: "Which region?", choices: [[{ data: "r:1", label: "Almaty" }]] };
const phone: OutboundMessage = { text: "Your phone?", requestPhone: "Share my number" };

describe("mergeMessages", () => {
  it("puts a text-only message and the next one together, the later one's buttons kept", () => {
    expect(mergeMessages(ack, question)).toEqual({ text: `${ack.text}\n\n${question.text}` });
    expect(mergeMessages(ack, buttons)).toEqual({ text: `${ack.text}\n\n${buttons.text}`, choices: buttons.choices });
    expect(mergeMessages(ack, phone)).toEqual({ text: `${ack.text}\n\n${phone.text}`, requestPhone: "Share my number" });
  });

  it("never merges behind a message with buttons, a reply keyboard or a force-reply (its markup would be lost)", () => {
    expect(mergeMessages(buttons, question)).toBeNull();
    expect(mergeMessages(phone, question)).toBeNull();
    expect(mergeMessages({ text: "Reason?", replyFrom: { userId: "5", name: "Dana" } }, question)).toBeNull();
  });

  it("does not merge a message that mentions a group member first (the mention leads its text)", () => {
    expect(mergeMessages(ack, { text: "Reason?", replyFrom: { userId: "5", name: "Dana" } })).toBeNull();
  });

  it("takes a phone keyboard away in the merged message, unless the next one brings markup of its own", () => {
    const removing: OutboundMessage = { text: "✓ Phone: +7 701 123 4567", removeKeyboard: true };
    expect(mergeMessages(removing, question)).toEqual({ text: `${removing.text}\n\n${question.text}`, removeKeyboard: true });
    // One reply_markup per message: inline buttons cannot also remove the reply keyboard.
    expect(mergeMessages(removing, buttons)).toBeNull();
    expect(mergeMessages(removing, phone)).toBeNull();
    expect(mergeMessages(ack, { text: "Cancelled.", removeKeyboard: true })).toEqual({ text: `${ack.text}\n\nCancelled.`, removeKeyboard: true });
  });

  it("keeps two messages when together they would not fit in one", () => {
    const long: OutboundMessage = { text: "x".repeat(MERGED_TEXT_LIMIT - 10) };
    expect(mergeMessages(long, { text: "y".repeat(20) })).toBeNull();
    // Markup does not count: the limit is on what is shown.
    expect(mergeMessages({ text: `<b>${"x".repeat(MERGED_TEXT_LIMIT - 12)}</b>` }, { text: "<i>yyyyyyyyyy</i>" })).not.toBeNull();
  });
});

describe("mergeMessages in threads", () => {
  it("merges two answers in the same thread (a turn in a forum topic), never across threads or into a reply", () => {
    const a: OutboundMessage = { text: "✓ Noted", threadId: "7" };
    const b: OutboundMessage = { text: "Next question?", threadId: "7" };
    expect(mergeMessages(a, b)).toEqual({ text: "✓ Noted\n\nNext question?", threadId: "7" });
    expect(mergeMessages(a, { ...b, threadId: "8" })).toBeNull();
    expect(mergeMessages({ text: "General" }, b)).toBeNull();
    expect(mergeMessages(a, { text: "General" })).toBeNull();
    expect(mergeMessages({ ...a, replyTo: "5" }, b)).toBeNull();
    expect(mergeMessages(a, { ...b, openThread: "QT-1" })).toBeNull();
  });
});

describe("coalesceInto", () => {
  const row = (id: number, chatId: string, message: OutboundMessage, tag: string | null = null, kind: "send" | "edit-tag" = "send"): QueuedMessage => ({
    id,
    channel: "telegram",
    chatId,
    payload: JSON.stringify(kind === "send" ? { kind, message } : { kind, tag: "t", message }),
    tag,
    locale: "en",
    attempts: 0,
    notBefore: null,
    lane: "conversation",
  });
  const to = { channel: "telegram", chatId: "1" };

  it("merges into the chat's latest row of the turn, past rows of other chats", () => {
    const queued = [row(1, "1", ack), row(2, "-100", { text: "notice" })];
    const merge = coalesceInto(queued, to, question, null);
    expect(merge?.row.id).toBe(1);
    expect(JSON.parse(merge!.payload)).toEqual({ kind: "send", message: { text: `${ack.text}\n\n${question.text}` } });
  });

  it("queues a row of its own after a tagged message, an edit, or when the new message is tagged", () => {
    expect(coalesceInto([row(1, "1", ack, "application:1")], to, question, null)).toBeNull();
    expect(coalesceInto([row(1, "1", ack, null, "edit-tag")], to, question, null)).toBeNull();
    expect(coalesceInto([row(1, "1", ack)], to, question, "application:1")).toBeNull();
  });

  it("queues a row of its own when the turn has sent nothing to that chat yet", () => {
    expect(coalesceInto([row(1, "2", ack)], to, question, null)).toBeNull();
    expect(coalesceInto([row(1, "1", ack)], { channel: "console", chatId: "1" }, question, null)).toBeNull();
  });
});
