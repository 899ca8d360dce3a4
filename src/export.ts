// Response exports (docs/qualtrics-facts.md §7.2-§7.4): start one, follow its progress, download the file
// as a stream and read the responses out of it one at a time.
import type { QualtricsClient } from "./client";
import { ERROR_NAME, QualtricsApiError, QualtricsInputError } from "./errors";
import { ExportColumn, ExportFileError, ExportFormat, megabytes, records } from "./export-records";
import { looksLikeZip, unzipSingleFile, ZipEntryInfo } from "./export-zip";
import { PollTimeoutError, pause } from "./poll";
import { isPlainObject } from "./safe-object";
import { FILE_FORMATS, RECORD_FORMATS } from "./api-values";
import { oneOf, optionalBoolean, optionalDate, optionalString, requireId, typeName } from "./validate";

export { ExportFileError, DEFAULT_MAX_RECORD_BYTES } from "./export-records";
export type { ExportColumn, ExportFormat } from "./export-records";
export { ZipFormatError } from "./export-zip";

export { FILE_FORMATS, RECORD_FORMATS };
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface ExportOptions {
  format: unknown;
  startDate?: unknown;
  endDate?: unknown;
  limit?: unknown;
  filterId?: unknown;
  useLabels?: unknown;
  questionIds?: unknown;
  embeddedDataIds?: unknown;
  exportResponsesInProgress?: unknown;
  allowContinuation?: unknown;
  continuationToken?: unknown;
  compress?: unknown;
}

export interface ExportBody {
  format: FileFormat;
  compress: boolean;
  startDate?: string;
  endDate?: string;
  limit?: number;
  filterId?: string;
  useLabels?: boolean;
  questionIds?: string[];
  embeddedDataIds?: string[];
  exportResponsesInProgress?: boolean;
  allowContinuation?: boolean;
  continuationToken?: string;
}

/** A list from the dialog or a message: an array of strings, or text separated by commas. */
function idList(field: string, value: unknown, check?: (id: string) => string | undefined): string[] | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === "string") list = value.split(",");
  else throw new QualtricsInputError(field, `must be a list of IDs (an array or text separated by commas), got ${typeName(value)}`);
  const out: string[] = [];
  list.forEach((v, i) => {
    if (typeof v !== "string") throw new QualtricsInputError(`${field}[${i}]`, `must be a string, got ${typeName(v)}`);
    const id = v.trim();
    if (id === "") return;
    const problem = check?.(id);
    if (problem) throw new QualtricsInputError(`${field}[${i}]`, problem);
    out.push(id);
  });
  return out.length ? out : undefined;
}

/**
 * The body of POST /surveys/{surveyId}/export-responses (§7.2), every option checked before any
 * request. `compress` defaults to true, as in Qualtrics.
 */
export function exportBody(o: ExportOptions): ExportBody {
  const format = oneOf("format", o.format, FILE_FORMATS);
  const body: ExportBody = { format, compress: optionalBoolean("compress", o.compress) ?? true };
  const startDate = optionalDate("startDate", o.startDate);
  const endDate = optionalDate("endDate", o.endDate);
  if (startDate && endDate && Date.parse(startDate) >= Date.parse(endDate)) {
    throw new QualtricsInputError("endDate", "must be after startDate (it is exclusive)");
  }
  if (startDate) body.startDate = startDate;
  if (endDate) body.endDate = endDate;
  if (o.limit !== undefined && o.limit !== null && o.limit !== "" && o.limit !== 0 && o.limit !== "0") {
    const n = typeof o.limit === "string" ? Number(o.limit) : o.limit;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new QualtricsInputError("limit", "must be a whole number of responses, 0 or empty for all");
    body.limit = n;
  }
  const filterId = optionalString("filterId", o.filterId)?.trim();
  if (filterId) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(filterId)) throw new QualtricsInputError("filterId", `"${filterId.slice(0, 40)}" is not a filter ID`);
    body.filterId = filterId;
  }
  const useLabels = optionalBoolean("useLabels", o.useLabels);
  if (useLabels !== undefined) body.useLabels = useLabels;
  const questionIds = idList("questionIds", o.questionIds, (id) => (/^QID[A-Za-z0-9_#-]*$/.test(id) ? undefined : `"${id.slice(0, 40)}" is not a question ID (QID...)`));
  if (questionIds) body.questionIds = questionIds;
  const embeddedDataIds = idList("embeddedDataIds", o.embeddedDataIds, (id) => (id.length > 200 ? "field names are limited to 200 characters" : undefined));
  if (embeddedDataIds) body.embeddedDataIds = embeddedDataIds;
  const inProgress = optionalBoolean("exportResponsesInProgress", o.exportResponsesInProgress);
  if (inProgress !== undefined) body.exportResponsesInProgress = inProgress;
  const allow = optionalBoolean("allowContinuation", o.allowContinuation);
  const token = optionalString("continuationToken", o.continuationToken)?.trim();
  if (token) {
    // UNCONFIRMED (docs/qualtrics-facts.md §7.2): how a continuation token combines with a date range or a
    // limit is not documented; the token says where the export starts, so they are refused with it,
    // and a limit could leave responses behind the new token
    for (const f of ["startDate", "endDate", "limit"] as const) {
      if (body[f] !== undefined) throw new QualtricsInputError(f, "cannot be combined with continuationToken: the token says which responses come next");
    }
    if (allow === false) throw new QualtricsInputError("allowContinuation", "must not be false with a continuationToken");
    body.continuationToken = token;
    body.allowContinuation = true;
  } else if (allow !== undefined) {
    if (allow && body.limit !== undefined) throw new QualtricsInputError("limit", "cannot be combined with allowContinuation: responses past the limit would be skipped by the next export");
    body.allowContinuation = allow;
  }
  return body;
}

/**
 * True when Qualtrics refused the continuationToken of an export start: it has expired, belongs
 * to another survey, or the server forgot it. How Qualtrics words this is not documented
 * (UNCONFIRMED): a 4xx whose errorMessage or errorCode speaks of the continuation token, however
 * written ("continuationToken is not valid", "Invalid continuation token", "continuation_token
 * expired"), is taken as such.
 */
export function isContinuationRefused(err: unknown): boolean {
  if (!(err instanceof QualtricsApiError)) return false;
  const status = err.statusCode ?? 0;
  if (status < 400 || status >= 500 || status === 401 || status === 403 || status === 429) return false;
  return /continuation[\s_-]*token/i.test(`${err.errorMessage ?? ""} ${err.errorCode ?? ""}`);
}

export interface ExportProgress {
  /** "inProgress", "complete" or "failed" (§7.3) */
  status: string;
  percentComplete: number;
  fileId?: string;
  continuationToken?: string;
  requestId?: string;
}

/** Qualtrics reports that the export failed (§7.3: "record your requestId and try your export again"). */
export class ExportFailedError extends QualtricsApiError {
  constructor(path: string, requestId?: string) {
    super({ method: "GET", path, requestId }, "the export failed in Qualtrics; try it again");
    this.name = ERROR_NAME;
  }
}

function progressOf(result: unknown, requestId?: string): ExportProgress {
  const r = isPlainObject(result) ? result : {};
  const status = typeof r.status === "string" ? r.status : "inProgress";
  const pct = typeof r.percentComplete === "number" && Number.isFinite(r.percentComplete) ? r.percentComplete : 0;
  return {
    status,
    percentComplete: Math.max(0, Math.min(100, pct)),
    ...(typeof r.fileId === "string" && r.fileId ? { fileId: r.fileId } : {}),
    ...(typeof r.continuationToken === "string" && r.continuationToken ? { continuationToken: r.continuationToken } : {}),
    requestId,
  };
}

export interface StartedExport {
  surveyId: string;
  progressId: string;
  progress: ExportProgress;
}

function exportPath(surveyId: string): string {
  return `/surveys/${encodeURIComponent(surveyId)}/export-responses`;
}

/** POST /surveys/{surveyId}/export-responses. A missing progressId is an error: nothing is polled (§7.3). */
export async function startExport(client: QualtricsClient, surveyId: unknown, body: ExportBody, signal?: AbortSignal): Promise<StartedExport> {
  const sid = requireId("surveyId", surveyId, "survey");
  const path = exportPath(sid);
  // starting a second export job by a retry changes no data, so a 500 or a timeout may be retried
  const res = await client.request({ method: "POST", path, body, signal, idempotent: true });
  const r = isPlainObject(res.result) ? res.result : {};
  const progressId = typeof r.progressId === "string" && r.progressId ? r.progressId : undefined;
  if (!progressId) {
    throw new QualtricsApiError({ method: "POST", path, statusCode: res.statusCode, requestId: res.requestId }, "the export was not started: the answer has no progressId, so there is nothing to poll");
  }
  return { surveyId: sid, progressId, progress: progressOf(r, res.requestId) };
}

export interface ProgressOptions {
  signal?: AbortSignal;
  /** give up after this long in total (600000 ms, §7.3) */
  timeoutMs?: number;
  /** the first pause (1000 ms); each next one is 1.5 times longer, up to maxDelayMs (5000 ms) */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * The export's progress, checked with growing pauses (1 s rising to 5 s, §7.3) until `status` says
 * complete (yielded last, with the fileId) or failed (thrown). percentComplete is only shown: it
 * can be 100 for a failed export. A 404 ends the polling with its error, as §7.3 asks.
 */
export async function* exportProgress(client: QualtricsClient, started: Pick<StartedExport, "surveyId" | "progressId">, opts: ProgressOptions = {}): AsyncGenerator<ExportProgress> {
  const path = `${exportPath(started.surveyId)}/${encodeURIComponent(started.progressId)}`;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const maxDelay = opts.maxDelayMs ?? 5000;
  const began = Date.now();
  let delay = opts.initialDelayMs ?? 1000;
  let checks = 0;
  let last: ExportProgress | undefined;
  for (;;) {
    const left = timeoutMs - (Date.now() - began);
    if (left <= 0) throw new PollTimeoutError(`export ${started.progressId}`, timeoutMs, checks, last);
    await pause(Math.min(delay, left), opts.signal);
    const res = await client.request({ method: "GET", path, signal: opts.signal });
    checks++;
    last = progressOf(res.result, res.requestId);
    const status = last.status.toLowerCase();
    if (status === "failed") throw new ExportFailedError(path, res.requestId);
    if (status === "complete") {
      if (!last.fileId) throw new QualtricsApiError({ method: "GET", path, requestId: res.requestId }, "the export is complete but Qualtrics named no fileId");
      yield last;
      return;
    }
    yield last;
    delay = nextPollDelay(delay, maxDelay);
  }
}

/** §7.3: each pause 1.5 times the one before, up to `max` (1 s, 1.5 s, 2.25 s, 3.4 s, 5 s, 5 s, ...) */
export function nextPollDelay(delay: number, max: number): number {
  return Math.min(max, delay * 1.5);
}

export interface ExportDownload {
  /** the file's bytes as they arrive; a broken connection is a QualtricsApiError */
  chunks: AsyncGenerator<Buffer>;
  /** the name Qualtrics gives the download (Content-Disposition), when it gives a safe one */
  fileName?: string;
  contentType?: string;
  statusCode: number;
  requestId?: string;
}

/** A file name from Content-Disposition without any directory part or control characters. */
export function safeFileName(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  let name: string | undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      name = decodeURIComponent(star[1].trim());
    } catch {
      name = undefined;
    }
  }
  if (!name) name = /filename\s*=\s*"([^"]*)"/.exec(disposition)?.[1];
  if (!name) {
    // OBSERVED (docs/qualtrics-facts.md §13): Qualtrics sends the name unquoted and form-encoded,
    // `filename=Beskar+Armor.zip` for "Beskar Armor.zip" (a real + would be %2B)
    const token = /filename\s*=\s*([^;]+)/.exec(disposition)?.[1]?.trim();
    name = token === undefined ? undefined : formDecoded(token);
  }
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (!base || base === "." || base === ".." || base.length > 200) return undefined;
  return base;
}

function formDecoded(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** the largest download read by default: 4 GB */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

export interface DownloadOptions {
  signal?: AbortSignal;
  /** a download larger than this many bytes stops with an error (DEFAULT_MAX_DOWNLOAD_BYTES) */
  maxBytes?: number;
  /** where a user raises that limit, named in the error (e.g. a setting) */
  limitHint?: string;
}

/**
 * GET /surveys/{surveyId}/export-responses/{fileId}/file (§7.4), as a stream. A download larger
 * than `maxBytes` (by its Content-Length, or as it arrives) ends with an ExportFileError, so a
 * broken or hostile server cannot fill the disk or the memory it is written to.
 */
export async function downloadExport(client: QualtricsClient, surveyId: string, fileId: string, signalOrOpts?: AbortSignal | DownloadOptions): Promise<ExportDownload> {
  const opts: DownloadOptions = signalOrOpts instanceof AbortSignal ? { signal: signalOrOpts } : signalOrOpts ?? {};
  const signal = opts.signal;
  const max = typeof opts.maxBytes === "number" && opts.maxBytes > 0 ? opts.maxBytes : DEFAULT_MAX_DOWNLOAD_BYTES;
  const path = `${exportPath(surveyId)}/${encodeURIComponent(fileId)}/file`;
  const res = await client.stream({ path, signal });
  const shown = `${exportPath(surveyId)}/${fileId}/file`;
  const tooLarge = () => new ExportFileError(`the download is larger than ${megabytes(max)}, the limit for an export file${opts.limitHint ? ` (${opts.limitHint})` : ""}; it was stopped and nothing of it is kept`);
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    res.body.destroy();
    throw tooLarge();
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    let bytes = 0;
    try {
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length;
        if (bytes > max) throw tooLarge();
        yield chunk as Buffer;
      }
    } catch (err) {
      if (err instanceof ExportFileError) throw err;
      if (signal?.aborted) throw signal.reason ?? err;
      const code = (err as { code?: string }).code;
      throw new QualtricsApiError({ method: "GET", path: shown, statusCode: res.statusCode, requestId: res.requestId, cause: err }, `the download broke off after ${bytes} bytes (${code ?? (err as Error).message})`);
    } finally {
      if (!res.body.destroyed) res.body.destroy();
    }
  }
  return {
    chunks: chunks(),
    fileName: safeFileName(res.headers["content-disposition"]),
    contentType: res.headers["content-type"],
    statusCode: res.statusCode,
    requestId: res.requestId,
  };
}

export interface ReadOptions {
  /** the name of the file inside a zip */
  onEntry?: (info: ZipEntryInfo) => void;
  onColumns?: (columns: ExportColumn[]) => void;
  /** where a zip is kept while it is read (os.tmpdir()) */
  tmpDir?: string;
  /** stops reading a zip that has already been downloaded */
  signal?: AbortSignal;
  /** the limit for one response, and where a user raises it (see RecordsOptions) */
  maxRecordBytes?: number;
  limitHint?: string;
}

/**
 * The responses in a downloaded export, one at a time. A zip is recognised by its first bytes, so
 * it does not matter whether `compress` was honoured. A plain file is read as it downloads; a zip
 * is saved to a temporary file first (its directory is at its end) and read from there.
 */
export async function* exportedResponses(chunks: AsyncIterable<Buffer>, format: ExportFormat, opts: ReadOptions = {}): AsyncGenerator<unknown> {
  const it = chunks[Symbol.asyncIterator]();
  let first = await it.next();
  // enough bytes to see the zip signature
  while (!first.done && first.value.length < 4) {
    const more = await it.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([first.value, more.value]) };
  }
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (first.done) return;
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } finally {
      await it.return?.();
    }
  }
  const zipped = !first.done && looksLikeZip(first.value);
  const source = zipped ? unzipSingleFile(all(), { onEntry: opts.onEntry, tmpDir: opts.tmpDir, signal: opts.signal }) : all();
  yield* records(format, source, { onColumns: opts.onColumns, maxRecordBytes: opts.maxRecordBytes, limitHint: opts.limitHint });
}
