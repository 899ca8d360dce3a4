// The editor's picker lookups spend the account's rate limit too, and the GET route is open to
// read-only editor users. Two limits keep them from starving the flows:
// - a budget: the lookups of one configuration take at most EDITOR_SHARE of its rate and
//   EDITOR_CONCURRENT requests at once (their own limiter, waited for before the account's, so a
//   flow's request never queues behind more than those few); when too many lookups already wait,
//   another is refused at once instead of queueing;
// - a refresh (?refresh=1, skipping the shared cache) is honoured once per user, list and
//   REFRESH_EVERY_MS; another within that time is refused with the wait.
import type { QualtricsClient, RequestOptions } from "../../src/client";
import { RequestLimiter } from "../../src/limiter";

export const EDITOR_SHARE = 0.1;
const EDITOR_CONCURRENT = 2;
/** lookups waiting for the budget before another is refused */
const MAX_WAITING = 50;
export const REFRESH_EVERY_MS = 10_000;

export class LookupBudget {
  private readonly limiter: RequestLimiter;

  constructor(accountPerMinute: number) {
    this.limiter = new RequestLimiter({ perMinute: Math.max(1, Math.floor(accountPerMinute * EDITOR_SHARE)), maxConcurrent: EDITOR_CONCURRENT });
  }

  /** too many lookups wait already: a new one is refused rather than queued */
  get full(): boolean {
    return this.limiter.waiting >= MAX_WAITING;
  }

  /** `client` whose every request first waits for this budget */
  wrap(client: QualtricsClient): QualtricsClient {
    const limiter = this.limiter;
    const request = async <T>(ro: RequestOptions) => {
      const release = await limiter.acquire(ro.signal);
      try {
        return await client.request<T>(ro);
      } finally {
        release();
      }
    };
    return new Proxy(client, {
      get(target, prop) {
        if (prop === "request") return request;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

/** budgets per deployed configuration node (a redeploy makes a new node, and a new budget) */
const budgets = new WeakMap<object, LookupBudget>();

export function budgetOf(owner: object, accountPerMinute: number): LookupBudget {
  let b = budgets.get(owner);
  if (!b) budgets.set(owner, (b = new LookupBudget(accountPerMinute)));
  return b;
}

/** per configuration node: when each user last refreshed each list */
const refreshes = new WeakMap<object, Map<string, number>>();

/** 0 when `user` may refresh `list` of `owner` now (and it counts as done), else the milliseconds to wait */
export function refreshWait(owner: object, user: string, list: string, now = Date.now()): number {
  let refreshed = refreshes.get(owner);
  if (!refreshed) refreshes.set(owner, (refreshed = new Map()));
  for (const [k, at] of refreshed) if (now - at >= REFRESH_EVERY_MS) refreshed.delete(k);
  const key = `${user}\u0000${list}`;
  const last = refreshed.get(key);
  if (last !== undefined) return REFRESH_EVERY_MS - (now - last);
  refreshed.set(key, now);
  return 0;
}
