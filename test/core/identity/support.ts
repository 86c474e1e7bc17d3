/**
 * A core with two channels: the harness's Telegram recording channel and a WhatsApp one (no
 * buttons: WHATSAPP_CAPABILITIES), one clock the test moves, and people on either side.
 */
import { UNPACED_WHATSAPP as WHATSAPP_CAPABILITIES } from "../../support/whatsapp-caps.ts";
import type { InboundEvent, TurnResult } from "../../../src/core/channel.ts";
import type { Locale } from "../../../src/i18n/locales.ts";
import { RecordingChannel, startHarness, type Harness, type TestPerson } from "../../support/core-harness.ts";

export interface LinkWorld {
  h: Harness;
  wa: RecordingChannel;
  /** Moves the core's clock on. */
  advance(ms: number): void;
  now(): Date;
  tg(id: string, language?: string): TestPerson;
  whatsapp(id: string): WaPerson;
  /** A person on `channel` with an active membership of a new enterprise; returns their person id. */
  makeMember(channel: "telegram" | "whatsapp", chat: string, locale?: Locale): Promise<number>;
  personOf(channel: string, chat: string): Promise<number | null>;
  close(): Promise<void>;
}

export interface WaPerson {
  id: string;
  send(text: string): Promise<TurnResult>;
  pressData(data: string): Promise<TurnResult>;
  texts(): string[];
  last(): string;
}

let bins = 100000000000;

export async function startLinkWorld(): Promise<LinkWorld> {
  let now = new Date("2026-11-30T06:00:00.000Z");
  const h = await startHarness({ clock: () => now });
  const wa = new RecordingChannel("whatsapp", WHATSAPP_CAPABILITIES);
  await h.core.dispatcher.register(wa);
  let update = 1;
  const world: LinkWorld = {
    h,
    wa,
    advance: (ms) => void (now = new Date(now.getTime() + ms)),
    now: () => now,
    tg: (id, language = "ru") => h.person(id, { language }),
    whatsapp(id) {
      const handle = (event: InboundEvent) =>
        h.handle({ id: `whatsapp-test:${update++}`, channel: "whatsapp", chatId: id, userId: id, chatType: "private", event });
      return {
        id,
        send: (text) => handle({ type: "text", text }),
        pressData: (data) => handle({ type: "choice", data }),
        texts: () => wa.in(id).map((m) => m.text),
        last: () => wa.in(id).at(-1)?.text ?? "",
      };
    },
    async makeMember(channel, chat, locale = "ru") {
      if (channel === "telegram") await world.tg(chat, locale).send("/start");
      else {
        const p = world.whatsapp(chat);
        await p.send("hi");
        await p.send({ kk: "Қазақша", ru: "Русский", en: "English" }[locale]);
      }
      const personId = (await world.personOf(channel, chat))!;
      await h.db.transaction(async (tx) => {
        const e = await tx.enterprise.create({
          data: { name: `Enterprise ${chat}`, bin: String(bins++), binKind: "legal-entity", region: "almaty-city", sector: "apparel", employees: 40, status: "active", submittedAt: now },
        });
        await tx.person.update({ where: { id: personId }, data: { name: `Person ${chat}`, phone: "+77011234567", consentAt: now, consentVersion: "1", locale } });
        await tx.membership.create({ data: { personId, enterpriseId: e.id, role: "owner", status: "active", requestedAt: now } });
      });
      return personId;
    },
    async personOf(channel, chat) {
      const row = await h.db.transaction((tx) => tx.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId: chat } } }));
      return row?.personId ?? null;
    },
    close: () => h.close(),
  };
  return world;
}

/** The code of the newest message "Your code: 123 456" among `texts`, as typed ("123456"). */
export function codeIn(texts: string[]): string {
  for (const text of [...texts].reverse()) {
    const m = /(\d{3}) (\d{3})/.exec(text);
    if (m) return m[1]! + m[2]!;
  }
  throw new Error(`no code in: ${texts.join(" | ")}`);
}
