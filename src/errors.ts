// Errors a flow author can act on. Their text is in Qualtrics' own terms (errorMessage,
// errorCode, HTTP status, requestId) and never contains the token or any header.

/** Bad input found before any request was made; `field` names what to fix. */
export class QualtricsInputError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = "QualtricsInputError";
    this.field = field;
  }
}

export interface QualtricsErrorDetails {
  statusCode?: number;
  httpStatus?: string;
  errorCode?: string;
  errorMessage?: string;
  requestId?: string;
  method: string;
  path: string;
  /** the request may have been carried out even though it failed (500, or a timeout after the body was sent) */
  mayHaveSucceeded?: boolean;
  attempts?: number;
  cause?: unknown;
}

/** A request that Qualtrics (or the network on the way) answered with a failure. */
export class QualtricsApiError extends Error {
  readonly statusCode?: number;
  readonly httpStatus?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestId?: string;
  readonly method: string;
  readonly path: string;
  readonly mayHaveSucceeded: boolean;
  readonly attempts: number;

  constructor(d: QualtricsErrorDetails, summary?: string) {
    super(QualtricsApiError.describe(d, summary));
    this.name = "QualtricsApiError";
    this.statusCode = d.statusCode;
    this.httpStatus = d.httpStatus;
    this.errorCode = d.errorCode;
    this.errorMessage = d.errorMessage;
    this.requestId = d.requestId;
    this.method = d.method;
    this.path = d.path;
    this.mayHaveSucceeded = d.mayHaveSucceeded ?? false;
    this.attempts = d.attempts ?? 1;
  }

  private static describe(d: QualtricsErrorDetails, summary?: string): string {
    const status = d.httpStatus ?? (d.statusCode ? String(d.statusCode) : undefined);
    const head = status ? `Qualtrics ${status}` : "Qualtrics request failed";
    const parts = [`${head}: ${d.errorMessage ?? summary ?? "no error message"}`];
    const extra: string[] = [];
    if (d.errorCode) extra.push(`errorCode ${d.errorCode}`);
    if (d.requestId) extra.push(`requestId ${d.requestId}`);
    extra.push(`${d.method} ${shortPath(d.path)}`);
    if ((d.attempts ?? 1) > 1) extra.push(`after ${d.attempts} attempts`);
    parts.push(`(${extra.join(", ")})`);
    if (d.mayHaveSucceeded) parts.push("- it may have succeeded anyway; check before sending it again");
    return parts.join(" ");
  }
}

/** a path as an error shows it: a hostile 1 MB path would make a 1 MB error text (and log line) */
function shortPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}… (${path.length} characters)` : path;
}

/** Text for an error that is safe to show anywhere (status, log, msg). */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
