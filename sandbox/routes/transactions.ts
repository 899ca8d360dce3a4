// XM Directory transactions and transaction batches (docs/qualtrics-facts.md §4.7).
import { badRequest, metaOnly, notFound, ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { DirectoryRecord, TransactionBatchRecord, TransactionRecord } from "../state";
import { given, isIsoDateTime, isMysqlDateTime, isObject, Obj, optionalIsoDate, requireObject } from "../validate";
import { getContact, getDirectory, nowIso } from "./common";

/** the batch create's and add's limit on transactionIds. // UNCONFIRMED (docs/qualtrics-facts.md §4.7): Qualtrics' own limit is not known */
export const BATCH_ADD_MAX = 10_000;

function transactionView(t: TransactionRecord): Obj {
  return { id: t.transactionId, contactId: t.contactId, mailingListId: t.mailingListId, transactionDate: t.transactionDate, data: { ...t.data }, creationDate: t.creationDate };
}

function batchView(b: TransactionBatchRecord): Obj {
  // OBSERVED (docs/qualtrics-facts.md §4.7, [TAP]): a listed batch names its ID batchId
  return { batchId: b.batchId, id: b.batchId, creationDate: b.creationDate, transactionCount: b.transactionIds.length };
}

/**
 * A transactionDate in the form(s) the sandbox accepts now (transaction-rules.ts): the documented
 * "YYYY-MM-DD HH:MM:SS" and ISO 8601 are both UNCONFIRMED as the only one (docs/qualtrics-facts.md §4.7).
 */
function dateProblem(ctx: RequestContext, value: unknown): string | undefined {
  const mode = ctx.options.transactionRules.current.transactionDates;
  const mysql = isMysqlDateTime(value);
  const iso = isIsoDateTime(value);
  if (mode === "mysql" && !mysql) return "must be YYYY-MM-DD HH:MM:SS";
  if (mode === "iso" && !iso) return "must be an ISO 8601 date-time such as 2024-01-31T09:00:00Z";
  if (mode === "any" && !mysql && !iso) return "must be YYYY-MM-DD HH:MM:SS or ISO 8601";
  return undefined;
}

function textData(value: unknown, path: string): Record<string, string> {
  if (!given(value)) return {};
  if (!isObject(value)) throw badRequest(`${path} must be a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw badRequest(`${path}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/**
 * POST /directories/{d}/transactions: each key of the body one transaction. The body's shape is
 * checked as a whole (400); what the account does not hold (an unknown contact or list, a contact
 * not on the list) leaves that one unprocessed while the others are created (§4.7: partial success).
 * // UNCONFIRMED (docs/qualtrics-facts.md §4.7): the reasons' codes and texts, and which problems are a 400.
 */
function createTransactions(ctx: RequestContext): Obj {
  const directory = getDirectory(ctx);
  const body = requireObject(ctx.body, "Request body");
  const keys = Object.keys(body);
  if (keys.length === 0) throw badRequest("Request body must name at least one transaction");
  const parsed = keys.map((key) => {
    const t = requireObject(body[key], key);
    if (typeof t.contactId !== "string" || t.contactId === "") throw badRequest(`${key}.contactId is required`);
    if (given(t.mailingListId) && typeof t.mailingListId !== "string") throw badRequest(`${key}.mailingListId must be a string`);
    if (!given(t.transactionDate)) throw badRequest(`${key}.transactionDate is required`);
    const problem = dateProblem(ctx, t.transactionDate);
    if (problem) throw badRequest(`${key}.transactionDate ${problem}`);
    return { key, contactId: t.contactId, mailingListId: (t.mailingListId as string | undefined) || null, transactionDate: t.transactionDate as string, data: textData(t.data, `${key}.data`) };
  });
  const createdTransactions: Obj = {};
  const unprocessedTransactions: Obj = {};
  for (const t of parsed) {
    const refuse = (error: string, errorMessage: string) => {
      unprocessedTransactions[t.key] = { error, errorMessage };
    };
    if (!directory.contacts.has(t.contactId)) refuse("CONTACT_NOT_FOUND", `Contact not found: ${t.contactId}`);
    else if (t.mailingListId !== null && !directory.mailingLists.has(t.mailingListId)) refuse("MAILING_LIST_NOT_FOUND", `Mailing list not found: ${t.mailingListId}`);
    else if (t.mailingListId !== null && !directory.mailingLists.get(t.mailingListId)?.members.has(t.contactId)) {
      refuse("CONTACT_NOT_IN_MAILING_LIST", `Contact ${t.contactId} is not in mailing list ${t.mailingListId}`);
    } else {
      const record: TransactionRecord = {
        transactionId: ctx.ids.next("CTR_"), contactId: t.contactId, mailingListId: t.mailingListId,
        transactionDate: t.transactionDate, data: t.data, creationDate: nowIso(),
      };
      directory.transactions.set(record.transactionId, record);
      createdTransactions[t.key] = { id: record.transactionId };
    }
  }
  return { createdTransactions, unprocessedTransactions };
}

function getTransaction(directory: DirectoryRecord, transactionId: string): TransactionRecord {
  const t = directory.transactions.get(transactionId);
  if (!t) throw notFound(`Transaction not found: ${transactionId}`);
  return t;
}

function getBatch(directory: DirectoryRecord, batchId: string): TransactionBatchRecord {
  const b = directory.transactionBatches.get(batchId);
  if (!b) throw notFound(`Transaction batch not found: ${batchId}`);
  return b;
}

/** transactionIds of a batch create or add: each must be a transaction of the directory (400 naming it). */
function transactionIdsOf(directory: DirectoryRecord, body: Obj, required: boolean): string[] {
  const raw = body.transactionIds;
  if (!given(raw)) {
    if (required) throw badRequest("transactionIds is required");
    return [];
  }
  if (!Array.isArray(raw)) throw badRequest("transactionIds must be an array");
  if (required && raw.length === 0) throw badRequest("transactionIds must not be empty");
  if (raw.length > BATCH_ADD_MAX) throw badRequest(`transactionIds must hold at most ${BATCH_ADD_MAX} IDs`);
  return raw.map((id, i) => {
    if (typeof id !== "string") throw badRequest(`transactionIds[${i}] must be a string`);
    if (!directory.transactions.has(id)) throw badRequest(`transactionIds[${i}]: transaction ${id} does not exist`);
    return id;
  });
}

function addTo(batch: TransactionBatchRecord, ids: string[]): void {
  for (const id of ids) if (!batch.transactionIds.includes(id)) batch.transactionIds.push(id);
}

function newBatchId(ctx: RequestContext): string {
  // the prefix is switchable (UNCONFIRMED, docs/qualtrics-facts.md §4.7); the body is a normal random ID's
  return ctx.options.transactionRules.current.batchPrefix + ctx.ids.next("CTR_").slice("CTR_".length);
}

const page = (ctx: RequestContext, all: Obj[]) => {
  const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
  return ok({ elements, nextPage });
};

export const transactionRoutes: Route[] = [
  route("POST", "/directories/:directoryId/transactions", (ctx) => ok(createTransactions(ctx))),

  route("GET", "/directories/:directoryId/transactions/:transactionId", (ctx) => ok(transactionView(getTransaction(getDirectory(ctx), ctx.params.transactionId)))),

  route("DELETE", "/directories/:directoryId/transactions/:transactionId", (ctx) => {
    const directory = getDirectory(ctx);
    getTransaction(directory, ctx.params.transactionId);
    directory.transactions.delete(ctx.params.transactionId);
    // UNCONFIRMED (docs/qualtrics-facts.md §4.7): whether a deleted transaction leaves its batches; here it does
    for (const b of directory.transactionBatches.values()) b.transactionIds = b.transactionIds.filter((id) => id !== ctx.params.transactionId);
    return metaOnly();
  }),

  route("GET", "/directories/:directoryId/contacts/:contactId/transactions", (ctx) => {
    const directory = getDirectory(ctx);
    getContact(directory, ctx.params.contactId);
    return page(ctx, [...directory.transactions.values()].filter((t) => t.contactId === ctx.params.contactId).map(transactionView));
  }),

  route("POST", "/directories/:directoryId/transactionbatches", (ctx) => {
    const directory = getDirectory(ctx);
    const body = requireObject(ctx.body ?? {}, "Request body");
    const ids = transactionIdsOf(directory, body, false);
    // OBSERVED (docs/qualtrics-facts.md §4.7): creationDate is ISO 8601; now when not given
    const batch: TransactionBatchRecord = { batchId: newBatchId(ctx), creationDate: optionalIsoDate(body, "creationDate", "creationDate") ?? nowIso(), transactionIds: [] };
    addTo(batch, ids);
    directory.transactionBatches.set(batch.batchId, batch);
    return ok({ id: batch.batchId });
  }),

  route("GET", "/directories/:directoryId/transactionbatches", (ctx) => page(ctx, [...getDirectory(ctx).transactionBatches.values()].map(batchView))),

  route("GET", "/directories/:directoryId/transactionbatches/:batchId", (ctx) => ok(batchView(getBatch(getDirectory(ctx), ctx.params.batchId)))),

  route("DELETE", "/directories/:directoryId/transactionbatches/:batchId", (ctx) => {
    const directory = getDirectory(ctx);
    getBatch(directory, ctx.params.batchId);
    directory.transactionBatches.delete(ctx.params.batchId);
    return metaOnly();
  }),

  route("GET", "/directories/:directoryId/transactionbatches/:batchId/transactions", (ctx) => {
    const directory = getDirectory(ctx);
    const batch = getBatch(directory, ctx.params.batchId);
    return page(ctx, batch.transactionIds.flatMap((id) => {
      const t = directory.transactions.get(id);
      return t ? [transactionView(t)] : [];
    }));
  }),

  route("POST", "/directories/:directoryId/transactionbatches/:batchId/transactions", (ctx) => {
    const directory = getDirectory(ctx);
    const batch = getBatch(directory, ctx.params.batchId);
    addTo(batch, transactionIdsOf(directory, requireObject(ctx.body, "Request body"), true));
    return metaOnly();
  }),
];
