// Surveys (docs/qualtrics-facts.md §8.1): the list, a survey's metadata, its definition and its questions.
import type { ApiResponse, QualtricsClient } from "./client";
import { Page, pages } from "./paginate";
import { requireId } from "./validate";

export interface SurveyListOptions {
  /** stop after this many surveys; 0 or undefined = all */
  limit?: number;
  signal?: AbortSignal;
}

/**
 * Pages of the surveys the token's user owns or can access (not the whole brand). Offset paging:
 * nextPage carries `offset=N` (§3.2) and is followed as it comes.
 */
export function listSurveys(client: QualtricsClient, opts: SurveyListOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  return pages(client, "/surveys", { limit: opts.limit, signal: opts.signal });
}

function surveyIdOf(surveyId: unknown): string {
  return encodeURIComponent(requireId("surveyId", surveyId, "survey"));
}

/** GET /surveys/{id}: the "v3 survey" metadata (name, isActive, questions, exportColumnMap, responseCounts). */
export function getSurvey(client: QualtricsClient, surveyId: unknown, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "GET", path: `/surveys/${surveyIdOf(surveyId)}`, signal });
}

/** GET /survey-definitions/{id}: the full definition (Questions, Blocks, SurveyFlow, SurveyOptions, ...). */
export function getSurveyDefinition(client: QualtricsClient, surveyId: unknown, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "GET", path: `/survey-definitions/${surveyIdOf(surveyId)}`, signal });
}

/** GET /survey-definitions/{id}/questions → result.elements, page by page should there be more than one. */
export function listSurveyQuestions(client: QualtricsClient, surveyId: unknown, signal?: AbortSignal): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = `/survey-definitions/${surveyIdOf(surveyId)}/questions`;
  return pages(client, path, { signal });
}
