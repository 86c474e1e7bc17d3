/**
 * Staff's work on events as dialogs (issue 8 items 1, 2 and 4): the list (`/events`, menu entry
 * "Events") with "New event"; creating one, one question at a time (languages, then title and
 * description per language, the time, the venue, an optional map point, capacity, RSVP deadline,
 * reminders), a summary with edits and Save; an event's card with Edit (any field; a new time is a
 * reschedule), Cancel (with a reason), Publish (to an audience), Attendees (paged) and Export CSV.
 *
 * Every step that reads or writes checks `event.manage` (permissions.ts; the role is read fresh)
 * inside `d.act` and reaches the database only through events/service.ts (broadcasts/service.ts
 * publishEvent to publish). Times are read in Asia/Almaty (typed-time.ts); whether a time is past
 * depends on the clock, so it is judged inside `d.act` (recorded), never in a replayed `accept`.
 */
import { fail, ok, type Dialog, type FlowExit, type Json, type Option, type Parse } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import type { Label, Translate } from "../message.ts";
import { authorize, type Permission } from "../permissions.ts";
import { rich } from "../rich-text.ts";
import { cleanText, truncate } from "../text.ts";
import type { Turn } from "../turn.ts";
import { keepOwnFile } from "../files/records.ts";
import { REGIONS } from "../members/regions.ts";
import { SECTORS } from "../members/sectors.ts";
import { LOCALES, type Locale } from "../../i18n/locales.ts";
import type { Audience } from "../broadcasts/audience.ts";
import { countRecipients, publishEvent, type RecipientCount } from "../broadcasts/service.ts";
import { pacedCountLines } from "../broadcasts/render.ts";
import { eventTime, parseEventTime } from "./typed-time.ts";
import {
  attendees,
  attendeesCsv,
  cancelEvent,
  createEvent,
  DEFAULT_REMINDERS,
  eventForStaff,
  FALLBACK_ORDER,
  listEvents,
  updateEvent,
  type Attendee,
  type EventInput,
  type EventView,
  type Texts,
} from "./service.ts";

/** Events per page of the staff list. */
export const EVENTS_PAGE = 8;
/** Attendee lines per page. */
export const ATTENDEES_PAGE = 15;
/** Longest title, venue and description (code points); a Telegram message holds 4,096. */
export const TITLE_MAX = 200;
export const VENUE_MAX = 300;
export const DESCRIPTION_MAX = 2000;
/** The largest capacity accepted (delegates): larger is a typo. */
export const CAPACITY_MAX = 100_000;
/** Reminders: at most this many, each at most 30 days (in minutes) before the start. */
export const REMINDERS_MAX = 5;
export const REMINDER_MAX_MINUTES = 30 * 24 * 60;

const MANAGE: Permission = { action: "event.manage" };

/** What a staff member is typing or changing: an event's fields, some still unanswered. */
export interface Draft {
  langs: Locale[];
  title: Texts;
  description: Texts;
  startsAt: string | null;
  venue: string | null;
  location: { latitude: number; longitude: number } | null;
  capacity: number | null;
  rsvpDeadline: string | null;
  reminders: number[];
}

type Field = "languages" | "texts" | "time" | "venue" | "location" | "capacity" | "deadline" | "reminders";
const FIELDS: readonly Field[] = ["languages", "texts", "time", "venue", "location", "capacity", "deadline", "reminders"];

/** A text in `locale`, else the first present in FALLBACK_ORDER ("" when none). */
export function textIn(texts: Texts, locale: Locale): string {
  return texts[locale] ?? FALLBACK_ORDER.map((l) => texts[l]).find((v) => v !== undefined) ?? "";
}

/** Checks the actor may manage events; a refusal is answered and audited as `action`. */
const manage = (turn: Turn, action: string, subject?: string): Promise<boolean> => authorize(turn, MANAGE, action, subject);

/** The locale key answering a service refusal ("event-outdated" → "evf-refused-event-outdated"). */
export const refusalKey = (reason: string): string => `evf-refused-${reason}`;

// ---------------------------------------------------------------------------------------------
// Rendering

/** Minutes before the start in words: "1 day", "2 hours", "30 minutes" (Fluent plurals). */
export function reminderText(t: Translate, minutes: number): string {
  if (minutes % 1440 === 0) return t("evf-reminder-days", { count: minutes / 1440 });
  if (minutes % 60 === 0) return t("evf-reminder-hours", { count: minutes / 60 });
  return t("evf-reminder-minutes", { count: minutes });
}

const remindersText = (t: Translate, list: number[]): string => (list.length ? list.map((m) => reminderText(t, m)).join(", ") : t("evf-reminders-none"));

/** The fields of an event (or a draft) as lines, texts per language (as typed, escaped). */
export function fieldsText(t: Translate, e: Draft): string {
  const lines: string[] = [];
  for (const l of e.langs) {
    const language = rich(t(`evf-language-${l}`));
    lines.push(t("evf-field-title", { language, text: e.title[l] ?? "—" }));
    lines.push(t("evf-field-description", { language, text: e.description[l] ?? "—" }));
  }
  lines.push(t("evf-field-time", { time: e.startsAt ? eventTime(e.startsAt) : "—" }));
  lines.push(t("evf-field-venue", { venue: e.venue ?? "—" }));
  lines.push(e.location ? t("evf-field-location", { lat: e.location.latitude.toFixed(5), lon: e.location.longitude.toFixed(5) }) : t("evf-field-location-none"));
  lines.push(e.capacity === null ? t("evf-field-capacity-none") : t("evf-field-capacity", { count: e.capacity }));
  lines.push(e.rsvpDeadline ? t("evf-field-deadline", { time: eventTime(e.rsvpDeadline) }) : t("evf-field-deadline-none"));
  lines.push(t("evf-field-reminders", { list: rich(remindersText(t, e.reminders)) }));
  return lines.join("\n");
}

/** The draft of an existing event (its languages are those its title has). */
export function draftOf(e: EventView): Draft {
  const langs = LOCALES.filter((l) => e.title[l] !== undefined);
  return { langs, title: e.title, description: e.description, startsAt: e.startsAt, venue: e.venue, location: e.location, capacity: e.capacity, rsvpDeadline: e.rsvpDeadline, reminders: e.reminders };
}

/** The service's input of a complete draft (texts of languages no longer chosen dropped). */
function inputOf(d: Draft): EventInput {
  const only = (texts: Texts): Texts => Object.fromEntries(d.langs.filter((l) => texts[l] !== undefined).map((l) => [l, texts[l]!])) as Texts;
  return { title: only(d.title), description: only(d.description), startsAt: d.startsAt!, venue: d.venue, location: d.location, capacity: d.capacity, rsvpDeadline: d.rsvpDeadline, reminders: d.reminders };
}

/** An event's card as staff see it: status, every field, the answers so far. */
export function cardText(t: Translate, e: EventView, locale: Locale): string {
  const title = textIn(e.title, locale);
  return [
    t("evf-card-title", { title, id: e.id }),
    t("evf-card-status", { status: rich(t(`evf-status-${e.status}`)) }),
    fieldsText(t, draftOf(e)),
    t("evf-card-counts", { delegates: e.counts.delegates, going: e.counts.going, maybe: e.counts.maybe, no: e.counts.no, waiting: e.counts.waiting }),
  ].join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// The questions (each asks until the answer is right; a refusal says why and asks again)

const LANGUAGE_WORDS: Record<string, Locale> = { kk: "kk", kz: "kk", қаз: "kk", каз: "kk", қазақша: "kk", казахский: "kk", kazakh: "kk", ru: "ru", рус: "ru", русский: "ru", russian: "ru", en: "en", eng: "en", англ: "en", английский: "en", english: "en", ағылшын: "en", ағылшынша: "en", орыс: "ru", орысша: "ru", қазақ: "kk" };

/** Languages typed as codes or names ("kk, ru", "русский английский"); null when a word is unknown or none is given. */
export function parseLanguages(text: string): Locale[] | null {
  const words = text.toLowerCase().split(/[\s,;+/&]+/).filter(Boolean);
  if (!words.length) return null;
  const set = new Set<Locale>();
  for (const w of words) {
    const l = LANGUAGE_WORDS[w];
    if (!l) return null;
    set.add(l);
  }
  return LOCALES.filter((l) => set.has(l));
}

async function askLanguages(d: Dialog): Promise<Locale[]> {
  const combos: Locale[][] = [["kk", "ru", "en"], ["kk", "ru"], ["ru"], ["kk"], ["en"], ["ru", "en"]];
  return d.ask<Locale[]>({
    prompt: "evf-ask-languages",
    options: combos.map((c) => ({ id: c.join("-"), label: (t: Translate) => c.map((l) => t(`evf-language-${l}`)).join(" + ") })),
    columns: 2,
    accept: (event, picked) => {
      if (picked) return ok(picked.split("-") as Locale[]);
      if (event.type !== "text") return fail("evf-bad-languages");
      const langs = parseLanguages(event.text);
      return langs ? ok(langs) : fail("evf-bad-languages");
    },
  });
}

/** A cleaned text of at most `max` code points, or why not. */
function parseText(text: string, max: number, multiline: boolean): Parse<string> {
  const r = cleanText(text, { max, multiline });
  if (r.ok) return ok(r.value);
  return fail(r.reason === "too-long" ? { key: "evf-bad-too-long", args: { max } } : "evf-bad-empty");
}

const withLanguage = (key: string, l: Locale): Label => (t) => t(key, { language: rich(t(`evf-language-${l}`)) });

async function askTexts(d: Dialog, langs: Locale[], draft: Draft): Promise<void> {
  const title: Texts = {};
  const description: Texts = {};
  for (const l of langs) {
    title[l] = await d.text(withLanguage("evf-ask-title", l), (s) => parseText(s, TITLE_MAX, false));
    description[l] = await d.text(withLanguage("evf-ask-description", l), (s) => parseText(s, DESCRIPTION_MAX, true));
  }
  draft.title = title;
  draft.description = description;
}

/** Whether `text` is a date and time in a known format (the clock does not matter here). */
function readable(text: string): Parse<string> {
  // The year 1970 as "now": every readable time is after it, so only the format is judged.
  const r = parseEventTime(text, new Date(0));
  return r.ok ? ok(text) : fail("evf-bad-time");
}

/**
 * A time typed by staff: the format is judged by the question, whether it is still ahead (and
 * before `before`, for the deadline) in a recorded act; refused with why, and asked again.
 */
async function askTime(d: Dialog, prompt: string, opts: { before?: string; none?: string } = {}): Promise<string | null> {
  let reason: string | null = null;
  for (;;) {
    const why = reason;
    const label: Label = why ? (t) => `${t(why)}\n\n${t(prompt)}` : prompt;
    const typed = await d.ask<string | null>({
      prompt: label,
      ...(opts.none ? { options: [{ id: "none", label: opts.none }] } : {}),
      accept: (event, picked) => (picked === "none" ? ok(null) : event.type === "text" ? readable(event.text) : fail("evf-bad-time")),
    });
    if (typed === null) return null;
    const r = await d.act("time", (turn) => parseEventTime(typed, turn.unit.now));
    if (!r.ok) {
      reason = "evf-bad-time-past";
      continue;
    }
    if (opts.before && new Date(r.iso) >= new Date(opts.before)) {
      reason = "evf-bad-deadline-after-start";
      continue;
    }
    return r.iso;
  }
}

async function askVenue(d: Dialog): Promise<string> {
  return d.text("evf-ask-venue", (s) => parseText(s, VENUE_MAX, true));
}

async function askLocation(d: Dialog): Promise<{ latitude: number; longitude: number } | null> {
  return d.ask({
    prompt: "evf-ask-location",
    options: [{ id: "skip", label: "evf-button-no-location" }],
    accept: (event, picked) => {
      if (picked === "skip") return ok(null);
      if (event.type !== "location") return fail("evf-bad-location");
      const { latitude, longitude } = event;
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return fail("evf-bad-location");
      return ok({ latitude, longitude });
    },
  });
}

/** A whole number typed in plain digits (spaces allowed: "1 000"), or null. */
const wholeNumber = (text: string): number | null => (/^\d[\d\s]{0,8}$/.test(text.trim()) ? Number(text.replace(/\s/g, "")) : null);

async function askCapacity(d: Dialog): Promise<number | null> {
  return d.ask({
    prompt: "evf-ask-capacity",
    options: [{ id: "none", label: "evf-button-no-limit" }],
    // "1" typed is one place, not "No limit" (the option is typed by its text on text channels).
    numeric: true,
    accept: (event, picked) => {
      if (picked === "none") return ok(null);
      if (event.type !== "text") return fail({ key: "evf-bad-capacity", args: { max: CAPACITY_MAX } });
      const n = wholeNumber(event.text);
      return n !== null && n >= 1 && n <= CAPACITY_MAX ? ok(n) : fail({ key: "evf-bad-capacity", args: { max: CAPACITY_MAX } });
    },
  });
}

/** Reminders typed as minutes before the start ("1440, 120"): distinct, largest first; null when unreadable. */
export function parseReminders(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length || parts.length > REMINDERS_MAX) return null;
  const set = new Set<number>();
  for (const p of parts) {
    if (!/^\d{1,5}$/.test(p)) return null;
    const n = Number(p);
    if (n < 1 || n > REMINDER_MAX_MINUTES) return null;
    set.add(n);
  }
  return [...set].sort((a, b) => b - a);
}

async function askReminders(d: Dialog): Promise<number[]> {
  const choices: Record<string, number[]> = { default: [...DEFAULT_REMINDERS], day: [1440], hours: [120], none: [] };
  return d.ask<number[]>({
    prompt: "evf-ask-reminders",
    options: [
      [{ id: "default", label: "evf-button-reminders-default" }],
      [
        { id: "day", label: "evf-button-reminders-day" },
        { id: "hours", label: "evf-button-reminders-hours" },
      ],
      [{ id: "none", label: "evf-button-reminders-none" }],
    ],
    accept: (event, picked) => {
      if (picked && choices[picked]) return ok(choices[picked]!);
      if (event.type !== "text") return fail({ key: "evf-bad-reminders", args: { max: REMINDERS_MAX } });
      const list = parseReminders(event.text);
      return list ? ok(list) : fail({ key: "evf-bad-reminders", args: { max: REMINDERS_MAX } });
    },
  });
}

/** Asks for one field of `draft` again (from the summary or the card's Edit). */
async function askField(d: Dialog, field: Field, draft: Draft): Promise<void> {
  switch (field) {
    case "languages": {
      draft.langs = await askLanguages(d);
      // Texts of a newly chosen language are asked; the others are kept.
      const missing = draft.langs.filter((l) => draft.title[l] === undefined || draft.description[l] === undefined);
      if (missing.length) {
        const kept = { title: draft.title, description: draft.description };
        await askTexts(d, missing, draft);
        draft.title = { ...kept.title, ...draft.title };
        draft.description = { ...kept.description, ...draft.description };
      }
      return;
    }
    case "texts":
      await askTexts(d, draft.langs, draft);
      return;
    case "time":
      draft.startsAt = await askTime(d, "evf-ask-time");
      if (draft.rsvpDeadline && draft.startsAt && draft.rsvpDeadline >= draft.startsAt) {
        // The deadline no longer comes before the start: asked again.
        await d.say("evf-deadline-after-new-time");
        draft.rsvpDeadline = await askTime(d, "evf-ask-deadline", { before: draft.startsAt, none: "evf-button-no-deadline" });
      }
      return;
    case "venue":
      draft.venue = await askVenue(d);
      return;
    case "location":
      draft.location = await askLocation(d);
      return;
    case "capacity":
      draft.capacity = await askCapacity(d);
      return;
    case "deadline":
      draft.rsvpDeadline = await askTime(d, "evf-ask-deadline", { before: draft.startsAt!, none: "evf-button-no-deadline" });
      return;
    case "reminders":
      draft.reminders = await askReminders(d);
      return;
  }
}

const fieldOptions = (): Option<Field>[][] => [
  [
    { id: "texts", label: "evf-edit-texts" },
    { id: "languages", label: "evf-edit-languages" },
  ],
  [
    { id: "time", label: "evf-edit-time" },
    { id: "venue", label: "evf-edit-venue" },
  ],
  [
    { id: "location", label: "evf-edit-location" },
    { id: "capacity", label: "evf-edit-capacity" },
  ],
  [
    { id: "deadline", label: "evf-edit-deadline" },
    { id: "reminders", label: "evf-edit-reminders" },
  ],
];

// ---------------------------------------------------------------------------------------------
// The flows

type ListPick = `e${number}` | "new" | "prev" | "next";

/** `/events` and the menu entry "Events": a page of events (upcoming first) and "New event". */
export const eventsFlow: FlowDef<Json> = {
  name: "events",
  version: 1,
  title: "evf-flow-events",
  async run(d, args) {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    let page = typeof a.page === "number" && Number.isInteger(a.page) && a.page >= 0 && a.page < 10_000 ? a.page : 0;
    for (;;) {
      const at = page;
      const list = await d.act("page", async (turn) => {
        if (!(await manage(turn, "event.list"))) return null;
        if (turn.inbound.chatType === "group") {
          await turn.unit.outbox.send(turn.here, { text: "evf-private-only" });
          return null;
        }
        return { ...(await listEvents(turn.unit, { page: at, size: EVENTS_PAGE })), locale: turn.locale };
      });
      if (!list) return;
      const rows: Option<ListPick>[][] = list.items.map((e) => [
        { id: `e${e.id}` as ListPick, label: (t: Translate) => t("evf-list-button", { time: eventTime(e.startsAt), title: truncate(textIn(e.title, list.locale), 30), status: rich(t(`evf-status-${e.status}`)) }) },
      ]);
      const nav: Option<ListPick>[] = [];
      if (at > 0) nav.push({ id: "prev", label: "lists-prev" });
      if ((at + 1) * EVENTS_PAGE < list.total) nav.push({ id: "next", label: "lists-next" });
      if (nav.length) rows.push(nav);
      rows.push([{ id: "new", label: "evf-button-new" }]);
      const text = (t: Translate) =>
        list.items.length
          ? `${t("evf-list-title")}\n\n${t("evf-list-range", { from: at * EVENTS_PAGE + 1, to: at * EVENTS_PAGE + list.items.length, total: list.total })}`
          : `${t("evf-list-title")}\n\n${t("evf-list-empty")}`;
      const pick = await d.choice(text, rows, { settled: true });
      if (pick === "new") return { next: "event-new" };
      if (pick === "prev") page = Math.max(0, at - 1);
      else if (pick === "next") page = at + 1;
      else return { next: "event", args: { id: Number(pick.slice(1)) } };
    }
  },
};

/** Asks every field of a new event in order. */
async function askAll(d: Dialog): Promise<Draft> {
  const draft: Draft = { langs: [], title: {}, description: {}, startsAt: null, venue: null, location: null, capacity: null, rsvpDeadline: null, reminders: [...DEFAULT_REMINDERS] };
  draft.langs = await askLanguages(d);
  await askTexts(d, draft.langs, draft);
  draft.startsAt = await askTime(d, "evf-ask-time");
  draft.venue = await askVenue(d);
  draft.location = await askLocation(d);
  draft.capacity = await askCapacity(d);
  draft.rsvpDeadline = await askTime(d, "evf-ask-deadline", { before: draft.startsAt!, none: "evf-button-no-deadline" });
  draft.reminders = await askReminders(d);
  return draft;
}

/** "New event": every field, one question at a time, then a summary with edits and Save. */
export const eventNewFlow: FlowDef<Json> = {
  name: "event-new",
  version: 1,
  title: "evf-flow-new",
  cancel: { asks: true, cancelled: "evf-new-cancelled" },
  async run(d): Promise<FlowExit | void> {
    if (!(await d.act("allowed", (turn) => manage(turn, "event.create")))) return;
    const draft = await askAll(d);
    for (;;) {
      const shown = { ...draft };
      const pick = await d.choice<Field | "save" | "discard">(
        (t) => `${t("evf-summary")}\n\n${fieldsText(t, shown)}`,
        [[{ id: "save", label: "evf-button-save" }], ...fieldOptions(), [{ id: "discard", label: "evf-button-discard" }]],
      );
      if (pick === "discard") return void (await d.say("evf-new-cancelled"));
      if (pick !== "save") {
        await d.orBack(() => askField(d, pick, draft));
        continue;
      }
      const input = inputOf(draft);
      const r = await d.act("create", async (turn) => {
        if (!(await manage(turn, "event.create"))) return null;
        return createEvent(turn.unit, input);
      });
      if (!r) return;
      if (r.ok) {
        await d.say("evf-created");
        return { next: "event", args: { id: r.id } };
      }
      // The start (or the deadline) passed while the summary waited: that time again, then the summary.
      if (r.reason === "event-deadline-passed") {
        await d.say("evf-bad-time-past");
        draft.rsvpDeadline = await askTime(d, "evf-ask-deadline", { before: draft.startsAt!, none: "evf-button-no-deadline" });
        continue;
      }
      if (r.reason !== "event-past") return void (await d.say(refusalKey(r.reason)));
      await d.say("evf-bad-time-past");
      draft.startsAt = await askTime(d, "evf-ask-time");
    }
  },
};

type CardPick = "edit" | "publish" | "attendees" | "export" | "cancel" | "list";

/** An event's card (args `{id}`): its fields and answers, Edit, Publish, Attendees, Export CSV, Cancel. */
export const eventCardFlow: FlowDef<Json> = {
  name: "event",
  version: 1,
  title: "evf-flow-card",
  async run(d, args): Promise<FlowExit | void> {
    const a = (typeof args === "object" && args !== null && !Array.isArray(args) ? args : {}) as Record<string, unknown>;
    const id = typeof a.id === "number" && Number.isInteger(a.id) && a.id > 0 ? a.id : 0;
    for (;;) {
      const loaded = await d.act("load", async (turn) => {
        if (!(await manage(turn, "event.card", `event:${id}`))) return null;
        const view = id ? await eventForStaff(turn.unit, id) : null;
        if (!view) await turn.unit.outbox.send(turn.here, { text: refusalKey("event-not-found") });
        return view ? { view, locale: turn.locale } : null;
      });
      if (!loaded) return;
      const { view: e, locale } = loaded;
      const live = e.status !== "cancelled";
      const options: Option<CardPick>[][] = [
        ...(live ? [[{ id: "edit" as const, label: "evf-button-edit" }, { id: "publish" as const, label: "evf-button-publish" }]] : []),
        [
          { id: "attendees", label: "evf-button-attendees" },
          { id: "export", label: "evf-button-export" },
        ],
        ...(live ? [[{ id: "cancel" as const, label: "evf-button-cancel-event" }]] : []),
        [{ id: "list", label: "evf-button-list" }],
      ];
      const pick = await d.choice((t) => cardText(t, e, locale), options, { settled: true });
      switch (pick) {
        case "list":
          return { next: "events" };
        case "edit":
          await edit(d, e);
          break;
        case "cancel":
          await cancel(d, e);
          break;
        case "publish":
          await publish(d, e);
          break;
        case "attendees":
          await attendeeList(d, e, locale);
          break;
        case "export":
          await exportCsv(d, e);
          break;
      }
    }
  },
};

/** Edit: which field, its new value, then the service (everyone who answered is told there). */
async function edit(d: Dialog, e: EventView): Promise<void> {
  const field = await d.choice<Field | "back">("evf-edit-which", [...fieldOptions(), [{ id: "back", label: "evf-button-back" }]], { settled: true });
  if (field === "back" || !FIELDS.includes(field)) return;
  const draft = draftOf(e);
  await askField(d, field, draft);
  const input = inputOf(draft);
  await d.act("update", async (turn) => {
    if (!(await manage(turn, "event.update", `event:${e.id}`))) return;
    const r = await updateEvent(turn.unit, e.id, e.revision, input);
    await turn.unit.outbox.send(turn.here, { text: r.ok ? "evf-updated" : refusalKey(r.reason) });
  });
}

/** Cancel: a reason (or none), a confirmation, then the service (everyone who answered is told). */
async function cancel(d: Dialog, e: EventView): Promise<void> {
  const reason = await d.ask<string | null>({
    prompt: "evf-ask-cancel-reason",
    options: [{ id: "skip", label: "evf-button-no-reason" }],
    accept: (event, picked) => (picked === "skip" ? ok(null) : event.type === "text" ? parseText(event.text, VENUE_MAX, true) : fail("error-need-text")),
  });
  if (!(await d.confirm("evf-ask-cancel-sure", "evf-button-cancel-yes", "evf-button-cancel-no"))) return;
  await d.act("cancel", async (turn) => {
    if (!(await manage(turn, "event.cancel", `event:${e.id}`))) return;
    const r = await cancelEvent(turn.unit, e.id, e.revision, reason);
    await turn.unit.outbox.send(turn.here, { text: r.ok ? "evf-cancelled" : refusalKey(r.reason) });
  });
}

type AudiencePick = "all" | "region" | "sector" | "language" | "staff" | "back";

/** Publish: the audience (all members, by region, sector or language, or staff only), then publishEvent. */
async function publish(d: Dialog, e: EventView): Promise<void> {
  const kind = await d.choice<AudiencePick>(
    "evf-ask-audience",
    [
      [{ id: "all", label: "evf-audience-all" }],
      [
        { id: "region", label: "evf-audience-region" },
        { id: "sector", label: "evf-audience-sector" },
      ],
      [
        { id: "language", label: "evf-audience-language" },
        { id: "staff", label: "evf-audience-staff" },
      ],
      [{ id: "back", label: "evf-button-back" }],
    ],
    { settled: true },
  );
  let audience: Audience;
  switch (kind) {
    case "back":
      return;
    case "all":
      audience = { kind: "members" };
      break;
    case "staff":
      audience = { kind: "staff" };
      break;
    case "region": {
      const region = await d.choice("lists-pick-region", REGIONS.map((r) => ({ id: r as string, label: `region-${r}` })), { columns: 2 });
      audience = { kind: "members", regions: [region] };
      break;
    }
    case "sector": {
      const sector = await d.choice("evf-pick-sector", SECTORS.map((s) => ({ id: s as string, label: `sector-${s}` })), { columns: 1 });
      audience = { kind: "members", sectors: [sector] };
      break;
    }
    case "language": {
      const locale = await d.choice<Locale>("evf-pick-language", LOCALES.map((l) => ({ id: l, label: `evf-language-${l}` })), { columns: 3 });
      audience = { kind: "members", locales: [locale] };
      break;
    }
  }
  // An invitation to thousands is not sent by one press: the number of people first, then a yes.
  const counted = await d.act("count", async (turn) => {
    if (!(await manage(turn, "event.publish", `event:${e.id}`))) return null;
    const c = await countRecipients(turn.unit, audience);
    return { total: c.total, byLocale: c.byLocale, byChannel: c.byChannel, paced: c.paced ?? [] };
  });
  if (counted === null) return;
  // A conversation stored before the WhatsApp pace was counted recorded the total alone.
  const recount = typeof counted === "number" ? { total: counted as number, paced: [] } : counted;
  const count = recount.total;
  const prompt = (t: Translate) => [t("evf-publish-confirm", { count }), ...pacedCountLines(t, recount as RecipientCount)].join("\n");
  if (!(await d.confirm(prompt, "evf-publish-yes", "evf-publish-no"))) return void (await d.say("evf-publish-kept"));
  await d.act("publish", async (turn) => {
    if (!(await manage(turn, "event.publish", `event:${e.id}`))) return;
    const r = await publishEvent(turn.unit, e.id, audience);
    if (!r.ok && r.reason === "broadcast-wrong-state") {
      // publishEvent refuses a cancelled or started event so: said as the event's, not a broadcast's, state.
      const now = await eventForStaff(turn.unit, e.id);
      const why = now?.status === "cancelled" ? "event-cancelled" : now && new Date(now.startsAt) <= turn.unit.now ? "event-past" : null;
      if (why) return void (await turn.unit.outbox.send(turn.here, { text: refusalKey(why) }));
    }
    await turn.unit.outbox.send(turn.here, { text: r.ok ? { key: "evf-published", args: { count: r.total } } : turn.unit.services.i18n.has(r.reason) ? r.reason : "evf-publish-refused" });
  });
}

/** One attendee as a line: the enterprise (as typed), its answer, delegates, waiting. */
function attendeeLine(t: Translate, n: number, a: Attendee): string {
  return t(a.waiting ? "evf-attendee-waiting" : `evf-attendee-${a.answer}`, { n, name: a.enterprise, count: a.delegates });
}

/** The attendee list, a page at a time, with the totals. */
async function attendeeList(d: Dialog, e: EventView, locale: Locale): Promise<void> {
  const r = await d.act("attendees", async (turn) => {
    if (!(await manage(turn, "event.attendees", `event:${e.id}`))) return null;
    const list = await attendees(turn.unit, e.id);
    if (!list.ok) await turn.unit.outbox.send(turn.here, { text: refusalKey(list.reason) });
    return list.ok ? list : null;
  });
  if (!r) return;
  let page = 0;
  for (;;) {
    const at = page;
    const items = r.items.slice(at * ATTENDEES_PAGE, (at + 1) * ATTENDEES_PAGE);
    const text = (t: Translate) => {
      const head = `${t("evf-attendees-title", { title: textIn(e.title, locale) })}\n${t("evf-attendees-totals", { ...r.totals })}`;
      if (!items.length) return `${head}\n\n${t("evf-attendees-empty")}`;
      const from = at * ATTENDEES_PAGE + 1;
      return `${head}\n\n${t("evf-list-range", { from, to: from + items.length - 1, total: r.items.length })}\n${items.map((a, i) => attendeeLine(t, from + i, a)).join("\n")}`;
    };
    const nav: Option<"prev" | "next" | "back">[] = [];
    if (at > 0) nav.push({ id: "prev", label: "lists-prev" });
    if ((at + 1) * ATTENDEES_PAGE < r.items.length) nav.push({ id: "next", label: "lists-next" });
    const pick = await d.choice(text, [...(nav.length ? [nav] : []), [{ id: "back" as const, label: "evf-button-back" }]], { settled: true });
    if (pick === "back") return;
    page = pick === "prev" ? Math.max(0, at - 1) : at + 1;
  }
}

/** Export CSV: the attendee list as a document in the staff member's chat. */
async function exportCsv(d: Dialog, e: EventView): Promise<void> {
  await d.act("export", async (turn) => {
    if (!(await manage(turn, "event.export", `event:${e.id}`))) return;
    const r = await attendeesCsv(turn.unit, e.id);
    if (!r.ok) return void (await turn.unit.outbox.send(turn.here, { text: refusalKey(r.reason) }));
    const kept = await keepOwnFile(turn.unit.tx, turn.unit.services.files, new TextEncoder().encode(r.csv), { name: r.name }, turn.unit.now);
    await turn.unit.outbox.send(turn.here, { text: "evf-export-sent", files: [{ fileId: kept.id, name: r.name }] });
  });
}

export const STAFF_EVENT_FLOWS: FlowDef<never>[] = [eventsFlow, eventNewFlow, eventCardFlow] as FlowDef<never>[];
