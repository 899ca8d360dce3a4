// Contact search and create-or-update, against the recording server (exact requests) and the
// sandbox (what a user sees end to end).
import assert from "node:assert/strict";
import { FlowNode, helper, http, nextError, TOKEN } from "../support/nr-helper";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { configNode } from "../support/config-node";
import { useRecordingServer, useSandbox } from "../support/fixtures";
import { nodeUnderTest, useNodeRuntime } from "../support/node-test";
import { DIR } from "../support/ids";

const N = http.nodes;

describe("qualtrics-contact: search and create-or-update (requests)", function () {
  const api = useRecordingServer();
  useNodeRuntime();
  const { load, run } = nodeUnderTest({ type: "qualtrics-contact", sequence: true, apiBase: () => api.apiBase, defaults: { directoryId: DIR, directoryIdType: "str" } });

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

  it("create or update of an email with capitals looks for it as given, then in lower case, then creates", async () => {
    await load({ operation: "upsert", upsertKey: "email" });
    api.reply(ok({ elements: [], nextPage: null }), ok({ elements: [], nextPage: null }), ok({ id: "CID_ccccccccccccccc" }));
    const msg = await run({ payload: { email: " Jane.Doe@Example.com " } });
    assert.deepEqual(api.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify((r.body as { filter?: { value?: string } }).filter?.value ?? r.body)}`), [
      `POST /API/v3/directories/${DIR}/contacts/search "Jane.Doe@Example.com"`,
      `POST /API/v3/directories/${DIR}/contacts/search "jane.doe@example.com"`,
      `POST /API/v3/directories/${DIR}/contacts {"email":"Jane.Doe@Example.com"}`,
    ]);
    assert.equal((msg.payload as Record<string, unknown>).created, true);
  });

  it("create or update: a contact found in lower case is updated, with the email as given", async () => {
    await load({ operation: "upsert", upsertKey: "email" });
    api.reply(ok({ elements: [], nextPage: null }), ok({ elements: [{ id: "CID_aaaaaaaaaaaaaaa", email: "jane@example.com" }], nextPage: null }), metaOnly());
    const msg = await run({ payload: { email: "Jane@Example.com", firstName: "Jane" } });
    assert.equal(api.requests.length, 3);
    assert.equal(api.requests[2].method, "PUT");
    assert.equal(api.requests[2].path, `/API/v3/directories/${DIR}/contacts/CID_aaaaaaaaaaaaaaa`);
    assert.deepEqual(api.requests[2].body, { email: "Jane@Example.com", firstName: "Jane" });
    assert.deepEqual(msg.payload, { id: "CID_aaaaaaaaaaaaaaa", contactId: "CID_aaaaaaaaaaaaaaa", created: false, matched: 1, email: "Jane@Example.com", firstName: "Jane" });
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
  const sb = useSandbox();
  useNodeRuntime();
  const { flow } = nodeUnderTest({ type: "qualtrics-contact", apiBase: () => sb.apiBase, defaults: () => ({ directoryId: sb.seedIds.directoryId, directoryIdType: "str" }) });

  it("two messages for a new email at once create one contact and update it", async () => {
    const dir = sb.seedIds.directoryId;
    await helper.load(
      [N.config, N.contact],
      flow({ operation: "upsert", upsertKey: "email" }),
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

describe("qualtrics-contact: create or update against the sandbox, one account, emails in any case", function () {
  const sb = useSandbox();
  useNodeRuntime();
  beforeEach(() => {
    // every create is a contact of its own, as in a directory that does not deduplicate by email:
    // a second create shows in the directory, not only on the wire
    sb.state.directories.get(sb.seedIds.directoryId)!.deduplicationCriteria.email = false;
  });

  /** two contact nodes on one configuration, both wired to "out" */
  function twoNodes(): FlowNode[] {
    const dir = sb.seedIds.directoryId;
    const node = (id: string) => ({ id, z: "tab", type: "qualtrics-contact", qualtrics: "cfg", operation: "upsert", upsertKey: "email", directoryId: dir, directoryIdType: "str", wires: [["out"]] });
    return [{ id: "tab", type: "tab" }, configNode(sb.apiBase), node("n1"), node("n2"), { id: "out", z: "tab", type: "helper" }];
  }

  /** sends each [node, email] at once and waits for every output */
  async function together(sends: Array<[string, string]>): Promise<Array<{ created: boolean; contactId: string }>> {
    const outs: Array<{ created: boolean; contactId: string }> = [];
    const all = new Promise<void>((resolve, reject) => {
      helper.getNode("out").on("input", (m: Record<string, unknown>) => {
        outs.push(m.payload as { created: boolean; contactId: string });
        if (outs.length === sends.length) resolve();
      });
      for (const [id] of sends) void nextError(id).then((e) => reject(new Error(e.message)));
    });
    for (const [id, email] of sends) helper.getNode(id).receive({ payload: { email, firstName: id } });
    await all;
    return outs;
  }

  const creates = () => sb.requests.filter((r) => r.method === "POST" && r.path === `/API/v3/directories/${sb.seedIds.directoryId}/contacts`);
  const updates = () => sb.requests.filter((r) => r.method === "PUT");
  const stored = (email: string) => [...sb.state.directories.get(sb.seedIds.directoryId)!.contacts.values()].filter((c) => c.email?.toLowerCase() === email);

  for (const mode of ["insensitive", "sensitive"] as const) {
    it(`two contact nodes on one configuration, the same new email at once: one create (search ${mode} to case)`, async () => {
      sb.emailSearchCase = mode;
      await helper.load([N.config, N.contact], twoNodes(), { cfg: { apiToken: sb.token } });
      const outs = await together([["n1", "both@example.com"], ["n2", "both@example.com"]]);
      assert.equal(creates().length, 1, "one create went to Qualtrics");
      assert.equal(updates().length, 1);
      assert.deepEqual(outs.map((o) => o.created).sort(), [false, true]);
      assert.equal(new Set(outs.map((o) => o.contactId)).size, 1, "both messages name the same contact");
      assert.equal(stored("both@example.com").length, 1);
    });

    for (const [first, second] of [["race@example.com", "Race@Example.com"], ["Race@Example.com", "race@example.com"]]) {
      it(`one node, ${first} and ${second} at once: one create and one update (search ${mode} to case)`, async () => {
        sb.emailSearchCase = mode;
        await helper.load([N.config, N.contact], twoNodes(), { cfg: { apiToken: sb.token } });
        const outs = await together([["n1", first], ["n1", second]]);
        assert.deepEqual(creates().map((r) => (r.body as { email: string }).email), [first]);
        assert.deepEqual(updates().map((r) => (r.body as { email: string }).email), [second]);
        assert.deepEqual(outs.map((o) => o.created), [true, false]);
        assert.equal(outs[0].contactId, outs[1].contactId);
        assert.equal(stored("race@example.com").length, 1);
      });
    }

    it(`a contact stored in lower case is found for the same email with capitals (search ${mode} to case)`, async () => {
      sb.emailSearchCase = mode;
      await helper.load([N.config, N.contact], twoNodes(), { cfg: { apiToken: sb.token } });
      const outs = await together([["n2", "Amelia.Hart@Example.COM"]]);
      assert.equal(creates().length, 0);
      assert.deepEqual(outs.map((o) => [o.created, o.contactId]), [[false, sb.seedIds.contactIds[0]]]);
      assert.equal(stored("amelia.hart@example.com").length, 1);
    });
  }
});
