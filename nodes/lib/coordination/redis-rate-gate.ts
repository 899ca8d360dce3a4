// The account's request rate shared by every replica: a token bucket in Redis, taken from
// atomically by a Lua script, keyed by a digest of the API root and the account's identity (never
// the secret itself), so two configuration nodes for one account share it too.
import { createHash } from "node:crypto";
import type { RateGate } from "../../../src/limiter";
import type { RedisLink } from "./redis-connection";

// KEYS: bucket, pause. ARGV: tokens per ms, capacity. 0 = go, else ms to wait. Redis' clock, so the
// replicas' clocks do not matter.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return paused - now end
local rate = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1]) or cap
local ts = tonumber(v[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 60000)
return wait`;

// KEYS: pause. ARGV: ms. Holds every replica until now + ms (the later of two pauses wins).
const PAUSE = `
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], until_, 'PX', ARGV[1]) end
return 1`;

export interface RateGateOptions {
  link: RedisLink;
  /** the API root and who the account is (API token or OAuth client ID): only their digest is used */
  account: string;
  perMinute: number;
  /** tokens that may be spent at once after a quiet spell; default one second's worth */
  burst?: number;
  /** how many replicas are alive (presence), for the share each keeps to while Redis is down */
  sharers?: () => number;
}

export function accountDigest(account: string): string {
  return createHash("sha256").update(account, "utf8").digest("hex").slice(0, 32);
}

export function redisRateGate(opts: RateGateOptions): RateGate {
  const { link } = opts;
  const id = accountDigest(opts.account);
  const bucket = `nrq:rate:${id}`;
  const pauseKey = `nrq:pause:${id}`;
  const ratePerMs = opts.perMinute / 60000;
  const capacity = Math.max(1, opts.burst ?? Math.ceil(opts.perMinute / 60));
  return {
    async take() {
      if (!link.up()) throw new Error("Redis is unreachable");
      return Number(await link.script(TAKE, [bucket, pauseKey], [ratePerMs, capacity]));
    },
    pause(ms) {
      if (ms > 0 && link.up()) link.script(PAUSE, [pauseKey], [Math.ceil(ms)]).catch(() => undefined);
    },
    sharers: () => Math.max(1, opts.sharers?.() ?? 1),
  };
}
