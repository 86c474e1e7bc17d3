/**
 * Staff's announcement screens (issue 8 item 5): `/announce` and the menu entry "Announcement"
 * (compose: languages, a text per language, an optional photo or document, the audience, then a
 * screen with the recipients per language and Preview, Test to me, Send now, Schedule, Edit,
 * Cancel), and `/broadcasts` (recent ones with their figures; one opened, with the CSV of its
 * failures). Every flow checks `broadcast.send` itself when it starts and the services check it
 * again on every call (service.ts); the database is reached only through those services inside `d.act`.
 *
 * The draft lives in the flow until a step needs it saved (preview, test, send, schedule); an edit
 * after that updates the saved draft (updateBroadcast) when a step needs it again.
 */
import type { Dialog, FlowExit, Json, Option } from "../dialog/dialog.ts";
import { fail, ok } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { Translate } from "../message.ts";
import { authorize, type Permission } from "../permissions.ts";
import { rich } from "../rich-text.ts";
import type { Turn } from "../turn.ts";
import { cleanText, codePointLength, truncate } from "../text.ts";
import { localDateTime } from "../members/render.ts";
import { REGIONS, type RegionCode } from "../members/regions.ts";
import { SECTORS, type SectorCode } from "../members/sectors.ts";
import { fileRefusalLabel } from "../files/fetch.ts";
import { keepOwnFile } from "../files/records.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import { FALLBACK_ORDER, listEvents, type Texts } from "../events/service.ts";
import type { Audience, EventAnswerFilter } from "./audience.ts";
import { pacedCountLines } from "./render.ts";
import {
  broadcastFigures,
  cancelBroadcast,
  countRecipients,
  createBroadcast,
  failuresCsv,
  previewBroadcast,
  recentBroadcasts,
  scheduleBroadcast,
  sendTest,
  startBroadcast,
  type BroadcastDraft,
  type BroadcastFigures,
  type RecipientCount,
  updateBroadcast,
} from "./service.ts";
import { parseLocalDateTime } from "../time.ts";

const SEND: Permission = { action: "broadcast.send" };

/**
 * The longest text per language, in code points. Telegram takes 4,096 characters in a message
 * (the adapter splits a longer text into several messages) and the service adds the line on how
 * to stop announcements, so a text stays one message when within this.
 */
/**
 * A broadcast's figures for staff, read in one recorded step: null (and the person told why) when
 * they may not (audited as `auditAction`) or it is gone.
 */
async function staffFigures(d: Dialog, id: number, auditAction: string): Promise<BroadcastFigures | null> {
  return d.act("figures", async (turn) => {
    if (!(await staffOnly(turn, auditAction))) return null;
    const r = await broadcastFigures(turn.unit, id);
    if (!r.ok) {
      await turn.answer(refusalKey(r.reason));
      return null;
    }
    return r.figures;
  });
}

export const TEXT_MAX = 3800;
/**
 * Telegram's caption limit (channels/telegram/translate.ts CAPTION_LIMIT): with a file, a text up
 * to this goes as its caption; a longer one is sent by the adapter as a message of its own.
 */
export const CAPTION_MAX = 1024;
/** Broadcasts per page of `/broadcasts`. */
export const LIST_SIZE = 8;
/** Enterprise statuses staff can choose (members/status.ts): member enterprises, and suspended ones. */
export const STATUS_CHOICES = ["active", "ownerless", "suspended"] as const;
const ANSWER_CHOICES: readonly EventAnswerFilter[] = ["going", "maybe", "no", "none"];

type FileChoice = BroadcastDraft["file"];

/** The compose flow's state (JSON: kept in the flow's replay). */
interface Compose {
  locales: Locale[];
  texts: Texts;
  file: FileChoice;
  audience: Audience;
}

/** A service refusal's answer: each reason is a locale key of its own (branch `broadcast`: "broadcast-past", ...). */
export function refusalKey(reason: string): string {
  return reason;
}

async function staffOnly(turn: Turn, action: string): Promise<boolean> {
  return authorize(turn, SEND, action);
}

const langName = (t: Translate, l: Locale): string => t(`compose-lang-${l}`);

/** The text a reader of `locale` gets: their own, else the first present in FALLBACK_ORDER. */
export function textLocaleFor(texts: Texts, locale: Locale): Locale | null {
  if (texts[locale]) return locale;
  return FALLBACK_ORDER.find((l) => !!texts[l]) ?? null;
}

/**
 * Chooses some of `all` by toggling (one at least): each press adds or removes one, "Done" ends;
 * "Done" with none chosen is answered with `empty` and asked again.
 */
async function pickSome<I extends string>(
  d: Dialog,
  prompt: string,
  all: readonly I[],
  label: (t: Translate, v: I) => string,
  empty: string,
  columns: number,
  initial: readonly I[] = [],
): Promise<I[]> {
  let chosen: I[] = [...initial];
  for (;;) {
    const now = chosen;
    const options: Option[] = [
      ...all.map((v): Option => ({ id: v, label: (t: Translate) => `${now.includes(v) ? "✅ " : ""}${label(t, v)}` })),
      { id: "=done", label: "compose-done" },
    ];
    const pick = await d.choice(
      (t) => t(prompt, { chosen: now.length ? rich(now.map((v) => label(t, v)).join(", ")) : rich(t("compose-none-chosen")) }),
      options,
      { columns },
    );
    if (pick === "=done") {
      if (chosen.length) return all.filter((v) => chosen.includes(v));
      await d.say(empty);
      continue;
    }
    const v = pick as I;
    chosen = chosen.includes(v) ? chosen.filter((c) => c !== v) : [...chosen, v];
  }
}

/** The text in `l`: cleaned, one letter at least, within TEXT_MAX; each refusal says why and asks again. */
async function askText(d: Dialog, l: Locale): Promise<string> {
  return d.text(
    (t) => t("compose-ask-text", { language: rich(langName(t, l)), max: TEXT_MAX, caption: CAPTION_MAX }),
    (raw) => {
      const r = cleanText(raw, { max: TEXT_MAX, multiline: true });
      if (r.ok) return ok(r.value);
      if (r.reason === "too-long") return fail({ key: "compose-text-too-long", args: { max: TEXT_MAX, length: codePointLength(raw.trim()) } });
      return fail(r.reason === "empty" ? "compose-text-empty" : "compose-text-no-letters");
    },
  );
}

/** An optional photo or document (Skip for none). */
async function askFile(d: Dialog): Promise<FileChoice> {
  return d.ask<FileChoice>({
    prompt: { key: "compose-ask-file", args: { caption: CAPTION_MAX } },
    options: [[{ id: "skip", label: "compose-skip" }]],
    takesFiles: true,
    accept: (event, picked) => {
      if (picked === "skip") return ok(null);
      if (event.type === "file") {
        if (event.refused || !event.stored) return fail(fileRefusalLabel(event.refused ?? "unavailable"));
        return ok({ fileId: event.stored.id, name: event.file.name ? event.file.name.slice(0, 200) : null, kind: event.stored.kind });
      }
      return fail("compose-file-need-file");
    },
  });
}

/** The languages, then the text in each (those already written are asked again: the new answer replaces them). */
async function askTexts(d: Dialog, initial: readonly Locale[]): Promise<{ locales: Locale[]; texts: Texts }> {
  const locales = await pickSome(d, "compose-ask-languages", LOCALES, langName, "compose-languages-empty", 3, initial);
  const texts: Texts = {};
  for (const l of locales) texts[l] = await askText(d, l);
  return { locales, texts };
}

type AudienceKind = "all" | "region" | "sector" | "language" | "status" | "event" | "staff";
const AUDIENCE_KINDS: readonly AudienceKind[] = ["all", "region", "sector", "language", "status", "event", "staff"];

/** An event's title as staff read it: their language, else the fallback. */
const titleIn = (title: Texts, l: Locale): string => title[textLocaleFor(title, l) ?? "ru"] ?? "—";

/** Who receives it: all active members, one filter of them, or staff only. */
async function askAudience(d: Dialog): Promise<Audience> {
  for (;;) {
    const kind = await d.choice(
      "compose-ask-audience",
      AUDIENCE_KINDS.map((k): Option<AudienceKind> => ({ id: k, label: `compose-audience-${k}` })),
      { columns: 1 },
    );
    switch (kind) {
      case "all":
        return { kind: "members" };
      case "staff":
        return { kind: "staff" };
      case "region": {
        const regions = await pickSome<RegionCode>(d, "compose-ask-regions", REGIONS, (t, r) => t(`region-${r}`), "compose-pick-empty", 2);
        return { kind: "members", regions };
      }
      case "sector": {
        const sectors = await pickSome<SectorCode>(d, "compose-ask-sectors", SECTORS, (t, s) => t(`sector-${s}`), "compose-pick-empty", 1);
        return { kind: "members", sectors };
      }
      case "language": {
        const locales = await pickSome(d, "compose-ask-reader-languages", LOCALES, langName, "compose-pick-empty", 3);
        return { kind: "members", locales };
      }
      case "status": {
        const statuses = await pickSome(d, "compose-ask-statuses", STATUS_CHOICES, (t, s) => t(`compose-status-${s}`), "compose-pick-empty", 1);
        return { kind: "members", enterpriseStatuses: statuses };
      }
      case "event": {
        const events = await d.act("events", async (turn) => {
          // Someone no longer staff is told so (listEvents lists nothing for them: not "no events").
          if (!(await staffOnly(turn, "broadcast.compose"))) return null;
          const r = await listEvents(turn.unit, { page: 0, size: 20 });
          const now = turn.unit.now.getTime();
          return r.items
            .filter((e) => e.status === "published" && new Date(e.startsAt).getTime() > now)
            .slice(0, 10)
            .map((e) => ({ id: e.id, title: truncate(titleIn(e.title, turn.locale).replace(/\s+/g, " "), 40), at: localDateTime(new Date(e.startsAt)) }));
        });
        // Refused (and told): the screen that follows checks again and ends the flow, nothing saved.
        if (!events) return { kind: "staff" };
        if (!events.length) {
          await d.say("compose-no-events");
          continue;
        }
        const picked = await d.choice(
          "compose-ask-event",
          events.map((e): Option => ({ id: `e${e.id}`, label: (t) => t("compose-event-button", { title: e.title, date: e.at }) })),
          { columns: 1 },
        );
        const id = Number(picked.slice(1));
        const answers = await pickSome(d, "compose-ask-answers", ANSWER_CHOICES, (t, a) => t(`compose-answer-${a}`), "compose-pick-empty", 2);
        return { kind: "members", event: { id, answers } };
      }
    }
  }
}

/** The audience in words, for the screen. */
export function audienceText(t: Translate, a: Audience, eventTitle?: string): string {
  if (a.kind === "staff") return t("compose-audience-staff");
  const list = (items: string[]) => rich(items.join(", "));
  if (a.regions?.length) return t("compose-audience-is-regions", { list: list(a.regions.map((r) => t(`region-${r}`))) });
  if (a.sectors?.length) return t("compose-audience-is-sectors", { list: list(a.sectors.map((s) => t(`sector-${s}`))) });
  if (a.locales?.length) return t("compose-audience-is-languages", { list: list(a.locales.map((l) => langName(t, l))) });
  if (a.enterpriseStatuses?.length) return t("compose-audience-is-statuses", { list: list(a.enterpriseStatuses.map((s) => t(`compose-status-${s}`))) });
  if (a.event) return t("compose-audience-is-event", { title: eventTitle ?? `#${a.event.id}`, list: list(a.event.answers.map((x) => t(`compose-answer-${x}`))) });
  return t("compose-audience-all");
}

/** The screen before sending: what was written, the file, the audience and the recipients per language. */
export function screenText(t: Translate, c: Compose, count: RecipientCount): string {
  const lines = [
    t("compose-screen-title"),
    t("compose-screen-languages", { list: rich(c.locales.map((l) => langName(t, l)).join(", ")) }),
    c.file ? t(c.file.kind === "photo" ? "compose-screen-photo" : "compose-screen-document", { name: c.file.name ?? "—" }) : t("compose-screen-no-file"),
    t("compose-screen-audience", { audience: rich(audienceText(t, c.audience)) }),
    t("compose-screen-total", { count: count.total }),
    ...pacedCountLines(t, count),
  ];
  for (const l of LOCALES) {
    const n = count.byLocale[l] ?? 0;
    const reads = textLocaleFor(c.texts, l);
    if (reads === l) lines.push(t("compose-screen-per-language", { language: rich(langName(t, l)), count: n }));
    else lines.push(t("compose-screen-per-language-fallback", { language: rich(langName(t, l)), count: n, reads: rich(reads ? langName(t, reads) : "—") }));
  }
  // The service adds the line on how to stop (under 100 characters in every language) to the caption.
  const long = c.file ? c.locales.filter((l) => codePointLength(c.texts[l] ?? "") > CAPTION_MAX - 100) : [];
  if (long.length) lines.push(t("compose-screen-caption-long", { list: rich(long.map((l) => langName(t, l)).join(", ")), max: CAPTION_MAX }));
  if (count.total === 0) lines.push(t("compose-screen-nobody"));
  return lines.join("\n");
}

type ScreenPick = `v${Locale}` | "test" | "send" | "schedule" | "edit" | "cancel";

/** The draft as the service takes it. */
const draftOf = (c: Compose): BroadcastDraft => ({ texts: c.texts, file: c.file, audience: c.audience });

/**
 * `/announce` and the menu entry "Announcement": compose, check, then send now or schedule.
 */
export const announceFlow: FlowDef<Json> = {
  name: "announce",
  version: 1,
  title: "flow-announce",
  async run(d) {
    const allowed = await d.act("allowed", async (turn) => {
      if (!(await staffOnly(turn, "broadcast.compose"))) return "no";
      // A text typed in the staff group would be anyone's answer: composing is done privately.
      return turn.inbound.chatType === "group" ? "group" : "yes";
    });
    if (allowed === "group") return void (await d.say("compose-private-only"));
    if (allowed !== "yes") return;
    const written = await askTexts(d, []);
    const c: Compose = { ...written, file: await askFile(d), audience: await askAudience(d) };
    /** The saved draft (null: none yet), and whether the flow's content changed since it was saved. */
    let saved: number | null = null;
    let dirty = false;
    let round = 0;
    /** Saves the draft, or brings the saved one up to date, when needed; its id, or null when refused (the refusal answered). */
    const ensure = async (): Promise<number | null> => {
      if (saved !== null && !dirty) return saved;
      const draft = draftOf(c);
      const old = saved;
      const id = await d.act(`save${round}`, async (turn) => {
        if (old !== null) {
          const u = await updateBroadcast(turn.unit, old, draft);
          if (u.ok) return old;
          // Ended meanwhile (cancelled from /broadcasts): the author is still composing, so a new draft.
          if (u.reason !== "broadcast-wrong-state" && u.reason !== "broadcast-not-found") {
            await turn.unit.outbox.send(turn.here, { text: refusalKey(u.reason) });
            return null;
          }
        }
        const r = await createBroadcast(turn.unit, draft);
        if (!r.ok) {
          await turn.unit.outbox.send(turn.here, { text: refusalKey(r.reason) });
          return null;
        }
        return r.id;
      });
      if (id !== null) {
        saved = id;
        dirty = false;
      }
      return id;
    };
    /** A draft saved and then given up is cancelled (it never lingers as a draft). */
    const dropSaved = async () => {
      if (saved === null) return;
      const old = saved;
      saved = null;
      await d.act("drop", async (turn) => void (await cancelBroadcast(turn.unit, old)));
    };
    for (;; round++) {
      const count = await d.act("count", async (turn) => {
        if (!(await staffOnly(turn, "broadcast.compose"))) return null;
        return countRecipients(turn.unit, c.audience);
      });
      if (!count) return;
      const view = { ...c };
      const options: Option<ScreenPick>[][] = [
        LOCALES.map((l): Option<ScreenPick> => ({ id: `v${l}`, label: (t) => t("compose-preview-button", { language: rich(langName(t, l)) }) })),
        [{ id: "test", label: "compose-test-button" }],
        [
          { id: "send", label: "compose-send-button" },
          { id: "schedule", label: "compose-schedule-button" },
        ],
        [
          { id: "edit", label: "compose-edit-button" },
          { id: "cancel", label: "compose-cancel-button" },
        ],
      ];
      const pick = await d.choice((t) => screenText(t, view, count), options);
      if (pick.startsWith("v")) {
        const locale = pick.slice(1) as Locale;
        const id = await ensure();
        if (id === null) continue;
        await d.act("preview", async (turn) => {
          const r = await previewBroadcast(turn.unit, id, locale);
          await turn.unit.outbox.send(turn.here, { text: r.ok ? { key: "compose-preview-sent", args: { language: langName((k, a) => turn.t(k, a), locale) } } : refusalKey(r.reason) });
        });
        continue;
      }
      switch (pick) {
        case "test": {
          const id = await ensure();
          if (id === null) continue;
          await d.act("test", async (turn) => {
            const r = await sendTest(turn.unit, id);
            await turn.unit.outbox.send(turn.here, { text: r.ok ? "compose-test-sent" : refusalKey(r.reason) });
          });
          continue;
        }
        case "send": {
          // Someone no longer staff is told so (countRecipients counts nothing for them: not "nobody matches").
          const fresh = await d.act("recount", async (turn) => ((await staffOnly(turn, "broadcast.compose")) ? countRecipients(turn.unit, c.audience) : null));
          if (!fresh) return;
          if (fresh.total === 0) {
            await d.say("compose-screen-nobody");
            continue;
          }
          const confirmText = (t: Translate) => [t("compose-send-confirm", { count: fresh.total }), ...pacedCountLines(t, fresh)].join("\n");
          if (!(await d.confirm(confirmText, "compose-send-yes", "compose-send-no"))) continue;
          const id = await ensure();
          if (id === null) continue;
          const started = await d.act("start", async (turn) => {
            const r = await startBroadcast(turn.unit, id);
            await turn.unit.outbox.send(turn.here, { text: r.ok ? { key: "compose-started", args: { count: r.total } } : refusalKey(r.reason) });
            return r.ok;
          });
          if (started) return;
          continue;
        }
        case "schedule": {
          const id = await ensure();
          if (id === null) continue;
          if (await askSchedule(d, id)) return;
          continue;
        }
        case "cancel": {
          await dropSaved();
          await d.say("compose-cancelled");
          return;
        }
        case "edit": {
          const what = await d.choice(
            "compose-ask-edit",
            [
              [{ id: "texts", label: "compose-edit-texts" }],
              [{ id: "file", label: "compose-edit-file" }],
              [{ id: "audience", label: "compose-edit-audience" }],
              [{ id: "back", label: "compose-edit-back" }],
            ],
          );
          if (what === "back") continue;
          dirty = true;
          if (what === "texts") Object.assign(c, await askTexts(d, c.locales));
          else if (what === "file") c.file = await askFile(d);
          else c.audience = await askAudience(d);
          continue;
        }
      }
    }
  },
};

/**
 * Asks when to send (Asia/Almaty, "15.03.2027 10:00", "15.03 10:00" or ISO) until a readable time
 * in the future is given, then schedules. True once scheduled; false when the service refused
 * otherwise than for the time (answered), back to the screen.
 */
async function askSchedule(d: Dialog, id: number): Promise<boolean> {
  for (let i = 0; ; i++) {
    const typed = await d.text("compose-ask-when", (raw) => (raw.trim() ? ok(raw.trim().slice(0, 40)) : fail("compose-when-unreadable")));
    // The clock is read in an action (replays must see the same answer), not in the parser.
    const outcome = await d.act(`when${i}`, async (turn): Promise<"ok" | "again" | "stop"> => {
      // time.ts (branch `events`): Almaty, "15.03.2027 10:00", "15.03 10:00" or ISO; a past moment refused.
      const parsed = parseLocalDateTime(typed, turn.unit.now);
      if (!parsed.ok) {
        const text = parsed.reason === "time-past" ? { key: "compose-when-past", args: { now: localDateTime(turn.unit.now) } } : "compose-when-unreadable";
        await turn.unit.outbox.send(turn.here, { text });
        return "again";
      }
      const at = parsed.at;
      const r = await scheduleBroadcast(turn.unit, id, at);
      if (r.ok) {
        await turn.unit.outbox.send(turn.here, { text: { key: "compose-scheduled", args: { date: localDateTime(at) } } });
        return "ok";
      }
      await turn.unit.outbox.send(turn.here, { text: refusalKey(r.reason) });
      return r.reason === "broadcast-past" ? "again" : "stop";
    });
    if (outcome === "ok") return true;
    if (outcome === "stop") return false;
  }
}

/** A date shown, or a dash. */
const when = (iso: string | null): string => (iso ? localDateTime(new Date(iso)) : "—");

/** A broadcast's figures, as staff read them (the report, or the progress so far). */
export function figuresText(t: Translate, f: BroadcastFigures): string {
  const lines = [
    t("compose-figures-title", { id: f.id, title: f.title }),
    t("compose-figures-status", { status: rich(t(`compose-bstatus-${f.status}`)) }),
    t("compose-figures-counts", { total: f.total, sent: f.sent, unreachable: f.unreachable, failed: f.failed, left: f.left, cancelled: f.cancelled }),
  ];
  if (f.scheduledAt) lines.push(t("compose-figures-scheduled", { date: when(f.scheduledAt) }));
  if (f.startedAt) lines.push(t("compose-figures-started", { date: when(f.startedAt) }));
  if (f.finishedAt) lines.push(t("compose-figures-finished", { date: when(f.finishedAt) }));
  return lines.join("\n");
}

/** One line of `/broadcasts`. */
function itemLine(t: Translate, n: number, f: BroadcastFigures): string {
  const date = f.startedAt ?? f.scheduledAt ?? f.finishedAt;
  return t("compose-list-item", { n, title: truncate(f.title.replace(/\s+/g, " "), 40), status: rich(t(`compose-bstatus-${f.status}`)), sent: f.sent, total: f.total, failed: f.failed + f.unreachable, date: when(date) });
}

/** `/broadcasts`: the most recent announcements, newest first, a page at a time; one opened shows its figures. */
export const broadcastsFlow: FlowDef<Json> = {
  name: "broadcasts",
  version: 1,
  title: "flow-broadcasts",
  async run(d, args) {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    let page = typeof a.page === "number" && Number.isInteger(a.page) && a.page >= 0 && a.page < 10_000 ? a.page : 0;
    // In the staff group a question would wait for this member's reply: the first page's figures
    // as a message, and where to open one (as /problems there).
    const group = await d.act("group", async (turn) => {
      if (turn.inbound.chatType !== "group") return false;
      if (!(await staffOnly(turn, "broadcast.list"))) return true;
      const r = await recentBroadcasts(turn.unit, { page: 0, size: LIST_SIZE });
      if (!r.ok) {
        await turn.answer(refusalKey(r.reason));
        return true;
      }
      const lines = (t: Translate) =>
        r.items.length
          ? [t("compose-list-title"), t("compose-list-range", { from: 1, to: r.items.length, total: r.total }), r.items.map((f, i) => itemLine(t, i + 1, f)).join("\n\n"), t("compose-list-group-hint")].join("\n\n")
          : t("compose-list-empty");
      await turn.unit.outbox.send(turn.here, { text: lines });
      return true;
    });
    if (group) return;
    for (;;) {
      const view = page;
      const r = await d.act(`page${view}`, async (turn) => {
        if (!(await staffOnly(turn, "broadcast.list"))) return null;
        const r = await recentBroadcasts(turn.unit, { page: view, size: LIST_SIZE });
        if (!r.ok) {
          await turn.answer(refusalKey(r.reason));
          return null;
        }
        return { items: r.items, total: r.total };
      });
      if (!r) return;
      if (!r.items.length) {
        if (view > 0 && r.total > 0) {
          page = Math.floor((r.total - 1) / LIST_SIZE);
          continue;
        }
        return void (await d.say("compose-list-empty"));
      }
      const from = view * LIST_SIZE + 1;
      const rows: Option[][] = r.items.map((f, i) => [{ id: `b${f.id}`, label: (t: Translate) => t("compose-list-button", { n: from + i, title: truncate(f.title.replace(/\s+/g, " "), 28) }) }]);
      const nav: Option[] = [];
      if (view > 0) nav.push({ id: "prev", label: "compose-list-prev" });
      if ((view + 1) * LIST_SIZE < r.total) nav.push({ id: "next", label: "compose-list-next" });
      if (nav.length) rows.push(nav);
      const pick = await d.choice(
        (t) => [t("compose-list-title"), t("compose-list-range", { from, to: from + r.items.length - 1, total: r.total }), r.items.map((f, i) => itemLine(t, from + i, f)).join("\n\n")].join("\n\n"),
        rows,
        { settled: true },
      );
      if (pick === "prev") page = Math.max(0, view - 1);
      else if (pick === "next") page = view + 1;
      else return { next: "broadcast", args: { id: Number(pick.slice(1)), page: view } };
    }
  },
};

/** One broadcast opened from `/broadcasts` (args `{id, page}`): its figures, and its failures as CSV. */
export const broadcastFlow: FlowDef<Json> = {
  name: "broadcast",
  version: 1,
  title: "flow-broadcasts",
  async run(d, args): Promise<FlowExit | void> {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    const id = typeof a.id === "number" && Number.isInteger(a.id) && a.id > 0 ? a.id : 0;
    const page = typeof a.page === "number" && Number.isInteger(a.page) && a.page >= 0 ? a.page : 0;
    const f = await staffFigures(d, id, "broadcast.figures");
    if (!f) return;
    const failures = f.failed + f.unreachable;
    const options: Option[][] = [];
    if (failures > 0) options.push([{ id: "csv", label: { key: "compose-csv-button", args: { count: failures } } }]);
    // A scheduled one has no progress message (with its buttons) yet: it is cancelled from here.
    if (f.status !== "done" && f.status !== "cancelled") options.push([{ id: "cancel", label: "compose-open-cancel" }]);
    options.push([{ id: "back", label: "compose-list-back" }]);
    // The figures stay on screen after the CSV is sent: Back returns to the list's page.
    for (let i = 0; ; i++) {
      const pick = await d.choice((t) => figuresText(t, f), options, { settled: true });
      if (pick === "back") return { next: "broadcasts", args: { page } };
      if (pick === "cancel") return { next: "broadcast-cancel", args: { id } };
      await d.act(`csv${i}`, async (turn) => {
        if (!(await staffOnly(turn, "broadcast.csv"))) return;
        const r = await failuresCsv(turn.unit, id);
        if (!r.ok) return void (await turn.answer(refusalKey(r.reason)));
        const kept = await keepOwnFile(turn.unit.tx, turn.unit.services.files, new TextEncoder().encode(r.csv), { name: r.name }, turn.unit.now);
        await turn.unit.outbox.send(turn.here, { text: { key: "compose-csv-sent", args: { count: r.rows } }, files: [{ fileId: kept.id, name: r.name }] });
      });
    }
  },
};

/**
 * Cancel pressed on a progress message (`bc:c:<id>`, progress-buttons.ts): asks first, naming
 * what is still to send, then cancels. Args `{id}`.
 */
export const cancelBroadcastFlow: FlowDef<Json> = {
  name: "broadcast-cancel",
  version: 1,
  title: "flow-broadcast-cancel",
  async run(d, args) {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    const id = typeof a.id === "number" && Number.isInteger(a.id) && a.id > 0 ? a.id : 0;
    const f = await staffFigures(d, id, "broadcast.cancel");
    if (!f) return;
    if (!(await d.confirm({ key: "compose-cancel-confirm", args: { id: f.id, title: f.title, left: f.left, sent: f.sent } }, "compose-cancel-yes", "compose-cancel-no"))) {
      return void (await d.say("compose-cancel-kept"));
    }
    await d.act("cancel", async (turn) => {
      if (!(await staffOnly(turn, "broadcast.cancel"))) return;
      const r = await cancelBroadcast(turn.unit, id);
      if (r.ok) return void (await turn.unit.outbox.send(turn.here, { text: { key: "compose-cancel-done", args: { id } } }));
      await turn.unit.outbox.send(turn.here, { text: await stateRefusal(turn, id, r.reason, "cancel") });
    });
  },
};

/**
 * Why a pause, resume or cancel was refused, in words: for a wrong state, what state the
 * broadcast is in now (finished, cancelled, not paused...), else the service's reason.
 */
export async function stateRefusal(turn: Turn, id: number, reason: string, verb: "pause" | "resume" | "cancel"): Promise<string> {
  if (reason !== "broadcast-wrong-state") return turn.t(refusalKey(reason));
  const r = await broadcastFigures(turn.unit, id);
  if (!r.ok) return turn.t(refusalKey(r.reason));
  return turn.t(`compose-state-refused-${verb}`, { status: rich(turn.t(`compose-bstatus-${r.figures.status}`)) });
}

export const COMPOSE_FLOWS: FlowDef<never>[] = [announceFlow, broadcastsFlow, broadcastFlow, cancelBroadcastFlow] as FlowDef<never>[];
