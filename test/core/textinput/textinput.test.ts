/**
 * Typed input on a text channel without buttons and without a language hint (WhatsApp; issue 9
 * items 1, 2, 4): the language offered first, command words of every language, typed choices in
 * every form, the phone the platform vouches for offered at the phone question, and voice notes
 * answered with "please write" at every question.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import { UNPACED_WHATSAPP as WHATSAPP_CAPABILITIES } from "../../support/whatsapp-caps.ts";
import { LOCALES, type Locale } from "../../../src/i18n/locales.ts";
import { commandWords } from "../../../src/core/dialog/commands.ts";
import { i18n } from "../../support/core-harness.ts";

const IIN = "061211600012";
const PHONE = "+77011234567";
const NAMES: Record<Locale, string> = { kk: "Қазақша", ru: "Русский", en: "English" };
const NUMBER: Record<Locale, string> = { kk: "1", ru: "2", en: "3" };

let h: Harness;
let seq = 0;
beforeEach(async () => {
  h = await startHarness({ channel: "whatsapp", capabilities: WHATSAPP_CAPABILITIES });
});
afterEach(async () => h.close());

/** A new WhatsApp person (no language hint; the platform vouches for their number). */
function newPerson(phone: string | null = PHONE): TestPerson {
  const id = `7701000${String(seq++).padStart(4, "0")}@c.us`;
  return h.person(id, phone ? { phone } : {});
}

/** The options of the newest message with options, as the person sees them: "<n>:<label>". */
function options(p: TestPerson): string[] {
  const m = [...p.messages()].reverse().find((x) => x.message.choices?.length);
  return m?.message.choices?.flat().map((b) => `${b.key}:${b.label}`) ?? [];
}

/** Greets, chooses `locale` by its number, and stands at the main menu. */
async function start(p: TestPerson, locale: Locale): Promise<void> {
  await p.send("Салем");
  await p.send(NUMBER[locale]);
  p.fresh();
}

/** To the BIN question of registration (a free-text question that refuses words). */
async function toBin(p: TestPerson, locale: Locale): Promise<void> {
  await start(p, locale);
  await p.press(tr(locale, "menu-register"));
  await p.press(tr(locale, "consent-agree"));
  p.fresh();
}

/** To the enterprise-name question (free text that takes any word). */
async function toName(p: TestPerson, locale: Locale): Promise<void> {
  await toBin(p, locale);
  await p.send(IIN);
  p.fresh();
}

/** To the phone question. */
async function toPhone(p: TestPerson, locale: Locale): Promise<void> {
  await toName(p, locale);
  await p.send("Textile Company");
  await p.press(tr(locale, "region-almaty-city"));
  await p.press(tr(locale, "sector-apparel"));
  await p.send("45");
  await p.send("Aigerim");
  p.fresh();
}

describe.each(LOCALES)("language first, in %s", (locale) => {
  it("the first answer offers the three languages, numbered, each in its own language; then the greeting and menu in the chosen one", async () => {
    const p = newPerson();
    await p.send("Hello");
    expect(p.fresh()).toEqual([tr("ru", "language-prompt")]);
    expect(options(p)).toEqual(["1:Қазақша", "2:Русский", "3:English"]);
    await p.send(NUMBER[locale]);
    expect(p.fresh()).toEqual([tr(locale, "language-changed"), tr(locale, "welcome"), tr(locale, "menu-prompt")]);
    expect(options(p)[0]).toBe(`1:${tr(locale, "menu-register")}`);
  });

  it("a language's name or code typed in any language chooses it", async () => {
    const typed: Record<Locale, string[]> = {
      kk: ["қаз", "kk", "Kazakh", "казахский", " ҚАЗАҚША ", "казакша"],
      ru: ["рус", "ru", "Russian", "орысша", "русский язык".split(" ")[0]!, "РУС"],
      en: ["eng", "en", "English", "английский", "ағылшынша", " ENGLISH "],
    };
    for (const word of typed[locale]) {
      const p = newPerson();
      await p.send("Hello");
      p.fresh();
      await p.send(word);
      expect(p.fresh(), word).toEqual([tr(locale, "language-changed"), tr(locale, "welcome"), tr(locale, "menu-prompt")]);
    }
  });

  it("a first message that asks for something (a menu command, a help word in any language) gets it after the language, in that language", async () => {
    for (const first of ["/register", "/help", "помощь", "көмек", "Help"]) {
      const p = newPerson();
      await p.send(first);
      // Only the language question: the message is no wrong answer to it.
      expect(p.fresh(), first).toEqual([tr("ru", "language-prompt")]);
      await p.send(NUMBER[locale]);
      const seen = p.fresh();
      expect(seen.slice(0, 2), first).toEqual([tr(locale, "language-changed"), tr(locale, "welcome")]);
      if (first === "/register") expect(seen[2]).toBe(tr(locale, "consent-text"));
      else expect(seen.slice(2), first).toEqual([tr(locale, "help-text"), tr(locale, "menu-prompt")]);
    }
  });

  it("where the channel gives a language hint, no language question comes first", async () => {
    const p = h.person(`hinted-${locale}@c.us`, { language: locale });
    await p.send("Hello");
    expect(p.fresh()).toEqual([tr(locale, "welcome"), tr(locale, "menu-prompt")]);
  });
});

describe("command words", () => {
  it("no word of one language means another command in another (they are matched in every language)", () => {
    const seen = new Map<string, string>();
    for (const [, words] of commandWords(i18n())) {
      for (const [word, command] of words) {
        expect(seen.get(word) ?? command, word).toBe(command);
        seen.set(word, command);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });
});

describe.each(LOCALES)("command words of every language, in a %s chat", (locale) => {
  const words = {
    help: ["помощь", "көмек", "help", "Анықтама"],
    language: ["язык", "тіл", "language", "ЯЗЫК "],
    menu: ["меню", "мәзір", "menu", "Main menu"],
    cancel: ["отмена", "болдырмау", "бас тарту", "cancel"],
  };

  it("help and language words work at the main menu", async () => {
    const p = newPerson();
    await start(p, locale);
    for (const w of words.help) {
      await p.send(w);
      expect(p.fresh(), w).toEqual([tr(locale, "help-text"), tr(locale, "menu-prompt")]);
    }
    for (const w of words.language) {
      await p.send(w);
      expect(p.fresh(), w).toEqual([tr(locale, "language-prompt")]);
      await p.send(NUMBER[locale]);
      p.fresh();
    }
  });

  it("in a question with options (the region), every word is its command", async () => {
    const p = newPerson();
    await toName(p, locale);
    await p.send("Textile Company");
    const region = tr(locale, "reg-ask-region");
    p.fresh();
    for (const w of words.help) {
      await p.send(w);
      expect(p.fresh(), w).toEqual([tr(locale, "help-text"), region]);
    }
    for (const w of words.menu) {
      await p.send(w);
      expect(p.fresh()[0], w).toBe(tr(locale, "flow-leave-ask", { flow: tr(locale, "flow-register") }));
      await p.press(tr(locale, "flow-stay-button"));
      expect(p.fresh(), w).toEqual([region]);
    }
    for (const w of words.cancel) {
      await p.send(w);
      expect(p.fresh()[0], w).toBe(tr(locale, "flow-leave-ask", { flow: tr(locale, "flow-register") }));
      await p.press(tr(locale, "flow-stay-button"));
      p.fresh();
    }
    await p.send(words.language[0]!);
    expect(p.fresh()).toEqual([tr(locale, "language-prompt")]);
    await p.send(NUMBER[locale]);
    expect(p.fresh()).toEqual([tr(locale, "language-changed"), region]);
  });

  it("in a free-text question that refuses the word (the BIN), the word is its command", async () => {
    const p = newPerson();
    await toBin(p, locale);
    const bin = tr(locale, "reg-ask-bin");
    for (const w of words.help) {
      await p.send(w);
      expect(p.fresh(), w).toEqual([tr(locale, "help-text"), bin]);
    }
    for (const w of words.menu) {
      await p.send(w);
      expect(p.fresh()[0], w).toBe(tr(locale, "flow-leave-ask", { flow: tr(locale, "flow-register") }));
      await p.press(tr(locale, "flow-stay-button"));
      expect(p.fresh(), w).toEqual([bin]);
    }
    await p.send("тіл");
    expect(p.fresh()).toEqual([tr(locale, "language-prompt")]);
    await p.send(NUMBER[locale]);
    expect(p.fresh()).toEqual([tr(locale, "language-changed"), bin]);
  });

  it("in a free-text question that would take a word of the person's language (the enterprise's name), they say which was meant", async () => {
    const own: Record<Locale, { menu: string; help: string; language: string }> = {
      kk: { menu: "Мәзір", help: "көмек", language: "Тіл" },
      ru: { menu: "Меню", help: "помощь", language: "Язык" },
      en: { menu: "Menu", help: "help", language: "Language" },
    };
    const w = own[locale];
    const p = newPerson();
    await toName(p, locale);
    // "Menu" as the name: kept when the person says it is the answer.
    await p.send(w.menu);
    expect(p.fresh()).toEqual([tr(locale, "dialog-word-or-menu", { text: w.menu })]);
    expect(options(p).map((o) => o.slice(2))).toEqual([tr(locale, "dialog-use-as-answer"), tr(locale, "flow-leave-button")]);
    await p.send("1");
    expect(p.fresh()[0]).toBe(tr(locale, "reg-ask-region"));
    // The same words as the command.
    const q = newPerson();
    await toName(q, locale);
    await q.send(w.help);
    expect(q.fresh()).toEqual([tr(locale, "dialog-word-or-help", { text: w.help })]);
    await q.send("2");
    expect(q.fresh()).toEqual([tr(locale, "help-text"), tr(locale, "reg-ask-name")]);
    await q.send(w.language);
    expect(q.fresh()).toEqual([tr(locale, "dialog-word-or-language", { text: w.language })]);
    await q.send("2");
    expect(q.fresh()).toEqual([tr(locale, "language-prompt")]);
    await q.send(NUMBER[locale]);
    expect(q.fresh()).toEqual([tr(locale, "language-changed"), tr(locale, "reg-ask-name")]);
    await q.send(w.menu);
    expect(q.fresh()).toEqual([tr(locale, "dialog-word-or-menu", { text: w.menu })]);
    await q.send("2");
    expect(q.fresh()).toEqual([tr(locale, "reg-cancelled"), tr(locale, "menu-prompt")]);
  });

  it("another language's word that the free-text question takes is the answer (fault 18: nobody's name is eaten)", async () => {
    const foreign: Record<Locale, string> = { kk: "Menu", ru: "Мәзір", en: "Помощь" };
    const p = newPerson();
    await toName(p, locale);
    await p.send(foreign[locale]);
    expect(p.fresh()).toEqual([tr(locale, "reg-ask-region")]);
  });
});

describe.each(LOCALES)("typed choices, in %s", (locale) => {
  it('"2", "2.", "2)", " 2 ", full-width "２" and keycap "2️⃣" choose option 2', async () => {
    for (const form of ["2", "2.", "2)", " 2 ", "２", "2️⃣", "２．"]) {
      const p = newPerson();
      await p.send("Hello");
      p.fresh();
      await p.send(form);
      expect(p.fresh()[0], JSON.stringify(form)).toBe(tr("ru", "language-changed"));
    }
  });

  it("an option's label in any of the three languages, case, spacing and emoji ignored", async () => {
    for (const other of LOCALES) {
      const label = tr(other, "menu-register");
      for (const form of [label, label.toUpperCase(), label.replace(/^\S+\s+/, ""), `  ${label.replace(/ /g, "   ")}  `]) {
        const p = newPerson();
        await start(p, locale);
        await p.send(form);
        expect(p.fresh()[0], form).toBe(tr(locale, "consent-text"));
      }
    }
  });
});

describe.each(LOCALES)("the phone the platform vouches for, in %s", (locale) => {
  it("is offered at the phone question as option 1; choosing it keeps that number", async () => {
    const p = newPerson();
    await toPhone(p, locale);
    expect(p.last().text).toBe(tr(locale, "phone-ask-or-own"));
    expect(options(p)).toEqual([`1:${tr(locale, "phone-use-own", { phone: "+7 701 123 4567", channel: "whatsapp" })}`]);
    await p.send("1");
    expect(p.fresh()[0]).toBe(tr(locale, "reg-phone-saved", { phone: "+7 701 123 4567" }));
    await p.press(tr(locale, "reg-confirm-button"));
    const person = await h.db.transaction((tx) => tx.person.findFirst({ where: { identities: { some: { externalId: p.id } } }, select: { phone: true } }));
    expect(person?.phone).toBe(PHONE);
  });

  it("another number typed instead is taken, validated as always", async () => {
    const p = newPerson();
    await toPhone(p, locale);
    await p.send("12345");
    expect(p.fresh()).toEqual([`${tr(locale, "error-phone-invalid")}\n\n${tr(locale, "phone-ask-or-own")}`]);
    expect(options(p)).toHaveLength(1);
    await p.send("8 702 555 12 34");
    expect(p.fresh()[0]).toBe(tr(locale, "reg-phone-saved", { phone: "+7 702 555 1234" }));
  });

  it("is offered again when the phone is changed from the summary", async () => {
    const p = newPerson();
    await toPhone(p, locale);
    await p.send("8 702 555 12 34");
    await p.press(tr(locale, "edit-phone"));
    p.fresh();
    expect(p.last().text).toBe(tr(locale, "phone-ask-or-own"));
    await p.send(tr("en", "phone-use-own", { phone: "+7 701 123 4567", channel: "whatsapp" }));
    expect(p.fresh()[0]).toBe(tr(locale, "reg-phone-saved", { phone: "+7 701 123 4567" }));
  });

  it("is not stored before consent (a new person has no phone), and nothing is offered without it", async () => {
    const p = newPerson();
    await start(p, locale);
    const person = await h.db.transaction((tx) => tx.person.findFirst({ where: { identities: { some: { externalId: p.id } } }, select: { phone: true, name: true } }));
    expect(person).toEqual({ phone: null, name: null });
    const q = newPerson(null);
    await toPhone(q, locale);
    expect(q.last().text).toBe(tr(locale, "reg-ask-phone-typed"));
    expect(q.last().message.choices ?? []).toEqual([]);
  });
});

describe.each(LOCALES)("voice notes, in %s", (locale) => {
  const voice = (p: TestPerson) => h.handle({ id: `voice:${seq++}`, channel: "whatsapp", chatId: p.id, userId: p.id, chatType: "private", phone: PHONE, event: { type: "unsupported", kind: "voice" } });
  const please = (question: string) => `${tr(locale, "voice-please-write")}\n\n${question}`;

  it("at every kind of question: please write, and the question again", async () => {
    const p = newPerson();
    await start(p, locale);
    await voice(p);
    expect(p.fresh(), "menu").toEqual([please(tr(locale, "menu-prompt"))]);
    await p.press(tr(locale, "menu-register"));
    p.fresh();
    await voice(p);
    // The consent is long: the reason and its short form, not the whole text again.
    expect(p.fresh(), "consent").toEqual([`${tr(locale, "voice-please-write")}\n\n${tr(locale, "consent-reask")}`]);
    await p.press(tr(locale, "consent-agree"));
    p.fresh();
    await voice(p);
    expect(p.fresh(), "BIN").toEqual([please(tr(locale, "reg-ask-bin"))]);
    await p.send(IIN);
    await p.send("Textile Company");
    p.fresh();
    await voice(p);
    expect(p.fresh(), "region").toEqual([please(tr(locale, "reg-ask-region"))]);
    await p.press(tr(locale, "region-almaty-city"));
    await p.press(tr(locale, "sector-apparel"));
    await p.send("45");
    await p.send("Aigerim");
    p.fresh();
    await voice(p);
    expect(p.fresh(), "phone").toEqual([please(tr(locale, "phone-ask-or-own"))]);
  });

  it("a sticker at the phone question where there is no share-contact button asks to type the number (not to press a button)", async () => {
    const p = newPerson(null);
    await toPhone(p, locale);
    await p.sticker();
    expect(p.fresh()).toEqual([`${tr(locale, "error-need-phone-typed")}\n\n${tr(locale, "reg-ask-phone-typed")}`]);
  });
});

describe.each(LOCALES)("typed on a Russian keyboard, in %s", (locale) => {
  it("Kazakh words and labels typed without Kazakh letters still count", async () => {
    const p = newPerson();
    await p.send("Hello");
    p.fresh();
    await p.send({ kk: "Казакша", ru: "Русскии".replace("ии", "ий"), en: "Агылшынша" }[locale]);
    expect(p.fresh()[0]).toBe(tr(locale, "language-changed"));
    await p.send(tr("kk", "menu-register").replace(/[әғқңөұүһі]/g, (c) => ({ ә: "а", ғ: "г", қ: "к", ң: "н", ө: "о", ұ: "у", ү: "у", һ: "х", і: "и" })[c]!));
    expect(p.fresh()[0]).toBe(tr(locale, "consent-text"));
    await p.press(tr(locale, "consent-agree"));
    p.fresh();
    await p.send("комек");
    expect(p.fresh()).toEqual([tr(locale, "help-text"), tr(locale, "reg-ask-bin")]);
    await p.send("тил");
    expect(p.fresh()).toEqual([tr(locale, "language-prompt")]);
  });
});

describe.each(LOCALES)("the console (no buttons, a language hint), in %s", (locale) => {
  it("keeps its hinted language, and takes other languages' words and full-width numbers", async () => {
    await h.close();
    h = await startHarness({ channel: "console", capabilities: { buttons: false, shareContact: false } });
    const p = h.person("local", { language: locale });
    await p.send("привет");
    expect(p.fresh()).toEqual([tr(locale, "welcome"), tr(locale, "menu-prompt")]);
    await p.send("１");
    expect(p.fresh()[0]).toBe(tr(locale, "consent-text"));
    await p.send("көмек");
    expect(p.fresh()).toEqual([tr(locale, "help-text"), tr(locale, "consent-text")]);
    await p.send("cancel");
    expect(p.fresh()[0]).toBe(tr(locale, "flow-leave-ask", { flow: tr(locale, "flow-register") }));
  });
});
