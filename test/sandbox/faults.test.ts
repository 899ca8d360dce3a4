import assert from "node:assert/strict";
import { FaultConfig } from "../../sandbox/faults";
import { assertError, call, meta, obj, result } from "./test-helpers";
import { sleep } from "../support/wait";
import { useSandbox } from "../support/fixtures";

describe("sandbox: fault injection", () => {
  const sb = useSandbox();
  let contacts: string;
  beforeEach(() => {
    contacts = `/directories/${sb.seedIds.directoryId}/contacts`;
  });
  const contactCount = (): number => sb.state.directories.get(sb.seedIds.directoryId)?.contacts.size ?? -1;

  describe("rules", () => {
    it("status: answers with a proper error envelope and does not perform the operation", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 503 }] });
      const r = await call(sb, "POST", contacts, { body: { firstName: "Never" } });
      const e = assertError(r, 503);
      assert.equal(meta(r).httpStatus, "503 - Temporary Internal Server Error");
      assert.equal(e.errorMessage, "Temporary internal server error");
      assert.equal(r.headers.get("retry-after"), null);
      assert.equal(contactCount(), 25);
    });

    it("status defaults to 500 and supports 504", async () => {
      sb.faults.set({ rules: [{ action: "status", times: 1 }, { action: "status", status: 504, times: 1 }] });
      assertError(await call(sb, "GET", "/whoami"), 500, /Internal server error/);
      assertError(await call(sb, "GET", "/whoami"), 504, /Gateway timeout/);
    });

    it("status 429/503 with retryAfter sends Retry-After seconds", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 429, retryAfter: 7 }] });
      const r = await call(sb, "GET", "/whoami");
      assertError(r, 429, /Too many requests/);
      assert.equal(r.headers.get("retry-after"), "7");
    });

    it("delay: waits delayMs, then answers normally", async () => {
      sb.faults.set({ rules: [{ action: "delay", delayMs: 300 }] });
      const t = Date.now();
      const r = await call(sb, "GET", "/whoami");
      assert.ok(Date.now() - t >= 280, `took ${Date.now() - t} ms`);
      assert.equal(result(r).brandId, "sandboxbrand");
    });

    it("drop: destroys the connection without an answer (and records the request)", async () => {
      sb.faults.set({ rules: [{ action: "drop" }] });
      await assert.rejects(call(sb, "GET", "/whoami"));
      assert.equal(sb.requests.length >= 1, true);
      assert.equal(sb.requests[0].path, "/API/v3/whoami");
    });

    it("malformed: 200 application/json with truncated JSON", async () => {
      sb.faults.set({ rules: [{ action: "malformed" }] });
      const r = await call(sb, "GET", "/whoami");
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
      assert.ok(r.text.length > 0);
      assert.throws(() => JSON.parse(r.text));
      assert.equal(r.json, undefined);
    });

    it("html: 502 text/html error page", async () => {
      sb.faults.set({ rules: [{ action: "html" }] });
      const r = await call(sb, "GET", "/whoami");
      assert.equal(r.status, 502);
      assert.match(r.headers.get("content-type") ?? "", /^text\/html/);
      assert.match(r.text, /502 Bad Gateway/);
    });

    it("times: applies to the next N matching requests, then stops", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 500, times: 2 }] });
      assert.equal((await call(sb, "GET", "/whoami")).status, 500);
      assert.equal((await call(sb, "GET", "/whoami")).status, 500);
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    });

    it("match.method and match.path (substring) select requests", async () => {
      sb.faults.set({ rules: [{ match: { method: "post", path: "/contacts" }, action: "status", status: 500 }] });
      assert.equal((await call(sb, "GET", contacts)).status, 200, "other method");
      assert.equal((await call(sb, "POST", "/eventsubscriptions", { body: { publicationUrl: "https://e.com/h", topics: "*" } })).status, 200, "other path");
      assert.equal((await call(sb, "POST", contacts, { body: {} })).status, 500);
    });

    it("match.path as /regex/ text", async () => {
      sb.faults.set({ rules: [{ match: { path: "/\\/whoami$/" }, action: "status", status: 503 }] });
      assert.equal((await call(sb, "GET", "/whoami")).status, 503);
      assert.equal((await call(sb, "GET", "/directories")).status, 200);
    });

    it("the first matching rule wins", async () => {
      sb.faults.set({ rules: [{ match: { path: "whoami" }, action: "status", status: 504 }, { action: "status", status: 500 }] });
      assert.equal((await call(sb, "GET", "/whoami")).status, 504);
      assert.equal((await call(sb, "GET", "/surveys")).status, 500);
    });

    it("afterHandling status: performs the operation, then answers with the fault", async () => {
      sb.faults.set({ rules: [{ match: { method: "POST" }, action: "status", status: 500, afterHandling: true, times: 1 }] });
      assertError(await call(sb, "POST", contacts, { body: { firstName: "Maybe", email: "maybe@example.org" } }), 500);
      assert.equal(contactCount(), 26);
      const search = await call(sb, "POST", `${contacts}/search`, { body: { filter: { filterType: "email", comparison: "eq", value: "maybe@example.org" } } });
      assert.equal((obj(result(search)).elements as unknown[]).length, 1);
    });

    it("afterHandling drop: performs the operation, then drops the connection", async () => {
      sb.faults.set({ rules: [{ match: { method: "POST" }, action: "drop", afterHandling: true }] });
      await assert.rejects(call(sb, "POST", contacts, { body: { firstName: "Ghost" } }));
      assert.equal(contactCount(), 26);
    });

    it("afterHandling malformed: truncates the real answer", async () => {
      sb.faults.set({ rules: [{ match: { method: "POST" }, action: "malformed", afterHandling: true }] });
      const r = await call(sb, "POST", contacts, { body: { firstName: "Half" } });
      assert.equal(r.status, 200);
      assert.ok(r.text.startsWith('{"result":{"id":"CID_'), r.text);
      assert.throws(() => JSON.parse(r.text));
      assert.equal(contactCount(), 26);
    });

    it("rules apply before authentication (they simulate the network)", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 503 }] });
      assertError(await call(sb, "GET", "/whoami", { token: "wrong" }), 503);
    });

    it("counts injected faults in stats and records faulted requests", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 500, times: 2 }] });
      await call(sb, "GET", "/whoami");
      await call(sb, "GET", "/whoami");
      await call(sb, "GET", "/whoami");
      assert.equal(sb.faults.stats.injected, 2);
      assert.equal(sb.requests.length, 3);
    });

    it("never affects control endpoints", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 500 }], rateLimit: { perMinute: 1, burst: 1 } });
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${sb.url}/__sandbox/requests`)).status, 200);
    });
  });

  describe("rate limiter (leaky bucket, §2.3)", () => {
    it("answers 429 beyond the burst, with the Qualtrics envelope and no Retry-After by default", async () => {
      sb.faults.set({ rateLimit: { perMinute: 60, burst: 2 } });
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
      const r = await call(sb, "GET", "/whoami");
      const e = assertError(r, 429, /^Too many requests$/);
      assert.equal(meta(r).httpStatus, "429 - Too Many Requests");
      assert.equal(e.errorCode, "RATE_1.0");
      assert.equal(r.headers.get("retry-after"), null);
      assert.equal(sb.faults.stats.rateLimited, 1);
      assert.equal(sb.requests.length, 3, "rate-limited requests are recorded too");
    });

    it("sends Retry-After (whole seconds) when retryAfter is true", async () => {
      sb.faults.set({ rateLimit: { perMinute: 60, burst: 1, retryAfter: true } });
      await call(sb, "GET", "/whoami");
      const r = await call(sb, "GET", "/whoami");
      assertError(r, 429);
      const ra = r.headers.get("retry-after");
      assert.match(String(ra), /^\d+$/);
      assert.ok(Number(ra) >= 1 && Number(ra) <= 2, String(ra));
    });

    it("lets requests through again once the bucket drains", async () => {
      sb.faults.set({ rateLimit: { perMinute: 600, burst: 1 } }); // drains one request per 100 ms
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
      assert.equal((await call(sb, "GET", "/whoami")).status, 429);
      await sleep(150);
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    });

    it("counts every /API/v3 request, whatever the path or outcome", async () => {
      sb.faults.set({ rateLimit: { perMinute: 60, burst: 2 } });
      await call(sb, "GET", "/surveys");
      await call(sb, "GET", "/nowhere", { token: "bad" });
      assert.equal((await call(sb, "GET", "/whoami")).status, 429);
    });

    it("uses perMinute as the burst when none is given", async () => {
      sb.faults.set({ rateLimit: { perMinute: 3 } });
      for (let i = 0; i < 3; i++) assert.equal((await call(sb, "GET", "/whoami")).status, 200);
      assert.equal((await call(sb, "GET", "/whoami")).status, 429);
    });
  });

  describe("controller", () => {
    it("config returns what was set; clear() removes it", async () => {
      const cfg: FaultConfig = { rateLimit: { perMinute: 10 }, rules: [{ match: { path: "x" }, action: "delay", delayMs: 5 }] };
      sb.faults.set(cfg);
      assert.deepEqual(sb.faults.config, cfg);
      sb.faults.clear();
      assert.deepEqual(sb.faults.config, {});
      for (let i = 0; i < 12; i++) assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    });

    it("set() refuses invalid configs", () => {
      assert.throws(() => sb.faults.set({ rules: [{ action: "explode" as "drop" }] }), /action must be one of/);
      assert.throws(() => sb.faults.set({ rateLimit: { perMinute: 0 } }), /perMinute must be a positive number/);
      assert.throws(() => sb.faults.set({ rules: [{ action: "status", status: 200 }] }), /status must be an HTTP error status/);
      assert.throws(() => sb.faults.set({ rules: [{ action: "status", times: 0 }] }), /times must be a positive integer/);
      assert.throws(() => sb.faults.set({ rules: [{ action: "status", match: { path: "/([/" } }] }), /not a valid regular expression/);
    });

    it("reset() clears faults and stats", async () => {
      sb.faults.set({ rules: [{ action: "status", status: 500 }] });
      await call(sb, "GET", "/whoami");
      sb.reset();
      assert.deepEqual(sb.faults.config, {});
      assert.deepEqual(sb.faults.stats, { rateLimited: 0, injected: 0, webhooksDropped: 0 });
      assert.equal((await call(sb, "GET", "/whoami")).status, 200);
    });
  });

  it("/__from/<tag>/API/v3/... is the API, recorded with the tag (which replica sent it)", async () => {
    const tagged = await call(sb, "GET", `${sb.url}/__from/r2/API/v3/whoami`);
    assert.equal(tagged.status, 200);
    assert.equal(result(tagged).brandId, sb.brandId);
    await call(sb, "GET", "/whoami");
    assert.deepEqual(sb.requests.map((r) => [r.path, r.tag]), [["/API/v3/whoami", "r2"], ["/API/v3/whoami", undefined]]);
  });
});
