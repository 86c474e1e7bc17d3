/**
 * The main menu: where a private chat rests between tasks. It offers what the person can do now,
 * and the same things as commands (/register, /profile, ...). Its buttons stay valid in older
 * messages ("m:<id>"); pressing one starts that task.
 */
import { chooseLanguage, fail, ok, type Dialog, type FlowExit, type Json, type Option } from "./dialog/dialog.ts";
import { globalCommandOf, MENU_COMMANDS, parseCommand } from "./dialog/commands.ts";
import type { FlowDef, FlowStart } from "./dialog/engine.ts";
import type { InboundEvent } from "./channel.ts";
import type { I18n } from "../i18n/i18n.ts";
import type { Locale } from "../i18n/locales.ts";
import { isStaff } from "./staff/decide.ts";
import { authorize, may } from "./permissions.ts";
import { menuFacts, type MenuFacts } from "./people.ts";

/** Menu entries, each the name of the flow it starts. */
export const MENU_ITEMS = ["register", "profile", "problem", "myproblems", "language", "help", "privacy", "pending", "problems", "stats", "export", "team", "myevents", "events", "announce", "broadcasts", "stop", "subscribe", "link"] as const;
type MenuItem = (typeof MENU_ITEMS)[number];
const MEMBER_ITEMS: readonly MenuItem[] = ["register", "profile", "problem", "myproblems", "myevents", "language", "help", "privacy", "stop", "subscribe", "link"];
// "stats" and "export" are reached by their commands and the list's buttons, not shown in the menu.
const STAFF_ITEMS: readonly MenuItem[] = ["pending", "problems", "stats", "export", "events", "announce", "broadcasts"];
const ADMIN_ITEMS: readonly MenuItem[] = ["team"];

type Situation = MenuFacts;

function itemsFor(s: Situation): MenuItem[] {
  // Someone new here may be a member already, through the other channel: linking is offered next to registering (issue 9).
  const items: MenuItem[] = [...(s.refused ? (["register", "profile"] as const) : s.member ? (["profile"] as const) : (["register", "link"] as const))];
  // Reporting is offered to everyone (its flow tells who may not why); their list, to members.
  items.push("problem", ...(s.member && !s.refused ? (["myproblems", "myevents"] as const) : []), "language", "help");
  if (s.consented) items.push("privacy");
  if (s.member && !s.refused) items.push("link");
  // Shown by the same rules that guard them (checked again when pressed).
  const who = { personId: 0, role: s.role, erased: false };
  // Announcements reach members and staff: one of the two entries, by the person's state (issue 8
  // item 7). /stop and /subscribe work for anyone (judge: MEMBER_ITEMS).
  if ((s.member && !s.refused) || may(who, { action: "broadcast.send" }).ok) items.push(s.announcements ? "stop" : "subscribe");
  if (may(who, { action: "staff.view" }).ok) items.push("pending", "problems");
  if (may(who, { action: "event.manage" }).ok) items.push("events");
  if (may(who, { action: "broadcast.send" }).ok) items.push("announce");
  if (may(who, { action: "team.manage" }).ok) items.push("team");
  return items;
}

/** `text`: what was typed after the command ("/problem QT-2026-0042"), handed to the entry's flow. */
type Pick = { item: MenuItem; text?: string } | { denied: MenuItem } | { stale: true };

/**
 * What choosing `item` means for someone offered `items`. Member entries always open (their flows
 * handle every case: "My enterprise" without one says how to register); staff entries need the role.
 */
function judge(item: string, items: MenuItem[]): Pick {
  if (items.includes(item as MenuItem) || MEMBER_ITEMS.includes(item as MenuItem)) return { item: item as MenuItem };
  if (STAFF_ITEMS.includes(item as MenuItem) || ADMIN_ITEMS.includes(item as MenuItem)) return { denied: item as MenuItem };
  // A button of an older menu that no longer applies (e.g. "Register" after registering).
  return { stale: true };
}

export const menuFlow: FlowDef<{ greet?: boolean; open?: string; file?: boolean } & { [k: string]: Json }> = {
  name: "menu",
  version: 1,
  title: "flow-menu",
  idle: true,
  async run(d, args): Promise<FlowExit | void> {
    const s = await d.act("situation", (turn) => menuFacts(turn.unit));
    if (!s.hasLocale) await chooseLanguage(d);
    if (args.greet) await d.say("welcome");
    // Opened by a file sent with nothing waiting for one: say where files go.
    if (args.file) await d.say("file-outside-question");
    const items = itemsFor(s);
    // Opened for an entry chosen while leaving another task: judged like a press.
    let opened: Pick | undefined = args.open ? judge(args.open, items) : undefined;
    for (;;) {
      const pick = opened ?? await d.ask<Pick>({
        prompt: "menu-prompt",
        options: items.map((id): Option => ({ id, label: id === "link" && !s.member ? "menu-link-visitor" : `menu-${id}` })),
        columns: 2,
        stable: "m",
        accept: (event, picked) => {
          const command = event.type === "text" ? parseCommand(event.text) : null;
          const item = picked ?? MENU_COMMANDS[command?.name ?? ""];
          if (item === undefined) return fail("error-need-choice");
          const pick = judge(item, items);
          return ok(picked === undefined && command?.args && "item" in pick ? { ...pick, text: command.args } : pick);
        },
      });
      opened = undefined;
      if ("item" in pick) return { next: pick.item, ...(pick.text ? { args: { text: pick.text } } : {}) };
      if ("denied" in pick) {
        // The menu was built earlier; the role may have changed since (granted by an admin).
        const item = pick.denied;
        const allowed = await d.act("recheck", async (turn) => {
          // permissions.ts decides (and words the refusal: admins-only to staff, not-allowed to others).
          return authorize(turn, ADMIN_ITEMS.includes(item) ? { action: "team.manage" } : item === "events" ? { action: "event.manage" } : { action: "staff.view" }, `menu-${item}`);
        });
        if (allowed) return { next: item };
      } else {
        await d.act("stale", (turn) => void (turn.notice = turn.t("button-stale")));
      }
    }
  },
};

export const helpFlow: FlowDef<Json> = {
  name: "help",
  version: 1,
  title: "flow-help",
  async run(d: Dialog) {
    const staff = await d.act("staff", (turn) => isStaff(turn.unit));
    // In the staff group only the staff part; privately the member help, and the staff part for staff.
    const inGroup = await d.act("group", (turn) => turn.inbound.chatType === "group");
    if (!inGroup) await d.say("help-text");
    if (staff) await d.say("help-staff");
  },
};

export const languageFlow: FlowDef<Json> = {
  name: "language",
  version: 1,
  title: "flow-language",
  async run(d: Dialog) {
    await chooseLanguage(d);
  },
};

/**
 * What a person's first message starts when no language is known for them yet (WhatsApp gives no
 * hint; a Telegram client may not either): the main menu, which asks the language first and then
 * greets, and then opens what the message asked for ("/register", "помощь", "help": the entry
 * named by a menu command or a help word), in the chosen language. The message itself is not
 * handed to the language question (it is no answer to it). Null for what is not typed (a press of
 * an old button, a file): core.ts privateStart decides those as usual.
 */
export function firstContactStart(event: InboundEvent, i18n: I18n, locale: Locale): FlowStart | null {
  if (event.type !== "text") return null;
  const cmd = parseCommand(event.text);
  const asked = cmd ? MENU_COMMANDS[cmd.name] : globalCommandOf(event.text, i18n, locale, true) === "help" ? "help" : undefined;
  return { flow: "menu", args: { greet: true, ...(asked && asked !== "language" ? { open: asked } : {}) } };
}
