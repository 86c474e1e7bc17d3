/**
 * Breaker 8: texts of events and announcements that name a button must name it as it is shown
 * (ru said «Пауза» for "⏸ Приостановить", kk «Кідірту» for "⏸ Тоқтата тұру", the reminders
 * question «иду»/«Барамын» for "✅ Придём"/"✅ Келеміз"), and the Russian reads as a native writes
 * ("осталось примерно 1 минута", "(время алматинское)" did not).
 */
import { describe, expect, it } from "vitest";
import { LOCALES, type Locale } from "../../src/i18n/locales.ts";
import { tr } from "../support/core-harness.ts";

/** A button's label as a text quotes it: without its leading emoji, in lower case. */
const word = (locale: Locale, key: string): string => tr(locale, key).replace(/^\P{L}+/u, "").toLowerCase();

describe("texts name the buttons shown with them", () => {
  it.each(LOCALES)("in %s", (locale) => {
    const started = tr(locale, "compose-started", { count: 3 }).toLowerCase();
    expect(started).toContain(word(locale, "broadcast-btn-pause"));
    expect(started).toContain(word(locale, "broadcast-btn-cancel"));
    expect(tr(locale, "compose-paused").toLowerCase()).toContain(word(locale, "broadcast-btn-resume"));
    const reminders = tr(locale, "evf-ask-reminders").toLowerCase();
    expect(reminders).toContain(word(locale, "broadcast-rsvp-going"));
    expect(reminders).toContain(word(locale, "broadcast-rsvp-maybe"));
  });
});

describe("one word for cancelling an event", () => {
  it("in Kazakh the notice members get says it as the staff's button does (болдыру), not «тоқтатылды» (halted)", () => {
    expect(tr("kk", "evf-button-cancel-event")).toContain("болдырмау");
    for (const key of ["event-cancelled", "event-cancelled-notice", "evf-cancelled", "evf-refused-event-cancelled"]) {
      const text = tr("kk", key, { title: "X", time: "15.03.2027 10:00" });
      expect(text, key).toContain("болдырылмады");
      expect(text, key).not.toContain("тоқтатылды");
    }
  });
});

describe("Russian as a native writes it", () => {
  it("the time left agrees with its number; Almaty time is said as everywhere else", () => {
    expect(tr("ru", "broadcast-progress-rate", { rate: 30, minutes: 1 })).toContain("около 1 минуты");
    expect(tr("ru", "broadcast-progress-rate", { rate: 30, minutes: 21 })).toContain("около 21 минуты");
    expect(tr("ru", "broadcast-progress-rate", { rate: 30, minutes: 3 })).toContain("около 3 минут");
    expect(tr("ru", "broadcast-progress-rate", { rate: 30, minutes: 5 })).toContain("около 5 минут");
    expect(tr("ru", "broadcast-event-when", { when: "15.03.2027 10:00" })).toContain("(время Алматы)");
  });
});
