// Reading email distributions (docs/qualtrics-facts.md §5.3, §5.4): list a survey's distributions, get one,
// its generated links and its history. Every argument is checked before the first request, so
// these functions throw at once rather than from the first page.
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsApiError, QualtricsInputError } from "./errors";
import { Page, pages } from "./paginate";
import { isPlainObject } from "./safe-object";
import { oneOf, optionalDate, optionalId, requireId } from "./validate";
import { DISTRIBUTION_REQUEST_TYPES } from "./api-values";

export { DISTRIBUTION_REQUEST_TYPES };
export type DistributionRequestType = (typeof DISTRIBUTION_REQUEST_TYPES)[number];

export interface ListDistributionsInput {
  surveyId?: unknown;
  distributionRequestType?: unknown;
  mailingListId?: unknown;
  sendStartDate?: unknown;
  sendEndDate?: unknown;
}

export interface DistributionListOptions {
  /** stop after this many elements; 0 or undefined = all */
  limit?: number;
  signal?: AbortSignal;
}

function distributionPath(distributionId: unknown, field = "distributionId"): string {
  // GET /distributions/{id} is for email distributions (EMD_); SMS ones live under /distributions/sms (§5.1)
  const id = requireId(field, distributionId, "emailDistribution");
  return `/distributions/${encodeURIComponent(id)}`;
}

/** The query of GET /distributions, checked. */
export function listDistributionsQuery(input: ListDistributionsInput): Record<string, string | boolean> {
  const surveyId = requireId("surveyId", input.surveyId, "survey");
  const type = input.distributionRequestType;
  const distributionRequestType = type === undefined || type === null || type === "" ? undefined : oneOf("distributionRequestType", type, DISTRIBUTION_REQUEST_TYPES);
  const mailingListId = optionalId("mailingListId", input.mailingListId, "mailingList");
  const sendStartDate = optionalDate("sendStartDate", input.sendStartDate);
  const sendEndDate = optionalDate("sendEndDate", input.sendEndDate);
  if (sendStartDate && sendEndDate && sendEndDate <= sendStartDate) {
    throw new QualtricsInputError("sendEndDate", `must be after sendStartDate (${sendStartDate})`);
  }
  const query: Record<string, string | boolean> = { surveyId, useNewPaginationScheme: true };
  if (distributionRequestType) query.distributionRequestType = distributionRequestType;
  if (mailingListId) query.mailingListId = mailingListId;
  if (sendStartDate) query.sendStartDate = sendStartDate;
  if (sendEndDate) query.sendEndDate = sendEndDate;
  return query;
}

/** Pages of a survey's email distributions (§5.4), with the official filters. */
export function listDistributions(client: QualtricsClient, input: ListDistributionsInput, opts: DistributionListOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  const query = listDistributionsQuery(input);
  return pages(client, "/distributions", { query, limit: opts.limit, signal: opts.signal });
}

/** GET /distributions/{id}?surveyId= (§5.4: surveyId is required). */
export function getDistribution(client: QualtricsClient, distributionId: unknown, surveyId: unknown, signal?: AbortSignal): Promise<ApiResponse> {
  const path = distributionPath(distributionId);
  const survey = requireId("surveyId", surveyId, "survey");
  return client.request({ method: "GET", path, query: { surveyId: survey }, signal });
}

/**
 * Pages of the links of a generated-links distribution (§5.3). Qualtrics answers 500 when the
 * distribution is not one (OBSERVED by [TAP]); that answer is turned into an error that says so,
 * after asking Qualtrics what the distribution is, when it can tell.
 * Note: Qualtrics counts reading the links towards contact-frequency rules (official, §5.3).
 */
export function listDistributionLinks(client: QualtricsClient, distributionId: unknown, surveyId: unknown, opts: DistributionListOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = distributionPath(distributionId) + "/links";
  const survey = requireId("surveyId", surveyId, "survey");
  const id = String(distributionId).trim();
  return explainLinks500(client, pages(client, path, { query: { surveyId: survey }, limit: opts.limit, signal: opts.signal }), id, survey, opts.signal);
}

async function* explainLinks500(
  client: QualtricsClient,
  source: AsyncGenerator<Page<Record<string, unknown>>>,
  distributionId: string,
  surveyId: string,
  signal?: AbortSignal,
): AsyncGenerator<Page<Record<string, unknown>>> {
  let first = true;
  try {
    for await (const page of source) {
      first = false;
      yield page;
    }
  } catch (err) {
    if (!first || !(err instanceof QualtricsApiError) || err.statusCode !== 500) throw err;
    const kind = await requestTypeOf(client, distributionId, surveyId, signal);
    const what = kind
      ? `${distributionId} is a "${kind}" distribution; only generated-links distributions (GeneratedInvite) have links`
      : `Qualtrics answers 500 here when ${distributionId} is not a generated-links distribution (GeneratedInvite)`;
    throw new QualtricsApiError(
      {
        statusCode: err.statusCode,
        httpStatus: err.httpStatus,
        errorCode: err.errorCode,
        errorMessage: `${err.errorMessage ?? "Internal Server Error"} - ${what}; generate links with the operation "generate links"`,
        requestId: err.requestId,
        method: err.method,
        path: err.path,
        attempts: err.attempts,
        // a GET changes nothing
        mayHaveSucceeded: false,
      },
    );
  }
}

/** the distribution's requestType, or undefined when Qualtrics does not say */
async function requestTypeOf(client: QualtricsClient, distributionId: string, surveyId: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const res = await getDistribution(client, distributionId, surveyId, signal);
    const type = isPlainObject(res.result) ? res.result.requestType : undefined;
    return typeof type === "string" && type !== "" && type !== "GeneratedInvite" ? type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pages of GET /distributions/{id}/history (§5.4): one element per recipient with status, sentAt,
 * openedAt, responseStartedAt, responseCompletedAt and responseId. No surveyId is sent: [QR], the
 * only source, does not send one.
 */
export function distributionHistory(client: QualtricsClient, distributionId: unknown, opts: DistributionListOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = distributionPath(distributionId) + "/history";
  return pages(client, path, { limit: opts.limit, signal: opts.signal });
}
