/**
 * The bench's workload: people registering an enterprise, 11 updates each, each person waiting for
 * the bot's answer before the next step (as in the bench since the foundation).
 */
import type { FakeBotApi, FakeUser } from "../test/support/fake-bot-api.ts";
import { binCheckDigit } from "../src/core/members/bin.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { toPlain } from "../src/core/rich-text.ts";

const i18n = createI18n();
const t = (key: string, args?: Record<string, string>) => toPlain(i18n.t("en", key, args));
const firstLine = (key: string, args?: Record<string, string>) => t(key, args).split("\n")[0]!;

/** One update a person sends, and the start of the answer that ends the step (the real bot's). */
export type Step = { kind: "send" | "press" | "contact"; value: string; expect: string };

/** Distinct valid BINs (resident legal entities), so that nobody's BIN is already registered. */
export function* bins(): Generator<string> {
  for (let serial = 1; ; serial++) {
    const first11 = `2001400${String(serial).padStart(4, "0")}`;
    const check = binCheckDigit(first11);
    if (check !== null) yield first11 + check;
  }
}

/** The labels of the buttons the workload presses (the bare bots show the same). */
export const BUTTONS = ["menu-register", "consent-agree", "region-almaty-city", "sector-apparel", "reg-confirm-button"].map((k) => t(k));

/** The 11 steps of registering the enterprise with this BIN. */
export function registration(bin: string): Step[] {
  return [
    { kind: "send", value: "/start", expect: t("menu-prompt") },
    { kind: "press", value: t("menu-register"), expect: firstLine("consent-text") },
    { kind: "press", value: t("consent-agree"), expect: firstLine("reg-ask-bin") },
    { kind: "send", value: bin, expect: t("reg-ask-name") },
    { kind: "send", value: `Textile ${bin}`, expect: t("reg-ask-region") },
    { kind: "press", value: t("region-almaty-city"), expect: t("reg-ask-sector") },
    { kind: "press", value: t("sector-apparel"), expect: t("reg-ask-employees") },
    { kind: "send", value: "45", expect: t("reg-ask-contact") },
    { kind: "send", value: "Aigerim", expect: t("reg-ask-phone") },
    { kind: "contact", value: "77011234567", expect: firstLine("reg-summary", { details: "", contact: "" }) },
    { kind: "press", value: t("reg-confirm-button"), expect: t("menu-prompt") },
  ];
}

/**
 * Runs `people` people's steps at once; each step waits for a message matching `waitFor(step)`
 * (after the person's last one) before the next. Returns updates sent, each step's time (ms) and
 * the people (their `messages` show what the bot sent them).
 */
export async function drive(
  fake: FakeBotApi,
  people: number,
  idBase: number,
  steps: () => Step[],
  waitFor: (step: Step) => (text: string) => boolean,
  opts: { timeoutMs?: number } = {},
): Promise<{ updates: number; stepMs: number[]; users: FakeUser[] }> {
  const stepMs: number[] = [];
  let updates = 0;
  const users = Array.from({ length: people }, (_, i) => fake.user({ id: idBase + i, first_name: `P${i}`, language_code: "en" }));
  await Promise.all(
    users.map(async (user) => {
      for (const step of steps()) {
        const after = user.messages.at(-1)?.message_id ?? 0;
        const t0 = performance.now();
        if (step.kind === "send") user.send(step.value);
        else if (step.kind === "contact") user.sendContact(step.value, { own: true });
        else user.press(step.value);
        updates++;
        const match = waitFor(step);
        await user.waitFor((m) => match(m.text), { after, timeoutMs: opts.timeoutMs ?? 60_000 });
        stepMs.push(performance.now() - t0);
      }
    }),
  );
  return { updates, stepMs, users };
}
