// The survey node against the sandbox (what a user sees) and the recording server (exact requests,
// the definition kept for a while, refusals before any request).
import assert from "node:assert/strict";
import { collect, credentials, helper, nextError } from "../support/nr-helper";
import { fail, ok } from "../support/fake-servers";
import { until } from "../support/wait";
import { okFirst, useRecordingServer, useSandbox } from "../support/fixtures";
import { nodeUnderTest, sandboxToken, useNodeRuntime } from "../support/node-test";
import { SV } from "../support/ids";

describe("qualtrics-survey (sandbox)", function () {
  const sb = useSandbox();
  useNodeRuntime();
  const { load, run } = nodeUnderTest({ type: "qualtrics-survey", sequence: true, apiBase: () => sb.apiBase, config: { retries: 0 }, credentials: sandboxToken(sb) });
  const surveyCS = () => sb.seedIds.surveyIds[0];

  it("list: every survey of the user, as one array or one message per survey", async function () {
    await load({ operation: "list" });
    const all = await run({});
    assert.deepEqual((all.payload as Array<{ id: string; name: string }>).map((s) => s.name).sort(), ["Customer Satisfaction", "Post-Support Feedback"]);
    assert.equal((all.qualtrics as { httpStatus: number }).httpStatus, 200);
    await helper.unload();
    await load({ operation: "list", output: "split", limit: 1 });
    const each = collect("out");
    helper.getNode("n").receive({});
    await until(() => each.length === 1, 5000, "one message");
    // count 1 on the first message: it is also the last
    assert.deepEqual(each[0].parts, { id: (each[0].parts as { id: string }).id, index: 0, type: "array", len: 1, count: 1 });
  });

  it("get and definition: the survey's metadata and its definition", async function () {
    await load({ operation: "get", surveyId: surveyCS(), surveyIdType: "str" });
    const meta = await run({});
    assert.equal((meta.payload as { name: string }).name, "Customer Satisfaction");
    await helper.unload();
    await load({ operation: "definition", surveyId: surveyCS(), surveyIdType: "qualtrics" });
    const def = await run({});
    assert.equal((def.payload as { SurveyID: string }).SurveyID, surveyCS());
    assert.deepEqual(Object.keys((def.payload as { Questions: object }).Questions), ["QID1", "QID2", "QID3"]);
  });

  it("questions: the question objects", async function () {
    await load({ operation: "questions", surveyId: "sv", surveyIdType: "msg" });
    const msg = await run({ sv: sb.seedIds.surveyIds[1] });
    assert.deepEqual((msg.payload as Array<{ QuestionID: string }>).map((q) => q.QuestionID), ["QID1", "QID2", "QID3"]);
  });

  it("question map: { QID: text } without HTML, and the answer labels in msg.choices", async function () {
    await load({ operation: "questionMap", surveyId: surveyCS(), surveyIdType: "str" });
    const msg = await run({});
    assert.deepEqual(msg.payload, {
      QID1: "How likely are you to recommend us to a friend or colleague?",
      QID2: "Overall, how satisfied are you with our service?",
      QID3: "What could we do better?",
    });
    const choices = msg.choices as Record<string, Record<string, string>>;
    assert.equal(choices.QID2["4"], "Satisfied");
    assert.equal(Object.keys(choices.QID1).length, 11);
    assert.equal(choices.QID3, undefined);
    assert.equal((msg.qualtrics as { cached: boolean }).cached, false);
  });

  it("label: a completed response, as the response trigger fetches it, gets question texts and answer labels", async function () {
    const { responseId } = await sb.completeResponse(surveyCS(), { QID1: 3, QID2: 2, QID3_TEXT: "Answer the phone" });
    const response = (await (await fetch(`${sb.apiBase}/surveys/${surveyCS()}/responses/${responseId}`, { headers: { "X-API-TOKEN": sb.token } })).json()).result;
    await load({ operation: "label" });
    const msg = await run({ payload: response, event: { surveyId: surveyCS(), responseId } });
    assert.deepEqual(msg.labelled, {
      "How likely are you to recommend us to a friend or colleague?": "3",
      "Overall, how satisfied are you with our service?": "Dissatisfied",
      "What could we do better?": "Answer the phone",
    });
    assert.deepEqual(msg.payload, response, "the response stays in msg.payload");
  });

  it("label into msg.payload, an array of responses, the definition fetched once for both", async function () {
    const ids = [await sb.completeResponse(surveyCS()), await sb.completeResponse(surveyCS(), { QID2: 5 })].map((r) => r.responseId);
    const survey = sb.state.surveys.get(surveyCS())!;
    const responses = ids.map((id) => ({ responseId: id, values: survey.responses.get(id)!.values }));
    await load({ operation: "label", labelTarget: "payload", surveyId: surveyCS(), surveyIdType: "str" });
    const before = sb.requests.length;
    const msg = await run({ payload: responses });
    const labelled = msg.payload as Array<Record<string, unknown>>;
    assert.equal(labelled.length, 2);
    assert.equal(labelled[0]["Overall, how satisfied are you with our service?"], "Satisfied");
    assert.equal(labelled[1]["Overall, how satisfied are you with our service?"], "Very satisfied");
    assert.equal(msg.labelled, undefined);
    await run({ payload: responses[0] });
    assert.equal(sb.requests.length - before, 1, "one definition request for two messages");
  });
});

describe("qualtrics-survey (requests)", function () {
  const api = useRecordingServer(okFirst);
  const done = useNodeRuntime();
  const { load, run, refused } = nodeUnderTest({ type: "qualtrics-survey", apiBase: () => api.apiBase, config: { retries: 0 }, requests: () => api.requests, done });
  const DEF = { SurveyID: SV, Questions: { QID1: { QuestionID: "QID1", QuestionType: "MC", QuestionText: "<b>Pick</b>", Choices: { "1": { Display: "Yes" } } } } };

  it("keeps the definition per config node: a second message asks nothing, msg.refresh asks again", async function () {
    await load({ operation: "questionMap", surveyId: SV, surveyIdType: "str" });
    api.reply(ok(DEF, { requestId: "rq-def" }));
    const first = await run({});
    const second = await run({});
    assert.deepEqual(first.payload, { QID1: "Pick" });
    assert.deepEqual(second.qualtrics, { requestId: "rq-def", httpStatus: 200, cached: true });
    assert.equal(api.requests.length, 1);
    assert.equal(api.requests[0].path, `/API/v3/survey-definitions/${SV}`);
    const third = await run({ refresh: true });
    assert.equal((third.qualtrics as { cached: boolean }).cached, false);
    assert.equal(api.requests.length, 2);
  });

  it("label takes the survey from payload.surveyId, then msg.event, msg.export, msg.surveyId", async function () {
    const other = (n: number) => `SV_other${n}00000000000`;
    await load({ operation: "label" });
    api.reply(ok(DEF));
    const a = await run({ payload: { surveyId: SV, values: { QID1: 1 } }, event: { surveyId: other(1) } });
    assert.deepEqual(a.labelled, { Pick: "Yes" });
    await run({ payload: { values: { QID1: 1 } }, event: { surveyId: other(2) }, export: { surveyId: other(3) } });
    await run({ payload: { values: { QID1: 1 } }, export: { surveyId: other(4) }, surveyId: other(5) });
    await run({ payload: { values: { QID1: 1 } }, surveyId: other(6) });
    assert.deepEqual(api.requests.map((r) => r.path.split("/").pop()), [SV, other(2), other(4), other(6)]);
  });

  const refusals: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
    ["a webhook event without the response's values", { operation: "label", surveyId: SV }, { payload: { topic: "x", responseId: "R_1" } }, /^payload: is not a survey response/],
    ["an array with one thing that is not a response", { operation: "label", surveyId: SV }, { payload: [{ values: { QID1: 1 } }, "x"] }, /^payload\[1\]: is not a survey response/],
    ["a response without a survey", { operation: "label" }, { payload: { values: { QID1: 1 } } }, /^Survey: is required/],
    ["a survey ID of the wrong kind", { operation: "get", surveyId: "CG_1", surveyIdType: "str" }, {}, /^Survey: "CG_1" is not a survey ID/],
    ["an unknown msg.operation", { operation: "msg" }, { operation: "delete" }, /^msg\.operation: must be one of list, get, definition, questions, questionMap, label/],
    ["a bad refresh", { operation: "questionMap", surveyId: SV }, { refresh: "sometimes" }, /^refresh: must be true or false/],
    ["a bad limit", { operation: "list" }, { limit: "many" }, /^Limit: must be a whole number/],
  ];
  for (const [what, props, msg, expected] of refusals) {
    it(`refuses ${what}, naming the field, with no request`, async function () {
      await load(props);
      assert.match(await refused(msg), expected);
    });
  }

  it("passes Qualtrics' error on once, with msg.qualtrics, and keeps no failed definition", async function () {
    await load({ operation: "questionMap", surveyId: SV, surveyIdType: "str" });
    api.reply(fail(500, "Internal error", "SERVER_1"), ok(DEF));
    const err = nextError("n");
    helper.getNode("n").receive({});
    const e = await err;
    assert.match(e.message, /Internal error/);
    assert.equal((e.msg.qualtrics as { httpStatus: number }).httpStatus, 500);
    const msg = await run({});
    assert.deepEqual(msg.payload, { QID1: "Pick" });
    assert.equal(done.of("n").length, 2);
  });
});
