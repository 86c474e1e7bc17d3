/** How enterprises and contacts are shown: in the registration summary, the profile and staff notices. */
import { formatLocalDate, formatLocalDateTime } from "../time.ts";
import { escapeHtml, rich, type Rich } from "../rich-text.ts";
import type { Translate } from "../message.ts";
import { parsePhone } from "./phone.ts";
import type { ContactDraft, EnterpriseDraft } from "./enterprises.ts";

/**
 * The enterprise's name as shown to someone not (yet) an approved member of it. A sole proprietor's
 * trade name is usually their own name, so to others it is "the individual entrepreneur with IIN …"
 * (the IIN they typed themselves); staff and approved members see the name.
 */
export function nameFor(t: Translate, e: { name: string; bin: string; binKind: string }, insider: boolean): Rich {
  if (insider || e.binKind !== "sole-proprietor") return rich(escapeHtml(e.name));
  return rich(t("iin-holder", { iin: /^\d{12}$/.test(e.bin) ? e.bin : "—" }));
}

export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return "—";
  const p = parsePhone(e164);
  return p.ok ? p.display : e164;
}

/**
 * A day as people in Kazakhstan write it: "30.11.2026", counted in Asia/Almaty (UTC+5, one time
 * zone since March 2024), whatever the server's zone.
 */
export function localDate(at: Date): string {
  return formatLocalDate(at);
}

/** A day and time as people in Kazakhstan write them: "30.11.2026 14:05", in Asia/Almaty (see {@link localDate}). */
export function localDateTime(at: Date): string {
  return formatLocalDateTime(at);
}

/** The enterprise's details, one per line. */
export function enterpriseLines(t: Translate, e: Partial<EnterpriseDraft>): string {
  const lines: string[] = [];
  if (e.name !== undefined) lines.push(t("field-name-line", { value: e.name }));
  if (e.bin !== undefined) {
    // An erased sole proprietor's IIN is replaced by a marker; show nothing of it (not even a kind).
    const known = /^\d{12}$/.test(e.bin);
    lines.push(
      known && e.binKind ? t("field-bin-line", { value: e.bin, kind: rich(t(`bin-kind-${e.binKind}`)) }) : t("field-bin-unknown-line", { value: known ? e.bin : "—" }),
    );
  }
  if (e.region !== undefined) lines.push(t("field-region-line", { value: rich(t(`region-${e.region}`)) }));
  if (e.sector !== undefined) lines.push(t("field-sector-line", { value: rich(t(`sector-${e.sector}`)) }));
  if (e.employees !== undefined) lines.push(t("field-employees-line", { count: e.employees }));
  return lines.join("\n");
}

export function contactLines(t: Translate, c: Partial<ContactDraft>): string {
  const lines: string[] = [];
  if (c.contactName !== undefined) lines.push(t("field-contact-line", { value: c.contactName }));
  if (c.phone !== undefined) lines.push(t("field-phone-line", { value: displayPhone(c.phone) }));
  return lines.join("\n");
}
