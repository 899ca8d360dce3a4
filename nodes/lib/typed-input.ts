// Reading the dialog's typedInput fields (str, num, bool, json, msg, flow, global, env, jsonata, date)
// against the incoming message. An empty field means "not set", so the message may supply it.
import type { Msg, Node, NodeAPI, Typed } from "./types";
import { QualtricsInputError } from "../../src/errors";
import { sanitize } from "../../src/safe-object";
import { idText } from "../../src/validate";

export function typed(def: Record<string, unknown>, prop: string, defaultType = "str"): Typed {
  const value = def[prop];
  const type = def[prop + "Type"];
  // "qualtrics" is the dialog's picker: the value is a plain ID, as with "str"
  const t = typeof type === "string" && type ? (type === "qualtrics" ? "str" : type) : defaultType;
  return { value: value === undefined || value === null ? "" : String(value), type: t };
}

/**
 * An ID from its typed input, else the first of `fallbacks` that is given (msg.payload's fields),
 * as text for the ID checks; "" when there is none.
 */
export async function evaluateId(RED: NodeAPI, node: Node, msg: Msg, field: string, t: Typed, ...fallbacks: unknown[]): Promise<string> {
  const v = await evaluate(RED, node, msg, field, t);
  return idText(field, v ?? fallbacks.find((f) => f !== undefined && f !== null));
}

export function evaluate(RED: NodeAPI, node: Node, msg: Msg, field: string, t: Typed): Promise<unknown> {
  // "none" is the dialog's explicit "not set" (for booleans, which otherwise always have a value)
  if (t.type === "none" || (t.value === "" && t.type !== "date")) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    // msg.payload.email of a message without a payload is not set, as it is for a payload without
    // an email; Node-RED throws "Cannot read properties of undefined" for it
    const missingParent = (err: unknown) => t.type === "msg" && err instanceof TypeError && /^Cannot read properties of (undefined|null)/.test(err.message);
    try {
      RED.util.evaluateNodeProperty(t.value, t.type, node, msg, (err: Error | null, result: unknown) => {
        if (err && missingParent(err)) resolve(undefined);
        else if (err) reject(new QualtricsInputError(field, `could not be read from ${t.type} "${t.value}": ${err.message}`));
        // values from messages and context are copied without prototype-changing keys
        else resolve(result === "" ? undefined : sanitizeOrThrow(field, result));
      });
    } catch (err) {
      if (missingParent(err)) resolve(undefined);
      else reject(new QualtricsInputError(field, `could not be read from ${t.type} "${t.value}": ${(err as Error).message}`));
    }
  });
}

/** Evaluate several fields; keys whose field is empty are left out. */
export async function evaluateAll(
  RED: NodeAPI,
  node: Node,
  msg: Msg,
  fields: Record<string, Typed>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(fields)) {
    const v = await evaluate(RED, node, msg, name, t);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

export function sanitizeOrThrow(field: string, value: unknown): unknown {
  try {
    return sanitize(value);
  } catch (err) {
    throw new QualtricsInputError(field, (err as Error).message);
  }
}
