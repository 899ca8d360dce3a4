// The contact node's transaction operations, and a distribution to a transaction batch: the exact
// requests (recording server), then the whole sequence against the sandbox, checking whom the
// sandbox's distributions reached (docs/qualtrics-facts.md §4.7, §5.2, §5.6).
import assert from "node:assert/strict";
import { collect, helper, http, nextError, nextMessage } from "../support/nr-helper";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { configNode } from "../support/config-node";
import { useRecordingServer, useSandbox } from "../support/fixtures";
import { nodeUnderTest, sandboxToken, useNodeRuntime } from "../support/node-test";
import { CID, DIR, ML } from "../support/ids";
import type { Sandbox } from "../../sandbox";

const N = http.nodes;
const CTR1 = "CTR_0A1b2C3d4E5f6G7";
const CTR2 = "CTR_9Z8y7X6w5V4u3T2";
const BASE = `/API/v3/directories/${DIR}`;
const NODE = { directoryId: DIR, directoryIdType: "str" };

describe("qualtrics-contact: transactions (requests)", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime();
  const { load, run, refused } = nodeUnderTest({ type: "qualtrics-contact", sequence: true, apiBase: () => api.apiBase, defaults: NODE, requests: () => api.requests, done });

  it("records a transaction from the dialog's fields, dated as YYYY-MM-DD HH:MM:SS in UTC, and answers it as sent", async () => {
    await load({
      operation: "recordTransaction", contactId: CID, mailingListId: ML, mailingListIdType: "str",
      transactionData: '{"ticket": "T-1", "priority": 2}', transactionDataType: "json",
      transactionDate: "2026-01-31T13:45:00+01:00", transactionDateType: "str",
    });
    api.reply(ok({ createdTransactions: { t0: { id: CTR1 } }, unprocessedTransactions: {} }, { requestId: "rq-tx" }));
    const msg = await run({ topic: "kept" });
    assert.equal(api.requests.length, 1);
    const [req] = api.requests;
    assert.deepEqual([req.method, req.path], ["POST", `${BASE}/transactions`]);
    assert.deepEqual(req.body, { t0: { contactId: CID, mailingListId: ML, transactionDate: "2026-01-31 12:45:00", data: { ticket: "T-1", priority: "2" } } });
    assert.deepEqual(msg.payload, { transactionId: CTR1, contactId: CID, mailingListId: ML, transactionDate: "2026-01-31 12:45:00", data: { ticket: "T-1", priority: "2" } });
    assert.deepEqual(msg.qualtrics, { requestId: "rq-tx", httpStatus: 200 });
    assert.equal(msg.topic, "kept");
    assert.equal(done.of("n").length, 1);
  });

  it("takes the contact, data and date from msg.payload when the dialog leaves them empty", async () => {
    await load({ operation: "recordTransaction" });
    api.reply(ok({ createdTransactions: { t0: { id: CTR1 } } }));
    await run({ payload: { contactId: CID, data: { ticket: "T-2" }, transactionDate: "2026-02-01 08:00:00" } });
    assert.deepEqual(api.requests[0].body, { t0: { contactId: CID, transactionDate: "2026-02-01 08:00:00", data: { ticket: "T-2" } } });
  });

  it("reports Qualtrics' reason when the transaction is left unprocessed, with one done(err)", async () => {
    await load({ operation: "recordTransaction", contactId: CID });
    api.reply(ok({ createdTransactions: {}, unprocessedTransactions: { t0: { error: "NOT_FOUND", errorMessage: "Contact not found" } } }));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: { data: { ticket: "T-3" } } });
    assert.match((await err).message, /the transaction was not recorded: Contact not found/);
    assert.equal(done.of("n").length, 1);
  });

  it("refuses bad input before any request, naming the dialog's field", async () => {
    api.reply(ok({}));
    await load({ operation: "recordTransaction", contactId: CID });
    assert.match(await refused({ payload: {} }), /^Data: is required/);
    assert.match(await refused({ payload: { data: "T-1" } }), /^Data: must be an object/);
    assert.match(await refused({ payload: { data: { deep: { a: 1 } } } }), /^Data \(transactionData\.deep\): must be a string, number or boolean/);
    assert.match(await refused({ payload: { data: {}, transactionDate: "31.01.2026" } }), /^Date: "31\.01\.2026" is not an ISO 8601 date/);
    assert.match(await refused({ payload: { data: {}, mailingListId: "SV_1" } }), /^Mailing list: "SV_1" is not a mailing list ID/);
    await helper.unload();
    await load({ operation: "recordTransaction" });
    assert.match(await refused({ payload: { data: {} } }), /^Contact: is required/);
    await helper.unload();
    await load({ operation: "addToBatch" });
    assert.match(await refused({ payload: { transactionIds: [CTR1] } }), /^Batch: is required/);
    assert.match(await refused({ payload: { transactionBatchId: "BT_1", transactionIds: [CID] } }), /^Transactions \(transactionIds\[0\]\): "CID_012345678901234" is not a transaction ID/);
    assert.match(await refused({ payload: { transactionBatchId: "BT_1" } }), /^Transactions: is empty/);
  });

  it("does not send the create again after a 503, and says it may have been recorded", async () => {
    await load({ operation: "recordTransaction", contactId: CID });
    api.reply(fail(503, "busy"));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: { data: {} } });
    assert.match((await err).message, /may have succeeded anyway/);
    assert.equal(api.requests.length, 1);
  });

  it("creates a batch from msg.payload.transactionId and adds a typed list of transactions to one", async () => {
    await load({ operation: "msg" });
    api.reply(ok({ id: "BT_0A1b2C3d4E5f6G7" }), metaOnly());
    const created = await run({ operation: "createBatch", payload: { transactionId: CTR1 } });
    assert.deepEqual(created.payload, { transactionBatchId: "BT_0A1b2C3d4E5f6G7", transactionIds: [CTR1] });
    const body = api.requests[0].body as Record<string, unknown>;
    assert.deepEqual([api.requests[0].path, body.transactionIds], [`${BASE}/transactionbatches`, [CTR1]]);
    await helper.unload();
    await load({ operation: "addToBatch", transactionIds: `${CTR1}, ${CTR2}`, transactionIdsType: "str", transactionBatchId: "BT_0A1b2C3d4E5f6G7", transactionBatchIdType: "str" });
    const added = await run({});
    assert.deepEqual([api.requests[1].path, api.requests[1].body], [`${BASE}/transactionbatches/BT_0A1b2C3d4E5f6G7/transactions`, { transactionIds: [CTR1, CTR2] }]);
    assert.deepEqual(added.payload, { transactionBatchId: "BT_0A1b2C3d4E5f6G7", transactionIds: [CTR1, CTR2] });
  });

  it("lists a contact's transactions page by page, one message each when asked", async () => {
    await load({ operation: "listTransactions", contactId: CID, output: "split", pageSize: 50, limit: 0 });
    api.reply(
      ok({ elements: [{ id: CTR1 }], nextPage: `${api.apiBase}/directories/${DIR}/contacts/${CID}/transactions?pageSize=50&skipToken=T2` }),
      ok({ elements: [{ id: CTR2 }], nextPage: null }),
    );
    const out = collect("out");
    const second = new Promise<void>((resolve) => {
      const check = () => (out.length === 2 ? resolve() : setTimeout(check, 5));
      check();
    });
    helper.getNode("n").receive({});
    await second;
    assert.deepEqual(out.map((m) => (m.payload as { id: string }).id), [CTR1, CTR2]);
    assert.deepEqual([api.requests[0].path, api.requests[0].query], [`${BASE}/contacts/${CID}/transactions`, { pageSize: "50" }]);
    assert.equal(api.requests[1].query.skipToken, "T2");
  });
});

/** whom a sandbox distribution reached, as its control route says */
async function reached(sb: Sandbox, id: string): Promise<Array<{ contactId: string; transactionId: string | null }>> {
  const res = await fetch(`${sb.url}/__sandbox/distributions/${id}/recipients`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { recipients: Array<{ contactId: string; transactionId: string | null }> }).recipients;
}

describe("qualtrics-contact and qualtrics-distribution: a survey to a transaction batch (sandbox)", function () {
  const sb = useSandbox();
  useNodeRuntime();
  const contactIn = nodeUnderTest({
    type: "qualtrics-contact", apiBase: () => sb.apiBase, credentials: sandboxToken(sb),
    defaults: () => ({ directoryId: sb.seedIds.directoryId, directoryIdType: "str" }),
  });

  /** the contact node "n" wired to "c1", and a distribution node "d" wired to "d1" */
  async function loadBoth(distribution: Record<string, unknown>): Promise<void> {
    await helper.load([N.config, N.contact, N.distribution], [
      { id: "tab", type: "tab" },
      configNode(sb.apiBase),
      { id: "n", z: "tab", type: "qualtrics-contact", qualtrics: "cfg", operation: "msg", directoryId: sb.seedIds.directoryId, directoryIdType: "str", wires: [["c1"]] },
      { id: "c1", z: "tab", type: "helper" },
      { id: "d", z: "tab", type: "qualtrics-distribution", qualtrics: "cfg", wires: [["d1"]], ...distribution },
      { id: "d1", z: "tab", type: "helper" },
    ], { cfg: { apiToken: sb.token } });
  }
  async function step(id: string, out: string, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const got = nextMessage(out);
    const failed = nextError(id).then((e) => assert.fail(`${id} failed: ${e.message}`));
    helper.getNode(id).receive(msg);
    return (await Promise.race([got, failed])) as Record<string, unknown>;
  }
  const member = (i: number) => sb.seedIds.contactIds[i]; // 0..14 are on the first list

  it("records two transactions, batches them and emails the batch: the sandbox reached each contact once per transaction", async () => {
    await loadBoth({ channel: "email", surveyId: sb.seedIds.surveyIds[0], surveyIdType: "str", fromEmail: "help@example.com", fromName: "Support", subject: "How did we do?", messageText: "Tell us: ${l://SurveyLink}" });
    const list = sb.seedIds.mailingListIds[0];
    const t1 = await step("n", "c1", { operation: "recordTransaction", payload: { contactId: member(1), mailingListId: list, data: { ticket: "T-1" } } });
    const t2 = await step("n", "c1", { operation: "recordTransaction", payload: { contactId: member(2), mailingListId: list, data: { ticket: "T-2" } } });
    const batch = await step("n", "c1", { operation: "createBatch", payload: t1.payload });
    // msg.payload.transactionIds would win over transactionId: the batch's own output names only t1
    const batchId = (batch.payload as { transactionBatchId: string }).transactionBatchId;
    await step("n", "c1", { operation: "addToBatch", payload: { transactionBatchId: batchId, transactionId: (t2.payload as { transactionId: string }).transactionId } });
    const sent = await step("d", "d1", { payload: batch.payload });
    const id = (sent.payload as { id: string }).id;
    const body = sb.requests.find((r) => r.method === "POST" && r.path === "/API/v3/distributions")?.body as { recipients: unknown };
    assert.deepEqual(body.recipients, { transactionBatchId: batchId });
    assert.deepEqual((await reached(sb, id)).map((r) => [r.contactId, r.transactionId]), [
      [member(1), (t1.payload as { transactionId: string }).transactionId],
      [member(2), (t2.payload as { transactionId: string }).transactionId],
    ]);
    // and the contact's transactions are listed back with their data
    const listed = await step("n", "c1", { operation: "listTransactions", payload: { contactId: member(1) } });
    assert.deepEqual((listed.payload as Array<{ data: unknown }>).map((t) => t.data), [{ ticket: "T-1" }]);
  });

  it("SMS to a batch: sent with the list when the dialog names one; without a list, the sandbox's rule decides (UNCONFIRMED, §5.6)", async () => {
    const list = sb.seedIds.mailingListIds[0];
    const sms = { channel: "sms", method: "Invite", surveyId: sb.seedIds.surveyIds[0], surveyIdType: "str", messageText: "How did we do? ${l://SurveyURL}" };
    await loadBoth(sms);
    const t = await step("n", "c1", { operation: "recordTransaction", payload: { contactId: member(3), data: { order: "A-9" } } });
    const batch = await step("n", "c1", { operation: "createBatch", payload: t.payload });
    const batchId = (batch.payload as { transactionBatchId: string }).transactionBatchId;

    const refused = nextError("d");
    helper.getNode("d").receive({ payload: { transactionBatchId: batchId } });
    assert.match((await refused).message, /recipients\.mailingListId is required for method Invite/);

    const withList = await step("d", "d1", { payload: { transactionBatchId: batchId, mailingListId: list } });
    assert.deepEqual((await reached(sb, (withList.payload as { id: string }).id)).map((r) => r.contactId), [member(3)]);

    sb.transactionRules.set({ smsBatchNeedsList: false });
    const toOne = await step("d", "d1", { payload: { transactionId: (t.payload as { transactionId: string }).transactionId } });
    const smsBody = sb.requests.filter((r) => r.path === "/API/v3/distributions/sms").at(-1)?.body as { recipients: unknown };
    assert.deepEqual(smsBody.recipients, { transactionId: (t.payload as { transactionId: string }).transactionId });
    assert.deepEqual((await reached(sb, (toOne.payload as { id: string }).id)).map((r) => r.contactId), [member(3)]);
  });

  it("the transaction date: accepted where the sandbox takes YYYY-MM-DD HH:MM:SS, Qualtrics' 400 shown where it takes only ISO 8601 (UNCONFIRMED, §4.7)", async () => {
    await contactIn.load({ operation: "recordTransaction", contactId: member(0), transactionData: '{"a": "1"}', transactionDataType: "json", transactionDate: "2026-01-31T13:45:00Z", transactionDateType: "str" });
    for (const mode of ["any", "mysql"] as const) {
      sb.transactionRules.set({ transactionDates: mode });
      const msg = await contactIn.run({});
      assert.equal((msg.payload as { transactionDate: string }).transactionDate, "2026-01-31 13:45:00", mode);
    }
    sb.transactionRules.set({ transactionDates: "iso" });
    const err = nextError("n");
    helper.getNode("n").receive({});
    assert.match((await err).message, /^Qualtrics 400 - Bad Request: t0\.transactionDate must be an ISO 8601 date-time/);
  });

  it("an unknown contact: the error gives the sandbox's reason and nothing is recorded", async () => {
    await contactIn.load({ operation: "recordTransaction", contactId: "CID_000000000000000" });
    const err = nextError("n");
    helper.getNode("n").receive({ payload: { data: {} } });
    assert.match((await err).message, /the transaction was not recorded: Contact not found: CID_000000000000000/);
    assert.equal(sb.state.directories.get(sb.seedIds.directoryId)?.transactions.size, 0);
  });
});
