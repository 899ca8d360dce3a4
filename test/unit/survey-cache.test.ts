import assert from "node:assert/strict";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import { forgetCatalog, questionCatalog } from "../../src/survey-cache";
import { questionMap } from "../../src/survey-questions";
import { getSurvey, getSurveyDefinition, listSurveyQuestions, listSurveys } from "../../src/surveys";
import { fail, ok } from "../support/fake-servers";
import { failure, useClients } from "./helpers";
import { sleep } from "../support/wait";
import { okFirst, useRecordingServer } from "../support/fixtures";
import { SV } from "../support/ids";

const DEF = { SurveyID: SV, Questions: { QID1: { QuestionID: "QID1", QuestionType: "TE", QuestionText: "<p>Why?</p>" } } };

describe("surveys and the definition cache (docs/qualtrics-facts.md §8.1)", function () {
  const api = useRecordingServer(okFirst);
  const clients = useClients();

  describe("requests", function () {
    it("list: GET /surveys, following the offset nextPage", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [{ id: "SV_1" }], nextPage: `${api.apiBase}/surveys?offset=1` }), ok({ elements: [{ id: "SV_2" }], nextPage: null }));
      const got: unknown[] = [];
      for await (const p of listSurveys(client)) got.push(...p.elements);
      assert.deepEqual(got, [{ id: "SV_1" }, { id: "SV_2" }]);
      assert.equal(api.requests[0].path, "/API/v3/surveys");
      assert.deepEqual(api.requests[1].query, { offset: "1" });
    });

    it("get, definition and questions use their paths; a bad survey ID is refused before any request", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok({ elements: [{ QuestionID: "QID1" }], nextPage: null }));
      await getSurvey(client, SV);
      await getSurveyDefinition(client, SV);
      const q: unknown[] = [];
      for await (const p of listSurveyQuestions(client, SV)) q.push(...p.elements);
      assert.deepEqual(q, [{ QuestionID: "QID1" }]);
      assert.deepEqual(api.requests.map((r) => r.path), [`/API/v3/surveys/${SV}`, `/API/v3/survey-definitions/${SV}`, `/API/v3/survey-definitions/${SV}/questions`]);
      for (const call of [() => getSurvey(client, "CG_1"), () => getSurveyDefinition(client, ""), () => listSurveyQuestions(client, "SV_a/b")]) {
        const e = await failure<QualtricsInputError>(call);
        assert.ok(e instanceof QualtricsInputError);
        assert.equal(e.field, "surveyId");
      }
      assert.equal(api.requests.length, 3);
    });
  });

  describe("questionCatalog", function () {
    it("fetches the definition once and answers from the copy afterwards, per client", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok(DEF, { requestId: "rq-def" }));
      const first = await questionCatalog(client, SV);
      const second = await questionCatalog(client, SV);
      assert.deepEqual(questionMap(first.catalog), { QID1: "Why?" });
      assert.deepEqual([first.cached, second.cached], [false, true]);
      assert.equal(second.requestId, "rq-def");
      assert.equal(api.requests.length, 1);
      assert.equal(api.requests[0].path, `/API/v3/survey-definitions/${SV}`);
      // another account (client) has its own copy
      await questionCatalog(clients.make(api.apiBase), SV);
      assert.equal(api.requests.length, 2);
    });

    it("shares one request between messages asking at the same time", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ ...ok(DEF), delayMs: 50 });
      const [a, b] = await Promise.all([questionCatalog(client, SV), questionCatalog(client, SV)]);
      assert.deepEqual(questionMap(a.catalog), questionMap(b.catalog));
      assert.equal(api.requests.length, 1);
    });

    it("fetches again with refresh, after the time to live, and after forgetCatalog", async function () {
      const client = clients.make(api.apiBase);
      api.reply(ok(DEF));
      await questionCatalog(client, SV);
      assert.equal((await questionCatalog(client, SV, { refresh: true })).cached, false);
      assert.equal(api.requests.length, 2);
      await sleep(5);
      assert.equal((await questionCatalog(client, SV, { ttlMs: 1 })).cached, false);
      assert.equal(api.requests.length, 3);
      forgetCatalog(client, SV);
      await questionCatalog(client, SV);
      assert.equal(api.requests.length, 4);
    });

    it("does not keep a failure", async function () {
      const client = clients.make(api.apiBase, { retry: { retries: 0 } });
      api.reply(fail(500, "boom"), ok(DEF));
      const e = await failure<QualtricsApiError>(() => questionCatalog(client, SV));
      assert.equal(e.statusCode, 500);
      assert.equal((await questionCatalog(client, SV)).cached, false);
      assert.equal(api.requests.length, 2);
    });

    for (const status of [403, 404]) {
      it(`falls back to GET /surveys/{id} when the definition answers ${status}`, async function () {
        const client = clients.make(api.apiBase);
        api.reply((req) => (req.path.startsWith("/API/v3/survey-definitions") ? fail(status, "no") : ok({ questions: { QID1: { questionType: { type: "TE" }, questionText: "From v3" } } })));
        const got = await questionCatalog(client, SV);
        assert.equal(got.catalog.source, "surveys");
        assert.deepEqual(questionMap(got.catalog), { QID1: "From v3" });
        assert.deepEqual(api.requests.map((r) => r.path), [`/API/v3/survey-definitions/${SV}`, `/API/v3/surveys/${SV}`]);
      });
    }

    it("passes a 401 on without the fallback", async function () {
      const client = clients.make(api.apiBase);
      api.reply(fail(401, "invalid_client", "AUTH_6.0"));
      const e = await failure<QualtricsApiError>(() => questionCatalog(client, SV));
      assert.equal(e.statusCode, 401);
      assert.equal(api.requests.length, 1);
    });

    it("refuses a bad survey ID before any request", async function () {
      const client = clients.make(api.apiBase);
      const e = await failure<QualtricsInputError>(() => questionCatalog(client, undefined));
      assert.equal(e.field, "surveyId");
      assert.equal(api.requests.length, 0);
    });

    it("a caller's abort ends only its own wait; the shared request goes on for the others", async function () {
      const client = clients.make(api.apiBase);
      api.reply({ ...ok(DEF), delayMs: 80 });
      const ac = new AbortController();
      const mine = questionCatalog(client, SV, { signal: ac.signal });
      const other = questionCatalog(client, SV);
      ac.abort(new Error("node closed"));
      const e = await failure(() => mine);
      assert.match(e.message, /node closed/);
      assert.deepEqual(questionMap((await other).catalog), { QID1: "Why?" });
      assert.equal(api.requests.length, 1);
    });
  });
});
