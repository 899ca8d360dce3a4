// Fault injection: a brand-wide leaky-bucket rate limiter (docs/qualtrics-facts.md §2.3) and per-request rules.

export type FaultAction = "status" | "delay" | "drop" | "malformed" | "html";
export const FAULT_ACTIONS: readonly FaultAction[] = ["status", "delay", "drop", "malformed", "html"];

export interface FaultRule {
  /** method: exact (case-insensitive); path: substring of the URL path, or "/regex/flags" text. */
  match?: { method?: string; path?: string };
  action: FaultAction;
  /** for "status": 500, 503, 504, 429 … (default 500), answered with a proper error envelope */
  status?: number;
  /** seconds; sent as Retry-After with "status" */
  retryAfter?: number;
  /** for "delay": wait, then answer normally (default 1000) */
  delayMs?: number;
  /** apply to the next N matching requests, then stop (default: always) */
  times?: number;
  /** perform the real operation first, then answer with the fault ("may have succeeded").
   *  Honoured for status, drop, malformed and html. */
  afterHandling?: boolean;
}

export interface FaultConfig {
  /** leaky bucket across all /API/v3 requests; over it → 429, with Retry-After only when retryAfter is true */
  rateLimit?: { perMinute: number; burst?: number; retryAfter?: boolean };
  rules?: FaultRule[];
  /**
   * the share (0..1) of outgoing webhook deliveries not sent, as when Qualtrics' delivery fails on
   * its side; spread evenly (0.1 skips every tenth), so a run drops the same number every time
   */
  webhookDropRate?: number;
}

export interface FaultStats {
  rateLimited: number;
  injected: number;
  /** webhook deliveries skipped by webhookDropRate */
  webhooksDropped: number;
}

export interface FaultController {
  set(cfg: FaultConfig): void;
  clear(): void;
  readonly config: FaultConfig;
  stats: FaultStats;
  /** whether the next webhook delivery is to be skipped (webhookDropRate); counts it */
  dropWebhook(): boolean;
  /** sets every count of `stats` back to 0 */
  resetStats(): void;
}

export type RateDecision = { limited: false } | { limited: true; retryAfterSeconds: number; sendRetryAfter: boolean };

export class FaultConfigError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function positiveNumber(v: unknown, path: string, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new FaultConfigError(`${path} must be a positive ${integer ? "integer" : "number"}`);
  }
  return v;
}

const REGEX_TEXT = /^\/(.+)\/([a-z]*)$/;

/** Checks an untrusted FaultConfig (e.g. from POST /__sandbox/faults) and returns a clean copy. */
export function parseFaultConfig(raw: unknown): FaultConfig {
  if (!isRecord(raw)) throw new FaultConfigError("fault config must be a JSON object");
  const out: FaultConfig = {};
  if (raw.webhookDropRate !== undefined) {
    const r = raw.webhookDropRate;
    if (typeof r !== "number" || !(r >= 0 && r <= 1)) throw new FaultConfigError("webhookDropRate must be a number from 0 to 1");
    out.webhookDropRate = r;
  }
  if (raw.rateLimit !== undefined) {
    if (!isRecord(raw.rateLimit)) throw new FaultConfigError("rateLimit must be an object");
    const rl = raw.rateLimit;
    out.rateLimit = { perMinute: positiveNumber(rl.perMinute, "rateLimit.perMinute") };
    if (rl.burst !== undefined) out.rateLimit.burst = positiveNumber(rl.burst, "rateLimit.burst");
    if (rl.retryAfter !== undefined) {
      if (typeof rl.retryAfter !== "boolean") throw new FaultConfigError("rateLimit.retryAfter must be a boolean");
      out.rateLimit.retryAfter = rl.retryAfter;
    }
  }
  if (raw.rules !== undefined) {
    if (!Array.isArray(raw.rules)) throw new FaultConfigError("rules must be an array");
    out.rules = raw.rules.map((r: unknown, i: number) => parseRule(r, `rules[${i}]`));
  }
  return out;
}

function parseRule(raw: unknown, path: string): FaultRule {
  if (!isRecord(raw)) throw new FaultConfigError(`${path} must be an object`);
  if (typeof raw.action !== "string" || !(FAULT_ACTIONS as readonly string[]).includes(raw.action)) {
    throw new FaultConfigError(`${path}.action must be one of ${FAULT_ACTIONS.join(", ")}`);
  }
  const rule: FaultRule = { action: raw.action as FaultAction };
  if (raw.match !== undefined) {
    if (!isRecord(raw.match)) throw new FaultConfigError(`${path}.match must be an object`);
    rule.match = {};
    if (raw.match.method !== undefined) {
      if (typeof raw.match.method !== "string") throw new FaultConfigError(`${path}.match.method must be a string`);
      rule.match.method = raw.match.method;
    }
    if (raw.match.path !== undefined) {
      if (typeof raw.match.path !== "string") throw new FaultConfigError(`${path}.match.path must be a string`);
      const rx = REGEX_TEXT.exec(raw.match.path);
      if (rx) {
        try {
          new RegExp(rx[1], rx[2]);
        } catch {
          throw new FaultConfigError(`${path}.match.path is not a valid regular expression`);
        }
      }
      rule.match.path = raw.match.path;
    }
  }
  if (raw.status !== undefined) {
    if (typeof raw.status !== "number" || !Number.isInteger(raw.status) || raw.status < 400 || raw.status > 599) {
      throw new FaultConfigError(`${path}.status must be an HTTP error status (400-599)`);
    }
    rule.status = raw.status;
  }
  // 0 too: "try again at once", which a client must not take as "no wait"
  if (raw.retryAfter !== undefined) rule.retryAfter = raw.retryAfter === 0 ? 0 : positiveNumber(raw.retryAfter, `${path}.retryAfter`, true);
  if (raw.delayMs !== undefined) {
    if (typeof raw.delayMs !== "number" || !Number.isFinite(raw.delayMs) || raw.delayMs < 0) throw new FaultConfigError(`${path}.delayMs must be a number ≥ 0`);
    rule.delayMs = raw.delayMs;
  }
  if (raw.times !== undefined) rule.times = positiveNumber(raw.times, `${path}.times`, true);
  if (raw.afterHandling !== undefined) {
    if (typeof raw.afterHandling !== "boolean") throw new FaultConfigError(`${path}.afterHandling must be a boolean`);
    rule.afterHandling = raw.afterHandling;
  }
  return rule;
}

export function pathMatches(pattern: string, path: string): boolean {
  const rx = REGEX_TEXT.exec(pattern);
  return rx ? new RegExp(rx[1], rx[2]).test(path) : path.includes(pattern);
}

export class Faults implements FaultController {
  private cfg: FaultConfig = {};
  private remaining: Array<number | undefined> = [];
  private level = 0;
  private last = 0;
  private deliveries = 0;
  stats: FaultStats = { rateLimited: 0, injected: 0, webhooksDropped: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  set(cfg: FaultConfig): void {
    this.cfg = parseFaultConfig(cfg);
    this.remaining = (this.cfg.rules ?? []).map((r) => r.times);
    this.level = 0;
    this.last = this.now();
    this.deliveries = 0;
  }

  clear(): void {
    this.cfg = {};
    this.remaining = [];
    this.level = 0;
  }

  get config(): FaultConfig {
    return JSON.parse(JSON.stringify(this.cfg)) as FaultConfig;
  }

  resetStats(): void {
    this.stats.rateLimited = 0;
    this.stats.injected = 0;
    this.stats.webhooksDropped = 0;
  }

  dropWebhook(): boolean {
    const rate = this.cfg.webhookDropRate ?? 0;
    const n = ++this.deliveries;
    // the n-th delivery is dropped when it takes the count of drops due to the next whole number
    const drop = Math.floor(n * rate + 1e-9) > Math.floor((n - 1) * rate + 1e-9);
    if (drop) this.stats.webhooksDropped += 1;
    return drop;
  }

  /**
   * Leaky bucket: each request pours 1 in; the bucket drains perMinute per minute; capacity is
   * `burst` (default perMinute). A request that would overflow is refused and pours nothing.
   * // UNCONFIRMED (docs/qualtrics-facts.md §2.3): Retry-After on real 429s; only sent when rateLimit.retryAfter is true.
   */
  checkRateLimit(): RateDecision {
    const rl = this.cfg.rateLimit;
    if (!rl) return { limited: false };
    const t = this.now();
    const perMs = rl.perMinute / 60_000;
    this.level = Math.max(0, this.level - (t - this.last) * perMs);
    this.last = t;
    const capacity = rl.burst ?? rl.perMinute;
    if (this.level + 1 > capacity + 1e-9) {
      this.stats.rateLimited += 1;
      const waitMs = (this.level + 1 - capacity) / perMs;
      return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), sendRetryAfter: rl.retryAfter === true };
    }
    this.level += 1;
    return { limited: false };
  }

  /** The first active rule matching this request (consumes one of its `times`). */
  pickRule(method: string, path: string): FaultRule | undefined {
    const rules = this.cfg.rules ?? [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      const left = this.remaining[i];
      if (left !== undefined && left <= 0) continue;
      if (r.match?.method && r.match.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.match?.path !== undefined && !pathMatches(r.match.path, path)) continue;
      if (left !== undefined) this.remaining[i] = left - 1;
      this.stats.injected += 1;
      return r;
    }
    return undefined;
  }
}
