import assert from "node:assert/strict";
import { QualtricsClient, withQuery } from "../../src/client";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { LimiterClosedError } from "../../src/limiter";
import { ok } from "../support/fake-servers";
import { assertNoToken, failure, TOKEN, useClients } from "./helpers";
import { until } from "../support/wait";
import { okFirst, useRecordingServer } from "../support/fixtures";

describe("client", function () {
  const api = useRecordingServer(okFirst);
  const other = useRecordingServer(okFirst);
  const clients = useClients();

  describe("headers", function () {
    it("adds the auth headers; user headers cannot override X-API-TOKEN, Authorization or Host", async function () {
      const client = clients.make(api.apiBase);
      await client.request({
        method: "POST",
        path: "/directories/POOL_1/contacts",
        body: { firstName: "Jane" },
        headers: { "X-API-TOKEN": "evil", authorization: "Bearer evil", Host: "evil.example", "X-Custom": "kept", "Idempotency-Key": "k-1" },
      });
      const h = api.requests[0].headers;
      assert.equal(h["x-api-token"], TOKEN);
      assert.equal(h.authorization, undefined);
      assert.equal(h.host, new URL(api.url).host);
      assert.equal(h["x-custom"], "kept");
      assert.equal(h["idempotency-key"], "k-1");
      assert.match(String(h["content-type"]), /^application\/json/);
      assert.match(String(h.accept), /application\/json/);
      assert.deepEqual(api.requests[0].body, { firstName: "Jane" });
    });

    it("a Bearer auth is sent and cannot be replaced either", async function () {
      const client = clients.make(api.apiBase, { auth: async () => ({ Authorization: "Bearer real-oauth" }) });
      await client.request({ method: "GET", path: "/whoami", headers: { Authorization: "Bearer evil", "x-api-token": "evil" } });
      const h = api.requests[0].headers;
      assert.equal(h.authorization, "Bearer real-oauth");
      assert.equal(h["x-api-token"], undefined);
    });

    it("a GET sends no body and no content-type", async function () {
      const client = clients.make(api.apiBase);
      await client.request({ method: "GET", path: "/surveys", body: { ignored: true } });
      assert.equal(api.requests[0].raw, "");
      assert.equal(api.requests[0].headers["content-type"], undefined);
    });
  });

  describe("paths and URLs", function () {
    it("relative paths land under /API/v3", async function () {
      const client = clients.make(api.apiBase);
      for (const p of ["surveys", "/surveys", "/API/v3/surveys", "API/v3/surveys"]) await client.request({ method: "GET", path: p });
      assert.deepEqual(api.requests.map((r) => r.path), Array(4).fill("/API/v3/surveys"));
    });

    it("an absolute URL on the configured origin is accepted", async function () {
      const client = clients.make(api.apiBase);
      await client.request({ method: "GET", path: `${api.apiBase}/surveys?offset=100` });
      assert.equal(api.requests[0].path, "/API/v3/surveys");
      assert.deepEqual(api.requests[0].query, { offset: "100" });
    });

    it("an absolute URL on another origin is refused naming url, before any request", async function () {
      const client = clients.make(api.apiBase);
      for (const url of [`${other.apiBase}/surveys`, "https://evil.example.com/API/v3/surveys", `${api.url}/other/API/v3/x`, `${api.url}/API/v3`]) {
        const err = await failure<QualtricsInputError>(client.request({ method: "GET", path: url }));
        assert.ok(err instanceof QualtricsInputError, `${url}: ${err.message}`);
        assert.equal(err.field, "url");
      }
      assert.equal(api.requests.length, 0);
      assert.equal(other.requests.length, 0);
    });

    it("resolvePath keeps a protocol-relative trick on the configured origin", function () {
      const client = clients.make(api.apiBase);
      assert.ok(client.resolvePath("//evil.example/API/v3/x").startsWith("/API/v3/"));
      assert.throws(() => client.resolvePath("   "), QualtricsInputError);
      assert.throws(() => client.resolvePath("javascript:alert(1)"), (e: QualtricsInputError) => e.field === "url");
    });
  });

  describe("query", function () {
    it("arrays repeat, undefined/null/empty are dropped", async function () {
      const client = clients.make(api.apiBase);
      await client.request({
        method: "GET",
        path: "/surveys/SV_1/responses",
        query: { ids: ["a", "b"], n: 5, flag: true, none: undefined, nil: null, empty: "", text: "a b&c" },
      });
      const params = new URL(api.requests[0].url, api.url).searchParams;
      assert.deepEqual(params.getAll("ids"), ["a", "b"]);
      assert.equal(params.get("n"), "5");
      assert.equal(params.get("flag"), "true");
      assert.equal(params.get("text"), "a b&c");
      for (const k of ["none", "nil", "empty"]) assert.equal(params.has(k), false, k);
    });

    it("withQuery merges with a query already on the path", function () {
      assert.equal(withQuery("/p"), "/p");
      assert.equal(withQuery("/p", {}), "/p");
      const merged = new URLSearchParams(withQuery("/p?a=1&b=2", { a: "3", c: ["x", "y"] }).split("?")[1]);
      assert.equal(merged.get("a"), "3");
      assert.equal(merged.get("b"), "2");
      assert.deepEqual(merged.getAll("c"), ["x", "y"]);
    });
  });

  describe("bodies that are not what they should be", function () {
    it("malformed JSON on 200 is an error", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 200, headers: { "content-type": "application/json" }, body: '{"result": {"id": "CID_1"' });
      const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/directories/POOL_1/contacts", body: {} }));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /not valid JSON/);
      assert.equal(err.statusCode, 200);
      assert.equal(err.mayHaveSucceeded, true, "a create was carried out, its answer unreadable");
      assert.equal(api.requests.length, 1);
    });

    it("an HTML 502 page gives an error with the page title", async function () {
      const client = clients.make(api.apiBase, { retry: { retries: 1 } });
      api.reply({ status: 502, body: "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>" });
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.equal(err.statusCode, 502);
      assert.match(err.message, /502 Bad Gateway/);
      assert.match(err.message, /HTML page/);
      assert.doesNotMatch(err.message, /<center>/);
      assert.equal(api.requests.length, 2, "a GET 502 is retried");
      assertNoToken(err);
    });

    it("a plain-text error body is quoted briefly", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 418, headers: { "content-type": "text/plain" }, body: "I'm a teapot\n\n" + "x".repeat(500) });
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/surveys" }));
      assert.match(err.message, /HTTP 418: I'm a teapot/);
      assert.ok(err.message.length < 400);
    });

    it("an empty 200 body is a result of undefined", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 200, body: "" });
      const res = await client.request({ method: "DELETE", path: "/x/1" });
      assert.equal(res.result, undefined);
      assert.equal(res.enveloped, false);
    });
  });

  describe("close()", function () {
    it("aborts a request in flight after the grace period and refuses new ones", async function () {
      const client = new QualtricsClient({ baseUrl: api.apiBase, auth: () => ({ "X-API-TOKEN": TOKEN }), retry: { baseMs: 5, retries: 3 }, maxConcurrent: 1 });
      api.reply({ ...ok({ late: true }), delayMs: 10_000 });
      const inflight = failure<QualtricsApiError>(client.request({ method: "GET", path: "/slow" }));
      const queued = failure(client.request({ method: "GET", path: "/queued" }));
      await until(() => api.requests.length === 1);
      await client.close(100);
      const e1 = await inflight;
      assert.ok(e1 instanceof QualtricsApiError);
      assert.match(e1.message, /closed/);
      const e2 = await queued;
      assert.ok(e2 instanceof LimiterClosedError, e2.message);
      assert.match(e2.message, /closed/);
      const e3 = await failure(client.request({ method: "GET", path: "/after" }));
      assert.match(e3.message, /closed/);
      assert.equal(api.requests.length, 1, "neither the queued nor the late request was sent");
    });

    it("lets a request in flight finish within the grace period", async function () {
      const client = new QualtricsClient({ baseUrl: api.apiBase, auth: () => ({ "X-API-TOKEN": TOKEN }) });
      api.reply({ ...ok({ done: 1 }), delayMs: 100 });
      const p = client.request({ method: "GET", path: "/x" });
      await until(() => api.requests.length === 1);
      await client.close(5000);
      assert.deepEqual((await p).result, { done: 1 });
    });

    it("stops a request waiting to retry", async function () {
      const client = clients.make(api.apiBase, { retry: { baseMs: 10_000, maxMs: 10_000 } });
      api.reply({ status: 503, body: { meta: { httpStatus: "503 - Temporary Internal Server Error" } } });
      const p = failure(client.request({ method: "GET", path: "/x" }));
      await until(() => api.requests.length === 1);
      await client.close(50);
      const err = await p;
      assert.match(err.message, /closed/);
      assert.equal(api.requests.length, 1);
    });

    it("a caller's abort signal ends a wait before a retry", async function () {
      const client = clients.make(api.apiBase, { retry: { baseMs: 60_000, maxMs: 60_000 } });
      api.reply({ status: 503, body: { meta: { httpStatus: "503 - Temporary Internal Server Error" } } });
      const ac = new AbortController();
      const p = failure(client.request({ method: "GET", path: "/x", signal: ac.signal }));
      await until(() => api.requests.length === 1);
      ac.abort(new Error("stopped by the flow"));
      const err = await p;
      assert.match(err.message, /stopped by the flow/);
      assert.equal(api.requests.length, 1);
    });

    it("a caller's abort signal stops the request", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ ...ok({}), delayMs: 5000 });
      const ac = new AbortController();
      const p = failure(client.request({ method: "GET", path: "/x", signal: ac.signal }));
      await until(() => api.requests.length === 1);
      ac.abort(new Error("stopped by the flow"));
      const err = await p;
      assert.match(err.message, /stopped by the flow/);
    });
  });
});
