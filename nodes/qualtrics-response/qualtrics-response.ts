// Single survey responses: get, create, update embedded data, delete; and the bulk embedded-data
// update of many responses of one survey.
import { QualtricsInputError } from "../../src/errors";
import {
  createResponse,
  createdResponseId,
  deleteResponse,
  getResponse,
  idempotencyKeyFrom,
  updateResponse,
  updateResponsesBulk,
} from "../../src/responses";
import { isPlainObject } from "../../src/safe-object";
import { oneOf, optionalBoolean, typeName } from "../../src/validate";
import { setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, evaluateId, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef } from "../lib/types";
import { responseSpec } from "./spec";

const OPERATIONS = responseSpec.operations;
type Operation = (typeof OPERATIONS)[number];

export interface ResponseDef extends NodeDef {
  qualtrics: string;
  operation: Operation | "msg";
  /** "" = not sent (or from msg.payload), "true", "false" */
  resetRecordedDate?: string;
  decrementQuotas?: string;
  ignoreMissing?: boolean;
  [prop: string]: unknown;
}

/** a dialog select of "", "true", "false": "" leaves the choice to msg.payload */
function choice(v: unknown): boolean | undefined {
  return v === "true" || v === true ? true : v === "false" || v === false ? false : undefined;
}

/** where a message sits in (nested) splits: "2/0" for part 0 of part 2; "" outside a split */
function partsPath(parts: unknown): string {
  const path: string[] = [];
  for (let p = parts, depth = 0; isPlainObject(p) && depth < 16; p = p.parts, depth++) path.push(String(p.index ?? ""));
  return path.reverse().join("/");
}

/** JSON with object keys sorted, so the same answers give the same text whatever their order */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

export default function (RED: NodeAPI): void {
  function QualtricsResponse(this: Node, def: ResponseDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const survey = typed(def, "surveyId");
    const response = typed(def, "responseId");
    const embedded = typed(def, "embeddedData", "json");
    const values = typed(def, "values", "json");
    const reset = choice(def.resetRecordedDate);
    const decrement = choice(def.decrementQuotas);
    const ignoreMissing = def.ignoreMissing !== false;

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation = def.operation === "msg" || !def.operation ? oneOf("msg.operation", msg.operation, OPERATIONS) : def.operation;
      const payload = isPlainObject(msg.payload) ? (sanitizeOrThrow("payload", msg.payload) as Record<string, unknown>) : {};
      const surveyId = await evaluateId(RED, node, msg, "surveyId", survey, payload.surveyId);
      const needsResponse = (responseSpec.uses.id as readonly string[]).includes(operation);
      const responseId = needsResponse ? await evaluateId(RED, node, msg, "responseId", response, payload.responseId) : "";

      switch (operation) {
        case "get": {
          const res = await getResponse(ctx.client, surveyId, responseId, { signal: ctx.signal });
          msg.payload = res.result;
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "create": {
          const given = (await evaluate(RED, node, msg, "values", values)) ?? payload.values;
          if (given === undefined && msg.payload !== undefined && !isPlainObject(msg.payload)) {
            throw new QualtricsInputError("values", `must be an object of answers, got msg.payload as ${typeName(msg.payload)}`);
          }
          const key = idempotencyKeyOf(msg, surveyId, given);
          const res = await createResponse(ctx.client, surveyId, given, { idempotencyKey: key, signal: ctx.signal });
          const id = createdResponseId(res.result);
          msg.payload = isPlainObject(res.result) ? { ...res.result, ...(id ? { responseId: id } : {}) } : res.result;
          ctx.record(msg, res);
          // the key is reported, not put back on msg.idempotencyKey, where a second create node would reuse it
          if (key) (msg.qualtrics as Record<string, unknown>).idempotencyKey = key;
          ctx.send(msg);
          return;
        }
        case "update": {
          const embeddedData = (await evaluate(RED, node, msg, "embeddedData", embedded)) ?? payload.embeddedData;
          const resetRecordedDate = reset ?? optionalBoolean("resetRecordedDate", payload.resetRecordedDate);
          const res = await updateResponse(ctx.client, responseId, { surveyId, embeddedData, resetRecordedDate }, ctx.signal);
          // Qualtrics answers with meta only (§7.5): say what was changed
          msg.payload = res.result ?? { responseId, surveyId, embeddedData };
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "delete": {
          const decrementQuotas = decrement ?? optionalBoolean("decrementQuotas", payload.decrementQuotas);
          const res = await deleteResponse(ctx.client, surveyId, responseId, { decrementQuotas, signal: ctx.signal });
          msg.payload = res.result ?? { responseId, surveyId };
          ctx.record(msg, res);
          ctx.send(msg);
          return;
        }
        case "bulkUpdate": {
          const updates = Array.isArray(msg.payload) ? sanitizeOrThrow("payload", msg.payload) : payload.updates;
          if (updates === undefined) throw new QualtricsInputError("updates", "msg.payload must be an array of {responseId, embeddedData}, or an object with such an array in updates");
          const ignore = def.ignoreMissing === undefined && payload.ignoreMissingResponses !== undefined
            ? optionalBoolean("ignoreMissingResponses", payload.ignoreMissingResponses)
            : ignoreMissing;
          const chunks = await updateResponsesBulk(ctx.client, surveyId, updates, {
            ignoreMissingResponses: ignore,
            signal: ctx.signal,
            onChunk: (c, n) => ctx.status.show("blue", "dot", "chunk", { index: c.index + 1, count: n }),
          });
          const last = chunks[chunks.length - 1];
          msg.payload = {
            surveyId,
            updates: chunks.reduce((n, c) => n + c.count, 0),
            chunks: chunks.map((c) => ({ index: c.index, count: c.count, ...(c.jobId ? { jobId: c.jobId } : {}), requestId: c.requestId, result: c.result })),
          };
          ctx.record(msg, { requestId: last.requestId, statusCode: 200 });
          ctx.send(msg);
          return { count: (msg.payload as { updates: number }).updates };
        }
      }
    });

    /**
     * The same message (same _msgid, e.g. sent again from a Catch loop) gets the same key, so
     * Qualtrics creates its response once; msg.idempotencyKey lets a flow choose its own. Messages
     * can share a _msgid and still be different responses: the parts of a split node, or the
     * messages one function node sends, keep the _msgid of the message they came from. So the
     * key also covers the survey, the answers and the place in a split (msg.parts): only a repeat
     * of the same create gets the same key.
     */
    function idempotencyKeyOf(msg: Msg, surveyId: string, values: unknown): string | undefined {
      if (msg.idempotencyKey !== undefined && msg.idempotencyKey !== null && msg.idempotencyKey !== "") {
        if (typeof msg.idempotencyKey !== "string") throw new QualtricsInputError("msg.idempotencyKey", `must be a string, got ${typeName(msg.idempotencyKey)}`);
        return msg.idempotencyKey;
      }
      if (typeof msg._msgid !== "string" || !msg._msgid) return undefined;
      return idempotencyKeyFrom(`${node.id}:${msg._msgid}:${partsPath(msg.parts)}:${surveyId}:${canonicalJson(values)}`);
    }
  }

  RED.nodes.registerType("qualtrics-response", QualtricsResponse as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
