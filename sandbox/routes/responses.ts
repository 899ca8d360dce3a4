// Single-response create, update and delete, and the bulk embedded-data update (docs/qualtrics-facts.md §7.5).
// GET of one response is in surveys.ts.
import { badRequest, metaOnly, notFound, ok } from "../envelope";
import { randomAlnum } from "../ids";
import { createResponse } from "../responses";
import { route, Route } from "../router";
import { ResponseRecord, SandboxState, SurveyRecord } from "../state";
import { given, isoNoMillis, Obj, optionalBoolean, requireObject, requireString } from "../validate";
import { getSurvey } from "./common";
import { EMBEDDED_KEY_MAX, EMBEDDED_VALUE_MAX } from "./contact-model";

/** §2.4 / §7.5 (OBSERVED): at most this many updates per update-responses request. */
export const MAX_BULK_UPDATES = 10_000;

/** Idempotency-Key → the response it created, per sandbox state (a reset forgets them). */
const created = new WeakMap<SandboxState, Map<string, { surveyId: string; responseId: string }>>();

function keysOf(state: SandboxState): Map<string, { surveyId: string; responseId: string }> {
  let m = created.get(state);
  if (!m) created.set(state, (m = new Map()));
  return m;
}

function getResponseRecord(survey: SurveyRecord, responseId: string): ResponseRecord {
  const r = survey.responses.get(responseId);
  if (!r) throw notFound(`Response not found: ${responseId}`);
  return r;
}

function embeddedData(value: unknown, path: string): Record<string, string> {
  const ed = requireObject(value, path);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ed)) {
    if (k === "" || k.length > EMBEDDED_KEY_MAX) throw badRequest(`${path} field names must have 1 to ${EMBEDDED_KEY_MAX} characters`);
    // UNCONFIRMED (docs/qualtrics-facts.md §7.5): numbers and booleans are stored as strings, as for contacts
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw badRequest(`${path}.${k} must be a string`);
    const s = String(v);
    if (s.length > EMBEDDED_VALUE_MAX) throw badRequest(`${path}.${k} is longer than ${EMBEDDED_VALUE_MAX} characters`);
    out[k] = s;
  }
  if (Object.keys(out).length === 0) throw badRequest(`${path} must not be empty`);
  return out;
}

/** decrementQuotas from the query or the JSON body. // UNCONFIRMED (docs/qualtrics-facts.md §7.5): which one counts. */
function decrementQuotas(query: URLSearchParams, body: unknown): boolean | undefined {
  const q = query.get("decrementQuotas");
  if (q !== null) {
    if (q !== "true" && q !== "false") throw badRequest("decrementQuotas must be true or false");
    return q === "true";
  }
  if (body === undefined) return undefined;
  return optionalBoolean(requireObject(body, "Request body"), "decrementQuotas", "decrementQuotas");
}

export const responseRoutes: Route[] = [
  route("POST", "/surveys/:surveyId/responses", (ctx) => {
    const survey = getSurvey(ctx, ctx.params.surveyId);
    const body = requireObject(ctx.body, "Request body");
    const values = requireObject(body.values, "values");
    if (Object.keys(values).length === 0) throw badRequest("values must not be empty");
    // Official for response import, and used by [HACK] for create (§7.5): a repeated key does not
    // create a second response. UNCONFIRMED: the answer to a repeat; the sandbox returns the first response.
    const key = ctx.headers?.["idempotency-key"];
    if (key) {
      const seen = keysOf(ctx.state).get(key);
      if (seen && seen.surveyId === survey.id && survey.responses.has(seen.responseId)) return ok({ responseId: seen.responseId });
    }
    const r = createResponse(survey, ctx.ids, { values: values as Obj });
    r.values.distributionChannel = "api";
    if (key) keysOf(ctx.state).set(key, { surveyId: survey.id, responseId: r.responseId });
    // UNCONFIRMED (docs/qualtrics-facts.md §7.5): the result key of create; responseId is what [HACK] reads
    return ok({ responseId: r.responseId });
  }),

  route("PUT", "/responses/:responseId", (ctx) => {
    const body = requireObject(ctx.body, "Request body");
    const surveyId = requireString(body, "surveyId", "surveyId");
    const survey = getSurvey(ctx, surveyId);
    const r = getResponseRecord(survey, ctx.params.responseId);
    const ed = embeddedData(body.embeddedData, "embeddedData");
    const reset = optionalBoolean(body, "resetRecordedDate", "resetRecordedDate");
    Object.assign(r.values, ed);
    if (reset) r.values.recordedDate = isoNoMillis(new Date());
    return metaOnly();
  }),

  route("DELETE", "/surveys/:surveyId/responses/:responseId", (ctx) => {
    const survey = getSurvey(ctx, ctx.params.surveyId);
    getResponseRecord(survey, ctx.params.responseId);
    decrementQuotas(ctx.query, ctx.body);
    survey.responses.delete(ctx.params.responseId);
    return metaOnly();
  }),

  route("POST", "/surveys/:surveyId/update-responses", (ctx) => {
    const survey = getSurvey(ctx, ctx.params.surveyId);
    const body = requireObject(ctx.body, "Request body");
    if (!Array.isArray(body.updates)) throw badRequest("updates must be an array");
    if (body.updates.length === 0) throw badRequest("updates must not be empty");
    if (body.updates.length > MAX_BULK_UPDATES) throw badRequest(`updates must have at most ${MAX_BULK_UPDATES} elements`);
    const ignoreMissing = optionalBoolean(body, "ignoreMissingResponses", "ignoreMissingResponses") ?? false;
    const parsed = body.updates.map((u: unknown, i: number) => {
      const o = requireObject(u, `updates[${i}]`);
      if (!given(o.responseId) || typeof o.responseId !== "string") throw badRequest(`updates[${i}].responseId is required`);
      return { responseId: o.responseId, embeddedData: embeddedData(o.embeddedData, `updates[${i}].embeddedData`) };
    });
    const missing = parsed.filter((u) => !survey.responses.has(u.responseId)).map((u) => u.responseId);
    if (missing.length > 0 && !ignoreMissing) throw notFound(`Responses not found: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
    for (const u of parsed) {
      const r = survey.responses.get(u.responseId);
      if (r) Object.assign(r.values, u.embeddedData);
    }
    // UNCONFIRMED (docs/qualtrics-facts.md §7.5): the request is asynchronous and its answer is not documented;
    // the sandbox applies the updates at once and answers with a made-up progress ID.
    return ok({ progressId: `PGR_${randomAlnum(15)}` });
  }),
];
