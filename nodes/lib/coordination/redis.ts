// Coordination for replicas (coordination "redis"): journals, leases, records and presence in
// Redis under nrq:<config id>:, one connection per configuration node. The keys are listed in
// docs/replicas.md.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { RateGate } from "../../../src/limiter";
import { redisLink, type RedisLink } from "./redis-connection";
import { DEFAULT_JOURNAL_TIMING, redisJournal, type RedisJournalTiming } from "./redis-journal";
import { DEFAULT_LEASE_TTL_MS, redisLease, type RedisLease } from "./redis-lease";
import { redisPresence, redisRecords, type PresenceTiming, type RedisPresence } from "./redis-records";
import { redisRateGate } from "./redis-rate-gate";
import type { Coordination, DeliveryJournal, JournalOptions } from "./types";

export interface RedisCoordinationOptions {
  url: string;
  /** the configuration node's ID: replicas run the same flows, so they share it */
  configId: string;
  /** the local journal receipt falls back to while Redis is unreachable */
  fallbackJournal: (opts: JournalOptions) => DeliveryJournal;
  journalTiming?: Partial<RedisJournalTiming>;
  presenceTiming?: Partial<PresenceTiming>;
  leaseTtlMs?: number;
}

export interface RedisCoordination extends Coordination {
  readonly mode: "redis";
  /** this process start's name among the replicas */
  readonly member: string;
  readonly link: RedisLink;
  /** the account's request rate shared by the replicas (perMinute as configured for all of them together) */
  rateGate(account: string, perMinute: number): RateGate;
}

const REPLICAS = "replicas";

export function redisCoordination(opts: RedisCoordinationOptions): RedisCoordination {
  const link = redisLink({ url: opts.url, prefix: `nrq:${opts.configId}:` });
  const member = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const journals = new Set<DeliveryJournal>();
  // one per name: callers ask for a name's lease or presence each time they need it
  const leases = new Map<string, RedisLease>();
  const presences = new Map<string, RedisPresence>();
  const timing = { ...DEFAULT_JOURNAL_TIMING, ...opts.journalTiming };

  const presence = (name: string) => {
    let p = presences.get(name);
    if (!p) presences.set(name, (p = redisPresence(link, name, opts.presenceTiming)));
    return p;
  };
  // the replicas alive, for the share of the rate each keeps to while Redis is down
  const replicas = presence(REPLICAS);
  replicas.announce(member);
  let alive = 1;
  const count = () => replicas.members().then((m) => (alive = Math.max(1, m.size)), () => undefined);
  void count();
  const counter = setInterval(count, 5_000);
  counter.unref?.();

  return {
    mode: "redis",
    member,
    link,
    journal(jo) {
      const j = redisJournal({ ...jo, link, consumer: member, fallback: opts.fallbackJournal, timing });
      journals.add(j);
      const close = j.close.bind(j);
      j.close = (removed) => (journals.delete(j), close(removed));
      return j;
    },
    lease(name, ttlMs) {
      // the ttl of the first caller stands for the name
      let l = leases.get(name);
      if (!l) leases.set(name, (l = redisLease(link, name, ttlMs ?? opts.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS)));
      return l;
    },
    records: (namespace) => redisRecords(link, namespace),
    presence,
    rateGate: (account, perMinute) => redisRateGate({ link, account, perMinute, sharers: () => alive }),
    async close() {
      clearInterval(counter);
      await Promise.allSettled([...journals].map((j) => j.close(false)));
      await Promise.allSettled([...leases.values()].map((l) => l.dispose()));
      await Promise.allSettled([...presences.values()].map((p) => p.close()));
      await link.close();
    },
  };
}
