/**
 * The console channel against the real core, database and locales, driven through in-memory
 * streams: what it prints, how options are numbered, /as, typed numbers, Ctrl+D and a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consoleBanner, createConsoleChannel, type ConsoleChannel } from "../../../src/channels/console/console.ts";
import { createCore, type Core } from "../../../src/core/core.ts";
import type { Database } from "../../../src/db/database.ts";
import { openTestDatabase } from "../../support/db-template.ts";
import { silentLogger } from "../../../src/log.ts";
import { i18n, tr } from "../../support/core-harness.ts";
import { toPlain } from "../../../src/core/rich-text.ts";

const BIN = "990140000384";
const IIN = "061211600012";

interface Session {
  chat: ConsoleChannel;
  core: Core;
  db: Database;
  input: PassThrough;
  /** Everything printed so far. */
  out(): string;
  /** Types a line and waits until it is handled (the prompt is shown again); returns what it printed. */
  type(line: string): Promise<string>;
  /** Resolves when run() does (after Ctrl+D or /quit). */
  running: Promise<void>;
  close(): Promise<void>;
}

let dir: string;
let sessions: Session[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "qti-console-"));
});
afterEach(async () => {
  for (const s of sessions) await s.close();
  sessions = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A prompt ("admin> ") at the end of what was printed: the console waits for the next line. */
const PROMPT = /[\p{L}\p{N}_-]+> $/u;

/** Resolves once the printed text from `from` on ends with a prompt. */
function printed(output: PassThrough, text: () => string, from: number): Promise<string> {
  return new Promise((resolve) => {
    const check = () => {
      const fresh = text().slice(from);
      if (PROMPT.test(fresh)) {
        output.off("data", check);
        resolve(fresh);
      }
    };
    output.on("data", check);
    check();
  });
}

async function open(opts: { persona?: string; languageHint?: string } = {}): Promise<Session> {
  const db = await openTestDatabase(`file:${join(dir, "bot.db")}`);
  const core = createCore({ db, i18n: i18n(), log: silentLogger, settings: { defaultLocale: "ru", admins: [{ channel: "console", id: "admin" }] } });
  await core.start();
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const chat = createConsoleChannel({ core, input, output, ...(opts.persona ? { persona: opts.persona } : {}), languageHint: opts.languageHint ?? "en" });
  await core.dispatcher.register(chat.sender);
  const out = () => text;
  const running = chat.run();
  let closed = false;
  const session: Session = {
    chat,
    core,
    db,
    input,
    out,
    running,
    async type(line) {
      const from = text.length;
      input.write(`${line}\n`);
      const fresh = await printed(output, out, from);
      return toPlain(fresh);
    },
    async close() {
      if (closed) return;
      closed = true;
      input.end();
      await running;
      await core.idle();
      await core.dispatcher.stop();
      await db.close();
    },
  };
  sessions.push(session);
  // Started: the first prompt is shown once the waiting question (if any) has been shown again.
  await printed(output, out, 0);
  return session;
}

/** The numbered options a printed text shows: { "1": "📝 Register…", … }. */
function options(printedText: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of printedText.matchAll(/^ {2}(\d+)\. (.+)$/gm)) found.set(m[1]!, m[2]!);
  return found;
}

function numberOf(printedText: string, label: string): string {
  for (const [n, l] of options(printedText)) if (l === label) return n;
  throw new Error(`no option ${label} in:\n${printedText}`);
}

async function register(s: Session, bin: string, name: string): Promise<void> {
  await s.type("/start");
  let out = await s.type(tr("en", "menu-register"));
  out = await s.type(numberOf(out, tr("en", "consent-agree")));
  await s.type(bin);
  out = await s.type(name);
  out = await s.type(numberOf(out, tr("en", "region-almaty-city")));
  await s.type(numberOf(out, tr("en", "sector-apparel")));
  await s.type("45");
  out = await s.type("Aigerim");
  out = await s.type("+7 701 123 4567");
  await s.type(numberOf(out, tr("en", "reg-confirm-button")));
}

describe("console channel", () => {
  it("renders rich text as plain text and options as a numbered list from 1", async () => {
    const s = await open();
    const out = await s.type("/start");
    expect(out).toContain(tr("en", "menu-prompt"));
    expect(out).not.toMatch(/<\/?b>/);
    const shown = options(out);
    expect([...shown.keys()]).toEqual(["1", "2", "3", "4", "5"]);
    expect(shown.get("1")).toBe(tr("en", "menu-register"));
    // Someone new may be registered through the other channel already: linking comes next (issue 9).
    expect(shown.get("2")).toBe(tr("en", "menu-link-visitor"));
    // Reporting a problem is offered to everyone (issue 7); its flow tells who may not report why.
    expect(shown.get("3")).toBe(tr("en", "menu-problem"));
  });

  it("takes a typed number or a typed label as the option, and a typed phone without a share button", async () => {
    const s = await open();
    await s.type("/start");
    // The option's label typed (in another language, too) chooses it.
    let out = await s.type(tr("ru", "menu-register").replace("📝 ", ""));
    expect(out).toContain(tr("en", "consent-agree"));
    // "yes" typed answers the consent question (issue 5, fault 21).
    out = await s.type("yes");
    expect(out).toContain(tr("en", "reg-ask-bin"));
    await s.type(IIN);
    out = await s.type("Textile Company");
    out = await s.type(numberOf(out, tr("en", "region-almaty-city")));
    out = await s.type(numberOf(out, tr("en", "sector-apparel")));
    out = await s.type("45 people");
    out = await s.type("Aigerim");
    // The console has no share-contact button: its question does not say "press the button below" (fault 25).
    expect(out).toContain(toPlain(tr("en", "reg-ask-phone-typed")));
    expect(out).not.toContain(toPlain(tr("en", "reg-ask-phone")));
    out = await s.type("+7 701 123 4567");
    expect(out).toContain(tr("en", "reg-confirm-button"));
  });

  it("/as switches persona, shows messages to others with their name, and refuses a bad name", async () => {
    const s = await open();
    let out = await s.type("/as admin");
    expect(out).toContain('── you are now "admin" ──');
    expect(s.chat.persona).toBe("admin");
    out = await s.type("/as no spaces please");
    expect(out).toContain("Usage: /as NAME");
    expect(s.chat.persona).toBe("admin");
    await s.type("/as aigerim");
    await register(s, IIN, "Textile Company");
    // The staff notice goes to the operator persona, shown with its name.
    expect(s.out()).toContain("── to admin ──");
  });

  it("lets the operator decide on every notice /pending lists, by its own number (issue 5, fault 12)", async () => {
    const s = await open();
    await s.type("/as aigerim");
    await register(s, IIN, "First Textile");
    await s.type("/as dana");
    await register(s, BIN, "Second Textile");
    await s.type("/as admin");
    const typed = await s.type("/pending");
    // From the first notice on (the menu shown before them was replaced by the one after them).
    const listed = typed.slice(typed.indexOf("First Textile"));
    // Two notices and the menu after them: every option has a number of its own.
    const numbers = [...listed.matchAll(/^ {2}(\d+)\. /gm)].map((m) => m[1]!);
    expect(new Set(numbers).size).toBe(numbers.length);
    const firstNotice = listed.indexOf("First Textile");
    const secondNotice = listed.indexOf("Second Textile");
    expect(firstNotice).toBeGreaterThanOrEqual(0);
    expect(secondNotice).toBeGreaterThanOrEqual(0);
    // The first notice (not the newest) is approved by its own Approve number.
    const first = firstNotice < secondNotice ? listed.slice(firstNotice, secondNotice) : listed.slice(firstNotice);
    const approve = numberOf(first, tr("en", "notice-approve"));
    await s.type(approve);
    const [enterprise] = await s.db.transaction((tx) => tx.enterprise.findMany({ where: { name: "First Textile" } }));
    expect(enterprise!.status).toBe("active");
    const [other] = await s.db.transaction((tx) => tx.enterprise.findMany({ where: { name: "Second Textile" } }));
    expect(other!.status).toBe("pending");
  });

  it("shows the question the persona waits at again after a restart (fault 25)", async () => {
    const s = await open({ persona: "aigerim" });
    await s.type("/start");
    await s.type(tr("en", "menu-register"));
    await s.type("1");
    await s.type(IIN);
    await s.close();
    const again = await open({ persona: "aigerim" });
    expect(toPlain(again.out())).toContain(tr("en", "reg-ask-name"));
    const out = await again.type("Textile Company");
    expect(out).toContain(tr("en", "reg-ask-region"));
  });

  it("finishes what was typed before Ctrl+D, then run() resolves", async () => {
    const s = await open();
    s.input.write("/start\n");
    s.input.end();
    await s.running;
    expect(toPlain(s.out())).toContain(tr("en", "menu-prompt"));
  });

  it("says in its banner where the language comes from", () => {
    const banner = consoleBanner({ dbFile: "data/bot.db", logFile: "data/bot.log", admin: "admin", languageHint: "kk_KZ.UTF-8" });
    expect(banner).toContain("LANG");
    expect(banner).toContain('"kk_KZ.UTF-8"');
  });
});

describe("console start", () => {
  it("records nobody and says nothing for a persona that waits for nothing", async () => {
    const s = await open({ persona: "newcomer" });
    expect(s.out()).toBe("newcomer> ");
    expect(await s.db.transaction((tx) => tx.channelIdentity.count({ where: { externalId: "newcomer" } }))).toBe(0);
  });
});
