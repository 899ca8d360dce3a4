import assert from "node:assert/strict";
import { errorText, QualtricsApiError, QualtricsInputError } from "../../src/errors";

describe("errors", function () {
  it("QualtricsInputError names the field first", function () {
    const e = new QualtricsInputError("recipients.mailingListId", "is required");
    assert.equal(e.field, "recipients.mailingListId");
    assert.equal(e.message, "recipients.mailingListId: is required");
    // Node-RED shows `name: message`: the first word says which service, not which class
    assert.equal(e.name, "Qualtrics");
    assert.equal(String(e), "Qualtrics: recipients.mailingListId: is required");
    assert.ok(e instanceof Error);
  });

  it("QualtricsApiError text carries status, message, code, requestId, method and path", function () {
    const e = new QualtricsApiError({
      statusCode: 500,
      httpStatus: "500 - Internal Server Error",
      errorCode: "SURVEYS_1.2",
      errorMessage: "Something went wrong",
      requestId: "rq-1",
      method: "POST",
      path: "/API/v3/distributions",
      mayHaveSucceeded: true,
      attempts: 1,
    });
    assert.match(e.message, /^Qualtrics 500 - Internal Server Error: Something went wrong/);
    assert.match(e.message, /errorCode SURVEYS_1\.2/);
    assert.match(e.message, /requestId rq-1/);
    assert.match(e.message, /POST \/API\/v3\/distributions/);
    assert.match(e.message, /may have succeeded/);
    assert.doesNotMatch(e.message, /attempts/);
    assert.equal(e.mayHaveSucceeded, true);
    assert.equal(e.attempts, 1);
  });

  it("falls back to the status code and the summary; counts attempts", function () {
    const e = new QualtricsApiError({ statusCode: 502, method: "GET", path: "/API/v3/x", attempts: 4 }, "answered with an HTML page");
    assert.match(e.message, /^Qualtrics 502: answered with an HTML page/);
    assert.match(e.message, /after 4 attempts/);
    assert.equal(e.mayHaveSucceeded, false);
    const n = new QualtricsApiError({ method: "GET", path: "/API/v3/x" });
    assert.match(n.message, /^Qualtrics request failed: no error message/);
  });

  it("errorText works for errors and anything else", function () {
    assert.equal(errorText(new Error("boom")), "boom");
    assert.equal(errorText("plain"), "plain");
    assert.equal(errorText(42), "42");
  });
});
