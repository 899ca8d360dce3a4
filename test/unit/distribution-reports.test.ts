import assert from "node:assert/strict";
import { distributionHistory, getDistribution, listDistributionLinks, listDistributions, listDistributionsQuery } from "../../src/distribution-reports";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { fail, ok, Recorded, Reply } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { SV, ML, EMD } from "../support/ids";

async function inputError(p: () => unknown, field: string, problem?: RegExp): Promise<void> {
  const e = await failure<QualtricsInputError>(p);
  assert.ok(e instanceof QualtricsInputError, e.message);
  assert.equal(e.field, field);
  if (problem) assert.match(e.message, problem);
}

async function all(gen: AsyncIterable<{ elements: unknown[] }>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const p of gen) out.push(...p.elements);
  return out;
}

describe("distribution reports (docs/qualtrics-facts.md §5.3, §5.4)", function () {
  const api = useRecordingServer(okFirst);
  const clients = useClients();

  /** page 1 names page 2 by an absolute nextPage with a skipToken */
  const twoPages = (first: unknown[], second: unknown[]) => (req: Recorded): Reply =>
    req.query.skipToken === "P2" ? ok({ elements: second, nextPage: null }) : ok({ elements: first, nextPage: `${api.url}${req.url}&skipToken=P2` });

  describe("list", function () {
    it("GET /distributions with surveyId, the filters and useNewPaginationScheme, following nextPage", async function () {
      const client = clients.make(api.apiBase);
      api.reply(twoPages([{ id: "EMD_1" }], [{ id: "EMD_2" }]));
      const got = await all(listDistributions(client, {
        surveyId: SV, distributionRequestType: "invite", mailingListId: ML, sendStartDate: "2024-01-01", sendEndDate: Date.parse("2024-02-01T00:00:00Z"),
      }));
      assert.deepEqual(got, [{ id: "EMD_1" }, { id: "EMD_2" }]);
      assert.equal(api.requests[0].path, "/API/v3/distributions");
      assert.deepEqual(api.requests[0].query, {
        surveyId: SV, useNewPaginationScheme: "true", distributionRequestType: "Invite", mailingListId: ML,
        sendStartDate: "2024-01-01T00:00:00Z", sendEndDate: "2024-02-01T00:00:00Z",
      });
      assert.equal(api.requests[1].query.skipToken, "P2");
      assert.equal(api.requests[1].query.surveyId, SV);
    });

    it("stops at the limit", async function () {
      const client = clients.make(api.apiBase);
      api.reply(twoPages([{ id: "EMD_1" }, { id: "EMD_2" }], [{ id: "EMD_3" }]));
      assert.deepEqual(await all(listDistributions(client, { surveyId: SV }, { limit: 1 })), [{ id: "EMD_1" }]);
      assert.equal(api.requests.length, 1);
    });

    const refusals: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ["no survey", {}, "surveyId", /required/],
      ["a survey ID of the wrong kind", { surveyId: "CG_1" }, "surveyId", /SV_/],
      ["an unknown type", { surveyId: SV, distributionRequestType: "Broadcast" }, "distributionRequestType", /Invite/],
      ["a mailing list of the wrong kind", { surveyId: SV, mailingListId: "SV_1" }, "mailingListId"],
      ["a bad start date", { surveyId: SV, sendStartDate: "yesterday" }, "sendStartDate"],
      ["an end before the start", { surveyId: SV, sendStartDate: "2024-02-01", sendEndDate: "2024-01-01" }, "sendEndDate", /after sendStartDate/],
    ];
    for (const [what, input, field, problem] of refusals) {
      it(`refuses ${what} when called, naming ${field}, with no request`, async function () {
        const client = clients.make(api.apiBase);
        await inputError(() => listDistributions(client, input), field, problem);
        await inputError(() => listDistributionsQuery(input), field, problem);
        assert.equal(api.requests.length, 0);
      });
    }
  });

  describe("get", function () {
    it("GET /distributions/{id}?surveyId=", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ id: EMD, requestType: "Invite" }));
      const res = await getDistribution(client, EMD, SV);
      assert.deepEqual(res.result, { id: EMD, requestType: "Invite" });
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}`);
      assert.deepEqual(api.requests[0].query, { surveyId: SV });
    });

    it("needs the survey and an EMD_ ID", async function () {
      const client = clients.make(api.apiBase);
      await inputError(() => getDistribution(client, EMD, undefined), "surveyId", /required/);
      await inputError(() => getDistribution(client, "SMSD_1", SV), "distributionId", /EMD_/);
      await inputError(() => getDistribution(client, "EMD_../x", SV), "distributionId");
      assert.equal(api.requests.length, 0);
    });
  });

  describe("links", function () {
    it("GET /distributions/{id}/links?surveyId=, every page", async function () {
      const client = clients.make(api.apiBase);
      api.reply(twoPages([{ contactId: "CID_1", link: "https://x/1" }], [{ contactId: "CID_2", link: "https://x/2" }]));
      const got = await all(listDistributionLinks(client, EMD, SV));
      assert.deepEqual(got.map((l) => (l as { contactId: string }).contactId), ["CID_1", "CID_2"]);
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/links`);
      assert.deepEqual(api.requests[0].query, { surveyId: SV });
      assert.deepEqual(api.requests[1].query, { surveyId: SV, skipToken: "P2" });
    });

    it("refuses a missing survey before any request", async function () {
      const client = clients.make(api.apiBase);
      await inputError(() => listDistributionLinks(client, EMD, ""), "surveyId");
      await inputError(() => listDistributionLinks(client, undefined, SV), "distributionId");
      assert.equal(api.requests.length, 0);
    });

    it("turns the 500 of a distribution without links into an error that says what it is", async function () {
      const client = clients.make(api.apiBase, { retry: { retries: 0 } });
      api.reply((req) => (req.path.endsWith("/links") ? fail(500, "Internal server error", "SERVER_1.0") : ok({ id: EMD, requestType: "Invite" })));
      const e = await failure<QualtricsApiError>(() => all(listDistributionLinks(client, EMD, SV)));
      assert.ok(e instanceof QualtricsApiError);
      assert.equal(e.statusCode, 500);
      assert.equal(e.mayHaveSucceeded, false);
      assert.match(e.message, new RegExp(`${EMD} is a "Invite" distribution; only generated-links distributions \\(GeneratedInvite\\) have links`));
      assert.match(e.message, /generate links/);
      assert.equal(api.requests[1].path, `/API/v3/distributions/${EMD}`);
      assert.deepEqual(api.requests[1].query, { surveyId: SV });
    });

    it("still explains the 500 when the distribution cannot be read", async function () {
      const client = clients.make(api.apiBase, { retry: { retries: 0 } });
      api.reply((req) => (req.path.endsWith("/links") ? fail(500, "Internal server error") : fail(404, "Not found")));
      const e = await failure<QualtricsApiError>(() => all(listDistributionLinks(client, EMD, SV)));
      assert.match(e.message, /answers 500 here when .* is not a generated-links distribution/);
    });

    it("passes other errors on as they are", async function () {
      const client = clients.make(api.apiBase, { retry: { retries: 0 } });
      api.reply(fail(404, "Distribution not found"));
      const e = await failure<QualtricsApiError>(() => all(listDistributionLinks(client, EMD, SV)));
      assert.equal(e.statusCode, 404);
      assert.match(e.message, /Distribution not found/);
      assert.doesNotMatch(e.message, /generated-links/);
      assert.equal(api.requests.length, 1);
    });
  });

  describe("history", function () {
    it("GET /distributions/{id}/history without surveyId, every page", async function () {
      const client = clients.make(api.apiBase);
      api.reply(
        ok({ elements: [{ contactId: "CID_1", status: "SurveyFinished" }], nextPage: `${api.apiBase}/distributions/${EMD}/history?skipToken=P2` }),
        ok({ elements: [{ contactId: "CID_2", status: "Success" }], nextPage: null }),
      );
      const got = await all(distributionHistory(client, EMD));
      assert.deepEqual(got, [{ contactId: "CID_1", status: "SurveyFinished" }, { contactId: "CID_2", status: "Success" }]);
      assert.equal(api.requests[0].path, `/API/v3/distributions/${EMD}/history`);
      assert.deepEqual(api.requests[0].query, {});
      assert.deepEqual(api.requests[1].query, { skipToken: "P2" });
    });

    it("refuses a distribution ID of the wrong kind", async function () {
      const client = clients.make(api.apiBase);
      await inputError(() => distributionHistory(client, "SV_1"), "distributionId", /EMD_/);
      assert.equal(api.requests.length, 0);
    });
  });
});
