// OAuth 2.0 client credentials (docs/qualtrics-facts.md §1.4): an access token from POST /oauth2/token,
// sent as "Authorization: Bearer ...", kept until shortly before it expires, fetched once however
// many requests want it at the same moment, and fetched again when Qualtrics answers 401.
// The client secret and the tokens never appear in an error text.
import { Client } from "undici";
import type { ApiBase } from "./base-url";
import { readCapped } from "./client";
import { QualtricsApiError, QualtricsInputError } from "./errors";
import { redactor } from "./redact";
import { backoffDelay, errorCodeOf } from "./retry";
import { safeJsonParse } from "./safe-object";
import { DEFAULT_OAUTH_SCOPES, SCOPE_TOKEN } from "./api-values";

export { DEFAULT_OAUTH_SCOPES };

/** Scopes as typed (spaces, commas or new lines between them); empty means the default set. */
export function normalizeScopes(input: string | readonly string[] | undefined): string[] {
  const parts = (typeof input === "string" ? input.split(/[\s,]+/) : [...(input ?? [])]).map((s) => String(s).trim()).filter((s) => s !== "");
  if (parts.length === 0) return [...DEFAULT_OAUTH_SCOPES];
  for (const p of parts) {
    if (!SCOPE_TOKEN.test(p)) throw new QualtricsInputError("scopes", `"${p.slice(0, 40)}" is not a scope name (such as read:surveys)`);
  }
  return [...new Set(parts)];
}

/** The token endpoint of an API: same origin, and the same prefix a proxy may put before /API/v3. */
export function oauthTokenUrl(base: ApiBase): string {
  const prefix = base.basePath.replace(/\/API\/v3$/i, "");
  return `${base.origin}${prefix}/oauth2/token`;
}

export interface OAuthOptions {
  /** e.g. https://iad1.qualtrics.com/oauth2/token (see oauthTokenUrl) */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** space-separated text or a list; empty = DEFAULT_OAUTH_SCOPES */
  scopes?: string | readonly string[];
  /** per token request (default 30 s) */
  timeoutMs?: number;
  /** further tries after a failed connection, 429 or 5xx (default 2) */
  retries?: number;
  retryBaseMs?: number;
  /** how long before expiry a token is replaced (default 60 s; at most half its lifetime) */
  refreshBeforeMs?: number;
  /** clock, for tests */
  now?: () => number;
  userAgent?: string;
}

interface CachedToken {
  accessToken: string;
  /** when it is replaced (before Qualtrics' expiry) */
  renewAt: number;
}

const DEFAULT_LIFETIME_S = 3600;
/** a token answer is a small JSON object; anything far larger is not one, and is not read into memory */
export const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;
const TOKEN_PATH_SHOWN = "/oauth2/token";

/**
 * Supplies `Authorization: Bearer <token>` for QualtricsClient (`auth`), and `onUnauthorized` so a
 * 401 replaces the token once.
 */
export class OAuthTokenProvider {
  readonly scopes: readonly string[];
  private readonly opts: OAuthOptions;
  private readonly url: URL;
  private readonly basic: string;
  private readonly now: () => number;
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private http: Client | undefined;
  private readonly closing = new AbortController();
  private closed = false;

  constructor(opts: OAuthOptions) {
    const clientId = (opts.clientId ?? "").trim();
    const clientSecret = opts.clientSecret ?? "";
    if (!clientId) throw new QualtricsInputError("clientId", "is required for OAuth");
    // RFC 7617: the user-id of Basic authentication cannot contain a colon
    if (clientId.includes(":")) throw new QualtricsInputError("clientId", "must not contain a colon");
    if (!clientSecret) throw new QualtricsInputError("clientSecret", "is required for OAuth");
    let url: URL;
    try {
      url = new URL(opts.tokenUrl);
    } catch {
      throw new QualtricsInputError("baseUrl", "does not give a token URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new QualtricsInputError("baseUrl", "must start with http:// or https://");
    this.opts = { ...opts, clientId, clientSecret };
    this.url = url;
    this.scopes = normalizeScopes(opts.scopes);
    this.basic = "Basic " + Buffer.from(`${clientId}:${clientSecret}`, "utf8").toString("base64");
    this.now = opts.now ?? Date.now;
  }

  /** the access token in use, for taking it out of texts (undefined before the first one) */
  get currentToken(): string | undefined {
    return this.cached?.accessToken;
  }

  /** the headers for one API request; fetches a token when there is none or it is due */
  auth = async (): Promise<Record<string, string>> => {
    const t = await this.token();
    return { Authorization: `Bearer ${t.accessToken}` };
  };

  /**
   * Qualtrics answered 401 to a request sent with `sentAuth`: forget that token so the next request
   * fetches another. A token already replaced by a concurrent 401 is not fetched again.
   */
  onUnauthorized = (sentAuth: Record<string, string>): boolean => {
    if (this.closed) return false;
    const sent = bearerOf(sentAuth);
    if (this.cached && (sent === undefined || sent === this.cached.accessToken)) this.cached = undefined;
    return true;
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cached = undefined;
    this.closing.abort(new Error("closed"));
    const c = this.http;
    this.http = undefined;
    await c?.destroy().catch(() => undefined);
  }

  private token(): Promise<CachedToken> {
    if (this.closed) return Promise.reject(this.error({}, "the Qualtrics configuration is closed"));
    const c = this.cached;
    if (c && this.now() < c.renewAt) return Promise.resolve(c);
    // one request for everyone who asks while it runs
    if (!this.pending) {
      const p = this.fetchWithRetries().then(
        (t) => {
          if (this.pending === p) this.pending = undefined;
          if (!this.closed) this.cached = t;
          return t;
        },
        (err: unknown) => {
          if (this.pending === p) this.pending = undefined;
          throw err;
        },
      );
      this.pending = p;
    }
    return this.pending;
  }

  private async fetchWithRetries(): Promise<CachedToken> {
    const retries = this.opts.retries ?? 2;
    const policy = { retries, baseMs: this.opts.retryBaseMs ?? 500, maxMs: 10_000, maxRetryAfterMs: 0 };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.fetchOnce(attempt);
      if ("token" in outcome) return outcome.token;
      if (!outcome.retry || attempt > retries || this.closed) throw outcome.error;
      await this.sleep(backoffDelay(attempt - 1, policy));
    }
  }

  private async fetchOnce(attempt: number): Promise<{ token: CachedToken } | { error: Error; retry: boolean }> {
    const body = new URLSearchParams({ grant_type: "client_credentials", scope: this.scopes.join(" ") }).toString();
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    let status: number;
    let text: string;
    try {
      this.http ??= new Client(this.url.origin, { keepAliveTimeout: 10_000, headersTimeout: 0, bodyTimeout: 0 });
      const res = await this.http.request({
        method: "POST",
        path: this.url.pathname + this.url.search,
        headers: {
          authorization: this.basic,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          "user-agent": this.opts.userAgent ?? "@xmflows/node-red-qualtrics",
        },
        body,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(timeoutMs)]),
      });
      status = res.statusCode;
      text = await readCapped(res.body, MAX_TOKEN_ANSWER_BYTES);
    } catch (err) {
      if (this.closed) return { error: this.error({ attempts: attempt }, "aborted: the Qualtrics configuration was closed"), retry: false };
      if (errorCodeOf(err) === "QUALTRICS_RESPONSE_TOO_LARGE") {
        return { error: this.error({ attempts: attempt }, `the token answer is larger than ${MAX_TOKEN_ANSWER_BYTES / 1024} KB; a token answer is a small JSON object, so this is not one (check the base URL)`), retry: false };
      }
      const what = err instanceof Error && err.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `connection failed (${errorCodeOf(err) ?? "network error"})`;
      return { error: this.error({ attempts: attempt }, `token request: ${what}`), retry: true };
    }

    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? undefined : safeJsonParse(text);
    } catch {
      parsed = undefined;
    }
    const fields = tokenFields(parsed);
    if (status >= 200 && status < 300) {
      if (!fields.accessToken) return { error: this.error({ statusCode: status, attempts: attempt, requestId: fields.requestId }, "the token answer has no access_token"), retry: false };
      return { token: { accessToken: fields.accessToken, renewAt: this.renewAt(fields.expiresIn) } };
    }
    const retry = status === 429 || status >= 500;
    const hint =
      status === 401 || fields.errorCode === "invalid_client"
        ? "check the client ID and client secret"
        : fields.errorCode === "invalid_scope"
          ? "check that the OAuth client is allowed every scope in the configuration"
          : undefined;
    const message = fields.errorMessage ?? (text && parsed === undefined ? text.replace(/\s+/g, " ").trim().slice(0, 120) : undefined);
    return {
      error: this.error(
        {
          statusCode: status,
          httpStatus: fields.httpStatus,
          errorCode: fields.errorCode,
          errorMessage: [message, hint].filter(Boolean).join(" - ") || undefined,
          requestId: fields.requestId,
          attempts: attempt,
        },
        `token request failed with HTTP ${status}`,
      ),
      retry,
    };
  }

  private renewAt(expiresIn: number | undefined): number {
    // UNCONFIRMED (docs/qualtrics-facts.md §1.4): expires_in is documented by clients, not by Qualtrics; an hour when absent
    const lifetimeMs = (expiresIn !== undefined && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S) * 1000;
    const margin = Math.min(this.opts.refreshBeforeMs ?? 60_000, lifetimeMs / 2);
    return this.now() + lifetimeMs - margin;
  }

  /** an error about the token request, with every secret taken out of its text */
  private error(d: { statusCode?: number; httpStatus?: string; errorCode?: string; errorMessage?: string; requestId?: string; attempts?: number }, summary: string): QualtricsApiError {
    const clean = (s: string | undefined) => (s === undefined ? undefined : this.redact(s));
    return new QualtricsApiError(
      {
        method: "POST",
        path: TOKEN_PATH_SHOWN,
        statusCode: d.statusCode,
        httpStatus: clean(d.httpStatus),
        errorCode: clean(d.errorCode),
        errorMessage: clean(d.errorMessage),
        requestId: clean(d.requestId),
        attempts: d.attempts,
      },
      clean(summary),
    );
  }

  private redact(text: string): string {
    return redactor([this.opts.clientSecret, this.opts.clientId, this.basic.slice("Basic ".length), this.cached?.accessToken])(text);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.closing.signal;
      if (signal.aborted) return resolve();
      const t = setTimeout(() => {
        signal.removeEventListener("abort", done);
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function bearerOf(headers: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== "authorization") continue;
    const m = /^Bearer\s+(\S+)$/i.exec(v.trim());
    return m ? m[1] : undefined;
  }
  return undefined;
}

interface TokenFields {
  accessToken?: string;
  expiresIn?: number;
  errorCode?: string;
  errorMessage?: string;
  httpStatus?: string;
  requestId?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * UNCONFIRMED (docs/qualtrics-facts.md §1.4, §2.1): the answer is read as plain OAuth JSON
 * ({access_token, expires_in} / {error, error_description}) or inside a Qualtrics envelope
 * ({result: {...}} / {meta: {error: {errorMessage, errorCode}}}).
 */
function tokenFields(body: unknown): TokenFields {
  if (!body || typeof body !== "object" || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const result = b.result && typeof b.result === "object" ? (b.result as Record<string, unknown>) : undefined;
  const src = typeof b.access_token === "string" ? b : (result ?? b);
  const meta = b.meta && typeof b.meta === "object" ? (b.meta as Record<string, unknown>) : undefined;
  const metaError = meta?.error && typeof meta.error === "object" ? (meta.error as Record<string, unknown>) : undefined;
  const rawExpires = src.expires_in;
  const expires = typeof rawExpires === "number" ? rawExpires : typeof rawExpires === "string" && /^\d+(\.\d+)?$/.test(rawExpires.trim()) ? Number(rawExpires) : undefined;
  const oauthError = str(b.error);
  return {
    accessToken: str(src.access_token),
    expiresIn: expires,
    errorCode: oauthError ?? str(metaError?.errorCode),
    errorMessage: str(b.error_description) ?? str(metaError?.errorMessage) ?? oauthError,
    httpStatus: str(meta?.httpStatus),
    requestId: str(meta?.requestId),
  };
}
