import assert from "node:assert/strict";
import type { HttpMethod } from "../../src/client";
import { QualtricsApiError } from "../../src/errors";
import {
  backoffDelay,
  DEFAULT_RETRY,
  errorCodeOf,
  failedBeforeSend,
  humanDuration,
  mayHaveSucceededStatus,
  MIN_RETRY_WAIT_MS,
  parseRetryAfter,
  retryableStatus,
  retryWait,
} from "../../src/retry";
import { fail, ok, Recorded } from "../support/fake-servers";
import { assertNoToken, closedPort, failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("retries (docs/qualtrics-facts.md §2.2, §2.3)", function () {
  describe("maths", function () {
    it("parseRetryAfter reads seconds", function () {
      assert.equal(parseRetryAfter("1"), 1000);
      assert.equal(parseRetryAfter(" 120 "), 120_000);
      assert.equal(parseRetryAfter("0.5"), 500);
      assert.equal(parseRetryAfter(["3", "9"]), 3000);
    });

    it("parseRetryAfter reads an HTTP date relative to now", function () {
      const now = Date.UTC(2024, 0, 15, 10, 0, 0);
      assert.equal(parseRetryAfter("Mon, 15 Jan 2024 10:00:05 GMT", now), 5000);
      assert.equal(parseRetryAfter("Mon, 15 Jan 2024 09:59:00 GMT", now), 0, "a date in the past means now");
    });

    it("parseRetryAfter gives undefined for nothing or garbage", function () {
      assert.equal(parseRetryAfter(undefined), undefined);
      assert.equal(parseRetryAfter(""), undefined);
      assert.equal(parseRetryAfter("soon"), undefined);
    });

    it("backoff is exponential with jitter within [step/2, step]", function () {
      const policy = { ...DEFAULT_RETRY, baseMs: 200, maxMs: 100_000 };
      for (let attempt = 0; attempt < 8; attempt++) {
        const step = 200 * 2 ** attempt;
        assert.equal(backoffDelay(attempt, policy, () => 0), step / 2, `lowest for attempt ${attempt}`);
        assert.equal(backoffDelay(attempt, policy, () => 1), step, `highest for attempt ${attempt}`);
        for (let i = 0; i < 50; i++) {
          const d = backoffDelay(attempt, policy);
          assert.ok(d >= step / 2 && d <= step, `attempt ${attempt}: ${d} outside [${step / 2}, ${step}]`);
        }
      }
    });

    it("backoff is capped by maxMs", function () {
      const policy = { ...DEFAULT_RETRY, baseMs: 1000, maxMs: 5000 };
      assert.equal(backoffDelay(3, policy, () => 1), 5000); // 8000 capped
      assert.equal(backoffDelay(30, policy, () => 1), 5000);
      assert.equal(backoffDelay(30, policy, () => 0), 2500);
      for (let i = 0; i < 50; i++) assert.ok(backoffDelay(20, policy) <= 5000);
    });

    it("no wait is shorter than 100 ms, however small the configured delay", function () {
      const tiny = { ...DEFAULT_RETRY, baseMs: 1, maxMs: 30_000 };
      for (let attempt = 0; attempt < 5; attempt++) {
        assert.equal(backoffDelay(attempt, tiny, () => 0), MIN_RETRY_WAIT_MS);
        assert.ok(backoffDelay(attempt, tiny) >= 100);
      }
    });

    it("a Retry-After shorter than the back-off (0 included) waits the back-off; a longer one waits Retry-After", function () {
      const policy = { ...DEFAULT_RETRY, baseMs: 1000, maxMs: 30_000 };
      assert.equal(retryWait(0, policy, 0, () => 0), 500);
      assert.equal(retryWait(2, policy, 0, () => 1), 4000);
      assert.equal(retryWait(0, policy, 200, () => 0), 500);
      assert.equal(retryWait(0, policy, 7000, () => 1), 7000);
      assert.equal(retryWait(0, { ...policy, baseMs: 1 }, 0, () => 0), 100, "never below 100 ms");
      assert.equal(retryWait(1, policy, undefined, () => 0), 1000);
    });

    it("durations read as people say them", function () {
      assert.deepEqual([450, 45_000, 12 * 60_000, 3 * 3600_000 + 20 * 60_000, 5 * 86_400_000].map(humanDuration), ["450 ms", "45 s", "12 min", "3 h 20 min", "5 days"]);
    });

    it("which statuses are retried", function () {
      for (const idem of [true, false]) {
        assert.equal(retryableStatus(429, idem), true);
        for (const s of [400, 401, 403, 404, 413]) assert.equal(retryableStatus(s, idem), false, String(s));
      }
      // nothing documented says a 503 was not carried out: like 500, only idempotent requests
      for (const s of [500, 502, 503, 504]) {
        assert.equal(retryableStatus(s, true), true);
        assert.equal(retryableStatus(s, false), false);
        assert.equal(mayHaveSucceededStatus(s), true);
      }
      assert.equal(mayHaveSucceededStatus(429), false);
    });

    it("errors before sending are recognised through causes", function () {
      assert.equal(failedBeforeSend(Object.assign(new Error("x"), { code: "ECONNREFUSED" })), true);
      const wrapped = Object.assign(new Error("fetch failed"), { code: "UND_ERR_SOCKET", cause: Object.assign(new Error("y"), { code: "ENOTFOUND" }) });
      assert.equal(errorCodeOf(wrapped), "ENOTFOUND");
      assert.equal(failedBeforeSend(wrapped), true);
      const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
      assert.equal(errorCodeOf(socket), "UND_ERR_SOCKET");
      assert.equal(failedBeforeSend(socket), false);
      assert.equal(failedBeforeSend(new Error("plain")), false);
    });
  });

  describe("against a server", function () {
    const api = useRecordingServer();
    const clients = useClients();

    const body = (m: HttpMethod) => (m === "GET" || m === "DELETE" ? undefined : { a: 1 });

    it("429 without Retry-After is retried with back-off", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(429, "Too many requests", "RATE"), ok({ done: true }));
      const res = await client.request({ method: "POST", path: "/directories/POOL_1/contacts", body: { a: 1 } });
      assert.deepEqual(res.result, { done: true });
      assert.equal(res.attempts, 2);
      assert.equal(api.requests.length, 2);
    });

    it("429 with Retry-After in seconds waits that long", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(429, "Too many requests", "RATE", { "retry-after": "1" }), ok({ done: true }));
      const t0 = Date.now();
      const res = await client.request({ method: "GET", path: "/surveys" });
      const waited = Date.now() - t0;
      assert.equal(res.attempts, 2);
      assert.ok(waited >= 900, `waited only ${waited} ms`);
    });

    it("429 with Retry-After as an HTTP date waits until then", async function () {
      const client = clients.make(api.apiBase);
      // HTTP dates have whole seconds: +2 s rounds down to at least +1 s from now
      api.reply(() => fail(429, "Too many requests", "RATE", { "retry-after": new Date(Date.now() + 2000).toUTCString() }), ok({ done: true }));
      const t0 = Date.now();
      const res = await client.request({ method: "GET", path: "/surveys" });
      const waited = Date.now() - t0;
      assert.equal(res.attempts, 2);
      assert.ok(waited >= 900, `waited only ${waited} ms`);
    });

    it("a Retry-After longer than maxRetryAfterMs is not waited for, and the error says why", async function () {
      const client = clients.make(api.apiBase, { retry: { maxRetryAfterMs: 2000 } });
      api.reply(fail(429, "Too many requests", "RATE", { "retry-after": "10800" }), ok({}));
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.equal(err.statusCode, 429);
      assert.equal(api.requests.length, 1);
      assert.match(err.message, /^Qualtrics 429 - Too Many Requests: Too many requests \(errorCode RATE, .*\) - Qualtrics asked to wait 3 h before trying again, longer than the 2 s a retry may wait; try again later$/);
    });

    it("Retry-After: 0 still waits the back-off, at least 100 ms, before each retry", async function () {
      const client = clients.make(api.apiBase, { retry: { baseMs: 1, retries: 3 } });
      const at: number[] = [];
      api.reply(() => {
        at.push(Date.now());
        return fail(429, "Too many requests", "RATE", { "retry-after": "0" });
      });
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.equal(err.attempts, 4);
      assert.equal(at.length, 4);
      // the gaps between the attempts the server saw: none shorter than the floor (less a timer's slack)
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 95, `retry ${i} came ${at[i] - at[i - 1]} ms after the attempt before`);
    });

    it("503 is retried for GET", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(503, "Temporary Internal Server Error", "SRV"), ok({ id: "x" }));
      const res = await client.request({ method: "GET", path: "/distributions" });
      assert.equal(res.attempts, 2);
      assert.deepEqual(api.requests.map((r) => r.method), ["GET", "GET"]);
    });

    it("503 is NOT retried for a POST, and says it may have succeeded (nothing documents that a 503 was not carried out)", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(503, "Temporary Internal Server Error", "SRV"), ok({ id: "dup" }));
      const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/directories/POOL_1/contacts", body: { a: 1 } }));
      assert.equal(api.requests.length, 1);
      assert.equal(err.statusCode, 503);
      assert.equal(err.mayHaveSucceeded, true);
      assert.match(err.message, /may have succeeded/);
    });

    it("503 is retried for a POST that is idempotent (an Idempotency-Key Qualtrics honours, a search)", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(503, "Temporary Internal Server Error", "SRV"), ok({ id: "x" }));
      const res = await client.request({ method: "POST", path: "/surveys/SV_1/responses", body: { a: 1 }, headers: { "Idempotency-Key": "k1" }, idempotent: true });
      assert.equal(res.attempts, 2);
      assert.deepEqual(api.requests.map((r) => r.headers["idempotency-key"]), ["k1", "k1"]);
    });

    it("429 is retried for a POST: Qualtrics did not carry it out", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(429, "Too many requests", "RATE"), ok({ id: "x" }));
      const res = await client.request({ method: "POST", path: "/directories/POOL_1/contacts", body: { a: 1 } });
      assert.equal(res.attempts, 2);
    });

    for (const status of [500, 502, 504]) {
      for (const m of ["GET", "PUT", "DELETE"] as HttpMethod[]) {
        it(`${status} is retried for ${m}`, async function () {
          const client = clients.make(api.apiBase);
          api.reply(fail(status, "oops", "SRV"), ok({ fine: true }));
          const res = await client.request({ method: m, path: "/directories/POOL_1/contacts/CID_1", body: body(m) });
          assert.deepEqual(res.result, { fine: true });
          assert.equal(api.requests.length, 2);
        });
      }

      it(`${status} is NOT retried for POST, and says it may have succeeded`, async function () {
        const client = clients.make(api.apiBase);
        api.reply(fail(status, "oops", "SRV"), ok({ id: "dup" }));
        const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/distributions", body: { a: 1 } }));
        assert.equal(api.requests.length, 1);
        assert.equal(err.statusCode, status);
        assert.equal(err.mayHaveSucceeded, true);
        assert.match(err.message, /may have succeeded/);
      });
    }

    it("a POST marked idempotent (a search) is retried on 500", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(500, "oops"), ok({ elements: [] }));
      const res = await client.request({ method: "POST", path: "/directories/POOL_1/contacts/search", body: {}, idempotent: true });
      assert.equal(res.attempts, 2);
    });

    for (const status of [400, 401, 403, 404]) {
      for (const m of ["GET", "POST"] as HttpMethod[]) {
        it(`${status} is never retried (${m})`, async function () {
          const client = clients.make(api.apiBase);
          api.reply(fail(status, "no", "Q_" + status), ok({}));
          const err = await failure<QualtricsApiError>(client.request({ method: m, path: "/surveys", body: body(m) }));
          assert.equal(api.requests.length, 1);
          assert.equal(err.statusCode, status);
          assert.equal(err.mayHaveSucceeded, false);
          assert.equal(err.attempts, 1);
        });
      }
    }

    it("connection refused is retried, then reported clearly (even for POST: nothing was sent)", async function () {
      const port = await closedPort();
      for (const m of ["GET", "POST"] as HttpMethod[]) {
        const client = clients.make(`http://127.0.0.1:${port}/API/v3`);
        const err = await failure<QualtricsApiError>(client.request({ method: m, path: "/whoami", body: body(m) }));
        assert.ok(err instanceof QualtricsApiError);
        assert.match(err.message, /connection failed \(ECONNREFUSED\)/);
        // and which host it could not reach: a user with a wrong base URL sees it at once
        assert.ok(err.message.includes(`could not connect to 127.0.0.1:${port}`), err.message);
        assert.equal(err.attempts, 4, "1 try + 3 retries");
        assert.match(err.message, /after 4 attempts/);
        assert.equal(err.mayHaveSucceeded, false);
        assertNoToken(err);
      }
    });

    it("a dropped socket on GET is retried", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ drop: true }, ok({ back: true }));
      const res = await client.request({ method: "GET", path: "/surveys" });
      assert.deepEqual(res.result, { back: true });
      assert.equal(api.requests.length, 2);
    });

    it("a dropped socket on POST is not retried and may have succeeded", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ drop: true }, ok({ id: "dup" }));
      const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/distributions", body: { a: 1 } }));
      assert.equal(api.requests.length, 1);
      assert.equal(err.mayHaveSucceeded, true);
      assert.match(err.message, /may have succeeded/);
      assert.match(err.message, /connection failed \(\w+\): 127\.0\.0\.1:\d+ closed the connection before it answered/);
    });

    it("a server slower than timeoutMs gives 'no answer within N ms'", async function () {
      const client = clients.make(api.apiBase, { timeoutMs: 150, retry: { retries: 0 } });
      api.reply({ ...ok({ late: true }), delayMs: 1500 });
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.match(err.message, /no answer within 150 ms/);
      assert.equal(api.requests.length, 1);
    });

    it("a timed-out GET is retried; a timed-out POST is not and may have succeeded", async function () {
      const get = clients.make(api.apiBase, { timeoutMs: 150, retry: { retries: 1 } });
      api.reply({ ...ok({}), delayMs: 1500 });
      const e1 = await failure<QualtricsApiError>(get.request({ method: "GET", path: "/surveys" }));
      assert.match(e1.message, /no answer within 150 ms/);
      assert.equal(e1.attempts, 2);
      assert.equal(api.requests.length, 2);

      api.reply({ ...ok({}), delayMs: 1500 });
      const e2 = await failure<QualtricsApiError>(get.request({ method: "POST", path: "/distributions", body: {} }));
      assert.equal(api.requests.length, 1);
      assert.equal(e2.mayHaveSucceeded, true);
    });

    it("retries exhausted: the last error, with the attempts count", async function () {
      const client = clients.make(api.apiBase);
      api.reply((_req: Recorded, i: number) => fail(500, `boom number ${i}`, "SRV_" + i));
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.equal(api.requests.length, 4);
      assert.equal(err.attempts, 4);
      assert.match(err.message, /boom number 3/);
      assert.match(err.message, /SRV_3/);
      assert.match(err.message, /after 4 attempts/);
    });

    it("a 429 pauses the shared limiter for other requests too", async function () {
      const arrivals: { path: string; at: number }[] = [];
      let second: Promise<unknown> | undefined;
      let startedSecond = 0;
      // onNotice runs while the 429 is handled, just before the limiter is paused; a microtask
      // from there starts the other request once the pause is in place, with no timing guess
      const client = clients.make(api.apiBase, {
        onNotice: (notice) => {
          if (notice !== "slow down" || second) return;
          queueMicrotask(() => {
            startedSecond = Date.now();
            second = client.request({ method: "GET", path: "/second" });
          });
        },
      });
      api.reply((req) => {
        arrivals.push({ path: req.path, at: Date.now() });
        if (req.path.endsWith("/first") && arrivals.filter((a) => a.path === req.path).length === 1) {
          return {
            status: 429,
            headers: { "retry-after": "1" },
            body: { meta: { httpStatus: "429 - Too Many Requests", notice: "slow down", error: { errorMessage: "Too many requests", errorCode: "RATE" } } },
          };
        }
        return ok({ path: req.path });
      });
      await client.request({ method: "GET", path: "/first" });
      assert.ok(second, "the second request was started");
      await second;
      const secondAt = arrivals.find((a) => a.path.endsWith("/second"))!.at;
      assert.ok(secondAt - startedSecond >= 600, `the other request went out after ${secondAt - startedSecond} ms`);
    });
  });
});
