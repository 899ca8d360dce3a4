import assert from "node:assert/strict";
import { RequestLimiter } from "../../src/limiter";
import { waitFor } from "../support/wait";
import { connected, useRedis } from "./redis-helpers";


/** most grants in any window of `ms` */
function densest(times: number[], ms: number): number {
  const t = [...times].sort((x, y) => x - y);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function drain(limiter: RequestLimiter, n: number, grants: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const release = await limiter.acquire();
    grants.push(Date.now());
    release();
  }
}

describe("shared rate limit on Redis", function () {
  const fx = useRedis();
  let ACCOUNT = "";
  // the bucket is per account, not per configuration: each test its own account
  beforeEach(() => (ACCOUNT = `https://sandbox.example/API/v3\nUR_${fx.configId}`));

  it("two limiters against one Redis together keep to the configured rate", async function () {
    const a = fx.replica();
    const b = fx.replica();
    await Promise.all([connected(a), connected(b)]);
    const perMinute = 1200; // 20 a second, a burst of 20
    const la = new RequestLimiter({ perMinute, maxConcurrent: 5, gate: a.rateGate(ACCOUNT, perMinute) });
    const lb = new RequestLimiter({ perMinute, maxConcurrent: 5, gate: b.rateGate(ACCOUNT, perMinute) });
    const grants: number[] = [];
    await Promise.all([drain(la, 40, grants), drain(lb, 40, grants)]);
    // each alone would grant its burst of 20 at once, 40 together; shared, one burst and the rate
    assert.ok(densest(grants, 1000) <= 20 + 20 + 2, `${densest(grants, 1000)} grants within one second`);
    assert.ok(densest(grants, 200) <= 20 + 4 + 2, `${densest(grants, 200)} grants within 200 ms`);
    la.close();
    lb.close();
  });

  it("another account's bucket is its own", async function () {
    const a = fx.replica();
    await connected(a);
    const g1 = a.rateGate(ACCOUNT, 60);
    const g2 = a.rateGate(`${ACCOUNT}-other`, 60);
    assert.equal(await g1.take(), 0);
    assert.ok((await g1.take()) > 0, "the burst of one is spent");
    assert.equal(await g2.take(), 0);
  });

  it("a 429 on one replica holds the others", async function () {
    const a = fx.replica();
    const b = fx.replica();
    await Promise.all([connected(a), connected(b)]);
    const la = new RequestLimiter({ perMinute: 6000, maxConcurrent: 5, gate: a.rateGate(ACCOUNT, 6000) });
    const gb = b.rateGate(ACCOUNT, 6000);
    la.pause(30_000);
    const wait = await waitFor("the pause in Redis", async () => (await gb.take()) > 0 && (await gb.take()));
    assert.ok(wait > 20_000 && wait <= 30_000, `waits ${wait} ms`);
    la.close();
  });

  it("while Redis is down each limiter goes on alone at its share", async function () {
    const a = fx.replica();
    const b = fx.replica();
    await Promise.all([connected(a), connected(b)]);
    const gate = a.rateGate(ACCOUNT, 1200);
    await waitFor("both replicas present", () => gate.sharers() === 2 || undefined, 10_000);
    await fx.server.stop();
    await waitFor("the connection lost", () => !a.link.up() || undefined);
    await assert.rejects(gate.take());
    const la = new RequestLimiter({ perMinute: 1200, maxConcurrent: 5, gate });
    const grants: number[] = [];
    await drain(la, 25, grants);
    // the local bucket (a burst of 20) refills at half the rate: 10 a second
    assert.ok(densest(grants, 500) <= 20 + 5 + 2, `${densest(grants, 500)} grants within 500 ms`);
    la.close();
    await fx.server.restart();
  });
});
