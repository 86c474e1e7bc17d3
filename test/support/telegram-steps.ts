/**
 * What a person does over the fake Bot API, shared by the end-to-end tests: one step (act, then
 * wait for the bot's answer) and a whole registration.
 */
import type { Locale } from "../../src/i18n/locales.ts";
import { tr } from "./core-harness.ts";
import type { BotMessage, FakeUser, MessageMatch } from "./fake-bot-api.ts";

/** Does `act` and waits for the bot's next message containing (or matching, or satisfying) `expected`. */
export async function step(user: FakeUser, act: () => unknown, expected: MessageMatch): Promise<BotMessage> {
  const after = user.messages.at(-1)?.message_id ?? 0;
  act();
  return user.waitFor(expected, { after });
}

export interface Application {
  locale?: Locale;
  bin: string;
  name: string;
  /** Locale key of the region button (default "region-astana"). */
  region?: string;
  /** Locale key of the sector button (default "sector-textiles"). */
  sector?: string;
  employees?: string;
}

/**
 * Walks `user` from /start through a registration and sends the application, waiting for each
 * question; resolves once the bot confirmed that the application was sent.
 */
export async function registerOnTelegram(user: FakeUser, a: Application): Promise<void> {
  const l = a.locale ?? "en";
  const firstLine = (key: string, args?: Record<string, string>) => tr(l, key, args).split("\n")[0]!;
  await step(user, () => user.send("/start"), tr(l, "menu-prompt"));
  await step(user, () => user.press(tr(l, "menu-register")), firstLine("consent-text"));
  await step(user, () => user.press(tr(l, "consent-agree")), tr(l, "reg-ask-bin"));
  await step(user, () => user.send(a.bin), tr(l, "reg-ask-name"));
  await step(user, () => user.send(a.name), tr(l, "reg-ask-region"));
  await step(user, () => user.press(tr(l, a.region ?? "region-astana")), tr(l, "reg-ask-sector"));
  await step(user, () => user.press(tr(l, a.sector ?? "sector-textiles")), tr(l, "reg-ask-employees"));
  await step(user, () => user.send(a.employees ?? "12"), tr(l, "reg-ask-contact"));
  await step(user, () => user.send("Aigerim"), tr(l, "reg-ask-phone"));
  await step(user, () => user.sendContact("77011234567", { own: true }), firstLine("reg-summary", { details: "", contact: "" }));
  await step(user, () => user.press(tr(l, "reg-confirm-button")), firstLine("reg-submitted", { name: a.name }));
}
