// Contact search and create-or-update, against the recording server (exact requests) and the
// sandbox (what a user sees end to end).
import assert from "node:assert/strict";
import { configNode, credentials, FlowNode, helper, http, nextError, nextMessage, sequenceNodes, TOKEN } from "../support/nr-helper";
import { fail, metaOnly, ok, RecordingServer, startRecordingServer } from "../support/recording-server";
import { startSandbox, Sandbox } from "../sandbox";

const DIR = "POOL_012345678901234";
const N = http.nodes;

function flow(apiBase: string, props: Record<string, unknown>, dir = DIR): FlowNode[] {
  return [
    { id: "tab", type: "tab" },
    configNode(apiBase),
    { id: "n", z: "tab", type: "qualtrics-contact", qualtrics: "cfg", directoryId: dir, directoryIdType: "str", wires: [["out"]], ...props },
    { id: "out", z: "tab", type: "helper" },
  ];
}

async function run(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  const got = nextMessage("out");
  helper.getNode("n").receive(msg);
  return got;
}

describe("qualtrics-contact: search and create-or-update (requests)", function () {
  let api: RecordingServer;
  before(async () => (api = await startRecordingServer()));
  after(() => api.close());
  afterEach(() => helper.unload());
  const load = (props: Record<string, unknown>) => helper.load([N.config, N.contact, sequenceNodes()], flow(api.apiBase, props), credentials);

  it("searches with a filter body, pages by skipToken and gives create-style field names", async () => {
    await load({ operation: "search", searchField: "extRef", searchValue: "ext-1", searchValueType: "str", limit: 0 });
    api.reply(
      ok({ elements: [{ id: "CID_aaaaaaaaaaaaaaa", phoneNumber: "+1", externalDataReference: "ext-1" }], nextPage: null, skipToken: "MTA=" }),
      ok({ elements: [{ id: "CID_bbbbbbbbbbbbbbb", externalDataReference: "ext-1" }], nextPage: null }),
      ok({ elements: [] }),
    );
    const msg = await run({ payload: {} });
    const first = api.requests[0];
    assert.equal(first.method, "POST");
    assert.equal(first.path, `/API/v3/directories/${DIR}/contacts/search`);
    assert.equal(first.headers["x-api-token"], TOKEN);
    assert.deepEqual(first.body, { filter: { filterType: "extRef", comparison: "eq", value: "ext-1" } });
    assert.equal(first.query.includeEmbedded, "true");
    assert.equal(api.requests[1].query.skipToken, "MTA=");
    assert.deepEqual(api.requests[1].body, first.body, "the filter goes with every page");
    const found = msg.payload as Record<string, unknown>[];
    assert.equal(found.length, 2);
    assert.equal(found[0].contactId, "CID_aaaaaaaaaaaaaaa");
    assert.equal(found[0].phone, "+1");
    assert.equal(found[0].extRef, "ext-1");
    assert.equal(found[0].id, "CID_aaaaaaaaaaaaaaa", "Qualtrics' own names stay");
  });

  it("takes the value from msg.payload.<field> when the dialog leaves it empty", async () => {
    await load({ operation: "search", searchField: "email", searchValue: "" });
    api.reply(ok({ elements: [], nextPage: null }));
    await run({ payload: { email: "jane@example.com" } });
    assert.deepEqual(api.requests[0].body, { filter: { filterType: "email", comparison: "eq", value: "jane@example.com" } });
  });

  it("asks for no bigger page than the limit needs", async () => {
    await load({ operation: "search", searchField: "email", searchValue: "a@b.co", limit: 5, pageSize: 100 });
    api.reply(ok({ elements: [], nextPage: null }));
    await run({ payload: {} });
    assert.equal(api.requests[0].query.pageSize, "5");
  });

  it("a search without a value is an error naming searchValue, before any request", async () => {
    await load({ operation: "search", searchField: "phone", searchValue: "" });
    api.reply(ok({ elements: [] }));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: {} });
    assert.match((await err).message, /^Value: is required/);
    assert.equal(api.requests.length, 0);
  });

  it("create or update: updates the first contact found, with only the fields given", async () => {
    await load({ operation: "upsert", upsertKey: "email" });
    api.reply(ok({ elements: [{ id: "CID_aaaaaaaaaaaaaaa" }], nextPage: null }), metaOnly());
    const msg = await run({ payload: { email: "jane@example.com", firstName: "Jane" } });
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path}`), [
      `POST /API/v3/directories/${DIR}/contacts/search`,
      `PUT /API/v3/directories/${DIR}/contacts/CID_aaaaaaaaaaaaaaa`,
    ]);
    assert.deepEqual(api.requests[1].body, { email: "jane@example.com", firstName: "Jane" });
    const out = msg.payload as Record<string, unknown>;
    assert.equal(out.created, false);
    assert.equal(out.contactId, "CID_aaaaaaaaaaaaaaa");
    assert.equal(out.matched, 1);
  });

  it("create or update: creates when nothing has the key value", async () => {
    await load({ operation: "upsert", upsertKey: "extRef" });
    api.reply(ok({ elements: [], nextPage: null }), ok({ id: "CID_ccccccccccccccc" }));
    const msg = await run({ payload: { extRef: "x-9", lastName: "Roe" } });
    assert.equal(api.requests[1].method, "POST");
    assert.equal(api.requests[1].path, `/API/v3/directories/${DIR}/contacts`);
    assert.deepEqual(api.requests[1].body, { extRef: "x-9", lastName: "Roe" });
    assert.equal((msg.payload as Record<string, unknown>).created, true);
    assert.equal((msg.payload as Record<string, unknown>).id, "CID_ccccccccccccccc");
  });

  it("create or update without the key field is an error naming it, before any request", async () => {
    await load({ operation: "upsert", upsertKey: "phone" });
    api.reply(ok({ elements: [] }));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: { email: "a@b.co" } });
    assert.match((await err).message, /^Phone: is required/);
    assert.equal(api.requests.length, 0);
  });

  it("a failing search is an error with Qualtrics' message", async () => {
    await load({ operation: "search", searchField: "email", searchValue: "a@b.co" });
    api.reply(fail(400, "Paginating beyond 10000 contacts is not allowed", "CONTACTS_SEARCH"));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: {} });
    assert.match((await err).message, /beyond 10000/);
  });
});

describe("qualtrics-contact: create or update against the sandbox", function () {
  let sb: Sandbox;
  before(async () => (sb = await startSandbox()));
  after(() => sb.close());
  afterEach(async () => {
    await helper.unload();
    sb.reset();
  });

  it("two messages for a new email at once create one contact and update it", async () => {
    const dir = sb.seedIds.directoryId;
    await helper.load(
      [N.config, N.contact],
      flow(sb.apiBase, { operation: "upsert", upsertKey: "email" }, dir),
      { cfg: { apiToken: sb.token } },
    );
    const outs: Record<string, unknown>[] = [];
    const both = new Promise<void>((resolve) => {
      helper.getNode("out").on("input", (m: Record<string, unknown>) => {
        outs.push(m);
        if (outs.length === 2) resolve();
      });
    });
    helper.getNode("n").receive({ payload: { email: "new.person@example.com", firstName: "New" } });
    helper.getNode("n").receive({ payload: { email: "new.person@example.com", lastName: "Person" } });
    await both;
    const created = outs.map((m) => (m.payload as { created: boolean }).created).sort();
    assert.deepEqual(created, [false, true]);
    const ids = new Set(outs.map((m) => (m.payload as { contactId: string }).contactId));
    assert.equal(ids.size, 1, "both messages name the same contact");

    // what Qualtrics now holds: one contact with both fields
    const res = await fetch(`${sb.apiBase}/directories/${dir}/contacts/search`, {
      method: "POST",
      headers: { "X-API-TOKEN": sb.token, "content-type": "application/json" },
      body: JSON.stringify({ filter: { filterType: "email", comparison: "eq", value: "new.person@example.com" } }),
    });
    const found = ((await res.json()) as { result: { elements: Record<string, unknown>[] } }).result.elements;
    assert.equal(found.length, 1);
    assert.equal(found[0].firstName, "New");
    assert.equal(found[0].lastName, "Person");
  });
});
