// The responses in an export file, one at a time, as the file streams in (qualtrics-api.md §7.4):
// JSON `{"responses":[...]}`, NDJSON (one response a line), CSV and TSV (a row per response, keyed
// by the column names). Only one response's text is held at a time, however large the file.
import { StringDecoder } from "node:string_decoder";
import { parse as parseCsv } from "csv-parse";
import { isForbiddenKey, safeJsonParse } from "./safe-object";

export type ExportFormat = "json" | "ndjson" | "csv" | "tsv";

/** The file does not have the shape of its format. */
export class ExportFileError extends Error {
  constructor(message: string) {
    super(`export file: ${message}`);
    this.name = "ExportFileError";
  }
}

/** A column of a CSV or TSV export: its name, and from Qualtrics' extra header rows its text and import ID. */
export interface ExportColumn {
  name: string;
  label?: string;
  importId?: string;
}

export interface RecordsOptions {
  /** called once the header rows of a CSV or TSV file are read */
  onColumns?: (columns: ExportColumn[]) => void;
}

export function records(format: ExportFormat, source: AsyncIterable<Uint8Array>, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  switch (format) {
    case "json":
      return jsonResponses(source);
    case "ndjson":
      return ndjsonLines(source);
    case "csv":
      return delimitedRows(source, ",", opts);
    case "tsv":
      return delimitedRows(source, "\t", opts);
  }
}

function parseElement(text: string, what: string): unknown {
  try {
    return safeJsonParse(text);
  } catch (err) {
    throw new ExportFileError(`${what} is not valid JSON (${(err as Error).message})`);
  }
}

const QUOTE = 34; // "
const BACKSLASH = 92;
const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * The elements of the top-level "responses" array of a JSON export, each parsed on its own. The
 * scanner only follows strings and brackets, so it holds one element's text at a time; a file whose
 * top level is the array itself is read the same way.
 */
export async function* jsonResponses(source: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder("utf8");
  const stack: number[] = []; // open brackets
  let inString = false;
  let escaped = false;
  // the top-level object's keys: the last key read, and whether a key comes next
  let keyText = "";
  let readingKey = false;
  let expectKey = false;
  let lastKey = "";
  // the responses array, and the element being captured in it
  let arrayDepth = -1;
  let seenArray = false;
  let capture = "";
  let capturing = false;
  let elementDepth = 0;
  let first = true;
  let count = 0;

  for await (const bytes of source) {
    let text = decoder.write(Buffer.from(bytes));
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = capturing ? 0 : -1;
    const out: unknown[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (readingKey) {
            readingKey = false;
            lastKey = keyText;
          }
        } else if (readingKey && keyText.length < 64) keyText += text[i];
        continue;
      }
      if (isSpace(c)) continue;
      const depth = stack.length;
      // an element of the responses array starts
      if (arrayDepth >= 0 && depth === arrayDepth && !capturing && c !== COMMA && c !== CLOSE_ARRAY) {
        capturing = true;
        start = i;
        elementDepth = depth;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && stack[0] === OPEN_OBJECT && expectKey) {
          readingKey = true;
          keyText = "";
          expectKey = false;
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (depth === 0 && c === OPEN_ARRAY && arrayDepth < 0) {
          arrayDepth = 1;
          seenArray = true;
        } else if (depth === 1 && stack[0] === OPEN_OBJECT && c === OPEN_ARRAY && lastKey === "responses" && arrayDepth < 0 && !seenArray) {
          arrayDepth = 2;
          seenArray = true;
        }
        stack.push(c);
        if (depth === 0 && c === OPEN_OBJECT) expectKey = true;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (capturing && depth === elementDepth) {
          // a primitive element ends where the array closes
          out.push(parseElement(capture + text.slice(start, i), `response ${count + out.length + 1}`));
          capturing = false;
          capture = "";
        }
        const open = stack.pop();
        if (open === undefined || (open === OPEN_OBJECT) !== (c === CLOSE_OBJECT)) throw new ExportFileError("the JSON is not well formed");
        if (capturing && stack.length === elementDepth) {
          capture += text.slice(start, i + 1);
          out.push(parseElement(capture, `response ${count + out.length + 1}`));
          capturing = false;
          capture = "";
        }
        if (c === CLOSE_ARRAY && depth === arrayDepth) arrayDepth = -1;
      } else if (c === COMMA) {
        if (capturing && depth === elementDepth) {
          out.push(parseElement(capture + text.slice(start, i), `response ${count + out.length + 1}`));
          capturing = false;
          capture = "";
        }
        if (depth === 1 && stack[0] === OPEN_OBJECT) expectKey = true;
      } else if (c === COLON) {
        // a value follows; nothing to do
      }
    }
    if (capturing) capture += text.slice(start);
    for (const r of out) {
      count++;
      yield r;
    }
  }
  decoder.end();
  if (stack.length > 0 || inString) throw new ExportFileError("the JSON ended early (the download may have been cut off)");
  if (!seenArray) throw new ExportFileError('no "responses" array in the JSON');
}

/** One JSON value per line (NDJSON); empty lines are skipped. */
export async function* ndjsonLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let line = 0;
  let first = true;
  const parseLine = (text: string): unknown | undefined => {
    line++;
    const t = text.trim();
    return t === "" ? undefined : parseElement(t, `line ${line}`);
  };
  for await (const bytes of source) {
    let text = rest + decoder.write(Buffer.from(bytes));
    if (first && text.length) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let from = 0;
    const out: unknown[] = [];
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      const v = parseLine(text.slice(from, nl));
      if (v !== undefined) out.push(v);
      from = nl + 1;
    }
    rest = text.slice(from);
    yield* out;
  }
  rest += decoder.end();
  const v = parseLine(rest);
  if (v !== undefined) yield v;
}

/** {"ImportId":"QID1"} or {"ImportId":"startDate","timeZone":"..."}: Qualtrics' third header row */
function importIdOf(cell: string): string | undefined {
  const t = cell.trim();
  if (!t.startsWith("{") || !t.includes("ImportId")) return undefined;
  try {
    const v = JSON.parse(t) as { ImportId?: unknown };
    return typeof v.ImportId === "string" ? v.ImportId : undefined;
  } catch {
    return undefined;
  }
}

function isImportIdRow(row: string[]): boolean {
  const cells = row.filter((c) => c.trim() !== "");
  return cells.length > 0 && cells.every((c) => importIdOf(c) !== undefined);
}

/**
 * Rows of a CSV or TSV export as objects keyed by the first row's column names.
 * // UNCONFIRMED (qualtrics-api.md §7.4 does not describe the CSV layout): exports are seen with
 * three header rows (names, question texts, {"ImportId":...}); the second and third rows are taken
 * as header rows only when the ImportId row is there, so a file with one header row loses no data.
 */
export async function* delimitedRows(source: AsyncIterable<Uint8Array>, delimiter: string, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  const parser = parseCsv({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true });
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!parser.write(Buffer.from(chunk))) {
          // room again, or the reader has gone (an early stop destroys the parser)
          await new Promise<void>((resolve) => {
            const go = () => {
              parser.off("drain", go);
              parser.off("close", go);
              resolve();
            };
            parser.on("drain", go);
            parser.on("close", go);
          });
        }
        if (parser.destroyed) return;
      }
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  let names: string[] | undefined;
  let pending: string[] | undefined; // the second row, until the third says whether it is a header
  let headerDone = false;
  let columns: ExportColumn[] = [];
  let rowNumber = 0;
  const toObject = (row: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    names!.forEach((name, i) => {
      if (!isForbiddenKey(name)) out[name] = row[i] ?? "";
    });
    return out;
  };
  const finishHeader = (labels?: string[], importIds?: string[]) => {
    headerDone = true;
    columns = names!.map((name, i) => ({
      name,
      ...(labels && labels[i] !== undefined ? { label: labels[i] } : {}),
      ...(importIds && importIdOf(importIds[i] ?? "") ? { importId: importIdOf(importIds[i]) } : {}),
    }));
    opts.onColumns?.(columns);
  };
  try {
    for await (const raw of parser) {
      const row = raw as string[];
      rowNumber++;
      if (!names) {
        names = row.map((n, i) => (n.trim() === "" ? `column${i + 1}` : n));
        continue;
      }
      if (!headerDone) {
        if (!pending) {
          if (isImportIdRow(row)) {
            finishHeader(undefined, row);
            continue;
          }
          pending = row;
          continue;
        }
        if (isImportIdRow(row)) {
          finishHeader(pending, row);
          pending = undefined;
          continue;
        }
        finishHeader();
        yield toObject(pending);
        pending = undefined;
      }
      yield toObject(row);
    }
  } catch (err) {
    throw err instanceof ExportFileError ? err : new ExportFileError(`row ${rowNumber + 1}: ${(err as Error).message}`);
  } finally {
    if (!parser.destroyed && !parser.writableEnded) parser.destroy();
    await feeding;
  }
  if (!names) return;
  if (!headerDone) {
    finishHeader();
    if (pending) yield toObject(pending);
  }
}
