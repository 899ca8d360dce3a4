// XM Directory transactions and transaction batches (docs/qualtrics-facts.md §4.7): the event data a
// survey invitation can carry, and the batches a distribution can be sent to (§5.2, §5.6).
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsApiError, QualtricsInputError } from "./errors";
import { Page, pages } from "./paginate";
import { isPlainObject } from "./safe-object";
import { optionalEmbeddedData, optionalId, requireId, toQualtricsDate, typeName } from "./validate";

const enc = encodeURIComponent;

export interface TransactionInput {
  contactId: string;
  mailingListId?: string;
  /** ISO 8601 or "YYYY-MM-DD HH:MM:SS"; sent as the API documents (docs/qualtrics-facts.md §4.7); default now */
  transactionDate?: string;
  /** text values only */
  data: Record<string, string>;
}

export interface CreatedTransactions {
  /** CTR_ IDs in the order of the inputs; undefined where that input was not processed */
  ids: (string | undefined)[];
  /** per input index, Qualtrics' reason for not processing it */
  unprocessed: { index: number; error: string }[];
}

function directoryPath(directoryId: string): string {
  return `/directories/${enc(requireId("directoryId", directoryId, "directory"))}`;
}

function batchPath(directoryId: string, batchId: string): string {
  return `${directoryPath(directoryId)}/transactionbatches/${enc(requireId("transactionBatchId", batchId, "transactionBatch"))}`;
}

/**
 * A transaction date as the API documents it, "YYYY-MM-DD HH:MM:SS" in UTC (docs/qualtrics-facts.md
 * §4.7, OBSERVED; ISO 8601 is UNCONFIRMED there). Given as ISO 8601 (any zone), as that form, as
 * epoch milliseconds or a Date; a date-time without a zone is UTC.
 */
export function transactionDateOf(field: string, value: unknown): string {
  return toQualtricsDate(field, value).replace("T", " ").replace(/Z$/, "");
}

/** The key an input has in the create body and its answer: its position, so the answer maps back. */
export function transactionKey(index: number): string {
  return `t${index}`;
}

/** The create body, every input checked first; a field names the input's position ("items[2].contactId"). */
export function transactionsBody(items: readonly TransactionInput[], now: Date = new Date()): Record<string, Record<string, unknown>> {
  if (!Array.isArray(items)) throw new QualtricsInputError("items", `must be an array of transactions, got ${typeName(items)}`);
  if (items.length === 0) throw new QualtricsInputError("items", "is empty: no transaction to record");
  const body: Record<string, Record<string, unknown>> = {};
  items.forEach((item, i) => {
    const at = `items[${i}]`;
    if (!isPlainObject(item)) throw new QualtricsInputError(at, `must be an object, got ${typeName(item)}`);
    const tx: Record<string, unknown> = { contactId: requireId(`${at}.contactId`, item.contactId, "contact") };
    const ml = optionalId(`${at}.mailingListId`, item.mailingListId, "mailingList");
    if (ml) tx.mailingListId = ml;
    const date = item.transactionDate;
    tx.transactionDate = transactionDateOf(`${at}.transactionDate`, date === undefined || date === null || date === "" ? now : date);
    if (item.data === undefined || item.data === null) throw new QualtricsInputError(`${at}.data`, "is required: an object of text values");
    tx.data = optionalEmbeddedData(`${at}.data`, item.data) ?? {};
    body[transactionKey(i)] = tx;
  });
  return body;
}

function reasonOf(value: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  if (isPlainObject(value)) {
    const message = value.errorMessage ?? value.message ?? value.error;
    if (typeof message === "string" && message !== "") return message;
    if (isPlainObject(message) && typeof message.errorMessage === "string") return message.errorMessage;
  }
  return JSON.stringify(value)?.slice(0, 200) ?? "no reason given";
}

/**
 * The answer mapped back onto the inputs: `createdTransactions.<key>.id` and
 * `unprocessedTransactions.<key>` (docs/qualtrics-facts.md §4.7). // UNCONFIRMED: the shape of an
 * unprocessed entry; an object keyed like the body, or a list whose entries name their key, and a
 * reason in errorMessage, message or error are all read. An input the answer names in neither is
 * reported as unprocessed with that said, rather than silently dropped.
 */
export function createdTransactionsOf(count: number, result: unknown): CreatedTransactions {
  const r = isPlainObject(result) ? result : {};
  const created = isPlainObject(r.createdTransactions) ? r.createdTransactions : {};
  const refused = new Map<string, unknown>();
  if (isPlainObject(r.unprocessedTransactions)) {
    for (const [k, v] of Object.entries(r.unprocessedTransactions)) refused.set(k, v);
  } else if (Array.isArray(r.unprocessedTransactions)) {
    for (const v of r.unprocessedTransactions) {
      const k = isPlainObject(v) ? (v.key ?? v.id ?? v.transactionKey) : undefined;
      if (typeof k === "string") refused.set(k, v);
    }
  }
  const out: CreatedTransactions = { ids: [], unprocessed: [] };
  for (let i = 0; i < count; i++) {
    const key = transactionKey(i);
    const c = created[key];
    const id = isPlainObject(c) ? c.id : typeof c === "string" ? c : undefined;
    if (typeof id === "string" && id !== "") {
      out.ids.push(id);
      continue;
    }
    out.ids.push(undefined);
    out.unprocessed.push({
      index: i,
      error: refused.has(key) ? reasonOf(refused.get(key)) : "Qualtrics' answer names neither a created transaction nor a reason for this one",
    });
  }
  return out;
}

/**
 * POST /directories/{d}/transactions: one request for all the inputs (docs/qualtrics-facts.md §4.7).
 * No Idempotency-Key: Qualtrics documents it only for responses (§7), so a repeat could record the
 * transactions twice, and a 5xx or a dropped connection is not retried but reported as possibly done.
 */
export async function createTransactions(
  client: QualtricsClient,
  directoryId: string,
  items: TransactionInput[],
  signal?: AbortSignal,
): Promise<ApiResponse<CreatedTransactions>> {
  const path = `${directoryPath(directoryId)}/transactions`;
  const body = transactionsBody(items);
  const res = await client.request({ method: "POST", path, body, signal });
  return { ...res, result: createdTransactionsOf(items.length, res.result) };
}

function transactionIdsOf(field: string, value: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(value)) throw new QualtricsInputError(field, `must be an array of transaction IDs (CTR_…), got ${typeName(value)}`);
  if (value.length === 0 && !allowEmpty) throw new QualtricsInputError(field, "is empty: no transaction to add");
  const ids = value.map((id, i) => requireId(`${field}[${i}]`, id, "transaction"));
  return [...new Set(ids)];
}

function batchIdOf(res: ApiResponse, method: string, path: string): string {
  const r = res.result;
  // UNCONFIRMED (docs/qualtrics-facts.md §4.7): the create answers `id`; lists name it batchId
  const id = isPlainObject(r) ? (r.id ?? r.batchId ?? r.transactionBatchId) : undefined;
  if (typeof id === "string" && id !== "") return id;
  throw new QualtricsApiError(
    { method, path, statusCode: res.statusCode, requestId: res.requestId, mayHaveSucceeded: true },
    "Qualtrics answered the batch create without a batch ID",
  );
}

/**
 * POST /directories/{d}/transactionbatches with the transactions (possibly none yet) and a creation
 * date in ISO 8601 UTC (docs/qualtrics-facts.md §4.7, OBSERVED) → the batch ID, whatever its prefix.
 */
export async function createTransactionBatch(
  client: QualtricsClient,
  directoryId: string,
  transactionIds: string[],
  signal?: AbortSignal,
): Promise<ApiResponse<{ id: string }>> {
  const path = `${directoryPath(directoryId)}/transactionbatches`;
  const ids = transactionIdsOf("transactionIds", transactionIds, true);
  const body = { transactionIds: ids, creationDate: toQualtricsDate("creationDate", new Date()) };
  const res = await client.request({ method: "POST", path, body, signal });
  return { ...res, result: { id: batchIdOf(res, "POST", path) } };
}

/** POST /directories/{d}/transactionbatches/{batchId}/transactions with {transactionIds} (§4.7). */
export function addToTransactionBatch(
  client: QualtricsClient,
  directoryId: string,
  batchId: string,
  transactionIds: string[],
  signal?: AbortSignal,
): Promise<ApiResponse<unknown>> {
  const path = `${batchPath(directoryId, batchId)}/transactions`;
  const ids = transactionIdsOf("transactionIds", transactionIds, false);
  return client.request({ method: "POST", path, body: { transactionIds: ids }, signal });
}

export function getTransactionBatch(client: QualtricsClient, directoryId: string, batchId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "GET", path: batchPath(directoryId, batchId), signal });
}

/**
 * Pages of one contact's transactions, GET /directories/{d}/contacts/{c}/transactions (§4.7); checked
 * at once, before any request. pageSize 1 to 1000 as for the other directory lists (the maximum is
 * UNCONFIRMED, §3.2); limit 0 or none = all.
 */
export function contactTransactionPages(
  client: QualtricsClient,
  directoryId: string,
  contactId: string,
  opts: { pageSize?: number; limit?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = `${directoryPath(directoryId)}/contacts/${enc(requireId("contactId", contactId, "contact"))}/transactions`;
  const pageSize = opts.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new QualtricsInputError("pageSize", "must be a whole number from 1 to 1000");
  }
  return pages<Record<string, unknown>>(client, path, { query: { pageSize }, limit: opts.limit, signal: opts.signal });
}

/** The transactions of one contact, item by item, page after page (contactTransactionPages). */
export async function* listContactTransactions(
  client: QualtricsClient,
  directoryId: string,
  contactId: string,
  opts: { pageSize?: number; signal?: AbortSignal } = {},
): AsyncIterable<Record<string, unknown>> {
  for await (const page of contactTransactionPages(client, directoryId, contactId, opts)) yield* page.elements;
}

/**
 * Transaction IDs from a flow: an array, or text with the IDs separated by commas, semicolons or
 * white space (as a dialog field holds them). Nothing given is an empty list.
 */
export function transactionIdsFrom(field: string, value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string") return value.split(/[\s,;]+/).filter(Boolean);
  if (Array.isArray(value)) return value as string[];
  throw new QualtricsInputError(field, `must be a list of transaction IDs (CTR_…), got ${typeName(value)}`);
}
