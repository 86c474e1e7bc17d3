/**
 * The process's HTTP server: one Hono app (Telegram's webhook and /healthz today, a dashboard
 * later) served by @hono/node-server, with a stop that drains the requests in progress.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface HttpServer {
  /** The port actually listened on (0 asked for a free one). */
  readonly port: number;
  /**
   * Stops accepting connections and requests (503 while stopping), waits for the requests in progress (at most `drainMs`, default a
   * minute), then closes the idle keep-alive connections Telegram holds open instead of waiting
   * for their timeout.
   */
  close(drainMs?: number): Promise<void>;
}

/** Serves `app` on `port` (all interfaces); resolves once listening, rejects if the port is taken. */
export function startHttpServer(app: Hono, port: number): Promise<HttpServer> {
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  return new Promise((resolve, reject) => {
    const server = serve({
      port,
      // A request on a kept-alive connection while stopping: not taken (Telegram sends it again).
      fetch: (request, env) => (closing ? new Response(null, { status: 503, headers: { connection: "close" } }) : app.fetch(request, env)),
    }) as Server;
    // Counted until the response is written out, not just produced, so that none is cut off.
    server.on("request", (_req, res) => {
      inFlight++;
      res.once("close", () => {
        inFlight--;
        if (inFlight === 0) drained?.();
      });
    });
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        async close(drainMs = 60_000) {
          closing = true;
          const closed = new Promise<void>((done) => server.close(() => done()));
          if (inFlight > 0) {
            await new Promise<void>((done) => {
              drained = done;
              setTimeout(done, drainMs).unref();
            });
          }
          server.closeAllConnections();
          await closed;
        },
      });
    });
  });
}
