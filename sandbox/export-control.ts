// Sandbox controls for response exports (never under /API/v3, no token):
//   POST /__sandbox/surveys/:surveyId/responses/generate  {count, inProgress?}  → {count, responseIds}
//   POST /__sandbox/surveys/:surveyId/exports/fail        {times?}              → the next exports of the survey fail
// Also callable in-process by tests.
import { Answer, jsonAnswer } from "./http-io";
import { cryptoIds } from "./ids";
import { createResponse, UnknownSurveyError } from "./responses";
import { exportStore } from "./routes/export";
import { SandboxState } from "./state";

/** at most this many responses per generate call */
export const MAX_GENERATE = 100_000;

export interface GenerateOptions {
  /** partial responses (finished 0), which only an export with exportResponsesInProgress includes */
  inProgress?: boolean;
}

/**
 * Stores `count` completed responses with varied answers (no webhooks are sent), as if that many
 * respondents had submitted the survey just now.
 */
export function generateResponses(state: SandboxState, surveyId: string, count: number, opts: GenerateOptions = {}): string[] {
  const survey = state.surveys.get(surveyId);
  if (!survey) throw new UnknownSurveyError(surveyId);
  if (!Number.isInteger(count) || count < 1 || count > MAX_GENERATE) throw new RangeError(`count must be a whole number from 1 to ${MAX_GENERATE}`);
  const ids: string[] = [];
  const base = survey.responses.size;
  for (let i = 0; i < count; i++) {
    const n = base + i;
    const values: Record<string, unknown> = {};
    for (const q of survey.questions) {
      if (q.choices) {
        const keys = Object.keys(q.choices);
        values[q.qid] = Number(keys[n % keys.length]);
      } else {
        values[q.qid] = `Generated answer ${n + 1}`;
      }
    }
    if (opts.inProgress) Object.assign(values, { finished: 0, progress: 50 });
    const r = createResponse(survey, cryptoIds, { values });
    ids.push(r.responseId);
  }
  return ids;
}

/** The next `times` exports of the survey end with status "failed" (§7.3). */
export function failExports(state: SandboxState, surveyId: string, times = 1): void {
  if (!state.surveys.has(surveyId)) throw new UnknownSurveyError(surveyId);
  if (!Number.isInteger(times) || times < 1) throw new RangeError("times must be a positive whole number");
  const store = exportStore(state);
  store.failNext.set(surveyId, (store.failNext.get(surveyId) ?? 0) + times);
}

/** How many progress checks an export needs before it is complete (default 3). */
export function setExportPolls(state: SandboxState, polls: number): void {
  if (!Number.isInteger(polls) || polls < 1) throw new RangeError("polls must be a positive whole number");
  exportStore(state).pollsToComplete = polls;
}

/** The HTTP side of the controls above; undefined when the request is not one of them. */
export function handleExportControl(state: SandboxState, method: string, path: string, rawBody: string): Answer | undefined {
  const gen = /^\/__sandbox\/surveys\/([^/]+)\/responses\/generate$/.exec(path);
  const fail = /^\/__sandbox\/surveys\/([^/]+)\/exports\/fail$/.exec(path);
  if ((!gen && !fail) || method !== "POST") return undefined;
  let body: Record<string, unknown> = {};
  try {
    const parsed = rawBody.trim() === "" ? {} : (JSON.parse(rawBody) as unknown);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return jsonAnswer(400, { error: "body must be a JSON object" });
    body = parsed as Record<string, unknown>;
  } catch {
    return jsonAnswer(400, { error: "body is not valid JSON" });
  }
  const surveyId = decodeURIComponent((gen ?? fail)![1]);
  try {
    if (gen) {
      const ids = generateResponses(state, surveyId, body.count as number, { inProgress: body.inProgress === true });
      return jsonAnswer(200, { count: ids.length, responseIds: ids });
    }
    failExports(state, surveyId, body.times === undefined ? 1 : (body.times as number));
    return jsonAnswer(200, { ok: true });
  } catch (err) {
    if (err instanceof UnknownSurveyError) return jsonAnswer(404, { error: err.message });
    if (err instanceof RangeError) return jsonAnswer(400, { error: err.message });
    throw err;
  }
}
