// XM Directory mailing lists: the lists of a directory, their members, bulk imports with progress,
// and opted-out and bounced contacts.
import { ContactFields, contactFields } from "../../src/contacts";
import { QualtricsInputError } from "../../src/errors";
import {
  addMember,
  createMailingList,
  deleteMailingList,
  getMailingList,
  getMember,
  importIdOf,
  listBounced,
  listMailingLists,
  listMembers,
  listOptedOut,
  removeMember,
  renameMailingList,
  startImport,
  updateMember,
  waitForImport,
} from "../../src/mailing-lists";
import { isPlainObject } from "../../src/safe-object";
import { oneOf, typeName } from "../../src/validate";
import { limitOf, sendList } from "../lib/list-output";
import { InputContext, setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, evaluateAll, evaluateId, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef, Typed } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { mailingListSpec } from "./spec";

const OPERATIONS = mailingListSpec.operations;
type Operation = (typeof OPERATIONS)[number];

const NEEDS_LIST = new Set<Operation>(mailingListSpec.uses.list);
const NEEDS_CONTACT = new Set<Operation>(mailingListSpec.uses.contact);
const LISTS = new Set<Operation>(mailingListSpec.uses.paging);
const FIELD_PROPS = mailingListSpec.fields;

export interface MailingListDef extends NodeDef {
  qualtrics: string;
  operation: Operation | "msg";
  limit?: number | string;
  pageSize?: number | string;
  output?: "array" | "split";
  waitForImport?: boolean;
  /** seconds */
  importTimeout?: number | string;
  [prop: string]: unknown;
}

export default function (RED: NodeAPI): void {
  function QualtricsMailingList(this: Node, def: MailingListDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const directory = typed(def, "directoryId");
    const mailingList = typed(def, "mailingListId");
    const contact = typed(def, "contactId");
    const listName = typed(def, "listName");
    const fields: Record<string, Typed> = {};
    for (const p of FIELD_PROPS) fields[p] = typed(def, p, p === "embeddedData" ? "json" : "str");
    const limit = dialogNumber(def.limit, 1000);
    const pageSize = dialogNumber(def.pageSize, 100);
    const split = def.output === "split";
    const wait = def.waitForImport !== false;
    const timeoutS = dialogNumber(def.importTimeout, 600);

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation = def.operation === "msg" || !def.operation ? oneOf("msg.operation", msg.operation, OPERATIONS) : def.operation;
      const payload = isPlainObject(msg.payload) ? (sanitizeOrThrow("payload", msg.payload) as Record<string, unknown>) : {};
      const dir = await evaluateId(RED, node, msg, "directoryId", directory, payload.directoryId);
      // opted-out contacts of the whole directory need no list
      const ml = NEEDS_LIST.has(operation) ? await evaluateId(RED, node, msg, "mailingListId", mailingList, payload.mailingListId) : "";
      const cid = NEEDS_CONTACT.has(operation) ? await evaluateId(RED, node, msg, "contactId", contact, payload.contactId, payload.id) : "";

      if (LISTS.has(operation)) {
        const opts = { limit: limitOf(msg, limit), pageSize, signal: ctx.signal };
        const source =
          operation === "lists" ? listMailingLists(ctx.client, dir, opts)
          : operation === "members" ? listMembers(ctx.client, dir, ml, opts)
          : operation === "optedOut" ? listOptedOut(ctx.client, dir, ml, opts)
          : operation === "directoryOptedOut" ? listOptedOut(ctx.client, dir, undefined, opts)
          : listBounced(ctx.client, dir, ml, opts);
        return sendList(RED, msg, ctx, source, split);
      }

      let out: { result: unknown; res: Parameters<InputContext["record"]>[1] };
      switch (operation) {
        case "get": {
          const res = await getMailingList(ctx.client, dir, ml, ctx.signal);
          out = { result: res.result, res };
          break;
        }
        case "create": {
          const name = (await evaluate(RED, node, msg, "listName", listName)) ?? payload.name;
          const res = await createMailingList(ctx.client, dir, { name, ownerId: payload.ownerId, prioritizeListMetadata: payload.prioritizeListMetadata }, ctx.signal);
          out = { result: res.result, res };
          break;
        }
        case "rename": {
          const name = (await evaluate(RED, node, msg, "listName", listName)) ?? payload.name;
          const res = await renameMailingList(ctx.client, dir, ml, { name, ownerId: payload.ownerId }, ctx.signal);
          out = { result: res.result ?? { mailingListId: ml, name: String(name).trim() }, res };
          break;
        }
        case "delete": {
          const res = await deleteMailingList(ctx.client, dir, ml, ctx.signal);
          out = { result: res.result ?? { mailingListId: ml }, res };
          break;
        }
        case "getMember": {
          const res = await getMember(ctx.client, dir, ml, cid, ctx.signal);
          out = { result: res.result, res };
          break;
        }
        case "addMember": {
          const res = await addMember(ctx.client, dir, ml, await memberFields(msg, payload), ctx.signal);
          out = { result: res.result, res };
          break;
        }
        case "updateMember": {
          const body = await memberFields(msg, payload);
          const res = await updateMember(ctx.client, dir, ml, cid, body, ctx.signal);
          out = { result: res.result ?? { contactId: cid, mailingListId: ml, ...body }, res };
          break;
        }
        case "removeMember": {
          const res = await removeMember(ctx.client, dir, ml, cid, ctx.signal);
          out = { result: res.result ?? { contactId: cid, mailingListId: ml }, res };
          break;
        }
        case "import":
          return runImport(msg, payload, dir, ml, ctx);
        default:
          // the list operations returned above
          throw new QualtricsInputError("operation", `"${operation}" is not handled`);
      }
      msg.payload = out.result;
      ctx.record(msg, out.res);
      ctx.send(msg);
    });

    async function memberFields(msg: Msg, payload: Record<string, unknown>): Promise<ContactFields> {
      const fieldsIn = { ...payload, ...(await evaluateAll(RED, node, msg, fields)) };
      if (msg.payload !== undefined && !isPlainObject(msg.payload) && Object.keys(fieldsIn).length === 0) {
        throw new QualtricsInputError("payload", `must be an object with contact fields, got ${typeName(msg.payload)}`);
      }
      return contactFields(fieldsIn);
    }

    async function runImport(msg: Msg, payload: Record<string, unknown>, dir: string, ml: string, ctx: InputContext) {
      const contacts = Array.isArray(msg.payload) ? sanitizeOrThrow("payload", msg.payload) : payload.contacts;
      if (contacts === undefined) throw new QualtricsInputError("contacts", "msg.payload must be an array of contacts, or an object with such an array in contacts");
      if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new QualtricsInputError("importTimeout", "must be a number of seconds, 0 for no limit");
      const started = await startImport(ctx.client, dir, ml, contacts, payload.transactionMeta, ctx.signal);
      const importId = importIdOf(started.result);
      if (!wait || !importId) {
        // without an ID there is nothing to poll; the start answer is all there is
        msg.payload = { ...(isPlainObject(started.result) ? started.result : { result: started.result }), ...(importId ? { importId } : {}) };
        ctx.record(msg, started);
        ctx.send(msg);
        return;
      }
      ctx.status.show("blue", "dot", "importing", { percent: 0 });
      const { summary, response } = await waitForImport(ctx.client, dir, ml, importId, {
        signal: ctx.signal,
        timeoutMs: timeoutS * 1000,
        onProgress: (s) => ctx.status.show("blue", "dot", "importing", { percent: Math.round(s.percentComplete) }),
      });
      msg.payload = summary;
      ctx.record(msg, response);
      ctx.send(msg);
      return { count: summary.added + summary.updated };
    }
  }

  RED.nodes.registerType("qualtrics-mailing-list", QualtricsMailingList as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
