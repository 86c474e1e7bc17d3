/**
 * The staff lists through the real core (issue 7 item 6): /problems with its filters and pages, the
 * staff card, /stats and the CSV export, with problems filed through the real services.
 */
import { afterEach, describe, expect, it } from "vitest";
import { applyForMembership, startHarness, tr, type Harness, type TestPerson } from "../../support/core-harness.ts";
import type { CoreSettings } from "../../../src/core/turn.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import { binCheckDigit } from "../../../src/core/members/bin.ts";
import { addNote, addStaffReply, changeStatus, submitProblem, takeProblem, type ProblemDraft } from "../../../src/core/problems/service.ts";
import type { Unit } from "../../../src/core/unit.ts";
import { PAGE_SIZE } from "../../../src/core/problems/staff-flows.ts";
import { recordStoredFile } from "../../../src/core/files/records.ts";

const GROUP = "-100777";
const ADMINS: CoreSettings["admins"] = [
  { channel: "telegram", id: "900" },
  { channel: "telegram", id: "901" },
];

let h: Harness;
afterEach(async () => h?.close());

const audit = () => h.db.transaction((tx) => tx.auditLog.findMany({ orderBy: { id: "asc" } }));
const bin = (n: number) => {
  const first = `9901400${String(n).padStart(4, "0")}`;
  return `${first}${binCheckDigit(first)}`;
};

/** Someone acting through the services, as the core would run them for that chat's person. */
async function as<T>(userId: string, fn: (unit: Unit) => Promise<T>): Promise<T> {
  const person = await h.db.transaction((tx) => tx.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: userId } }, include: { person: true } }));
  return h.core.run({ person: { personId: person.personId, role: person.person.role, locale: (person.person.locale as Locale | null) ?? null }, ref: `telegram:${userId}` }, fn);
}

/** An approved member enterprise with its owner writing from chat `userId`. */
async function member(userId: string, n: number, name: string, region: string): Promise<TestPerson> {
  const p = h.person(userId, { language: "ru" });
  await applyForMembership(p, "ru", { bin: bin(n), name });
  // Another staff member decides, so that the chat of staff member 900 holds only the lists.
  const admin = h.core.staffChat.current ? h.inGroup(h.core.staffChat.current.chatId, "901", { language: "en" }) : h.person("901", { language: "en" });
  const notice = [...admin.messages()].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:ap:"));
  await admin.pressData(notice!.message.choices![0]![0]!.data);
  await h.db.transaction((tx) => tx.enterprise.updateMany({ where: { bin: bin(n) }, data: { region } }));
  return p;
}

async function report(userId: string, draft: Partial<ProblemDraft> = {}): Promise<{ id: number; ref: string }> {
  const outcome = await as(userId, (unit) =>
    submitProblem(unit, { category: "taxes", title: "Problem", description: "Described", files: [], anonymous: false, ...draft }),
  );
  if (!outcome.ok) throw new Error(outcome.reason);
  return { id: outcome.id, ref: outcome.ref };
}

const revisionOf = async (id: number) => (await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }))).revision;

/** The newest message in `p`'s chat whose text contains `text`. */
const newest = (p: TestPerson, text: string) => [...p.messages()].reverse().find((m) => m.text.includes(text));

/** Ten problems, newest last, of two enterprises (Almaty: even ones, Astana: odd ones); the first three about customs. */
async function tenProblems(): Promise<{ filed: { id: number; ref: string }[]; staff: TestPerson }> {
  h = await startHarness({ settings: { admins: ADMINS } });
  await member("100", 1, "Алма Текстиль", "almaty-city");
  await member("200", 2, "Astana Wool", "astana");
  const filed: { id: number; ref: string }[] = [];
  for (let i = 0; i < PAGE_SIZE + 2; i++) filed.push(await report(i % 2 ? "200" : "100", { title: `Проблема ${i}`, category: i < 3 ? "customs-export" : "taxes" }));
  return { filed, staff: h.person("900", { language: "ru" }) };
}

describe("/problems", () => {
  it("pages newest first and filters by category and region", { timeout: 60_000 }, async () => {
    const { filed, staff } = await tenProblems();
    await staff.send("/start");
    await staff.press(tr("ru", "menu-problems"));
    let screen = staff.last();
    expect(screen.text).toContain(tr("ru", "lists-range", { from: 1, to: PAGE_SIZE, total: PAGE_SIZE + 2 }));
    // Newest first: the last filed is the first line.
    expect(screen.text.indexOf(filed[PAGE_SIZE + 1]!.ref)).toBeLessThan(screen.text.indexOf(filed[PAGE_SIZE]!.ref));
    expect(screen.text).not.toContain(filed[0]!.ref);
    expect(screen.message.choices!.flat().every((b) => Buffer.byteLength(b.data) <= 64)).toBe(true);
    await staff.press(tr("ru", "lists-next"));
    screen = staff.last();
    expect(screen.text).toContain(tr("ru", "lists-range", { from: PAGE_SIZE + 1, to: PAGE_SIZE + 2, total: PAGE_SIZE + 2 }));
    expect(screen.text).toContain(filed[0]!.ref);
    expect(staff.buttons()).not.toContain(tr("ru", "lists-next"));
    await staff.press(tr("ru", "lists-prev"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: PAGE_SIZE, total: PAGE_SIZE + 2 }));

    // Category.
    await staff.press(new RegExp(`^${tr("ru", "lists-filter-category", { value: tr("ru", "lists-category-all") })}$`));
    await staff.press(tr("ru", "problem-cat-customs-export"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: 3, total: 3 }));
    // Region (on top of the category): the enterprise in Astana reported problem 1.
    await staff.press(tr("ru", "lists-filter-region", { value: tr("ru", "lists-region-all") }));
    await staff.press(tr("ru", "region-astana"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: 1, total: 1 }));
    expect(staff.last().text).toContain(filed[1]!.ref);
    await staff.press(tr("ru", "lists-filter-region", { value: tr("ru", "region-astana") }));
    await staff.press(tr("ru", "lists-region-all"));
    await staff.press(tr("ru", "lists-filter-category", { value: tr("ru", "problem-cat-customs-export") }));
    await staff.press(tr("ru", "lists-category-all"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: PAGE_SIZE, total: PAGE_SIZE + 2 }));
  });

  it("filters by assignee, status and no staff reply yet", { timeout: 60_000 }, async () => {
    const { filed, staff } = await tenProblems();
    await staff.send("/problems");
    // Assignee and status: staff 900 takes problem 0, staff 901 replies to problem 1 and declines problem 2.
    expect((await as("900", (u) => takeProblem(u, filed[0]!.id, 0))).ok).toBe(true);
    expect((await as("901", (u) => addStaffReply(u, filed[1]!.id, { text: "Смотрим", files: [] }))).ok).toBe(true);
    const revision = await revisionOf(filed[2]!.id);
    expect((await as("901", (u) => changeStatus(u, filed[2]!.id, revision, "declined", { comment: "Не к нам" }))).ok).toBe(true);
    await staff.press(tr("ru", "lists-filter-assignee", { value: tr("ru", "lists-assignee-any") }));
    await staff.press(tr("ru", "lists-assignee-me"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: 1, total: 1 }));
    expect(staff.last().text).toContain(filed[0]!.ref);
    await staff.press(tr("ru", "lists-filter-assignee", { value: tr("ru", "lists-assignee-me") }));
    await staff.press(tr("ru", "lists-assignee-none"));
    // Open problems nobody took: all but problem 0 and the declined problem 2.
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: PAGE_SIZE, total: PAGE_SIZE }));
    await staff.press(tr("ru", "lists-filter-assignee", { value: tr("ru", "lists-assignee-none") }));
    await staff.press(tr("ru", "lists-assignee-any"));
    await staff.press(tr("ru", "lists-filter-status", { value: tr("ru", "lists-status-open") }));
    await staff.press(tr("ru", "problem-status-declined"));
    expect(staff.last().text).toContain(tr("ru", "lists-range", { from: 1, to: 1, total: 1 }));
    expect(staff.last().text).toContain(filed[2]!.ref);
    await staff.press(tr("ru", "lists-filter-status", { value: tr("ru", "problem-status-declined") }));
    await staff.press(tr("ru", "lists-status-all"));
    // No staff reply yet: all but problem 1 (the declined one got its reason as a status comment).
    await staff.press(tr("ru", "lists-filter-unanswered-off"));
    const unanswered = staff.last().text;
    expect(unanswered).toContain(tr("ru", "lists-filter-unanswered-line"));
    expect(unanswered).not.toContain(filed[1]!.ref);
  });

  it("opens a problem's card from the list with notes, the timeline and the post's buttons; a staff member whose role was revoked is refused", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await member("100", 1, "Алма <Текстиль> & Co", "almaty-city");
    const kept = await h.files.keep(new TextEncoder().encode("Акт сверки"), "document", { name: "act.txt" });
    if (!("kept" in kept)) throw new Error("not kept");
    const stored = await h.db.transaction((tx) => recordStoredFile(tx, kept.kept, new Date()));
    const p = await report("100", {
      title: "Пошлина <b>на</b> & сырьё",
      description: "Длинное описание",
      anonymous: true,
      category: "customs-export",
      files: [{ fileId: stored.id, name: "act.txt", kind: "document" }],
    });
    expect((await as("901", (u) => addNote(u, p.id, "Внутреннее: позвонить в министерство"))).ok).toBe(true);
    const staff = h.person("900", { language: "en" });
    await staff.send("/problems");
    await staff.press(new RegExp(p.ref));
    const card = newest(staff, tr("en", "lists-card-timeline"))!;
    expect(card).toBeDefined();
    expect(card.text).toContain(`${p.ref}: Пошлина <b>на</b> & сырьё`);
    expect(card.text).toContain(tr("en", "lists-card-anonymous"));
    expect(card.text).toContain("Алма <Текстиль> & Co");
    expect(card.text).toContain("Внутреннее: позвонить в министерство");
    expect(card.text).toContain(tr("en", "lists-card-focus"));
    const rev = (await revisionOf(p.id)).toString(36);
    expect(card.message.choices!.flat().map((b) => b.data)).toEqual([`ps:t:${p.id}:${rev}`, `ps:s:${p.id}:${rev}`, `ps:n:${p.id}`]);
    const tagged = await h.db.transaction((tx) => tx.sentMessage.findFirst({ where: { chatId: "900", tag: `problem:${p.id}:card` } }));
    expect(tagged?.messageId).toBe(card.messageId);
    // The files of the problem follow the card.
    const files = newest(staff, tr("en", "lists-card-files", { ref: p.ref, count: 1 }))!;
    expect(files.files.map((f) => [f.name, Buffer.from(f.bytes).toString("utf8")])).toEqual([["act.txt", "Акт сверки"]]);
    // The card's Take is the post's Take (staff-buttons.ts).
    await staff.pressData(`ps:t:${p.id}:${rev}`);
    const taken = await h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id: p.id } }));
    expect(taken.assigneeId).not.toBeNull();

    // Focused on the problem: the next message goes to the member (and into the thread), until the menu is opened.
    const reporter = h.person("100", { language: "ru" });
    reporter.fresh();
    await staff.send("We are asking the ministry <today> & will write back");
    expect(reporter.fresh().join("\n")).toContain("We are asking the ministry <today> & will write back");
    await staff.send("/menu");
    await staff.send("A remark to nobody");
    expect(reporter.fresh().join("\n")).not.toContain("A remark to nobody");
    // A reply to the card reaches the member still.
    await staff.send("Second answer", { replyTo: card.messageId });
    expect(reporter.fresh().join("\n")).toContain("Second answer");

    // The role revoked while the list is shown: the next press is refused and audited.
    await staff.send("/problems");
    staff.fresh();
    await h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "900" } } }, data: { role: "member" } }));
    const refused = await staff.press(new RegExp(p.ref));
    expect(refused.notice).toBe(tr("en", "error-not-allowed"));
    expect(staff.fresh().join("\n")).not.toContain("Внутреннее");
    expect((await audit()).filter((x) => x.outcome === "denied").map((x) => x.action)).toContain("problem.card");
  });
});

describe("/problem <ref>", () => {
  it("opens the staff card for staff, answers an unknown reference, and refuses a member another enterprise's problem", { timeout: 60_000 }, async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await member("100", 1, "Алма Текстиль", "almaty-city");
    const other = await member("200", 2, "Astana Wool", "astana");
    const p = await report("100", { title: "Секретная проблема", description: "Только для своих" });
    const staff = h.person("900", { language: "ru" });
    await staff.send(`/problem ${p.ref.toLowerCase()}`);
    const card = newest(staff, tr("ru", "lists-card-timeline"))!;
    expect(card.text).toContain("Секретная проблема");
    expect(card.text).toContain("Алма Текстиль");
    await staff.send("/problem QT-1999-0001 <b>");
    expect(staff.fresh().join("\n")).toContain(tr("ru", "lists-ref-unknown", { ref: "QT-1999-0001 <b>" }));

    other.fresh();
    await other.send(`/problem ${p.ref}`);
    const said = other.fresh().join("\n");
    expect(said).not.toContain("Секретная проблема");
    expect(said).not.toContain("Только для своих");
    expect((await audit()).filter((x) => x.outcome === "denied" && x.actorRef === "telegram:200")).not.toHaveLength(0);
  });
});

describe("in the staff group", () => {
  it("/problems shows the first page and where to find the rest, without a question waiting; /stats answers there too", { timeout: 60_000 }, async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: GROUP } } });
    await member("100", 1, "Алма Текстиль", "almaty-city");
    const p = await report("100", { title: "Групповая <i>проблема</i>" });
    const staff = h.inGroup(GROUP, "900", { language: "en" });
    await staff.send("/problems");
    const page = newest(staff, tr("en", "lists-group-hint"))!;
    expect(page.text).toContain(p.ref);
    expect(page.text).toContain("Групповая <i>проблема</i>");
    expect(page.message.choices ?? []).toEqual([]);
    expect(await h.db.transaction((tx) => tx.dialogState.count({ where: { key: { startsWith: `telegram:${GROUP}:` } } }))).toBe(0);
    await staff.send("/stats");
    expect(newest(staff, tr("en", "lists-stats-title"))).toBeDefined();
    // No file with enterprise names in the group.
    await staff.send("/export");
    expect(staff.last().text).toBe(tr("en", "lists-export-private"));
    expect(staff.messages().some((m) => m.files.length)).toBe(false);
  });
});

describe("/stats", () => {
  it("counts by status, category and region, with medians and the most-joined problems, in the staff member's language", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await member("100", 1, "Алма Текстиль", "almaty-city");
    await member("200", 2, "Astana Wool", "astana");
    const a = await report("100", { title: "Сырьё дорожает", category: "raw-materials" });
    await report("200", { title: "НДС", category: "taxes" });
    await as("901", (u) => addStaffReply(u, a.id, { text: "Ответ", files: [] }));
    const staff = h.person("900", { language: "kk" });
    await staff.send("/stats");
    const text = newest(staff, tr("kk", "lists-stats-title"))!.text;
    expect(text).toContain(tr("kk", "lists-stats-title"));
    expect(text).toContain(`${tr("kk", "problem-cat-raw-materials")}: 1`);
    expect(text).toContain(`${tr("kk", "region-astana")}: 1`);
    expect(text).toContain(`${tr("kk", "problem-status-new")}: 2`);
    expect(text).toContain(tr("kk", "lists-duration-under-hour"));
  });
});

describe("CSV export", () => {
  it("sends the file for government bodies without the names of anonymous enterprises; the internal one names them", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    await member("100", 1, "Тайное; \"ТОО\"", "almaty-city");
    await member("200", 2, "Открытое ТОО", "astana");
    await report("100", { title: "Секрет;\n\"кавычки\"", anonymous: true });
    await report("200", { title: "Обычная", anonymous: false });
    const staff = h.person("900", { language: "ru" });
    await staff.send("/export");
    await staff.press(tr("ru", "lists-export-government"));
    const sent = [...staff.messages()].reverse().find((m) => m.files.length)!;
    expect(sent.text).toBe(tr("ru", "lists-export-sent-government", { count: 2 }));
    const file = sent.files[0]!;
    expect(file).toMatchObject({ kind: "document" });
    expect(file.name).toMatch(/\.csv$/);
    const bytes = Buffer.from(file.bytes);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString("utf8");
    expect(csv).toContain("Открытое ТОО");
    expect(csv).not.toContain("Тайное");
    // A title with the separator, quotes and a newline is one quoted field.
    expect(csv).toContain('"Секрет;\n""кавычки"""');

    await staff.send("/problems");
    await staff.press(tr("ru", "lists-export-button"));
    await staff.press(tr("ru", "lists-export-internal"));
    const last = [...staff.messages()].reverse().find((m) => m.files.length)!;
    expect(last.text).toBe(tr("ru", "lists-export-sent-internal", { count: 2 }));
    const internal = Buffer.from(last.files[0]!.bytes).toString("utf8");
    expect(internal).toContain('"Тайное; ""ТОО"""');
  });
});
