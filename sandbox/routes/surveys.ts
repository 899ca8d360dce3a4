// Surveys and single responses (docs/qualtrics-facts.md §8.1, §6.5).
import { notFound, ok } from "../envelope";
import { pageByOffset } from "../pagination";
import { route, Route } from "../router";
import { SurveyRecord } from "../state";
import { getSurvey } from "./common";

export function surveySummary(s: SurveyRecord): Record<string, unknown> {
  return { id: s.id, name: s.name, ownerId: s.ownerId, lastModified: s.lastModified, creationDate: s.creationDate, isActive: s.isActive };
}

export const surveyRoutes: Route[] = [
  route("GET", "/surveys", (ctx) => {
    const all = [...ctx.state.surveys.values()].map(surveySummary);
    const { elements, nextPage } = pageByOffset(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/surveys/:surveyId", (ctx) => {
    const s = getSurvey(ctx, ctx.params.surveyId);
    // UNCONFIRMED (docs/qualtrics-facts.md §8.1): a subset of the "v3 survey" metadata format.
    const questions: Record<string, unknown> = {};
    for (const q of s.questions) {
      const id = q.qid.replace(/_TEXT$/, "");
      questions[id] = {
        questionType: q.kind === "TE" ? { type: "TE", selector: "ML", subSelector: null } : { type: "MC", selector: q.kind === "NPS" ? "NPS" : "SAVR", subSelector: "TX" },
        questionText: q.text,
        questionLabel: null,
        validation: { doesForceResponse: false },
        ...(q.choices ? { choices: Object.fromEntries(Object.entries(q.choices).map(([k, v]) => [k, { recode: k, description: v, choiceText: v, imageDescription: null, variableName: null, analyze: true }])) } : {}),
      };
    }
    return ok({
      id: s.id,
      name: s.name,
      ownerId: s.ownerId,
      organizationId: ctx.state.brandId,
      isActive: s.isActive,
      creation: { creationDate: s.creationDate },
      lastModifiedDate: s.lastModified,
      expiration: { startDate: null, endDate: null },
      questions,
      responseCounts: { auditable: s.responses.size, generated: 0, deleted: 0 },
    });
  }),

  route("GET", "/surveys/:surveyId/responses/:responseId", (ctx) => {
    const s = getSurvey(ctx, ctx.params.surveyId);
    const r = s.responses.get(ctx.params.responseId);
    if (!r) throw notFound(`Response not found: ${ctx.params.responseId}`);
    // UNCONFIRMED (docs/qualtrics-facts.md §6.5): result shape {responseId, values, labels, displayedFields, displayedValues}.
    return ok({
      responseId: r.responseId,
      values: { ...r.values },
      labels: { ...r.labels },
      displayedFields: [...r.displayedFields],
      displayedValues: { ...r.displayedValues },
    });
  }),
];
