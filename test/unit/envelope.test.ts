import assert from "node:assert/strict";
import { readMeta, unwrap } from "../../src/envelope";
import { QualtricsApiError } from "../../src/errors";
import { fail, metaOnly, ok } from "../support/fake-servers";
import { assertNoToken, failure, TOKEN, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("envelope (docs/qualtrics-facts.md §2.1)", function () {
  describe("unwrap / readMeta", function () {
    it("unwraps result and reads meta", function () {
      const env = unwrap({
        result: { id: "CID_1" },
        meta: { httpStatus: "200 - OK", requestId: "r-1", notice: "Request proxied" },
      });
      assert.deepEqual(env.result, { id: "CID_1" });
      assert.equal(env.enveloped, true);
      assert.deepEqual(env.meta, { httpStatus: "200 - OK", requestId: "r-1", notice: "Request proxied" });
    });

    it("meta-only (DELETE) gives result undefined and enveloped true", function () {
      const env = unwrap({ meta: { httpStatus: "200 - OK", requestId: "852606ad" } });
      assert.equal(env.result, undefined);
      assert.equal(env.enveloped, true);
      assert.equal(env.meta.requestId, "852606ad");
    });

    it("returns a body that is not an envelope whole", function () {
      const body = { responses: [{ responseId: "R_1" }] };
      const env = unwrap(body);
      assert.equal(env.result, body);
      assert.equal(env.enveloped, false);
      assert.deepEqual(env.meta, {});
      assert.deepEqual(unwrap([1, 2]).result, [1, 2]);
      assert.equal(unwrap([1, 2]).enveloped, false);
      assert.equal(unwrap("text").result, "text");
      // meta must be an object to count as an envelope
      assert.equal(unwrap({ meta: "x", result: 1 }).enveloped, false);
    });

    it("reads meta.error and ignores non-string meta fields", function () {
      const meta = readMeta({
        meta: { httpStatus: 401, requestId: "", error: { errorMessage: "invalid_client", errorCode: "AUTH_6.0", instanceId: 7 } },
      });
      assert.equal(meta.httpStatus, undefined);
      assert.equal(meta.requestId, undefined);
      assert.deepEqual(meta.error, { errorMessage: "invalid_client", errorCode: "AUTH_6.0", instanceId: undefined });
      assert.deepEqual(readMeta(null), {});
      assert.deepEqual(readMeta({ result: 1 }), {});
    });
  });

  describe("through the client", function () {
    const api = useRecordingServer();
    const clients = useClients();

    it("returns the unwrapped result with the envelope's details", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 200, body: { result: { id: "CID_012345678901234" }, meta: { httpStatus: "200 - OK", requestId: "req-42" } } });
      const res = await client.request({ method: "POST", path: "/directories/POOL_012345678901234/contacts", body: { firstName: "Jane" } });
      assert.deepEqual(res.result, { id: "CID_012345678901234" });
      assert.equal(res.enveloped, true);
      assert.equal(res.statusCode, 200);
      assert.equal(res.httpStatus, "200 - OK");
      assert.equal(res.requestId, "req-42");
      assert.equal(res.attempts, 1);
    });

    it("meta-only DELETE answer: result undefined, enveloped true", async function () {
      const client = clients.make(api.apiBase);
      api.reply(metaOnly());
      const res = await client.request({ method: "DELETE", path: "/eventsubscriptions/SUB_1" });
      assert.equal(res.result, undefined);
      assert.equal(res.enveloped, true);
      assert.equal(res.requestId, "req-meta");
    });

    it("a JSON body that is not an envelope is returned whole", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 200, body: { responses: [{ responseId: "R_1" }] } });
      const res = await client.request({ method: "GET", path: "/surveys/SV_1/export-responses/F/file" });
      assert.deepEqual(res.result, { responses: [{ responseId: "R_1" }] });
      assert.deepEqual(res.body, res.result);
      assert.equal(res.enveloped, false);
    });

    it("passes meta.notice to onNotice", async function () {
      const notices: string[] = [];
      const client = clients.make(api.apiBase, { onNotice: (n) => notices.push(n) });
      const notice = "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com";
      api.reply(ok({ userId: "UR_1" }, { notice }));
      const res = await client.request({ method: "GET", path: "/whoami" });
      assert.deepEqual(notices, [notice]);
      assert.equal(res.notice, notice);
    });

    it("an error names errorMessage, errorCode, httpStatus and requestId, never the token", async function () {
      const client = clients.make(api.apiBase);
      api.reply({
        status: 400,
        body: {
          meta: {
            httpStatus: "400 - Bad Request",
            requestId: "9d6b8cc4-2f84-4b28-970b-84501d180bdd",
            error: { errorMessage: "Invalid value for parameter surveyId", errorCode: "QVAL_1.2" },
          },
        },
      });
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/distributions", query: { surveyId: "SV_x" } }));
      assert.ok(err instanceof QualtricsApiError);
      assert.match(err.message, /Invalid value for parameter surveyId/);
      assert.match(err.message, /QVAL_1\.2/);
      assert.match(err.message, /400 - Bad Request/);
      assert.match(err.message, /9d6b8cc4-2f84-4b28-970b-84501d180bdd/);
      assert.equal(err.statusCode, 400);
      assert.equal(err.httpStatus, "400 - Bad Request");
      assert.equal(err.errorCode, "QVAL_1.2");
      assert.equal(err.errorMessage, "Invalid value for parameter surveyId");
      assert.equal(err.requestId, "9d6b8cc4-2f84-4b28-970b-84501d180bdd");
      // the token really was sent, and is nowhere in the error
      assert.equal(api.requests[0].headers["x-api-token"], TOKEN);
      assertNoToken(err);
    });

    it("an error without meta.httpStatus names the HTTP status code", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ status: 403, body: { meta: { requestId: "rq-403", error: { errorMessage: "Not a brand administrator", errorCode: "AUTH_2" } } } });
      const err = await failure<QualtricsApiError>(client.request({ method: "POST", path: "/eventsubscriptions", body: {} }));
      assert.match(err.message, /\b403\b/);
      assert.match(err.message, /Not a brand administrator/);
      assert.match(err.message, /AUTH_2/);
      assert.match(err.message, /rq-403/);
      assertNoToken(err);
    });

    it("a 401 with the token echoed nowhere keeps the token out of every field", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(401, "invalid_client", "AUTH_6.0"));
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/whoami" }));
      assert.match(err.message, /401 - Unauthorized/);
      assert.match(err.message, /invalid_client/);
      assert.match(err.message, /AUTH_6\.0/);
      assert.match(err.message, /req-err/);
      assertNoToken(err);
    });
  });
});
