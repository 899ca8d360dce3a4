// XM Directory contacts (docs/qualtrics-facts.md §4.3): /directories/{directoryId}/contacts[/{contactId}].
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsInputError } from "./errors";
import { SEARCH_FIELDS, UPSERT_KEYS } from "./api-values";
import { Page, PageOptions, pages } from "./paginate";
import {
  optionalBoolean,
  optionalEmail,
  optionalEmbeddedData,
  optionalString,
  requireId,
} from "./validate";

export interface ContactFields {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  extRef?: string;
  embeddedData?: Record<string, string>;
  language?: string;
  unsubscribed?: boolean;
}

export const CONTACT_FIELDS = [
  "firstName",
  "lastName",
  "email",
  "phone",
  "extRef",
  "embeddedData",
  "language",
  "unsubscribed",
] as const;

/**
 * The fields Qualtrics accepts on create and update, checked. Other keys (contactId,
 * creationDate, ... from a previous get) are left out rather than sent.
 */
export function contactFields(input: Record<string, unknown>): ContactFields {
  const out: ContactFields = {};
  const set = <K extends keyof ContactFields>(k: K, v: ContactFields[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("firstName", optionalString("firstName", input.firstName));
  set("lastName", optionalString("lastName", input.lastName));
  set("email", optionalEmail("email", input.email));
  set("phone", optionalString("phone", input.phone));
  set("extRef", optionalString("extRef", input.extRef));
  set("embeddedData", optionalEmbeddedData("embeddedData", input.embeddedData));
  set("language", optionalString("language", input.language));
  set("unsubscribed", optionalBoolean("unsubscribed", input.unsubscribed));
  return out;
}

function contactsPath(directoryId: string): string {
  return `/directories/${encodeURIComponent(requireId("directoryId", directoryId, "directory"))}/contacts`;
}

function contactPath(directoryId: string, contactId: string): string {
  return `${contactsPath(directoryId)}/${encodeURIComponent(requireId("contactId", contactId, "contact"))}`;
}

export interface ListContactsOptions extends Omit<PageOptions, "method" | "body"> {
  pageSize?: number;
}

/**
 * Pages of contacts. pageSize is capped at 1000: the maximum is UNCONFIRMED (§3.2) and 1000
 * works for the Python client.
 */
export function listContacts(client: QualtricsClient, directoryId: string, opts: ListContactsOptions = {}): AsyncGenerator<Page<Record<string, unknown>>> {
  const pageSize = opts.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new QualtricsInputError("pageSize", "must be a whole number from 1 to 1000");
  }
  const path = contactsPath(directoryId);
  return pages(client, path, {
    ...opts,
    query: { pageSize, useNewPaginationScheme: true, ...(opts.query ?? {}) },
  });
}

export function getContact(client: QualtricsClient, directoryId: string, contactId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "GET", path: contactPath(directoryId, contactId), signal });
}

export function createContact(client: QualtricsClient, directoryId: string, fields: ContactFields, signal?: AbortSignal): Promise<ApiResponse> {
  const path = contactsPath(directoryId);
  if (Object.keys(fields).length === 0) {
    throw new QualtricsInputError("payload", "no contact fields given (firstName, lastName, email, phone, extRef, embeddedData, language, unsubscribed)");
  }
  return client.request({ method: "POST", path, body: fields, signal });
}

/** A partial update: only the fields given are sent (§4.3, OBSERVED). */
export function updateContact(
  client: QualtricsClient,
  directoryId: string,
  contactId: string,
  fields: ContactFields,
  signal?: AbortSignal,
): Promise<ApiResponse> {
  const path = contactPath(directoryId, contactId);
  if (Object.keys(fields).length === 0) {
    throw new QualtricsInputError("payload", "no contact fields to update");
  }
  return client.request({ method: "PUT", path, body: fields, signal });
}

export function deleteContact(client: QualtricsClient, directoryId: string, contactId: string, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "DELETE", path: contactPath(directoryId, contactId), signal });
}

export { SEARCH_FIELDS, UPSERT_KEYS };
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** Search cannot page past the first 10,000 contacts: Qualtrics answers 400 (§2.4, §4.4). */
export const SEARCH_MAX = 10_000;

export interface SearchContactsOptions {
  limit?: number;
  pageSize?: number;
  signal?: AbortSignal;
}

/**
 * Search results name some fields differently from create and list (phoneNumber,
 * externalDataReference, id): the create names are added alongside, so flows can use one set.
 */
export function normaliseSearchResult(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if (out.contactId === undefined && typeof c.id === "string") out.contactId = c.id;
  if (out.phone === undefined && c.phoneNumber !== undefined) out.phone = c.phoneNumber;
  if (out.extRef === undefined && c.externalDataReference !== undefined) out.extRef = c.externalDataReference;
  return out;
}

/** Pages of contacts whose field equals the value; at most SEARCH_MAX. */
export async function* searchContacts(
  client: QualtricsClient,
  directoryId: string,
  field: SearchField,
  value: string,
  opts: SearchContactsOptions = {},
): AsyncGenerator<Page<Record<string, unknown>>> {
  const path = `${contactsPath(directoryId)}/search`;
  if (!(SEARCH_FIELDS as readonly string[]).includes(field)) {
    throw new QualtricsInputError("searchField", `must be one of ${SEARCH_FIELDS.join(", ")}`);
  }
  if (value === "") throw new QualtricsInputError("searchValue", "is required");
  const pageSize = opts.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new QualtricsInputError("pageSize", "must be a whole number from 1 to 1000");
  }
  const limit = opts.limit && opts.limit > 0 ? Math.min(opts.limit, SEARCH_MAX) : SEARCH_MAX;
  // a search only reads, so it may be retried like a GET
  for await (const page of pages<Record<string, unknown>>(client, path, {
    method: "POST",
    body: { filter: { filterType: field, comparison: "eq", value } },
    query: { pageSize: Math.min(pageSize, limit), includeEmbedded: true },
    limit,
    signal: opts.signal,
  })) {
    yield { ...page, elements: page.elements.map(normaliseSearchResult) };
  }
}

export type UpsertKey = (typeof UPSERT_KEYS)[number];

/**
 * The key value as the account's upserts compare it: trimmed, and an email in lower case (mail
 * systems treat addresses so; whether Qualtrics' search does is UNCONFIRMED, docs/qualtrics-facts.md §4.4).
 */
export function upsertKeyOf(key: UpsertKey, value: string): string {
  const v = value.trim();
  return key === "email" ? v.toLowerCase() : v;
}

export interface UpsertResult {
  id: string;
  contactId: string;
  created: boolean;
  /** contacts found with the key value, counted up to 2: more than one means the key is not unique; the first is updated */
  matched: number;
  /** with `skipUnchanged`: whether a found contact was written (false: it already held every field given) */
  updated?: boolean;
}

export interface UpsertOptions {
  /** other spellings of an email this process wrote for the same key (see upsertContact) */
  spellings?: readonly string[];
  /** no update when the contact found already holds every field given (one request less) */
  skipUnchanged?: boolean;
  /** creates the contact when none is found (default: POST .../contacts), e.g. straight into a mailing list */
  create?: (fields: ContactFields) => Promise<ApiResponse>;
}

/** whether a search result (normalised) already holds each of `fields`, embedded data key by key */
export function holdsFields(found: Record<string, unknown>, fields: ContactFields): boolean {
  for (const [k, v] of Object.entries(fields) as [keyof ContactFields, unknown][]) {
    if (k === "embeddedData") {
      const have = found.embeddedData;
      if (typeof have !== "object" || have === null) return false;
      for (const [name, value] of Object.entries(v as Record<string, string>)) {
        if (String((have as Record<string, unknown>)[name] ?? "") !== value) return false;
      }
    } else if (k === "email") {
      if (typeof found.email !== "string" || found.email !== v) return false;
    } else if (found[k] !== v) {
      return false;
    }
  }
  return true;
}

/**
 * Create or update, keyed on one field: search for the key's value, update the first match or
 * create when there is none (what Segment's production upsert does, §4.3: whether Qualtrics itself
 * merges on create depends on the directory's deduplication settings, which is UNCONFIRMED).
 *
 * An email is looked for as given, then in lower case, then in each of `spellings` (other
 * spellings this process wrote for the same address), until one search finds a contact: a search
 * that ignores case finds it at once, one that compares exactly still finds what was stored in
 * lower case or through these spellings.
 */
export async function upsertContact(
  client: QualtricsClient,
  directoryId: string,
  key: UpsertKey,
  fields: ContactFields,
  signal?: AbortSignal,
  spellingsOrOptions: readonly string[] | UpsertOptions = [],
): Promise<{ result: UpsertResult; requestId?: string; notice?: string }> {
  const opts: UpsertOptions = Array.isArray(spellingsOrOptions) ? { spellings: spellingsOrOptions } : (spellingsOrOptions as UpsertOptions);
  const spellings = opts.spellings ?? [];
  const value = fields[key];
  if (typeof value !== "string" || value === "") {
    throw new QualtricsInputError(key, `is required: it is the key that finds the contact to update`);
  }
  const wanted = upsertKeyOf(key, value);
  const forms = key === "email" ? [value, value.toLowerCase(), ...spellings.filter((s) => upsertKeyOf(key, s) === wanted)] : [value];
  const found = new Set<string>();
  let first: string | undefined;
  let firstFound: Record<string, unknown> = {};
  for (const form of new Set(forms)) {
    for await (const page of searchContacts(client, directoryId, key, form, { limit: 2, pageSize: 2, signal })) {
      for (const c of page.elements) {
        if (typeof c.contactId !== "string") continue;
        if (!first) {
          first = c.contactId;
          firstFound = c;
        }
        found.add(c.contactId);
      }
    }
    if (first) break;
  }
  if (first) {
    const result: UpsertResult = { id: first, contactId: first, created: false, matched: found.size };
    if (opts.skipUnchanged) {
      result.updated = !holdsFields(firstFound, fields);
      if (!result.updated) return { result };
    }
    const res = await updateContact(client, directoryId, first, fields, signal);
    return { result, requestId: res.requestId, notice: res.notice };
  }
  const res = await (opts.create ? opts.create(fields) : createContact(client, directoryId, fields, signal));
  const id = (res.result as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") throw new QualtricsInputError("result.id", "Qualtrics created the contact but returned no ID");
  return { result: { id, contactId: id, created: true, matched: 0 }, requestId: res.requestId, notice: res.notice };
}
