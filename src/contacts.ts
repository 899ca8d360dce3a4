// XM Directory contacts (qualtrics-api.md §4.3): /directories/{directoryId}/contacts[/{contactId}].
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsInputError } from "./errors";
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
