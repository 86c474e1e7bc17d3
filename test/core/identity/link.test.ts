/** Linking Telegram and WhatsApp with a one-time code (issue 9 item 5), on the core with both channels. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashCode } from "../../../src/core/identity/service.ts";
import { tr } from "../../support/core-harness.ts";
import { codeIn, startLinkWorld, type LinkWorld } from "./support.ts";

let w: LinkWorld;
beforeEach(async () => {
  w = await startLinkWorld();
});
afterEach(async () => {
  await w.close();
});

/** Every text a person was sent. */
const said = (p: { texts?: () => string[]; messages?: () => { text: string }[] }): string[] => (p.texts ? p.texts() : p.messages!().map((m) => m.text));

const linked = (locale: "ru" | "en" | "kk", channels: string) => tr(locale, "identity-linked", { channels });

describe("linking channels", () => {
  it("Telegram → WhatsApp: the member shows a code on Telegram, a new WhatsApp chat types it and becomes the same person", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    expect(tg.buttons()).toContain(tr("ru", "identity-show"));
    await tg.press(tr("ru", "identity-show"));
    const shown = tg.messages().map((m) => m.text).find((t) => /\d{3} \d{3}/.test(t))!;
    expect(shown).toContain("WhatsApp");
    const code = codeIn([shown]);
    // Only the hash is stored.
    const rows = await w.h.db.transaction((tx) => tx.linkCode.findMany());
    expect(rows.map((r) => r.codeHash)).toEqual([hashCode(code)]);
    expect(JSON.stringify(rows)).not.toContain(code);

    const wa = w.whatsapp("77011234567@c.us");
    await wa.send("Здравствуйте");
    await wa.send("Русский");
    const stranger = await w.personOf("whatsapp", wa.id);
    expect(stranger).not.toBe(memberId);
    await wa.send(`/link ${code.slice(0, 3)} ${code.slice(3)}`);

    expect(await w.personOf("whatsapp", wa.id)).toBe(memberId);
    const gone = await w.h.db.transaction((tx) => tx.person.findUnique({ where: { id: stranger! } }));
    expect(gone).toBeNull();
    expect(wa.texts()).toContain(linked("ru", "Telegram, WhatsApp"));
    expect(tg.last().text).toBe(linked("ru", "Telegram, WhatsApp"));
    // The enterprise is now theirs on WhatsApp too: the menu offers "My enterprise".
    await wa.send("/profile");
    expect(wa.last()).toContain("Enterprise 100");
    // The code is spent, and the audit has no code.
    const audit = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "identity.link" } }));
    expect(audit.map((a) => a.outcome)).toEqual(["ok"]);
    expect(JSON.stringify(audit)).not.toContain(code);
    expect(await w.h.db.transaction((tx) => tx.linkCode.count())).toBe(0);
  });

  it("two new WhatsApp chats typing one code at the same moment: exactly one joins the member, the other is told the code is wrong", async () => {
    const memberId = await w.makeMember("telegram", "300");
    const tg = w.tg("300");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const code = codeIn(tg.messages().map((m) => m.text));
    const [a, b] = [w.whatsapp("77010000001@c.us"), w.whatsapp("77010000002@c.us")];
    for (const p of [a, b]) {
      await p.send("Здравствуйте");
      await p.send("Русский");
    }
    await Promise.all([a.send(`/link ${code}`), b.send(`/link ${code}`)]);
    const owners = [await w.personOf("whatsapp", a.id), await w.personOf("whatsapp", b.id)];
    expect(owners.filter((id) => id === memberId)).toHaveLength(1);
    const loser = owners[0] === memberId ? b : a;
    // Told the code is wrong (it is spent), and asked for a code again.
    expect(loser.texts().some((t) => t.includes(tr("ru", "identity-wrong", { left: 4 })))).toBe(true);
    const audit = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "identity.link", outcome: "ok" } }));
    expect(audit).toHaveLength(1);
    expect(await w.h.db.transaction((tx) => tx.linkCode.count())).toBe(0);
  });

  it("WhatsApp → Telegram: a member registered on WhatsApp shows a code there; a new Telegram chat finds linking in the visitors' menu", async () => {
    const memberId = await w.makeMember("whatsapp", "77019998877@c.us");
    const wa = w.whatsapp("77019998877@c.us");
    await wa.send("/link");
    await wa.send(tr("ru", "identity-show"));
    expect(wa.texts().find((t) => /\d{3} \d{3}/.test(t))).toContain("Telegram");
    const code = codeIn(wa.texts());

    const tg = w.tg("200");
    await tg.send("/start");
    expect(tg.buttons()).toContain(tr("ru", "menu-link-visitor"));
    await tg.press(tr("ru", "menu-link-visitor"));
    await tg.press(tr("ru", "identity-enter"));
    expect(said(tg)).toContain(tr("ru", "identity-enter-prompt"));
    await tg.send("12 34");
    expect(tg.fresh().some((t) => t.includes(tr("ru", "identity-code-format")))).toBe(true);
    await tg.send(code);
    expect(await w.personOf("telegram", "200")).toBe(memberId);
    expect(tg.messages().map((m) => m.text)).toContain(linked("ru", "WhatsApp, Telegram"));
    expect(wa.last()).toBe(linked("ru", "WhatsApp, Telegram"));
  });

  it("the other way round is refused with what to do: typing a code never hands one's account to the chat that showed it", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const wa = w.whatsapp("77011112233@c.us");
    await wa.send("hi");
    await wa.send("English");
    await wa.send("/link");
    await wa.send(tr("en", "identity-show"));
    const tg = w.tg("100");
    await tg.send(`/link ${codeIn(wa.texts())}`);
    expect(said(tg)).toContain(tr("ru", "identity-refused-direction"));
    expect(await w.personOf("whatsapp", wa.id)).not.toBe(memberId);
    expect(await w.h.db.transaction((tx) => tx.person.count())).toBe(2);
    // Done as the reason says, it links.
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(await w.personOf("whatsapp", wa.id)).toBe(memberId);
    expect(await w.h.db.transaction((tx) => tx.person.count())).toBe(1);
    // The chat that joined now speaks the member's language.
    expect(said(wa)).toContain(tr("ru", "identity-linked", { channels: "Telegram, WhatsApp" }));
  });

  it("five wrong codes pause linking for ten minutes, with the reason; afterwards a right code links", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const wa = w.whatsapp("7702@c.us");
    await wa.send("hi");
    await wa.send("Русский");
    await wa.send("/link");
    await wa.send(tr("ru", "identity-enter"));
    for (let i = 4; i >= 1; i--) {
      await wa.send("000000");
      expect(wa.texts()).toContain(tr("ru", "identity-wrong", { left: i }));
    }
    await wa.send("000 000");
    expect(wa.texts()).toContain(tr("ru", "identity-paused", { minutes: 10 }));
    // Even the right code is refused while paused.
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(said(wa).filter((t) => t === tr("ru", "identity-paused", { minutes: 10 }))).toHaveLength(2);
    expect(await w.personOf("whatsapp", wa.id)).not.toBe(memberId);
    w.advance(9 * 60_000);
    await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(said(wa)).toContain(tr("ru", "identity-paused", { minutes: 1 }));
    w.advance(60_000);
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(await w.personOf("whatsapp", wa.id)).toBe(memberId);
  });

  it("an expired code is refused and links nothing", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const code = codeIn(tg.messages().map((m) => m.text));
    w.advance(10 * 60_000 + 1);
    const wa = w.whatsapp("7703@c.us");
    await wa.send("hi");
    await wa.send("Русский");
    await wa.send(`/link ${code}`);
    expect(said(wa)).toContain(tr("ru", "identity-expired"));
    expect(await w.personOf("whatsapp", wa.id)).not.toBe(memberId);
  });

  it("a code links once: typed again by another chat it is a wrong code", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const code = codeIn(tg.messages().map((m) => m.text));
    const first = w.whatsapp("7704@c.us");
    await first.send("hi");
    await first.send("Русский");
    await first.send(`/link ${code}`);
    expect(await w.personOf("whatsapp", first.id)).toBe(memberId);
    const second = w.tg("300");
    await second.send("/start");
    await second.send(`/link ${code}`);
    expect(said(second)).toContain(tr("ru", "identity-wrong", { left: 4 }));
    expect(await w.personOf("telegram", "300")).not.toBe(memberId);
  });

  it("is refused, with the reason, when the typing side is itself a member; nothing changes", async () => {
    const a = await w.makeMember("telegram", "100");
    const b = await w.makeMember("whatsapp", "7705@c.us");
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const wa = w.whatsapp("7705@c.us");
    await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(said(wa)).toContain(tr("ru", "identity-refused-member"));
    expect(await w.personOf("whatsapp", wa.id)).toBe(b);
    expect(await w.personOf("telegram", "100")).toBe(a);
    expect(await w.h.db.transaction((tx) => tx.membership.count())).toBe(2);
  });

  it("a channel already linked is not replaced: a second WhatsApp chat is refused with the reason", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    const link = async (chat: string) => {
      await tg.send("/link");
      await tg.press(tr("ru", "identity-show"));
      const wa = w.whatsapp(chat);
      await wa.send("hi");
      await wa.send("Русский");
      await wa.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
      return wa;
    };
    await link("7706@c.us");
    const other = await link("7707@c.us");
    expect(said(other)).toContain(tr("ru", "identity-taken", { channel: "whatsapp" }));
    expect(await w.personOf("whatsapp", "7706@c.us")).toBe(memberId);
    expect(await w.personOf("whatsapp", "7707@c.us")).not.toBe(memberId);
  });

  it("a code typed in the channel it was shown in is refused", async () => {
    await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const other = w.tg("400");
    await other.send("/start");
    await other.send(`/link ${codeIn(tg.messages().map((m) => m.text))}`);
    expect(said(other)).toContain(tr("ru", "identity-same-channel"));
  });

  it("choice data forged by another person links nothing", async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    const data = tg.last().message.choices!.flat().map((b) => b.data);
    await tg.press(tr("ru", "identity-show"));
    const wa = w.whatsapp("7708@c.us");
    await wa.send("hi");
    await wa.send("Русский");
    const forger = w.tg("500");
    await forger.send("/start");
    for (const d of [...data, "m:link", "link:" + memberId]) {
      await wa.pressData(d);
      await forger.pressData(d);
    }
    expect(await w.personOf("whatsapp", wa.id)).not.toBe(memberId);
    expect(await w.personOf("telegram", "500")).not.toBe(memberId);
    expect(await w.h.db.transaction((tx) => tx.channelIdentity.count({ where: { personId: memberId } }))).toBe(1);
  });
});
