/** Someone new who chooses to register is offered linking too, with the consent (issue 9 item 5). */
import { afterEach, beforeEach, expect, it } from "vitest";
import { tr } from "../../support/core-harness.ts";
import { startLinkWorld, type LinkWorld } from "./support.ts";

let w: LinkWorld;
beforeEach(async () => {
  w = await startLinkWorld();
});
afterEach(async () => {
  await w.close();
});

it("the registration's start offers linking next to the consent, and it leads to entering a code without consenting", async () => {
  const tg = w.tg("600");
  await tg.send("/register");
  expect(tg.buttons()).toEqual([tr("ru", "consent-agree"), tr("ru", "consent-decline"), tr("ru", "menu-link-visitor")]);
  await tg.press(tr("ru", "menu-link-visitor"));
  expect(tg.buttons()).toContain(tr("ru", "identity-enter"));
  const id = (await w.personOf("telegram", "600"))!;
  const person = await w.h.db.transaction((tx) => tx.person.findUniqueOrThrow({ where: { id } }));
  expect(person.consentAt).toBeNull();
});
