// Load (issue #6): 10,000 contact creates in one burst against a sandbox that limits the rate, and
// 1,000 webhook deliveries at once. Every create completes, none fails, each contact exists once,
// and the memory of Node-RED stays bounded while the messages wait in the account's queue; every
// delivery is acknowledged and each event is emitted once.
import assert from "node:assert/strict";
import { Agent, request } from "undici";
import { completedMessage, signMessage } from "../../sandbox/webhooks";
import { addFigures } from "./figures";
import { RIG_CONFIG, Rig, rigConfig } from "./rig";
import { sleep } from "../support/wait";

/** the sandbox's rate (Qualtrics' brand-wide limit, here raised so 10,000 creates take about 50 s) and the config node's, per minute */
const RATE = 12_000;
const BURST = 10_000;
const SMALL_BURST = 1_000;
const WEBHOOKS = 1_000;
/**
 * Growth of Node-RED's resident memory over the 10,000 burst that would mean more than the queue is
 * held: a queued create costs some tens of KB of RSS here (the message, its handler's closure and
 * promise, the garbage of answers not yet collected), about 300 MB for all of them; a message that
 * held a buffer, or work that did not wait its turn, would pass this by far.
 */
const MAX_GROWTH = 512 * 1024 * 1024;
const SHARED_KEY = "LOAD-SECRET-SHAREDKEY-41d07e9c2b";
const MB = 1024 * 1024;

describe(`load: a burst of creates and of webhooks (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(150_000);
  let rig: Rig;
  let D: string;
  let S: string;

  before(async function () {
    rig = await Rig.start({ nodeRed: { settings: { qualtricsConfigRetryDelay: 200 } } });
    D = rig.sb.seedIds.directoryId;
    S = rig.sb.seedIds.surveyIds[0];
    // every create must be its own contact, so none can hide another by email
    rig.sb.state.directories.get(D)!.deduplicationCriteria.email = false;
    await rig.deploy(
      [
        { node: { id: "load-create", type: "qualtrics-contact", name: "create", qualtrics: RIG_CONFIG, operation: "create", directoryId: D, directoryIdType: "str", x: 0, y: 0 } },
        {
          node: { id: "load-in", type: "qualtrics-response-in", name: "trigger", qualtrics: RIG_CONFIG, surveyId: S, path: "/load/responses", fetchResponse: false, autoRegister: false, dedupeSeconds: 600, maxBodyKb: 256, x: 0, y: 0 },
          idExpr: "msg.event && msg.event.responseId",
        },
      ],
      [rigConfig({ timeout: 30, retries: 4, rateLimit: RATE, maxConcurrent: 20 })],
      { "load-in": { sharedKey: SHARED_KEY } },
    );
  });
  after(() => rig?.dispose());

  /** sends `count` creates at once and follows Node-RED's memory until every one has ended */
  async function burst(tag: string, count: number): Promise<{ ms: number; baseline: number; peak: number; ends: Awaited<ReturnType<Rig["settle"]>>; created: number; twice: number }> {
    // a quiet moment to measure from
    global.gc?.();
    await sleep(500);
    const baseline = rig.rss();
    assert.ok(baseline, "Node-RED's memory can be read from /proc");
    let peak = baseline;
    const sampler = setInterval(() => {
      const now = rig.rss();
      if (now && now > peak) peak = now;
    }, 100);
    const started = Date.now();
    const msgs = Array.from({ length: count }, (_, i) => ({ rigId: `${tag}-${i}`, payload: { email: `${tag}-${i}@example.com`, extRef: `${tag}-${i}` } }));
    const ids = await rig.send("load-create", msgs);
    const ends = await rig.settle("load-create", ids, 120_000, 500);
    const ms = Date.now() - started;
    clearInterval(sampler);
    // what the sandbox holds: each contact exactly once
    const seen = new Map<string, number>();
    for (const c of rig.sb.state.directories.get(D)!.contacts.values()) {
      if (c.email?.startsWith(`${tag}-`)) seen.set(c.email, (seen.get(c.email) ?? 0) + 1);
    }
    return { ms, baseline, peak, ends, created: seen.size, twice: [...seen.values()].filter((n) => n > 1).length };
  }

  it(`${BURST} contact creates in one burst: all complete, none fails, each contact once, memory bounded while they queue`, async function () {
    rig.sb.faults.set({ rateLimit: { perMinute: RATE, burst: RATE / 60, retryAfter: true } });
    const small = await burst("small", SMALL_BURST);
    const big = await burst("big", BURST);
    const limited = rig.sb.faults.stats.rateLimited;
    rig.sb.faults.clear();
    const errors = rig.endsOf("load-create").filter((e) => e.kind === "error");
    const growth = (r: { peak: number; baseline: number }) => r.peak - r.baseline;
    const ok =
      big.ends.delivered === BURST && small.ends.delivered === SMALL_BURST && big.created === BURST && small.created === SMALL_BURST &&
      big.twice + small.twice === 0 && growth(big) < MAX_GROWTH;
    addFigures({ area: "load", what: `qualtrics-contact create × ${SMALL_BURST} burst, sandbox at ${RATE}/min`, faultsTried: 1, faultsSurvived: small.ends.delivered === SMALL_BURST && small.twice === 0 ? 1 : 0, ...small.ends });
    addFigures({ area: "load", what: `qualtrics-contact create × ${BURST} burst, sandbox at ${RATE}/min`, faultsTried: 1, faultsSurvived: ok ? 1 : 0, ...big.ends });
    console.log(
      `      ${BURST} creates in ${(big.ms / 1000).toFixed(1)} s (${Math.round((BURST * 60_000) / big.ms)}/min), ${limited} answered 429 by the sandbox and retried; ` +
        `Node-RED RSS ${(big.baseline / MB).toFixed(0)} → peak ${(big.peak / MB).toFixed(0)} MB (+${(growth(big) / MB).toFixed(0)} MB; +${(growth(small) / MB).toFixed(0)} MB for ${SMALL_BURST})`,
    );
    assert.deepEqual(errors.slice(0, 3).map((e) => e.text), [], "no create may fail");
    assert.deepEqual(small.ends, { sent: SMALL_BURST, delivered: SMALL_BURST, errored: 0, lost: 0, duplicated: 0 });
    assert.deepEqual(big.ends, { sent: BURST, delivered: BURST, errored: 0, lost: 0, duplicated: 0 });
    assert.equal(big.created, BURST, "every contact is in the sandbox");
    assert.equal(big.twice + small.twice, 0, "no contact was created twice");
    // the config node's limiter kept to the account's rate: the sandbox had to refuse only a few
    assert.ok(limited < BURST / 20, `the sandbox refused ${limited} requests: the account's limiter did not keep to its rate`);
    assert.ok(growth(big) < MAX_GROWTH, `Node-RED grew by ${(growth(big) / MB).toFixed(0)} MB during the burst`);
  });

  it(`${WEBHOOKS} webhook deliveries at once: every one acknowledged, each event emitted once`, async function () {
    const agent = new Agent({ connections: WEBHOOKS, keepAliveTimeout: 1000 });
    const ids = Array.from({ length: WEBHOOKS }, (_, i) => `R_load${String(i).padStart(11, "0")}`);
    const url = `${rig.nr.nodeUrl}/load/responses`;
    const statuses: number[] = [];
    try {
      await Promise.all(
        ids.map(async (responseId) => {
          const msg = completedMessage(rig.sb.brandId, { surveyId: S, responseId, recipientId: "", distributionId: "", completedDate: "2025-05-01 10:00:00" });
          const body = new URLSearchParams({ Topic: `${rig.sb.brandId}.surveyengine.completedResponse.${S}`, MSG: msg, HMAC: signMessage(SHARED_KEY, msg) }).toString();
          const r = await request(url, { method: "POST", dispatcher: agent, headers: { "content-type": "application/x-www-form-urlencoded" }, body });
          await r.body.text();
          statuses.push(r.statusCode);
        }),
      );
    } finally {
      await agent.close();
    }
    const ends = await rig.settle("load-in", ids, 60_000, 1000);
    const acked = statuses.filter((s) => s === 200).length;
    addFigures({ area: "load", what: `qualtrics-response-in × ${WEBHOOKS} concurrent webhooks`, faultsTried: 1, faultsSurvived: acked === WEBHOOKS && ends.delivered === WEBHOOKS ? 1 : 0, ...ends });
    assert.equal(acked, WEBHOOKS, `answers: ${[...new Set(statuses)].join(", ")}`);
    assert.deepEqual(ends, { sent: WEBHOOKS, delivered: WEBHOOKS, errored: 0, lost: 0, duplicated: 0 });
    // each message is the event it was made from
    const out = rig.endsOf("load-in", ids);
    assert.equal(new Set(out.map((e) => e.id)).size, WEBHOOKS);
  });
});
