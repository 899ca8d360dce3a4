import assert from "node:assert/strict";
import { catalogFromDefinition, catalogFromSurvey, choiceMap, labelResponse, questionMap, responseValues, stripHtml } from "../../src/survey-questions";
import { SV } from "../support/ids";

/** a survey-definitions result (§8.1) with the question kinds the labelling knows */
const DEFINITION = {
  SurveyID: SV,
  SurveyName: "Everything",
  Questions: {
    QID1: { QuestionID: "QID1", QuestionType: "MC", Selector: "NPS", DataExportTag: "Q1", QuestionText: "<div>How <b>likely</b>&nbsp;are you to recommend us?</div>",
      Choices: Object.fromEntries(Array.from({ length: 11 }, (_, n) => [String(n), { Display: String(n) }])) },
    QID2: { QuestionID: "QID2", QuestionType: "MC", Selector: "SAVR", DataExportTag: "Q2", QuestionText: "Overall, how satisfied are you?",
      Choices: { "1": { Display: "Very dissatisfied" }, "2": { Display: "<i>Satisfied</i>" }, "4": { Display: "Other" } }, RecodeValues: { "1": "10", "2": "20" } },
    QID3: { QuestionID: "QID3", QuestionType: "TE", Selector: "ML", DataExportTag: "Q3", QuestionText: "What could we do better?" },
    QID4: { QuestionID: "QID4", QuestionType: "Matrix", Selector: "Likert", DataExportTag: "Q4", QuestionText: "Rate us",
      Choices: { "1": { Display: "Speed" }, "2": { Display: "Price" } }, Answers: { "1": { Display: "Bad" }, "2": { Display: "Good" } } },
    QID5: { QuestionID: "QID5", QuestionType: "MC", Selector: "MAVR", DataExportTag: "Q5", QuestionText: "Which did you use?",
      Choices: { "1": { Display: "Web" }, "2": { Display: "App" }, "3": { Display: "Phone" } } },
    QID6: { QuestionID: "QID6", QuestionType: "DB", Selector: "TB", QuestionText: "Thank you for taking part." },
    QID7: { QuestionID: "QID7", QuestionType: "TE", Selector: "FORM", DataExportTag: "Q7", QuestionText: "Your details",
      Choices: { "1": { Display: "Name" }, "2": { Display: "City" } } },
    QID8: { QuestionID: "QID8", QuestionType: "MC", Selector: "SAVR", DataExportTag: "Q8", QuestionText: "", QuestionDescription: "Plain description" },
  },
  Blocks: {},
};

describe("survey questions (docs/qualtrics-facts.md §8.1)", function () {
  describe("stripHtml", function () {
    it("takes out tags, scripts and styles, decodes entities and collapses whitespace", function () {
      assert.equal(stripHtml('<div><span style="font-size:16px;">How&nbsp;likely?</span></div>'), "How likely?");
      assert.equal(stripHtml("Line one<br>line two</p><p>three"), "Line one line two three");
      assert.equal(stripHtml("Tom &amp; Jerry&#39;s &lt;show&gt; &#x2713; &quot;ok&quot; &unknown;"), "Tom & Jerry's <show> ✓ \"ok\" &unknown;");
      assert.equal(stripHtml("<script>alert(1)</script>Hi<style>p{}</style>"), "Hi");
      assert.equal(stripHtml("  a \n\t b  "), "a b");
      assert.equal(stripHtml(undefined), "");
      assert.equal(stripHtml(42), "");
    });
  });

  describe("catalogFromDefinition", function () {
    const cat = catalogFromDefinition(SV, DEFINITION);

    it("keeps the questions in order, without descriptive text, with texts stripped of HTML", function () {
      assert.equal(cat.source, "survey-definitions");
      assert.deepEqual(questionMap(cat), {
        QID1: "How likely are you to recommend us?",
        QID2: "Overall, how satisfied are you?",
        QID3: "What could we do better?",
        QID4: "Rate us",
        QID5: "Which did you use?",
        QID7: "Your details",
        QID8: "Plain description",
      });
    });

    it("maps answer values to labels, by recode where there is one; a matrix by its scale", function () {
      const choices = choiceMap(cat);
      assert.equal(choices.QID1["9"], "9");
      assert.deepEqual(choices.QID2, { "10": "Very dissatisfied", "20": "Satisfied", "4": "Other" });
      assert.deepEqual(choices.QID4, { "1": "Bad", "2": "Good" });
      assert.equal(choices.QID3, undefined, "text entry has no labels");
      assert.equal(choices.QID7, undefined, "a form's fields are not answers");
    });

    it("reads the /questions endpoint's elements (an array, or the result with elements) the same way", function () {
      const elements = Object.values(DEFINITION.Questions);
      assert.deepEqual(questionMap(catalogFromDefinition(SV, elements)), questionMap(cat));
      assert.deepEqual(questionMap(catalogFromDefinition(SV, { elements, nextPage: null })), questionMap(cat));
    });

    it("gives an empty catalogue for something that is not a definition, and drops prototype keys", function () {
      assert.deepEqual(catalogFromDefinition(SV, "nope").questions, []);
      const hostile = JSON.parse('{"Questions": {"__proto__": {"QuestionText": "x"}, "QID1": {"QuestionText": "ok", "Choices": {"__proto__": {"Display": "y"}}}}}');
      const c = catalogFromDefinition(SV, hostile);
      assert.deepEqual(questionMap(c), { QID1: "ok" });
      assert.equal(({} as Record<string, unknown>).QuestionText, undefined);
    });
  });

  describe("catalogFromSurvey (the v3 survey format of GET /surveys/{id})", function () {
    it("reads questionText, choices by recode and matrix subQuestions", function () {
      const cat = catalogFromSurvey(SV, {
        questions: {
          QID1: { questionType: { type: "MC", selector: "SAVR" }, questionText: "<p>Pick one</p>", choices: { "1": { recode: "5", description: "Yes", choiceText: "<b>Yes</b>" } } },
          QID2: { questionType: { type: "Matrix", selector: "Likert" }, questionText: "Rate", choices: { "1": { recode: "1", description: "Bad" } }, subQuestions: { "1": { description: "Speed" } } },
          QID3: { questionType: { type: "TE", selector: "SL" }, questionText: "Comment" },
          QID4: { questionType: { type: "DB" }, questionText: "Intro" },
        },
      });
      assert.equal(cat.source, "surveys");
      assert.deepEqual(questionMap(cat), { QID1: "Pick one", QID2: "Rate", QID3: "Comment" });
      assert.deepEqual(choiceMap(cat), { QID1: { "5": "Yes" }, QID2: { "1": "Bad" } });
      assert.deepEqual(labelResponse(cat, { values: { QID1: 5, QID2_1: 1, QID3_TEXT: "fine" } }), { "Pick one": "Yes", "Rate - Speed": "Bad", Comment: "fine" });
    });
  });

  describe("labelResponse", function () {
    const cat = catalogFromDefinition(SV, DEFINITION);

    it("uses question texts as keys and answer labels as values, for each kind of answer key", function () {
      const response = {
        responseId: "R_1",
        values: {
          startDate: "2024-03-01T09:00:00Z", finished: 1, customerTier: "gold",
          QID1: 9, QID1_NPS_GROUP: 3, QID2: "20", QID2_4_TEXT: "my own answer", QID3_TEXT: "Faster delivery",
          QID4_1: 2, QID4_2: 1, QID5: [1, 3], QID7_1: "Jane", QID7_2: "Berlin", QID99: "unknown question", "1_QID1": 4,
        },
        labels: { QID1_NPS_GROUP: "Promoter" },
      };
      assert.deepEqual(labelResponse(cat, response), {
        "How likely are you to recommend us?": "9",
        "How likely are you to recommend us? (NPS group)": "Promoter",
        "Overall, how satisfied are you?": "Satisfied",
        "Overall, how satisfied are you? - Other (text)": "my own answer",
        "What could we do better?": "Faster delivery",
        "Rate us - Speed": "Good",
        "Rate us - Price": "Bad",
        "Which did you use?": ["Web", "Phone"],
        "Your details - Name": "Jane",
        "Your details - City": "Berlin",
        QID99: "unknown question",
        "1_QID1": 4,
      });
    });

    it("prefers the response's own labels, and keeps a value it cannot label", function () {
      const got = labelResponse(cat, { values: { QID2: "10", QID4_1: 7 }, labels: { QID2: "Not happy" } });
      assert.deepEqual(got, { "Overall, how satisfied are you?": "Not happy", "Rate us - Speed": 7 });
    });

    it("takes the values object on its own, and keeps two questions with the same text apart", function () {
      const twins = catalogFromDefinition(SV, { Questions: { QID1: { QuestionText: "Why?" }, QID2: { QuestionText: "Why?" } } });
      assert.deepEqual(labelResponse(twins, { QID1: "a", QID2: "b" }), { "Why?": "a", "Why? (QID2)": "b" });
    });

    it("never makes a prototype key from a question text", function () {
      const evil = catalogFromDefinition(SV, { Questions: { QID1: { QuestionText: "__proto__" } } });
      const got = labelResponse(evil, { values: { QID1: "x" } })!;
      assert.deepEqual(Object.keys(got), ["__proto__ (QID1)"]);
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
    });

    it("is undefined for something that is not a response", function () {
      assert.equal(labelResponse(cat, { topic: "x", responseId: "R_1" }), undefined);
      assert.equal(labelResponse(cat, "text"), undefined);
      assert.equal(responseValues([1, 2]), undefined);
    });
  });
});
