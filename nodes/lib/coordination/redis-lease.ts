// A lease on Redis: one process holds a name's work (a poll, a catch-up sweep, a registration) and
// keeps it between runs by renewing every ttl/3, so the others' timers find it taken. Each new
// holder gets a larger fence; a write fenced with an older one is refused (redis-records.ts).
// When renewals stop (the holder died, or cannot reach Redis) the lease lapses after its ttl.
import { randomUUID } from "node:crypto";
import type { RedisLink } from "./redis-connection";
import type { Held, Lease } from "./types";

export const DEFAULT_LEASE_TTL_MS = 10_000;

// KEYS: lease, fence. ARGV: token, ttl. The fence of this holder, 0 when another holds it.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end
return 0`;

// KEYS: lease. ARGV: token, ttl. 1 while this holder still has it.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function leaseKeys(link: RedisLink, name: string): { lease: string; fence: string } {
  return { lease: `${link.prefix}l:${name}`, fence: `${link.prefix}f:${name}` };
}

interface Holding {
  fence: number;
  controller: AbortController;
  /** the lease is ours at most until then: the last renewal's send time + ttl */
  until: number;
  timer: NodeJS.Timeout;
  expiry: NodeJS.Timeout;
}

export interface RedisLease extends Lease {
  /** close() for good: no run after it (the coordination is closing) */
  dispose(): Promise<void>;
}

/**
 * close() hands the lease over at once (released, not left to lapse); a later run() may take it
 * again. One per name and process (redis.ts keeps them): each has its own holder token, so two for
 * one name in one process would keep each other out.
 */
export function redisLease(link: RedisLink, name: string, ttlMs = DEFAULT_LEASE_TTL_MS): RedisLease {
  const keys = leaseKeys(link, name);
  const token = randomUUID();
  let holding: Holding | undefined;
  let running = false;
  let closed = false;

  function drop(reason: string): void {
    const h = holding;
    if (!h) return;
    holding = undefined;
    clearTimeout(h.timer);
    clearTimeout(h.expiry);
    h.controller.abort(new Error(`the lease "${name}" was lost: ${reason}`));
  }

  function armExpiry(h: Holding): void {
    clearTimeout(h.expiry);
    // unreachable for the whole ttl: another process may hold it now, so this one stops
    h.expiry = setTimeout(() => drop("Redis did not confirm it in time"), Math.max(0, h.until - Date.now()));
    h.expiry.unref?.();
  }

  function scheduleRenew(h: Holding): void {
    h.timer = setTimeout(() => {
      const sent = Date.now();
      link.script(RENEW, [keys.lease], [token, ttlMs]).then(
        (r) => {
          if (holding !== h) return;
          if (r !== 1) return drop("another Node-RED holds it");
          h.until = sent + ttlMs;
          armExpiry(h);
          scheduleRenew(h);
        },
        () => {
          if (holding === h) scheduleRenew(h); // the expiry timer decides when it is too late
        },
      );
    }, Math.max(1, Math.floor(ttlMs / 3)));
    h.timer.unref?.();
  }

  async function acquire(): Promise<Holding | undefined> {
    if (holding) return holding;
    const sent = Date.now();
    let fence: number;
    try {
      fence = Number(await link.script(ACQUIRE, [keys.lease, keys.fence], [token, ttlMs]));
    } catch {
      return undefined; // Redis unreachable: nobody runs
    }
    if (!fence || closed) {
      if (fence && closed) await link.script(RELEASE, [keys.lease], [token]).catch(() => undefined);
      return undefined;
    }
    const h: Holding = {
      fence,
      controller: new AbortController(),
      until: sent + ttlMs,
      timer: undefined as unknown as NodeJS.Timeout,
      expiry: undefined as unknown as NodeJS.Timeout,
    };
    holding = h;
    armExpiry(h);
    scheduleRenew(h);
    return h;
  }

  return {
    async run(work) {
      if (closed || running) return { ran: false };
      running = true;
      try {
        const h = await acquire();
        if (!h) return { ran: false };
        const held: Held = { fence: h.fence, lost: h.controller.signal };
        return { ran: true, value: await work(held) };
      } finally {
        running = false;
      }
    },
    async close() {
      const had = holding;
      drop("the node is closing");
      // handed over at once rather than after the ttl
      if (had) await link.script(RELEASE, [keys.lease], [token]).catch(() => undefined);
    },
    async dispose() {
      closed = true;
      await this.close();
    },
  };
}
