/** The staff lists' pure parts: the list state from untrusted args, the filter, clipping, durations, texts. */
import { describe, expect, it } from "vitest";
import { clip, DEFAULT_LIST, durationText, filterOf, listStateOf, listText, statsText } from "../../../src/core/problems/staff-flows.ts";
import { i18n } from "../../support/core-harness.ts";
import { toPlain } from "../../../src/core/rich-text.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import type { Translate } from "../../../src/core/message.ts";

const tOf = (locale: Locale): Translate => (key, args) => i18n().t(locale, key, args);

describe("the list state", () => {
  it("takes only known values from args and falls back to the defaults", () => {
    expect(listStateOf(undefined)).toEqual(DEFAULT_LIST);
    expect(listStateOf({ status: "review", category: "taxes", region: "shymkent", assignee: "none", unanswered: true, page: 3 })).toEqual({
      status: "review",
      category: "taxes",
      region: "shymkent",
      assignee: "none",
      unanswered: true,
      page: 3,
    });
    expect(listStateOf({ status: "x'; drop", category: 5, region: "mars", assignee: "boss", unanswered: "yes", page: -1 })).toEqual(DEFAULT_LIST);
    expect(listStateOf({ page: 1.5 }).page).toBe(0);
  });

  it("becomes the service's filter: all means no condition, me means the staff member's id", () => {
    expect(filterOf(DEFAULT_LIST, 7)).toEqual({ status: "open" });
    expect(filterOf({ ...DEFAULT_LIST, status: "all" }, 7)).toEqual({});
    expect(filterOf({ status: "closed", category: "finance", region: "astana", assignee: "me", unanswered: true, page: 2 }, 7)).toEqual({
      status: "closed",
      category: "finance",
      region: "astana",
      assignee: 7,
      unanswered: true,
    });
    expect(filterOf({ ...DEFAULT_LIST, assignee: "none" }, 7)).toEqual({ status: "open", assignee: "none" });
  });
});

describe("texts", () => {
  it("clips long titles by characters, never inside an emoji", () => {
    expect(clip("short")).toBe("short");
    const long = "😀".repeat(50);
    const c = clip(long, 10);
    expect(Array.from(c)).toHaveLength(10);
    expect(c.endsWith("…")).toBe(true);
    expect(c).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(clip("a\n\nb   c")).toBe("a b c");
  });

  it("says durations in words with plurals", () => {
    expect(toPlain(durationText(tOf("ru"), null))).toBe("пока нет данных");
    expect(toPlain(durationText(tOf("ru"), 0.4))).toBe("меньше часа");
    expect(toPlain(durationText(tOf("ru"), 1))).toBe("1 час");
    expect(toPlain(durationText(tOf("ru"), 3))).toBe("3 часа");
    expect(toPlain(durationText(tOf("ru"), 5.4))).toBe("5 часов");
    expect(toPlain(durationText(tOf("ru"), 21))).toBe("21 час");
    expect(toPlain(durationText(tOf("ru"), 72))).toBe("3 дня");
    expect(toPlain(durationText(tOf("en"), 24 * 5))).toBe("5 days");
    expect(toPlain(durationText(tOf("en"), 1))).toBe("1 hour");
    expect(toPlain(durationText(tOf("kk"), 30))).toBe("30 сағат");
  });

  it("escapes a hostile title in the list", () => {
    const text = listText(tOf("en"), DEFAULT_LIST, {
      total: 1,
      items: [{ id: 1, ref: "QT-2026-0001", title: "<b>x</b> & y", category: "taxes", status: "new", affected: 2, createdAt: "2026-11-30T04:00:00.000Z" }],
    });
    expect(text).toContain("&lt;b&gt;x&lt;/b&gt; &amp; y");
    expect(toPlain(text)).toContain("QT-2026-0001");
    expect(toPlain(text)).toContain("2 enterprises");
    expect(toPlain(text)).toContain("30.11.2026");
  });

  it("words the statistics in each language, biggest counts first", () => {
    const stats = {
      byCategory: { taxes: 2, finance: 5, other: 0 },
      byStatus: { new: 3, review: 4 },
      byRegion: { astana: 1, "almaty-city": 6 },
      medianFirstReplyHours: 26,
      medianResolutionHours: 24 * 12,
      mostJoined: [{ id: 3, ref: "QT-2026-0003", title: "Пошлины & <сырьё>", category: "customs-export" as const, status: "new" as const, affected: 4, createdAt: "2026-11-30T04:00:00.000Z" }],
    };
    const ru = toPlain(statsText(tOf("ru"), stats));
    expect(ru.indexOf("Алматы")).toBeLessThan(ru.indexOf("Астана"));
    expect(ru).toContain("26 часов");
    expect(ru).toContain("12 дней");
    expect(ru).toContain("QT-2026-0003 · Пошлины & <сырьё>: 4 предприятия");
    expect(ru).not.toContain(i18n().t("ru", "problem-cat-other") + ": 0");
    const kk = toPlain(statsText(tOf("kk"), stats));
    expect(kk).toContain("12 күн");
    const en = toPlain(statsText(tOf("en"), { ...stats, medianFirstReplyHours: null, mostJoined: [] }));
    expect(en).toContain("no data yet");
    expect(en).not.toContain("Affecting the most");
  });
});
