// Single survey responses (docs/qualtrics-facts.md §6.5, §7.1, §7.5): get, create, update, delete, and
// the bulk embedded-data update.
import { createHash } from "node:crypto";
import type { ApiResponse, QualtricsClient } from "./client";
import { ERROR_NAME, QualtricsApiError, QualtricsInputError } from "./errors";
import { pause } from "./poll";
import { isPlainObject } from "./safe-object";
import { optionalBoolean, optionalEmbeddedData, optionalObject, requireId, requireString, typeName } from "./validate";

export interface GetResponseOptions {
  /** a response can lag the webhook that announced it, so 404 is tried again this many times */
  notFoundRetries?: number;
  /** the first wait after a 404, then twice, three times ...; default 1.5 × the client's retry delay (1.5 s) */
  notFoundDelayMs?: number;
  signal?: AbortSignal;
}

export async function getResponse(client: QualtricsClient, surveyId: string, responseId: string, opts: GetResponseOptions = {}): Promise<ApiResponse> {
  const path = `/surveys/${requireId("surveyId", surveyId, "survey")}/responses/${requireId("responseId", responseId, "response")}`;
  const retries = opts.notFoundRetries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.request({ method: "GET", path, signal: opts.signal });
    } catch (err) {
      if (!(err instanceof QualtricsApiError) || err.statusCode !== 404 || attempt >= retries) throw err;
      // the caller's signal (a node closing) ends the wait too
      await pause((opts.notFoundDelayMs ?? client.retryBaseMs * 1.5) * (attempt + 1), opts.signal);
    }
  }
}

// --- create, update, delete and bulk update (docs/qualtrics-facts.md §7.5) ---

/**
 * An Idempotency-Key in UUID form, derived from a seed (a message and node ID), so a repeated
 * request for the same message carries the same key and Qualtrics does not create a second
 * response (§7.5).
 */
export function idempotencyKeyFrom(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  // version 5-style layout: readable as a UUID by anything that checks the shape
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface CreateResponseOptions {
  /** sent as Idempotency-Key; with it the POST may be retried, as a repeat cannot duplicate the response */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** POST /surveys/{surveyId}/responses with {values}. */
export function createResponse(client: QualtricsClient, surveyId: string, values: unknown, opts: CreateResponseOptions = {}): Promise<ApiResponse> {
  const path = `/surveys/${encodeURIComponent(requireId("surveyId", surveyId, "survey"))}/responses`;
  const v = optionalObject("values", values);
  if (!v || Object.keys(v).length === 0) throw new QualtricsInputError("values", "is required: an object of answers such as {\"QID1\": 1}");
  const key = opts.idempotencyKey === undefined ? undefined : requireString("idempotencyKey", opts.idempotencyKey).trim();
  if (key !== undefined && (key.length === 0 || key.length > 255 || /[\r\n]/.test(key))) {
    throw new QualtricsInputError("idempotencyKey", "must be a single line of 1 to 255 characters");
  }
  return client.request({
    method: "POST",
    path,
    body: { values: v },
    headers: key ? { "Idempotency-Key": key } : undefined,
    idempotent: key !== undefined,
    signal: opts.signal,
  });
}

/** The new response's ID from a create result. */
export function createdResponseId(result: unknown): string | undefined {
  // UNCONFIRMED (docs/qualtrics-facts.md §7.5): the result key of create; responseId is expected, id accepted too
  if (!isPlainObject(result)) return undefined;
  const id = result.responseId ?? result.id;
  return typeof id === "string" ? id : undefined;
}

export interface UpdateResponseInput {
  surveyId: unknown;
  embeddedData: unknown;
  resetRecordedDate?: unknown;
}

/** PUT /responses/{responseId}: only embedded data can be changed this way (§7.5). */
export function updateResponse(client: QualtricsClient, responseId: string, input: UpdateResponseInput, signal?: AbortSignal): Promise<ApiResponse> {
  const rid = requireId("responseId", responseId, "response");
  const body = updateBody(input);
  return client.request({ method: "PUT", path: `/responses/${encodeURIComponent(rid)}`, body, signal });
}

function updateBody(input: UpdateResponseInput): Record<string, unknown> {
  const surveyId = requireId("surveyId", input.surveyId, "survey");
  const embeddedData = requiredEmbeddedData("embeddedData", input.embeddedData);
  const reset = optionalBoolean("resetRecordedDate", input.resetRecordedDate);
  return { surveyId, ...(reset === undefined ? {} : { resetRecordedDate: reset }), embeddedData };
}

function requiredEmbeddedData(field: string, value: unknown): Record<string, string> {
  const ed = optionalEmbeddedData(field, value);
  if (!ed || Object.keys(ed).length === 0) throw new QualtricsInputError(field, "is required: an object such as {\"followedUp\": \"yes\"}");
  return ed;
}

export interface DeleteResponseOptions {
  decrementQuotas?: boolean;
  signal?: AbortSignal;
}

/** DELETE /surveys/{surveyId}/responses/{responseId}; Qualtrics answers with meta only. */
export function deleteResponse(client: QualtricsClient, surveyId: string, responseId: string, opts: DeleteResponseOptions = {}): Promise<ApiResponse> {
  const path = `/surveys/${encodeURIComponent(requireId("surveyId", surveyId, "survey"))}/responses/${encodeURIComponent(requireId("responseId", responseId, "response"))}`;
  const dq = optionalBoolean("decrementQuotas", opts.decrementQuotas);
  // UNCONFIRMED (docs/qualtrics-facts.md §7.5): one client sends decrementQuotas as a query parameter, another
  // in the JSON body; which one Qualtrics honours is unknown, and sending both is harmless.
  return client.request({
    method: "DELETE",
    path,
    query: dq === undefined ? undefined : { decrementQuotas: dq },
    body: dq === undefined ? undefined : { decrementQuotas: dq },
    signal: opts.signal,
  });
}

/** §2.4 / §7.5 (OBSERVED): at most this many updates per update-responses request. */
export const MAX_BULK_UPDATES = 10_000;

export interface BulkUpdate {
  responseId: string;
  embeddedData: Record<string, string>;
}

/** Checks every update before anything is sent; the field names the position ("updates[3].responseId"). */
export function bulkUpdates(value: unknown): BulkUpdate[] {
  if (!Array.isArray(value)) throw new QualtricsInputError("updates", `must be an array of {responseId, embeddedData}, got ${typeName(value)}`);
  if (value.length === 0) throw new QualtricsInputError("updates", "is empty");
  return value.map((u, i) => {
    if (!isPlainObject(u)) throw new QualtricsInputError(`updates[${i}]`, `must be an object {responseId, embeddedData}, got ${typeName(u)}`);
    return {
      responseId: requireId(`updates[${i}].responseId`, u.responseId, "response"),
      embeddedData: requiredEmbeddedData(`updates[${i}].embeddedData`, u.embeddedData),
    };
  });
}

export interface BulkChunkResult {
  /** 0-based chunk number */
  index: number;
  /** how many updates this request carried */
  count: number;
  /** the job Qualtrics started for the chunk, when its answer names one */
  jobId?: string;
  /** Qualtrics' result as sent */
  result: unknown;
  requestId?: string;
}

export interface BulkUpdateOptions {
  ignoreMissingResponses?: boolean;
  /** updates per request (10,000, the most Qualtrics takes) */
  chunkSize?: number;
  signal?: AbortSignal;
  /** after each accepted request */
  onChunk?: (chunk: BulkChunkResult, chunks: number) => void;
}

/** Some chunks were accepted before one failed; `accepted` says which, so only the rest is sent again. */
export class BulkUpdateError extends QualtricsApiError {
  readonly accepted: BulkChunkResult[];
  readonly failedChunk: number;
  constructor(err: QualtricsApiError, accepted: BulkChunkResult[], failedChunk: number, chunks: number, chunkSize: number) {
    super({
      statusCode: err.statusCode,
      httpStatus: err.httpStatus,
      errorCode: err.errorCode,
      errorMessage: err.errorMessage,
      requestId: err.requestId,
      method: err.method,
      path: err.path,
      mayHaveSucceeded: err.mayHaveSucceeded,
      attempts: err.attempts,
    });
    const first = failedChunk * chunkSize;
    this.message = `${err.message} - chunk ${failedChunk + 1} of ${chunks} (updates from index ${first}) failed; ` +
      `${accepted.length} earlier chunk(s) were accepted and are not to be sent again`;
    this.name = ERROR_NAME;
    this.accepted = accepted;
    this.failedChunk = failedChunk;
  }
}

/**
 * POST /surveys/{surveyId}/update-responses, one request per chunk of at most 10,000 updates (§7.5,
 * OBSERVED). The POST is not repeated after a failure that may have been carried out.
 */
export async function updateResponsesBulk(client: QualtricsClient, surveyId: string, updates: unknown, opts: BulkUpdateOptions = {}): Promise<BulkChunkResult[]> {
  const path = `/surveys/${encodeURIComponent(requireId("surveyId", surveyId, "survey"))}/update-responses`;
  const list = bulkUpdates(updates);
  const size = opts.chunkSize ?? MAX_BULK_UPDATES;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BULK_UPDATES) {
    throw new QualtricsInputError("chunkSize", `must be a whole number from 1 to ${MAX_BULK_UPDATES}`);
  }
  const ignore = optionalBoolean("ignoreMissingResponses", opts.ignoreMissingResponses) ?? true;
  const chunks = Math.ceil(list.length / size);
  const out: BulkChunkResult[] = [];
  for (let index = 0; index < chunks; index++) {
    const part = list.slice(index * size, (index + 1) * size);
    let res: ApiResponse;
    try {
      res = await client.request({ method: "POST", path, body: { updates: part, ignoreMissingResponses: ignore }, signal: opts.signal });
    } catch (err) {
      if (err instanceof QualtricsApiError && index > 0) throw new BulkUpdateError(err, out, index, chunks, size);
      throw err;
    }
    const chunk: BulkChunkResult = { index, count: part.length, result: res.result, requestId: res.requestId };
    const jobId = bulkJobId(res.result);
    if (jobId) chunk.jobId = jobId;
    out.push(chunk);
    opts.onChunk?.(chunk, chunks);
  }
  return out;
}

/**
 * The job ID of an update-responses answer. // UNCONFIRMED (docs/qualtrics-facts.md §7.5): the request is
 * asynchronous and its answer and progress path are not documented; progressId, id and jobId are
 * looked for, and the job is not polled.
 */
export function bulkJobId(result: unknown): string | undefined {
  if (!isPlainObject(result)) return undefined;
  for (const k of ["progressId", "id", "jobId"]) if (typeof result[k] === "string" && result[k]) return result[k] as string;
  return undefined;
}
