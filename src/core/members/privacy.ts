/**
 * "My data": what the bot keeps about a person, and erasure on request (withdrawal of consent).
 * Erasure removes the name, phone, language and every chat identity; a sole proprietor's IIN is
 * personal data too, so such an enterprise is anonymised. Staff notices are edited to drop the
 * details. The person is told before their chat identity disappears.
 */
import { rich } from "../rich-text.ts";
import type { Translate } from "../message.ts";
import type { FlowExit, Json } from "../dialog/dialog.ts";
import type { FlowDef } from "../dialog/engine.ts";
import { erasePerson, whatIsKept } from "./erasure.ts";
import { contactLines, enterpriseLines } from "./render.ts";

export const privacyFlow: FlowDef<Json> = {
  name: "privacy",
  version: 1,
  title: "flow-privacy",
  async run(d): Promise<FlowExit | void> {
    const data = await d.act("load", (turn) => whatIsKept(turn.unit));
    if (!data) return;
    const action = await d.choice(
      (t: Translate) =>
        t("privacy-summary", {
          contact: rich(
            [
              data.name || data.phone ? contactLines(t, { contactName: data.name ?? "—", phone: data.phone ?? "" }) : t("privacy-nothing"),
              ...(data.iin ? [enterpriseLines(t, { bin: data.iin, binKind: data.iinKind ?? "sole-proprietor" })] : []),
            ].join("\n"),
          ),
          enterprise: data.enterprise ?? "—",
          consent: data.consentAt ?? "—",
        }),
      [[{ id: "erase", label: "privacy-erase-button" }], [{ id: "back", label: "button-back" }]],
      { settled: true },
    );
    if (action === "back") return;
    const sure = await d.confirm("privacy-erase-confirm", "privacy-erase-yes", "button-no");
    if (!sure) return;
    await d.act("erase", async (turn) => {
      await turn.unit.outbox.send(turn.here, { text: "privacy-erased", removeKeyboard: true });
      await erasePerson(turn.unit, turn.actor!.personId);
    });
    return { end: true };
  },
};
