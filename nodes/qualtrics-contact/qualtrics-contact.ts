// XM Directory contacts: list, search, get, create, update, create-or-update, delete; and a contact's
// transactions: record one, put transactions in a batch (new or existing), list them.
import {
  ContactFields,
  SEARCH_FIELDS,
  SEARCH_MAX,
  UPSERT_KEYS,
  contactFields,
  createContact,
  deleteContact,
  getContact,
  listContacts,
  searchContacts,
  updateContact,
} from "../../src/contacts";
import { QualtricsApiError, QualtricsInputError } from "../../src/errors";
import {
  addToTransactionBatch,
  contactTransactionPages,
  createTransactionBatch,
  createTransactions,
  transactionIdsFrom,
  transactionsBody,
  type TransactionInput,
} from "../../src/transactions";
import type { Page } from "../../src/paginate";
import { isPlainObject } from "../../src/safe-object";
import { oneOf, optionalString, typeName } from "../../src/validate";
import { upsertInAccount } from "../lib/contact-upsert";
import { limitOf, sendArray, sendEach } from "../lib/list-output";
import { setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, evaluateAll, evaluateId, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Node, NodeAPI, NodeDef, Typed } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { contactSpec } from "./spec";

const OPERATIONS = contactSpec.operations;
type Operation = (typeof OPERATIONS)[number];
const FIELD_PROPS = contactSpec.fields;
const WRITES = new Set<Operation>(contactSpec.uses.fields);
const NEEDS_CONTACT = new Set<Operation>(contactSpec.uses.id);
/** what the transaction create calls a field of its one item, and what the dialog calls it */
const ITEM_FIELDS: Record<string, string> = { contactId: "contactId", mailingListId: "mailingListId", transactionDate: "transactionDate", data: "transactionData" };

/** `check()`, with an error about items[0].data.x renamed to the dialog's transactionData.x */
function inDialogFields<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    const m = err instanceof QualtricsInputError ? /^items\[0\]\.([A-Za-z]+)(.*)$/.exec(err.field) : null;
    if (!m || !(m[1] in ITEM_FIELDS) || !(err instanceof QualtricsInputError)) throw err;
    throw new QualtricsInputError(ITEM_FIELDS[m[1]] + m[2], err.message.slice(err.field.length + 2));
  }
}

export interface ContactDef extends NodeDef {
  qualtrics: string;
  operation: Operation | "msg";
  limit?: number | string;
  pageSize?: number | string;
  output?: "array" | "split";
  searchField?: string;
  upsertKey?: string;
  [prop: string]: unknown;
}

export default function (RED: NodeAPI): void {
  function QualtricsContact(this: Node, def: ContactDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const directory = typed(def, "directoryId");
    const contact = typed(def, "contactId");
    const searchValue = typed(def, "searchValue");
    const mailingList = typed(def, "mailingListId");
    const transactionData = typed(def, "transactionData", "json");
    const transactionDate = typed(def, "transactionDate");
    const transactionIds = typed(def, "transactionIds");
    const transactionBatch = typed(def, "transactionBatchId");
    const fields: Record<string, Typed> = {};
    for (const p of FIELD_PROPS) fields[p] = typed(def, p, p === "embeddedData" ? "json" : "str");
    const limit = dialogNumber(def.limit, 1000);
    const pageSize = dialogNumber(def.pageSize, 100);
    const split = def.output === "split";
    let warnedSearchMax = false;

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation = def.operation === "msg" || !def.operation ? oneOf("msg.operation", msg.operation, OPERATIONS) : def.operation;
      const payload = isPlainObject(msg.payload) ? (sanitizeOrThrow("payload", msg.payload) as Record<string, unknown>) : {};
      const dir = await evaluateId(RED, node, msg, "directoryId", directory, payload.directoryId);
      const needsContact = NEEDS_CONTACT.has(operation);
      const cid = needsContact ? await evaluateId(RED, node, msg, "contactId", contact, payload.contactId, payload.id) : "";
      let body: ContactFields = {};
      if (WRITES.has(operation)) {
        const fieldsIn = { ...payload, ...(await evaluateAll(RED, node, msg, fields)) };
        if (msg.payload !== undefined && !isPlainObject(msg.payload) && Object.keys(fieldsIn).length === 0) {
          throw new QualtricsInputError("payload", `must be an object with contact fields, got ${typeName(msg.payload)}`);
        }
        body = contactFields(fieldsIn);
      }

      const reply = (res: { result?: unknown; requestId?: string; statusCode?: number; notice?: string }, payloadOut: unknown) => {
        msg.payload = payloadOut;
        ctx.record(msg, { requestId: res.requestId, statusCode: res.statusCode ?? 200, notice: res.notice });
        ctx.send(msg);
      };

      switch (operation) {
        case "get": {
          const res = await getContact(ctx.client, dir, cid, ctx.signal);
          return reply(res, res.result);
        }
        case "create": {
          const res = await createContact(ctx.client, dir, body, ctx.signal);
          return reply(res, res.result);
        }
        case "update": {
          const res = await updateContact(ctx.client, dir, cid, body, ctx.signal);
          // the API answers with meta only (§4.3)
          return reply(res, res.result ?? { contactId: cid, ...body });
        }
        case "delete": {
          const res = await deleteContact(ctx.client, dir, cid, ctx.signal);
          return reply(res, res.result ?? { contactId: cid });
        }
        case "upsert": {
          const key = oneOf("upsertKey", def.upsertKey || "email", UPSERT_KEYS);
          const out = await upsertInAccount(ctx.config, ctx.client, dir, key, body, ctx.signal);
          return reply({ ...out, statusCode: 200 }, { ...out.result, ...body });
        }
        case "recordTransaction": {
          const ml = await evaluateId(RED, node, msg, "mailingListId", mailingList, payload.mailingListId);
          const data = (await evaluate(RED, node, msg, "transactionData", transactionData)) ?? payload.data;
          if (data === undefined) throw new QualtricsInputError("transactionData", "is required: an object of text values (or msg.payload.data)");
          const date = (await evaluate(RED, node, msg, "transactionDate", transactionDate)) ?? payload.transactionDate;
          const item = { contactId: cid, mailingListId: ml || undefined, transactionDate: date, data } as TransactionInput;
          // checked here too, so an error names the dialog's field rather than the request's items[0]
          const sent = inDialogFields(() => transactionsBody([item]).t0);
          const res = await createTransactions(ctx.client, dir, [{ ...item, transactionDate: sent.transactionDate as string }], ctx.signal);
          const id = res.result.ids[0];
          if (!id) {
            const why = res.result.unprocessed[0]?.error ?? "no reason given";
            throw new QualtricsApiError(
              { method: "POST", path: `/directories/${dir}/transactions`, requestId: res.requestId, errorMessage: `the transaction was not recorded: ${why}` },
            );
          }
          return reply(res, { transactionId: id, ...sent });
        }
        case "createBatch": {
          const ids = transactionIdsFrom("transactionIds", (await evaluate(RED, node, msg, "transactionIds", transactionIds)) ?? payload.transactionIds ?? payload.transactionId);
          const res = await createTransactionBatch(ctx.client, dir, ids, ctx.signal);
          return reply(res, { transactionBatchId: res.result.id, transactionIds: ids });
        }
        case "addToBatch": {
          const batch = await evaluateId(RED, node, msg, "transactionBatchId", transactionBatch, payload.transactionBatchId);
          const ids = transactionIdsFrom("transactionIds", (await evaluate(RED, node, msg, "transactionIds", transactionIds)) ?? payload.transactionIds ?? payload.transactionId);
          const res = await addToTransactionBatch(ctx.client, dir, batch, ids, ctx.signal);
          return reply(res, { transactionBatchId: batch, transactionIds: ids });
        }
        case "listTransactions": {
          const wanted = limitOf(msg, limit);
          const pagesOf = contactTransactionPages(ctx.client, dir, cid, { limit: wanted, pageSize: smallPage(wanted), signal: ctx.signal });
          return split ? sendEach(RED, msg, ctx, pagesOf) : sendArray(msg, ctx, pagesOf);
        }
        case "list": {
          const pagesOf = listContacts(ctx.client, dir, { limit: limitOf(msg, limit), pageSize: smallPage(limitOf(msg, limit)), signal: ctx.signal });
          return split ? sendEach(RED, msg, ctx, pagesOf) : sendArray(msg, ctx, pagesOf);
        }
        case "search": {
          const field = oneOf("searchField", def.searchField || "email", SEARCH_FIELDS);
          const value = optionalString("searchValue", (await evaluate(RED, node, msg, "searchValue", searchValue)) ?? payload[field]);
          if (value === undefined) throw new QualtricsInputError("searchValue", `is required: the ${field} to look for (or msg.payload.${field})`);
          const wanted = limitOf(msg, limit);
          const found = searchContacts(ctx.client, dir, field, value, { limit: wanted, pageSize: smallPage(wanted), signal: ctx.signal });
          const watched = watchSearchMax(found, wanted);
          return split ? sendEach(RED, msg, ctx, watched) : sendArray(msg, ctx, watched);
        }
      }
    });

    /** no bigger page than the limit needs */
    function smallPage(wanted: number): number {
      return wanted > 0 ? Math.min(pageSize, wanted) : pageSize;
    }

    // Search stops at 10,000 contacts; say so once rather than silently returning fewer than asked
    async function* watchSearchMax(source: AsyncGenerator<Page<Record<string, unknown>>>, wanted: number): AsyncGenerator<Page<unknown>> {
      let seen = 0;
      for await (const page of source) {
        seen += page.elements.length;
        yield page;
      }
      if (seen >= SEARCH_MAX && (wanted === 0 || wanted > SEARCH_MAX) && !warnedSearchMax) {
        warnedSearchMax = true;
        node.warn(RED._("qualtrics-contact.warn.searchMax", { max: SEARCH_MAX }));
      }
    }
  }

  RED.nodes.registerType("qualtrics-contact", QualtricsContact as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
