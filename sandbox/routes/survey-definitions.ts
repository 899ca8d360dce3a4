// Survey definitions (docs/qualtrics-facts.md §8.1): GET /survey-definitions/{id}, .../questions and
// .../questions/{questionId}, built from the seeded surveys so the question IDs, texts and choices
// match the values of the responses the sandbox records (QID1, QID2, QID3_TEXT).
import { notFound, ok } from "../envelope";
import { escapeHtml } from "../http-io";
import { pageBySkipToken } from "../pagination";
import { route, Route } from "../router";
import { QuestionRecord, SurveyRecord } from "../state";
import { Obj } from "../validate";
import { getSurvey } from "./common";

/** §5.7 ([KONFIG]): "Date fields in this API use MySQL DateTime instead of ISO-8601". */
function mysqlDate(iso: string): string {
  return iso.replace("T", " ").replace(/(\.\d+)?Z$/, "");
}

/** the question's ID: a text entry answers as QID3_TEXT, the question itself is QID3 */
export function questionId(q: QuestionRecord): string {
  return q.qid.replace(/_TEXT$/, "");
}

function questionDefinition(q: QuestionRecord, index: number): Obj {
  const id = questionId(q);
  // Qualtrics stores question texts as HTML from its rich-text editor
  const common: Obj = {
    QuestionID: id,
    DataExportTag: `Q${index + 1}`,
    QuestionText: `<div><span style="font-size:16px;">${escapeHtml(q.text)}</span></div>`,
    QuestionDescription: q.text,
    DefaultChoices: false,
    DataVisibility: { Private: false, Hidden: false },
    Validation: { Settings: { ForceResponse: "OFF", ForceResponseType: "ON", Type: "None" } },
    GradingData: [],
    Language: [],
    NextChoiceId: 1,
    NextAnswerId: 1,
  };
  if (q.kind === "TE") {
    return {
      ...common,
      QuestionType: "TE",
      Selector: "ML",
      Configuration: { QuestionDescriptionOption: "UseText", InputWidth: 680, InputHeight: 29 },
      SearchSource: { AllowFreeResponse: "false" },
    };
  }
  const keys = Object.keys(q.choices ?? {});
  const choices = Object.fromEntries(keys.map((k) => [k, { Display: q.choices![k] }]));
  // UNCONFIRMED (docs/qualtrics-facts.md §8.1): the NPS selector's exact keys; its choices are 0..10
  return {
    ...common,
    QuestionType: "MC",
    Selector: q.kind === "NPS" ? "NPS" : "SAVR",
    SubSelector: "TX",
    Configuration: { QuestionDescriptionOption: "UseText" },
    Choices: choices,
    ChoiceOrder: keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
    ...(q.kind === "NPS" ? { ColumnLabels: [] } : {}),
    NextChoiceId: keys.length + 1,
  };
}

function blockId(s: SurveyRecord): string {
  return `BL_${s.id.slice(3)}`;
}

export function surveyDefinition(s: SurveyRecord, brandId: string): Obj {
  const questions: Obj = {};
  s.questions.forEach((q, i) => {
    questions[questionId(q)] = questionDefinition(q, i);
  });
  const block = blockId(s);
  return {
    SurveyID: s.id,
    SurveyName: s.name,
    SurveyDescription: null,
    SurveyOwnerID: s.ownerId,
    SurveyBrandID: brandId,
    DivisionID: null,
    SurveyLanguage: "EN",
    SurveyActiveResponseSet: `RS_${s.id.slice(3)}`,
    SurveyStatus: s.isActive ? "Active" : "Inactive",
    SurveyStartDate: "0000-00-00 00:00:00",
    SurveyExpirationDate: "0000-00-00 00:00:00",
    SurveyCreationDate: mysqlDate(s.creationDate),
    CreatorID: s.ownerId,
    LastModified: mysqlDate(s.lastModified),
    LastAccessed: mysqlDate(s.lastModified),
    LastActivated: mysqlDate(s.lastModified),
    Deleted: null,
    ProjectCategory: "CORE",
    ProjectType: "CX",
    Questions: questions,
    Blocks: {
      [block]: {
        Type: "Default",
        Description: "Default Question Block",
        ID: block,
        BlockElements: s.questions.map((q) => ({ Type: "Question", QuestionID: questionId(q) })),
      },
    },
    SurveyFlow: { FlowID: "FL_1", Type: "Root", Flow: [{ ID: block, Type: "Block", FlowID: "FL_2" }], Properties: { Count: 2 } },
    SurveyOptions: { BackButton: "false", SaveAndContinue: "true", SurveyProtection: "PublicSurvey", ProgressBarDisplay: "None", SurveyLanguage: "EN" },
    ResponseSets: { [`RS_${s.id.slice(3)}`]: { Description: "Default Response Set", Type: "Default" } },
  };
}

export const surveyDefinitionRoutes: Route[] = [
  route("GET", "/survey-definitions/:surveyId", (ctx) => ok(surveyDefinition(getSurvey(ctx, ctx.params.surveyId), ctx.state.brandId))),

  route("GET", "/survey-definitions/:surveyId/questions", (ctx) => {
    const s = getSurvey(ctx, ctx.params.surveyId);
    const all = s.questions.map((q, i) => questionDefinition(q, i));
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/survey-definitions/:surveyId/questions/:questionId", (ctx) => {
    const s = getSurvey(ctx, ctx.params.surveyId);
    const index = s.questions.findIndex((q) => questionId(q) === ctx.params.questionId);
    if (index < 0) throw notFound(`Question not found: ${ctx.params.questionId}`);
    return ok(questionDefinition(s.questions[index], index));
  }),
];
