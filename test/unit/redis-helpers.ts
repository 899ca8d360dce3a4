// What the Redis coordination tests share: one redis-server per file, coordinations made against
// it (closed after each test), short presence times. Takeovers of pending entries are off (a minute)
// unless a test asks for them with TAKEOVER, so a test of plain reading cannot pass through them.
import { randomUUID } from "node:crypto";
import { redisCoordination, type RedisCoordination } from "../../nodes/lib/coordination/redis";
import type { RedisCoordinationOptions } from "../../nodes/lib/coordination/redis";
import { MemoryJournals } from "../support/memory-journal";
import { RedisServer, requireRedis } from "../support/redis";
import { waitFor } from "../support/wait";

export interface RedisFixture {
  server: RedisServer;
  journals: MemoryJournals;
  /** a replica: same config ID as the others of this test */
  replica(opts?: Partial<RedisCoordinationOptions>): RedisCoordination;
  configId: string;
}

export function useRedis(password?: string): RedisFixture {
  const made: RedisCoordination[] = [];
  const fx = { configId: "", journals: new MemoryJournals() } as RedisFixture;
  before(async function () {
    requireRedis(this);
    fx.server = new RedisServer(password);
    await fx.server.start();
  });
  beforeEach(async () => {
    fx.configId = `cfg-${randomUUID().slice(0, 8)}`;
    fx.journals = new MemoryJournals();
    await fx.server?.restart();
  });
  afterEach(async () => {
    await Promise.allSettled(made.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await fx.server?.dispose();
  });
  fx.replica = (opts = {}) => {
    const c = redisCoordination({
      url: fx.server.url,
      configId: fx.configId,
      fallbackJournal: fx.journals.factory,
      journalTiming: { claimIdleMs: 60_000, claimEveryMs: 100, pollMs: 20 },
      presenceTiming: { everyMs: 100, ttlMs: 400 },
      ...opts,
    });
    made.push(c);
    return c;
  };
  return fx;
}

export function connected(c: RedisCoordination): Promise<true> {
  return waitFor("the connection to Redis", () => c.link.up() || undefined, 5000);
}

/** entries idle for 400 ms are taken over, checked every 100 ms */
export const TAKEOVER = { journalTiming: { claimIdleMs: 400, claimEveryMs: 100, pollMs: 20 } };
