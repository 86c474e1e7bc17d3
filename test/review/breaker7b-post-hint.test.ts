/**
 * breaker7b: the staff post said only "reply to this message": in the console (no replies at all)
 * and in a private copy of the post, staff were not told the other way the issue gives them,
 * `/problem <ref>` in a private chat, after which what they write goes to the member. The post
 * names it, with the problem's reference, in each language; and it works as said, in the console.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/core-harness.ts";
import { CONSOLE_CAPABILITIES } from "../../src/channels/console/console.ts";
import { ADMIN, activeMember, reportProblem } from "../core/problems/report-support.ts";
import type { Locale } from "../../src/i18n/locales.ts";

let h: Harness | undefined;
afterEach(async () => h?.close());

describe("the staff post says how to write to the member without replying", () => {
  it.each(["en", "ru", "kk"] as Locale[])("names /problem <ref> (%s), and that works in the console", async (locale) => {
    h = await startHarness({ settings: { admins: [{ channel: "console", id: ADMIN }] }, channel: "console", capabilities: CONSOLE_CAPABILITIES });
    const staff = h.person(ADMIN, { language: locale });
    await staff.send("/start");
    const p = await activeMember(h, "100", locale);
    const ref = await reportProblem(p, locale);
    const post = staff.messages().find((m) => m.text.includes(ref) && m.message.choices?.flat().some((b) => b.data.startsWith("ps:")));
    expect(post?.text).toContain(`/problem ${ref}`);
    await staff.send(`/problem ${ref}`);
    await staff.send("Ответ <b>сотрудника</b> & co");
    expect(p.last().text).toContain("Ответ <b>сотрудника</b> & co");
  }, 120_000); // a whole registration and report per language, on a shared machine
});
