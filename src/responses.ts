// Single survey responses (qualtrics-api.md §6.5, §7.1).
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsApiError } from "./errors";
import { requireId } from "./validate";

export interface GetResponseOptions {
  /** a response can lag the webhook that announced it, so 404 is tried again this many times */
  notFoundRetries?: number;
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
      await new Promise((r) => setTimeout(r, (opts.notFoundDelayMs ?? 1500) * (attempt + 1)));
    }
  }
}
