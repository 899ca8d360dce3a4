// The Qualtrics v3 response envelope (docs/qualtrics-facts.md §2.1) and error codes (§2.2).
import { randomUUID } from "node:crypto";

/** Reason phrases used in `meta.httpStatus` ("<code> - <reason>"); 503 uses the Qualtrics wording (§2.1). */
const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Temporary Internal Server Error",
  504: "Gateway Timeout",
};

export function httpStatusText(status: number): string {
  return `${status} - ${REASONS[status] ?? "Error"}`;
}

/**
 * Error codes. Qualtrics publishes no list (§2.1); only "AUTH_6.0" (401) was seen in a real answer.
 * Every other code below is MADE UP for the sandbox, in the Qualtrics "AREA_n.n" style.
 */
export const ErrorCodes = {
  unauthorized: "AUTH_6.0",
  forbidden: "AUTH_7.0",
  validation: "QVAL_1",
  malformedJson: "QVAL_2",
  searchTooDeep: "QVAL_3",
  bodyTooLarge: "QVAL_4",
  notFound: "RSRC_1",
  unknownEndpoint: "RSRC_2",
  methodNotAllowed: "RSRC_3",
  rateLimited: "RATE_1.0",
  internal: "SERVER_1.0",
  unavailable: "SERVER_1.1",
  gatewayTimeout: "SERVER_1.2",
} as const;

export interface Meta {
  httpStatus: string;
  requestId: string;
  notice?: string;
  error?: { errorMessage: string; errorCode: string };
}

export interface Envelope {
  result?: unknown;
  meta: Meta;
}

/** Thrown by handlers; turned into an error envelope with the real HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode: string = defaultCode(status),
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function defaultCode(status: number): string {
  switch (status) {
    case 400: return ErrorCodes.validation;
    case 401: return ErrorCodes.unauthorized;
    case 403: return ErrorCodes.forbidden;
    case 404: return ErrorCodes.notFound;
    case 405: return ErrorCodes.methodNotAllowed;
    case 413: return ErrorCodes.bodyTooLarge;
    case 429: return ErrorCodes.rateLimited;
    case 503: return ErrorCodes.unavailable;
    case 504: return ErrorCodes.gatewayTimeout;
    default: return ErrorCodes.internal;
  }
}

/** Default error message for injected or generic failures of a given status. */
export function defaultMessage(status: number): string {
  switch (status) {
    case 429: return "Too many requests";
    case 500: return "Internal server error";
    case 502: return "Bad gateway";
    case 503: return "Temporary internal server error";
    case 504: return "Gateway timeout";
    default: return REASONS[status] ?? "Error";
  }
}

export const badRequest = (message: string, code: string = ErrorCodes.validation): ApiError => new ApiError(400, message, code);
export const notFound = (message: string): ApiError => new ApiError(404, message, ErrorCodes.notFound);

/** What a route handler hands back: a `result` (wrapped with meta) or a meta-only answer. */
export type HandlerResult =
  | { kind: "result"; result: unknown }
  | { kind: "meta" }
  /** a body that is not an envelope, such as a response-export file (§7.4) */
  | { kind: "file"; bytes: Buffer; headers: Record<string, string> };

export const ok = (result: unknown): HandlerResult => ({ kind: "result", result });
export const metaOnly = (): HandlerResult => ({ kind: "meta" });
export const fileResult = (bytes: Buffer, headers: Record<string, string>): HandlerResult => ({ kind: "file", bytes, headers });

export function newRequestId(): string {
  return randomUUID();
}

export function successEnvelope(result: unknown, requestId: string = newRequestId()): Envelope {
  return { result, meta: { httpStatus: httpStatusText(200), requestId } };
}

export function metaOnlyEnvelope(requestId: string = newRequestId()): Envelope {
  return { meta: { httpStatus: httpStatusText(200), requestId } };
}

export function errorEnvelope(status: number, errorMessage: string, errorCode: string = defaultCode(status), requestId: string = newRequestId()): Envelope {
  return { meta: { httpStatus: httpStatusText(status), requestId, error: { errorMessage, errorCode } } };
}
