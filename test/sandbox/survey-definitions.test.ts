// GET /survey-definitions/{id}[/questions[/{qid}]] (docs/qualtrics-facts.md §8.1), as the sandbox answers it.
import assert from "node:assert/strict";
import { assertError, call, elements, listAll, obj, Obj, result } from "./test-helpers";
import { useSandbox } from "../support/fixtures";

describe("sandbox: survey definitions (§8.1)", () => {
  const sb = useSandbox();

  it("answers the definition of each seeded survey: Questions keyed by QID, blocks and flow, MySQL dates", async () => {
    const def = result(await call(sb, "GET", `/survey-definitions/${sb.seedIds.surveyIds[0]}`));
    assert.equal(def.SurveyID, sb.seedIds.surveyIds[0]);
    assert.equal(def.SurveyName, "Customer Satisfaction");
    assert.equal(def.SurveyStatus, "Active");
    assert.match(String(def.SurveyCreationDate), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const questions = obj(def.Questions);
    assert.deepEqual(Object.keys(questions), ["QID1", "QID2", "QID3"]);
    const block = Object.values(obj(def.Blocks))[0] as Obj;
    assert.deepEqual((block.BlockElements as Obj[]).map((e) => e.QuestionID), ["QID1", "QID2", "QID3"]);
    assert.equal(((obj(def.SurveyFlow).Flow as Obj[])[0]).ID, block.ID);
  });

  it("has questions whose texts (in HTML) and choices match the values of the responses it records", async () => {
    for (const surveyId of sb.seedIds.surveyIds) {
      const questions = obj(result(await call(sb, "GET", `/survey-definitions/${surveyId}`)).Questions);
      const survey = sb.state.surveys.get(surveyId)!;
      const { responseId } = await sb.completeResponse(surveyId);
      const values = survey.responses.get(responseId)!.values;
      for (const seeded of survey.questions) {
        const qid = seeded.qid.replace(/_TEXT$/, "");
        const q = obj(questions[qid], qid);
        assert.equal(q.QuestionID, qid);
        assert.match(String(q.QuestionText), /^<div>.*<\/div>$/);
        assert.equal(q.QuestionDescription, seeded.text);
        assert.ok(seeded.qid in values, `${seeded.qid} is a key of the response`);
        if (seeded.kind === "TE") {
          assert.equal(q.QuestionType, "TE");
          assert.ok(seeded.qid.endsWith("_TEXT"));
          assert.equal(q.Choices, undefined);
        } else {
          assert.equal(q.QuestionType, "MC");
          assert.equal(q.Selector, seeded.kind === "NPS" ? "NPS" : "SAVR");
          const choices = obj(q.Choices);
          assert.ok(String(values[seeded.qid]) in choices, `${qid}: the recorded value ${String(values[seeded.qid])} is a choice`);
          for (const [k, label] of Object.entries(seeded.choices!)) assert.equal(obj(choices[k]).Display, label);
          assert.equal((q.ChoiceOrder as unknown[]).length, Object.keys(choices).length);
        }
      }
    }
  });

  it("the NPS question has the choices 0 to 10", async () => {
    const q = obj(obj(result(await call(sb, "GET", `/survey-definitions/${sb.seedIds.surveyIds[0]}`)).Questions).QID1);
    assert.deepEqual(Object.keys(obj(q.Choices)), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
  });

  it("lists the questions as elements, paged, and answers one question", async () => {
    const surveyId = sb.seedIds.surveyIds[1];
    const els = elements(await call(sb, "GET", `/survey-definitions/${surveyId}/questions`));
    assert.deepEqual(els.map((e) => e.QuestionID), ["QID1", "QID2", "QID3"]);
    const { items, pages } = await listAll(sb, `/survey-definitions/${surveyId}/questions?pageSize=2`);
    assert.equal(items.length, 3);
    assert.equal(pages, 2);
    const one = result(await call(sb, "GET", `/survey-definitions/${surveyId}/questions/QID2`));
    assert.equal(one.QuestionDescription, "How satisfied are you with the support you received?");
  });

  it("404 for an unknown survey or question", async () => {
    assertError(await call(sb, "GET", "/survey-definitions/SV_000000000000000"), 404, /Survey not found/);
    assertError(await call(sb, "GET", "/survey-definitions/SV_000000000000000/questions"), 404);
    assertError(await call(sb, "GET", `/survey-definitions/${sb.seedIds.surveyIds[0]}/questions/QID9`), 404, /Question not found/);
  });

  it("needs the token like every API route", async () => {
    assertError(await call(sb, "GET", `/survey-definitions/${sb.seedIds.surveyIds[0]}`, { token: null }), 401);
  });
});
