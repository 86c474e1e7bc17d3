/**
 * breaker7: the reporting enterprise's timeline showed what another enterprise that joined its
 * problem told the association (its join comment, its messages to staff), labelled "Your
 * enterprise". Each enterprise sees its own conversation with staff: the reporting one sees that
 * another enterprise joined (without its comment), never its messages; the joined one sees its own,
 * and its own joining reads "Your enterprise joined" (it read "Another enterprise joined").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startHarness, tr, type Harness } from "../support/core-harness.ts";
import { ADMIN, BIN, activeMember, colleague, reportProblem, reportToSummary } from "../core/problems/report-support.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ settings: { admins: [{ channel: "telegram", id: ADMIN }] } });
});
afterEach(async () => h.close());

async function timeline(p: ReturnType<Harness["person"]>, locale: "en" | "ru", ref: string): Promise<string> {
  await p.send("/start");
  await p.press(tr(locale, "menu-myproblems"));
  await p.press(new RegExp(ref));
  return p.last().text;
}

describe("a joined enterprise's words stay its own", () => {
  it("the reporting enterprise sees that another joined, not its comment nor its messages; the joined one sees its own", async () => {
    const a = await activeMember(h, "200", "ru", { bin: BIN, name: "Other LLP" });
    const ref = await reportProblem(a, "ru", "Задержки на таможне при ввозе ткани");
    const b = await activeMember(h, "100", "en", { name: "Secret Textiles" });
    await reportToSummary(b, "en", "Таможня: задержки ввоза ткани");
    await b.press(tr("en", "problem-similar-same", { ref }));
    await b.send("We at Secret Textiles lose 10 million a month.");
    await timeline(b, "en", ref);
    await b.press(tr("en", "problem-write-button"));
    await b.send("Our contract number is 42.");
    // A colleague of the reporting enterprise writes too: the reporting enterprise sees that.
    const c = await colleague(h, "201", "ru", BIN);
    await timeline(c, "ru", ref);
    await c.press(tr("ru", "problem-write-button"));
    await c.send("Коллега: груз всё ещё стоит.");

    const seenByA = await timeline(a, "ru", ref);
    expect(seenByA).toContain("Присоединилось ещё одно предприятие");
    expect(seenByA).not.toContain("10 million");
    expect(seenByA).not.toContain("contract number");
    expect(seenByA).toContain("Коллега: груз всё ещё стоит.");

    const seenByB = await timeline(b, "en", ref);
    // Its own joining, told as its own (it read "Another enterprise joined").
    expect(seenByB).toContain(tr("en", "problem-entry-joined-own", { at: "" }).replace(/^<b><\/b>\s*/, ""));
    expect(seenByB).not.toContain("Another enterprise joined");
    expect(seenByB).toContain("10 million");
    expect(seenByB).toContain("contract number");
    expect(seenByB).not.toContain("Коллега");
  });
});
