// XM Directory mailing lists (docs/qualtrics-facts.md §4.1, §4.5, §4.6): the lists of a directory, their
// members, opted-out and bounced contacts, and bulk imports through transaction contacts.
import type { ApiResponse, Query, QualtricsClient } from "./client";
import { ContactFields, contactFields } from "./contacts";
import { QualtricsApiError, QualtricsInputError } from "./errors";
import { Page, PageOptions, pages } from "./paginate";
import { pollUntilDone } from "./poll";
import { isPlainObject } from "./safe-object";
import { optionalBoolean, optionalId, requireId, requireString, typeName } from "./validate";

const enc = encodeURIComponent;

function listsPath(directoryId: string): string {
  return `/directories/${enc(requireId("directoryId", directoryId, "directory"))}/mailinglists`;
}

function listPath(directoryId: string, mailingListId: string): string {
  return `${listsPath(directoryId)}/${enc(requireId("mailingListId", mailingListId, "mailingList"))}`;
}

function memberPath(directoryId: string, mailingListId: string, contactId: string): string {
  return `${listPath(directoryId, mailingListId)}/contacts/${enc(requireId("contactId", contactId, "contact"))}`;
}

export interface ListPagesOptions extends Omit<PageOptions, "method" | "body"> {
  pageSize?: number;
}

function pageSizeOf(opts: ListPagesOptions): number {
  const pageSize = opts.pageSize ?? 100;
  // UNCONFIRMED (docs/qualtrics-facts.md §3.2): the maximum pageSize; 1000 works for contacts elsewhere
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new QualtricsInputError("pageSize", "must be a whole number from 1 to 1000");
  }
  return pageSize;
}

function listPages(client: QualtricsClient, path: string, opts: ListPagesOptions, extra: Query = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  return pages(client, path, { ...opts, query: { pageSize: pageSizeOf(opts), ...extra, ...(opts.query ?? {}) } });
}

// --- the lists ---

/**
 * Pages of the directory's mailing lists. // UNCONFIRMED (docs/qualtrics-facts.md §4.5, QualtricsAPI #21):
 * contactCount is reported as 0 unless includeCount=true is asked for, so it always is.
 */
export function listMailingLists(client: QualtricsClient, directoryId: string, opts: ListPagesOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  return listPages(client, listsPath(directoryId), opts, { includeCount: true });
}

export function getMailingList(client: QualtricsClient, directoryId: string, mailingListId: string, signal?: AbortSignal): Promise<ApiResponse> {
  // UNCONFIRMED (docs/qualtrics-facts.md §4.5): includeCount is sent here too, for the same contactCount
  return client.request({ method: "GET", path: listPath(directoryId, mailingListId), query: { includeCount: true }, signal });
}

export interface MailingListInput {
  name?: unknown;
  ownerId?: unknown;
  prioritizeListMetadata?: unknown;
}

/** POST /directories/{d}/mailinglists → {id: "CG_..."} (§4.5). */
export function createMailingList(client: QualtricsClient, directoryId: string, input: MailingListInput, signal?: AbortSignal): Promise<ApiResponse> {
  const path = listsPath(directoryId);
  const body: Record<string, unknown> = { name: listName(input.name) };
  const owner = optionalId("ownerId", input.ownerId, "user");
  if (owner) body.ownerId = owner;
  const prioritize = optionalBoolean("prioritizeListMetadata", input.prioritizeListMetadata);
  if (prioritize !== undefined) body.prioritizeListMetadata = prioritize;
  return client.request({ method: "POST", path, body, signal });
}

/** PUT /directories/{d}/mailinglists/{ml} with {name} (§4.5); meta only in return. */
export function renameMailingList(client: QualtricsClient, directoryId: string, mailingListId: string, input: MailingListInput, signal?: AbortSignal): Promise<ApiResponse> {
  const path = listPath(directoryId, mailingListId);
  const body: Record<string, unknown> = { name: listName(input.name) };
  const owner = optionalId("ownerId", input.ownerId, "user");
  if (owner) body.ownerId = owner;
  return client.request({ method: "PUT", path, body, signal });
}

export function deleteMailingList(client: QualtricsClient, directoryId: string, mailingListId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "DELETE", path: listPath(directoryId, mailingListId), signal });
}

function listName(value: unknown): string {
  const name = requireString("name", value).trim();
  if (name === "") throw new QualtricsInputError("name", "is required");
  return name;
}

// --- members ---

export function listMembers(client: QualtricsClient, directoryId: string, mailingListId: string, opts: ListPagesOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  return listPages(client, `${listPath(directoryId, mailingListId)}/contacts`, opts);
}

export function getMember(client: QualtricsClient, directoryId: string, mailingListId: string, contactId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "GET", path: memberPath(directoryId, mailingListId, contactId), signal });
}

/**
 * POST .../mailinglists/{ml}/contacts with the contact fields (§4.5) → {id: "CID_...",
 * contactLookupId: "CGC_..."}.
 */
export function addMember(client: QualtricsClient, directoryId: string, mailingListId: string, fields: ContactFields, signal?: AbortSignal): Promise<ApiResponse> {
  const path = `${listPath(directoryId, mailingListId)}/contacts`;
  if (Object.keys(fields).length === 0) {
    throw new QualtricsInputError("payload", "no contact fields given (firstName, lastName, email, phone, extRef, embeddedData, language, unsubscribed)");
  }
  return client.request({ method: "POST", path, body: fields, signal });
}

/** A partial update of a member, as for directory contacts (§4.3); meta only in return. */
export function updateMember(client: QualtricsClient, directoryId: string, mailingListId: string, contactId: string, fields: ContactFields, signal?: AbortSignal): Promise<ApiResponse> {
  const path = memberPath(directoryId, mailingListId, contactId);
  if (Object.keys(fields).length === 0) throw new QualtricsInputError("payload", "no contact fields to update");
  return client.request({ method: "PUT", path, body: fields, signal });
}

/** Takes the contact off the list; the directory contact stays. */
export function removeMember(client: QualtricsClient, directoryId: string, mailingListId: string, contactId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "DELETE", path: memberPath(directoryId, mailingListId, contactId), signal });
}

// --- opted-out and bounced contacts (§4.1) ---

/** Opted-out contacts of one mailing list, or of the whole directory when mailingListId is empty. */
export function listOptedOut(client: QualtricsClient, directoryId: string, mailingListId: string | undefined, opts: ListPagesOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = mailingListId
    ? `${listPath(directoryId, mailingListId)}/optedOutContacts`
    : `/directories/${enc(requireId("directoryId", directoryId, "directory"))}/contacts/optedOutContacts`;
  return listPages(client, path, opts);
}

export function listBounced(client: QualtricsClient, directoryId: string, mailingListId: string, opts: ListPagesOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  return listPages(client, `${listPath(directoryId, mailingListId)}/bouncedContacts`, opts);
}

// --- bulk import (§4.6) ---

export interface ImportContact extends ContactFields {
  transactionData?: Record<string, string>;
}

/** Each contact checked like a single one; the field names its position ("contacts[2].email"). */
export function importContacts(value: unknown): ImportContact[] {
  if (!Array.isArray(value)) throw new QualtricsInputError("contacts", `must be an array of contacts, got ${typeName(value)}`);
  if (value.length === 0) throw new QualtricsInputError("contacts", "is empty");
  return value.map((c, i) => {
    if (!isPlainObject(c)) throw new QualtricsInputError(`contacts[${i}]`, `must be an object, got ${typeName(c)}`);
    let fields: ImportContact;
    try {
      fields = contactFields(c);
      if (c.transactionData !== undefined && c.transactionData !== null) {
        if (!isPlainObject(c.transactionData)) throw new QualtricsInputError("transactionData", `must be an object, got ${typeName(c.transactionData)}`);
        fields.transactionData = stringValues("transactionData", c.transactionData);
      }
    } catch (err) {
      if (err instanceof QualtricsInputError) throw new QualtricsInputError(`contacts[${i}].${err.field}`, err.message.slice(err.field.length + 2));
      throw err;
    }
    if (Object.keys(fields).length === 0) throw new QualtricsInputError(`contacts[${i}]`, "has no contact fields");
    return fields;
  });
}

function stringValues(field: string, obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
    else if (v === null || v === undefined) out[k] = "";
    else throw new QualtricsInputError(`${field}.${k}`, `must be a string, number or boolean, got ${typeName(v)}`);
  }
  return out;
}

export interface TransactionMeta {
  batchId?: string;
  fields?: string[];
}

function transactionMeta(value: unknown): TransactionMeta | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new QualtricsInputError("transactionMeta", `must be an object {batchId, fields}, got ${typeName(value)}`);
  const out: TransactionMeta = {};
  if (value.batchId !== undefined && value.batchId !== null && value.batchId !== "") out.batchId = requireString("transactionMeta.batchId", value.batchId);
  if (value.fields !== undefined) {
    if (!Array.isArray(value.fields) || value.fields.some((f) => typeof f !== "string")) {
      throw new QualtricsInputError("transactionMeta.fields", "must be an array of field names");
    }
    out.fields = value.fields as string[];
  }
  return out;
}

/** The names of the transaction fields the contacts carry: every key, in the order first seen. */
export function transactionFieldsOf(contacts: readonly ImportContact[]): string[] {
  const names = new Set<string>();
  for (const c of contacts) for (const k of Object.keys(c.transactionData ?? {})) names.add(k);
  return [...names];
}

/**
 * POST .../mailinglists/{ml}/transactioncontacts: starts an import and answers with its ID (§4.6).
 * The documented example always sends transactionMeta.fields with transactionData, and whether
 * Qualtrics needs it is UNCONFIRMED (docs/qualtrics-facts.md §4.6): when the user gives no field list,
 * the one the data implies is sent.
 */
export function startImport(client: QualtricsClient, directoryId: string, mailingListId: string, contacts: unknown, meta?: unknown, signal?: AbortSignal): Promise<ApiResponse> {
  const path = `${listPath(directoryId, mailingListId)}/transactioncontacts`;
  const list = importContacts(contacts);
  let tm = transactionMeta(meta);
  if (tm?.fields === undefined) {
    const fields = transactionFieldsOf(list);
    if (fields.length > 0) tm = { ...tm, fields };
  }
  return client.request({ method: "POST", path, body: { ...(tm ? { transactionMeta: tm } : {}), contacts: list }, signal });
}

/**
 * GET .../transactioncontacts/{importId}: the import's state. The summary endpoint is deprecated
 * and unsupported after 2026-06-30 (§4.6), so this status endpoint is the only one used.
 */
export function getImportStatus(client: QualtricsClient, directoryId: string, mailingListId: string, importId: string, signal?: AbortSignal): Promise<ApiResponse> {
  const id = requireString("importId", importId).trim();
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new QualtricsInputError("importId", `"${id.slice(0, 40)}" is not an import ID`);
  return client.request({ method: "GET", path: `${listPath(directoryId, mailingListId)}/transactioncontacts/${enc(id)}`, signal });
}

/** The start answer's import ID. // UNCONFIRMED (docs/qualtrics-facts.md §4.6): `id` is expected, importId accepted too. */
export function importIdOf(result: unknown): string | undefined {
  if (!isPlainObject(result)) return undefined;
  const id = result.id ?? result.importId;
  return typeof id === "string" && id !== "" ? id : undefined;
}

export interface ImportSummary {
  importId: string;
  status: string;
  percentComplete: number;
  added: number;
  updated: number;
  failed: number;
  invalidEmails: unknown[];
  transactionsCreated?: number;
}

const FINISHED = /^(complete|completed|done|finished|success|succeeded)$/i;
const FAILED = /^(fail|failed|failure|error|aborted|cancel+ed)$/i;

/**
 * The fields of a status answer (§4.6: percentComplete, status, contacts.count.{added, updated,
 * failed}, invalidEmails, transactions.count.created). // UNCONFIRMED (docs/qualtrics-facts.md §4.6): the
 * status words; finished and failed are recognised in several spellings, and a status-less
 * answer at 100 % counts as finished.
 */
export function importSummary(importId: string, result: unknown): ImportSummary {
  const r = isPlainObject(result) ? result : {};
  const counts = isPlainObject(r.contacts) && isPlainObject(r.contacts.count) ? r.contacts.count : {};
  const tx = isPlainObject(r.transactions) && isPlainObject(r.transactions.count) ? r.transactions.count : undefined;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : 0);
  const summary: ImportSummary = {
    importId,
    status: typeof r.status === "string" ? r.status : "",
    percentComplete: num(r.percentComplete),
    added: num(counts.added),
    updated: num(counts.updated),
    failed: num(counts.failed),
    invalidEmails: Array.isArray(r.invalidEmails) ? r.invalidEmails : [],
  };
  if (tx && tx.created !== undefined) summary.transactionsCreated = num(tx.created);
  return summary;
}

export function importFinished(s: ImportSummary): boolean {
  if (FINISHED.test(s.status) || FAILED.test(s.status)) return true;
  return s.status === "" && s.percentComplete >= 100;
}

export function importFailed(s: ImportSummary): boolean {
  return FAILED.test(s.status);
}

export interface WaitForImportOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  onProgress?: (s: ImportSummary) => void;
}

/** Polls the status endpoint until the import is finished; a failed import is an error. */
export async function waitForImport(client: QualtricsClient, directoryId: string, mailingListId: string, importId: string, opts: WaitForImportOptions = {}): Promise<{ summary: ImportSummary; response: ApiResponse }> {
  let last: ApiResponse | undefined;
  const summary = await pollUntilDone<ImportSummary>({
    what: `import ${importId}`,
    check: async (signal) => {
      last = await getImportStatus(client, directoryId, mailingListId, importId, signal);
      return importSummary(importId, last.result);
    },
    isDone: importFinished,
    onProgress: (s) => opts.onProgress?.(s),
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    initialDelayMs: opts.initialDelayMs,
    maxDelayMs: opts.maxDelayMs,
  });
  if (importFailed(summary)) {
    throw new QualtricsApiError(
      { method: "GET", path: `${listPath(directoryId, mailingListId)}/transactioncontacts/${importId}`, requestId: last?.requestId },
      `import ${importId} ended with status "${summary.status}" (added ${summary.added}, updated ${summary.updated}, failed ${summary.failed})`,
    );
  }
  return { summary, response: last! };
}
