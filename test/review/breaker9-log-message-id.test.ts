/**
 * Breaker 9: the log masks phone numbers, but not one glued after an underscore, which is how
 * WhatsApp writes a message id ("false_77011234567@c.us_3EB0..."): an error of whatsapp-web.js
 * naming the message, logged by the adapter or the dispatcher, carried the sender's number.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";

describe("a WhatsApp message id in a log line", () => {
  it("has its phone number masked, in the message, a field and an error", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", write: (line) => void lines.push(line) });
    const id = "false_77019876543@c.us_3EB0C767D26A1D4F5E2A";
    log.warn(`could not download ${id}`, { messageId: `true_77019876543@c.us_ABCDEF`, error: new Error(`Evaluation failed: no message ${id}`) });
    expect(lines.join("\n")).not.toContain("7019876543");
    expect(lines.join("\n")).toContain("<phone>@c.us");
  });

  it("still leaves a migration's name readable", () => {
    const lines: string[] = [];
    createLogger({ level: "debug", write: (line) => void lines.push(line) }).info("applied 20261130133132_whatsapp_identities");
    expect(lines.join("\n")).toContain("20261130133132_whatsapp_identities");
  });
});
