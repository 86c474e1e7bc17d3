/**
 * Fetching a file a person sent, before the turn that handles it (core.ts `handle`): never inside
 * a database transaction, bounded in time, and never a crashed turn. What comes out is what the
 * turn's event carries: the bytes kept (`stored` once the turn records the row), or why not.
 */
import { DeliveryError, type ChannelSender, type InboundFileRef } from "../channel.ts";
import type { Logger } from "../../log.ts";
import type { Label } from "../message.ts";
import { DEFAULT_MAX_FILE_BYTES, type FileStore, type KeepResult } from "./store.ts";

/** How long fetching one file may take (a 20 MB document on a slow link), in ms. */
export const DOWNLOAD_TIMEOUT_MS = 60_000;

/** The largest file a channel serves, from its declared `maxDownloadBytes` (Telegram's 20 MB when it declares none). */
export function maxDownloadBytes(declared: number | undefined): number {
  return declared ?? DEFAULT_MAX_FILE_BYTES;
}

/**
 * Fetches `ref` through the channel's `download` and keeps it in `store`:
 * - refused "too-big" when the announced size is over the channel's limit (nothing is fetched),
 *   when the platform refuses it as too big, or when the bytes turn out bigger;
 * - "type" for executables, scripts, and a photo that is no image (store.ts `sniff`);
 * - "unavailable" when it cannot be fetched in `timeoutMs` (network, the platform, no `download`)
 *   or kept (the disk): the person is asked to send it again.
 * Never throws; `log` hears of the failures (no file names: they may be personal).
 */
export async function fetchFile(
  ref: InboundFileRef,
  sender: ChannelSender | undefined,
  store: FileStore,
  opts: { timeoutMs?: number; log?: Pick<Logger, "warn" | "error"> } = {},
): Promise<KeepResult> {
  const max = maxDownloadBytes(sender?.capabilities?.maxDownloadBytes);
  if (ref.size !== undefined && ref.size > max) return { refused: "too-big" };
  if (!sender?.download) {
    opts.log?.error("a file came from a channel that cannot download files", { channel: sender?.channel ?? null });
    return { refused: "unavailable" };
  }
  const timeoutMs = opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let bytes: Uint8Array;
  try {
    // The signal asks the sender to stop; the race ends the wait even if it does not listen.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no file within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    bytes = await Promise.race([sender.download(ref, abort.signal), timeout]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The Bot API refuses files over 20 MB ("file is too big") even when the size was not announced.
    if (error instanceof DeliveryError && error.failure === "rejected" && /too big|too large/i.test(reason)) return { refused: "too-big" };
    opts.log?.warn("could not fetch a file a person sent; they are asked to send it again", { channel: sender.channel, reason: reason.slice(0, 200) });
    return { refused: "unavailable" };
  } finally {
    clearTimeout(timer);
  }
  try {
    return await store.keep(bytes, ref.kind, { name: ref.name ?? null, maxBytes: max });
  } catch (error) {
    opts.log?.error("could not keep a file a person sent", { error });
    return { refused: "unavailable" };
  }
}

/** What a person is told about a file that was not kept, in their language (locales: `## files`). */
export function fileRefusalLabel(refused: "too-big" | "type" | "unavailable", maxBytes: number = DEFAULT_MAX_FILE_BYTES): Label {
  if (refused === "too-big") return { key: "file-refused-too-big", args: { limit: Math.floor(maxBytes / (1024 * 1024)) } };
  return refused === "type" ? "file-refused-type" : "file-refused-unavailable";
}
