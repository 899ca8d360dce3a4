// One connection to Redis per configuration node. Commands never wait for a connection that is
// down (the offline queue is off): a journal must know at once that Redis is unreachable so it can
// fall back to its local one, and a lease must notice before its ttl has passed.
import { createHash } from "node:crypto";
import { createClient } from "@redis/client";
import { QualtricsInputError } from "../../../src/errors";

export type RedisReply = null | number | string | Buffer | RedisReply[];

/** what the coordination parts need from Redis: one command, a Lua script, and whether it is up */
export interface RedisLink {
  readonly prefix: string;
  command(args: (string | number)[]): Promise<RedisReply>;
  script(lua: string, keys: string[], args: (string | number)[]): Promise<RedisReply>;
  up(): boolean;
  /** settles at the first connection, or when it has not come within the connect timeout */
  readonly firstAttempt: Promise<void>;
  /** called with true when Redis answers again, false when the connection is lost; returns the unsubscribe */
  onChange(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

/**
 * Checks the URL before anything connects; the error names the dialog field and never quotes the
 * URL, which may hold a password.
 */
export function checkRedisUrl(url: string | undefined): string {
  if (!url) throw new QualtricsInputError("redisUrl", "is not set; coordination \"redis\" needs redis://host:port or rediss://host:port");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QualtricsInputError("redisUrl", "is not a URL; use redis://[:password@]host:port[/db] or rediss://... for TLS");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new QualtricsInputError("redisUrl", `must start with redis:// or rediss:// (TLS), not ${parsed.protocol}//`);
  }
  if (!parsed.hostname) throw new QualtricsInputError("redisUrl", "has no host");
  return url;
}

/** Redis' answers may quote what it was sent, never the URL; errors keep only their kind and text */
function cleanError(err: unknown, secrets: string[]): Error {
  let text = err instanceof Error ? err.message : String(err);
  for (const s of secrets) if (s && s.length >= 4) text = text.split(s).join("***");
  const e = new Error(`Redis: ${text}`);
  e.name = "RedisError";
  return e;
}

export interface RedisLinkOptions {
  url: string;
  /** key prefix, e.g. nrq:<config id>: */
  prefix: string;
  connectTimeoutMs?: number;
}

export function redisLink(opts: RedisLinkOptions): RedisLink {
  const url = checkRedisUrl(opts.url);
  const parsed = new URL(url);
  const secrets = [decodeURIComponent(parsed.password), parsed.password, url];
  const client = createClient({
    url,
    // plain arrays for every reply (RESP3, the client's default, turns XREADGROUP's into an object)
    RESP: 2,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      // back soon after an outage, without hammering a Redis that is restarting
      reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), 1000),
    },
  });
  const listeners = new Set<(up: boolean) => void>();
  let isUp = false;
  let closed = false;
  const set = (up: boolean) => {
    if (up === isUp || closed) return;
    isUp = up;
    for (const l of [...listeners]) l(up);
  };
  // node-redis throws an unhandled "error" event without a listener; reconnecting is its own job
  client.on("error", () => set(false));
  client.on("end", () => set(false));
  client.on("reconnecting", () => set(false));
  client.on("ready", () => set(true));
  client.connect().catch(() => undefined);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 2000;
  const firstAttempt = new Promise<void>((resolve) => {
    const t = setTimeout(resolve, connectTimeoutMs);
    t.unref?.();
    client.once("ready", () => {
      clearTimeout(t);
      resolve();
    });
  });

  const shas = new Map<string, string>();
  const command = async (args: (string | number)[]): Promise<RedisReply> => {
    try {
      return (await client.sendCommand(args.map(String))) as RedisReply;
    } catch (err) {
      throw cleanError(err, secrets);
    }
  };
  return {
    prefix: opts.prefix,
    command,
    async script(lua, keys, args) {
      let sha = shas.get(lua);
      if (!sha) shas.set(lua, (sha = createHash("sha1").update(lua).digest("hex")));
      const rest = [keys.length, ...keys, ...args];
      try {
        return (await client.sendCommand(["EVALSHA", sha, ...rest.map(String)])) as RedisReply;
      } catch (err) {
        // first use on this server, or after a restart emptied its script cache
        if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw cleanError(err, secrets);
      }
      return command(["EVAL", lua, ...rest]);
    },
    up: () => isUp,
    firstAttempt,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      try {
        if (client.isOpen) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    },
  };
}
