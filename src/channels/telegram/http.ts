/**
 * The Telegram adapter's HTTP routes, as a Hono app: `POST <webhook path>` (Telegram's webhook,
 * checked by its secret-token header) and `GET /healthz`. Other routes (a dashboard) can be
 * mounted on the same app later.
 */
import { timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Update } from "grammy/types";
import type { Logger } from "../../log.ts";

/** What handling one update came to: done (confirm it to Telegram) or retry (a transient failure). */
export type ReceiveOutcome = "done" | "retry";

/** The health report served by /healthz; `ok` is false when any part is down (HTTP 503). */
export interface HealthReport {
  ok: boolean;
  mode: "polling" | "webhook";
  /** Whether updates are arriving from Telegram. */
  receiving: { ok: boolean; detail?: string };
  /** Whether the database answers a cheap query in time. */
  database: { ok: boolean; detail?: string };
}

export interface TelegramHttpOptions {
  log: Logger;
  health: () => Promise<HealthReport>;
  webhook?: {
    /** The path of the webhook URL. */
    path: string;
    secret: string;
    /** Handles one update; "retry" answers 503 so that Telegram delivers it again later. */
    receive: (update: Update) => Promise<ReceiveOutcome>;
  };
}

/** Telegram sends updates of a few kilobytes; anything far larger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The routes: every request gets an answer, whatever its body (nothing here may end the process). */
export function telegramHttpApp(opts: TelegramHttpOptions): Hono {
  const app = new Hono();
  app.get("/healthz", async (c) => {
    const report = await opts.health();
    return c.json(report, report.ok ? 200 : 503);
  });
  const hook = opts.webhook;
  if (hook) {
    const expected = Buffer.from(hook.secret);
    app.post(
      hook.path,
      // The secret is checked before the body is read: strangers learn nothing, not even about size.
      async (c, next) => {
        const given = Buffer.from(c.req.header("x-telegram-bot-api-secret-token") ?? "");
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          opts.log.warn("webhook: request without the right secret token");
          return c.json({ ok: false, error: "unauthorized" }, 401);
        }
        await next();
      },
      bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ ok: false, error: "body too large" }, 413) }),
      async (c) => {
        let body: unknown;
        try {
          body = JSON.parse(await c.req.text());
        } catch {
          opts.log.warn("webhook: the body is not JSON");
          return c.json({ ok: false, error: "the body is not JSON" }, 400);
        }
        if (!isUpdate(body)) {
          opts.log.warn("webhook: the body is not an update");
          return c.json({ ok: false, error: "the body is not an update" }, 400);
        }
        const outcome = await hook.receive(body);
        // Non-2xx makes Telegram deliver the update again (with its own backoff).
        return outcome === "done" ? c.json({ ok: true }) : c.json({ ok: false, error: "try again later" }, 503);
      },
    );
  }
  app.notFound((c) => c.json({ ok: false, error: "not found" }, 404));
  app.onError((error, c) => {
    opts.log.error("http: request failed", { error });
    return c.json({ ok: false, error: "internal error" }, 500);
  });
  return app;
}

/** An object with an integer update_id: the least every Telegram update has. */
function isUpdate(body: unknown): body is Update {
  return (
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    Number.isSafeInteger((body as { update_id?: unknown }).update_id) &&
    (body as { update_id: number }).update_id >= 0
  );
}
