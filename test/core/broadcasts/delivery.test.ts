/**
 * Sending a broadcast (src/core/broadcasts/service.ts): rows written before anything is sent, each
 * recipient's language with the fallback and the /stop line, hostile text escaped, pause, resume
 * and cancel, a restart in the middle, the progress message and the report with a 403 and a 400.
 */
import { afterEach, describe, expect, it } from "vitest";
import { cancelBroadcast, createBroadcast, failuresCsv, pauseBroadcast, PROGRESS_JOB, resumeBroadcast, startBroadcast, broadcastFigures } from "../../../src/core/broadcasts/service.ts";
import { progressTag } from "../../../src/core/broadcasts/render.ts";
import type { Translate } from "../../../src/core/message.ts";
import { tr } from "../../support/core-harness.ts";
import { announcement, delivered, members, send, startBroadcastWorld, type BroadcastWorld } from "./setup.ts";

let w: BroadcastWorld;
afterEach(async () => {
  w.release();
  await w.close();
});

const outboxOf = (id: number) => w.db.transaction((tx) => tx.outbox.findMany({ where: { broadcastId: id }, orderBy: { id: "asc" } }));
const statuses = async (id: number) => {
  const rows = await outboxOf(id);
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};
const broadcast = (id: number) => w.db.transaction((tx) => tx.broadcast.findUniqueOrThrow({ where: { id } }));
/** Runs the progress ticks due after `ms` more. */
async function tick(ms = 3000): Promise<void> {
  await w.core.dispatcher.idle();
  w.later(ms);
  await w.core.jobWorker.tick();
  await w.core.dispatcher.idle();
}
const stop = (locale: "ru" | "kk" | "en") => tr(locale, "broadcast-stop-line");

describe("sending", () => {
  it("writes one bulk row per recipient in the starting transaction, before anything is sent; each gets their language (or the fallback) and the /stop line, hostile text escaped", async () => {
    w = await startBroadcastWorld();
    const ru = await members(w, "10", 2, { locale: "ru" });
    const kk = await members(w, "20", 1, { locale: "kk" });
    const en = await members(w, "30", 1, { locale: "en" });
    const created = await w.run(w.staff, (u) => createBroadcast(u, { texts: { ru: announcement.ru, kk: announcement.kk }, file: null, audience: { kind: "members" } }));
    if (!created.ok) throw new Error(created.reason);
    const seen = await w.run(w.staff, async (u) => {
      const r = await startBroadcast(u, created.id);
      // Inside the transaction: every row is there, nothing has gone out.
      const rows = await u.tx.outbox.findMany({ where: { broadcastId: created.id } });
      return { r, rows: rows.map((x) => [x.chatId, x.lane, x.status]).sort(), sentSoFar: w.channel.messages.filter((m) => m.chatId !== "900").length };
    });
    expect(seen.r).toEqual({ ok: true, total: 4 });
    expect(seen.rows).toEqual([...ru.chats, ...kk.chats, ...en.chats].map((c) => [c, "bulk", "queued"]).sort());
    expect(seen.sentSoFar).toBe(0);
    await w.core.dispatcher.idle();
    expect(delivered(w, "100")).toEqual([`${announcement.ru}\n\n${stop("ru")}`.replace(/<\/?i>/g, "")]);
    expect(delivered(w, "200")).toEqual([`${announcement.kk}\n\n${stop("kk")}`.replace(/<\/?i>/g, "")]);
    // English is missing: Russian first in the fallback order; the stop line in English.
    expect(delivered(w, "300")).toEqual([`${announcement.ru}\n\n${stop("en")}`.replace(/<\/?i>/g, "")]);
    // The typed "<b>" and "&" are text, not markup.
    expect(w.channel.in("100")[0]!.message.text).toContain("Съезд &lt;b&gt;ассоциации&lt;/b&gt; &amp; встреча");
    const b = await broadcast(created.id);
    expect(b).toMatchObject({ status: "sending", total: 4 });
    expect(b.startedAt).toEqual(w.now);
    // The author sees the progress message, with pause and cancel.
    const progress = w.channel.in("900");
    expect(progress).toHaveLength(1);
    expect(progress[0]!.message.choices?.flat().map((c) => c.data)).toEqual([`bc:p:${created.id}`, `bc:c:${created.id}`]);
  });

  it("pause holds the rows still queued (sends in flight finish), resume sends the rest, each recipient once; the progress job ends with the report", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 40);
    w.hold();
    const { id } = await send(w);
    await w.run(w.staff, (u) => pauseBroadcast(u, id));
    const inFlight = (await statuses(id)).sending ?? 0;
    expect(await statuses(id)).toEqual({ held: 40 - inFlight, ...(inFlight ? { sending: inFlight } : {}) });
    expect((await broadcast(id)).status).toBe("paused");
    w.release();
    await w.core.dispatcher.idle();
    // Held rows are not sent and hold nothing back.
    const afterPause = chats.filter((c) => delivered(w, c).length).length;
    expect(afterPause).toBe(inFlight);
    expect(await statuses(id)).toEqual({ held: 40 - inFlight, ...(inFlight ? { sent: inFlight } : {}) });
    // A pause while paused is refused.
    expect(await w.run(w.staff, (u) => pauseBroadcast(u, id))).toEqual({ ok: false, reason: "broadcast-wrong-state" });
    expect(await w.run(w.staff, (u) => resumeBroadcast(u, id))).toEqual({ ok: true });
    await w.core.dispatcher.idle();
    for (const c of chats) expect(delivered(w, c)).toHaveLength(1);
    expect(await statuses(id)).toEqual({ sent: 40 });
    // The progress message follows: paused, resumed, then the report replaces it.
    await tick();
    const b = await broadcast(id);
    expect(b).toMatchObject({ status: "done", sentCount: 40, unreachableCount: 0, failedCount: 0 });
    const progress = w.channel.in("900");
    expect(progress).toHaveLength(1);
    expect(progress[0]!.text).toContain(tr("ru", "broadcast-report", { id, sent: 40, total: 40 }));
    expect(progress[0]!.message.choices ?? []).toEqual([]);
    const audit = await w.db.transaction((tx) => tx.auditLog.findMany({ where: { subject: `broadcast:${id}` }, orderBy: { id: "asc" } }));
    expect(audit.map((a) => a.action)).toEqual(["broadcast.create", "broadcast.start", "broadcast.pause", "broadcast.resume"]);
    // No further tick is scheduled once it is done.
    expect(await w.db.transaction((tx) => tx.job.count({ where: { kind: PROGRESS_JOB, status: "queued" } }))).toBe(0);
  });

  it("cancel: rows queued or held are cancelled and never sent; the report says so; pruned like finished rows", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 30);
    w.hold();
    const { id } = await send(w);
    await w.run(w.staff, (u) => pauseBroadcast(u, id));
    expect(await w.run(w.staff, (u) => cancelBroadcast(u, id))).toEqual({ ok: true });
    const inFlight = (await statuses(id)).sending ?? 0;
    expect(await statuses(id)).toEqual({ cancelled: 30 - inFlight, ...(inFlight ? { sending: inFlight } : {}) });
    w.release();
    await tick();
    expect(chats.filter((c) => delivered(w, c).length).length).toBe(inFlight);
    const b = await broadcast(id);
    expect(b).toMatchObject({ status: "cancelled", sentCount: inFlight });
    expect(w.channel.in("900")[0]!.text).toContain(tr("ru", "broadcast-report-cancelled", { id, sent: inFlight, total: 30 }));
    expect((await outboxOf(id)).filter((r) => r.status === "cancelled").every((r) => r.payload === "")).toBe(true);
    expect(await w.run(w.staff, (u) => resumeBroadcast(u, id))).toEqual({ ok: false, reason: "broadcast-wrong-state" });
    // Pruned with the finished rows after the retention.
    const { housekeeping } = await import("../../../src/core/core.ts");
    const pruned = await w.db.transaction((tx) => housekeeping(tx, new Date(w.now.getTime() + 31 * 86_400_000), 30));
    expect(pruned.outbox).toBeGreaterThanOrEqual(30);
    expect(await outboxOf(id)).toEqual([]);
    // The figures stay (kept in the row).
    const f = await w.run(w.staff, (u) => broadcastFigures(u, id));
    expect(f.ok && f.figures).toMatchObject({ status: "cancelled", sent: inFlight, total: 30, cancelled: 30 - inFlight });
  });

  it("a restart in the middle sends every recipient once (what was in flight finishes, the rest goes on)", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "7", 40);
    w.hold();
    await send(w);
    // Some sends are in flight and held at the gate; the instance stops; they finish.
    const stopping = w.restart();
    w.release();
    await stopping;
    await w.core.dispatcher.idle();
    for (const c of chats) expect(delivered(w, c)).toHaveLength(1);
  });

  it("the report counts a blocked recipient (403: unreachable) and a refused one (400: failed, with the reason); the failures CSV names enterprise, person, channel and reason", async () => {
    w = await startBroadcastWorld();
    const { chats } = await members(w, "10", 4);
    w.channel.unreachable.add(chats[1]!);
    w.rejected.add(chats[2]!);
    const { id } = await send(w);
    await tick();
    const b = await broadcast(id);
    expect(b).toMatchObject({ status: "done", total: 4, sentCount: 2, unreachableCount: 1, failedCount: 1 });
    const report = w.channel.in("900")[0]!.text;
    expect(report).toBe(
      [
        tr("ru", "broadcast-report", { id, sent: 2, total: 4 }),
        tr("ru", "broadcast-report-unreachable", { count: 1 }),
        tr("ru", "broadcast-report-failed", { count: 1 }),
        tr("ru", "broadcast-report-reason", { reason: "Bad Request: chat not found", count: 1 }),
      ].join("\n"),
    );
    // The blocked address is marked: the next broadcast leaves it out.
    const again = await send(w);
    expect(again.total).toBe(3);
    const csv = await w.run(w.staff, (u) => failuresCsv(u, id));
    expect(csv).toEqual({
      ok: true,
      name: `broadcast-${id}-failures.csv`,
      rows: 2,
      csv: `\ufeffПредприятие;Получатель;Канал;Причина\r\nTextile LLP;Member 101;telegram;заблокировал бота или недоступен\r\nTextile LLP;Member 102;telegram;Bad Request: chat not found\r\n`,
    });
  });

  it("the progress message is edited only when its figures change", async () => {
    w = await startBroadcastWorld();
    await members(w, "7", 5);
    w.hold();
    const { id } = await send(w);
    const toAuthor = () => w.db.transaction((tx) => tx.outbox.findMany({ where: { chatId: "900" }, select: { payload: true, status: true } }));
    // Ticks while nothing moves (every send waits at the gate): no edit is queued.
    for (let i = 0; i < 3; i++) {
      w.later(3000);
      await w.core.jobWorker.tick();
    }
    expect((await toAuthor()).length).toBe(1);
    w.release();
    await w.core.dispatcher.idle();
    await tick();
    const after = w.channel.in("900");
    expect(after).toHaveLength(1);
    expect(after[0]!.text).toContain(tr("ru", "broadcast-report", { id, sent: 5, total: 5 }));
    expect(after[0]!.edited).toBe(1);
  });

  it("the progress text shows sent of total, the rate and the time left in the author's language (plural minutes)", async () => {
    const { progressText } = await import("../../../src/core/broadcasts/render.ts");
    const t: Translate = (key, args) => tr("ru", key, args);
    const f = { id: 7, kind: "announcement" as const, status: "sending" as const, total: 1000, sent: 400, unreachable: 2, failed: 1, left: 597, cancelled: 0, rate: 28.5, etaSeconds: 21, startedAt: null, finishedAt: null, scheduledAt: null, title: "" };
    expect(progressText(t, f)).toBe(
      [tr("ru", "broadcast-progress", { id: 7, sent: 400, total: 1000 }), tr("ru", "broadcast-progress-problems", { unreachable: 2, failed: 1 }), tr("ru", "broadcast-progress-rate", { rate: 28.5, minutes: 1 })].join("\n"),
    );
    expect(tr("ru", "broadcast-progress-rate", { rate: 28.5, minutes: 5 })).toContain("5 минут");
    w = await startBroadcastWorld();
  });
});
