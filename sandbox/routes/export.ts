// Response exports (docs/qualtrics-facts.md §7.1-§7.4): start, progress, file, and saved filters.
// The export is a snapshot taken when it starts; its progress needs a few polls; a continuation
// token brings only responses recorded after the export that issued it.
import { createHash, randomUUID } from "node:crypto";
import { badRequest, fileResult, notFound, ok } from "../envelope";
import { CONTENT_TYPES, renderExport, SandboxExportFormat } from "../export-files";
import { randomAlnum } from "../ids";
import { route, Route } from "../router";
import { ResponseRecord, SandboxState, SurveyRecord } from "../state";
import { zipOneFile } from "../zip";
import { getSurvey } from "./common";

/** continuation tokens honoured at once, the oldest forgotten first */
export const MAX_TOKENS = 1000;

/** polls until an export is complete (the first answer, from the POST, is 0 %) */
export const DEFAULT_POLLS_TO_COMPLETE = 3;

interface ExportJob {
  progressId: string;
  surveyId: string;
  polls: number;
  pollsToComplete: number;
  fail: boolean;
  fileId: string;
  continuationToken?: string;
}

interface StoredFile {
  surveyId: string;
  bytes: Buffer;
  contentType: string;
  fileName: string;
}

interface ExportStore {
  jobs: Map<string, ExportJob>;
  files: Map<string, StoredFile>;
  /** continuation token → the last recording sequence number the export that issued it saw */
  tokens: Map<string, { surveyId: string; seq: number }>;
  /** exports of a survey still to fail (sandbox control) */
  failNext: Map<string, number>;
  pollsToComplete: number;
  /** recording order of responses, assigned in Map insertion order (deletions leave gaps) */
  seq: WeakMap<ResponseRecord, number>;
  lastSeq: WeakMap<SurveyRecord, number>;
}

const stores = new WeakMap<SandboxState, ExportStore>();

/** The export bookkeeping of one sandbox state (a reset starts a new one). */
export function exportStore(state: SandboxState): ExportStore {
  let s = stores.get(state);
  if (!s) {
    s = { jobs: new Map(), files: new Map(), tokens: new Map(), failNext: new Map(), pollsToComplete: DEFAULT_POLLS_TO_COMPLETE, seq: new WeakMap(), lastSeq: new WeakMap() };
    stores.set(state, s);
  }
  return s;
}

/** What a continuation token needs after a restart: the tokens, and the recording order they refer to. */
export interface SavedExportBookmarks {
  tokens: Array<[string, { surveyId: string; seq: number }]>;
  /** per survey: its last sequence number and each response's */
  order: Array<{ surveyId: string; last: number; seq: Array<[string, number]> }>;
}

export function exportBookmarks(state: SandboxState): SavedExportBookmarks {
  const store = exportStore(state);
  const order: SavedExportBookmarks["order"] = [];
  for (const survey of state.surveys.values()) {
    const last = store.lastSeq.get(survey);
    if (last === undefined) continue;
    const seq: Array<[string, number]> = [];
    for (const r of survey.responses.values()) {
      const n = store.seq.get(r);
      if (n !== undefined) seq.push([r.responseId, n]);
    }
    order.push({ surveyId: survey.id, last, seq });
  }
  return { tokens: [...store.tokens.entries()], order };
}

export function restoreExportBookmarks(state: SandboxState, saved: SavedExportBookmarks): void {
  const store = exportStore(state);
  for (const [token, t] of saved.tokens) store.tokens.set(token, t);
  for (const o of saved.order) {
    const survey = state.surveys.get(o.surveyId);
    if (!survey) continue;
    store.lastSeq.set(survey, o.last);
    for (const [responseId, n] of o.seq) {
      const r = survey.responses.get(responseId);
      if (r) store.seq.set(r, n);
    }
  }
}

/** Every response of the survey with its recording sequence number, oldest first. */
function recorded(store: ExportStore, survey: SurveyRecord): Array<{ r: ResponseRecord; seq: number }> {
  let last = store.lastSeq.get(survey) ?? 0;
  const out: Array<{ r: ResponseRecord; seq: number }> = [];
  for (const r of survey.responses.values()) {
    let n = store.seq.get(r);
    if (n === undefined) store.seq.set(r, (n = ++last));
    out.push({ r, seq: n });
  }
  store.lastSeq.set(survey, last);
  return out;
}

/** Saved filters of a survey (IDs derived from the survey, so they are stable). */
export function surveyFilters(survey: SurveyRecord): Array<{ filterId: string; filterName: string; test: (r: ResponseRecord) => boolean }> {
  const id = (name: string) => "FT_" + createHash("sha256").update(survey.id + name).digest("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 15);
  const score = (r: ResponseRecord) => Number(r.values.QID1);
  return [
    { filterId: id("promoters"), filterName: "Promoters (QID1 9-10)", test: (r) => score(r) >= 9 },
    { filterId: id("detractors"), filterName: "Detractors (QID1 0-6)", test: (r) => score(r) <= 6 },
  ];
}

const FORMATS = ["csv", "tsv", "json", "ndjson", "spss", "xml"];
const BOOLEAN_OPTIONS = ["useLabels", "includeLabelColumns", "formatDecimalAsComma", "includeDisplayOrder", "breakoutSets", "exportResponsesInProgress", "sortByLastModifiedDate", "allowContinuation", "includeWaveWeights"];
const KNOWN = new Set([
  "format", "compress", "startDate", "endDate", "limit", "filterId", "questionIds", "embeddedDataIds", "surveyMetadataIds",
  "continuationToken", "timeZone", "newlineReplacement", "seenUnansweredRecode", "multiselectSeenUnansweredRecode", ...BOOLEAN_OPTIONS,
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** §10: Airbyte sends "false" as a string and it is accepted. */
function flag(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw badRequest(`${key} must be a boolean`);
}

function date(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || Number.isNaN(Date.parse(v))) throw badRequest(`${key} must be an ISO 8601 date`);
  return Date.parse(v);
}

function stringList(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw badRequest(`${key} must be an array of strings`);
  return v as string[];
}

export const exportRoutes: Route[] = [
  route("GET", "/surveys/:surveyId/filters", (ctx) => {
    const survey = getSurvey(ctx, ctx.params.surveyId);
    // UNCONFIRMED (docs/qualtrics-facts.md §7.1): the element shape of the saved-filter list
    const elements = surveyFilters(survey).map((f) => ({ filterId: f.filterId, filterName: f.filterName, creationDate: survey.creationDate }));
    return ok({ elements, nextPage: null });
  }),

  route("POST", "/surveys/:surveyId/export-responses", (ctx) => {
    const survey = getSurvey(ctx, ctx.params.surveyId);
    if (!isObject(ctx.body)) throw badRequest("Request body must be a JSON object");
    const body = ctx.body;
    for (const k of Object.keys(body)) if (!KNOWN.has(k)) throw badRequest(`Unrecognized field: ${k}`);
    const format = body.format;
    if (typeof format !== "string" || !FORMATS.includes(format)) throw badRequest(`format is required: one of ${FORMATS.join(", ")}`);
    if (format === "spss" || format === "xml") throw badRequest(`the sandbox cannot write ${format} files; use csv, tsv, json or ndjson`);
    for (const k of BOOLEAN_OPTIONS) flag(body, k);
    const compress = flag(body, "compress") ?? true;
    const start = date(body, "startDate");
    const end = date(body, "endDate");
    if (start !== undefined && end !== undefined && start >= end) throw badRequest("endDate must be after startDate");
    let limit: number | undefined;
    if (body.limit !== undefined) {
      if (typeof body.limit !== "number" || !Number.isInteger(body.limit) || body.limit < 1) throw badRequest("limit must be a positive integer");
      limit = body.limit;
    }
    const questionIds = stringList(body, "questionIds");
    for (const q of questionIds ?? []) {
      if (!survey.questions.some((x) => x.qid === q || x.qid.replace(/_TEXT$/, "") === q)) throw badRequest(`questionIds: unknown question ${q}`);
    }
    const embeddedDataIds = stringList(body, "embeddedDataIds");
    stringList(body, "surveyMetadataIds");
    let filter: ((r: ResponseRecord) => boolean) | undefined;
    if (body.filterId !== undefined) {
      const f = surveyFilters(survey).find((x) => x.filterId === body.filterId);
      if (!f) throw badRequest(`filterId: no saved filter ${String(body.filterId).slice(0, 40)} for this survey`);
      filter = f.test;
    }
    const store = exportStore(ctx.state);
    let after = 0;
    if (body.continuationToken !== undefined) {
      const t = typeof body.continuationToken === "string" ? store.tokens.get(body.continuationToken) : undefined;
      if (!t || t.surveyId !== survey.id) throw badRequest("continuationToken is not valid for this survey");
      after = t.seq;
    }
    const inProgress = flag(body, "exportResponsesInProgress") === true;
    const all = recorded(store, survey);
    let chosen = all.filter(({ r, seq }) => {
      if (seq <= after) return false;
      // partial responses are exported only when asked for, and then only they
      if ((Number(r.values.finished) === 0) !== inProgress) return false;
      const at = Date.parse(String(r.values.recordedDate));
      if (start !== undefined && at < start) return false;
      if (end !== undefined && at >= end) return false;
      return filter ? filter(r) : true;
    });
    if (limit !== undefined) chosen = chosen.slice(0, limit);
    const f = format as SandboxExportFormat;
    const text = renderExport(survey, chosen.map((c) => c.r), { format: f, useLabels: flag(body, "useLabels"), questionIds, embeddedDataIds });
    // Qualtrics names the file after the survey (§7.4); the zip holds that one file
    const inner = `${survey.name}.${f}`;
    const bytes = compress ? zipOneFile(inner, Buffer.from(text, "utf8")) : Buffer.from(text, "utf8");
    const fileId = `${randomUUID()}-def`;
    store.files.set(fileId, {
      surveyId: survey.id,
      bytes,
      // UNCONFIRMED (docs/qualtrics-facts.md §7.4): "application/octet-stream or zip"
      contentType: compress ? "application/octet-stream" : CONTENT_TYPES[f],
      fileName: compress ? `${survey.name}.zip` : inner,
    });
    let continuationToken: string | undefined;
    if (flag(body, "allowContinuation") === true || body.continuationToken !== undefined) {
      continuationToken = randomAlnum(40);
      // everything recorded up to now is behind this token, whether it matched the filters or not
      store.tokens.set(continuationToken, { surveyId: survey.id, seq: all.length ? all[all.length - 1].seq : after });
      // UNCONFIRMED (docs/qualtrics-facts.md §7.2): how long Qualtrics honours a token; the sandbox keeps the
      // latest MAX_TOKENS, so a poll every few seconds for days (npm start keeps them in a file) stays small
      for (const oldest of store.tokens.keys()) {
        if (store.tokens.size <= MAX_TOKENS) break;
        store.tokens.delete(oldest);
      }
    }
    const failing = store.failNext.get(survey.id) ?? 0;
    if (failing > 0) store.failNext.set(survey.id, failing - 1);
    const job: ExportJob = {
      progressId: `ES_${randomAlnum(15)}`,
      surveyId: survey.id,
      polls: 0,
      pollsToComplete: store.pollsToComplete,
      fail: failing > 0,
      fileId,
      continuationToken,
    };
    store.jobs.set(job.progressId, job);
    return ok({ progressId: job.progressId, percentComplete: 0.0, status: "inProgress" });
  }),

  route("GET", "/surveys/:surveyId/export-responses/:progressId", (ctx) => {
    getSurvey(ctx, ctx.params.surveyId);
    const job = exportStore(ctx.state).jobs.get(ctx.params.progressId);
    if (!job || job.surveyId !== ctx.params.surveyId) throw notFound(`Export not found: ${ctx.params.progressId}`);
    job.polls += 1;
    if (job.polls < job.pollsToComplete) {
      return ok({ percentComplete: Math.round((job.polls / job.pollsToComplete) * 1000) / 10, status: "inProgress" });
    }
    // §7.3: a failed export says 100 percent too
    if (job.fail) return ok({ fileId: null, percentComplete: 100, status: "failed" });
    return ok({ percentComplete: 100, status: "complete", fileId: job.fileId, ...(job.continuationToken ? { continuationToken: job.continuationToken } : {}) });
  }),

  route("GET", "/surveys/:surveyId/export-responses/:fileId/file", (ctx) => {
    getSurvey(ctx, ctx.params.surveyId);
    const file = exportStore(ctx.state).files.get(ctx.params.fileId);
    if (!file || file.surveyId !== ctx.params.surveyId) throw notFound(`Export file not found: ${ctx.params.fileId}`);
    return fileResult(file.bytes, { "Content-Type": file.contentType, "Content-Disposition": `attachment; filename="${file.fileName.replace(/"/g, "")}"` });
  }),
];

