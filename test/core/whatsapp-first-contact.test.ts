/**
 * The bot writes first on WhatsApp only to people who wrote to it before (issue 9 item 7): a
 * WhatsApp ChannelIdentity exists only once its chat wrote. A phone number someone typed or shared
 * (the registration's contact phone, on Telegram or on WhatsApp) never becomes a WhatsApp address,
 * so no notice or announcement can go to a number that never wrote.
 */
import { afterEach, describe, expect, it } from "vitest";
import { UNPACED_WHATSAPP as WHATSAPP_CAPABILITIES } from "../support/whatsapp-caps.ts";
import { applyForMembership, startHarness, type Harness } from "../support/core-harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const identities = (harness: Harness) =>
  harness.db.transaction((tx) => tx.channelIdentity.findMany({ select: { channel: true, externalId: true }, orderBy: { id: "asc" } }));

describe("WhatsApp addresses come only from people who wrote", () => {
  it("a registration on Telegram with a phone number creates no WhatsApp address for it", async () => {
    h = await startHarness();
    const p = h.person("5001", { language: "ru" });
    await applyForMembership(p, "ru");
    const person = await h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { phone: { not: null } }, select: { phone: true } }));
    expect(person.phone).toBe("+77011234567");
    expect(await identities(h)).toEqual([{ channel: "telegram", externalId: "5001" }]);
  });

  it("a registration on WhatsApp with another phone number keeps only the chat that wrote", async () => {
    h = await startHarness({ channel: "whatsapp", capabilities: WHATSAPP_CAPABILITIES });
    const p = h.person("77019998877@c.us", { language: "ru" });
    // The contact phone given (77011234567) is not the chat's number.
    await applyForMembership(p, "ru");
    const person = await h.db.transaction((tx) => tx.person.findFirstOrThrow({ where: { phone: { not: null } }, select: { phone: true } }));
    expect(person.phone).toBe("+77011234567");
    expect(await identities(h)).toEqual([{ channel: "whatsapp", externalId: "77019998877@c.us" }]);
    expect(await h.db.transaction((tx) => tx.channelIdentity.count({ where: { channel: "whatsapp", externalId: { contains: "77011234567" } } }))).toBe(0);
  });
});
