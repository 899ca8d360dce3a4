import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  BulkUpdateError,
  bulkJobId,
  createResponse,
  createdResponseId,
  deleteResponse,
  idempotencyKeyFrom,
  updateResponse,
  updateResponsesBulk,
} from "../../src/responses";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

const SV = "SV_22VlHYNeldrrrkp";
const R = "R_1l9mcVuXubb4aGm";

describe("responses: create, update, delete, bulk update (docs/qualtrics-facts.md §7.5)", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("createResponse", function () {
    it("POSTs {values} with the Idempotency-Key header", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ responseId: R }));
      const res = await createResponse(client, SV, { QID1: 4, QID2_TEXT: "fine" }, { idempotencyKey: "key-1" });
      assert.equal(createdResponseId(res.result), R);
      const r = api.requests[0];
      assert.equal(r.method, "POST");
      assert.equal(r.path, `/API/v3/surveys/${SV}/responses`);
      assert.deepEqual(r.body, { values: { QID1: 4, QID2_TEXT: "fine" } });
      assert.equal(r.headers["idempotency-key"], "key-1");
    });

    it("with a key, a 500 is retried (the key prevents a duplicate); without one it is not", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(500, "boom"), ok({ responseId: R }));
      await createResponse(client, SV, { QID1: 1 }, { idempotencyKey: "key-2" });
      assert.equal(api.requests.length, 2);
      assert.equal(api.requests[1].headers["idempotency-key"], "key-2");

      api.reply(fail(500, "boom"), ok({ responseId: R }));
      const err = await failure<QualtricsApiError>(createResponse(client, SV, { QID1: 1 }));
      assert.equal(api.requests.length, 1);
      assert.equal(api.requests[0].headers["idempotency-key"], undefined);
      assert.equal(err.mayHaveSucceeded, true);
    });

    it("refuses bad input before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      const cases: Array<[() => unknown, RegExp]> = [
        [() => createResponse(client, "SV_x", undefined), /^values: is required/],
        [() => createResponse(client, SV, {}), /^values: is required/],
        [() => createResponse(client, SV, [1]), /^values: must be an object/],
        [() => createResponse(client, "R_1", { a: 1 }), /^surveyId: /],
        [() => createResponse(client, SV, { a: 1 }, { idempotencyKey: "a\nb" }), /^idempotencyKey: /],
        [() => createResponse(client, SV, { a: 1 }, { idempotencyKey: "" }), /^idempotencyKey: is required/],
      ];
      for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof QualtricsInputError && re.test(e.message));
      assert.equal(api.requests.length, 0);
    });

    it("reads the new ID from responseId, or id", function () {
      assert.equal(createdResponseId({ responseId: "R_a" }), "R_a");
      assert.equal(createdResponseId({ id: "R_b" }), "R_b");
      assert.equal(createdResponseId(null), undefined);
      assert.equal(createdResponseId({ responseId: 3 }), undefined);
    });

    it("makes the same UUID-shaped key from the same seed, another from another", function () {
      const a = idempotencyKeyFrom("node:msg1");
      assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(idempotencyKeyFrom("node:msg1"), a);
      assert.notEqual(idempotencyKeyFrom("node:msg2"), a);
    });
  });

  describe("updateResponse", function () {
    it("PUTs /responses/{id} (no survey in the path) with surveyId, resetRecordedDate and embeddedData as strings", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      const res = await updateResponse(client, R, { surveyId: SV, embeddedData: { followedUp: "yes", score: 3 }, resetRecordedDate: false });
      assert.equal(res.result, undefined);
      assert.equal(api.requests[0].method, "PUT");
      assert.equal(api.requests[0].path, `/API/v3/responses/${R}`);
      assert.deepEqual(api.requests[0].body, { surveyId: SV, resetRecordedDate: false, embeddedData: { followedUp: "yes", score: "3" } });
    });

    it("leaves resetRecordedDate out when not given, and refuses missing parts", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      await updateResponse(client, R, { surveyId: SV, embeddedData: { a: "b" } });
      assert.deepEqual(api.requests[0].body, { surveyId: SV, embeddedData: { a: "b" } });
      assert.throws(() => updateResponse(client, R, { surveyId: undefined, embeddedData: { a: "b" } }), /^Qualtrics: surveyId: is required$/);
      assert.throws(() => updateResponse(client, R, { surveyId: SV, embeddedData: {} }), /embeddedData: is required/);
      assert.throws(() => updateResponse(client, R, { surveyId: SV, embeddedData: { a: { b: 1 } } }), /embeddedData\.a: must be a string/);
      assert.throws(() => updateResponse(client, "SV_1", { surveyId: SV, embeddedData: { a: "b" } }), /responseId: /);
      assert.throws(() => updateResponse(client, R, { surveyId: SV, embeddedData: { a: "b" }, resetRecordedDate: "maybe" }), /resetRecordedDate: /);
      assert.equal(api.requests.length, 1);
    });
  });

  describe("deleteResponse", function () {
    it("sends decrementQuotas both as a query parameter and in the body", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      await deleteResponse(client, SV, R, { decrementQuotas: true });
      const r = api.requests[0];
      assert.equal(r.method, "DELETE");
      assert.equal(r.path, `/API/v3/surveys/${SV}/responses/${R}`);
      assert.deepEqual(r.query, { decrementQuotas: "true" });
      assert.deepEqual(r.body, { decrementQuotas: true });
    });

    it("sends neither when not given; a DELETE is retried after a 500", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(500, "boom"), metaOnly());
      await deleteResponse(client, SV, R);
      assert.equal(api.requests.length, 2);
      assert.deepEqual(api.requests[1].query, {});
      assert.equal(api.requests[1].raw, "");
    });
  });

  describe("updateResponsesBulk", function () {
    const updates = (n: number) => Array.from({ length: n }, (_, i) => ({ responseId: `R_${i}`, embeddedData: { n: i } }));

    it("sends chunks of at most chunkSize, in order, and returns each chunk's job", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ progressId: "PGR_1" }), ok({ id: "PGR_2" }), ok({ something: "else" }));
      const seen: number[] = [];
      const chunks = await updateResponsesBulk(client, SV, updates(5), { chunkSize: 2, onChunk: (c, n) => seen.push(c.index * 10 + n) });
      assert.equal(api.requests.length, 3);
      assert.deepEqual(api.requests.map((r) => (r.body as { updates: unknown[] }).updates.length), [2, 2, 1]);
      assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/update-responses`);
      assert.deepEqual(api.requests[2].body, { updates: [{ responseId: "R_4", embeddedData: { n: "4" } }], ignoreMissingResponses: true });
      assert.deepEqual(chunks.map((c) => [c.index, c.count, c.jobId]), [[0, 2, "PGR_1"], [1, 2, "PGR_2"], [2, 1, undefined]]);
      assert.deepEqual(seen, [3, 13, 23]);
    });

    it("puts 10,000 in one request and 10,001 in two by default; ignoreMissingResponses false is sent", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      await updateResponsesBulk(client, SV, updates(10_000));
      assert.equal(api.requests.length, 1);
      await updateResponsesBulk(client, SV, updates(10_001), { ignoreMissingResponses: false });
      assert.equal(api.requests.length, 3);
      assert.equal((api.requests[1].body as { updates: unknown[] }).updates.length, 10_000);
      assert.equal((api.requests[2].body as { ignoreMissingResponses: boolean }).ignoreMissingResponses, false);
    });

    it("checks every update before sending anything, naming its position", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      const bad = [...updates(3), { responseId: "CID_1", embeddedData: { a: "b" } }];
      await assert.rejects(updateResponsesBulk(client, SV, bad), /updates\[3\]\.responseId: /);
      await assert.rejects(updateResponsesBulk(client, SV, [{ responseId: R }]), /updates\[0\]\.embeddedData: is required/);
      await assert.rejects(updateResponsesBulk(client, SV, ["x"]), /updates\[0\]: must be an object/);
      await assert.rejects(updateResponsesBulk(client, SV, []), /updates: is empty/);
      await assert.rejects(updateResponsesBulk(client, SV, { a: 1 }), /updates: must be an array/);
      await assert.rejects(updateResponsesBulk(client, SV, updates(1), { chunkSize: 10_001 }), /chunkSize: /);
      assert.equal(api.requests.length, 0);
    });

    it("a failure in a later chunk says which chunks were accepted; a failed POST is not repeated", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ progressId: "PGR_1" }), fail(500, "boom"));
      const err = await failure<BulkUpdateError>(updateResponsesBulk(client, SV, updates(3), { chunkSize: 2 }));
      assert.ok(err instanceof BulkUpdateError);
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(api.requests.length, 2);
      assert.equal(err.failedChunk, 1);
      assert.deepEqual(err.accepted.map((c) => c.jobId), ["PGR_1"]);
      assert.match(err.message, /boom.*chunk 2 of 2 \(updates from index 2\) failed; 1 earlier chunk/);
      assert.equal(err.mayHaveSucceeded, true);
    });

    it("a failure of the first chunk is the plain error", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(400, "bad"));
      const err = await failure<QualtricsApiError>(updateResponsesBulk(client, SV, updates(1)));
      assert.ok(!(err instanceof BulkUpdateError));
      assert.equal(err.statusCode, 400);
    });

    it("finds the job ID under progressId, id or jobId", function () {
      assert.equal(bulkJobId({ progressId: "a" }), "a");
      assert.equal(bulkJobId({ id: "b" }), "b");
      assert.equal(bulkJobId({ jobId: "c" }), "c");
      assert.equal(bulkJobId({ progressId: "" }), undefined);
      assert.equal(bulkJobId("x"), undefined);
    });
  });
});
