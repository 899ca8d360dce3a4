import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { getResponse } from "../../src/responses";
import { fail, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { sleep } from "../support/wait";
import { useRecordingServer } from "../support/fixtures";

const SV = "SV_22VlHYNeldrrrkp";
const R = "R_1l9mcVuXubb4aGm";

describe("responses", function () {
  const api = useRecordingServer();
  const clients = useClients();

  describe("getResponse (docs/qualtrics-facts.md §6.5)", function () {
    it("GET /surveys/{s}/responses/{r}", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ responseId: R, values: { QID1: 1 } }));
      const res = await getResponse(client, SV, R);
      assert.deepEqual(res.result, { responseId: R, values: { QID1: 1 } });
      assert.equal(api.requests[0].method, "GET");
      assert.equal(api.requests[0].path, `/API/v3/surveys/${SV}/responses/${R}`);
    });

    it("retries 404 notFoundRetries times, then reports the 404", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(404, "Response not found", "RESP_404"));
      const err = await failure<QualtricsApiError>(getResponse(client, SV, R, { notFoundRetries: 2, notFoundDelayMs: 5 }));
      assert.ok(err instanceof QualtricsApiError);
      assert.equal(err.statusCode, 404);
      assert.match(err.message, /Response not found/);
      assert.equal(api.requests.length, 3, "1 try + 2 retries");
    });

    it("a 404 that turns into the response is returned", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(404, "Response not found"), fail(404, "Response not found"), ok({ responseId: R }));
      const res = await getResponse(client, SV, R, { notFoundRetries: 3, notFoundDelayMs: 5 });
      assert.deepEqual(res.result, { responseId: R });
      assert.equal(api.requests.length, 3);
    });

    it("the caller's signal ends the wait between 404 retries", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(404, "Response not found"));
      const stop = new AbortController();
      const pending = failure<Error>(getResponse(client, SV, R, { notFoundRetries: 3, notFoundDelayMs: 60_000, signal: stop.signal }));
      while (api.requests.length === 0) await sleep(5);
      stop.abort(new Error("node closed"));
      const err = await pending;
      assert.equal(err.message, "node closed");
      assert.equal(api.requests.length, 1, "no retry after the abort");
    });

    it("without notFoundRetries a 404 is reported at once", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(404, "Response not found"), ok({}));
      await failure(getResponse(client, SV, R));
      assert.equal(api.requests.length, 1);
    });

    for (const status of [400, 401, 403]) {
      it(`a ${status} is not retried that way`, async function () {
        const client = clients.make(api.apiBase);
        api.reply(fail(status, "nope"), ok({}));
        const err = await failure<QualtricsApiError>(getResponse(client, SV, R, { notFoundRetries: 5, notFoundDelayMs: 5 }));
        assert.equal(err.statusCode, status);
        assert.equal(api.requests.length, 1);
      });
    }

    it("bad IDs are refused naming the field, before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({}));
      assert.equal((await failure<QualtricsInputError>(getResponse(client, "CG_1", R))).field, "surveyId");
      assert.equal((await failure<QualtricsInputError>(getResponse(client, SV, "SV_1"))).field, "responseId");
      assert.equal(api.requests.length, 0);
    });
  });
});
