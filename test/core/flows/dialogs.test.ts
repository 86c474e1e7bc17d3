/**
 * How questions treat what people actually send (issue 5): double taps, bursts and albums,
 * command words inside answers, natural answers, and names made of digits.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { Locale } from "../../../src/i18n/locales.ts";

const IIN = "061211600012";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.close());

/** To the enterprise-name question. */
async function toName(p: TestPerson, locale: Locale): Promise<void> {
  await p.send("/start");
  await p.press(tr(locale, "menu-register"));
  await p.press(tr(locale, "consent-agree"));
  await p.send(IIN);
  p.fresh();
}

describe("double taps (fault 4)", () => {
  it("a second press of the menu's Register while registering does not offer to leave; consent buttons still work", async () => {
    const p = h.person("400", { language: "ru" });
    await p.send("/start");
    const menu = p.last();
    const register = menu.message.choices!.flat().find((b) => b.label === tr("ru", "menu-register"))!.data;
    await p.pressData(register);
    p.fresh();
    const second = await p.pressData(register);
    expect(p.fresh()).toEqual([]);
    expect(second.notice).toBe(tr("ru", "flow-already-here"));
    const agreed = await p.press(tr("ru", "consent-agree"));
    expect(agreed.notice).toBeUndefined();
    expect(p.last().text).toBe(tr("ru", "reg-ask-bin"));
  });

  it("a second press of an answered question's button says and changes nothing", async () => {
    const p = h.person("401", { language: "en" });
    await p.send("/start");
    await p.press(tr("en", "menu-register"));
    const consent = p.last().message.choices!.flat().find((b) => b.label === tr("en", "consent-agree"))!.data;
    await p.pressData(consent);
    p.fresh();
    const again = await p.pressData(consent);
    expect(again.notice).toBeUndefined();
    expect(p.fresh()).toEqual([]);
    await p.send(IIN);
    expect(p.last().text).toBe(tr("en", "reg-ask-name"));
  });

  it("/register typed while registering re-asks the question instead of offering to leave", async () => {
    const p = h.person("402", { language: "en" });
    await toName(p, "en");
    await p.send("/register");
    expect(p.fresh()).toEqual([`${tr("en", "flow-already-here")}\n\n${tr("en", "reg-ask-name")}`]);
  });
});

describe("bursts (fault 5)", () => {
  const photo = (p: TestPerson, group: string) =>
    h.handle({ id: `album:${p.id}:${Math.random()}`, channel: "telegram", chatId: p.id, userId: p.id, chatType: "private", mediaGroup: group, event: { type: "unsupported", kind: "photo" } });

  it("an album of photos where text is expected gets one answer", async () => {
    const p = h.person("500", { language: "ru" });
    await toName(p, "ru");
    await photo(p, "album-1");
    await photo(p, "album-1");
    await photo(p, "album-1");
    expect(p.fresh()).toEqual([`${tr("ru", "error-need-text")}\n\n${tr("ru", "reg-ask-name")}`]);
    // The answer that follows is taken as usual, and a later refusal is answered again.
    await p.send("Textile Company");
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
  });

  it("a quick run of the same refusal gets one answer; a different refusal or an accepted answer in between resets it", async () => {
    const p = h.person("501", { language: "en" });
    await toName(p, "en");
    await p.sticker();
    await p.sticker();
    expect(p.fresh()).toHaveLength(1);
    await p.send("   ");
    expect(p.fresh()).toEqual([`${tr("en", "error-name-empty", { max: 200 })}\n\n${tr("en", "reg-ask-name")}`]);
    await p.sticker();
    expect(p.fresh()).toHaveLength(1);
  });
});

describe("command words inside answers (fault 18)", () => {
  it("an enterprise named Старт is a name, not a command", async () => {
    const p = h.person("180", { language: "ru" });
    await toName(p, "ru");
    await p.send("Старт");
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
  });

  it("another language's word is no command: 'cancel' in a Russian chat is a name", async () => {
    const p = h.person("181", { language: "ru" });
    await toName(p, "ru");
    await p.send("Cancel");
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
  });

  it("a bare cancel word in a free-text question asks which was meant; 'my answer' keeps it as the name", async () => {
    const p = h.person("182", { language: "ru" });
    await toName(p, "ru");
    await p.send("Отмена");
    expect(p.fresh()).toEqual([tr("ru", "dialog-word-or-cancel", { text: "Отмена" })]);
    await p.press(tr("ru", "dialog-use-as-answer"));
    expect(p.last().text).toBe(tr("ru", "reg-ask-region"));
  });

  it("a bare cancel word where answers are buttons is the cancel command (registration asks first); slash commands work in any language", async () => {
    // Registration sets FlowDef.cancel: any cancel asks before leaving, since answers would be lost.
    const p = h.person("183", { language: "kk" });
    const leaveAsk = tr("kk", "flow-leave-ask", { flow: tr("kk", "flow-register") });
    await p.send("/start");
    await p.press(tr("kk", "menu-register"));
    p.fresh();
    // The consent's answers are buttons: the bare word is no refused answer but the command.
    await p.send("болдырмау");
    expect(p.fresh()).toEqual([leaveAsk]);
    await p.press(tr("kk", "flow-leave-button"));
    expect(p.fresh()[0]).toBe(tr("kk", "reg-cancelled"));
    await p.press(tr("kk", "menu-register"));
    await p.press(tr("kk", "consent-agree"));
    p.fresh();
    await p.send("/cancel");
    expect(p.fresh()).toEqual([leaveAsk]);
    await p.press(tr("kk", "flow-leave-button"));
    expect(p.fresh()[0]).toBe(tr("kk", "reg-cancelled"));
  });
});

describe("names need letters (fault 19)", () => {
  it("a digits-only contact name is refused with the name-needs-letters reason", async () => {
    const p = h.person("190", { language: "en" });
    await toName(p, "en");
    await p.send("Textile Company");
    await p.press(tr("en", "region-almaty-city"));
    await p.press(tr("en", "sector-apparel"));
    await p.send("45");
    p.fresh();
    await p.send("12345");
    expect(p.fresh()).toEqual([`${tr("en", "error-person-name-no-letters", { max: 100 })}\n\n${tr("en", "reg-ask-contact")}`]);
  });
});

describe("natural answers (fault 21)", () => {
  it.each([
    ["да", "ru"],
    ["иә", "kk"],
    ["yes", "en"],
  ] as const)("%s agrees to the consent (%s)", async (word, locale) => {
    const p = h.person(`21-${locale}`, { language: locale });
    await p.send("/start");
    await p.press(tr(locale, "menu-register"));
    await p.send(word);
    expect(p.last().text).toBe(tr(locale, "reg-ask-bin"));
  });

  it.each([
    ["нет", "ru"],
    ["жоқ", "kk"],
    ["no", "en"],
  ] as const)("%s declines the consent (%s)", async (word, locale) => {
    const p = h.person(`21n-${locale}`, { language: locale });
    await p.send("/start");
    await p.press(tr(locale, "menu-register"));
    p.fresh();
    await p.send(word);
    expect(p.fresh()[0]).toBe(tr(locale, "consent-declined"));
  });

  it.each([
    ["45 человек", "ru"],
    ["45 адам", "kk"],
    ["about 45", "en"],
  ] as const)("%s is 45 employees (%s)", async (answer, locale) => {
    const p = h.person(`21e-${locale}`, { language: locale });
    await toName(p, locale);
    await p.send("Textile Company");
    await p.press(tr(locale, "region-almaty-city"));
    await p.press(tr(locale, "sector-apparel"));
    await p.send(answer);
    expect(p.last().text).toBe(tr(locale, "reg-ask-contact"));
  });

  it("a refused answer to the consent gets the reason and a short re-ask with the buttons, not the whole text", async () => {
    const p = h.person("213", { language: "ru" });
    await p.send("/start");
    await p.press(tr("ru", "menu-register"));
    p.fresh();
    await p.send("что это?");
    const [reply, ...more] = p.fresh();
    expect(more).toEqual([]);
    expect(reply).toBe(`${tr("ru", "error-need-choice")}\n\n${tr("ru", "consent-reask")}`);
    expect(reply!.length).toBeLessThan(300);
    expect(p.buttons()).toEqual([tr("ru", "consent-agree"), tr("ru", "consent-decline"), tr("ru", "menu-link-visitor")]);
  });
});

describe("numbered options where the channel has no buttons (fault 12)", () => {
  const noButtons = { buttons: false, shareContact: false };

  it("numbers every live option uniquely, lets the older notice be decided, and starts at 1 again once they are decided", async () => {
    await h.close();
    h = await startHarness({ settings: { admins: [{ channel: "console", id: "admin" }] }, channel: "console", capabilities: noButtons });
    await applyForMembership(h.person("aigerim", { language: "en" }), "en", { name: "First Textile" });
    await applyForMembership(h.person("dana", { language: "en" }), "en", { bin: "990140000384", name: "Second Textile" });
    const admin = h.person("admin", { language: "en" });
    await admin.send("/pending");
    const live = admin.messages().slice(-3);
    const keys = live.flatMap((m) => m.message.choices?.flat().map((b) => b.key) ?? []);
    expect(new Set(keys).size).toBe(keys.length);
    const first = live.find((m) => m.text.includes("First Textile"))!;
    const approve = first.message.choices!.flat().find((b) => b.label === tr("en", "notice-approve"))!;
    await admin.send(approve.key!);
    const statuses = await h.db.transaction((tx) => tx.enterprise.findMany({ select: { name: true, status: true }, orderBy: { id: "asc" } }));
    expect(statuses).toEqual([
      { name: "First Textile", status: "active" },
      { name: "Second Textile", status: "pending" },
    ]);
    const second = live.find((m) => m.text.includes("Second Textile"))!;
    const reject = second.message.choices!.flat().find((b) => b.label === tr("en", "notice-reject"))!;
    await admin.send(reject.key!);
    await admin.send("Not a light-industry enterprise");
    await admin.send("/start");
    expect(admin.last().message.choices!.flat()[0]!.key).toBe("1");
  });

  it("a number typed as the answer to a free-text question is the answer, not a notice's button", async () => {
    await h.close();
    h = await startHarness({ settings: { admins: [{ channel: "console", id: "admin" }] }, channel: "console", capabilities: noButtons });
    const admin = h.person("admin", { language: "en" });
    await toName(admin, "en");
    await admin.send("Admin Textile");
    await admin.press(tr("en", "region-almaty-city"));
    await admin.press(tr("en", "sector-apparel"));
    // A notice with numbered buttons arrives while the admin is asked for the number of employees.
    await applyForMembership(h.person("aigerim", { language: "en" }), "en", { bin: "990140000384", name: "Other Textile" });
    await admin.send("1");
    expect(admin.last().text).toBe(tr("en", "reg-ask-contact"));
    const other = await h.db.transaction((tx) => tx.enterprise.findFirst({ where: { name: "Other Textile" } }));
    expect(other!.status).toBe("pending");
  });
});
