// The responses in an export file, one at a time, as the file streams in (docs/qualtrics-facts.md §7.4):
// JSON `{"responses":[...]}`, NDJSON (one response a line), CSV and TSV (a row per response, keyed
// by the column names). Only one response is held at a time, however large the file: JSON is read
// with stream-json, CSV and TSV with csv-parse.
import { pipeline, Transform, Writable } from "node:stream";
import { parse as parseCsv } from "csv-parse";
import { parser as jsonParser, type Token } from "stream-json/parser.js";
import { pick } from "stream-json/filters/pick.js";
import { streamArray, type StreamArrayItem } from "stream-json/streamers/stream-array.js";
import { isForbiddenKey, safeJsonParse, sanitize } from "./safe-object";
import { ERROR_NAME } from "./errors";

export type ExportFormat = "json" | "ndjson" | "csv" | "tsv";

/** The file does not have the shape of its format. */
export class ExportFileError extends Error {
  constructor(message: string) {
    super(`export file: ${message}`);
    this.name = ERROR_NAME;
  }
}

/** A column of a CSV or TSV export: its name, and from Qualtrics' extra header rows its text and import ID. */
export interface ExportColumn {
  name: string;
  label?: string;
  importId?: string;
}

/** the largest response (a CSV or TSV row, an NDJSON line, a JSON element) read by default: 16 MB */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface RecordsOptions {
  /** called once the header rows of a CSV or TSV file are read */
  onColumns?: (columns: ExportColumn[]) => void;
  /** one response larger than this (bytes; characters for JSON) is an error before it is all in memory (DEFAULT_MAX_RECORD_BYTES) */
  maxRecordBytes?: number;
  /** where a user raises that limit, named in the error (e.g. a setting) */
  limitHint?: string;
}

/** The error for a response over the limit: says which, the limit, and where to raise it. */
export function recordTooLarge(what: string, opts: RecordsOptions): ExportFileError {
  const hint = opts.limitHint ? ` (${opts.limitHint})` : "";
  return new ExportFileError(`${what} is larger than ${megabytes(maxRecord(opts))}, the limit for one response${hint}; nothing after it was read`);
}

function maxRecord(opts: RecordsOptions): number {
  const n = opts.maxRecordBytes;
  return typeof n === "number" && n > 0 ? n : DEFAULT_MAX_RECORD_BYTES;
}

/** 16777216 → "16 MB", 1500 → "1500 bytes" */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? `${mb} MB` : mb >= 1 ? `${mb.toFixed(1)} MB` : `${bytes} bytes`;
}

export function records(format: ExportFormat, source: AsyncIterable<Uint8Array>, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  switch (format) {
    case "json":
      return jsonResponses(source, opts);
    case "ndjson":
      return ndjsonLines(source, opts);
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

/** Writes a chunk and waits until the stream has taken it in, or has gone (failed or stopped). */
function write(stream: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const gone = () => resolve();
    stream.once("close", gone);
    stream.write(chunk, () => {
      stream.off("close", gone);
      resolve();
    });
  });
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The source without a UTF-8 byte order mark at its start. */
async function* withoutBom(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const bytes of source) {
    const chunk = Buffer.from(bytes);
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) continue;
    yield head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
    head = undefined;
  }
  if (head?.length) yield head;
}

/** the end of a file cut off inside true, false or null, where the parser cannot tell that from a wrong value */
const CUT_LITERAL = /[[,:]\s*(?:t|tr|tru|f|fa|fal|fals|n|nu|nul)$/;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

const ELEMENT_END = new Set(["endObject", "endArray", "stringValue", "numberValue", "nullValue", "trueValue", "falseValue"]);

/**
 * Counts the size of each element of the picked array from the parser's tokens (a string or
 * number arrives in chunks as it is parsed), so one too large is refused while it is assembled
 * rather than after it is all in memory.
 */
function elementSizeLimit(max: number, onTooLarge: (element: number) => Error): Transform {
  let depth = 0;
  let size = 0;
  let element = 1;
  return new Transform({
    objectMode: true,
    transform(token: Token, _enc, done) {
      const name = token.name;
      if (name === "startObject" || name === "startArray") depth++;
      else if (name === "endObject" || name === "endArray") depth--;
      size += name === "stringChunk" || name === "numberChunk" ? String(token.value).length : 1;
      if (size > max) return done(onTooLarge(element));
      // an element ends where the array's level is reached again by a closing or whole-value token
      if (depth === 1 && ELEMENT_END.has(name)) {
        size = 0;
        element++;
      }
      done(null, token);
    },
  });
}

/**
 * The elements of the top-level "responses" array of a JSON export (or of a top-level array), one
 * at a time, read with stream-json: only the response being assembled is held in memory. Each is
 * copied without __proto__, constructor and prototype keys.
 */
export async function* jsonResponses(source: AsyncIterable<Uint8Array>, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  // strings and numbers stream in chunks (packed too, for the assembler) so their size is seen as they grow
  const parser = jsonParser.asStream();
  let found = false;
  const picker = pick.asStream({
    once: true,
    filter: (stack, token) => {
      const hit = stack.length === 0 ? token.name === "startArray" : stack.length === 1 && stack[0] === "responses";
      if (hit) found = true;
      return hit;
    },
  });
  const items = streamArray.asStream();
  let tooLarge: ExportFileError | undefined;
  const limit = elementSizeLimit(maxRecord(opts), (n) => (tooLarge = recordTooLarge(`response ${n}`, opts)));
  pipeline(parser, picker, limit, items, () => undefined);
  // what tells the errors apart: the download's own error, whether the file had anything but
  // spaces, whether it had all been parsed (the parser's error then means the file stops too
  // early), and its last bytes
  let sourceError: { err: unknown } | undefined;
  let content = false;
  let inputEnded = false;
  let tail = Buffer.alloc(0);
  const feeding = (async () => {
    try {
      for await (const chunk of withoutBom(source)) {
        if (parser.destroyed) return;
        if (!content) content = chunk.some((b) => !WHITESPACE.has(b));
        tail = Buffer.concat([tail, chunk.subarray(-32)]).subarray(-32);
        // each chunk parsed before the next, so an error in it comes before the end
        await write(parser, chunk);
      }
      if (parser.destroyed) return;
      inputEnded = true;
      parser.end();
    } catch (err) {
      // the download failed: the reader reports its error as it is
      sourceError = { err };
      parser.destroy(err as Error);
    }
  })();
  let count = 0;
  try {
    try {
      for await (const item of items) {
        let response: unknown;
        try {
          response = sanitize((item as StreamArrayItem).value);
        } catch (err) {
          throw new ExportFileError(`response ${count + 1} cannot be read (${(err as Error).message})`);
        }
        count++;
        yield response;
      }
    } catch (err) {
      if (tooLarge) throw tooLarge;
      if (err instanceof ExportFileError) throw err;
      if (sourceError) throw sourceError.err;
      const message = (err as Error).message;
      if (!content) throw new ExportFileError('no "responses" array in the JSON');
      if (/should be an array/.test(message)) throw new ExportFileError('"responses" is not an array');
      const wrongValue = /cannot parse input: expected a value/.test(message) && !CUT_LITERAL.test(tail.toString("latin1").trimEnd());
      if (inputEnded && !wrongValue) throw new ExportFileError("the JSON ended early (the download may have been cut off)");
      throw new ExportFileError(`the JSON is not well formed${count ? ` after response ${count}` : ""} (${message})`);
    }
  } finally {
    if (!items.destroyed) items.destroy();
    if (!parser.destroyed) parser.destroy();
    await feeding;
  }
  if (!found) throw new ExportFileError('no "responses" array in the JSON');
}

/**
 * One JSON value per line (NDJSON); empty lines are skipped. Each byte is looked at once: a
 * newline is searched for only in the bytes that just arrived, and the pieces of a long line are
 * kept until its end (0x0a never occurs inside a UTF-8 sequence, so the bytes are split as they
 * are and decoded a line at a time).
 */
export async function* ndjsonLines(source: AsyncIterable<Uint8Array>, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  const max = maxRecord(opts);
  let pieces: Buffer[] = [];
  let pending = 0;
  let line = 0;
  const parseLine = (bytes: Buffer): unknown | undefined => {
    line++;
    if (bytes.length > max) throw recordTooLarge(`line ${line}`, opts);
    const t = bytes.toString("utf8").trim();
    return t === "" ? undefined : parseElement(t, `line ${line}`);
  };
  const takeLine = (last: Buffer): unknown | undefined => {
    const bytes = pieces.length ? Buffer.concat([...pieces, last], pending + last.length) : last;
    pieces = [];
    pending = 0;
    return parseLine(bytes);
  };
  for await (const chunk of withoutBom(source)) {
    const out: unknown[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const v = takeLine(chunk.subarray(from, nl));
      if (v !== undefined) out.push(v);
      from = nl + 1;
    }
    if (from < chunk.length) {
      pieces.push(chunk.subarray(from));
      pending += chunk.length - from;
      // refused while it grows, not once it is all in memory
      if (pending > max) throw recordTooLarge(`line ${line + 1}`, opts);
    }
    yield* out;
  }
  const v = takeLine(Buffer.alloc(0));
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
 * // UNCONFIRMED (docs/qualtrics-facts.md §7.4 does not describe the CSV layout): exports are seen with
 * three header rows (names, question texts, {"ImportId":...}); the second and third rows are taken
 * as header rows only when the ImportId row is there, so a file with one header row loses no data.
 */
export async function* delimitedRows(source: AsyncIterable<Uint8Array>, delimiter: string, opts: RecordsOptions = {}): AsyncGenerator<unknown> {
  const parser = parseCsv({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: maxRecord(opts) });
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
    if (err instanceof ExportFileError) throw err;
    if ((err as { code?: string }).code === "CSV_MAX_RECORD_SIZE") {
      // the parser is ahead of the rows taken from it: its own count says where the file is
      const line = (err as { lines?: unknown }).lines;
      throw recordTooLarge(typeof line === "number" ? `the row at line ${line}` : `row ${rowNumber + 1}`, opts);
    }
    throw new ExportFileError(`row ${rowNumber + 1}: ${(err as Error).message}`);
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
