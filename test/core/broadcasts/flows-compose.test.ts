/**
 * The staff compose flow through the real core (issue 8 item 5): languages, a text per language
 * with bad inputs asked again, a photo, the audience, the screen with recipients per language,
 * a preview per language, a test to oneself, send now with its confirmation.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chooseLanguages, newest, sixMembers, startCompose, tr, type ComposeWorld } from "./flows-support.ts";
import { JPEG } from "../files/samples.ts";
import { TEXT_MAX } from "../../../src/core/broadcasts/compose-flows.ts";

let w: ComposeWorld;
afterEach(async () => w?.close());

describe("/announce", () => {
  it("composes in three languages with a photo, asks bad inputs again, previews each language, tests and sends", { timeout: 180_000 }, async () => {
    w = await startCompose();
    const chats = await sixMembers(w);
    const { staff } = w;
    await staff.send("/announce");
    expect(staff.last().text).toContain(tr("ru", "compose-ask-languages", { chosen: tr("ru", "compose-none-chosen") }));
    // Done with no language: the reason, and the question again.
    await staff.press(tr("ru", "compose-done"));
    expect(staff.fresh()).toContain(tr("ru", "compose-languages-empty"));
    // A toggle pressed twice is off again.
    await staff.press(tr("ru", "compose-lang-en"));
    await staff.press(tr("ru", "compose-lang-en"));
    await chooseLanguages(staff, ["kk", "ru", "en"]);
    expect(staff.last().text).toContain(tr("ru", "compose-ask-text", { language: tr("ru", "compose-lang-kk"), max: TEXT_MAX, caption: 1024 }));
    staff.fresh();
    // No letters, then too long: each answered with why, and asked again.
    await staff.send("!!! ???");
    expect(staff.fresh().join("\n")).toContain(tr("ru", "compose-text-no-letters"));
    const long = "а".repeat(TEXT_MAX + 1);
    await staff.send(long);
    expect(staff.fresh().join("\n")).toContain(tr("ru", "compose-text-too-long", { max: TEXT_MAX, length: TEXT_MAX + 1 }));
    await staff.send("Қауымдастық съезі <b>15 наурыз</b>");
    await staff.send("Съезд ассоциации & встреча");
    await staff.send("The association's congress");
    expect(staff.last().text).toBe(tr("ru", "compose-ask-file", { caption: 1024 }));
    // Text where a file is asked: the reason and the question again.
    await staff.send("вот файл");
    expect(staff.fresh().join("\n")).toContain(tr("ru", "compose-file-need-file"));
    await staff.sendFile({ kind: "photo", bytes: JPEG });
    expect(staff.last().text).toBe(tr("ru", "compose-ask-audience"));
    await staff.press(tr("ru", "compose-audience-all"));
    const screen = staff.last().text;
    expect(screen).toContain(tr("ru", "compose-screen-total", { count: 6 }));
    expect(screen).toContain(tr("ru", "compose-screen-per-language", { language: tr("ru", "compose-lang-kk"), count: 2 }));
    expect(screen).toContain(tr("ru", "compose-screen-per-language", { language: tr("ru", "compose-lang-ru"), count: 3 }));
    expect(screen).toContain(tr("ru", "compose-screen-per-language", { language: tr("ru", "compose-lang-en"), count: 1 }));
    expect(screen).toContain(tr("ru", "compose-screen-photo", { name: "—" }));

    // A preview per language: the text in that language, with the photo; nobody else gets it.
    for (const [l, text] of [["kk", "Қауымдастық съезі"], ["ru", "Съезд ассоциации & встреча"], ["en", "The association's congress"]] as const) {
      await staff.press(tr("ru", "compose-preview-button", { language: tr("ru", `compose-lang-${l}`) }));
      const preview = newest(staff, text)!;
      expect(preview, l).toBeDefined();
      expect(preview.files.length).toBe(1);
      expect(preview.text).toContain(tr(l, "broadcast-stop-line"));
    }
    // Hostile markup typed by staff is shown as typed, not as markup.
    expect(newest(staff, "Қауымдастық съезі")!.text).toContain("<b>15 наурыз</b>");
    // A test: in the author's own language, to the author only.
    await staff.press(tr("ru", "compose-test-button"));
    expect(staff.fresh()).toContain(tr("ru", "compose-test-sent"));
    for (const chat of [...chats.kk, ...chats.ru, ...chats.en]) expect(w.texts(chat)).toEqual([]);

    // Send now: a confirmation naming the count; "not yet" goes back to the screen.
    await staff.press(tr("ru", "compose-send-button"));
    expect(staff.last().text).toBe(tr("ru", "compose-send-confirm", { count: 6 }));
    await staff.press(tr("ru", "compose-send-no"));
    expect(staff.last().text).toContain(tr("ru", "compose-screen-title").replace(/<\/?b>/g, ""));
    await staff.press(tr("ru", "compose-send-button"));
    await staff.press(tr("ru", "compose-send-yes"));
    const afterSend = staff.fresh();
    expect(afterSend.join("\n")).toContain(tr("ru", "compose-started", { count: 6 }));
    // "The progress is in the message above": the progress message comes first.
    const progressAt = afterSend.findIndex((t) => t.startsWith(tr("ru", "broadcast-progress", { id: 1, sent: 0, total: 6 }).split(":")[0]!));
    const startedAt = afterSend.findIndex((t) => t.includes(tr("ru", "compose-started", { count: 6 })));
    expect(progressAt).toBeGreaterThanOrEqual(0);
    expect(progressAt).toBeLessThan(startedAt);
    expect(tr("ru", "compose-started", { count: 6 })).toContain("выше");
    await w.h.core.dispatcher.idle();
    // Each member got it in their language, with the photo.
    for (const chat of chats.kk) expect(w.texts(chat).join("\n")).toContain("Қауымдастық съезі");
    for (const chat of chats.ru) expect(w.texts(chat).join("\n")).toContain("Съезд ассоциации & встреча");
    for (const chat of chats.en) expect(w.texts(chat).join("\n")).toContain("The association's congress");
    expect(w.h.channel.in("201").some((m) => m.files.length === 1)).toBe(true);
  });

  it("falls back to Russian for readers of a language not written, and says so on the screen", { timeout: 180_000 }, async () => {
    w = await startCompose();
    await sixMembers(w);
    const { staff } = w;
    await staff.send("/announce");
    await chooseLanguages(staff, ["ru"]);
    await staff.send("Только по-русски");
    await staff.press(tr("ru", "compose-skip"));
    await staff.press(tr("ru", "compose-audience-all"));
    expect(staff.last().text).toContain(tr("ru", "compose-screen-per-language-fallback", { language: tr("ru", "compose-lang-kk"), count: 2, reads: tr("ru", "compose-lang-ru") }));
    await staff.press(tr("ru", "compose-preview-button", { language: tr("ru", "compose-lang-en") }));
    const preview = newest(staff, "Только по-русски")!;
    // The English reader's message: the Russian text, and the English line on how to stop.
    expect(preview.text).toContain(tr("en", "broadcast-stop-line"));
    // Cancel: nothing sent, the draft dropped.
    await staff.press(tr("ru", "compose-cancel-button"));
    expect(staff.fresh()).toContain(tr("ru", "compose-cancelled"));
  });

  it("is refused to a member (answered and audited), and the member's menu has no such entry", { timeout: 180_000 }, async () => {
    w = await startCompose();
    const e = await w.enterprise();
    await w.person("400", { enterpriseId: e });
    const member = w.h.person("400", { language: "ru" });
    await member.send("/announce");
    expect(member.fresh()).toContain(tr("ru", "error-not-allowed"));
    const denied = await w.h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "menu-announce", outcome: "denied" } }));
    expect(denied.length).toBe(1);
    await member.send("/menu");
    expect(member.buttons()).not.toContain(tr("ru", "menu-announce"));
    expect(member.buttons()).toContain(tr("ru", "menu-stop"));
  });
});
