/**
 * Shared setup of the staff thread tests (thread*.test.ts): the core harness with a staff group
 * (optionally a forum: the recording channel opens a topic for `openThread`), an approved member
 * enterprise, problems filed through the real service, and kept files.
 */
import type { Delivered as Recorded, Harness, TestFile, TestPerson } from "../../support/core-harness.ts";
import { applyForMembership, startHarness, tr } from "../../support/core-harness.ts";
import type { Inbound, InboundEvent, Outbound, StoredFileInfo, TurnResult } from "../../../src/core/channel.ts";
import { keepOwnFile } from "../../../src/core/files/records.ts";
import { submitProblem, type AttachedFile, type ProblemDraft } from "../../../src/core/problems/service.ts";

export const GROUP = "-1001";
export const ADMIN = "900";
export const STAFF = "902";
export const OUTSIDER = "903";
export const MEMBER = "100";

/** A tiny valid PNG (1x1) and PDF, so the sniffer keeps them. */
export const PNG = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64"),
);
export const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

export interface ThreadWorld {
  h: Harness;
  member: TestPerson;
  admin: TestPerson;
  /** Messages recorded in the staff group, and their forum topic (when the group is a forum). */
  group: () => Recorded[];
  /** Sends a photo or document from `userId` (in the group when `inGroup`), fetched and kept by the core. */
  sendFile(userId: string, file: TestFile, opts?: { group?: boolean }): Promise<TurnResult>;
  /** Sends a raw event from `userId` (in the group when `inGroup`). */
  raw(userId: string, event: InboundEvent, opts?: { group?: boolean; replyTo?: string; threadId?: string; mediaGroup?: string; name?: string; language?: string }): Promise<TurnResult>;
  file(kind: "photo" | "document", bytes: Uint8Array, name: string): Promise<StoredFileInfo>;
  submit(draft?: Partial<ProblemDraft>): Promise<{ id: number; ref: string }>;
  audit(): Promise<{ action: string; outcome: string; subject: string | null; actorRef: string }[]>;
}

let seq = 10_000;

export async function startThreadWorld(opts: { forum?: boolean; group?: boolean } = {}): Promise<ThreadWorld> {
  const withGroup = opts.group !== false;
  const h = await startHarness({
    settings: { admins: [{ channel: "telegram", id: ADMIN }], ...(withGroup ? { staffChat: { channel: "telegram", chatId: GROUP } } : {}) },
  });
  // A forum supergroup: `openThread` opens a topic (the recording channel's forums).
  if (opts.forum) h.channel.forums.add(GROUP);
  const admin = h.person(ADMIN, { language: "en", name: "Dana" });
  await admin.send("/start");
  const member = h.person(MEMBER, { language: "ru", name: "Айгерим" });
  await applyForMembership(member, "ru");
  const approve = [...h.channel.messages].reverse().find((m) => m.message.choices?.[0]?.[0]?.data.startsWith("s:ap:"))!;
  await h.handle(inbound(ADMIN, { type: "choice", data: approve.message.choices![0]![0]!.data }, { group: withGroup }));
  const world: ThreadWorld = {
    h,
    member,
    admin,
    group: () => h.channel.in(GROUP),
    sendFile: (userId, file, o = {}) =>
      (o.group ? h.inGroup(GROUP, userId, { language: "en", name: "Dana" }) : h.person(userId, { language: userId === MEMBER ? "ru" : "en" })).sendFile(file),
    raw: (userId, event, o = {}) => h.handle(inbound(userId, event, o)),
    file: (kind, bytes, name) => h.core.run({ person: null, ref: "test" }, (unit) => keepOwnFile(unit.tx, unit.services.files, bytes, { kind, name }, unit.now)),
    async submit(draft = {}) {
      const person = await h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER }, include: { person: true } }));
      const actor = { personId: person.personId, role: person.person.role, locale: "ru" as const };
      const outcome = await h.core.run({ person: actor, ref: `telegram:${MEMBER}` }, (unit) =>
        submitProblem(unit, { category: "customs-export", title: "Задержки на таможне", description: "Грузы стоят на границе по две недели.", files: [], anonymous: true, ...draft }),
      );
      await h.core.dispatcher.idle();
      if (!outcome.ok) throw new Error(`submit refused: ${outcome.reason}`);
      return outcome;
    },
    audit: () => h.db.transaction((tx) => tx.auditLog.findMany({ orderBy: { id: "asc" }, select: { action: true, outcome: true, subject: true, actorRef: true } })),
  };
  return world;

  function inbound(userId: string, event: InboundEvent, o: { group?: boolean; replyTo?: string; threadId?: string; mediaGroup?: string; name?: string; language?: string } = {}): Inbound {
    return {
      id: `telegram:t${seq++}`,
      channel: "telegram",
      chatId: o.group ? GROUP : userId,
      userId,
      chatType: o.group ? "group" : "private",
      languageHint: o.language ?? (userId === MEMBER ? "ru" : "en"),
      ...(o.name ? { displayName: o.name } : {}),
      ...(o.replyTo ? { replyTo: o.replyTo } : {}),
      ...(o.threadId ? { threadId: o.threadId } : {}),
      ...(o.mediaGroup ? { mediaGroup: o.mediaGroup } : {}),
      event,
    };
  }
}

export const attached = (f: StoredFileInfo, name: string): AttachedFile => ({ fileId: f.id, name, kind: f.kind });

/** The staff post of a problem in the group (the message with its buttons). */
export function postOf(w: ThreadWorld, problemId: number) {
  const post = w.group().find((m) => m.message.choices?.flat().some((b) => b.data === `ps:n:${problemId}`));
  if (!post) throw new Error(`no post of problem ${problemId}`);
  return post;
}

export const button = (post: Recorded, verb: "t" | "s" | "n"): string => post.message.choices!.flat().find((b) => b.data.startsWith(`ps:${verb}:`))!.data;

export { tr };
