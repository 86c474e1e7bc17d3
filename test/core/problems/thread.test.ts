/**
 * The staff thread of a problem (issue 7 item 4): the post in the staff group with its buttons,
 * staff replies (text and files) reaching the member, the member's replies coming back into the
 * thread as replies to the post, forum topics, refusals (non-staff, forged and outdated buttons),
 * Take / Status / Note with the revision, and a hostile title.
 */
import { afterEach, describe, expect, it } from "vitest";
import { toPlain } from "../../../src/core/rich-text.ts";
import { activeFocus, FOCUS_IDLE_MS, focusOn } from "../../../src/core/problems/focus.ts";
import { changeStatus, confirmSolved } from "../../../src/core/problems/service.ts";
import { erasePerson } from "../../../src/core/members/erasure.ts";
import { ADMIN, attached, button, GROUP, MEMBER, OUTSIDER, PDF, PNG, postOf, startThreadWorld, tr, type ThreadWorld } from "./thread-support.ts";

let w: ThreadWorld;
afterEach(async () => w?.h.close());

const problemRow = (id: number) => w.h.db.transaction((tx) => tx.problem.findUniqueOrThrow({ where: { id } }));
const entries = (id: number) => w.h.db.transaction((tx) => tx.problemEntry.findMany({ where: { problemId: id }, orderBy: { id: "asc" }, include: { files: true } }));

describe("the staff post", () => {
  it("is posted to the staff group on submit: anonymity first, details, files in its thread, Take/Status/Note buttons with the revision", async () => {
    w = await startThreadWorld();
    const photo = await w.file("photo", PNG, "border.png");
    const pdf = await w.file("document", PDF, "act.pdf");
    const { id, ref } = await w.submit({ files: [attached(photo, "border.png"), attached(pdf, "act.pdf")] });
    const post = postOf(w, id);
    // The anonymity choice comes first, in the group's language (ru by default).
    expect(post.text.split("\n")[0]).toBe(tr("ru", "thread-post-anonymous"));
    expect(post.text).toContain(ref);
    expect(post.text).toContain("Задержки на таможне");
    expect(post.text).toContain("Textile Company");
    // Who reported it, with the phone they gave (staff call back).
    expect(post.text).toContain("Aigerim");
    expect(post.text).toContain("+7 701 123 4567");
    expect(post.text).toContain(tr("ru", "thread-post-affected", { count: 1 }));
    expect(post.text).toContain(tr("ru", "problem-cat-customs-export"));
    expect(post.message.openThread).toBe(`${ref} Задержки на таможне`);
    expect(post.message.choices!.flat().map((b) => b.data)).toEqual([`ps:t:${id}:0`, `ps:s:${id}:0`, `ps:n:${id}`]);
    // The files follow as replies to the post: photos and documents apart (an album mixes neither).
    const files = w.group().filter((m) => m.message.files?.length);
    expect(files.map((m) => m.message.files!.map((f) => f.id))).toEqual([[photo.id], [pdf.id]]);
    expect(files.every((m) => m.message.replyTo === post.messageId)).toBe(true);
  });

  it("says plainly when the enterprise may be named", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit({ anonymous: false });
    expect(postOf(w, id).text.split("\n")[0]).toBe(tr("ru", "thread-post-named"));
  });

  it("goes to each staff member privately when there is no staff group", async () => {
    w = await startThreadWorld({ group: false });
    const { id } = await w.submit();
    const post = w.admin.messages().find((m) => m.message.choices?.flat().some((b) => b.data === `ps:n:${id}`));
    expect(post?.text.split("\n")[0]).toBe(tr("en", "thread-post-anonymous"));
  });

  it("a hostile title and description break neither the post nor its buttons", async () => {
    w = await startThreadWorld();
    const zw = "\u200b\u200d\u2060";
    const title = `<b>bold</b> & <a href="x">link</a> 🧵${zw}`;
    const description = `</i><code>&amp; ${"Длинное описание проблемы 🧵 <script>. ".repeat(100)}`.slice(0, 4000);
    const { id } = await w.submit({ title, description });
    const post = postOf(w, id);
    // The markup is shown as typed, never applied: the visible text holds it literally.
    expect(post.text).toContain("<b>bold</b> & <a href=\"x\">link</a> 🧵");
    expect(post.message.text).not.toContain("<b>bold</b>");
    expect(post.message.text).not.toContain("<a href");
    // Short enough for one message with its buttons (the whole description follows in the thread).
    expect(post.text.length).toBeLessThan(4096);
    const full = w.group().find((m) => m.text.startsWith(tr("ru", "thread-description-full", { ref: (post.text.match(/QT-\d{4}-\d{4}/) ?? [""])[0] })));
    expect(full?.message.replyTo).toBe(post.messageId);
    expect(full?.text).toContain("<script>");
    for (const b of post.message.choices!.flat()) {
      expect(b.data).toMatch(/^ps:[tsn]:\d+(:[0-9a-z]+)?$/);
      expect(Buffer.byteLength(b.data)).toBeLessThanOrEqual(64);
    }
    // The topic's name: one line, plain text, at most 128 characters.
    expect([...(post.message.openThread ?? "")].length).toBeLessThanOrEqual(128);
  });
});

describe("relays", () => {
  it("a staff reply to the post (text, then a photo with a caption) reaches the member; the thread gets a quiet acknowledgement", async () => {
    w = await startThreadWorld();
    const { id, ref } = await w.submit();
    const post = postOf(w, id);
    w.member.fresh();
    await w.raw(ADMIN, { type: "text", text: "Здравствуйте! Пришлите, пожалуйста, номер декларации & дату." }, { group: true, replyTo: post.messageId });
    const reply = w.member.messages().at(-1)!;
    expect(reply.text).toContain("номер декларации & дату");
    expect(reply.text).toContain(ref);
    const ack = w.group().at(-1)!;
    expect(ack.text).toBe(tr("en", "thread-sent-to-member"));
    expect(ack.message.replyTo).toBe(post.messageId);
    // A reply to the acknowledgement (any message of the thread) counts too, with a file.
    await w.sendFile(ADMIN, { kind: "photo", bytes: PNG, caption: "Образец", replyTo: ack.messageId }, { group: true });
    const withFile = w.member.messages().at(-1)!;
    expect(withFile.files.map((f) => [f.kind, f.bytes])).toEqual([["photo", PNG]]);
    expect(withFile.text).toContain("Образец");
    expect((await entries(id)).filter((e) => e.kind === "staff").map((e) => [e.text, e.files.length])).toEqual([
      ["Здравствуйте! Пришлите, пожалуйста, номер декларации & дату.", 0],
      ["Образец", 1],
    ]);
    expect((await problemRow(id)).firstReplyAt).not.toBeNull();
  });

  it("the member's reply to a staff reply comes back into the thread as a reply to the post, with its files; one acknowledgement per album", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "text", text: "Какой пункт пропуска?" }, { group: true, replyTo: post.messageId });
    const staffReply = w.member.messages().at(-1)!;
    w.member.fresh();
    await w.raw(MEMBER, { type: "text", text: "Хоргос <b>сегодня</b>" }, { replyTo: staffReply.messageId });
    const relayed = w.group().at(-1)!;
    expect(relayed.message.replyTo).toBe(post.messageId);
    expect(relayed.text).toContain("Хоргос <b>сегодня</b>");
    expect(relayed.text).toContain("Aigerim");
    expect(w.member.fresh()).toEqual([tr("ru", "thread-sent-to-staff")]);
    // An album of two photos: only its first part replies; both are kept, one acknowledgement.
    const second = Uint8Array.from([...PNG, 0]);
    await w.sendFile(MEMBER, { kind: "photo", bytes: PNG, caption: "Фото очереди", replyTo: staffReply.messageId, mediaGroup: "album-1" });
    await w.sendFile(MEMBER, { kind: "photo", bytes: second, mediaGroup: "album-1" });
    expect(w.member.fresh()).toEqual([tr("ru", "thread-sent-to-staff")]);
    const files = w.group().filter((m) => m.files.length && m.replyTo === post.messageId);
    expect(files.map((m) => m.files.map((f) => f.bytes))).toEqual([[PNG], [second]]);
    expect(files[0]!.text).toContain("Фото очереди");
    expect((await entries(id)).filter((e) => e.kind === "member").length).toBe(3);
  });

  it("while 'Write to staff' is on, the member's messages go to the thread; a command ends it, and so does half an hour of silence", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const key = `telegram:${MEMBER}`;
    const person = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER } }));
    await w.h.core.run({ person: { personId: person.personId, role: "member", locale: "ru" }, ref: key }, (unit) => focusOn(unit, key, id));
    await w.member.send("Добавлю: проблема повторяется каждый месяц.");
    expect(w.group().at(-1)!.text).toContain("повторяется каждый месяц");
    expect(w.group().at(-1)!.message.replyTo).toBe(post.messageId);
    const before = w.group().length;
    await w.member.send("/menu");
    await w.member.send("Это уже не для сотрудников");
    expect(w.group().length).toBe(before);
    // Idle for longer than FOCUS_IDLE_MS: over.
    await w.h.core.run({ person: null, ref: "test" }, (unit) => focusOn(unit, key, id));
    const later = new Date(Date.now() + FOCUS_IDLE_MS + 60_000);
    expect(await w.h.db.transaction((tx) => activeFocus(tx, key, later))).toBeNull();
  });

  it("in a forum, each problem has its topic: a staff message in it reaches the member, and the thread's messages go into it", async () => {
    w = await startThreadWorld({ forum: true });
    const { id } = await w.submit();
    const post = postOf(w, id);
    expect(post.threadId).toBeDefined();
    await w.raw(ADMIN, { type: "text", text: "Взяли в работу, ответим до пятницы." }, { group: true, threadId: post.threadId! });
    expect(w.member.messages().at(-1)!.text).toContain("ответим до пятницы");
    const ack = w.group().at(-1)!;
    expect(ack.message.threadId).toBe(post.threadId);
    // A message in another topic (or none) is ordinary chatter.
    const count = w.member.messages().length;
    await w.raw(ADMIN, { type: "text", text: "Коллеги, обед в 13:00" }, { group: true, threadId: "999" });
    await w.raw(ADMIN, { type: "text", text: "Всем привет" }, { group: true });
    expect(w.member.messages().length).toBe(count);
  });

  it("a member of the group who is not staff is refused politely, audited, and the member hears nothing", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const count = w.member.messages().length;
    await w.raw(OUTSIDER, { type: "text", text: "Я тоже отвечу" }, { group: true, replyTo: post.messageId });
    expect(w.group().at(-1)!.text).toBe(tr("en", "thread-staff-only"));
    expect(w.member.messages().length).toBe(count);
    expect((await w.audit()).filter((a) => a.outcome === "denied")).toEqual([{ action: "problem.reply", outcome: "denied", subject: `problem:${id}`, actorRef: `telegram:${OUTSIDER}` }]);
  });

  it("a staff member who opened the problem privately replies from there; the reply is shown in the group thread too", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const key = `telegram:${ADMIN}`;
    const admin = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: ADMIN } }));
    await w.h.core.run({ person: { personId: admin.personId, role: "admin", locale: "en" }, ref: key }, (unit) => focusOn(unit, key, id));
    await w.admin.send("We have written to the customs committee.");
    expect(w.member.messages().at(-1)!.text).toContain("customs committee");
    expect(w.admin.messages().at(-1)!.text).toBe(tr("en", "thread-sent-to-member"));
    const echo = w.group().at(-1)!;
    expect(echo.message.replyTo).toBe(post.messageId);
    expect(echo.text).toContain("customs committee");
  });

  it("an answer to the presser's own question in the group keeps its precedence over the thread", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "choice", data: button(post, "n") }, { group: true, name: "Dana" });
    const question = w.group().at(-1)!;
    expect(question.message.replyFrom?.userId).toBe(ADMIN);
    const count = w.member.messages().length;
    await w.raw(ADMIN, { type: "text", text: "Позвонить в КГД в понедельник" }, { group: true, replyTo: question.messageId, name: "Dana" });
    expect(w.member.messages().length).toBe(count);
    expect((await entries(id)).filter((e) => e.kind === "note").map((e) => e.text)).toEqual(["Позвонить в КГД в понедельник"]);
  });
});

describe("buttons", () => {
  it("refuses forged data and non-staff presses, and audits them", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    for (const data of ["ps:t:1", "ps:x:1:0", "ps:t:abc:0", "ps:t:1:0;drop", "ps:n:1:0", "ps:s:1:0:0"]) {
      const r = await w.h.handle({ id: `telegram:f-${data}`, channel: "telegram", chatId: GROUP, userId: ADMIN, chatType: "group", event: { type: "choice", data } });
      expect(r.notice).toBe(tr("en", "error-not-allowed"));
    }
    const r = await w.h.handle({ id: "telegram:f-outsider", channel: "telegram", chatId: GROUP, userId: OUTSIDER, chatType: "group", event: { type: "choice", data: button(post, "t") } });
    // The outsider's client language is not one of ours: the default (ru).
    expect(r.notice).toBe(tr("ru", "error-not-allowed"));
    const denied = (await w.audit()).filter((a) => a.outcome === "denied").map((a) => a.action);
    expect(denied).toEqual(["forged-button", "forged-button", "forged-button", "forged-button", "forged-button", "forged-button", "problem.take"]);
    expect((await problemRow(id)).assigneeId).toBeNull();
  });

  it("Take assigns, re-renders the post with the new revision, and the old buttons are outdated", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const oldStatus = button(post, "s");
    const r = await w.h.handle({ id: "telegram:take", channel: "telegram", chatId: GROUP, userId: ADMIN, chatType: "group", displayName: "Dana", event: { type: "choice", data: button(post, "t") } });
    expect(r.notice).toBe(tr("en", "thread-taken"));
    const edited = postOf(w, id);
    expect(edited.edited).toBeGreaterThan(0);
    expect(edited.text).toContain(tr("ru", "thread-post-assignee", { name: "Dana" }).slice(0, 12));
    expect(button(edited, "s")).toBe(`ps:s:${id}:1`);
    const again = await w.h.handle({ id: "telegram:old", channel: "telegram", chatId: GROUP, userId: ADMIN, chatType: "group", event: { type: "choice", data: oldStatus } });
    expect(again.notice).toBe(tr("en", "problem-outdated"));
  });

  it("Status asks the presser for the new status and a comment, changes it with the post's revision, tells the member, and updates the post", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "choice", data: button(post, "s") }, { group: true, name: "Dana" });
    const ask = w.group().at(-1)!;
    expect(ask.message.replyFrom?.userId).toBe(ADMIN);
    const forwarded = ask.message.choices!.flat().find((b) => b.label === tr("en", "problem-status-forwarded"))!;
    expect(ask.message.choices!.flat().map((b) => b.label)).not.toContain(tr("en", "problem-status-closed"));
    await w.raw(ADMIN, { type: "choice", data: forwarded.data }, { group: true, name: "Dana" });
    const where = w.group().at(-1)!;
    await w.raw(ADMIN, { type: "text", text: "Комитет госдоходов" }, { group: true, replyTo: where.messageId, name: "Dana" });
    const comment = w.group().at(-1)!;
    await w.raw(ADMIN, { type: "text", text: "Ждём ответа до 15.12." }, { group: true, replyTo: comment.messageId, name: "Dana" });
    const p = await problemRow(id);
    expect(p).toMatchObject({ status: "forwarded", forwardedTo: "Комитет госдоходов", revision: 1 });
    const notice = w.member.messages().at(-1)!;
    expect(notice.text).toContain(tr("ru", "problem-status-forwarded"));
    expect(notice.text).toContain("Ждём ответа до 15.12.");
    const edited = postOf(w, id);
    expect(edited.text).toContain(tr("ru", "thread-post-forwarded", { to: "Комитет госдоходов" }));
    expect(button(edited, "s")).toBe(`ps:s:${id}:1`);
    expect(w.group().at(-1)!.text).toBe(tr("en", "thread-status-done", { ref: p.ref, status: toPlain(tr("en", "problem-status-forwarded")) }));
  });

  it("Status from a post that changed while the question waited is refused as outdated", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "choice", data: button(post, "s") }, { group: true, name: "Dana" });
    const ask = w.group().at(-1)!;
    // Meanwhile someone takes it (revision 1).
    await w.raw(ADMIN, { type: "choice", data: button(post, "t") });
    const review = ask.message.choices!.flat().find((b) => b.label === tr("en", "problem-status-review"))!;
    await w.raw(ADMIN, { type: "choice", data: review.data }, { group: true, name: "Dana" });
    const skip = w.group().at(-1)!.message.choices!.flat().find((b) => b.label === tr("en", "thread-comment-skip"))!;
    const r = await w.raw(ADMIN, { type: "choice", data: skip.data }, { group: true, name: "Dana" });
    expect(r.notice).toBe(tr("en", "problem-outdated"));
    expect((await problemRow(id)).status).toBe("new");
  });

  it("Note asks for the text and shows the note in the thread, never to the member", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const count = w.member.messages().length;
    await w.raw(ADMIN, { type: "choice", data: button(post, "n") }, { group: true, name: "Dana" });
    const ask = w.group().at(-1)!;
    await w.raw(ADMIN, { type: "text", text: "Похоже на случай QT-2025-0102" }, { group: true, replyTo: ask.messageId, name: "Dana" });
    const note = w.group().find((m) => m.text.includes("Похоже на случай") && m.message.replyTo === post.messageId);
    expect(note).toBeDefined();
    expect(w.member.messages().length).toBe(count);
  });
});

describe("edges", () => {
  it("a file the bot cannot take is answered with the reason, and nothing reaches staff", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    await w.raw(ADMIN, { type: "text", text: "Пришлите акт" }, { group: true, replyTo: post.messageId });
    const staffReply = w.member.messages().at(-1)!;
    const before = w.group().length;
    w.member.fresh();
    await w.sendFile(MEMBER, { kind: "document", name: "run.exe", bytes: Uint8Array.from(Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1")), replyTo: staffReply.messageId });
    expect(w.member.fresh()).toEqual([tr("ru", "thread-file-refused-type")]);
    expect(w.group().length).toBe(before);
  });

  it("a post in the private chat of someone no longer staff is not updated", async () => {
    w = await startThreadWorld({ group: false });
    const former = w.h.person("905", { language: "en" });
    await former.send("/start");
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "905" } } }, data: { role: "staff" } }));
    const { id } = await w.submit();
    const postIn = (p: typeof former) => p.messages().find((m) => m.message.choices?.flat().some((b) => b.data === `ps:n:${id}`))!;
    expect(postIn(former)).toBeDefined();
    await w.h.db.transaction((tx) => tx.person.updateMany({ where: { identities: { some: { externalId: "905" } } }, data: { role: "member" } }));
    await w.raw(ADMIN, { type: "choice", data: button(postIn(w.admin), "t") });
    expect(postIn(w.admin).edited).toBe(1);
    expect(postIn(former).edited).toBe(0);
  });
});

describe("what the member does comes into the thread", () => {
  it("'not solved' with the member's comment is shown in the thread as a status change, and the post follows", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const actorOf = async (externalId: string) => {
      const i = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId }, include: { person: true } }));
      return { person: { personId: i.personId, role: i.person.role, locale: "ru" as const }, ref: `telegram:${externalId}` };
    };
    await w.h.core.run(await actorOf(ADMIN), (unit) => changeStatus(unit, id, 0, "resolved", { comment: null }));
    const { revision } = await problemRow(id);
    const outcome = await w.h.core.run(await actorOf(MEMBER), (unit) => confirmSolved(unit, id, false, "Грузы снова стоят", { revision }));
    expect(outcome.ok).toBe(true);
    await w.h.core.dispatcher.idle();
    const post = postOf(w, id);
    const relayed = w.group().at(-1)!;
    expect(relayed.replyTo).toBe(post.messageId);
    expect(relayed.text).toContain(`${toPlain(tr("ru", "problem-status-resolved"))} → ${toPlain(tr("ru", "problem-status-reopened"))}`);
    expect(relayed.text).toContain("Грузы снова стоят");
    expect(post.text).toContain(tr("ru", "thread-post-status", { status: toPlain(tr("ru", "problem-status-reopened")) }));
    expect(button(post, "t")).toBe(`ps:t:${id}:${revision + 1}`);
  });
});

describe("a staff group that cannot be reached", () => {
  it("the post and the member's messages go to staff privately instead, and the thread works there", async () => {
    w = await startThreadWorld();
    w.h.channel.unreachable.add(GROUP);
    const { id } = await w.submit();
    await w.h.core.dispatcher.idle();
    const post = w.admin.messages().find((m) => m.message.choices?.flat().some((b) => b.data === `ps:n:${id}`));
    expect(post?.text.split("\n")[0]).toBe(tr("en", "thread-post-anonymous"));
    await w.raw(ADMIN, { type: "text", text: "Which border crossing?" }, { replyTo: post!.messageId });
    const staffReply = w.member.messages().at(-1)!;
    expect(staffReply.text).toContain("Which border crossing?");
    await w.raw(MEMBER, { type: "text", text: "Хоргос" }, { replyTo: staffReply.messageId });
    const relayed = w.admin.messages().at(-1)!;
    expect(relayed.text).toContain("Хоргос");
    expect(relayed.replyTo).toBe(post!.messageId);
  });
});

describe("albums in the staff group", () => {
  it("a staff album replying to the thread reaches the member whole, even when only its first part carries the reply; one acknowledgement", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const second = Uint8Array.from([...PNG, 1]);
    const before = w.group().length;
    await w.sendFile(ADMIN, { kind: "photo", bytes: PNG, caption: "Два фото", replyTo: post.messageId, mediaGroup: "staff-album" }, { group: true });
    await w.sendFile(ADMIN, { kind: "photo", bytes: second, mediaGroup: "staff-album" }, { group: true });
    const got = w.member.messages().filter((m) => m.files.length).map((m) => m.files.map((f) => f.bytes));
    expect(got).toEqual([[PNG], [second]]);
    expect(w.group().slice(before).map((m) => m.text)).toEqual([tr("en", "thread-sent-to-member")]);
  });
});

describe("names in the thread", () => {
  it("a member's typed name is escaped once, and after their erasure the post and their relayed messages no longer name them", async () => {
    w = await startThreadWorld();
    const { id } = await w.submit();
    const post = postOf(w, id);
    const person = await w.h.db.transaction((tx) => tx.channelIdentity.findFirstOrThrow({ where: { externalId: MEMBER } }));
    await w.h.db.transaction((tx) => tx.person.update({ where: { id: person.personId }, data: { name: "Ai & <Gerim>" } }));
    await w.raw(ADMIN, { type: "text", text: "Уточните, пожалуйста" }, { group: true, replyTo: post.messageId });
    await w.raw(MEMBER, { type: "text", text: "Уточняю" }, { replyTo: w.member.messages().at(-1)!.messageId });
    const relayed = w.group().at(-1)!;
    expect(relayed.text).toContain("Ai & <Gerim> (");
    expect(postOf(w, id).text).toContain("Aigerim");
    await w.h.core.run({ person: { personId: person.personId, role: "member", locale: "ru" }, ref: `telegram:${MEMBER}` }, (unit) => erasePerson(unit, person.personId));
    await w.h.core.dispatcher.idle();
    expect(postOf(w, id).text).not.toContain("Aigerim");
    const scrubbed = w.group().find((m) => m.messageId === relayed.messageId)!;
    expect(scrubbed.text).not.toContain("Gerim");
    expect(scrubbed.text).toContain("Уточняю");
  });
});
