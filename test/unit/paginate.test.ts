import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { collect, items, pages } from "../../src/paginate";
import { ok } from "../support/fake-servers";
import { failure, TOKEN, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("pagination (docs/qualtrics-facts.md §3)", function () {
  const api = useRecordingServer();
  const foreign = useRecordingServer(() => ok({ elements: ["FOREIGN"], nextPage: null }));
  const clients = useClients();

  it("follows an absolute nextPage until it is null", async function () {
    const client = clients.make(api.apiBase);
    api.reply(
      ok({ elements: [1, 2], nextPage: `${api.apiBase}/surveys?offset=2` }),
      ok({ elements: [3, 4], nextPage: `${api.apiBase}/surveys?offset=4` }),
      ok({ elements: [5], nextPage: null }),
    );
    const all = await collect<number>(client, "/surveys");
    assert.deepEqual(all, [1, 2, 3, 4, 5]);
    assert.equal(api.requests.length, 3);
    assert.deepEqual(api.requests.map((r) => r.query), [{}, { offset: "2" }, { offset: "4" }]);
    for (const r of api.requests) assert.equal(r.headers["x-api-token"], TOKEN);
  });

  it("yields pages with their index, next and requestId", async function () {
    const client = clients.make(api.apiBase);
    api.reply(
      { status: 200, body: { result: { elements: ["a"], nextPage: `${api.apiBase}/x?skipToken=t1` }, meta: { requestId: "p0" } } },
      { status: 200, body: { result: { elements: ["b"], nextPage: null }, meta: { requestId: "p1" } } },
    );
    const got = [];
    for await (const page of pages<string>(client, "/x", { query: { pageSize: 1 } })) got.push(page);
    assert.deepEqual(
      got.map((p) => [p.index, p.elements, p.next, p.requestId]),
      [
        [0, ["a"], "/API/v3/x?skipToken=t1", "p0"],
        [1, ["b"], null, "p1"],
      ],
    );
    assert.deepEqual(api.requests[0].query, { pageSize: "1" });
  });

  it("stops on an empty elements page even with a nextPage", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [], nextPage: `${api.apiBase}/surveys?offset=100` }), ok({ elements: [9] }));
    assert.deepEqual(await collect(client, "/surveys"), []);
    assert.equal(api.requests.length, 1);
  });

  it("a nextPage that is not a URL (the Stoplight mock's \"string\") is an error, not a short list", async function () {
    const client = clients.make(api.apiBase);
    for (const np of ["string", 42, { url: "x" }]) {
      api.reply(ok({ elements: [1], nextPage: np }), ok({ elements: [2] }));
      const err = await failure<QualtricsApiError>(collect(client, "/surveys"));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /^Qualtrics request failed: the list's next page cannot be followed: nextPage (\"string\"|a number|an? object) is not a URL of the Qualtrics API .*stopped at page 1 rather than return part of the list/);
      assert.equal(api.requests.length, 1);
    }
  });

  it("no nextPage key, null or an empty one is the last page (§13: a list can come without the key)", async function () {
    const client = clients.make(api.apiBase);
    for (const last of [{}, { nextPage: null }, { nextPage: "" }]) {
      api.reply(ok({ elements: ["QID1", "QID2", "QID3"], ...last }), ok({ elements: ["more"] }));
      assert.deepEqual(await collect(client, "/survey-definitions/SV_1/questions"), ["QID1", "QID2", "QID3"]);
      assert.equal(api.requests.length, 1);
    }
  });

  it("stops when nextPage repeats a page already fetched (loop guard)", async function () {
    const client = clients.make(api.apiBase);
    const b = `${api.apiBase}/surveys?skipToken=B`;
    api.reply(ok({ elements: [1], nextPage: b }), ok({ elements: [2], nextPage: b }), ok({ elements: [3] }));
    assert.deepEqual(await collect(client, "/surveys"), [1, 2]);
    assert.equal(api.requests.length, 2);
  });

  it("stops when the first page names itself as the next page", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [1], nextPage: `${api.apiBase}/surveys?pageSize=10` }), ok({ elements: [2] }));
    assert.deepEqual(await collect(client, "/surveys", { query: { pageSize: 10 } }), [1]);
    assert.equal(api.requests.length, 1);
  });

  it("respects limit: trims the last page and fetches no further", async function () {
    const client = clients.make(api.apiBase);
    api.reply(
      ok({ elements: [1, 2, 3], nextPage: `${api.apiBase}/c?p=2` }),
      ok({ elements: [4, 5, 6], nextPage: `${api.apiBase}/c?p=3` }),
      ok({ elements: [7, 8, 9], nextPage: null }),
    );
    assert.deepEqual(await collect(client, "/c", { limit: 4 }), [1, 2, 3, 4]);
    assert.equal(api.requests.length, 2);

    api.reply(ok({ elements: [1, 2, 3], nextPage: `${api.apiBase}/c?p=2` }), ok({ elements: [4] }));
    assert.deepEqual(await collect(client, "/c", { limit: 2 }), [1, 2]);
    assert.equal(api.requests.length, 1);

    api.reply(ok({ elements: [1, 2, 3], nextPage: `${api.apiBase}/c?p=2` }), ok({ elements: [4] }));
    assert.deepEqual(await collect(client, "/c", { limit: 3 }), [1, 2, 3], "a limit met exactly on a page boundary");
    assert.equal(api.requests.length, 1);
  });

  it("falls back to skipToken for search, sending the body with every page", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [{ id: "CID_1" }], skipToken: "NQ==" }), ok({ elements: [{ id: "CID_2" }] }));
    const filter = { filter: { filterType: "email", comparison: "eq", value: "jane@example.com" } };
    const all = await collect(client, "/directories/POOL_1/contacts/search", {
      method: "POST",
      body: filter,
      query: { pageSize: 1, includeEmbedded: true },
    });
    assert.deepEqual(all, [{ id: "CID_1" }, { id: "CID_2" }]);
    assert.equal(api.requests.length, 2);
    for (const r of api.requests) {
      assert.equal(r.method, "POST");
      assert.equal(r.path, "/API/v3/directories/POOL_1/contacts/search");
      assert.deepEqual(r.body, filter);
    }
    assert.deepEqual(api.requests[0].query, { pageSize: "1", includeEmbedded: "true" });
    assert.deepEqual(api.requests[1].query, { pageSize: "1", includeEmbedded: "true", skipToken: "NQ==" });
  });

  it("a search page that is not full ends the list when it has no skipToken", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [{ id: "CID_1" }] }), ok({ elements: [{ id: "CID_2" }] }));
    await collect(client, "/directories/POOL_1/contacts/search", { method: "POST", body: {} });
    assert.equal(api.requests.length, 1);
  });

  it("a nextPage on a foreign host is asked of the configured host, never of the foreign one", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [1], nextPage: `${foreign.apiBase}/surveys?skipToken=abc&pageSize=5` }), ok({ elements: [2], nextPage: null }));
    assert.deepEqual(await collect(client, "/surveys"), [1, 2]);
    assert.equal(foreign.requests.length, 0, "the token never went to the foreign host");
    assert.equal(api.requests.length, 2);
    assert.equal(api.requests[1].path, "/API/v3/surveys");
    assert.deepEqual(api.requests[1].query, { skipToken: "abc", pageSize: "5" });
    assert.equal(api.requests[1].headers["x-api-token"], TOKEN);
  });

  it("a nextPage outside the API root is an error: neither followed nor taken for the end", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [1], nextPage: `${api.url}/login?next=x` }), ok({ elements: [2] }));
    const err = await failure<QualtricsApiError>(collect(client, "/surveys"));
    assert.match(err.message, /next page cannot be followed: nextPage ".*\/login\?next=x"/);
    assert.equal(api.requests.length, 1);
  });

  it("a nextPage on another data-center host with proxy parameters is followed on the configured base, query kept (§13)", async function () {
    const client = clients.make(api.apiBase);
    // our own invented values, in the shape of a recorded answer
    const next = "https://xx9.qualtrics.com/API/v3/distributions/EMD_5kQeTr2Wn8Zy1Ab/links?surveyId=SV_7hGf3Dk2Lm9Np0Q&proxyDepth=1&proxyInfo=%7B%22proxyDepth%22%3A1%7D&skipToken=MLRP_3vBn8Mk1Lp2Qw9E";
    api.reply(ok({ elements: [{ contactId: "MLRP_1aB2cD3eF4gH5iJ" }], nextPage: next }, { notice: "Request proxied. For faster response times, use this host instead: xx9.qualtrics.com" }), ok({ elements: [{ contactId: "MLRP_3vBn8Mk1Lp2Qw9E" }], nextPage: null }));
    const all = await collect(client, "/distributions/EMD_5kQeTr2Wn8Zy1Ab/links", { query: { surveyId: "SV_7hGf3Dk2Lm9Np0Q" } });
    assert.equal(all.length, 2);
    assert.equal(api.requests[1].path, "/API/v3/distributions/EMD_5kQeTr2Wn8Zy1Ab/links");
    assert.deepEqual(api.requests[1].query, { surveyId: "SV_7hGf3Dk2Lm9Np0Q", proxyDepth: "1", proxyInfo: '{"proxyDepth":1}', skipToken: "MLRP_3vBn8Mk1Lp2Qw9E" });
  });

  describe("a base URL with a path before /API/v3 (a proxy)", function () {
    const prefixed = () => `${api.url}/qualtrics/API/v3`;
    for (const [what, nextOf] of [
      ["on the configured origin without the prefix", () => `${api.url}/API/v3/directories/POOL_1/contacts?pageSize=2&skipToken=Mg%3D%3D`],
      ["on the configured origin with the prefix", () => `${api.url}/qualtrics/API/v3/directories/POOL_1/contacts?pageSize=2&skipToken=Mg%3D%3D`],
      ["on a Qualtrics data-center host", () => "https://iad1.qualtrics.com/API/v3/directories/POOL_1/contacts?pageSize=2&skipToken=Mg%3D%3D"],
      ["as a path", () => "/API/v3/directories/POOL_1/contacts?pageSize=2&skipToken=Mg%3D%3D"],
    ] as Array<[string, () => string]>) {
      it(`a nextPage ${what} is followed through the proxy`, async function () {
        const client = clients.make(prefixed());
        api.reply(ok({ elements: [1, 2], nextPage: nextOf() }), ok({ elements: [3], nextPage: null }));
        assert.deepEqual(await collect(client, "/directories/POOL_1/contacts", { query: { pageSize: 2 } }), [1, 2, 3]);
        assert.deepEqual(api.requests.map((r) => r.path), ["/qualtrics/API/v3/directories/POOL_1/contacts", "/qualtrics/API/v3/directories/POOL_1/contacts"]);
        assert.deepEqual(api.requests[1].query, { pageSize: "2", skipToken: "Mg==" });
      });
    }

    it("a page seen before ends the list, whichever form its URL had", async function () {
      const client = clients.make(prefixed());
      api.reply(
        ok({ elements: [1], nextPage: `${api.url}/API/v3/c?skipToken=B` }),
        ok({ elements: [2], nextPage: `${api.url}/qualtrics/API/v3/c?skipToken=B` }),
        ok({ elements: [3] }),
      );
      assert.deepEqual(await collect(client, "/c"), [1, 2]);
      assert.equal(api.requests.length, 2);
    });
  });

  it("maxPages stops a server that never stops", async function () {
    const client = clients.make(api.apiBase);
    api.reply((_r, i) => ok({ elements: [i], nextPage: `${api.apiBase}/x?page=${i + 1}` }));
    const seen: unknown[] = [];
    const err = await failure<QualtricsApiError>(async () => {
      for await (const item of items(client, "/x", { maxPages: 3 })) seen.push(item);
    });
    assert.match(err.message, /more than 3 pages/);
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(api.requests.length, 3);
  });

  it("a result without elements is an empty list", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ something: "else" }));
    assert.deepEqual(await collect(client, "/x"), []);
  });
});
