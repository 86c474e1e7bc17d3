/**
 * A small load balancer for cluster tests, in front of several bot instances in webhook mode, as
 * nginx's `upstream` with `proxy_next_upstream error` would be (deploy/nginx.conf):
 *
 * - each request goes to a randomly chosen instance (seeded, so a failing run can be repeated);
 * - an instance that refuses the connection (killed, restarting) is skipped for the next one; when
 *   none answers, the request gets 502 and Telegram (the fake Bot API) retries it later;
 * - `duplicate` of the requests are also sent to a second instance, half of them at the same time
 *   as the first, half after the first answered (as Telegram does when it did not get, or did not
 *   believe, an answer): the bots must handle each update once.
 *
 * The answer of the first instance is passed back to Telegram as it is (status and body).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface BalancerOptions {
  /** Ports of the instances on 127.0.0.1. */
  ports: number[];
  /** Share of requests sent a second time to another instance (0..1). Default 0. */
  duplicate?: number;
  /** Seed of the random choices. Default 1. */
  seed?: number;
}

export interface BalancerStats {
  /** Requests received from Telegram. */
  received: number;
  /** Requests forwarded, per instance port (duplicates included). */
  perPort: Record<number, number>;
  /** Requests also sent to a second instance. */
  duplicated: number;
  /** Requests no instance answered (answered 502). */
  failed: number;
}

export interface Balancer {
  readonly url: string;
  readonly port: number;
  readonly stats: BalancerStats;
  close(): Promise<void>;
}

/** A deterministic PRNG (mulberry32): same seed, same choices. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Forwarded {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function forward(port: number, req: http.IncomingMessage, body: Buffer): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const out = http.request(
      { host: "127.0.0.1", port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    out.on("error", reject);
    out.end(body);
  });
}

/** Starts a balancer on 127.0.0.1 (a free port) in front of `opts.ports`. */
export async function startBalancer(opts: BalancerOptions): Promise<Balancer> {
  const rand = random(opts.seed ?? 1);
  const stats: BalancerStats = { received: 0, perPort: Object.fromEntries(opts.ports.map((p) => [p, 0])), duplicated: 0, failed: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        stats.received++;
        const body = Buffer.concat(chunks);
        const start = Math.floor(rand() * opts.ports.length);
        const again = opts.ports.length > 1 && rand() < (opts.duplicate ?? 0);
        const second = again ? opts.ports[(start + 1 + Math.floor(rand() * (opts.ports.length - 1))) % opts.ports.length]! : undefined;
        const together = rand() < 0.5;
        let duplicate: Promise<unknown> | undefined;
        const sendDuplicate = () => {
          stats.duplicated++;
          stats.perPort[second!]!++;
          duplicate = forward(second!, req, body).catch(() => undefined);
        };
        if (second !== undefined && together) sendDuplicate();
        let answered: { port: number; result: Forwarded } | undefined;
        for (let i = 0; i < opts.ports.length && !answered; i++) {
          const port = opts.ports[(start + i) % opts.ports.length]!;
          try {
            stats.perPort[port]!++;
            answered = { port, result: await forward(port, req, body) };
          } catch {
            // refused or cut: the next instance (nginx: proxy_next_upstream error)
          }
        }
        if (!answered) {
          stats.failed++;
          res.writeHead(502).end();
        } else {
          const { status, headers, body: answer } = answered.result;
          res.writeHead(status, { "content-type": headers["content-type"] ?? "text/plain" }).end(answer);
        }
        if (second !== undefined && !together) sendDuplicate();
        await duplicate;
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
