import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { collect, items, pages } from "../../src/paginate";
import { ok, RecordingServer, startRecordingServer } from "../support/recording-server";
import { ClientPool, failure, TOKEN } from "./helpers";

describe("pagination (qualtrics-api.md §3)", function () {
  let api: RecordingServer;
  let foreign: RecordingServer;
  const clients = new ClientPool();
  before(async () => {
    api = await startRecordingServer();
    foreign = await startRecordingServer();
  });
  after(async () => {
    await api.close();
    await foreign.close();
  });
  beforeEach(() => foreign.reply(ok({ elements: ["FOREIGN"], nextPage: null })));
  afterEach(() => clients.closeAll());

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

  it("stops on a nextPage that is not a URL (the Stoplight mock's \"string\")", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [1], nextPage: "string" }), ok({ elements: [2] }));
    assert.deepEqual(await collect(client, "/surveys"), [1]);
    assert.equal(api.requests.length, 1);
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

  it("a nextPage outside the API root is not followed", async function () {
    const client = clients.make(api.apiBase);
    api.reply(ok({ elements: [1], nextPage: `${api.url}/login?next=x` }), ok({ elements: [2] }));
    assert.deepEqual(await collect(client, "/surveys"), [1]);
    assert.equal(api.requests.length, 1);
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
