/**
 * Several instances on one database (issue 6, item 2): a second core over the harness's database
 * stands for another instance (its own in-memory state and dispatcher; one database handle, see
 * jobs.test.ts). The transaction-scoped locks are no-ops on SQLite, so where they matter the test
 * records that they are taken, and before what.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onPostgres } from "../support/db-template.ts";
import { afterEach, describe, expect, it } from "vitest";
import { sqlOf, type Database, type Sql } from "../../src/db/database.ts";
import { createCore, type Core } from "../../src/core/core.ts";
import { enterpriseById, updateContact } from "../../src/core/members/enterprises.ts";
import { adoptCopy, notifyStaff } from "../../src/core/staff/notices.ts";
import { Outbox } from "../../src/core/outbox/outbox.ts";
import { SYSTEM } from "../../src/core/unit.ts";
import type { Outbound } from "../../src/core/channel.ts";
import { silentLogger } from "../../src/log.ts";
import { applyForMembership, i18n, RecordingChannel, startHarness, tr, type Harness, type TestPerson } from "../support/core-harness.ts";

const ADMINS = [{ channel: "telegram" as const, id: "900" }];
const GROUP = "-100";
let h: Harness | undefined;
const others: Core[] = [];
afterEach(async () => {
  for (const core of others.splice(0)) {
    await core.stop();
    await core.dispatcher.stop();
  }
  await h?.close();
  h = undefined;
});

/** A channel that counts every attempt, refused ones too. */
class CountingChannel extends RecordingChannel {
  readonly attempts: string[] = [];
  override async deliver(chatId: string, outbound: Outbound): Promise<{ messageId: string }> {
    this.attempts.push(chatId);
    return super.deliver(chatId, outbound);
  }
}

/** Another instance on the harness's database, with the same configuration. */
async function secondInstance(harness: Harness, staffChat?: string, admins = ADMINS, opts: { deliver?: boolean } = {}): Promise<{ core: Core; channel: CountingChannel }> {
  const core = createCore({
    db: harness.db,
    i18n: i18n(),
    log: silentLogger,
    settings: { defaultLocale: "ru", admins, ...(staffChat ? { staffChat: { channel: "telegram", chatId: staffChat } } : {}) },
    jobs: { start: false },
  });
  await core.start();
  const channel = new CountingChannel();
  if (opts.deliver !== false) await core.dispatcher.register(channel);
  others.push(core);
  return { core, channel };
}

/** Records the raw statements and locks of `db`'s transactions until `restore` is called. */
async function recordSql(db: Database): Promise<{ log: string[]; restore: () => void }> {
  const sql = await db.transaction(async (tx) => sqlOf(tx));
  const mutable = sql as { -readonly [K in keyof Sql]: Sql[K] };
  const saved = { lock: sql.lock, run: sql.run, get: sql.get, all: sql.all };
  const log: string[] = [];
  mutable.lock = async (key) => {
    log.push(`lock ${key}`);
    return saved.lock(key);
  };
  mutable.run = async (text, ...params) => (log.push(text), saved.run(text, ...params));
  mutable.get = (async (text: string, ...params: Parameters<Sql["get"]>[1][]) => (log.push(text), saved.get(text, ...params))) as Sql["get"];
  mutable.all = (async (text: string, ...params: Parameters<Sql["all"]>[1][]) => (log.push(text), saved.all(text, ...params))) as Sql["all"];
  return { log, restore: () => Object.assign(mutable, saved) };
}

function noticeButton(p: TestPerson, index: 0 | 1): string {
  const notice = [...p.messages()].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:"));
  if (!notice) throw new Error("no staff notice");
  return notice.message.choices![0]![index]!.data;
}

describe("one conversation, one record at a time across instances", () => {
  // These two record the statements through SQLite's one Sql object (a lock is a no-op there, so
  // the order of calls is what can be checked). On PostgreSQL each transaction has its own, and the
  // locks really block: test/db/postgres.test.ts (lock) and test/e2e/cluster.test.ts (two processes).
  it.skipIf(onPostgres)("a turn takes its conversation's lock before it reads the dedup mark or the dialog state", async () => {
    h = await startHarness();
    const rec = await recordSql(h.db);
    try {
      await h.person("100").send("/start");
    } finally {
      rec.restore();
    }
    const first = (what: string) => rec.log.findIndex((s) => s.includes(what));
    expect(rec.log).toContain("lock conversation:telegram:100");
    expect(first("lock conversation:")).toBeLessThan(first(`"ProcessedUpdate"`));
    expect(first("lock conversation:")).toBeLessThan(first(`"DialogState"`));
  });

  it.skipIf(onPostgres)("two staff pressing Approve on two instances: each decision holds the enterprise's lock; one approval", async () => {
    const admins = [...ADMINS, { channel: "telegram" as const, id: "901" }];
    h = await startHarness({ settings: { admins } });
    const b = await secondInstance(h, undefined, admins);
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en");
    const data = noticeButton(h.person("900"), 0);
    const rec = await recordSql(h.db);
    const press = (core: Core, userId: string, n: number) =>
      core.handle({ id: `telegram:press-${n}`, channel: "telegram", chatId: userId, userId, chatType: "private", event: { type: "choice", data } });
    let results;
    try {
      results = await Promise.all([press(h.core, "900", 1), press(b.core, "901", 2)]);
    } finally {
      rec.restore();
    }
    expect(rec.log.filter((s) => s === "lock enterprise:1")).toHaveLength(2);
    expect(results.map((r) => r.notice ?? "").sort(), JSON.stringify(results)).toEqual([tr("ru", "already-active"), tr("ru", "staff-approved-notice")].sort());
    const audit = await h.db.transaction((tx) => tx.auditLog.findMany({ where: { action: "application-approve", outcome: "ok" } }));
    expect(audit).toHaveLength(1);
  });
});

describe("staff buttons name an integer revision", () => {
  it("two edits within one millisecond change the revision; a button shown before is refused, the current one works", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en");
    const admin = h.person("900", { language: "en" });
    const shown = noticeButton(admin, 0);
    const revisions = await h.core.run(SYSTEM, async (unit) => {
      const personId = (await unit.tx.channelIdentity.findFirstOrThrow({ where: { externalId: "100" } })).personId;
      const seen = [(await enterpriseById(unit.tx, 1))!.revised];
      // One unit: both edits at the same `now`, to the millisecond.
      await updateContact(unit.tx, personId, { phone: "+77021112233" }, unit.now);
      seen.push((await enterpriseById(unit.tx, 1))!.revised);
      await updateContact(unit.tx, personId, { phone: "+77021112244" }, unit.now);
      seen.push((await enterpriseById(unit.tx, 1))!.revised);
      return seen;
    });
    expect(new Set(revisions).size).toBe(3);
    expect(shown).toBe(`s:ap:1:${revisions[0]!.toString(36)}`);
    expect((await admin.pressData(shown)).notice).toBe(tr("en", "already-outdated"));
    // A button of the format before integer revisions (a timestamp, ms) is outdated, not a crash.
    const legacy = `s:ap:1:${Date.now().toString(36)}`;
    expect((await admin.pressData(legacy)).notice).toBe(tr("en", "already-outdated"));
    // ... and the notice is shown again with current buttons (notices waiting at the upgrade stay decidable).
    expect(noticeButton(admin, 0)).toBe(`s:ap:1:${revisions[2]!.toString(36)}`);
    // Without a revision (the oldest format): outdated too, although a new record's revision is 0.
    expect((await admin.pressData("s:ap:1")).notice).toBe(tr("en", "already-outdated"));
    expect((await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow())).status).toBe("pending");
    expect((await admin.pressData(`s:ap:1:${revisions[2]!.toString(36)}`)).notice).toBe(tr("en", "staff-approved-notice"));
    expect((await h.db.transaction((tx) => tx.enterprise.findFirstOrThrow())).status).toBe("active");
  });
});

describe("every update of a record staff decide on goes through `revise`", () => {
  it("no update of Enterprise, Membership or EnterpriseChange in src bypasses it", () => {
    const root = fileURLToPath(new URL("../../src", import.meta.url));
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && !f.includes("generated"));
    const bypasses: string[] = [];
    let updates = 0;
    for (const file of files) {
      const text = readFileSync(join(root, file), "utf8");
      for (const m of text.matchAll(/\.(enterprise|membership|enterpriseChange)\.(update|updateMany|upsert)\(/g)) {
        updates++;
        const statement = text.slice(m.index, text.indexOf(");", m.index));
        if (!statement.includes("revise(")) bypasses.push(`${file}: ${statement.slice(0, 80)}`);
      }
      // Raw SQL, if any ever writes them, must raise the revision itself.
      for (const m of text.matchAll(/UPDATE "(Enterprise|Membership|EnterpriseChange)"/g)) {
        const statement = text.slice(m.index, text.indexOf("`", m.index));
        if (!statement.includes(`"revision" = "revision" + 1`)) bypasses.push(`${file}: ${statement.slice(0, 80)}`);
      }
    }
    expect(updates).toBeGreaterThan(10);
    expect(bypasses).toEqual([]);
  });
});

describe("what instances learn about the staff group is shared", () => {
  it("a staff group found unreachable by one instance: the other notifies staff privately, and admins are told once", async () => {
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: GROUP } } });
    h.channel.unreachable.add(GROUP);
    // b starts now, but delivers only after the application: any instance sends any queued row, and
    // the applicant here reads h's channel (b would otherwise deliver some of h's questions).
    const b = await secondInstance(h, GROUP, ADMINS, { deliver: false });
    b.channel.unreachable.add(GROUP);
    await applyForMembership(h.person("100", { language: "ru" }), "ru");
    await h.core.dispatcher.idle();
    await b.core.dispatcher.register(b.channel);
    expect(h.channel.in("900").map((m) => m.text)).toContain(tr("ru", "staff-chat-unreachable"));
    // Instance b: its next unit knows, without trying the group itself.
    expect(await b.core.run(SYSTEM, async (unit) => unit.staffChat.target)).toBeUndefined();
    await b.core.run(SYSTEM, (unit) => notifyStaff(unit, "application", 1));
    await b.core.dispatcher.idle();
    expect(b.channel.attempts).not.toContain(GROUP);
    expect(b.channel.in("900")).toHaveLength(1);
    expect([...h.channel.in("900"), ...b.channel.in("900")].filter((m) => m.text === tr("ru", "staff-chat-unreachable"))).toHaveLength(1);
    // Told once cluster-wide: a second instance recording the outage is not the first.
    const again = await b.core.run(SYSTEM, (unit) => unit.staffChat.recordDown(unit.tx, { channel: "telegram", chatId: GROUP }, unit.now));
    expect(again).toBe(false);
  });

  it("a staff group moved, heard by one instance: the other follows it from its next turn", async () => {
    const NEW = "-1009";
    h = await startHarness({ settings: { admins: ADMINS, staffChat: { channel: "telegram", chatId: GROUP } } });
    const b = await secondInstance(h, GROUP);
    const moved: string[] = [];
    b.core.staffChat.onMove((chat) => moved.push(chat.chatId));
    await h.handle({ id: "telegram:1", channel: "telegram", chatId: GROUP, userId: "1", chatType: "group", event: { type: "chat-moved", from: GROUP, to: NEW } });
    expect(h.core.staffChat.current?.chatId).toBe(NEW);
    // b's next turn, in the new group: the staff group's, not "a group that is not the staff group".
    const r = await b.core.handle({ id: "telegram:2", channel: "telegram", chatId: NEW, userId: "900", chatType: "group", event: { type: "choice", data: "s:ap:1:0" } });
    expect(r.notice).not.toBe(tr("ru", "group-not-staff-chat"));
    expect(b.core.staffChat.current?.chatId).toBe(NEW);
    expect(moved).toEqual([NEW]);
  });
});

describe("a press on a notice whose send is being recorded by another instance", () => {
  // The race exists under PostgreSQL's READ COMMITTED, where each statement of a transaction sees
  // what was committed when it began. SQLite serializes transactions: nothing commits between two
  // reads of one (and a second writer would wait for the first here).
  it.skipIf(!onPostgres)("the copy is not adopted (nor edited) when the record commits between the press's two reads", async () => {
    h = await startHarness({ settings: { admins: ADMINS } });
    const applicant = h.person("100", { language: "en" });
    await applyForMembership(applicant, "en");
    await h.core.dispatcher.idle();
    const notice = [...h.person("900").messages()].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:"));
    expect(notice).toBeDefined();
    const messageId = notice!.messageId;
    // The state while the dispatcher waits to write the platform's answer: the row is being sent, the copy not yet recorded.
    const recorded = await h.db.transaction((tx) => tx.sentMessage.findFirstOrThrow({ where: { chatId: "900", messageId } }));
    await h.db.transaction(async (tx) => {
      await tx.outbox.updateMany({ where: { chatId: "900", tag: recorded.tag }, data: { status: "sending" } });
      await tx.sentMessage.delete({ where: { id: recorded.id } });
    });
    const record = () =>
      h!.db.transaction(async (tx) => {
        await tx.outbox.updateMany({ where: { chatId: "900", tag: recorded.tag }, data: { status: "sent" } });
        await tx.sentMessage.create({ data: { tag: recorded.tag, channel: recorded.channel, chatId: "900", messageId, locale: recorded.locale, createdAt: new Date() } });
      });
    // The dispatcher's record commits right after the press's first read, whichever it is.
    const proto = Outbox.prototype as unknown as Record<"known" | "sending", (...args: unknown[]) => Promise<boolean>>;
    const saved = { known: proto.known, sending: proto.sending };
    let committed = false;
    for (const name of ["known", "sending"] as const) {
      proto[name] = async function (this: unknown, ...args: unknown[]) {
        const answer = await saved[name].apply(this, args);
        if (!committed) {
          committed = true;
          await record();
        }
        return answer;
      };
    }
    const rowsBefore = await h.db.transaction((tx) => tx.outbox.count());
    try {
      await h.core.run(SYSTEM, (unit) => adoptCopy(unit, { channel: "telegram", chatId: "900", messageId, locale: "en" }, "application", 1));
    } finally {
      Object.assign(proto, saved);
    }
    expect(committed).toBe(true);
    await h.core.dispatcher.idle();
    expect(await h.db.transaction((tx) => tx.outbox.count()), "no edit queued for the copy").toBe(rowsBefore);
    expect(await h.db.transaction((tx) => tx.sentMessage.count({ where: { chatId: "900", messageId } }))).toBe(1);
  });
});
