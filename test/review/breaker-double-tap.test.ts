/**
 * Breaker: a double tap on a main-menu entry that finishes at once (Help, Pending applications).
 * Fault 4 of issue 5 was fixed for entries that open a question ("Register", "My enterprise",
 * "My data", "Language", "Staff and roles": the second press says "already under way"). An entry
 * that ends in the same turn leaves nothing to compare the second press with: the menu is asked
 * again, and the second press (same message, same data) is taken as a new choice, so the person
 * gets the help text and the menu twice (4 messages for one intent).
 *
 * Left failing: telling a double tap from a deliberate second press on an older menu (menus are
 * "stable" and stay usable by design, menu.ts) needs the pressed message's id remembered across
 * the idle menu's restart (engine.ts starts the idle flow afresh with no args), i.e. a change to
 * the dialog engine, which is being reshaped (src/core) in parallel.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness, type TestPerson } from "../support/core-harness.ts";

let h: Harness;
afterEach(async () => h?.close());

const dataOf = (p: TestPerson, label: string) =>
  [...p.messages()].reverse().flatMap((m) => m.message.choices?.flat() ?? []).find((b) => b.label === label)!.data;

/**
 * Starts a bot with admin 900, sends /start as `id`, then presses the menu entry `label` twice
 * from the same menu message (Telegram sends its id with each press). Returns the person with
 * only the replies to the two presses unread.
 */
async function pressTwice(id: string, label: string): Promise<TestPerson> {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: "900" }] } });
  const p = h.person(id, { language: "en" });
  await p.send("/start");
  const data = dataOf(p, tr("en", label));
  const menu = p.last().messageId;
  p.fresh();
  for (const update of ["telegram:a", "telegram:b"])
    await h.handle({ id: update, channel: "telegram", chatId: id, userId: id, chatType: "private", messageId: menu, event: { type: "choice", data } });
  return p;
}

describe("a double tap on a main-menu entry that finishes at once", () => {
  it.fails("Help pressed twice on the same menu shows the help once", async () => {
    const p = await pressTwice("100", "menu-help");
    const helpText = tr("en", "help-text");
    expect(p.fresh().filter((t) => t === helpText)).toHaveLength(1);
  });

  it.fails("Pending applications pressed twice by staff lists them once", async () => {
    const a = await pressTwice("900", "menu-pending");
    expect(a.fresh().filter((t) => t === tr("en", "menu-prompt"))).toHaveLength(1);
  });
});
