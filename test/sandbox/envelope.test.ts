import assert from "node:assert/strict";
import { startSandbox } from "../../sandbox/server";
import { assertError, call, elements, meta, obj, rawRequest, result } from "./test-helpers";
import { DEFAULT_TOKEN } from "../../sandbox/types";
import { useSandbox } from "../support/fixtures";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("sandbox: envelope, auth and routing", () => {
  const sb = useSandbox();

  describe("envelope (§2.1)", () => {
    it("wraps success in exactly {result, meta:{httpStatus:'200 - OK', requestId}} as application/json", async () => {
      const r = await call(sb, "GET", "/whoami");
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
      const body = obj(r.json);
      assert.deepEqual(Object.keys(body), ["result", "meta"]);
      const m = meta(r);
      assert.deepEqual(Object.keys(m).sort(), ["httpStatus", "requestId"]);
      assert.equal(m.httpStatus, "200 - OK");
      assert.match(String(m.requestId), UUID);
    });

    it("gives every answer its own requestId", async () => {
      const a = meta(await call(sb, "GET", "/whoami")).requestId;
      const b = meta(await call(sb, "GET", "/whoami")).requestId;
      assert.notEqual(a, b);
    });

    it("answers DELETE with meta only", async () => {
      const id = sb.seedIds.contactIds[0];
      const r = await call(sb, "DELETE", `/directories/${sb.seedIds.directoryId}/contacts/${id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(obj(r.json)), ["meta"]);
      assert.equal(meta(r).httpStatus, "200 - OK");
      assert.match(String(meta(r).requestId), UUID);
    });

    it("answers PUT with meta only", async () => {
      const r = await call(sb, "PUT", `/directories/${sb.seedIds.directoryId}/contacts/${sb.seedIds.contactIds[0]}`, { body: { firstName: "X" } });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(obj(r.json)), ["meta"]);
    });

    it("puts errors in meta.error with the real HTTP status and a '<code> - <reason>' httpStatus", async () => {
      const r = await call(sb, "GET", "/surveys/SV_doesNotExist12345");
      const e = assertError(r, 404, /Survey not found/);
      assert.equal(meta(r).httpStatus, "404 - Not Found");
      assert.match(String(meta(r).requestId), UUID);
      assert.match(e.errorCode, /^[A-Z]+_\d+(\.\d+)?$/);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    });
  });

  it("uses the (made-up) Qualtrics-style error codes consistently", async () => {
    assert.equal(assertError(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts`, { body: { email: "x" } }), 400).errorCode, "QVAL_1");
    assert.equal(assertError(await call(sb, "GET", "/surveys/SV_unknown000000000"), 404).errorCode, "RSRC_1");
    assert.equal(assertError(await call(sb, "GET", "/nope"), 404).errorCode, "RSRC_2");
    assert.equal(assertError(await call(sb, "DELETE", "/whoami"), 405).errorCode, "RSRC_3");
  });

  describe("authentication (§1.3, §1.4)", () => {
    it("answers 401 without a token", async () => {
      const r = await call(sb, "GET", "/whoami", { token: null });
      const e = assertError(r, 401, /Invalid or missing API token/);
      assert.equal(e.errorCode, "AUTH_6.0");
      assert.equal(meta(r).httpStatus, "401 - Unauthorized");
    });

    it("answers 401 for a wrong token and never echoes it", async () => {
      const wrong = "WRONG-token-that-must-not-be-echoed-123456";
      const r = await call(sb, "GET", "/whoami", { token: wrong });
      assertError(r, 401, /Invalid or missing API token/);
      assert.ok(!r.text.includes(wrong), "token echoed in body");
      r.headers.forEach((v) => assert.ok(!v.includes(wrong), "token echoed in a header"));
    });

    it("checks the token before anything else, even on unknown paths", async () => {
      assertError(await call(sb, "GET", "/no/such/thing", { token: "nope" }), 401);
    });

    it("accepts the X-API-TOKEN header name in any case", async () => {
      for (const name of ["X-API-TOKEN", "x-api-token", "X-Api-Token"]) {
        const r = await rawRequest(`${sb.apiBase}/whoami`, { headers: { [name]: sb.token } });
        assert.equal(r.status, 200, name);
      }
    });

    it("accepts Authorization: Bearer <token> and refuses a wrong bearer", async () => {
      const ok = await call(sb, "GET", "/whoami", { token: null, headers: { Authorization: `Bearer ${sb.token}` } });
      assert.equal(ok.status, 200);
      const bad = await call(sb, "GET", "/whoami", { token: null, headers: { Authorization: "Bearer nope" } });
      assertError(bad, 401);
      const basic = await call(sb, "GET", "/whoami", { token: null, headers: { Authorization: `Basic ${sb.token}` } });
      assertError(basic, 401);
    });

    it("uses a configurable token and the documented default", async () => {
      assert.equal(sb.token, DEFAULT_TOKEN);
      const other = await startSandbox({ token: "my-own-token", seed: false });
      try {
        assert.equal(other.token, "my-own-token");
        assert.equal((await call(other, "GET", "/whoami")).status, 200);
        assertError(await call(other, "GET", "/whoami", { token: DEFAULT_TOKEN }), 401);
      } finally {
        await other.close();
      }
    });
  });

  describe("routing and bodies", () => {
    it("answers 404 for an unknown path", async () => {
      assertError(await call(sb, "GET", "/nothing/here"), 404, /No such endpoint/);
    });

    it("answers 405 with Allow for a known path and a wrong method", async () => {
      const r = await call(sb, "PATCH", "/whoami", { body: {} });
      assertError(r, 405);
      assert.equal(r.headers.get("allow"), "GET");
    });

    it("answers 400 for a malformed JSON body", async () => {
      const r = await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts`, { rawBody: '{"firstName": "Ann",' });
      const e = assertError(r, 400, /not valid JSON/);
      assert.equal(e.errorCode, "QVAL_2");
    });

    it("answers 413 for a body above 5 MiB", async () => {
      const big = JSON.stringify({ firstName: "x".repeat(5 * 1024 * 1024) });
      assertError(await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts`, { rawBody: big }), 413);
    });

    it("ignores a trailing slash", async () => {
      assert.equal((await call(sb, "GET", "/whoami/")).status, 200);
    });

    it("records every /API/v3 request with method, path, query, lower-case headers, body and raw body", async () => {
      const before = Date.now();
      await call(sb, "POST", `/directories/${sb.seedIds.directoryId}/contacts?x=1`, { body: { firstName: "Rec" } });
      await call(sb, "GET", "/whoami", { token: "bad" });
      assert.equal(sb.requests.length, 2);
      const [first, second] = sb.requests;
      assert.equal(first.method, "POST");
      assert.equal(first.path, `/API/v3/directories/${sb.seedIds.directoryId}/contacts`);
      assert.deepEqual(first.query, { x: "1" });
      assert.equal(first.headers["x-api-token"], sb.token);
      assert.equal(first.headers["content-type"], "application/json");
      assert.deepEqual(first.body, { firstName: "Rec" });
      assert.equal(first.rawBody, '{"firstName":"Rec"}');
      assert.ok(first.at >= before && first.at <= Date.now());
      assert.equal(second.path, "/API/v3/whoami");
      assert.equal(second.body, undefined);
    });

    it("does not record control requests", async () => {
      await fetch(`${sb.url}/__sandbox/requests`);
      assert.equal(sb.requests.length, 0);
    });
  });

  describe("whoami and directories (§1.5, §4.2)", () => {
    it("GET /whoami returns the user, brand and data centre", async () => {
      const res = result(await call(sb, "GET", "/whoami"));
      assert.deepEqual(Object.keys(res).sort(), ["accountType", "brandId", "datacenter", "email", "firstName", "lastName", "userId", "userName"]);
      assert.equal(res.brandId, "sandboxbrand");
      assert.equal(res.datacenter, "iad1");
      assert.match(String(res.userId), /^UR_[A-Za-z0-9]{15}$/);
      assert.match(String(res.accountType), /^UT_[A-Za-z0-9]{15}$/);
      assert.match(String(res.userName), /#sandboxbrand$/);
    });

    it("reports the configured brandId and dataCenter", async () => {
      const other = await startSandbox({ brandId: "acme", dataCenter: "fra1" });
      try {
        const res = result(await call(other, "GET", "/whoami"));
        assert.equal(res.brandId, "acme");
        assert.equal(res.datacenter, "fra1");
        assert.equal(other.brandId, "acme");
      } finally {
        await other.close();
      }
    });

    it("GET /directories lists the default directory with its fields", async () => {
      const r = await call(sb, "GET", "/directories");
      const els = elements(r);
      assert.equal(result(r).nextPage, null);
      assert.equal(els.length, 1);
      assert.deepEqual(Object.keys(els[0]).sort(), ["contactCount", "deduplicationCriteria", "directoryId", "isDefault", "name"]);
      assert.equal(els[0].directoryId, sb.seedIds.directoryId);
      assert.equal(els[0].name, "Default Directory");
      assert.equal(els[0].contactCount, 25);
      assert.equal(els[0].isDefault, true);
      assert.deepEqual(Object.keys(obj(els[0].deduplicationCriteria)).sort(), ["email", "externalDataReference", "firstName", "lastName", "phone"]);
    });
  });

  describe("server", () => {
    it("binds 127.0.0.1 on an ephemeral port and exposes url/apiBase", () => {
      assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(sb.apiBase, `${sb.url}/API/v3`);
    });

    it("listens on a given port", async () => {
      const probe = await startSandbox({ seed: false });
      const port = Number(new URL(probe.url).port);
      await probe.close();
      const fixed = await startSandbox({ port, seed: false });
      try {
        assert.equal(fixed.url, `http://127.0.0.1:${port}`);
      } finally {
        await fixed.close();
      }
    });

    it("close() ends keep-alive connections so it resolves promptly", async () => {
      const s = await startSandbox({ seed: false });
      await call(s, "GET", "/whoami"); // fetch keeps the connection alive
      const t = Date.now();
      await s.close();
      assert.ok(Date.now() - t < 2000);
      await assert.rejects(fetch(`${s.apiBase}/whoami`));
    });

    it("calls the log option once per request", async () => {
      const lines: string[] = [];
      const s = await startSandbox({ seed: false, log: (l) => lines.push(l) });
      try {
        await call(s, "GET", "/whoami");
        assert.equal(lines.length, 1);
        assert.match(lines[0], /GET \/API\/v3\/whoami -> 200/);
      } finally {
        await s.close();
      }
    });
  });
});
