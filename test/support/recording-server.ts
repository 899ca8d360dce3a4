// A real HTTP server on 127.0.0.1 for node and client tests: it records every request
// (method, path, query, headers, parsed body) and answers from a per-test script.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { sleep } from "./wait";

export interface Recorded {
  method: string;
  path: string;
  url: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  raw: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** an object is sent as JSON; a string as is */
  body?: unknown;
  delayMs?: number;
  /** destroy the socket without answering */
  drop?: boolean;
}

export type Responder = (req: Recorded, index: number) => Reply | Promise<Reply>;

export interface RecordingServer {
  url: string;
  apiBase: string;
  requests: Recorded[];
  /** answers in order; the last one repeats */
  reply(...replies: (Reply | Responder)[]): void;
  close(): Promise<void>;
}

export function ok(result: unknown, extraMeta: Record<string, unknown> = {}): Reply {
  return { status: 200, body: { result, meta: { httpStatus: "200 - OK", requestId: "req-" + Math.random().toString(36).slice(2, 10), ...extraMeta } } };
}

export function metaOnly(): Reply {
  return { status: 200, body: { meta: { httpStatus: "200 - OK", requestId: "req-meta" } } };
}

export function fail(status: number, errorMessage: string, errorCode = "QVAL_1", headers?: Record<string, string>): Reply {
  const reason: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Temporary Internal Server Error", 504: "Gateway Timeout" };
  return {
    status,
    headers,
    body: { meta: { httpStatus: `${status} - ${reason[status] ?? "Error"}`, requestId: "req-err", error: { errorMessage, errorCode } } },
  };
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  let script: (Reply | Responder)[] = [ok({})];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const u = new URL(req.url ?? "/", "http://127.0.0.1");
        let body: unknown = raw;
        if (raw && /json/.test(String(req.headers["content-type"]))) {
          try {
            body = JSON.parse(raw);
          } catch {
            body = raw;
          }
        }
        const rec: Recorded = { method: req.method ?? "", path: u.pathname, url: req.url ?? "", query: Object.fromEntries(u.searchParams), headers: req.headers, body, raw };
        requests.push(rec);
        const index = requests.length - 1;
        const step = script[Math.min(index, script.length - 1)];
        const reply = typeof step === "function" ? await step(rec, index) : step;
        if (reply.delayMs) await sleep(reply.delayMs);
        if (reply.drop) {
          req.socket.destroy();
          return;
        }
        const isText = typeof reply.body === "string";
        res.writeHead(reply.status ?? 200, { "content-type": isText ? "text/html" : "application/json", ...(reply.headers ?? {}) });
        res.end(reply.body === undefined ? "" : isText ? (reply.body as string) : JSON.stringify(reply.body));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    apiBase: url + "/API/v3",
    requests,
    reply(...replies) {
      script = replies;
      requests.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
