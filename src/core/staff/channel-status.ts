/**
 * Tells staff how a channel's own connection is doing (issue 9 item 6: WhatsApp through
 * whatsapp-web.js runs on a linked phone and can lose its session). The adapter side decides when
 * (session.ts: once per loss, not per retry); this only words the notice and queues it through the
 * outbox like any other, so it is delivered by the normal engine on the channels staff use. A
 * channel never reports about itself to itself: the targets on the channel concerned are skipped
 * (a WhatsApp that is down cannot carry the news that it is down).
 */
import type { ChannelName } from "../channel.ts";
import { keepOwnFile } from "../files/records.ts";
import type { Label, Target } from "../message.ts";
import { adminTargets, staffTargets } from "../people.ts";
import type { Unit } from "../unit.ts";

/**
 * What happened:
 * - `login-qr`: the channel waits for its login QR to be scanned (`png`: the code as a PNG image;
 *   `path`: where the current code is kept on the server, refreshed as the platform renews it).
 *   Admins only: whoever scans it links the association's number.
 * - `session-lost`: the session ended (logged out, unlinked from the phone, refused): members on
 *   that channel get no answers until an admin scans a new code. Staff.
 * - `unreachable`: the channel cannot start (`reason`: one line, e.g. "net::ERR_NAME_NOT_RESOLVED");
 *   the bot keeps retrying in the background. Staff.
 * - `connected`: it works again, after one of the above was told. Staff.
 */
export type ChannelStatus =
  | { kind: "login-qr"; png: Uint8Array; path: string }
  | { kind: "session-lost"; path: string }
  | { kind: "unreachable"; reason: string }
  | { kind: "connected" };

/** The name of the QR image as sent (a photo, so that it shows at once). */
export const LOGIN_QR_NAME = "whatsapp-login-qr.png";

/**
 * Queues the notice for `status` of `channel` in `unit`: the login QR (as a photo) to admins, the
 * rest to staff (the staff group when there is one), each in their language, none on `channel` itself.
 */
export async function notifyChannelStatus(unit: Unit, channel: ChannelName, status: ChannelStatus): Promise<void> {
  const elsewhere = (targets: Target[]) => targets.filter((t) => t.channel !== channel);
  if (status.kind === "login-qr") {
    const targets = elsewhere(await adminTargets(unit.tx, unit.settings.defaultLocale));
    if (!targets.length) return;
    const kept = await keepOwnFile(unit.tx, unit.services.files, status.png, { kind: "photo", name: LOGIN_QR_NAME }, unit.now);
    for (const target of targets) {
      await unit.outbox.send(target, { text: { key: "wa-ops-login-qr", args: { path: status.path } }, files: [{ fileId: kept.id, name: LOGIN_QR_NAME }] });
    }
    return;
  }
  const text: Label =
    status.kind === "session-lost"
      ? { key: "wa-ops-session-lost", args: { path: status.path } }
      : status.kind === "unreachable"
        ? { key: "wa-ops-unreachable", args: { reason: status.reason } }
        : { key: "wa-ops-connected" };
  for (const target of elsewhere(await staffTargets(unit.tx, unit.settings, unit.staffChat.target))) await unit.outbox.send(target, { text });
}
