// Case 5, webhooks with Redis coordination: events/s of `qualtrics-response-in` on one replica
// whose configuration coordinates through Redis (the journal in a Redis stream, the dedupe in Redis)
// against the same trigger with coordination "none", under the same load (issue 14: >= 0.7x).
// A real redis-server (Debian's, without persistence) on a free loopback port; the load generator
// is case 4's (webhook-load.ts). The two routes run in turns.
import { redisCoordination } from "../nodes/lib/coordination/redis";
import { MemoryJournals } from "../test/support/memory-journal";
import { RedisServer, redisAvailable } from "../test/support/redis";
import { sleep, startNodeRed } from "../test/support/runtime";
import { Child, cmd, fmt, fn, hubFrame, hubReady, log, median, nodeRedStart, qualtricsConfig, TAB, TOKEN } from "./lib";
import type { CaseResult, Row, Target } from "./report";
import { CONCURRENCY } from "./webhooks";

const SURVEY = "SV_benchRedisRedis";
const COUNT = `
let s = context.get("s");
if (!s) { s = { count: 0 }; context.set("s", s); }
if (msg.topic === "cmd") { msg.payload = { count: s.count }; node.send([msg]); return null; }
s.count++;
return null;`;

const ROUTES = { alone: "/qualtrics/alone", redis: "/qualtrics/redis" } as const;
type Route = keyof typeof ROUTES;

function trigger(id: string, config: string, path: string) {
  return {
    id, type: "qualtrics-response-in", z: TAB, name: "", qualtrics: config, surveyId: SURVEY, topic: "", path,
    autoRegister: false, publicBaseUrl: "", fetchResponse: false, dedupeSeconds: 600, maxBodyKb: 256, x: 0, y: 0, wires: [["hub"]],
  };
}

/**
 * The Redis journal alone, in this process: CONCURRENCY callers accepting entries with new keys
 * while the journal emits them; entries accepted and emitted per second.
 */
async function journalRate(url: string, ms: number): Promise<{ accepted: number; emitted: number }> {
  const c = redisCoordination({ url, configId: `bench-${process.pid}-${Date.now()}`, fallbackJournal: new MemoryJournals().factory });
  const j = c.journal({ scope: "bench", windowMs: 600_000, maxPending: 1_000_000 });
  let emitted = 0;
  j.start(async () => void emitted++);
  try {
    while (!c.link.up()) await sleep(20);
    let accepted = 0;
    let n = 0;
    const end = Date.now() + ms;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        if ((await j.accept({ key: `R_${n++}`, source: "webhook", receivedAt: Date.now(), data: { surveyId: SURVEY } })) === "new") accepted++;
      }
    }));
    const seconds = (Date.now() - t0) / 1000;
    const emittedThen = emitted;
    return { accepted: accepted / seconds, emitted: emittedThen / seconds };
  } finally {
    await c.close();
  }
}

export async function runWebhooksRedis(runs: number, warmMs = 2000, measureMs = 6000): Promise<CaseResult> {
  const title = "5. Webhooks with Redis coordination, one replica";
  if (!redisAvailable) {
    return { name: "webhooks-redis", title, method: "skipped: redis-server is not installed (apt-get install redis-server)", rows: [], targets: [], notes: [] };
  }
  const redis = new RedisServer();
  await redis.start();
  const load = new Child("webhook-load.js");
  await load.next();
  const nr = await startNodeRed(nodeRedStart({ env: { NRQ_BENCH_REDIS_URL: redis.url } }));
  const rate: Record<Route, number[]> = { alone: [], redis: [] };
  const journal = { accepted: [] as number[], emitted: [] as number[] };
  const notes: string[] = [];
  try {
    // the API is never called (no fetch, no registration): the base URL only has to be valid
    const base = "http://127.0.0.1:9/API/v3";
    await nr.deploy([
      ...hubFrame("hub"),
      fn("hub", "bench: count events", COUNT, [["bench-cmd-out"]]),
      qualtricsConfig("cfg-alone", base),
      qualtricsConfig("cfg-redis", base, { coordination: "redis" }),
      trigger("t-alone", "cfg-alone", ROUTES.alone),
      trigger("t-redis", "cfg-redis", ROUTES.redis),
    ], { "cfg-alone": { apiToken: TOKEN }, "cfg-redis": { apiToken: TOKEN, redisUrl: "${NRQ_BENCH_REDIS_URL}" } });
    await hubReady(nr);
    const origin = `http://127.0.0.1:${nr.port}`;
    for (const key of Object.keys(ROUTES) as Route[]) await load.ask({ op: "run", origin, path: ROUTES[key], survey: SURVEY, concurrency: CONCURRENCY, warmMs: 300, measureMs: 700 });
    for (let run = 1; run <= runs; run++) {
      const order: Route[] = run % 2 ? ["redis", "alone"] : ["alone", "redis"];
      for (const key of order) {
        const before = await cmd<{ count: number }>(nr, { op: "stats" });
        const r = await load.ask<{ count: number; seconds: number; errors: number; sent: number; lastStatus?: number }>({ op: "run", origin, path: ROUTES[key], survey: SURVEY, concurrency: CONCURRENCY, warmMs, measureMs });
        await sleep(500);
        const emitted = (await cmd<{ count: number }>(nr, { op: "stats" })).count - before.count;
        rate[key].push(r.count / r.seconds);
        if (r.errors) notes.push(`${key} run ${run}: ${r.errors} requests failed (last status ${r.lastStatus})`);
        if (emitted < r.sent) notes.push(`${key} run ${run}: ${emitted} of ${r.sent} acknowledged events reached the flow 500 ms after the load`);
        log(`webhooks-redis run ${run}: ${key} ${fmt(r.count / r.seconds)} events/s, ${fmt(emitted)} of ${fmt(r.sent)} in the flow`);
      }
      const jr = await journalRate(redis.url, measureMs);
      journal.accepted.push(jr.accepted);
      journal.emitted.push(jr.emitted);
      log(`webhooks-redis run ${run}: Redis journal alone ${fmt(jr.accepted)} accepted/s, ${fmt(jr.emitted)} emitted/s`);
    }
  } finally {
    await nr.dispose();
    await load.stop();
    await redis.dispose();
  }
  const rows: Row[] = [
    { label: "qualtrics-response-in, coordination redis", unit: "events/s", values: rate.redis },
    { label: "qualtrics-response-in, coordination none", unit: "events/s", values: rate.alone },
    { label: "Redis journal alone: entries accepted", unit: "entries/s", values: journal.accepted },
    { label: "Redis journal alone: entries emitted and finished", unit: "entries/s", values: journal.emitted },
  ];
  const ratio = median(rate.redis) / median(rate.alone);
  const targets: Target[] = [{ name: "coordination redis / none (events/s)", value: ratio, goal: ">= 0.7", pass: ratio >= 0.7 }];
  return {
    name: "webhooks-redis",
    title,
    method: `as case 4 (${CONCURRENCY} POSTs in flight, a new ResponseID each, ${fmt(warmMs / 1000)} s warm-up then ${fmt(measureMs / 1000)} s measured per route and run), two triggers in one Node-RED: one on a configuration with coordination "redis" (a local redis-server without persistence), one with "none". Then the Redis journal alone in the bench process: ${CONCURRENCY} callers accepting new keys for ${fmt(measureMs / 1000)} s while it emits them.`,
    rows,
    targets,
    notes: [
      "Both triggers journal through their configuration's coordination: with \"none\" each event is appended to the journal file in the user directory and flushed (fdatasync, group commit) before the 200; with \"redis\" it is written to the Redis stream (deduplicated in the same script) before the 200.",
      ...notes,
    ],
  };
}
