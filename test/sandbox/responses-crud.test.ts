import assert from "node:assert/strict";
import { assertError, call, obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: single-response create, update, delete and bulk update (§7.5)", () => {
  const sb = useSandbox();
  let survey: string;
  beforeEach(() => {
    survey = sb.seedIds.surveyIds[0];
  });

  const create = (values: unknown, headers?: Record<string, string>) => call(sb, "POST", `/surveys/${survey}/responses`, { body: { values }, headers });

  it("creates a response with the given values and answers with its responseId", async () => {
    const id = String(result(await create({ QID1: 9, tier: "gold" })).responseId);
    assert.match(id, /^R_[A-Za-z0-9]{15}$/);
    const got = result(await call(sb, "GET", `/surveys/${survey}/responses/${id}`));
    assert.equal(obj(got.values).QID1, 9);
    assert.equal(obj(got.values).tier, "gold");
  });

  it("creates one response for a repeated Idempotency-Key, a second one for another key", async () => {
    const a = String(result(await create({ QID1: 1 }, { "Idempotency-Key": "k-1" })).responseId);
    const b = String(result(await create({ QID1: 1 }, { "Idempotency-Key": "k-1" })).responseId);
    const c = String(result(await create({ QID1: 1 }, { "Idempotency-Key": "k-2" })).responseId);
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.equal(sb.state.surveys.get(survey)!.responses.size, 2);
  });

  it("forgets keys on reset, and creates again without a key", async () => {
    await create({ QID1: 1 }, { "Idempotency-Key": "k-1" });
    sb.reset();
    await create({ QID1: 1 }, { "Idempotency-Key": "k-1" });
    await create({ QID1: 1 });
    await create({ QID1: 1 });
    assert.equal(sb.state.surveys.get(survey)!.responses.size, 3);
  });

  it("refuses a create without values, with empty values, or for an unknown survey", async () => {
    assertError(await call(sb, "POST", `/surveys/${survey}/responses`, { body: {} }), 400, /^values is required/);
    assertError(await create({}), 400, /^values must not be empty/);
    assertError(await create([1]), 400, /^values must be a JSON object/);
    assertError(await call(sb, "POST", `/surveys/SV_000000000000000/responses`, { body: { values: { QID1: 1 } } }), 404, /Survey not found/);
  });

  it("updates embedded data with PUT /responses/{id} (surveyId in the body), meta only, and resets recordedDate on request", async () => {
    const { responseId } = await sb.completeResponse(survey);
    const before = String(sb.state.surveys.get(survey)!.responses.get(responseId)!.values.recordedDate);
    const put = await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey, embeddedData: { followedUp: "yes", score: 3 } } });
    assert.deepEqual(Object.keys(obj(put.json)), ["meta"]);
    const values = sb.state.surveys.get(survey)!.responses.get(responseId)!.values;
    assert.equal(values.followedUp, "yes");
    assert.equal(values.score, "3");
    assert.equal(values.recordedDate, before);
    sb.state.surveys.get(survey)!.responses.get(responseId)!.values.recordedDate = "2000-01-01T00:00:00Z";
    await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey, embeddedData: { a: "b" }, resetRecordedDate: true } });
    assert.notEqual(sb.state.surveys.get(survey)!.responses.get(responseId)!.values.recordedDate, "2000-01-01T00:00:00Z");
  });

  it("refuses updates without surveyId or embeddedData, with nested values, and for unknown responses", async () => {
    const { responseId } = await sb.completeResponse(survey);
    assertError(await call(sb, "PUT", `/responses/${responseId}`, { body: { embeddedData: { a: "b" } } }), 400, /^surveyId is required/);
    assertError(await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey } }), 400, /^embeddedData is required/);
    assertError(await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey, embeddedData: {} } }), 400, /must not be empty/);
    assertError(await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey, embeddedData: { a: { b: 1 } } } }), 400, /embeddedData\.a must be a string/);
    assertError(await call(sb, "PUT", `/responses/${responseId}`, { body: { surveyId: survey, embeddedData: { a: "b" }, resetRecordedDate: "yes" } }), 400, /resetRecordedDate must be a boolean/);
    assertError(await call(sb, "PUT", `/responses/R_000000000000000`, { body: { surveyId: survey, embeddedData: { a: "b" } } }), 404, /Response not found/);
  });

  it("deletes a response (meta only), with decrementQuotas in the query or the body; 404 afterwards", async () => {
    const one = (await sb.completeResponse(survey)).responseId;
    const two = (await sb.completeResponse(survey)).responseId;
    const del = await call(sb, "DELETE", `/surveys/${survey}/responses/${one}?decrementQuotas=true`, { body: { decrementQuotas: true } });
    assert.deepEqual(Object.keys(obj(del.json)), ["meta"]);
    assert.equal(sb.state.surveys.get(survey)!.responses.has(one), false);
    assertError(await call(sb, "DELETE", `/surveys/${survey}/responses/${one}`), 404, /Response not found/);
    assertError(await call(sb, "DELETE", `/surveys/${survey}/responses/${two}?decrementQuotas=maybe`), 400, /decrementQuotas must be true or false/);
    assertError(await call(sb, "DELETE", `/surveys/${survey}/responses/${two}`, { body: { decrementQuotas: "yes" } }), 400, /decrementQuotas must be a boolean/);
    assert.equal(sb.state.surveys.get(survey)!.responses.has(two), true);
  });

  describe("update-responses", () => {
    const bulk = (body: unknown) => call(sb, "POST", `/surveys/${survey}/update-responses`, { body });

    it("applies every update and answers with a progress ID", async () => {
      const a = (await sb.completeResponse(survey)).responseId;
      const b = (await sb.completeResponse(survey)).responseId;
      const r = result(await bulk({ updates: [{ responseId: a, embeddedData: { x: "1" } }, { responseId: b, embeddedData: { x: "2" } }] }));
      assert.match(String(r.progressId), /^PGR_/);
      const responses = sb.state.surveys.get(survey)!.responses;
      assert.equal(responses.get(a)!.values.x, "1");
      assert.equal(responses.get(b)!.values.x, "2");
    });

    it("refuses unknown responses unless ignoreMissingResponses is true", async () => {
      const a = (await sb.completeResponse(survey)).responseId;
      const updates = [{ responseId: a, embeddedData: { x: "1" } }, { responseId: "R_000000000000000", embeddedData: { x: "2" } }];
      assertError(await bulk({ updates }), 404, /R_000000000000000/);
      assert.equal(sb.state.surveys.get(survey)!.responses.get(a)!.values.x, undefined);
      result(await bulk({ updates, ignoreMissingResponses: true }));
      assert.equal(sb.state.surveys.get(survey)!.responses.get(a)!.values.x, "1");
    });

    it("takes at most 10,000 updates and refuses malformed ones", async () => {
      const many = Array.from({ length: 10_001 }, (_, i) => ({ responseId: `R_${i}`, embeddedData: { x: "1" } }));
      assertError(await bulk({ updates: many, ignoreMissingResponses: true }), 400, /at most 10000/);
      assertError(await bulk({ updates: [] }), 400, /must not be empty/);
      assertError(await bulk({ updates: "x" }), 400, /must be an array/);
      assertError(await bulk({ updates: [{ embeddedData: { x: "1" } }] }), 400, /updates\[0\]\.responseId is required/);
      assertError(await bulk({ updates: [{ responseId: "R_1", embeddedData: "x" }] }), 400, /updates\[0\]\.embeddedData must be a JSON object/);
    });
  });
});
