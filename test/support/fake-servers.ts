// The HTTP servers that stand in for someone else in the tests, all on 127.0.0.1 and one core:
// - the recording server: records every request and answers from a per-test script (JSON API);
// - the raw server: the test writes the answer itself (pieces, pauses, a dropped connection);
// - the receiver: a webhook receiver that records deliveries and answers with a status;
// - the collector: takes the JSON batches a deployed flow POSTs back to the test process.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { sleep } from "./wait";

/** a request as every fake server sees it, with the body read */
export interface Incoming {
  method: string;
  /** the request target as sent (path and query) */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

export interface Listening {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/API/v3" */
  apiBase: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Starts a server that reads each request's body before `onRequest` sees it. */
export async function listen(onRequest: (req: Incoming, res: http.ServerResponse, raw: http.IncomingMessage) => void): Promise<Listening> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = Buffer.concat(chunks).toString("utf8");
      onRequest({ method: req.method ?? "", url: req.url ?? "", path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, raw }, res, req);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiBase: `${url}/API/v3`,
    server,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

// ------------------------------------------------------------------------- the recording server

export interface Recorded extends Incoming {
  body: unknown;
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
  const srv = await listen((req, res, incoming) => {
    void (async () => {
      let body: unknown = req.raw;
      if (req.raw && /json/.test(String(req.headers["content-type"]))) {
        try {
          body = JSON.parse(req.raw);
        } catch {
          body = req.raw;
        }
      }
      const rec: Recorded = { ...req, body };
      requests.push(rec);
      const index = requests.length - 1;
      const step = script[Math.min(index, script.length - 1)];
      const reply = typeof step === "function" ? await step(rec, index) : step;
      if (reply.delayMs) await sleep(reply.delayMs);
      if (reply.drop) {
        incoming.socket.destroy();
        return;
      }
      const isText = typeof reply.body === "string";
      res.writeHead(reply.status ?? 200, { "content-type": isText ? "text/html" : "application/json", ...(reply.headers ?? {}) });
      res.end(reply.body === undefined ? "" : isText ? (reply.body as string) : JSON.stringify(reply.body));
    })();
  });
  return {
    url: srv.url,
    apiBase: srv.apiBase,
    requests,
    reply(...replies) {
      script = replies;
      requests.length = 0;
    },
    close: srv.close,
  };
}

// ------------------------------------------------------------------------------- the raw server
// for downloads, which the JSON recording server cannot send

export interface RawRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type RawHandler = (req: RawRequest, res: http.ServerResponse, index: number) => void | Promise<void>;

export interface RawServer {
  url: string;
  apiBase: string;
  requests: RawRequest[];
  /** how every request is answered from now on */
  handle(fn: RawHandler): void;
  close(): Promise<void>;
}

export async function startRawServer(): Promise<RawServer> {
  const requests: RawRequest[] = [];
  let handler: RawHandler = (_req, res) => void res.writeHead(404).end();
  const srv = await listen((req, res) => {
    let body: unknown = req.raw;
    try {
      body = req.raw ? JSON.parse(req.raw) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const rec: RawRequest = { method: req.method, path: req.path, query: req.query, headers: req.headers, body };
    requests.push(rec);
    Promise.resolve(handler(rec, res, requests.length - 1)).catch(() => res.destroy());
  });
  return {
    url: srv.url,
    apiBase: srv.apiBase,
    requests,
    handle(fn) {
      handler = fn;
      requests.length = 0;
    },
    close: srv.close,
  };
}

/** an enveloped JSON answer */
export function json(res: http.ServerResponse, status: number, result: unknown, meta: Record<string, unknown> = {}): void {
  const body = JSON.stringify(status < 400 ? { result, meta: { httpStatus: `${status} - OK`, requestId: `req-${status}`, ...meta } } : { meta: { httpStatus: `${status} - Error`, requestId: `req-${status}`, error: { errorMessage: String(result), errorCode: "TEST_1" }, ...meta } });
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body);
}

/** writes and waits for the socket to take it (backpressure), false when the client has gone */
export function write(res: http.ServerResponse, chunk: Buffer | string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}

// --------------------------------------------------------------------------------- the receiver

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver at /hook; `reply` gives each delivery's status (a failure answers 500). */
export async function startReceiver(reply: (r: Received) => number | Promise<number> = () => 200): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const srv = await listen((req, res) => {
    const r: Received = { method: req.method, url: req.url, headers: req.headers, body: req.raw };
    received.push(r);
    Promise.resolve(reply(r)).then((status) => {
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end("ok");
    }, () => {
      res.writeHead(500);
      res.end();
    });
  });
  return { url: `${srv.url}/hook`, received, close: srv.close };
}

// -------------------------------------------------------------------------------- the collector

/**
 * Takes what a flow's http request node POSTs: one JSON value a request, handed to `take` with
 * the time it came; 204, or 400 for a body that is no JSON. The http request node keeps its
 * connection: a server that closed it when idle (Node's default is after 5 s) could race a batch
 * into a reset, and what it carried would be lost.
 */
export async function startCollector(take: (body: unknown, at: number) => void): Promise<Listening> {
  const srv = await listen((req, res) => {
    try {
      take(JSON.parse(req.raw), Date.now());
      res.writeHead(204).end();
    } catch {
      res.writeHead(400).end();
    }
  });
  srv.server.keepAliveTimeout = 30 * 60_000;
  return srv;
}
