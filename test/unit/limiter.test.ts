import assert from "node:assert/strict";
import sinon from "sinon";
import { LimiterClosedError, RequestLimiter } from "../../src/limiter";
import { ok } from "../support/fake-servers";
import { sleep } from "../support/wait";
import { useRecordingServer } from "../support/fixtures";
import { useClients } from "./helpers";

type Release = () => void;

describe("limiter (docs/qualtrics-facts.md §2.3)", function () {
  describe("with fake timers", function () {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => (clock = sinon.useFakeTimers({ now: Date.UTC(2024, 0, 1), toFake: ["setTimeout", "clearTimeout", "Date"] })));
    afterEach(() => clock.restore());

    /** Start n acquisitions; each releases as soon as it is granted, recording when. */
    function burst(limiter: RequestLimiter, n: number): number[] {
      const grantedAt: number[] = [];
      for (let i = 0; i < n; i++) {
        void limiter.acquire().then((release) => {
          grantedAt.push(Date.now());
          release();
        }, () => undefined);
      }
      return grantedAt;
    }

    it("never more than maxConcurrent in flight", async function () {
      const limiter = new RequestLimiter({ perMinute: 0, maxConcurrent: 2 });
      const held: Release[] = [];
      for (let i = 0; i < 5; i++) void limiter.acquire().then((r) => held.push(r));
      await clock.tickAsync(0);
      assert.equal(held.length, 2);
      assert.equal(limiter.inFlight, 2);
      assert.equal(limiter.waiting, 3);
      held[0]();
      held[0](); // a second release of the same slot changes nothing
      await clock.tickAsync(0);
      assert.equal(held.length, 3);
      assert.equal(limiter.inFlight, 2);
      held[1]();
      held[2]();
      await clock.tickAsync(0);
      assert.equal(held.length, 5);
      assert.equal(limiter.waiting, 0);
    });

    it("spends one second's worth at once, then one token per 60000/perMinute ms", async function () {
      const limiter = new RequestLimiter({ perMinute: 60, maxConcurrent: 100 }); // burst 1, 1 per second
      const grantedAt = burst(limiter, 5);
      await clock.tickAsync(0);
      assert.equal(grantedAt.length, 1);
      await clock.tickAsync(999);
      assert.equal(grantedAt.length, 1);
      await clock.tickAsync(1);
      assert.equal(grantedAt.length, 2);
      await clock.tickAsync(3000);
      assert.equal(grantedAt.length, 5);
      const gaps = grantedAt.slice(1).map((t, i) => t - grantedAt[i]);
      for (const g of gaps) assert.ok(g >= 1000, `gap ${g} ms`);
    });

    it("respects the rate per minute over a long burst", async function () {
      const limiter = new RequestLimiter({ perMinute: 120, maxConcurrent: 1000 }); // burst 2
      const start = Date.now();
      const grantedAt = burst(limiter, 400);
      await clock.tickAsync(0);
      assert.equal(grantedAt.length, 2, "one second's worth at once");
      await clock.tickAsync(60_000);
      // 2 at once + 120 over the minute
      assert.ok(grantedAt.length >= 120 && grantedAt.length <= 122, `${grantedAt.length} in the first minute`);
      // and in every 10 s window after the first burst, no more than 20 (+1 at the boundary)
      for (let w = 0; w < 6; w++) {
        const from = start + w * 10_000;
        const n = grantedAt.filter((t) => t > from && t <= from + 10_000).length;
        assert.ok(n <= 21, `${n} grants in window ${w}`);
      }
      limiter.close();
    });

    it("an explicit burst allows that many at once", async function () {
      const limiter = new RequestLimiter({ perMinute: 60, maxConcurrent: 100, burst: 5 });
      const grantedAt = burst(limiter, 8);
      await clock.tickAsync(0);
      assert.equal(grantedAt.length, 5);
      await clock.tickAsync(3000);
      assert.equal(grantedAt.length, 8);
    });

    it("grants in FIFO order", async function () {
      const limiter = new RequestLimiter({ perMinute: 60, maxConcurrent: 1, burst: 1 });
      const order: number[] = [];
      const all = [0, 1, 2, 3, 4].map((i) =>
        limiter.acquire().then((release) => {
          order.push(i);
          release();
        }),
      );
      await clock.tickAsync(10_000);
      await Promise.all(all);
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
    });

    it("pause() holds every new request until the time is up", async function () {
      const limiter = new RequestLimiter({ perMinute: 0, maxConcurrent: 10 });
      limiter.pause(1000);
      const grantedAt = burst(limiter, 3);
      await clock.tickAsync(999);
      assert.equal(grantedAt.length, 0);
      await clock.tickAsync(1);
      assert.equal(grantedAt.length, 3);
    });

    it("close() rejects queued requests with a clear error, and later ones too", async function () {
      const limiter = new RequestLimiter({ perMinute: 0, maxConcurrent: 1 });
      const first = await limiter.acquire();
      const queued = limiter.acquire();
      const outcome = queued.then(
        () => "granted",
        (e: Error) => e,
      );
      limiter.close();
      const err = await outcome;
      assert.ok(err instanceof LimiterClosedError);
      assert.match(err.message, /closed/);
      assert.match(err.message, /before the request was sent/);
      await assert.rejects(limiter.acquire(), LimiterClosedError);
      first();
    });

    it("an abort signal removes a waiter; the slot goes to the next one", async function () {
      const limiter = new RequestLimiter({ perMinute: 0, maxConcurrent: 1 });
      const first = await limiter.acquire();
      const ac = new AbortController();
      const aborted = limiter.acquire(ac.signal);
      const third = limiter.acquire();
      assert.equal(limiter.waiting, 2);
      ac.abort(new Error("user gave up"));
      await assert.rejects(aborted, /user gave up/);
      assert.equal(limiter.waiting, 1);
      first();
      const release = await third;
      assert.equal(limiter.inFlight, 1);
      release();
      assert.equal(limiter.inFlight, 0);
    });

    it("an already aborted signal is refused at once", async function () {
      const limiter = new RequestLimiter({ perMinute: 0, maxConcurrent: 1 });
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(limiter.acquire(ac.signal), (e: Error) => e.name === "AbortError" || /abort/i.test(e.message));
      assert.equal(limiter.waiting, 0);
    });
  });

  describe("through the client", function () {
    const api = useRecordingServer();
    const clients = useClients();

    it("never more than maxConcurrent requests reach the server at once", async function () {
      const client = clients.make(api.apiBase, { maxConcurrent: 3 });
      let current = 0;
      let most = 0;
      api.reply(async (req) => {
        current++;
        most = Math.max(most, current);
        await sleep(40);
        current--;
        return ok({ path: req.path });
      });
      const all = Array.from({ length: 12 }, (_, i) => client.request({ method: "GET", path: `/surveys/SV_${i}` }));
      const results = await Promise.all(all);
      assert.equal(results.length, 12);
      assert.equal(api.requests.length, 12);
      assert.ok(most <= 3, `${most} at once`);
      assert.equal(most, 3, "the limit was actually reached");
    });

    it("queued requests are sent in the order they were made", async function () {
      const client = clients.make(api.apiBase, { maxConcurrent: 1 });
      api.reply(async () => {
        await sleep(5);
        return ok({});
      });
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client.request({ method: "GET", path: `/n${i}` })));
      assert.deepEqual(api.requests.map((r) => r.path), [0, 1, 2, 3, 4, 5].map((i) => `/API/v3/n${i}`));
    });

    it("the per-minute rate holds back a burst", async function () {
      // 600 per minute = 10 at once, then one each 100 ms
      const client = clients.make(api.apiBase, { rateLimitPerMinute: 600 });
      api.reply(ok({}));
      const t0 = Date.now();
      await Promise.all(Array.from({ length: 13 }, () => client.request({ method: "GET", path: "/x" })));
      const took = Date.now() - t0;
      assert.ok(took >= 250, `13 requests at 600/min took only ${took} ms`);
    });
  });
});
