// A real HTTP server on 127.0.0.1 whose answers a test writes itself (status, headers, bodies in
// pieces, pauses, a dropped connection): for downloads, which the JSON recording server cannot send.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

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
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://127.0.0.1");
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // not JSON: keep the text
      }
      const rec: RawRequest = { method: req.method ?? "", path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers, body };
      requests.push(rec);
      Promise.resolve(handler(rec, res, requests.length - 1)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiBase: `${url}/API/v3`,
    requests,
    handle(fn) {
      handler = fn;
      requests.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
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
