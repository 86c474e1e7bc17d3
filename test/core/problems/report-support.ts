/**
 * Shared steps of the member problem tests (report*.test.ts): members of approved enterprises,
 * files as the core hands them to flows (kept already: `stored`), and a report walked through.
 */
import { applyForMembership, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import { LOCALES, type Locale } from "../../../src/i18n/locales.ts";

// Valid numbers (check digits in bin.test.ts): an IIN (sole proprietor) and a legal entity's BIN.
export const IIN = "061211600012";
export const BIN = "990140000384";
export const ADMIN = "900";

export const admin = (h: Harness): TestPerson => h.person(ADMIN, { language: "en", name: "Dana" });

/** Presses the newest Approve (application or join request) in the admin's chat. */
export async function approveNewest(h: Harness): Promise<void> {
  const data = [...admin(h).messages()]
    .reverse()
    .flatMap((m) => m.message.choices?.flat() ?? [])
    .find((b) => /^s:(ap|ja):/.test(b.data))?.data;
  if (!data) throw new Error("no Approve button in the admin's chat");
  await admin(h).pressData(data);
}

/** A person whose enterprise (`bin`, `name`) the association approved: an active member. */
export async function activeMember(h: Harness, id: string, locale: Locale, opts: { bin?: string; name?: string } = {}): Promise<TestPerson> {
  const p = h.person(id, { language: locale });
  await applyForMembership(p, locale, { bin: opts.bin ?? IIN, name: opts.name ?? "Textile Company" });
  await approveNewest(h);
  return p;
}

/** An employee who asked to join the enterprise with `bin` and was approved. */
export async function colleague(h: Harness, id: string, locale: Locale, bin = IIN): Promise<TestPerson> {
  const p = h.person(id, { language: locale });
  await p.send("/start");
  await p.press(tr(locale, "menu-register"));
  await p.press(tr(locale, "consent-agree"));
  await p.send(bin);
  await p.press(tr(locale, "reg-join-button"));
  await p.send("Dana Worker");
  await p.send("87021112233");
  await p.press(tr(locale, "join-confirm-button"));
  await approveNewest(h);
  return p;
}

/** The newest message to `p` other than the main menu shown after a task ends. */
export function lastSaid(p: TestPerson): string {
  const menus = new Set(LOCALES.map((l) => tr(l, "menu-prompt")));
  const m = [...p.messages()].reverse().find((x) => !menus.has(x.text));
  if (!m) throw new Error(`no messages to ${p.id}`);
  return m.text;
}

let files = 0;

/** Bytes of a small file of `kind` (a JPEG or a PDF by its magic bytes), different each time. */
export function fileBytes(kind: "photo" | "document"): Uint8Array {
  const n = ++files;
  const head = kind === "photo" ? [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00] : [...Buffer.from("%PDF-1.4\n")];
  return new Uint8Array([...head, ...Buffer.from(`file ${n} ${Math.random()}\n`)]);
}

/**
 * Sends a photo or document from `p`'s private chat through the core's file pre-step (fetched and
 * kept, or refused: `too-big` announces 50 MB, `type` sends a shell script). `group`: the album.
 */
export async function sendFile(
  p: TestPerson,
  opts: { kind?: "photo" | "document"; group?: string; caption?: string; name?: string; refused?: "too-big" | "type" } = {},
): Promise<void> {
  const kind = opts.kind ?? "photo";
  const bytes = opts.refused === "type" ? new Uint8Array(Buffer.from("#!/bin/sh\nrm -rf /\n")) : fileBytes(kind);
  await p.sendFile({
    kind,
    bytes,
    ...(opts.refused === "too-big" ? { announced: 50 * 1024 * 1024 } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.caption ? { caption: opts.caption } : {}),
    ...(opts.group ? { mediaGroup: opts.group } : {}),
  });
}

/** Starts a report and answers up to (not including) the description. */
export async function startReport(p: TestPerson, locale: Locale, title = "Customs delays for fabric imports", category = "customs-export"): Promise<void> {
  await p.send("/start");
  await p.press(tr(locale, "menu-problem"));
  await p.press(tr(locale, `problem-cat-${category}`));
  await p.send(title);
}

/** A whole report with one description message and no files, up to the summary (or the similar problems). */
export async function reportToSummary(p: TestPerson, locale: Locale, title?: string, category?: string): Promise<void> {
  await startReport(p, locale, title, category);
  await p.send("Our fabric waits at the border for three weeks.");
  await p.press(tr(locale, "problem-done-button"));
  await p.press(tr(locale, "problem-skip-button"));
  await p.press(tr(locale, "problem-anon-named"));
}

/** A whole report sent; returns its reference from the answer. */
export async function reportProblem(p: TestPerson, locale: Locale, title?: string, category?: string): Promise<string> {
  await reportToSummary(p, locale, title, category);
  await p.press(tr(locale, "problem-send-button"));
  const ref = /QT-\d{4}-\d{4}/.exec(lastSaid(p))?.[0];
  if (!ref) throw new Error(`no reference in: ${lastSaid(p)}`);
  return ref;
}
