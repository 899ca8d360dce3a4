// The Qualtrics v3 HTTP client: one keep-alive pool, one limiter, retries and the envelope.
// It knows nothing of Node-RED; nodes get one per config node.
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { Client, Pool } from "undici";
import type { IncomingHttpHeaders } from "undici/types/header";
import { ApiBase, resolveApiBase } from "./base-url";
import { QualtricsMeta, unwrap } from "./envelope";
import { QualtricsApiError, QualtricsInputError } from "./errors";
import { RequestLimiter, abortReason, type RateGate } from "./limiter";
import { Redactor, authSecrets, redactor } from "./redact";
import {
  DEFAULT_RETRY,
  IDEMPOTENT_METHODS,
  RetryPolicy,
  backoffDelay,
  errorCodeOf,
  failedBeforeSend,
  humanDuration,
  mayHaveSucceededStatus,
  parseRetryAfter,
  retryWait,
  retryableStatus,
} from "./retry";
import { safeJsonParse } from "./safe-object";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
export type QueryValue = string | number | boolean | undefined | null | readonly (string | number | boolean)[];
export type Query = Record<string, QueryValue>;

export interface ClientOptions {
  /** data center ID or organisation host (ignored when baseUrl is set) */
  dataCenter?: string;
  /** full API root, e.g. http://127.0.0.1:4010/API/v3 (sandboxes) */
  baseUrl?: string;
  /** returns the headers that authenticate a request (X-API-TOKEN now, a Bearer token with OAuth) */
  auth: () => Record<string, string> | Promise<Record<string, string>>;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimitPerMinute?: number;
  maxConcurrent?: number;
  /** the rate shared with other processes (replicas); see RateGate */
  rateGate?: RateGate;
  /** called with meta.notice ("Request proxied ...") */
  onNotice?: (notice: string) => void;
  /**
   * Called once per request when Qualtrics answers 401, with the auth headers that were sent; true =
   * try that request once more (an OAuth token provider drops the token, so auth() fetches another).
   * Without it a 401 is an error at once.
   */
  onUnauthorized?: (sentAuth: Record<string, string>) => boolean | Promise<boolean>;
  /** called when the client is closed (a token provider ends its connection) */
  onClose?: () => void | Promise<void>;
  /** largest response body read into memory */
  maxResponseBytes?: number;
  userAgent?: string;
  /**
   * The account's secrets (token, client ID and secret, access token, shared keys): taken out of
   * every error text, since Qualtrics or a proxy may echo them. The auth header values a request
   * sent are taken out as well without being listed here.
   */
  secrets?: () => readonly (string | undefined)[];
}

export interface RequestOptions {
  method: HttpMethod;
  /** relative to /API/v3 ("/directories/POOL_x/contacts"), or an absolute URL on the configured origin */
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** treat a POST as safe to repeat (searches, a create with an Idempotency-Key); PUT, GET and DELETE always are */
  idempotent?: boolean;
  /** secrets this request carries besides the account's (a shared key in the body): kept out of its error texts */
  secrets?: readonly string[];
}

export interface ApiResponse<T = unknown> {
  result: T;
  body: unknown;
  statusCode: number;
  httpStatus?: string;
  requestId?: string;
  notice?: string;
  enveloped: boolean;
  headers: Record<string, string>;
  attempts: number;
}

export interface StreamRequestOptions {
  /** relative to /API/v3, or an absolute URL on the configured origin */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** how long to wait for the answer's headers, and at most between two pieces of the body */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** as RequestOptions.secrets */
  secrets?: readonly string[];
}

export interface StreamResponse {
  /** the body as it arrives; read it to the end or destroy it */
  body: Readable;
  statusCode: number;
  headers: Record<string, string>;
  requestId?: string;
  attempts: number;
}

const HOP_BY_HOP = new Set(["host", "content-length", "connection", "transfer-encoding", "x-api-token", "authorization"]);

export class QualtricsClient {
  readonly base: ApiBase;
  readonly limiter: RequestLimiter;
  private readonly pool: Pool;
  private readonly opts: ClientOptions;
  private readonly retry: RetryPolicy;
  private readonly closing = new AbortController();
  /** the controllers of the attempts under way; closing the client aborts them */
  private readonly attempts = new Set<AbortController>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  /** redactors by their secrets: the same few sets come back answer after answer (with and without the auth sent) */
  private readonly redactors = new Map<string, Redactor>();

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.base = resolveApiBase(opts.dataCenter, opts.baseUrl);
    this.retry = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
    const maxConcurrent = opts.maxConcurrent ?? 10;
    this.limiter = new RequestLimiter({ perMinute: opts.rateLimitPerMinute ?? 3000, maxConcurrent, gate: opts.rateGate });
    this.closing.signal.addEventListener("abort", () => {
      for (const ac of this.attempts) ac.abort(this.closing.signal.reason);
    }, { once: true });
    this.pool = new Pool(this.base.origin, {
      connections: maxConcurrent,
      keepAliveTimeout: 30_000,
      // our own timeout (AbortSignal) is the one users configure; these only stop a stalled socket
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  get apiRoot(): string {
    return this.base.origin + this.base.basePath;
  }

  /** Resolve a path or absolute URL to a path on the configured origin; never another host. */
  resolvePath(pathOrUrl: string, field = "url"): string {
    const p = pathOrUrl.trim();
    if (/^[a-z][a-z0-9+.-]*:/i.test(p)) {
      let u: URL;
      try {
        u = new URL(p);
      } catch {
        throw new QualtricsInputError(field, `"${p.slice(0, 80)}" is not a URL`);
      }
      if (u.origin !== this.base.origin || !u.pathname.startsWith(this.base.basePath + "/")) {
        throw new QualtricsInputError(
          field,
          `${u.origin} is not the configured API (${this.apiRoot}); the token is only ever sent there`,
        );
      }
      return u.pathname + u.search;
    }
    if (p.startsWith(this.base.basePath + "/")) return p;
    const rel = p.replace(/^\/?(API\/v3\/)?/i, "");
    if (!rel) throw new QualtricsInputError(field, "is empty");
    return `${this.base.basePath}/${rel}`;
  }

  /** `text` without the account's secrets (and `extra` ones), as every error of this client is */
  redact(text: string, extra?: readonly string[]): string {
    return this.redactorFor(undefined, extra)(text);
  }

  /** the first wait before a retry (in Node-RED, settings.js qualtricsConfigRetryDelay); other waits of the account scale with it */
  get retryBaseMs(): number {
    return this.retry.baseMs;
  }

  async request<T = unknown>(ro: RequestOptions): Promise<ApiResponse<T>> {
    if (this.closed) throw new QualtricsApiError({ method: ro.method, path: ro.path }, "the Qualtrics configuration is closed");
    const task = this.run<T>(ro);
    this.inflight.add(task);
    try {
      return await task;
    } finally {
      this.inflight.delete(task);
    }
  }

  private async run<T>(ro: RequestOptions): Promise<ApiResponse<T>> {
    const method = ro.method;
    const { fullPath, shownPath, userHeaders } = this.target(ro);
    const idempotent = ro.idempotent ?? IDEMPOTENT_METHODS.has(method);
    const body = ro.body === undefined || method === "GET" ? undefined : JSON.stringify(ro.body);

    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const { signal, unlink, release, auth, timeoutMs, timedOut, timer } = await this.slot(ro);
      let status: number | undefined;
      let headers: Record<string, string> = {};
      let text = "";
      let failure: unknown;
      try {
        const res = await this.pool.request({
          method,
          path: fullPath,
          headers: {
            accept: "application/json",
            "user-agent": this.opts.userAgent ?? "@xmflows/node-red-qualtrics",
            ...(body !== undefined ? { "content-type": "application/json" } : {}),
            ...userHeaders,
            ...lowerKeys(auth),
          },
          body,
          signal,
        });
        status = res.statusCode;
        headers = flattenHeaders(res.headers);
        text = await readCapped(res.body, this.opts.maxResponseBytes ?? 64 * 1024 * 1024);
      } catch (err) {
        failure = err;
      } finally {
        clearTimeout(timer);
        release();
        unlink();
      }

      const clean = this.redactorFor(auth, ro.secrets);
      const ctx = { method, path: shownPath, attempts: attempt, redact: clean };
      if (failure !== undefined) {
        if (this.closing.signal.aborted) throw new QualtricsApiError({ ...ctx, mayHaveSucceeded: !idempotent, cause: failure }, "aborted: the Qualtrics configuration was closed");
        if (ro.signal?.aborted) throw abortReason(ro.signal);
        // the HTTP client refused the request itself (a path or header it cannot send): nothing went
        // out, and trying again cannot help
        if (errorCodeOf(failure) === "UND_ERR_INVALID_ARG") {
          throw new QualtricsApiError({ ...ctx, mayHaveSucceeded: false, cause: failure }, `the request could not be sent: ${(failure as Error).message}`);
        }
        const safe = idempotent || failedBeforeSend(failure);
        const what = timedOut() ? `no answer within ${timeoutMs} ms` : connectionProblem(failure, this.base.origin);
        if (safe && attempt <= this.retry.retries) {
          await this.sleep(backoffDelay(attempt - 1, this.retry), ro.signal);
          continue;
        }
        throw new QualtricsApiError({ ...ctx, mayHaveSucceeded: !safe }, what);
      }

      const parsed = parseBody(text, headers["content-type"]);
      const env = unwrap(parsed.value);
      const meta = cleanMeta(env.meta, clean);
      if (meta.notice) this.opts.onNotice?.(meta.notice);
      const code = status!;

      // a token Qualtrics no longer accepts is replaced once and the request tried once more: a 401
      // means it was not carried out, so this is safe for every method
      if (code === 401 && !reauthorized && this.opts.onUnauthorized) {
        reauthorized = true;
        if (await this.opts.onUnauthorized(auth)) continue;
      }

      if (code >= 200 && code < 300) {
        if (parsed.malformed) {
          // carried out, but we cannot tell what came back
          throw new QualtricsApiError({ ...ctx, statusCode: code, mayHaveSucceeded: !idempotent }, `answered ${code} with a body that is not valid JSON`);
        }
        return {
          result: env.result as T,
          body: parsed.value,
          statusCode: code,
          httpStatus: meta.httpStatus,
          requestId: meta.requestId ?? (headers["x-request-id"] === undefined ? undefined : clean(headers["x-request-id"])),
          notice: meta.notice,
          enveloped: env.enveloped,
          headers,
          attempts: attempt,
        };
      }

      const next = await this.waitToRetry(code, headers, idempotent, attempt, ro.signal);
      if (next === true) continue;
      throw statusError({ ...ctx, mayHaveSucceeded: !idempotent && mayHaveSucceededStatus(code), hint: next.hint }, code, meta, parsed.text);
    }
  }

  /** where a request goes, and the caller's headers minus those that only we may set */
  private target(ro: { path: string; query?: Query; headers?: Record<string, string> }) {
    const fullPath = withQuery(this.resolvePath(ro.path), ro.query);
    const userHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(ro.headers ?? {})) {
      if (!HOP_BY_HOP.has(k.toLowerCase()) && typeof v === "string") userHeaders[k.toLowerCase()] = v;
    }
    return { fullPath, shownPath: fullPath.split("?")[0], userHeaders };
  }

  /** One attempt's turn: a limiter slot, the auth headers and the attempt's timeout. */
  private async slot(ro: { signal?: AbortSignal; timeoutMs?: number }) {
    const signals = [this.closing.signal, ...(ro.signal ? [ro.signal] : [])];
    // `signal` ends the attempt: closing the client, the caller's signal or the timeout abort it.
    // One controller and a listener, not AbortSignal.any per request, which cost about a tenth of
    // a contact get's time (docs/benchmarks.md).
    const attempt = new AbortController();
    const unlink = this.link(attempt, ro.signal);
    let release: () => void;
    try {
      release = await this.limiter.acquire(attempt.signal);
    } catch (err) {
      unlink();
      throw err;
    }
    let auth: Record<string, string>;
    try {
      // a token that cannot be had is reported as it is (e.g. a wrong client secret), not as a connection failure
      auth = await this.opts.auth();
    } catch (err) {
      release();
      unlink();
      throw err;
    }
    const timeoutMs = ro.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      attempt.abort(new Error("timeout"));
    }, timeoutMs);
    return { signals, signal: attempt.signal, unlink, release, auth, timeoutMs, timedOut: () => expired, timer };
  }

  /** aborts `ac` when the client closes or `caller` aborts; the function returned undoes that */
  private link(ac: AbortController, caller?: AbortSignal): () => void {
    if (this.closing.signal.aborted) ac.abort(this.closing.signal.reason);
    else if (caller?.aborted) ac.abort(caller.reason);
    this.attempts.add(ac);
    const onAbort = () => ac.abort(caller?.reason);
    caller?.addEventListener("abort", onAbort, { once: true });
    return () => {
      this.attempts.delete(ac);
      caller?.removeEventListener("abort", onAbort);
    };
  }

  /**
   * Takes the account's secrets, those of the request and the auth headers it sent out of a text.
   * Built when an answer is read, so the secrets are those of that moment (a new access token).
   */
  private redactorFor(sentAuth: Record<string, string> | undefined, extra?: readonly string[]): Redactor {
    const all = [...(this.opts.secrets?.() ?? []), ...authSecrets(sentAuth), ...(extra ?? [])];
    // the same secrets answer after answer: their encoded forms are worked out once per set, and a
    // set that changed (a new access token) pushes the oldest out
    const key = all.join("\u0000");
    let fn = this.redactors.get(key);
    if (!fn) {
      fn = redactor(all);
      this.redactors.set(key, fn);
      if (this.redactors.size > 4) this.redactors.delete(this.redactors.keys().next().value as string);
    }
    return fn;
  }

  /**
   * After an answer that may be tried again: wait (the back-off, or Retry-After when longer; a 429
   * holds the whole account) and say true; else why not, when that needs saying (a Retry-After
   * longer than the policy waits).
   */
  private async waitToRetry(code: number, headers: Record<string, string>, idempotent: boolean, attempt: number, signal?: AbortSignal): Promise<true | { hint?: string }> {
    if (!retryableStatus(code, idempotent) || attempt > this.retry.retries) return {};
    const after = code === 429 || code === 503 ? parseRetryAfter(headers["retry-after"]) : undefined;
    if (after !== undefined && after > this.retry.maxRetryAfterMs) {
      return { hint: `Qualtrics asked to wait ${humanDuration(after)} before trying again, longer than the ${humanDuration(this.retry.maxRetryAfterMs)} a retry may wait; try again later` };
    }
    const wait = retryWait(attempt - 1, this.retry, after);
    if (code === 429) this.limiter.pause(wait);
    await this.sleep(wait, signal);
    return true;
  }

  /** waits before a retry; the caller's signal ends the wait too, not only closing the client */
  private sleep(ms: number, callerSignal?: AbortSignal): Promise<void> {
    // a listener on each signal, removed afterwards: AbortSignal.any would keep a signal per retry
    // alive as long as the client's own (measured on Node 20 and 22)
    const signals = callerSignal ? [this.closing.signal, callerSignal] : [this.closing.signal];
    return new Promise((resolve, reject) => {
      const closedError = () => new QualtricsApiError({ method: "-", path: "-" }, "aborted while waiting to retry: the Qualtrics configuration was closed");
      if (this.closing.signal.aborted) return reject(closedError());
      if (callerSignal?.aborted) return reject(abortReason(callerSignal));
      const stop = () => {
        clearTimeout(t);
        for (const s of signals) s.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        stop();
        reject(callerSignal?.aborted && !this.closing.signal.aborted ? abortReason(callerSignal) : closedError());
      };
      const t = setTimeout(() => {
        stop();
        resolve();
      }, ms);
      for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * GET a body that is not JSON, such as a response-export file (docs/qualtrics-facts.md §7.4), as a
   * stream. Auth, the limiter, 401 re-authorisation and retries are those of request(), up to the
   * moment the answer's headers arrive: the limiter slot is held only until then, and nothing is
   * retried once the body has started, since part of it may already have been used. An error
   * answer is read (capped) and thrown as a QualtricsApiError. A body that stalls for timeoutMs
   * fails; closing the client (after its grace period) or the caller's signal ends it too.
   */
  async stream(ro: StreamRequestOptions): Promise<StreamResponse> {
    if (this.closed) throw new QualtricsApiError({ method: "GET", path: ro.path }, "the Qualtrics configuration is closed");
    const { fullPath, shownPath, userHeaders } = this.target(ro);
    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      const { signals, signal, unlink, release, auth, timeoutMs, timedOut, timer } = await this.slot(ro);
      let res: Awaited<ReturnType<Pool["request"]>> | undefined;
      let failure: unknown;
      // its own connection: a download can take minutes, and must not hold one of the shared pool's
      const connection = new Client(this.base.origin, { headersTimeout: 0, bodyTimeout: 0 });
      try {
        res = await connection.request({
          method: "GET",
          path: fullPath,
          headers: { accept: "*/*", "user-agent": this.opts.userAgent ?? "@xmflows/node-red-qualtrics", ...userHeaders, ...lowerKeys(auth) },
          // the attempt's signal ends the wait for the headers (timeout included); closing and the
          // caller's signal, directly, also the body after unlink()
          signal: AbortSignal.any([...signals, signal]),
          // the pool has no body timeout (a JSON answer is covered by the overall timeout); a
          // download can take long, so only a pause in it counts
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        failure = err;
      } finally {
        clearTimeout(timer);
        release();
        unlink();
      }
      const clean = this.redactorFor(auth, ro.secrets);
      const ctx = { method: "GET", path: shownPath, attempts: attempt, redact: clean };
      if (failure !== undefined || !res) {
        void connection.destroy().catch(() => undefined);
        if (this.closing.signal.aborted) throw new QualtricsApiError({ ...ctx, cause: failure }, "aborted: the Qualtrics configuration was closed");
        if (ro.signal?.aborted) throw abortReason(ro.signal);
        const what = timedOut() ? `no answer within ${timeoutMs} ms` : connectionProblem(failure, this.base.origin);
        if (attempt <= this.retry.retries) {
          await this.sleep(backoffDelay(attempt - 1, this.retry), ro.signal);
          continue;
        }
        throw new QualtricsApiError(ctx, what);
      }
      const code = res.statusCode;
      const headers = flattenHeaders(res.headers);
      if (code >= 200 && code < 300) {
        const body = res.body;
        // a download in progress is work in flight: close() gives it the grace period too
        const done = finished(body)
          .catch(() => undefined)
          .then(() => connection.destroy())
          .catch(() => undefined);
        this.inflight.add(done);
        void done.finally(() => this.inflight.delete(done));
        const requestId = headers["x-request-id"] === undefined ? undefined : clean(headers["x-request-id"]);
        return { body, statusCode: code, headers, requestId, attempts: attempt };
      }

      let text = "";
      try {
        text = await readCapped(res.body, 1024 * 1024);
      } catch {
        // the status is what matters; a broken error body is not
      }
      void connection.destroy().catch(() => undefined);
      const parsed = parseBody(text, headers["content-type"]);
      const meta = cleanMeta(unwrap(parsed.value).meta, clean);
      if (meta.notice) this.opts.onNotice?.(meta.notice);
      if (code === 401 && !reauthorized && this.opts.onUnauthorized) {
        reauthorized = true;
        if (await this.opts.onUnauthorized(auth)) continue;
      }
      const next = await this.waitToRetry(code, headers, true, attempt, ro.signal);
      if (next === true) continue;
      throw statusError({ ...ctx, hint: next.hint }, code, meta, parsed.text);
    }
  }

  /**
   * Stop: queued requests fail at once, requests in flight get `graceMs` to finish and are then
   * aborted, and the pool's sockets are closed.
   */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close();
    if (this.inflight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.closing.abort(new Error("closed"));
    await Promise.allSettled([...this.inflight]);
    await this.pool.destroy().catch(() => undefined);
    await Promise.resolve(this.opts.onClose?.()).catch(() => undefined);
  }
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const [p, existing] = path.split("?", 2);
  const params = new URLSearchParams(existing ?? "");
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    params.delete(k);
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.set(k, String(v));
  }
  const q = params.toString();
  return q ? `${p}?${q}` : p;
}

/** a failed connection in words: its code, and which host could not be reached or hung up */
function connectionProblem(err: unknown, origin: string): string {
  const code = errorCodeOf(err);
  const text = `connection failed (${code ?? "network error"})`;
  let host = origin;
  try {
    host = new URL(origin).host;
  } catch {
    // the origin as it is
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${text}: the host ${host} cannot be found`;
  if (failedBeforeSend(err)) return `${text}: could not connect to ${host}`;
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE") return `${text}: ${host} closed the connection before it answered`;
  return text;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

function flattenHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** the body as text, refused past `max` bytes; events, not an async iterator, which cost several times more per answer */
export function readCapped(body: NodeJS.ReadableStream & { destroy(): void }, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        body.removeAllListeners("data");
        body.destroy();
        reject(Object.assign(new Error(`response larger than ${max} bytes`), { code: "QUALTRICS_RESPONSE_TOO_LARGE" }));
        return;
      }
      chunks.push(chunk);
    });
    body.once("end", () => resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, size).toString("utf8")));
    // every error, not only the first: one after the promise has settled must not go unhandled
    body.on("error", reject);
  });
}

function parseBody(text: string, contentType: string | undefined): { value: unknown; malformed: boolean; text: string } {
  if (text.length === 0) return { value: undefined, malformed: false, text };
  const looksJson = /json/i.test(contentType ?? "") || /^\s*[[{]/.test(text);
  if (!looksJson) return { value: text, malformed: false, text };
  try {
    return { value: safeJsonParse(text), malformed: false, text };
  } catch {
    return { value: undefined, malformed: true, text };
  }
}

/** the texts of meta that reach a message or a log line (notice, requestId), without secrets */
function cleanMeta(meta: QualtricsMeta, clean: Redactor): QualtricsMeta {
  if (!meta.notice && !meta.requestId) return meta;
  return { ...meta, notice: meta.notice && clean(meta.notice), requestId: meta.requestId && clean(meta.requestId) };
}

/** the error for a failure answer, in Qualtrics' words where the envelope has them (ctx.redact cleans every text) */
function statusError(ctx: { method: string; path: string; attempts: number; mayHaveSucceeded?: boolean; hint?: string; redact?: Redactor }, code: number, meta: QualtricsMeta, text: string): QualtricsApiError {
  return new QualtricsApiError(
    {
      ...ctx,
      statusCode: code,
      httpStatus: meta.httpStatus,
      errorCode: meta.error?.errorCode,
      errorMessage: meta.error?.errorMessage,
      requestId: meta.requestId,
    },
    describeNonJson(code, text),
  );
}

function describeNonJson(status: number, text: string): string {
  const title = /<title>([^<]{1,120})<\/title>/i.exec(text)?.[1]?.trim();
  if (title) return `answered with an HTML page "${title}"`;
  const plain = text.replace(/\s+/g, " ").trim().slice(0, 120);
  return plain ? `HTTP ${status}: ${plain}` : `HTTP ${status} with no error message`;
}
