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
   * Stops accepting connections, waits for the requests in progress (at most `drainMs`, default a
   * minute), then closes the idle keep-alive connections Telegram holds open instead of waiting
   * for their timeout.
   */
  close(drainMs?: number): Promise<void>;
}

/** Serves `app` on `port` (all interfaces); resolves once listening, rejects if the port is taken. */
export function startHttpServer(app: Hono, port: number): Promise<HttpServer> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  return new Promise((resolve, reject) => {
    const server = serve({
      port,
      fetch: async (request, env) => {
        inFlight++;
        try {
          return await app.fetch(request, env);
        } finally {
          inFlight--;
          if (inFlight === 0) drained?.();
        }
      },
    }) as Server;
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        async close(drainMs = 60_000) {
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
