// The response node: exact requests against the recording server, and what a user sees against the sandbox.
import assert from "node:assert/strict";
import { credentials, helper, nextError, statusLog, TOKEN } from "../support/nr-helper";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { useRecordingServer, useSandbox } from "../support/fixtures";
import { nodeUnderTest, sandboxToken, useNodeRuntime } from "../support/node-test";

const SV = "SV_22VlHYNeldrrrkp";
const R = "R_1l9mcVuXubb4aGm";

describe("qualtrics-response (requests)", function () {
  const api = useRecordingServer();
  const done = useNodeRuntime();
  const { load, run } = nodeUnderTest({ type: "qualtrics-response", apiBase: () => api.apiBase, defaults: { surveyId: SV, surveyIdType: "str" } });

  it("get: GET /surveys/{s}/responses/{r}, the response in msg.payload, other properties kept", async () => {
    await load({ operation: "get", responseId: R, responseIdType: "str" });
    api.reply(ok({ responseId: R, values: { QID1: 4 } }));
    const msg = await run({ topic: "keep" });
    assert.equal(api.requests[0].method, "GET");
    assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/responses/${R}`);
    assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
    assert.deepEqual(msg.payload, { responseId: R, values: { QID1: 4 } });
    assert.equal(msg.topic, "keep");
    assert.equal((msg.qualtrics as { httpStatus: number }).httpStatus, 200);
    assert.equal(done.of("n").length, 1);
  });

  it("takes surveyId and responseId from msg.payload when the dialog leaves them empty; the dialog wins", async () => {
    await load({ operation: "get", surveyId: "", responseId: "" });
    api.reply(ok({}));
    await run({ payload: { surveyId: "SV_fromPayload12345", responseId: "R_fromPayload" } });
    assert.equal(api.requests[0].path, "/API/v3/surveys/SV_fromPayload12345/responses/R_fromPayload");
    await helper.unload();
    await load({ operation: "get", responseId: "responseId", responseIdType: "msg" });
    api.reply(ok({}));
    await run({ responseId: R, payload: { surveyId: "SV_other", responseId: "R_other" } });
    assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/responses/${R}`);
  });

  it("create: POSTs {values} with an Idempotency-Key made from the message and node; the same message gets the same key", async () => {
    await load({ operation: "create", values: '{"QID1": 4}', valuesType: "json" });
    api.reply(ok({ responseId: R }));
    const first = await run({ _msgid: "m-1" });
    assert.deepEqual(first.payload, { responseId: R });
    const r = api.requests[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, `/API/v3/surveys/${SV}/responses`);
    assert.deepEqual(r.body, { values: { QID1: 4 } });
    const key = String(r.headers["idempotency-key"]);
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal((first.qualtrics as { idempotencyKey: string }).idempotencyKey, key);
    assert.equal((first as { idempotencyKey?: string }).idempotencyKey, undefined, "not put on the message");
    await run({ _msgid: "m-1" });
    await run({ _msgid: "m-2" });
    assert.equal(api.requests[1].headers["idempotency-key"], key);
    assert.notEqual(api.requests[2].headers["idempotency-key"], key);
  });

  it("create: messages that share a _msgid (a split, a function node's messages) are different responses with different keys", async () => {
    await load({ operation: "create" });
    for (let i = 0; i < 5; i++) api.reply(ok({ responseId: `R_${i}` }));
    // what a function node sends: the _msgid of the message it came from, other answers
    await run({ _msgid: "m-1", payload: { values: { QID1: 1, QID2: 5 } } });
    await run({ _msgid: "m-1", payload: { values: { QID1: 2 } } });
    // what a split node sends: the same answers, different parts
    await run({ _msgid: "m-2", payload: { values: { QID1: 3 } }, parts: { id: "p", index: 0, count: 2 } });
    await run({ _msgid: "m-2", payload: { values: { QID1: 3 } }, parts: { id: "p", index: 1, count: 2 } });
    // the first message again, its answers in another order: a repeat, the same key
    await run({ _msgid: "m-1", payload: { values: { QID2: 5, QID1: 1 } } });
    const keys = api.requests.map((x) => String(x.headers["idempotency-key"]));
    assert.equal(new Set(keys.slice(0, 4)).size, 4, "four different creates, four keys");
    assert.equal(keys[4], keys[0], "the same create again, the same key");
  });

  it("create: msg.idempotencyKey is used as given, and the POST is retried after a 500 because of it", async () => {
    await load({ operation: "create", values: "", valuesType: "json" });
    api.reply(fail(500, "boom"), ok({ id: R }));
    const msg = await run({ idempotencyKey: "order-42", payload: { values: { QID1: 1 } } });
    assert.equal(api.requests.length, 2);
    assert.deepEqual(api.requests.map((x) => x.headers["idempotency-key"]), ["order-42", "order-42"]);
    assert.deepEqual(msg.payload, { id: R, responseId: R });
  });

  it("create: refuses missing values and a non-string msg.idempotencyKey before any request", async () => {
    await load({ operation: "create" });
    api.reply(ok({}));
    const e1 = nextError("n");
    helper.getNode("n").receive({ payload: "text" });
    assert.match((await e1).message, /^Answers: must be an object/);
    await helper.unload();
    await load({ operation: "create" });
    const e2 = nextError("n");
    helper.getNode("n").receive({ payload: { values: { QID1: 1 } }, idempotencyKey: 5 });
    assert.match((await e2).message, /^msg\.idempotencyKey: must be a string/);
    await helper.unload();
    await load({ operation: "create" });
    const e3 = nextError("n");
    helper.getNode("n").receive({ payload: {} });
    assert.match((await e3).message, /^Answers: is required/);
    assert.equal(api.requests.length, 0);
  });

  it("update: PUT /responses/{r} with surveyId, the select's resetRecordedDate and embeddedData; answers with what was sent", async () => {
    await load({ operation: "update", responseId: R, responseIdType: "str", embeddedData: '{"followedUp": "yes"}', embeddedDataType: "json", resetRecordedDate: "true" });
    api.reply(metaOnly());
    const msg = await run({ payload: { resetRecordedDate: false } });
    assert.equal(api.requests[0].method, "PUT");
    assert.equal(api.requests[0].path, `/API/v3/responses/${R}`);
    assert.deepEqual(api.requests[0].body, { surveyId: SV, resetRecordedDate: true, embeddedData: { followedUp: "yes" } });
    assert.deepEqual(msg.payload, { responseId: R, surveyId: SV, embeddedData: { followedUp: "yes" } });
  });

  it("update: embeddedData and resetRecordedDate from msg.payload when the dialog leaves them open", async () => {
    await load({ operation: "update", responseId: "", embeddedData: "", resetRecordedDate: "" });
    api.reply(metaOnly());
    await run({ payload: { responseId: R, embeddedData: { n: 2 }, resetRecordedDate: false } });
    assert.deepEqual(api.requests[0].body, { surveyId: SV, resetRecordedDate: false, embeddedData: { n: "2" } });
  });

  it("update: no embedded data is refused, naming the field", async () => {
    await load({ operation: "update", responseId: R });
    api.reply(ok({}));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: {} });
    const e = await err;
    assert.match(e.message, /^Embedded data: is required/);
    assert.equal(api.requests.length, 0);
  });

  it("delete: DELETE with decrementQuotas in query and body; without the choice nothing is sent", async () => {
    await load({ operation: "delete", responseId: R, decrementQuotas: "false" });
    api.reply(metaOnly());
    const msg = await run({});
    assert.equal(api.requests[0].method, "DELETE");
    assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/responses/${R}`);
    assert.deepEqual(api.requests[0].query, { decrementQuotas: "false" });
    assert.deepEqual(api.requests[0].body, { decrementQuotas: false });
    assert.deepEqual(msg.payload, { responseId: R, surveyId: SV });
    await helper.unload();
    await load({ operation: "delete", responseId: R, decrementQuotas: "" });
    api.reply(metaOnly());
    await run({ payload: {} });
    assert.deepEqual(api.requests[0].query, {});
    assert.equal(api.requests[0].raw, "");
  });

  it("bulkUpdate: an array in msg.payload, sent in one request; the result lists the chunk's job", async () => {
    await load({ operation: "bulkUpdate", ignoreMissing: false });
    api.reply(ok({ progressId: "PGR_1" }));
    const msg = await run({ payload: [{ responseId: R, embeddedData: { a: "b" } }] });
    assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/update-responses`);
    assert.deepEqual(api.requests[0].body, { updates: [{ responseId: R, embeddedData: { a: "b" } }], ignoreMissingResponses: false });
    const p = msg.payload as { surveyId: string; updates: number; chunks: Array<{ index: number; count: number; jobId: string }> };
    assert.equal(p.updates, 1);
    assert.deepEqual(p.chunks.map((c) => [c.index, c.count, c.jobId]), [[0, 1, "PGR_1"]]);
  });

  it("bulkUpdate: 10,001 updates in {updates} go out as two requests, with the chunk on the status", async () => {
    await load({ operation: "bulkUpdate", ignoreMissing: true });
    const log = statusLog("n");
    api.reply(ok({ progressId: "PGR_1" }), ok({ progressId: "PGR_2" }));
    const updates = Array.from({ length: 10_001 }, (_, i) => ({ responseId: `R_${i}`, embeddedData: { i } }));
    const msg = await run({ payload: { updates } });
    assert.deepEqual(api.requests.map((r) => (r.body as { updates: unknown[] }).updates.length), [10_000, 1]);
    assert.equal((msg.payload as { updates: number }).updates, 10_001);
    assert.ok(log.some((s) => s.text === "chunk 1/2"), JSON.stringify(log));
    assert.ok(log.some((s) => s.text === "chunk 2/2"));
  });

  it("bulkUpdate: a bad update stops everything before any request, naming its position", async () => {
    await load({ operation: "bulkUpdate" });
    api.reply(ok({}));
    const err = nextError("n");
    helper.getNode("n").receive({ payload: [{ responseId: R, embeddedData: { a: "b" } }, { responseId: "nope", embeddedData: { a: "b" } }] });
    assert.match((await err).message, /^updates\[1\]\.responseId: /);
    assert.equal(api.requests.length, 0);
  });

  it("bulkUpdate: a failing second chunk reaches the catch with msg.qualtrics and says what was accepted", async () => {
    await load({ operation: "bulkUpdate" });
    api.reply(ok({ progressId: "PGR_1" }), fail(503, "busy"));
    const err = nextError("n");
    const updates = Array.from({ length: 10_001 }, (_, i) => ({ responseId: `R_${i}`, embeddedData: { i } }));
    helper.getNode("n").receive({ payload: updates });
    const e = await err;
    assert.match(e.message, /chunk 2 of 2 \(updates from index 10000\) failed; 1 earlier chunk/);
    assert.equal((e.msg.qualtrics as { httpStatus: number }).httpStatus, 503);
    // a 503 on a POST may have been carried out: not retried, and the error says so
    assert.equal(api.requests.length, 2);
    assert.match(e.message, /may have succeeded/);
  });

  it("msg.operation chooses when the node says so, and an unknown one is refused", async () => {
    await load({ operation: "msg", responseId: R });
    api.reply(metaOnly());
    await run({ operation: "delete" });
    assert.equal(api.requests[0].method, "DELETE");
    const err = nextError("n");
    helper.getNode("n").receive({ operation: "explode" });
    assert.match((await err).message, /^msg\.operation: must be one of get, create, update, delete, bulkUpdate/);
  });

  it("a Qualtrics 404 goes to done(err) once with msg.qualtrics", async () => {
    await load({ operation: "get", responseId: R });
    api.reply(fail(404, "Response not found", "RSRC_1"));
    const err = nextError("n");
    helper.getNode("n").receive({});
    const e = await err;
    assert.match(e.message, /Response not found/);
    assert.equal((e.msg.qualtrics as { httpStatus: number; errorCode: string }).errorCode, "RSRC_1");
    assert.equal(done.of("n").length, 1);
  });
});

describe("qualtrics-response (sandbox)", function () {
  const sb = useSandbox();
  useNodeRuntime();
  const { load, run } = nodeUnderTest({
    type: "qualtrics-response", apiBase: () => sb.apiBase, credentials: sandboxToken(sb),
    defaults: () => ({ surveyId: sb.seedIds.surveyIds[0], surveyIdType: "str" }),
  });

  it("creates a response once for a message sent twice, updates it, reads it back and deletes it", async () => {
    const survey = sb.seedIds.surveyIds[0];
    await load({ operation: "msg", responseId: "", values: "", embeddedData: "" });
    const created = await run({ _msgid: "same", operation: "create", payload: { values: { QID1: 7 } } });
    const id = (created.payload as { responseId: string }).responseId;
    assert.match(id, /^R_/);
    const again = await run({ _msgid: "same", operation: "create", payload: { values: { QID1: 7 } } });
    assert.equal((again.payload as { responseId: string }).responseId, id);
    assert.equal(sb.state.surveys.get(survey)!.responses.size, 1);
    await run({ operation: "update", payload: { responseId: id, embeddedData: { followedUp: "yes" } } });
    const got = await run({ operation: "get", payload: { responseId: id } });
    const values = (got.payload as { values: Record<string, unknown> }).values;
    assert.equal(values.QID1, 7);
    assert.equal(values.followedUp, "yes");
    await run({ operation: "bulkUpdate", payload: [{ responseId: id, embeddedData: { batch: "1" } }] });
    assert.equal(sb.state.surveys.get(survey)!.responses.get(id)!.values.batch, "1");
    await run({ operation: "delete", payload: { responseId: id } });
    assert.equal(sb.state.surveys.get(survey)!.responses.has(id), false);
  });
});
