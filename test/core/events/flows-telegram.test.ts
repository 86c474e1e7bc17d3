/**
 * A new event over HTTP (the whole bot against the fake Bot API): the map point is shared as a
 * Telegram location message (📎 → Location) and kept with the event; the questions before and
 * after it go as in the core tests (flows-staff.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramHarness, type TelegramHarness } from "../../support/telegram-harness.ts";
import { tr } from "../../support/core-harness.ts";
import { step } from "../../support/telegram-steps.ts";

const ADMIN = 900;
let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const en = (key: string, args?: Record<string, string>) => tr("en", key, args);

describe("creating an event on Telegram", () => {
  it("takes the map point from a shared location and saves it", async () => {
    h = await startTelegramHarness({ admins: [String(ADMIN)] });
    const dana = h.fake.user({ id: ADMIN, first_name: "Dana", language_code: "en" });
    await step(dana, () => dana.send("/events"), en("evf-list-empty"));
    await step(dana, () => dana.press(en("evf-button-new")), en("evf-ask-languages"));
    await step(dana, () => dana.press(/^English$/), en("evf-ask-title", { language: "English" }));
    await step(dana, () => dana.send("Textile fair"), en("evf-ask-description", { language: "English" }));
    await step(dana, () => dana.send("Fabrics and machines"), en("evf-ask-time"));
    await step(dana, () => dana.send("15.03.2027 10:00"), en("evf-ask-venue"));
    await step(dana, () => dana.send("Atakent Expo, hall 3"), en("evf-ask-location"));
    await step(dana, () => dana.sendSticker(), en("evf-bad-location"));
    await step(dana, () => dana.sendLocation(43.2286, 76.9073), en("evf-ask-capacity"));
    await step(dana, () => dana.press(en("evf-button-no-limit")), en("evf-ask-deadline"));
    await step(dana, () => dana.press(en("evf-button-no-deadline")), en("evf-ask-reminders"));
    const summary = await step(dana, () => dana.press(en("evf-button-reminders-default")), en("evf-summary").replace(/<\/?b>/g, ""));
    expect(summary.text).toContain(en("evf-field-location", { lat: "43.22860", lon: "76.90730" }));
    await step(dana, () => dana.press(en("evf-button-save")), en("evf-created"));
    await h.settled();
    const events = await h.db.transaction((tx) => tx.event.findMany());
    expect(events.map((e) => [JSON.parse(e.title), e.venue, e.latitude, e.longitude, e.status])).toEqual([[{ en: "Textile fair" }, "Atakent Expo, hall 3", 43.2286, 76.9073, "draft"]]);
  }, 120_000);
});
