import assert from "node:assert/strict";
import { http, TOKEN } from "../support/nr-helper";
import { ok } from "../support/fake-servers";
import { useRecordingServer } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";

describe("qualtrics-api", function () {
  const api = useRecordingServer();
  const elsewhere = useRecordingServer();
  const done = useNodeRuntime();
  const { load, run, refused } = nodeUnderTest({ type: "qualtrics-api", apiBase: () => api.apiBase, defaults: { method: "GET", url: "" }, requests: () => api.requests });

  it("passes method, path, query, headers and body through, with the token", async () => {
    await load({ method: "msg" });
    api.reply(ok({ elements: [{ id: "CID_1" }] }, { requestId: "rq-api" }));
    const msg = await run({
      method: "post",
      url: "/directories/POOL_1/contacts/search",
      query: { includeEmbedded: true, pageSize: 50, skip: null, tags: ["a", "b"] },
      headers: { "X-Custom": "value", "Accept-Language": "de" },
      payload: { filter: { filterType: "email", comparison: "eq", value: "a@example.com" } },
      topic: "kept",
    });
    const r = api.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/API/v3/directories/POOL_1/contacts/search");
    assert.equal(r.url, "/API/v3/directories/POOL_1/contacts/search?includeEmbedded=true&pageSize=50&tags=a&tags=b");
    assert.equal(r.headers["x-custom"], "value");
    assert.equal(r.headers["accept-language"], "de");
    assert.equal(r.headers["x-api-token"], TOKEN);
    assert.match(String(r.headers["content-type"]), /^application\/json/);
    assert.deepEqual(r.body, { filter: { filterType: "email", comparison: "eq", value: "a@example.com" } });
    assert.deepEqual(msg.payload, { elements: [{ id: "CID_1" }] });
    assert.equal(msg.statusCode, 200);
    assert.equal(msg.topic, "kept");
    assert.deepEqual(msg.qualtrics, { requestId: "rq-api", httpStatus: 200 });
    assert.equal(done.of("n").length, 1);
  });

  it("the node's method and url win; GET and DELETE send no body", async () => {
    await load({ method: "DELETE", url: "/eventsubscriptions/SUB_1" });
    api.reply({ status: 200, body: { meta: { httpStatus: "200 - OK", requestId: "r" } } });
    const msg = await run({ method: "POST", url: "/elsewhere", payload: { x: 1 } });
    const r = api.requests[0];
    assert.equal(r.method, "DELETE");
    assert.equal(r.path, "/API/v3/eventsubscriptions/SUB_1");
    assert.equal(r.raw, "");
    assert.equal(r.headers["content-type"], undefined);
    assert.equal(msg.payload, undefined);
    assert.equal(msg.statusCode, 200);
  });

  it("the token cannot be replaced or joined by X-API-TOKEN or Authorization from msg.headers", async () => {
    await load({ method: "GET", url: "/whoami" });
    api.reply(ok({ userName: "me" }));
    await run({ headers: { "X-API-TOKEN": "someone-else", "x-api-token": "another", Authorization: "Bearer stolen", "Content-Length": "5", Host: "evil.example.com" } });
    const r = api.requests[0];
    assert.equal(r.headers["x-api-token"], TOKEN);
    assert.equal(r.headers.authorization, undefined);
    assert.notEqual(r.headers.host, "evil.example.com");
  });

  it("accepts an absolute URL on the configured API", async () => {
    await load({ method: "GET" });
    api.reply(ok({ elements: [] }));
    await run({ url: `${api.apiBase}/surveys?offset=100` });
    assert.equal(api.requests[0].path, "/API/v3/surveys");
    assert.deepEqual(api.requests[0].query, { offset: "100" });
    assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
  });

  const foreign: Array<[string, () => string]> = [
    ["another origin", () => `${elsewhere.apiBase}/whoami`],
    ["another scheme", () => `${api.apiBase.replace("http:", "https:")}/whoami`],
    ["a path outside /API/v3 on the same origin", () => `${api.url}/admin/whoami`],
  ];
  for (const [what, url] of foreign) {
    it(`refuses ${what} before any request`, async () => {
      await load({ method: "GET" });
      api.reply(ok({}));
      elsewhere.reply(ok({}));
      const e = await refused({ url: url() });
      assert.match(e, /^Path: .* is not the configured API .*the token is only ever sent there/);
      assert.equal(elsewhere.requests.length, 0);
      assert.ok(!e.includes(TOKEN));
    });
  }

  it("returns the unwrapped result and the HTTP status", async () => {
    await load({ method: "POST", url: "API/v3/distributions" });
    api.reply({ status: 201, body: { result: { id: "EMD_1" }, meta: { httpStatus: "201 - Created", requestId: "r1" } } });
    const msg = await run({ payload: { a: 1 } });
    assert.equal(api.requests[0].path, "/API/v3/distributions");
    assert.deepEqual(msg.payload, { id: "EMD_1" });
    assert.equal(msg.statusCode, 201);
    assert.equal((msg.responseHeaders as Record<string, string>)["content-type"], "application/json");
  });

  it("returns a body that is not an envelope whole (JSON or text)", async () => {
    await load({ method: "GET", url: "/surveys/SV_1/export-responses/ES_1/file" });
    api.reply({ status: 200, body: { responses: [{ responseId: "R_1" }] } });
    let msg = await run({});
    assert.deepEqual(msg.payload, { responses: [{ responseId: "R_1" }] });
    api.reply({ status: 200, body: "a,b\n1,2\n", headers: { "content-type": "text/csv" } });
    msg = await run({});
    assert.equal(msg.payload, "a,b\n1,2\n");
  });

  it('paging "all" follows nextPage and returns every element', async () => {
    await load({ method: "GET", url: "/directories/POOL_1/mailinglists", paging: "all" });
    api.reply(
      ok({ elements: [{ id: "CG_1" }, { id: "CG_2" }], nextPage: `${api.apiBase}/directories/POOL_1/mailinglists?skipToken=abc` }),
      ok({ elements: [{ id: "CG_3" }], nextPage: null }),
    );
    const msg = await run({ query: { pageSize: 2 } });
    assert.deepEqual(msg.payload, [{ id: "CG_1" }, { id: "CG_2" }, { id: "CG_3" }]);
    assert.equal(msg.statusCode, 200);
    assert.equal(api.requests.length, 2);
    assert.deepEqual(api.requests[0].query, { pageSize: "2" });
    assert.deepEqual(api.requests[1].query, { skipToken: "abc" });
    for (const r of api.requests) assert.equal(r.headers["x-api-token"], TOKEN);
    const q = msg.qualtrics as { requestId?: string; httpStatus?: number };
    assert.match(String(q.requestId), /^req-/, "msg.qualtrics names the last page's request");
    assert.equal(q.httpStatus, 200);
  });

  it('paging "all" asks the configured API for a nextPage that names another host, never that host', async () => {
    await load({ method: "GET", url: "/surveys", paging: "all" });
    elsewhere.reply(ok({ elements: [{ id: "SV_evil" }], nextPage: null }));
    api.reply(ok({ elements: [{ id: "SV_1" }], nextPage: `${elsewhere.apiBase}/surveys?offset=1` }), ok({ elements: [{ id: "SV_2" }], nextPage: null }));
    const msg = await run({});
    assert.deepEqual(msg.payload, [{ id: "SV_1" }, { id: "SV_2" }]);
    assert.equal(elsewhere.requests.length, 0);
    assert.equal(api.requests[1].url, "/API/v3/surveys?offset=1");
  });

  it('paging "all" stops at the limit', async () => {
    await load({ method: "GET", url: "/surveys", paging: "all", limit: 3 });
    api.reply((_r, i) => ok({ elements: [{ id: `SV_${2 * i}` }, { id: `SV_${2 * i + 1}` }], nextPage: `${api.apiBase}/surveys?offset=${2 * i + 2}` }));
    const msg = await run({});
    assert.deepEqual(msg.payload, [{ id: "SV_0" }, { id: "SV_1" }, { id: "SV_2" }]);
    assert.equal(api.requests.length, 2);
  });

  const bad: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
    ["no url", {}, {}, /^Path: is required/],
    ["a url with a placeholder", { url: "/surveys/{surveyId}" }, {}, /^Path: "\/surveys\/\{surveyId\}" still has a \{placeholder\}/],
    ["a url that is not a URL", {}, { url: "http://[bad" }, /^Path: "http:\/\/\[bad" is not a URL/],
    ["an unknown msg.method", { method: "msg", url: "/whoami" }, { method: "TRACE" }, /^msg\.method: must be one of GET, POST, PUT, DELETE, PATCH/],
    ["msg.query that is not an object", { url: "/whoami" }, { query: "a=1" }, /^query: must be an object, got a string/],
    ["a msg.query value that is an object", { url: "/whoami" }, { query: { a: { b: 1 } } }, /^query\.a: must be a string, number or boolean/],
    ["msg.headers that is not an object", { url: "/whoami" }, { headers: ["x"] }, /^headers: must be an object, got an array/],
    ["a msg.headers value that is not a string", { url: "/whoami" }, { headers: { "X-A": { b: 1 } } }, /^headers\.X-A: must be a string/],
  ];
  for (const [what, props, msg, re] of bad) {
    it(`refuses ${what}, naming the field`, async () => {
      await load(props);
      api.reply(ok({}));
      assert.match(await refused(msg), re);
      assert.equal(done.of("n").length, 1);
    });
  }
});
