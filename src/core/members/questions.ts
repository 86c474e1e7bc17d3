/**
 * The registration questions, each asked until the answer is valid, with the reason when it is not.
 * Registration, joining and profile edits all ask through these.
 */
import { fail, ok, type Dialog, type Option } from "../dialog/dialog.ts";
import { rich, toPlain } from "../rich-text.ts";
import { cleanText, parseEmployees } from "../text.ts";
import type { Translate } from "../message.ts";
import { parseBin, type BinKind } from "./bin.ts";
import { parsePhone, phoneFromContact } from "./phone.ts";
import { CITIES, sortedRegions, type RegionCode } from "./regions.ts";
import { SECTORS, type SectorCode } from "./sectors.ts";
import { displayPhone } from "./render.ts";
import type { ContactDraft, EnterpriseDraft } from "./enterprises.ts";

export const NAME_MAX = 200;
export const PERSON_NAME_MAX = 100;

export function askEnterpriseName(d: Dialog, prompt = "reg-ask-name"): Promise<string> {
  return d.text(prompt, (text) => {
    const r = cleanText(text, { max: NAME_MAX });
    return r.ok ? ok(r.value) : fail({ key: `error-name-${r.reason}`, args: { max: NAME_MAX } });
  });
}

export interface BinAnswer {
  bin: string;
  binKind: BinKind;
}

export async function askBin(d: Dialog, prompt = "reg-ask-bin"): Promise<BinAnswer> {
  const answer = await d.text(prompt, (text) => {
    const r = parseBin(text);
    return r.ok ? ok({ bin: r.value, binKind: r.kind }) : fail(`error-bin-${r.reason}`);
  });
  await d.say((t: Translate) => t("reg-bin-recognized", { bin: answer.bin, kind: rich(t(`bin-kind-${answer.binKind}`)) }));
  return answer;
}

export async function askRegion(d: Dialog, prompt = "reg-ask-region"): Promise<RegionCode> {
  // Sorted by the names in the person's language; recorded, so replays see the same order.
  const order = await d.act("region-order", (turn) =>
    sortedRegions(turn.locale, (code) => toPlain(turn.t(`region-${code}`)).replace(/^область\s+/i, "")),
  );
  const option = (code: RegionCode): Option<RegionCode> => ({ id: code, label: `region-${code}` });
  const cities = order.filter((c) => (CITIES as readonly string[]).includes(c));
  const oblasts = order.filter((c) => !(CITIES as readonly string[]).includes(c));
  return d.choice(prompt, [cities.map(option), ...oblasts.map((c) => [option(c)])]);
}

export function askSector(d: Dialog, prompt = "reg-ask-sector"): Promise<SectorCode> {
  return d.choice(
    prompt,
    SECTORS.map((s) => ({ id: s, label: `sector-${s}` })),
  );
}

export function askEmployees(d: Dialog, prompt = "reg-ask-employees"): Promise<number> {
  return d.text(prompt, (text) => {
    const r = parseEmployees(text);
    return r.ok ? ok(r.value) : fail(`error-employees-${r.reason}`);
  });
}

export function askContactName(d: Dialog, prompt = "reg-ask-contact"): Promise<string> {
  return d.text(prompt, (text) => {
    const r = cleanText(text, { max: PERSON_NAME_MAX, letters: true });
    return r.ok ? ok(r.value) : fail({ key: `error-person-name-${r.reason}`, args: { max: PERSON_NAME_MAX } });
  });
}

/**
 * A phone by the share-contact button or typed in any common format; confirmed back, keyboard
 * removed. `typedPrompt` is asked where the channel has no share-contact button (the console).
 * Where the platform vouches for the number the person writes from (Inbound.phone: WhatsApp),
 * that number is offered as an option: chosen, or another typed (issue 9 item 4). It is read only
 * here, after consent (every caller asks it after consent), and kept only in the dialog's state
 * like any answer; never logged.
 */
export async function askPhone(d: Dialog, prompt = "reg-ask-phone", typedPrompt = "reg-ask-phone-typed"): Promise<string> {
  const parse = (raw: string, fromContact: boolean) => {
    const r = fromContact ? phoneFromContact(raw) : parsePhone(raw);
    return r.ok ? ok(r.e164) : fail(r.reason === "empty" ? "error-phone-empty" : "error-phone-invalid");
  };
  const own = await d.act("own-phone", (turn) => {
    const vouched = turn.inbound.phone ? parsePhone(turn.inbound.phone) : null;
    return vouched?.ok && !turn.capabilities().shareContact ? { e164: vouched.e164, channel: turn.inbound.channel } : null;
  });
  const e164 = own
    ? await d.ask<string>({
        prompt: "phone-ask-or-own",
        options: [{ id: "own", label: (t: Translate) => t("phone-use-own", { phone: displayPhone(own.e164), channel: own.channel }) }],
        accept: (event, picked) => {
          if (picked === "own") return ok(own.e164);
          if (event.type === "text") return parse(event.text, false);
          if (event.type === "contact") return parse(event.phone, true);
          return fail("error-need-phone-typed");
        },
      })
    : await d.phone(prompt, parse, typedPrompt);
  await d.say({ key: "reg-phone-saved", args: { phone: displayPhone(e164) } }, { removeKeyboard: true });
  return e164;
}

/** The answers that need no more than their question (the BIN also needs a check of who holds it). */
export type PlainField = "name" | "region" | "sector" | "employees" | "contact" | "phone";

/**
 * Asks one field again (the registration summary, "My enterprise") and returns it as a partial
 * draft, under the draft's own key.
 */
export async function askField(d: Dialog, field: PlainField, namePrompt?: string): Promise<Partial<EnterpriseDraft & ContactDraft>> {
  switch (field) {
    case "name":
      return { name: await askEnterpriseName(d, namePrompt) };
    case "region":
      return { region: await askRegion(d) };
    case "sector":
      return { sector: await askSector(d) };
    case "employees":
      return { employees: await askEmployees(d) };
    case "contact":
      return { contactName: await askContactName(d) };
    case "phone":
      return { phone: await askPhone(d) };
  }
}
