/**
 * Consent to personal-data processing (Law of the Republic of Kazakhstan No. 94-V): asked before
 * anything personal is stored, naming the operator, purpose, data and the cross-border transfer
 * that messengers imply. The text lives in the locales; its version is recorded with the consent.
 */
import type { Dialog } from "../dialog/dialog.ts";
import { hasConsented, recordConsent } from "../people.ts";

/** Bump when the consent text in the locales changes in substance: people are asked again. */
export const CONSENT_VERSION = "2026-11-1";

/** True when the person has agreed (now or before, to the current text); false when they declined. */
export async function ensureConsent(d: Dialog, opts: { offerLink?: boolean } = {}): Promise<boolean | "link"> {
  const given = await d.act("consent-known", (turn) => hasConsented(turn.unit, CONSENT_VERSION));
  if (given) return true;
  // "да" / "иә" / "no" typed count as the buttons; a refused answer gets a short re-ask, not the whole text.
  const answer = await d.choice(
    "consent-text",
    [
      [{ id: "agree", label: "consent-agree", words: "words-yes" }],
      [{ id: "decline", label: "consent-decline", words: "words-no" }],
      ...(opts.offerLink ? [[{ id: "link", label: "menu-link-visitor" }]] : []),
    ],
    { reask: "consent-reask" },
  );
  if (answer === "link") return "link";
  if (answer === "decline") {
    await d.say("consent-declined");
    return false;
  }
  await d.act("consent", (turn) => recordConsent(turn.unit, CONSENT_VERSION));
  return true;
}
