// A QualtricsInputError names a property (directoryId), the name a flow sees in msg and in
// err.field; a user knows the field by its label in the dialog ("Directory"). The labels are the
// locale files' <type>.label.<property>; account settings (Base URL, API token) that any node may
// report are the configuration dialog's. A property no dialog shows (msg.payload.contacts) keeps
// its own name. A place in a Qualtrics body that a dialog field fills (header.fromEmail) is called
// by that field's label ("From (header.fromEmail)").
import { flatInputOf } from "../../src/distributions";
import { QualtricsInputError } from "../../src/errors";
import type { NodeAPI } from "./types";

const MODULE = "@xmflows/node-red-qualtrics";
const CONFIG = "qualtrics-config";
/** what a node's error may name from the configuration dialog ("name" or "timeout" would be the node's own) */
const ACCOUNT_FIELDS = new Set(["dataCenter", "baseUrl", "authType", "apiToken", "clientId", "clientSecret", "scopes", "redisUrl"]);

const HEAD = /^[A-Za-z0-9_]+/;

function label(RED: NodeAPI, type: string, property: string): string | undefined {
  const key = `${type}.label.${property}`;
  const text: unknown = RED._(`${MODULE}/${type}:${key}`);
  // a missing key comes back as the key itself
  return typeof text === "string" && text !== "" && !text.endsWith(key) ? text : undefined;
}

/** The dialog's label for a field ("directoryId", "embeddedData.vip", "contacts[2]"), or undefined. */
export function fieldLabel(RED: NodeAPI, type: string, field: string): string | undefined {
  const head = HEAD.exec(field)?.[0];
  if (!head || !/^qualtrics-[a-z-]+$/.test(type)) return undefined;
  const flat = flatInputOf(field);
  return (flat && label(RED, type, flat)) || label(RED, type, head) || (ACCOUNT_FIELDS.has(head) ? label(RED, CONFIG, head) : undefined);
}

/** What a status or an error calls the field: its label, or the property itself when no dialog shows it. */
export function fieldName(RED: NodeAPI, type: string, field: string): string {
  return fieldLabel(RED, type, field) ?? field;
}

/**
 * The error with its text in the dialog's words: "Directory: ..." instead of "directoryId: ...";
 * a nested property keeps its path in brackets ("Embedded data (embeddedData.vip): ..."). The same
 * object, so `field` and the class stay for flows; any other error is returned as it is.
 */
export function inDialogTerms<E>(RED: NodeAPI, type: string, err: E): E {
  if (!(err instanceof QualtricsInputError)) return err;
  const prefix = `${err.field}: `;
  if (!err.message.startsWith(prefix)) return err;
  const name = fieldLabel(RED, type, err.field);
  if (!name) return err;
  const nested = HEAD.exec(err.field)?.[0] !== err.field;
  err.message = `${name}${nested ? ` (${err.field})` : ""}: ${err.message.slice(prefix.length)}`;
  return err;
}
