// Waiting for an asynchronous Qualtrics job (contact imports §4.6, response exports §7.3): ask for
// its state again and again, with growing pauses, until it is finished, the caller's signal aborts,
// or the overall time is up. §7.3 recommends 1 s rising to 5 s and a 10 minute limit; clients that
// polled every millisecond (§10, [BJ]) are what this avoids.
import { ERROR_NAME } from "./errors";

export interface PollOptions<T> {
  /** one look at the job; an error thrown here (a 404, say) ends the polling with that error */
  check: (signal?: AbortSignal) => Promise<T>;
  /** true once the job is finished, whether it succeeded or failed: the caller judges the state */
  isDone: (state: T) => boolean;
  /** called after every check that is not the last, e.g. to show the percentage on a status */
  onProgress?: (state: T, checks: number) => void;
  /** pause before the first check (1000 ms) */
  initialDelayMs?: number;
  /** longest pause between checks (5000 ms) */
  maxDelayMs?: number;
  /** each pause is this much longer than the one before (1.5) */
  factor?: number;
  /** give up after this long in total (600000 ms); 0 = never */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** what the timeout error calls the job, e.g. "import CTIM_123" */
  what?: string;
}

/** The job did not finish within PollOptions.timeoutMs; it may still finish later. */
export class PollTimeoutError extends Error {
  readonly checks: number;
  readonly lastState: unknown;
  constructor(what: string, timeoutMs: number, checks: number, lastState: unknown) {
    super(`${what} was still not finished after ${Math.round(timeoutMs / 1000)} s (${checks} checks); it may still finish in Qualtrics`);
    this.name = ERROR_NAME;
    this.checks = checks;
    this.lastState = lastState;
  }
}

export async function pollUntilDone<T>(opts: PollOptions<T>): Promise<T> {
  const factor = opts.factor ?? 1.5;
  const maxDelay = opts.maxDelayMs ?? 5000;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const started = Date.now();
  let delay = opts.initialDelayMs ?? 1000;
  let checks = 0;
  let last: T | undefined;
  for (;;) {
    if (timeoutMs > 0) {
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) throw new PollTimeoutError(opts.what ?? "the job", timeoutMs, checks, last);
      await pause(Math.min(delay, left), opts.signal);
      if (Date.now() - started >= timeoutMs && checks > 0) throw new PollTimeoutError(opts.what ?? "the job", timeoutMs, checks, last);
    } else {
      await pause(delay, opts.signal);
    }
    last = await opts.check(opts.signal);
    checks++;
    if (opts.isDone(last)) return last;
    opts.onProgress?.(last, checks);
    delay = Math.min(maxDelay, Math.max(1, delay * factor));
  }
}

/** a wait that the signal ends early, with the signal's reason */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error("aborted"));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
