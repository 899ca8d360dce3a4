// Facts from answers recorded against the real API (docs/qualtrics-facts.md §13), each with a fixture of
// our own (invented IDs and values in the recorded shapes). Paging facts are in paginate.test.ts,
// ID prefixes in validate.test.ts and distributions.test.ts.
import assert from "node:assert/strict";
import { QualtricsApiError } from "../../src/errors";
import { failure, useClients } from "./helpers";
import { useRecordingServer } from "../support/fixtures";

describe("facts from recorded answers (docs/qualtrics-facts.md §13)", function () {
  const api = useRecordingServer();
  const clients = useClients();

  const notFound = (meta: Record<string, unknown>) => ({
    status: 404,
    body: { meta: { httpStatus: "404 - Not Found", error: { errorMessage: "Mailing List not found", errorCode: "XYZ_6" }, ...meta } },
  });

  for (const [what, meta] of [
    ["requestId null", { requestId: null }],
    ["no requestId", {}],
  ] as Array<[string, Record<string, unknown>]>) {
    it(`an error answer with ${what}: no "null" or "undefined" in the text, no requestId`, async function () {
      const client = clients.make(api.apiBase);
      api.reply(notFound(meta));
      const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/mailinglists/ML_4kTq9ZbWm2PxLvA" }));
      assert.equal(err.message, "Qualtrics 404 - Not Found: Mailing List not found (errorCode XYZ_6, GET /API/v3/mailinglists/ML_4kTq9ZbWm2PxLvA)");
      assert.equal(err.requestId, undefined);
      assert.doesNotMatch(String(err), /null|undefined/);
    });
  }

  it("an error answer carrying the \"Request proxied\" notice: the notice is reported, the error is the error", async function () {
    const notices: string[] = [];
    const client = clients.make(api.apiBase, { onNotice: (n) => notices.push(n) });
    const notice = "Request proxied. For faster response times, use this host instead: xx9.qualtrics.com";
    api.reply(notFound({ requestId: "0b1c2d3e-aaaa-4bbb-8ccc-123456789abc", notice }));
    const err = await failure<QualtricsApiError>(client.request({ method: "GET", path: "/distributions/EMD_5kQeTr2Wn8Zy1Ab/links" }));
    assert.equal(err.statusCode, 404);
    assert.equal(err.requestId, "0b1c2d3e-aaaa-4bbb-8ccc-123456789abc");
    assert.doesNotMatch(err.message, /proxied/);
    assert.deepEqual(notices, [notice]);
  });
});
