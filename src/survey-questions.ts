// A survey's questions in a form people can read (docs/qualtrics-facts.md §8.1): question texts without
// HTML, what each answer value means, and responses relabelled with question texts as keys.
// Pure functions; src/survey-cache.ts fetches and keeps the definitions.
import { isForbiddenKey, isPlainObject } from "./safe-object";

export interface QuestionInfo {
  qid: string;
  /** the question text without HTML */
  text: string;
  type?: string;
  selector?: string;
  exportTag?: string;
  /** what an answer's value means: value (the recode, else the choice ID) → label */
  values?: Record<string, string>;
  /** the question's parts by ID → label: matrix statements, form fields, choices with a text box */
  parts?: Record<string, string>;
}

export interface QuestionCatalog {
  surveyId: string;
  questions: QuestionInfo[];
  /** which endpoint the questions came from */
  source: "survey-definitions" | "surveys";
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", hellip: "…", rsquo: "’", lsquo: "‘", rdquo: "”", ldquo: "“" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[body.toLowerCase()] ?? m;
  });
}

/** Question texts are HTML in Qualtrics: tags out, entities decoded, whitespace collapsed. */
export function stripHtml(html: unknown): string {
  if (typeof html !== "string") return "";
  return decodeEntities(
    html
      .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<br\s*\/?>|<\/(p|div|li|h[1-6]|tr|td)\s*>/gi, " ")
      .replace(/<[^>]*>/g, ""),
  )
    .replace(/\s+/g, " ")
    .trim();
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function labelsOf(choices: unknown, recodes: unknown, display: (c: Record<string, unknown>) => unknown): { byValue: Record<string, string>; byId: Record<string, string> } {
  const byValue: Record<string, string> = {};
  const byId: Record<string, string> = {};
  if (!isPlainObject(choices)) return { byValue, byId };
  const recode = isPlainObject(recodes) ? recodes : {};
  for (const [id, c] of Object.entries(choices)) {
    if (!isPlainObject(c) || isForbiddenKey(id)) continue;
    const label = stripHtml(display(c));
    const value = str(recode[id]) ?? id;
    byId[id] = label;
    if (!isForbiddenKey(value)) byValue[value] = label;
  }
  return { byValue, byId };
}

const nonEmpty = (o: Record<string, string>) => (Object.keys(o).length > 0 ? o : undefined);

/** One question of the survey-definitions format (`Questions.QID1`, or an element of /questions). */
function fromDefinitionQuestion(qid: string, q: Record<string, unknown>): QuestionInfo {
  const text = stripHtml(q.QuestionText) || stripHtml(q.QuestionDescription);
  const type = str(q.QuestionType);
  const info: QuestionInfo = { qid, text, type, selector: str(q.Selector), exportTag: str(q.DataExportTag) };
  const display = (c: Record<string, unknown>) => c.Display;
  if (isPlainObject(q.Answers)) {
    // a matrix: the choices are the statements (rows), the answers the scale
    info.values = nonEmpty(labelsOf(q.Answers, q.RecodeValues, display).byValue);
    info.parts = nonEmpty(labelsOf(q.Choices, undefined, display).byId);
  } else {
    const { byValue, byId } = labelsOf(q.Choices, q.RecodeValues, display);
    // text entry forms have choices (the fields) but their values are the typed text
    if (type !== "TE") info.values = nonEmpty(byValue);
    info.parts = nonEmpty(byId);
  }
  return info;
}

/**
 * GET /survey-definitions/{id} (`result.Questions`, a map by QID) or
 * GET /survey-definitions/{id}/questions (`result.elements`, an array with QuestionID).
 * Descriptive text ("DB") is not a question and is left out.
 */
export function catalogFromDefinition(surveyId: string, result: unknown): QuestionCatalog {
  const list: Array<[string, Record<string, unknown>]> = [];
  if (Array.isArray(result)) {
    for (const q of result) if (isPlainObject(q) && typeof q.QuestionID === "string") list.push([q.QuestionID, q]);
  } else if (isPlainObject(result)) {
    if (Array.isArray(result.elements)) return catalogFromDefinition(surveyId, result.elements);
    const qs = isPlainObject(result.Questions) ? result.Questions : {};
    for (const [qid, q] of Object.entries(qs)) {
      if (isPlainObject(q)) list.push([typeof q.QuestionID === "string" ? q.QuestionID : qid, q]);
    }
  }
  const questions = list.filter(([qid, q]) => !isForbiddenKey(qid) && q.QuestionType !== "DB").map(([qid, q]) => fromDefinitionQuestion(qid, q));
  return { surveyId, questions, source: "survey-definitions" };
}

/** GET /surveys/{id}: the "v3 survey" format, `result.questions.QID1.{questionText, choices, subQuestions}`. */
export function catalogFromSurvey(surveyId: string, result: unknown): QuestionCatalog {
  const questions: QuestionInfo[] = [];
  const qs = isPlainObject(result) && isPlainObject(result.questions) ? result.questions : {};
  for (const [qid, q] of Object.entries(qs)) {
    if (!isPlainObject(q) || isForbiddenKey(qid)) continue;
    const qt = isPlainObject(q.questionType) ? q.questionType : {};
    const type = str(qt.type);
    if (type === "DB") continue;
    const display = (c: Record<string, unknown>) => c.description ?? c.choiceText;
    const recodes = (choices: unknown) =>
      isPlainObject(choices) ? Object.fromEntries(Object.entries(choices).filter(([, c]) => isPlainObject(c)).map(([id, c]) => [id, (c as Record<string, unknown>).recode])) : {};
    const info: QuestionInfo = { qid, text: stripHtml(q.questionText), type, selector: str(qt.selector), exportTag: str(q.questionName) };
    const answers = labelsOf(q.choices, recodes(q.choices), display);
    if (type !== "TE") info.values = nonEmpty(answers.byValue);
    info.parts = nonEmpty(isPlainObject(q.subQuestions) ? labelsOf(q.subQuestions, undefined, display).byId : answers.byId);
    questions.push(info);
  }
  return { surveyId, questions, source: "surveys" };
}

/** `{ QID1: "question text", ... }` */
export function questionMap(catalog: QuestionCatalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of catalog.questions) out[q.qid] = q.text;
  return out;
}

/** `{ QID2: { "1": "Very dissatisfied", ... }, ... }` for the questions whose answers have labels */
export function choiceMap(catalog: QuestionCatalog): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const q of catalog.questions) if (q.values) out[q.qid] = { ...q.values };
  return out;
}

const WHOLE = /^(QID\d+)$/;
const TEXT = /^(QID\d+)_TEXT$/;
const PART_TEXT = /^(QID\d+)_(\d+)_TEXT$/;
const NPS_GROUP = /^(QID\d+)_NPS_GROUP$/;
const PART = /^(QID\d+)_(\d+)$/;
const QID_KEY = /^(\d+_)?QID\d+/;

/** The answers of a response: `payload.values` (a response, or an export element) or the values themselves. */
export function responseValues(response: unknown): { values: Record<string, unknown>; labels: Record<string, unknown> } | undefined {
  if (!isPlainObject(response)) return undefined;
  if (isPlainObject(response.values)) return { values: response.values, labels: isPlainObject(response.labels) ? response.labels : {} };
  if (Object.keys(response).some((k) => QID_KEY.test(k))) return { values: response, labels: {} };
  return undefined;
}

function labelValue(v: unknown, values: Record<string, string> | undefined): unknown {
  if (!values) return v;
  if (Array.isArray(v)) return v.map((x) => values[String(x)] ?? x);
  const s = str(v);
  return s !== undefined && Object.prototype.hasOwnProperty.call(values, s) ? values[s] : v;
}

/**
 * The answers of a response with question texts as keys and answer labels as values, in the
 * order of the response. Keys that are not answers (startDate, embedded data, ...) are left out;
 * answers to questions the definition does not know keep their own key. The response's own
 * `labels` win over the definition's where both exist.
 */
export function labelResponse(catalog: QuestionCatalog, response: unknown): Record<string, unknown> | undefined {
  const found = responseValues(response);
  if (!found) return undefined;
  const byQid = new Map(catalog.questions.map((q) => [q.qid, q]));
  const out: Record<string, unknown> = {};
  const put = (name: string, key: string, value: unknown) => {
    let k = name || key;
    if (isForbiddenKey(k) || Object.prototype.hasOwnProperty.call(out, k)) k = `${k} (${key})`;
    out[k] = value;
  };
  for (const [key, raw] of Object.entries(found.values)) {
    const own = found.labels[key];
    let m: RegExpExecArray | null;
    let q: QuestionInfo | undefined;
    if ((m = WHOLE.exec(key)) && (q = byQid.get(m[1]))) {
      put(q.text || q.exportTag || q.qid, key, own ?? labelValue(raw, q.values));
    } else if ((m = TEXT.exec(key)) && (q = byQid.get(m[1]))) {
      put(q.type === "TE" ? q.text : `${q.text} (text)`, key, raw);
    } else if ((m = PART_TEXT.exec(key)) && (q = byQid.get(m[1]))) {
      put(`${q.text} - ${q.parts?.[m[2]] ?? m[2]} (text)`, key, raw);
    } else if ((m = NPS_GROUP.exec(key)) && (q = byQid.get(m[1]))) {
      put(`${q.text} (NPS group)`, key, own ?? raw);
    } else if ((m = PART.exec(key)) && (q = byQid.get(m[1]))) {
      // a matrix statement is answered on the question's scale; a form field holds text
      put(`${q.text} - ${q.parts?.[m[2]] ?? m[2]}`, key, own ?? (q.type === "TE" ? raw : labelValue(raw, q.values)));
    } else if (QID_KEY.test(key)) {
      put(key, key, own ?? raw);
    }
  }
  return out;
}
