// One limiter per account (config node): a token bucket for the brand-wide request rate
// (3000/minute, docs/qualtrics-facts.md §2.3) plus a cap on requests in flight. Work over the limit
// waits in a FIFO queue; it does not fail. With a shared gate (replicas of one Node-RED flow) the
// rate is the gate's to give, for every process together; the concurrency cap stays per process.
import { ERROR_NAME } from "./errors";

export interface LimiterOptions {
  perMinute: number;
  maxConcurrent: number;
  /** tokens that may be spent at once after a quiet spell; default one second's worth */
  burst?: number;
  /** the account's rate shared with other processes; the local bucket is only used when it cannot answer */
  gate?: RateGate;
}

/** a request rate shared by several processes (implemented on Redis by the Node-RED adapter) */
export interface RateGate {
  /** takes one request's token: 0 = go, > 0 = ms to wait before asking again; rejects when it cannot answer */
  take(): Promise<number>;
  /** a 429 seen here holds every process that shares the gate */
  pause(ms: number): void;
  /** how many processes share the rate now (at least 1): alone, each keeps to its share */
  sharers(): number;
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
  private readonly gate: RateGate | undefined;
  /** a gate request is under way: the queue waits for its answer */
  private asking = false;

  constructor(opts: LimiterOptions) {
    this.perMinute = opts.perMinute;
    this.gate = opts.perMinute > 0 ? opts.gate : undefined;
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
    this.gate?.pause(ms);
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

  private refill(now: number, ratePerMs: number): void {
    if (ratePerMs === Infinity) {
      this.tokens = this.capacity;
    } else {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * ratePerMs);
    }
    this.last = now;
  }

  private pump(): void {
    if (this.timer || this.asking) return; // a wake-up or the gate's answer will pump again
    while (this.queue.length > 0 && !this.closed) {
      if (this.active >= this.maxConcurrent) return; // a release will pump again
      const now = Date.now();
      if (now < this.pausedUntil) return this.wakeIn(this.pausedUntil - now);
      if (this.gate) return this.askGate(this.gate);
      this.refill(now, this.ratePerMs);
      if (this.tokens < 1) return this.wakeIn(Math.ceil((1 - this.tokens) / this.ratePerMs));
      this.tokens -= 1;
      this.grant();
    }
  }

  private askGate(gate: RateGate): void {
    this.asking = true;
    gate.take().then(
      (waitMs) => {
        this.asking = false;
        if (this.closed) return;
        // the head of the queue may have been aborted meanwhile: the token then goes to the next
        if (waitMs > 0) return this.wakeIn(waitMs);
        this.last = Date.now();
        if (this.queue.length > 0 && this.active < this.maxConcurrent) this.grant();
        this.pump();
      },
      () => {
        this.asking = false;
        if (this.closed) return;
        // the gate cannot answer: this process keeps to its share of the rate on its own
        const share = this.ratePerMs / Math.max(1, gate.sharers());
        this.refill(Date.now(), share);
        if (this.tokens < 1) return this.wakeIn(Math.ceil((1 - this.tokens) / share));
        this.tokens -= 1;
        if (this.queue.length > 0 && this.active < this.maxConcurrent) this.grant();
        this.pump();
      },
    );
  }

  private grant(): void {
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
