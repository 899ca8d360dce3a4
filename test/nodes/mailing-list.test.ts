// The mailing-list node: exact requests against the recording server, and what a user sees against the sandbox.
import assert from "node:assert/strict";
import { collect, credentials, helper, http, nextError, nextMessage, statusLog } from "../support/nr-helper";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { configNode } from "../support/config-node";
import { useRecordingServer, useSandbox } from "../support/fixtures";
import { nodeUnderTest, sandboxToken, useNodeRuntime } from "../support/node-test";
import { DIR, CID } from "../support/ids";

const ML = "CG_012345678901234";
const LISTS = `/API/v3/directories/${DIR}/mailinglists`;
const N = http.nodes;

const NODE = { directoryId: DIR, directoryIdType: "str", mailingListId: ML, mailingListIdType: "str" };

describe("qualtrics-mailing-list (requests)", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime();
  const { load, run } = nodeUnderTest({ type: "qualtrics-mailing-list", sequence: true, apiBase: () => api.apiBase, defaults: NODE });

  it("lists the directory's mailing lists with includeCount=true, following nextPage, as one array", async () => {
    await load({ operation: "lists", limit: 0 });
    api.reply(
      ok({ elements: [{ mailingListId: ML, name: "A", contactCount: 2 }], nextPage: `${api.apiBase}/directories/${DIR}/mailinglists?pageSize=100&includeCount=true&skipToken=T2` }),
      ok({ elements: [{ mailingListId: "CG_2", name: "B", contactCount: 0 }], nextPage: null }),
    );
    const msg = await run({ topic: "keep" });
    assert.equal(api.requests[0].path, LISTS);
    assert.deepEqual(api.requests[0].query, { pageSize: "100", includeCount: "true" });
    assert.equal(api.requests[1].query.skipToken, "T2");
    assert.deepEqual((msg.payload as Array<{ mailingListId: string }>).map((l) => l.mailingListId), [ML, "CG_2"]);
    assert.equal(msg.topic, "keep");
    assert.equal(done.of("n").length, 1);
  });

  it("members one message per member with msg.parts; a join rebuilds the array; msg.limit stops early", async () => {
    await load({ operation: "members", output: "split", wires: [["out", "joiner"]] }, [
      { id: "joiner", z: "tab", type: "join", mode: "auto", wires: [["joined"]] },
      { id: "joined", z: "tab", type: "helper" },
    ]);
    api.reply(
      ok({ elements: [{ contactId: "CID_1" }, { contactId: "CID_2" }], nextPage: `${api.apiBase}/directories/${DIR}/mailinglists/${ML}/contacts?skipToken=T2` }),
      ok({ elements: [{ contactId: "CID_3" }, { contactId: "CID_4" }], nextPage: null }),
    );
    const parts = collect("out");
    const joined = nextMessage("joined");
    helper.getNode("n").receive({ limit: 3 });
    const j = await joined;
    assert.deepEqual((j.payload as Array<{ contactId: string }>).map((c) => c.contactId), ["CID_1", "CID_2", "CID_3"]);
    assert.equal(parts.length, 3);
    assert.equal(api.requests[0].path, `${LISTS}/${ML}/contacts`);
    assert.deepEqual((parts[2].parts as { count: number }).count, 3);
  });

  it("opted-out of the list, of the directory, and bounced: the three endpoints", async () => {
    api.reply(ok({ elements: [{ contactId: CID }], nextPage: null }));
    for (const [operation, path] of [
      ["optedOut", `${LISTS}/${ML}/optedOutContacts`],
      ["directoryOptedOut", `/API/v3/directories/${DIR}/contacts/optedOutContacts`],
      ["bounced", `${LISTS}/${ML}/bouncedContacts`],
    ]) {
      await load({ operation, pageSize: 50 });
      api.reply(ok({ elements: [{ contactId: CID }], nextPage: null }));
      const msg = await run({});
      assert.equal(api.requests[0].path, path, operation);
      assert.equal(api.requests[0].query.pageSize, "50");
      assert.deepEqual(msg.payload, [{ contactId: CID }]);
      await helper.unload();
    }
  });

  it("create and rename take the name from the dialog or msg.payload.name; get and delete", async () => {
    await load({ operation: "create", listName: "VIPs", listNameType: "str" });
    api.reply(ok({ id: ML }));
    const created = await run({ payload: { name: "ignored", ownerId: "UR_abcdef" } });
    assert.deepEqual(created.payload, { id: ML });
    assert.deepEqual(api.requests[0].body, { name: "VIPs", ownerId: "UR_abcdef" });
    await helper.unload();

    await load({ operation: "rename", listName: "" });
    api.reply(metaOnly());
    const renamed = await run({ payload: { name: "Renamed" } });
    assert.equal(api.requests[0].method, "PUT");
    assert.deepEqual(api.requests[0].body, { name: "Renamed" });
    assert.deepEqual(renamed.payload, { mailingListId: ML, name: "Renamed" });
    await helper.unload();

    await load({ operation: "get" });
    api.reply(ok({ mailingListId: ML, contactCount: 5 }));
    const got = await run({});
    assert.deepEqual(got.payload, { mailingListId: ML, contactCount: 5 });
    assert.deepEqual(api.requests[0].query, { includeCount: "true" });
    await helper.unload();

    await load({ operation: "delete", mailingListId: "", mailingListIdType: "str" });
    api.reply(metaOnly());
    const deleted = await run({ payload: { mailingListId: "CG_fromPayload" } });
    assert.equal(api.requests[0].method, "DELETE");
    assert.equal(api.requests[0].path, `${LISTS}/CG_fromPayload`);
    assert.deepEqual(deleted.payload, { mailingListId: "CG_fromPayload" });
  });

  it("add, update, get and remove a member; the dialog's fields win over msg.payload", async () => {
    await load({ operation: "addMember", email: "dialog@example.com", emailType: "str", embeddedData: '{"tier":"gold"}', embeddedDataType: "json" });
    api.reply(ok({ id: CID, contactLookupId: "CGC_1" }));
    const added = await run({ payload: { email: "payload@example.com", firstName: "Jane", creationDate: "dropped" } });
    assert.deepEqual(added.payload, { id: CID, contactLookupId: "CGC_1" });
    assert.equal(api.requests[0].path, `${LISTS}/${ML}/contacts`);
    assert.deepEqual(api.requests[0].body, { firstName: "Jane", email: "dialog@example.com", embeddedData: { tier: "gold" } });
    await helper.unload();

    await load({ operation: "updateMember", contactId: CID, contactIdType: "str", unsubscribed: "true", unsubscribedType: "bool" });
    api.reply(metaOnly());
    const updated = await run({});
    assert.deepEqual(api.requests[0].body, { unsubscribed: true });
    assert.deepEqual(updated.payload, { contactId: CID, mailingListId: ML, unsubscribed: true });
    await helper.unload();

    await load({ operation: "getMember", contactId: "" });
    api.reply(ok({ contactId: CID }));
    await run({ payload: { contactId: CID } });
    assert.equal(api.requests[0].path, `${LISTS}/${ML}/contacts/${CID}`);
    await helper.unload();

    await load({ operation: "removeMember", contactId: CID });
    api.reply(metaOnly());
    const removed = await run({});
    assert.equal(api.requests[0].method, "DELETE");
    assert.deepEqual(removed.payload, { contactId: CID, mailingListId: ML });
  });

  it("refuses bad input before any request, naming the field", async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      [{ operation: "addMember" }, { payload: "text" }, /^payload: must be an object with contact fields/],
      [{ operation: "addMember" }, { payload: { email: "nope" } }, /^Email: /],
      [{ operation: "create", listName: "" }, { payload: {} }, /^name: is required/],
      [{ operation: "get", mailingListId: "SV_1" }, {}, /^Mailing list: /],
      [{ operation: "members" }, { limit: -1 }, /^Limit: /],
      [{ operation: "import" }, { payload: { contacts: [{ email: "ok@example.com" }, { email: "bad" }] } }, /^contacts\[1\]\.email: /],
      [{ operation: "import" }, { payload: {} }, /^contacts: msg\.payload must be an array/],
      [{ operation: "msg" }, { operation: "nuke" }, /^msg\.operation: must be one of lists, get/],
    ];
    for (const [props, msg, re] of cases) {
      await load(props);
      api.reply(ok({}));
      const err = nextError("n");
      helper.getNode("n").receive(msg);
      assert.match((await err).message, re);
      assert.equal(api.requests.length, 0, JSON.stringify(props));
      await helper.unload();
    }
  });

  it("import: starts, polls only the status endpoint with progress on the status, and sends the summary", async () => {
    await load({ operation: "import" });
    const log = statusLog("n");
    api.reply(
      ok({ id: "PGR_1", status: "inProgress", percentComplete: 0 }),
      ok({ status: "inProgress", percentComplete: 40 }),
      ok({ status: "complete", percentComplete: 100, contacts: { count: { added: 1, updated: 1, failed: 1 } }, invalidEmails: ["x@y"] }),
    );
    const msg = await run({ payload: [{ email: "a@example.com", transactionData: { order: 1 } }, { email: "b@example.com" }] });
    assert.equal(api.requests[0].method, "POST");
    assert.equal(api.requests[0].path, `${LISTS}/${ML}/transactioncontacts`);
    assert.deepEqual(api.requests[0].body, {
      transactionMeta: { fields: ["order"] },
      contacts: [{ email: "a@example.com", transactionData: { order: "1" } }, { email: "b@example.com" }],
    });
    assert.deepEqual(api.requests.slice(1).map((r) => `${r.method} ${r.path}`), [
      `GET ${LISTS}/${ML}/transactioncontacts/PGR_1`,
      `GET ${LISTS}/${ML}/transactioncontacts/PGR_1`,
    ]);
    assert.deepEqual(msg.payload, { importId: "PGR_1", status: "complete", percentComplete: 100, added: 1, updated: 1, failed: 1, invalidEmails: ["x@y"] });
    const texts = log.map((s) => s.text);
    assert.ok(texts.includes("importing 0%"), JSON.stringify(texts));
    assert.ok(texts.includes("importing 40%"), JSON.stringify(texts));
    assert.ok(texts.includes("done: 2"), JSON.stringify(texts));
  });

  it("import without waiting: the start answer with importId, no status request", async () => {
    await load({ operation: "import", waitForImport: false });
    api.reply(ok({ id: "PGR_1", status: "inProgress" }));
    const msg = await run({ payload: { contacts: [{ email: "a@example.com" }], transactionMeta: { batchId: "BT_1" } } });
    assert.equal(api.requests.length, 1);
    assert.deepEqual(api.requests[0].body, { transactionMeta: { batchId: "BT_1" }, contacts: [{ email: "a@example.com" }] });
    assert.deepEqual(msg.payload, { id: "PGR_1", status: "inProgress", importId: "PGR_1" });
  });

  it("import reported as failed reaches the catch with the counts", async () => {
    await load({ operation: "import" });
    api.reply(ok({ id: "PGR_1" }), ok({ status: "failed", percentComplete: 100, contacts: { count: { added: 0, updated: 0, failed: 2 } } }));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: [{ email: "a@example.com" }] });
    const e = await err;
    assert.match(e.message, /import PGR_1 ended with status "failed" \(added 0, updated 0, failed 2\)/);
    assert.equal(typeof (e.msg.qualtrics as { requestId: string }).requestId, "string");
  });

  it("a Qualtrics error goes to done(err) once with msg.qualtrics", async () => {
    await load({ operation: "get" });
    api.reply(fail(404, "Mailing list not found", "RSRC_1"));
    const err = nextError("n");
    helper.getNode("n").receive({});
    const e = await err;
    assert.match(e.message, /Mailing list not found/);
    assert.equal((e.msg.qualtrics as { httpStatus: number }).httpStatus, 404);
    assert.equal(done.of("n").length, 1);
  });
});

describe("qualtrics-mailing-list (sandbox)", function () {
  const sb = useSandbox();
  useNodeRuntime();
  const { load, run } = nodeUnderTest({
    type: "qualtrics-mailing-list", apiBase: () => sb.apiBase, credentials: sandboxToken(sb),
    defaults: () => ({ ...NODE, directoryId: sb.seedIds.directoryId, mailingListId: "" }),
  });

  it("creates a list, adds a member, imports two contacts, lists members, bounced and opted-out", async () => {
    await load({ operation: "msg" });
    const created = await run({ operation: "create", payload: { name: "Node test" } });
    const ml = (created.payload as { id: string }).id;
    assert.match(ml, /^CG_/);
    const added = await run({ operation: "addMember", payload: { mailingListId: ml, email: "first@example.com", firstName: "First" } });
    assert.match((added.payload as { contactLookupId: string }).contactLookupId, /^CGC_/);
    const summary = await run({ operation: "import", payload: { mailingListId: ml, contacts: [{ email: "second@example.com" }, { email: "third@example.com", unsubscribed: true }, { email: "first@example.com", lastName: "Again" }] } });
    assert.deepEqual(summary.payload, { importId: (summary.payload as { importId: string }).importId, status: "complete", percentComplete: 100, added: 2, updated: 1, failed: 0, invalidEmails: [], transactionsCreated: 0 });
    const members = await run({ operation: "members", payload: { mailingListId: ml } });
    assert.deepEqual((members.payload as Array<{ email: string }>).map((m) => m.email).sort(), ["first@example.com", "second@example.com", "third@example.com"]);
    const optedOut = await run({ operation: "optedOut", payload: { mailingListId: ml } });
    assert.deepEqual((optedOut.payload as Array<{ email: string }>).map((m) => m.email), ["third@example.com"]);
    const lists = await run({ operation: "lists" });
    const mine = (lists.payload as Array<{ mailingListId: string; contactCount: number }>).find((l) => l.mailingListId === ml);
    assert.equal(mine?.contactCount, 3);
    const bounced = await run({ operation: "bounced", payload: { mailingListId: sb.seedIds.mailingListIds[0] } });
    assert.equal((bounced.payload as unknown[]).length, 1);
    const dirOptedOut = await run({ operation: "directoryOptedOut" });
    assert.ok((dirOptedOut.payload as unknown[]).length >= 2);
    assert.equal(sb.requests.filter((r) => /\/summary$/.test(r.path)).length, 0);
  });

  it("import with transactionData: sends the field list the data implies unless the message gives one", async () => {
    await load({ operation: "import", waitForImport: false, mailingListId: sb.seedIds.mailingListIds[0], mailingListIdType: "str" });
    const imports = () => sb.requests.filter((r) => r.method === "POST" && r.path.endsWith("/transactioncontacts")).map((r) => r.body as Record<string, unknown>);
    const contacts = [
      { email: "t1@example.com", transactionData: { orderId: "A1", store: "Oslo" } },
      { email: "t2@example.com" },
      { email: "t3@example.com", transactionData: { total: 12, orderId: "A2" } },
    ];
    await run({ payload: contacts });
    await run({ payload: { contacts, transactionMeta: { batchId: "BT_1" } } });
    await run({ payload: { contacts, transactionMeta: { fields: ["orderId"] } } });
    await run({ payload: [{ email: "t4@example.com" }] });
    const sent = imports();
    assert.equal(sent.length, 4);
    // every key of every contact's transactionData, in the order first seen
    assert.deepEqual(sent[0].transactionMeta, { fields: ["orderId", "store", "total"] });
    assert.deepEqual(sent[1].transactionMeta, { batchId: "BT_1", fields: ["orderId", "store", "total"] });
    assert.deepEqual(sent[2].transactionMeta, { fields: ["orderId"] }, "the user's list is sent as given");
    assert.equal("transactionMeta" in sent[3], false, "no transaction data, no transactionMeta");
    assert.deepEqual((sent[0].contacts as Array<Record<string, unknown>>)[2], { email: "t3@example.com", transactionData: { total: "12", orderId: "A2" } });
  });
});

describe("qualtrics-mailing-list: the mailing-list picker", function () {
  const api = useRecordingServer();
  useNodeRuntime();

  it("asks for includeCount=true so the picker shows real contact counts", async () => {
    await helper.load([N.config], [{ id: "tab", type: "tab" }, { ...configNode(api.apiBase), z: "tab" }], credentials);
    api.reply(ok({ elements: [{ mailingListId: ML, name: "Alpha", contactCount: 12 }], nextPage: null }));
    const res = await helper.request().get(`/qualtrics-config/cfg/lookup/mailinglists?directoryId=${DIR}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [{ value: ML, label: "Alpha", contactCount: 12 }]);
    assert.equal(api.requests[0].path, LISTS);
    assert.equal(api.requests[0].query.includeCount, "true");
  });
});
