// Errors a flow author can act on. Their text is in Qualtrics' own terms (errorMessage,
// errorCode, HTTP status, requestId) and never contains the token or any header.

/**
 * The name our errors carry. Node-RED shows an error as `name: message` (Catch, debug sidebar, log),
 * so this is the first word a user reads: the service that failed, not a class name.
 */
export const ERROR_NAME = "Qualtrics";

/** Bad input found before any request was made; `field` names what to fix. */
export class QualtricsInputError extends Error {
  readonly field: string;
  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = ERROR_NAME;
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
  /** a sentence added at the end, e.g. why a retry was not made */
  hint?: string;
  /** takes secrets out of every text of the error (see src/redact.ts); the upstream may echo them */
  redact?: (text: string) => string;
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

  constructor(details: QualtricsErrorDetails, summary?: string) {
    const d = cleaned(details);
    super(QualtricsApiError.describe(d, summary === undefined ? undefined : (details.redact ?? same)(summary)));
    this.name = ERROR_NAME;
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
    if (d.hint) parts.push(`- ${d.hint}`);
    if (d.mayHaveSucceeded) parts.push("- it may have succeeded anyway; check before sending it again");
    return parts.join(" ");
  }

  /** the message alone: it starts with "Qualtrics" already, so `name: message` would say it twice */
  override toString(): string {
    return this.message;
  }
}

const same = (text: string) => text;

/** the details with every text field passed through `redact` */
function cleaned(d: QualtricsErrorDetails): QualtricsErrorDetails {
  const r = d.redact;
  if (!r) return d;
  const t = (v: string | undefined) => (v === undefined ? undefined : r(v));
  return {
    ...d,
    httpStatus: t(d.httpStatus),
    errorCode: t(d.errorCode),
    errorMessage: t(d.errorMessage),
    requestId: t(d.requestId),
    method: r(d.method),
    path: r(d.path),
    hint: t(d.hint),
  };
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
