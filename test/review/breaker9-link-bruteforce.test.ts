/**
 * Breaker 9: the pause after five wrong link codes is per person, and every new WhatsApp number
 * is a new person with five tries of its own: guessing spread over many numbers was never
 * stopped. Now wrong codes from everyone are counted too, and each GLOBAL_WRONG_LIMIT of them
 * voids every live code (its owner shows a new one).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GLOBAL_WRONG_LIMIT, MAX_FAILURES } from "../../src/core/identity/service.ts";
import { tr } from "../support/core-harness.ts";
import { codeIn, startLinkWorld, type LinkWorld } from "../core/identity/support.ts";

let w: LinkWorld;
beforeEach(async () => {
  w = await startLinkWorld();
});
afterEach(async () => {
  await w.close();
});

describe("guessing link codes from many WhatsApp numbers", () => {
  it(`voids the live codes after ${GLOBAL_WRONG_LIMIT} wrong codes from everyone: the right code then links nothing`, { timeout: 300_000 }, async () => {
    const memberId = await w.makeMember("telegram", "100");
    const tg = w.tg("100");
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    const code = codeIn(tg.messages().map((m) => m.text));
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");
    let guess = 0;
    for (let n = 0; n < GLOBAL_WRONG_LIMIT / MAX_FAILURES; n++) {
      const wa = w.whatsapp(`7705000${String(n).padStart(4, "0")}@c.us`);
      await wa.send("hi");
      await wa.send("Русский");
      // "/link <code>", then the codes alone at the question asked again.
      for (let k = 0; k < MAX_FAILURES; k++) await wa.send(`${k ? "" : "/link "}${wrong(guess++)}`);
      expect(wa.texts()).toContain(tr("ru", "identity-paused", { minutes: 10 }));
    }
    // A fresh number with the right code: the code is gone.
    const lucky = w.whatsapp("77059999999@c.us");
    await lucky.send("hi");
    await lucky.send("Русский");
    await lucky.send(`/link ${code}`);
    expect(await w.personOf("whatsapp", lucky.id)).not.toBe(memberId);
    expect(lucky.texts()).toContain(tr("ru", "identity-wrong", { left: MAX_FAILURES - 1 }));
    // The owner shows a new code, and it links.
    await tg.send("/link");
    await tg.press(tr("ru", "identity-show"));
    await lucky.send(codeIn(tg.messages().map((m) => m.text)));
    expect(await w.personOf("whatsapp", lucky.id)).toBe(memberId);
  });
});
