// Lists as async iteration (docs/qualtrics-facts.md §3): follow result.nextPage until it is null,
// holding one page in memory at a time. A page asked for before ends the list.
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

    const enough = raw.length === 0 || delivered >= (opts.limit && opts.limit > 0 ? opts.limit : Infinity);
    // a nextPage that cannot be followed is an error only when the list would otherwise go on
    let next = enough ? null : nextTarget(client, result, target, { method, path: target, page: index + 1 });
    if (next && seen.has(next)) next = null; // the same page again would loop forever
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
 * The next page's path on the configured API (docs/qualtrics-facts.md §3.1, §13). `nextPage` is an
 * absolute URL, possibly on another data-center host or with proxy parameters (proxyDepth,
 * proxyInfo) besides skipToken; the token only ever goes to the configured API, so its path after
 * /API/v3 and its whole query are asked of the configured base, whatever path a proxy puts before
 * /API/v3 there. No nextPage key, null or "" is the last page. Anything else that cannot be mapped
 * (the Stoplight mock's placeholder "string" included) is an error: a list that silently stopped
 * early would look complete. Search may return only a skipToken (UNCONFIRMED, §3.2), which is
 * added to the current path.
 */
function nextTarget(
  client: QualtricsClient,
  result: Record<string, unknown>,
  current: string,
  ctx: { method: string; path: string; page: number },
): string | null {
  const np = result.nextPage;
  if (np !== undefined && np !== null && np !== "") {
    const mapped = typeof np === "string" ? onConfiguredBase(client, np) : undefined;
    if (mapped) return mapped;
    const shown = typeof np === "string" ? JSON.stringify(np.length > 120 ? np.slice(0, 120) + "…" : np) : `a ${Array.isArray(np) ? "list" : typeof np}`;
    throw new QualtricsApiError(
      { method: ctx.method, path: ctx.path.split("?")[0] },
      `the list's next page cannot be followed: nextPage ${shown} is not a URL of the Qualtrics API (…/API/v3/…); ` +
        `stopped at page ${ctx.page} rather than return part of the list as if it were all`,
    );
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

/**
 * `nextPage` as a path and query on the configured base: the part after our base path, or else
 * after /API/v3, moved onto our base path (a proxy at https://gw/qualtrics/API/v3 gets back
 * https://gw/API/v3/... or https://iad1.qualtrics.com/API/v3/...). Undefined when it is neither.
 */
function onConfiguredBase(client: QualtricsClient, nextPage: string): string | undefined {
  let u: URL;
  try {
    u = new URL(nextPage, client.base.origin);
  } catch {
    return undefined;
  }
  // a relative nextPage must start at the root: "string" would otherwise resolve to /string
  if (!/^https?:\/\//i.test(nextPage) && !nextPage.startsWith("/")) return undefined;
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  const base = client.base.basePath;
  let rest: string | undefined;
  if (u.pathname.startsWith(base + "/")) rest = u.pathname.slice(base.length);
  else {
    const m = /^\/API\/v3(\/.*)$/i.exec(u.pathname);
    if (m) rest = m[1];
  }
  return rest === undefined ? undefined : base + rest + u.search;
}
