// Creating a completed survey response (what a respondent pressing "Submit" does).
import { IdSource } from "./ids";
import { ResponseRecord, SurveyRecord } from "./state";
import { isoNoMillis } from "./validate";

export interface NewResponseOptions {
  values?: Record<string, unknown>;
  recipientId?: string;
  distributionId?: string;
}

/**
 * Builds and stores a response. values: startDate, endDate, status, progress, duration, finished,
 * recordedDate, distributionChannel, userLanguage, the question answers, then the caller's values.
 * // UNCONFIRMED (docs/qualtrics-facts.md §6.5): the exact keys and types of `values`.
 */
export function createResponse(survey: SurveyRecord, ids: IdSource, opts: NewResponseOptions, now: Date = new Date()): ResponseRecord {
  const responseId = ids.next("R_");
  const duration = 95;
  const start = new Date(now.getTime() - duration * 1000);
  const answers: Record<string, unknown> = {};
  for (const q of survey.questions) answers[q.qid] = q.defaultValue;
  const values: Record<string, unknown> = {
    startDate: isoNoMillis(start),
    endDate: isoNoMillis(now),
    status: 0,
    ipAddress: "127.0.0.1",
    progress: 100,
    duration,
    finished: 1,
    recordedDate: isoNoMillis(now),
    _recordId: responseId,
    distributionChannel: opts.distributionId ? "email" : "anonymous",
    userLanguage: "EN",
    ...answers,
    ...(opts.values ?? {}),
  };
  const labels: Record<string, unknown> = { status: "IP Address", finished: "True" };
  const displayedValues: Record<string, unknown> = {};
  for (const q of survey.questions) {
    if (!q.choices) continue;
    const label = q.choices[String(values[q.qid])];
    if (label !== undefined) labels[q.qid] = label;
    displayedValues[q.qid] = Object.keys(q.choices).map(Number);
  }
  const record: ResponseRecord = {
    responseId,
    surveyId: survey.id,
    values,
    labels,
    displayedFields: survey.questions.map((q) => q.qid),
    displayedValues,
    recipientId: opts.recipientId ?? "",
    distributionId: opts.distributionId ?? "",
  };
  survey.responses.set(responseId, record);
  return record;
}

export class UnknownSurveyError extends Error {
  constructor(readonly surveyId: string) {
    super(`Survey not found: ${surveyId}`);
    this.name = "UnknownSurveyError";
  }
}
