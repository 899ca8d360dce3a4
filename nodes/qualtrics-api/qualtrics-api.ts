// Any Qualtrics v3 call, authenticated, limited and retried like the other nodes. The token only
// goes to the configured API: absolute URLs on any other origin are refused.
import type { HttpMethod, Query } from "../../src/client";
import { QualtricsInputError } from "../../src/errors";
import { pages } from "../../src/paginate";
import { isPlainObject } from "../../src/safe-object";
import { oneOf, typeName } from "../../src/validate";
import { collectPages } from "../lib/list-output";
import { setupQualtricsNode } from "../lib/qualtrics-node";
import { sanitizeOrThrow } from "../lib/typed-input";
import type { Node, NodeAPI, NodeDef } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { apiSpec } from "./spec";

const METHODS = apiSpec.methods;
// what HTTP lets through (RFC 9110 tokens; no CR, LF or NUL in a value): anything else the HTTP
// client refuses without sending, which would read as a connection failure
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** a path with spaces, line breaks or non-ASCII characters percent-encoded, as a browser would */
function sendablePath(path: string): string {
  try {
    return path.replace(/[^\x21-\x7e]+/g, (s) => encodeURIComponent(s));
  } catch {
    // encodeURIComponent refuses a lone UTF-16 surrogate
    throw new QualtricsInputError("url", "has a broken character in it (half of a UTF-16 surrogate pair)");
  }
}

export interface ApiDef extends NodeDef {
  qualtrics: string;
  method: HttpMethod | "msg";
  url?: string;
  /** "first": the page Qualtrics returns; "all": follow nextPage and return every element */
  paging?: "first" | "all";
  limit?: number | string;
}

export default function (RED: NodeAPI): void {
  function QualtricsApi(this: Node, def: ApiDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const allPages = def.paging === "all";
    const limit = dialogNumber(def.limit, 0);

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const method: HttpMethod = def.method === "msg" || !def.method ? oneOf("msg.method", msg.method, METHODS) : oneOf("method", def.method, METHODS);
      const url = def.url ? def.url : msg.url;
      if (typeof url !== "string" || url.trim() === "") throw new QualtricsInputError("url", "is required: a path such as /surveys, in the node or in msg.url");
      if (/\{[^}]*\}/.test(url)) throw new QualtricsInputError("url", `"${url}" still has a {placeholder} in it`);
      const path = sendablePath(ctx.client.resolvePath(url, "url"));

      let query: Query | undefined;
      if (msg.query !== undefined) {
        if (!isPlainObject(msg.query)) throw new QualtricsInputError("query", `must be an object, got ${typeName(msg.query)}`);
        query = {};
        for (const [k, v] of Object.entries(sanitizeOrThrow("query", msg.query) as Record<string, unknown>)) {
          if (v === undefined || v === null || ["string", "number", "boolean"].includes(typeof v)) query[k] = v as Query[string];
          else if (Array.isArray(v)) query[k] = v.map(String);
          else throw new QualtricsInputError(`query.${k}`, `must be a string, number or boolean, got ${typeName(v)}`);
        }
      }
      let headers: Record<string, string> | undefined;
      if (msg.headers !== undefined) {
        if (!isPlainObject(msg.headers)) throw new QualtricsInputError("headers", `must be an object, got ${typeName(msg.headers)}`);
        headers = {};
        for (const [k, v] of Object.entries(msg.headers)) {
          if (!HEADER_NAME.test(k)) throw new QualtricsInputError("headers", `"${k.slice(0, 40)}" is not a header name`);
          if (typeof v !== "string" && typeof v !== "number") throw new QualtricsInputError(`headers.${k}`, "must be a string");
          if (!HEADER_VALUE.test(String(v))) throw new QualtricsInputError(`headers.${k}`, "must not contain line breaks or other control characters");
          headers[k] = String(v);
        }
      }
      const body = method === "GET" || method === "DELETE" ? undefined : sanitizeOrThrow("payload", msg.payload);

      if (allPages && method === "GET") {
        const source = pages(ctx.client, path, { query, limit: limit > 0 ? limit : undefined, signal: ctx.signal });
        const out = await collectPages(msg, ctx, source, { field: "limit", advice: "set a limit, or read the first page only and follow result.nextPage in the flow" });
        msg.payload = out;
        msg.statusCode = 200;
        ctx.send(msg);
        return { count: out.length };
      }

      const res = await ctx.client.request({ method, path, query, headers, body, signal: ctx.signal });
      msg.payload = res.enveloped ? res.result : res.body;
      msg.statusCode = res.statusCode;
      msg.responseHeaders = res.headers;
      ctx.record(msg, res);
      ctx.send(msg);
    });
  }

  RED.nodes.registerType("qualtrics-api", QualtricsApi as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
