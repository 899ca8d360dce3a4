// Lists as async iteration (qualtrics-api.md §3): follow result.nextPage until it is null,
// holding one page in memory at a time.
import { withQuery } from "./client";
import type { HttpMethod, Query, QualtricsClient } from "./client";
import { QualtricsApiError } from "./errors";

export interface PageOptions {
  query?: Query;
  /** stop after this many elements; 0 or undefined = all */
  limit?: number;
  method?: HttpMethod;
  /** body for POST lists (contact search); sent again with every page */
  body?: unknown;
  signal?: AbortSignal;
  /** safety net against a server that never stops */
  maxPages?: number;
}

export interface Page<T> {
  elements: T[];
  /** where the next page is, already checked; null on the last page */
  next: string | null;
  requestId?: string;
  notice?: string;
  index: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function* pages<T = Record<string, unknown>>(
  client: QualtricsClient,
  path: string,
  opts: PageOptions = {},
): AsyncGenerator<Page<T>> {
  const method = opts.method ?? "GET";
  const seen = new Set<string>();
  const maxPages = opts.maxPages ?? 100_000;
  let target = withQuery(client.resolvePath(path), opts.query);
  seen.add(target); // a first page that names itself as the next one is a loop too
  let delivered = 0;
  for (let index = 0; index < maxPages; index++) {
    const res = await client.request<unknown>({
      method,
      path: target,
      body: opts.body,
      signal: opts.signal,
      idempotent: true,
    });
    const result = isObject(res.result) ? res.result : {};
    const raw = Array.isArray(result.elements) ? (result.elements as T[]) : [];
    const room = opts.limit && opts.limit > 0 ? opts.limit - delivered : Infinity;
    const elements = raw.length > room ? raw.slice(0, room) : raw;
    delivered += elements.length;

    let next = nextTarget(client, result, target);
    if (next && seen.has(next)) next = null; // the same page again would loop forever
    if (raw.length === 0 || delivered >= (opts.limit && opts.limit > 0 ? opts.limit : Infinity)) next = null;
    yield { elements, next, requestId: res.requestId, notice: res.notice, index };
    if (!next) return;
    seen.add(next);
    target = next;
  }
  throw new QualtricsApiError({ method, path }, `more than ${maxPages} pages; stopped`);
}

export async function* items<T = Record<string, unknown>>(
  client: QualtricsClient,
  path: string,
  opts: PageOptions = {},
): AsyncGenerator<T> {
  for await (const page of pages<T>(client, path, opts)) yield* page.elements;
}

export async function collect<T = Record<string, unknown>>(
  client: QualtricsClient,
  path: string,
  opts: PageOptions = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items<T>(client, path, opts)) out.push(item);
  return out;
}

/**
 * The next page's path on the configured API. `nextPage` is an absolute URL (§3.1); in the
 * Stoplight mock it is the literal "string", so anything that is not http(s) ends the list.
 * A nextPage on another host is not followed with the token: its path and query are asked of
 * the configured host instead, which serves the same API. Search may return only a skipToken
 * (UNCONFIRMED, §3.2), which is added to the current path.
 */
function nextTarget(client: QualtricsClient, result: Record<string, unknown>, current: string): string | null {
  const np = result.nextPage;
  if (typeof np === "string" && /^https?:\/\//i.test(np)) {
    let u: URL;
    try {
      u = new URL(np);
    } catch {
      return null;
    }
    if (!u.pathname.startsWith(client.base.basePath + "/")) return null;
    return u.pathname + u.search;
  }
  const skip = result.skipToken;
  if (typeof skip === "string" && skip.length > 0) {
    const [p, q] = current.split("?", 2);
    const params = new URLSearchParams(q ?? "");
    params.set("skipToken", skip);
    return `${p}?${params.toString()}`;
  }
  return null;
}
