// The contents of a response-export file (docs/qualtrics-facts.md §7.4, §6.5): JSON {"responses":[...]},
// NDJSON, and CSV/TSV with Qualtrics' three header rows.
import { ResponseRecord, SurveyRecord } from "./state";

export type SandboxExportFormat = "json" | "ndjson" | "csv" | "tsv";

export interface RenderOptions {
  format: SandboxExportFormat;
  /** choice texts instead of codes in CSV/TSV (§7.2) */
  useLabels?: boolean;
  /** only these questions (QID1, QID3_TEXT is QID3); all when undefined */
  questionIds?: string[];
  /** only these embedded-data fields; all when undefined */
  embeddedDataIds?: string[];
}

/** values keys that are response metadata, not questions or embedded data. // UNCONFIRMED (docs/qualtrics-facts.md §6.5) */
const METADATA: Array<[key: string, column: string, label: string]> = [
  ["startDate", "StartDate", "Start Date"],
  ["endDate", "EndDate", "End Date"],
  ["status", "Status", "Response Type"],
  ["ipAddress", "IPAddress", "IP Address"],
  ["progress", "Progress", "Progress"],
  ["duration", "Duration (in seconds)", "Duration (in seconds)"],
  ["finished", "Finished", "Finished"],
  ["recordedDate", "RecordedDate", "Recorded Date"],
  ["_recordId", "ResponseId", "Response ID"],
  ["locationLatitude", "LocationLatitude", "Location Latitude"],
  ["locationLongitude", "LocationLongitude", "Location Longitude"],
  ["distributionChannel", "DistributionChannel", "Distribution Channel"],
  ["userLanguage", "UserLanguage", "User Language"],
];
const METADATA_KEYS = new Set(METADATA.map(([k]) => k));
const DATE_KEYS = new Set(["startDate", "endDate", "recordedDate"]);

function questionKey(qid: string): string {
  return qid.replace(/_TEXT$/, "");
}

function isQuestion(survey: SurveyRecord, key: string): boolean {
  return survey.questions.some((q) => q.qid === key);
}

/** the response's values with the columns the export asked for */
function selectedValues(survey: SurveyRecord, r: ResponseRecord, o: RenderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.values)) {
    if (METADATA_KEYS.has(k)) out[k] = v;
    else if (isQuestion(survey, k)) {
      if (!o.questionIds || o.questionIds.includes(questionKey(k)) || o.questionIds.includes(k)) out[k] = v;
    } else if (!o.embeddedDataIds || o.embeddedDataIds.includes(k)) out[k] = v;
  }
  return out;
}

function jsonRecord(survey: SurveyRecord, r: ResponseRecord, o: RenderOptions): Record<string, unknown> {
  const values = selectedValues(survey, r, o);
  const keep = (obj: Record<string, unknown>) => Object.fromEntries(Object.entries(obj).filter(([k]) => !isQuestion(survey, k) || k in values));
  return {
    responseId: r.responseId,
    values,
    labels: keep(r.labels),
    displayedFields: r.displayedFields.filter((f) => f in values),
    displayedValues: keep(r.displayedValues),
  };
}

function cell(value: unknown, delimiter: string): string {
  const s = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  return s.includes(delimiter) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function delimited(survey: SurveyRecord, responses: ResponseRecord[], o: RenderOptions, delimiter: string): string {
  const questions = survey.questions.filter((q) => !o.questionIds || o.questionIds.includes(questionKey(q.qid)) || o.questionIds.includes(q.qid));
  const embedded: string[] = [];
  for (const r of responses) {
    for (const k of Object.keys(r.values)) {
      if (METADATA_KEYS.has(k) || isQuestion(survey, k) || embedded.includes(k)) continue;
      if (!o.embeddedDataIds || o.embeddedDataIds.includes(k)) embedded.push(k);
    }
  }
  const names = [...METADATA.map(([, c]) => c), ...questions.map((q, i) => `Q${i + 1}`), ...embedded];
  const labels = [...METADATA.map(([, , l]) => l), ...questions.map((q) => q.text), ...embedded];
  const importIds = [
    ...METADATA.map(([k]) => JSON.stringify(DATE_KEYS.has(k) ? { ImportId: k, timeZone: "Z" } : { ImportId: k })),
    ...questions.map((q) => JSON.stringify({ ImportId: q.qid })),
    ...embedded.map((k) => JSON.stringify({ ImportId: k })),
  ];
  const rows = [names, labels, importIds];
  for (const r of responses) {
    const row: unknown[] = METADATA.map(([k]) => r.values[k]);
    for (const q of questions) {
      const v = r.values[q.qid];
      row.push(o.useLabels && q.choices && q.choices[String(v)] !== undefined ? q.choices[String(v)] : v);
    }
    for (const k of embedded) row.push(r.values[k]);
    rows.push(row as string[]);
  }
  // a UTF-8 byte order mark first, as spreadsheet programs expect
  return "\ufeff" + rows.map((row) => row.map((v) => cell(v, delimiter)).join(delimiter)).join("\r\n") + "\r\n";
}

export function renderExport(survey: SurveyRecord, responses: ResponseRecord[], o: RenderOptions): string {
  switch (o.format) {
    case "json":
      return JSON.stringify({ responses: responses.map((r) => jsonRecord(survey, r, o)) });
    case "ndjson":
      return responses.map((r) => JSON.stringify(jsonRecord(survey, r, o)) + "\n").join("");
    case "csv":
      return delimited(survey, responses, o, ",");
    case "tsv":
      return delimited(survey, responses, o, "\t");
  }
}

export const CONTENT_TYPES: Record<SandboxExportFormat, string> = {
  json: "application/json",
  ndjson: "application/x-ndjson",
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
};
