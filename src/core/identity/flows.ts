/**
 * "Telegram and WhatsApp" (menu entry "link", /link): a person's channels, linking another one
 * with a code (shown here, or typed here), and where notices go. Rules: identity/service.ts.
 */
import { rich } from "../rich-text.ts";
import type { Translate } from "../message.ts";
import { fail, ok, type FlowExit, type Json, type Option, type Dialog } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { asLocale } from "../message.ts";
import { createCode, overview, parseCode, pauseOf, redeemCode, setPreferred, linkedMessage, CODE_TTL_MS, type LinkOverview, type RedeemOutcome } from "./service.ts";

type Action = "show" | "enter" | "notices" | "back";

function overviewText(t: Translate, o: LinkOverview): string {
  const names = o.channels.map((c) => t(`channel-${c}`)).join(", ");
  const parts = [t("identity-overview", { channels: rich(names) })];
  if (o.channels.length > 1) parts.push(t("identity-notices-now", { channel: rich(t(o.preferred ? `channel-${o.preferred}` : "identity-route-last")) }));
  parts.push(t("identity-how", { here: o.here }));
  return parts.join("\n\n");
}

/**
 * Linking this chat with the person's chat on the other channel (menu "🔗 Telegram and WhatsApp",
 * /link [code]): shows the channels, and shows a code, takes one typed, or sets where notices go
 * (service.ts does the work). `args.text`: a code typed with /link, redeemed at once.
 */
export const linkFlow: FlowDef<{ text?: string } & { [k: string]: Json }> = {
  name: "link",
  version: 1,
  title: "flow-link",
  async run(d, args): Promise<FlowExit | void> {
    // "/link 123456" from the menu: straight to the code.
    if (args?.text) return void (await enter(d, args.text));
    for (;;) {
      const o = await d.act("overview", (turn) => overview(turn.unit));
      const options: Option<Action>[][] = [[{ id: "enter", label: "identity-enter" }], [{ id: "show", label: "identity-show" }]];
      if (o.channels.length > 1) options.push([{ id: "notices", label: "identity-notices" }]);
      options.push([{ id: "back", label: "button-back" }]);
      const action = await d.choice((t) => overviewText(t, o), options, { settled: true });
      if (action === "back") return;
      if (action === "show") {
        // The code goes straight into the message: it is never part of the recorded dialog.
        await d.act("code", async (turn) => {
          const code = await createCode(turn.unit);
          await turn.unit.outbox.send(turn.here, {
            text: { key: "identity-code", args: { code: `${code.slice(0, 3)} ${code.slice(3)}`, here: turn.inbound.channel, minutes: CODE_TTL_MS / 60_000 } },
          });
        });
        return;
      }
      if (action === "enter") {
        if (await enter(d)) return;
        continue;
      }
      const choices: Option[] = [...o.channels.map((c) => ({ id: c, label: `channel-${c}` })), { id: "last", label: "identity-route-last" }];
      const picked = await d.choice("identity-notices-prompt", choices, { columns: 1 });
      await d.act("prefer", (turn) => setPreferred(turn.unit, picked === "last" ? null : picked));
      await d.say("identity-notices-saved");
    }
  },
};

/**
 * Asks for a code (or takes `typed`) and links; true when the flow is done (linked, paused or
 * refused for good), false to show the screen again.
 */
async function enter(d: Dialog, typed?: string): Promise<boolean> {
  const paused = await d.act("paused", (turn) => pauseOf(turn.unit));
  if (paused !== null) {
    await d.say({ key: "identity-paused", args: { minutes: paused } });
    return true;
  }
  let code = typed ? parseCode(typed) : null;
  if (typed && !code) await d.say("identity-code-format");
  for (;;) {
    code ??= await d.ask<string>({
      prompt: "identity-enter-prompt",
      accept: (event) => {
        if (event.type !== "text") return fail("identity-code-format");
        const parsed = parseCode(event.text);
        return parsed ? ok(parsed) : fail("identity-code-format");
      },
    });
    const outcome: RedeemOutcome = await d.act("redeem", async (turn) => {
      const result = await redeemCode(turn.unit, code!);
      // Linked: the rest of this turn (the confirmation, the main menu) speaks for the person kept.
      if (result.kind === "linked" && turn.unit.actor) turn.locale = asLocale(turn.unit.actor.locale, turn.locale);
      return result;
    });
    code = null;
    switch (outcome.kind) {
      case "linked":
        await d.say(linkedMessage(outcome.channels).text);
        return true;
      case "wrong":
        await d.say({ key: "identity-wrong", args: { left: outcome.left } });
        continue;
      case "paused":
        await d.say({ key: "identity-paused", args: { minutes: outcome.minutes } });
        return true;
      case "expired":
        await d.say("identity-expired");
        return true;
      case "same-channel":
        await d.say("identity-same-channel");
        return true;
      case "already":
        await d.say("identity-already");
        return true;
      case "taken":
        await d.say({ key: "identity-taken", args: { channel: outcome.channel } });
        return true;
      case "direction":
        await d.say("identity-refused-direction");
        return true;
      case "staff-owner":
        await d.say("identity-refused-staff-owner");
        return true;
      case "refused":
        await d.say(`identity-refused-${outcome.holding}`);
        return true;
    }
  }
}
