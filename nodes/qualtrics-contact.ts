// XM Directory contacts: list, get, create, update, delete.
import { ContactFields, contactFields, createContact, deleteContact, getContact, listContacts, updateContact } from "../src/contacts";
import { QualtricsInputError } from "../src/errors";
import { isPlainObject } from "../src/safe-object";
import { oneOf, typeName } from "../src/validate";
import { InputContext, setupQualtricsNode } from "./lib/qualtrics-node";
import { evaluate, evaluateAll, sanitizeOrThrow, typed } from "./lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef, Typed } from "./lib/types";

const OPERATIONS = ["list", "get", "create", "update", "delete"] as const;
type Operation = (typeof OPERATIONS)[number];
const FIELD_PROPS = ["firstName", "lastName", "email", "phone", "extRef", "embeddedData", "language", "unsubscribed"] as const;

export interface ContactDef extends NodeDef {
  qualtrics: string;
  operation: Operation | "msg";
  limit?: number | string;
  pageSize?: number | string;
  output?: "array" | "split";
  [prop: string]: unknown;
}

export default function (RED: NodeAPI): void {
  function QualtricsContact(this: Node, def: ContactDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const directory = typed(def, "directoryId");
    const contact = typed(def, "contactId");
    const fields: Record<string, Typed> = {};
    for (const p of FIELD_PROPS) fields[p] = typed(def, p, p === "embeddedData" ? "json" : "str");
    const limit = Number(def.limit ?? 1000);
    const pageSize = Number(def.pageSize ?? 100);
    const split = def.output === "split";

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation = def.operation === "msg" || !def.operation ? oneOf("msg.operation", msg.operation, OPERATIONS) : def.operation;
      const payload = isPlainObject(msg.payload) ? (sanitizeOrThrow("payload", msg.payload) as Record<string, unknown>) : {};
      const directoryId = (await evaluate(RED, node, msg, "directoryId", directory)) ?? payload.directoryId;
      const needsContact = operation === "get" || operation === "update" || operation === "delete";
      const contactId = needsContact ? ((await evaluate(RED, node, msg, "contactId", contact)) ?? payload.contactId ?? payload.id) : undefined;
      const fieldsIn = operation === "create" || operation === "update" ? { ...payload, ...(await evaluateAll(RED, node, msg, fields)) } : {};
      if ((operation === "create" || operation === "update") && msg.payload !== undefined && !isPlainObject(msg.payload) && Object.keys(fieldsIn).length === 0) {
        throw new QualtricsInputError("payload", `must be an object with contact fields, got ${typeName(msg.payload)}`);
      }
      const body: ContactFields = operation === "create" || operation === "update" ? contactFields(fieldsIn) : {};
      const dir = String(directoryId ?? "");
      const cid = String(contactId ?? "");

      switch (operation) {
        case "get": {
          const res = await getContact(ctx.client, dir, cid, ctx.signal);
          msg.payload = res.result;
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "create": {
          const res = await createContact(ctx.client, dir, body, ctx.signal);
          msg.payload = res.result;
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "update": {
          const res = await updateContact(ctx.client, dir, cid, body, ctx.signal);
          // the API answers with meta only (§4.3)
          msg.payload = res.result ?? { contactId: cid, ...body };
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "delete": {
          const res = await deleteContact(ctx.client, dir, cid, ctx.signal);
          msg.payload = res.result ?? { contactId: cid };
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "list":
          return split ? listSplit(msg, dir, ctx) : listArray(msg, dir, ctx);
      }
    });

    function limitOf(msg: Msg): number {
      const v = msg.limit ?? limit;
      const n = typeof v === "string" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new QualtricsInputError("limit", "must be a whole number, 0 for all");
      return n;
    }

    async function listArray(msg: Msg, dir: string, ctx: InputContext) {
      const all: unknown[] = [];
      for await (const page of listContacts(ctx.client, dir, { limit: limitOf(msg), pageSize, signal: ctx.signal })) {
        all.push(...page.elements);
        ctx.record(msg, { requestId: page.requestId, statusCode: 200, notice: page.notice });
        ctx.status.progress(all.length);
      }
      msg.payload = all;
      ctx.send(msg);
      return { count: all.length };
    }

    // One message per contact with msg.parts, so a join node rebuilds the list. One page is held at
    // a time; each contact is sent once the next is known, so the last can carry parts.count.
    async function listSplit(msg: Msg, dir: string, ctx: InputContext) {
      const partsId = RED.util.generateId();
      let index = 0;
      let held: { item: unknown; requestId?: string; notice?: string } | undefined;
      const emit = (h: NonNullable<typeof held>, last: boolean) => {
        const out = RED.util.cloneMessage(msg) as Msg;
        out.payload = h.item;
        // an incoming msg.parts (an outer split) is kept underneath, as core split does, so an outer join still works
        const outer = isPlainObject(msg.parts) ? { parts: msg.parts } : {};
        (out as Record<string, unknown>).parts = { id: partsId, index, type: "array", len: 1, ...(last ? { count: index + 1 } : {}), ...outer };
        ctx.record(out, { requestId: h.requestId, statusCode: 200, notice: h.notice });
        ctx.send(out);
        index++;
      };
      for await (const page of listContacts(ctx.client, dir, { limit: limitOf(msg), pageSize, signal: ctx.signal })) {
        for (const item of page.elements) {
          if (held) emit(held, false);
          held = { item, requestId: page.requestId, notice: page.notice };
        }
        ctx.status.progress(index + (held ? 1 : 0));
      }
      if (held) emit(held, true);
      return { count: index };
    }
  }

  RED.nodes.registerType("qualtrics-contact", QualtricsContact as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
