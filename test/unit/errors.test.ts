import assert from "node:assert/strict";
import { errorText, QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { ExportFailedError } from "../../src/export";
import { ExportFileError } from "../../src/export-records";
import { ZipFormatError } from "../../src/export-zip";
import { LimiterClosedError } from "../../src/limiter";
import { PollTimeoutError } from "../../src/poll";
import { BulkUpdateError } from "../../src/responses";

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

  it("every error a user sees reads `Qualtrics...` where Node-RED shows it (Catch, debug, log: String(err)), never a class name", function () {
    const api = new QualtricsApiError({ method: "GET", path: "/API/v3/surveys", statusCode: 404, errorMessage: "Survey not found." });
    const all: Error[] = [
      new QualtricsInputError("surveyId", "is required"),
      api,
      new ExportFailedError("/API/v3/surveys/SV_1/export-responses/ES_1", "rq-1"),
      new BulkUpdateError(api, [], 1, 2, 10_000),
      new ExportFileError("not a zip"),
      new ZipFormatError("damaged"),
      new LimiterClosedError(),
      new PollTimeoutError("the import", 1000, 3, undefined),
    ];
    for (const e of all) {
      assert.equal(e.name, "Qualtrics", e.constructor.name);
      assert.match(String(e), /^Qualtrics[ :]/, e.constructor.name);
      assert.doesNotMatch(String(e), /Error:/, e.constructor.name);
    }
    // the API error's message already starts with "Qualtrics": it is not said twice
    assert.equal(String(api), "Qualtrics 404: Survey not found. (GET /API/v3/surveys)");
    assert.equal(String(all[0]), "Qualtrics: surveyId: is required");
  });
});
