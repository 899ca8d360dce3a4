// What the fault suite's fuzz run (test/faults/fuzz.test.ts) found, pinned down one case each.
import assert from "node:assert/strict";
import { QualtricsClient } from "../../src/client";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { idText, toQualtricsDate, typeName } from "../../src/validate";
import { leafBytes } from "../../nodes/lib/http-route";
import { useRecordingServer } from "../support/fixtures";

describe("hostile input (found by the fuzz run)", function () {
  it("an ID that is an object is refused by its type, not quoted as [object Object]", function () {
    assert.throws(() => idText("surveyId", { a: 1 }), (e: Error) => e instanceof QualtricsInputError && e.message === "surveyId: must be a string, got an object");
    assert.throws(() => idText("directoryId", ["POOL_1"]), /directoryId: must be a string, got an array/);
    assert.equal(idText("contactId", undefined), "");
    assert.equal(idText("contactId", null), "");
    assert.equal(idText("contactId", "CID_1"), "CID_1");
  });

  it("a missing value is 'nothing', not 'a undefined'", function () {
    assert.equal(typeName(undefined), "nothing");
    assert.equal(typeName(10n), "a BigInt");
    assert.throws(() => toQualtricsDate("sendDate", undefined), /^Qualtrics: sendDate: must be an ISO 8601 string, epoch milliseconds or a Date, got nothing$/);
  });

  it("an error about a 1 MB path is not 1 MB long", function () {
    const e = new QualtricsApiError({ method: "GET", path: "/API/v3/" + "x".repeat(1 << 20), statusCode: 431 });
    assert.ok(e.message.length < 400, `${e.message.length} characters`);
    assert.match(e.message, /… \(1048584 characters\)\)$/);
    assert.equal(e.path.length, 1048584, "the error keeps the whole path");
  });

  it("a parsed body is measured from below: never more than it was, and a large one is seen as large", function () {
    const text = new URLSearchParams({ Topic: "t", MSG: "m".repeat(70_000) }).toString();
    const size = leafBytes(Object.fromEntries(new URLSearchParams(text)), Infinity);
    assert.ok(size <= Buffer.byteLength(text) && size > 70_000);
    const json = JSON.stringify({ a: ["é".repeat(100), 1e100, { b: "x" }] });
    assert.ok(leafBytes(JSON.parse(json), Infinity) <= Buffer.byteLength(json));
    assert.ok(leafBytes(new URLSearchParams(text), Infinity) <= Buffer.byteLength(text));
    // it stops counting once past the limit
    assert.ok(leafBytes(Array.from({ length: 100_000 }, () => "abcdefghij"), 100) < 200);
  });

  describe("a request the HTTP client cannot send", function () {
    const api = useRecordingServer();

    it("fails at once, says so, and is not 'a connection failure that may have succeeded'", async function () {
      const client = new QualtricsClient({ baseUrl: api.apiBase, auth: () => ({ "X-API-TOKEN": "t" }), retry: { baseMs: 5, retries: 3 } });
      try {
        await assert.rejects(
          client.request({ method: "POST", path: "/surveys", headers: { "x-a": "b\r\nX-Injected: 1" }, body: { a: 1 } }),
          (e: QualtricsApiError) => {
            assert.ok(e instanceof QualtricsApiError);
            assert.match(e.message, /the request could not be sent/);
            assert.doesNotMatch(e.message, /connection failed|may have succeeded/);
            assert.equal(e.mayHaveSucceeded, false);
            assert.equal(e.attempts, 1);
            return true;
          },
        );
        assert.equal(api.requests.length, 0);
      } finally {
        await client.close(0);
      }
    });
  });
});
