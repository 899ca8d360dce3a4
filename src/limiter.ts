// One limiter per account (config node): a token bucket for the brand-wide request rate
// (3000/minute, docs/qualtrics-api.md §2.3) plus a cap on requests in flight. Work over the limit
// waits in a FIFO queue; it does not fail.
import { ERROR_NAME } from "./errors";

export interface LimiterOptions {
  perMinute: number;
  maxConcurrent: number;
  /** tokens that may be spent at once after a quiet spell; default one second's worth */
  burst?: number;
}

type Release = () => void;
interface Waiter {
  resolve: (release: Release) => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class LimiterClosedError extends Error {
  constructor() {
    super("the Qualtrics configuration was closed (flow stopped or redeployed) before the request was sent");
    this.name = ERROR_NAME;
  }
}

export class RequestLimiter {
  /** the configured rate, for callers that take a share of it */
  readonly perMinute: number;
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private readonly maxConcurrent: number;
  private tokens: number;
  private last = Date.now();
  private active = 0;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  private closed = false;

  constructor(opts: LimiterOptions) {
    this.perMinute = opts.perMinute;
    this.ratePerMs = opts.perMinute > 0 ? opts.perMinute / 60000 : Infinity;
    this.capacity = Math.max(1, opts.burst ?? Math.ceil(opts.perMinute / 60));
    this.maxConcurrent = Math.max(1, opts.maxConcurrent);
    this.tokens = this.capacity;
  }

  get waiting(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.active;
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    if (this.closed) return Promise.reject(new LimiterClosedError());
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<Release>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) this.queue.splice(i, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.pump();
    });
  }

  /** Hold every new request until `ms` from now: a 429 for one node slows the whole account. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.tokens = Math.min(this.tokens, 0);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) {
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      w.reject(new LimiterClosedError());
    }
  }

  private refill(now: number): void {
    if (this.ratePerMs === Infinity) {
      this.tokens = this.capacity;
    } else {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.ratePerMs);
    }
    this.last = now;
  }

  private pump(): void {
    if (this.timer) return; // a wake-up is already scheduled
    while (this.queue.length > 0 && !this.closed) {
      if (this.active >= this.maxConcurrent) return; // a release will pump again
      const now = Date.now();
      if (now < this.pausedUntil) return this.wakeIn(this.pausedUntil - now);
      this.refill(now);
      if (this.tokens < 1) return this.wakeIn(Math.ceil((1 - this.tokens) / this.ratePerMs));
      this.tokens -= 1;
      this.active++;
      const w = this.queue.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        this.active--;
        this.pump();
      });
    }
  }

  private wakeIn(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, ms));
  }
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === "string" ? r : "the request was aborted");
  e.name = "AbortError";
  return e;
}
