// Helpers for the sandbox's own tests (not a test file itself).
import assert from "node:assert/strict";
import * as http from "node:http";
import { Sandbox } from "../../sandbox/types";

export type Obj = Record<string, unknown>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** parsed body when it was JSON */
  json: unknown;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  /** token to send in X-API-TOKEN; null = send none; default: the sandbox token */
  token?: string | null;
  headers?: Record<string, string>;
}

/** Calls `path` (relative to apiBase, or an absolute URL) with the sandbox token. */
export async function call(sb: Sandbox, method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
  const url = /^https?:/.test(path) ? path : `${sb.apiBase}${path}`;
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? sb.token : opts.token;
  if (token !== null) headers["X-API-TOKEN"] = token;
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function obj(value: unknown, what = "value"): Obj {
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), `${what} should be an object, got ${JSON.stringify(value)}`);
  return value as Obj;
}

export function arr(value: unknown, what = "value"): unknown[] {
  assert.ok(Array.isArray(value), `${what} should be an array, got ${JSON.stringify(value)}`);
  return value;
}

/** Asserts HTTP 200 and returns `result`. */
export function result(r: ApiResponse): Obj {
  assert.equal(r.status, 200, `expected 200, got ${r.status}: ${r.text}`);
  return obj(obj(r.json, "body").result, "result");
}

export function elements(r: ApiResponse): Obj[] {
  return arr(result(r).elements, "result.elements").map((e) => obj(e, "element"));
}

export function meta(r: ApiResponse): Obj {
  return obj(obj(r.json, "body").meta, "meta");
}

/** Asserts an error envelope with `status` and an errorMessage matching `message`. */
export function assertError(r: ApiResponse, status: number, message?: RegExp): { errorMessage: string; errorCode: string } {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  const body = obj(r.json, "body");
  assert.deepEqual(Object.keys(body), ["meta"], "error bodies carry only meta");
  const m = obj(body.meta, "meta");
  assert.match(String(m.httpStatus), new RegExp(`^${status} - `));
  const e = obj(m.error, "meta.error");
  assert.equal(typeof e.errorMessage, "string");
  assert.equal(typeof e.errorCode, "string");
  if (message) assert.match(String(e.errorMessage), message);
  return { errorMessage: String(e.errorMessage), errorCode: String(e.errorCode) };
}

/** Follows result.nextPage to the end with GET; returns all elements and the number of pages. */
export async function listAll(sb: Sandbox, path: string): Promise<{ items: Obj[]; pages: number; urls: string[] }> {
  const items: Obj[] = [];
  const urls: string[] = [];
  let next: string | null = path;
  let pages = 0;
  while (next !== null) {
    const r = await call(sb, "GET", next);
    const res = result(r);
    items.push(...arr(res.elements).map((e) => obj(e)));
    pages += 1;
    assert.ok(pages < 1000, "runaway pagination");
    const np = res.nextPage;
    assert.ok(np === null || typeof np === "string", "nextPage is a string or null");
    next = np;
    if (next !== null) urls.push(next);
  }
  return { items, pages, urls };
}

/** A raw node:http request (for headers fetch will not send as given, e.g. Host or header-name case). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
