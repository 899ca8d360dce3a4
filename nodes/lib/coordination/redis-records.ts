// Records (bookmarks, invitation records) and presence on Redis. A record is one JSON string; a
// write fenced with a lease's fence is made by a Lua script that first checks the fence is still
// the newest, so a holder that lost its lease cannot move a bookmark back.
import { isPlainObject } from "../../../src/safe-object";
import type { RedisLink } from "./redis-connection";
import { leaseKeys } from "./redis-lease";
import { FencedError, type Presence, type RecordStore } from "./types";

// KEYS: record, fence. ARGV: fence, value, ttl (0 = none).
const FENCED_SET = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

export function redisRecords(link: RedisLink, namespace: string): RecordStore {
  const keyOf = (key: string) => `${link.prefix}r:${namespace}:${key}`;
  const ttlArgs = (ttlMs?: number) => (ttlMs && ttlMs > 0 ? ["PX", Math.ceil(ttlMs)] : []);
  return {
    async get(key) {
      const raw = await link.command(["GET", keyOf(key)]);
      if (raw === null || raw === undefined) return undefined;
      try {
        const v: unknown = JSON.parse(String(raw));
        return isPlainObject(v) ? v : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value, opts) {
      const json = JSON.stringify(value);
      if (opts?.fence) {
        const { fence } = leaseKeys(link, opts.fence.lease);
        const ok = await link.script(FENCED_SET, [keyOf(key), fence], [opts.fence.fence, json, Math.ceil(opts.ttlMs ?? 0)]);
        if (ok !== 1) throw new FencedError(opts.fence.lease);
        return;
      }
      await link.command(["SET", keyOf(key), json, ...ttlArgs(opts?.ttlMs)]);
    },
    async claim(key, value, ttlMs) {
      return (await link.command(["SET", keyOf(key), JSON.stringify(value), "NX", ...ttlArgs(ttlMs)])) === "OK";
    },
    async delete(key) {
      await link.command(["DEL", keyOf(key)]);
    },
  };
}

export interface PresenceTiming {
  /** how often members are announced again (default 3 s) */
  everyMs: number;
  /** a member not announced for this long is gone (default 10 s) */
  ttlMs: number;
}

// KEYS: set. ARGV: ttl, members... Scores are Redis' clock, so the replicas' clocks do not matter.
const ANNOUNCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')`;

export interface RedisPresence extends Presence {
  close(): Promise<void>;
}

export function redisPresence(link: RedisLink, name: string, timing: Partial<PresenceTiming> = {}): RedisPresence {
  const { everyMs, ttlMs } = { everyMs: 3_000, ttlMs: 10_000, ...timing };
  const key = `${link.prefix}p:${name}`;
  const own = new Set<string>();
  const refresh = () => link.script(ANNOUNCE, [key], [ttlMs, ...own]);
  const timer = setInterval(() => {
    if (own.size > 0) refresh().catch(() => undefined);
  }, everyMs);
  timer.unref?.();
  return {
    announce(member) {
      own.add(member);
      refresh().catch(() => undefined); // the timer tries again
    },
    async withdraw(member) {
      own.delete(member);
      await link.command(["ZREM", key, member]);
    },
    async members() {
      const list = await link.script(ANNOUNCE, [key], [ttlMs]);
      return new Set(Array.isArray(list) ? list.map(String) : []);
    },
    async close() {
      clearInterval(timer);
      if (own.size > 0) await link.command(["ZREM", key, ...own]).catch(() => undefined);
      own.clear();
    },
  };
}
