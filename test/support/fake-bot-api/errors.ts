/**
 * Errors of the fake Bot API, shaped like Telegram's error envelope so the
 * HTTP layer can answer `{"ok":false,"error_code":…,"description":…}`.
 */
import type { ResponseParameters } from "grammy/types";

/** An error the fake answers with; `description` is Telegram's text. */
export class BotApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = "BotApiError";
  }
}

/** 400 with Telegram's `Bad Request: ` prefix. */
export function badRequest(what: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${what}`);
}

/** 403 with Telegram's `Forbidden: ` prefix. */
export function forbidden(what: string): BotApiError {
  return new BotApiError(403, `Forbidden: ${what}`);
}

/** Error texts used in more than one place, verbatim from Telegram. */
export const TEXT = {
  unauthorized: "Unauthorized",
  notFound: "Not Found",
  chatNotFound: "chat not found",
  upgraded: "group chat was upgraded to a supergroup chat",
  chatIdEmpty: "chat_id is empty",
  cantInitiate: "bot can't initiate conversation with a user",
  blocked: "bot was blocked by the user",
  deactivated: "user is deactivated",
  messageTextEmpty: "message text is empty",
  textMustBeNonEmpty: "text must be non-empty",
  messageTooLong: "message is too long",
  messageToEditNotFound: "message to edit not found",
  messageToDeleteNotFound: "message to delete not found",
  notModified:
    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  queryTooOld: "query is too old and response timeout expired or query ID is invalid",
  conflictPolling: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  conflictWebhook: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
} as const;
