// When to try a request again and how long to wait (docs/qualtrics-facts.md §2.2, §2.3).

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  /** a Retry-After longer than this is not waited for: the error is reported instead */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseMs: 1000, maxMs: 30000, maxRetryAfterMs: 300000 };

/** Retry-After as seconds or an HTTP date (UNCONFIRMED that Qualtrics sends it: §2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** No wait before a retry is shorter, whatever the settings or a Retry-After say: a burst of retries would only add load. */
export const MIN_RETRY_WAIT_MS = 100;

/** Exponential back-off with equal jitter: never less than half the step, so a burst spreads out; never below MIN_RETRY_WAIT_MS. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, "baseMs" | "maxMs">, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return Math.max(MIN_RETRY_WAIT_MS, Math.round(step / 2 + random() * (step / 2)));
}

/**
 * The wait before retry number `attempt + 1`: the back-off, or Qualtrics' Retry-After when that is
 * longer. A Retry-After of 0 (or one in the past) does not make the client hammer the API.
 */
export function retryWait(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  return Math.max(retryAfterMs ?? 0, backoffDelay(attempt, policy, random));
}

/** a duration as people say it: "900 ms", "45 s", "12 min", "3 h 20 min" */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  if (h < 48) return rest ? `${h} h ${rest} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

export const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Which answers are safe to try again. A 429 means the request was not carried out, so every
 * method is retried. Nothing documented says the same of a 503, and 500, 502 and 504 may hide a
 * request that was carried out too: those are retried only for idempotent requests (GET, PUT,
 * DELETE, searches, a create with an Idempotency-Key), so a create is never duplicated by a retry.
 */
export function retryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  if (status === 500 || status === 502 || status === 503 || status === 504) return idempotent;
  return false;
}

export function mayHaveSucceededStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

// Errors raised before the request left this machine: nothing can have been carried out.
const BEFORE_SEND = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CONNECT",
]);

export function errorCodeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_SOCKET") return code;
    e = (e as { cause?: unknown }).cause;
  }
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

export function failedBeforeSend(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code !== undefined && BEFORE_SEND.has(code);
}
