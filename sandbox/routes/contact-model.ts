// Contact bodies (create/update, also used for mailing-list members) and the contact views.
// Validation per docs/qualtrics-facts.md §4.3 and §2.4 (embedded data name ≤ 200, value ≤ 1024 chars).
import { badRequest } from "../envelope";
import { ContactRecord, DirectoryRecord, MailingListRecord, MembershipRecord } from "../state";
import { isEmail, optionalBoolean, Obj, optionalObject, requireObject } from "../validate";

export const EMBEDDED_KEY_MAX = 200;
export const EMBEDDED_VALUE_MAX = 1024;

const STRING_FIELDS = ["firstName", "lastName", "email", "phone", "extRef", "language"] as const;
type StringField = (typeof STRING_FIELDS)[number];

export interface ContactInput {
  strings: Partial<Record<StringField, string | null>>;
  unsubscribed?: boolean;
  /** null value = remove the key (update only) */
  embeddedData?: Record<string, string | null>;
}

export function parseContactBody(body: unknown): ContactInput {
  const obj: Obj = requireObject(body, "Request body");
  const input: ContactInput = { strings: {} };
  for (const field of STRING_FIELDS) {
    if (!(field in obj)) continue;
    const v = obj[field];
    if (v !== null && typeof v !== "string") throw badRequest(`${field} must be a string`);
    input.strings[field] = v;
  }
  const email = input.strings.email;
  if (typeof email === "string" && email !== "" && !isEmail(email)) {
    throw badRequest("email must be a valid email address");
  }
  input.unsubscribed = optionalBoolean(obj, "unsubscribed", "unsubscribed");
  const ed = optionalObject(obj.embeddedData, "embeddedData");
  if (ed) {
    input.embeddedData = {};
    for (const [key, value] of Object.entries(ed)) {
      if (key.length === 0) throw badRequest("embeddedData keys must not be empty");
      if (key.length > EMBEDDED_KEY_MAX) {
        throw badRequest(`embeddedData field name "${key.slice(0, 40)}…" is longer than ${EMBEDDED_KEY_MAX} characters`);
      }
      let text: string | null;
      // UNCONFIRMED (docs/qualtrics-facts.md §4.3): values are documented as strings; numbers/booleans are
      // accepted and stored as strings, objects/arrays are refused.
      if (value === null) text = null;
      else if (typeof value === "string") text = value;
      else if (typeof value === "number" || typeof value === "boolean") text = String(value);
      else throw badRequest(`embeddedData.${key} must be a string`);
      if (text !== null && text.length > EMBEDDED_VALUE_MAX) {
        throw badRequest(`embeddedData.${key} is longer than ${EMBEDDED_VALUE_MAX} characters`);
      }
      input.embeddedData[key] = text;
    }
  }
  return input;
}

/** Applies a (partial) input. embeddedData is merged key by key; a null value removes the key. */
export function applyContactInput(contact: ContactRecord, input: ContactInput, now: string): void {
  for (const field of STRING_FIELDS) {
    const v = input.strings[field];
    if (v !== undefined) contact[field] = v;
  }
  if (input.unsubscribed !== undefined && input.unsubscribed !== contact.unsubscribed) {
    contact.unsubscribed = input.unsubscribed;
    contact.unsubscribeDate = input.unsubscribed ? now : null;
  }
  if (input.embeddedData) {
    for (const [k, v] of Object.entries(input.embeddedData)) {
      if (v === null) delete contact.embeddedData[k];
      else contact.embeddedData[k] = v;
    }
  }
  contact.lastModified = now;
}

export function newContact(contactId: string, now: string): ContactRecord {
  return {
    contactId, firstName: null, lastName: null, email: null, phone: null, extRef: null, language: null,
    unsubscribed: false, unsubscribeDate: null, embeddedData: {}, creationDate: now, lastModified: now,
  };
}

/**
 * The existing contact a create would merge into, per the directory's deduplicationCriteria (§4.2):
 * every enabled criterion must be present in the input and equal (email case-insensitively).
 * // UNCONFIRMED (docs/qualtrics-facts.md §4.3): the exact dedup behaviour of the API is not documented;
 * the sandbox merges into the matching contact and returns its ID.
 */
export function findDuplicate(directory: DirectoryRecord, input: ContactInput): ContactRecord | undefined {
  const c = directory.deduplicationCriteria;
  const checks: Array<[StringField, boolean]> = [
    ["email", c.email], ["firstName", c.firstName], ["lastName", c.lastName], ["extRef", c.externalDataReference], ["phone", c.phone],
  ];
  const enabled = checks.filter(([, on]) => on).map(([f]) => f);
  if (enabled.length === 0) return undefined;
  const wanted = enabled.map((f) => input.strings[f]);
  if (wanted.some((v) => typeof v !== "string" || v === "")) return undefined;
  const norm = (f: StringField, v: string | null | undefined): string | undefined =>
    typeof v === "string" ? (f === "email" ? v.toLowerCase() : v) : undefined;
  for (const contact of directory.contacts.values()) {
    if (enabled.every((f, i) => norm(f, contact[f]) === norm(f, wanted[i]))) return contact;
  }
  return undefined;
}

export function listView(c: ContactRecord): Obj {
  return {
    contactId: c.contactId, firstName: c.firstName, lastName: c.lastName, email: c.email, phone: c.phone,
    extRef: c.extRef, language: c.language, unsubscribed: c.unsubscribed,
  };
}

function membershipMap(directory: DirectoryRecord, contactId: string): Obj {
  const out: Obj = {};
  for (const list of directory.mailingLists.values()) {
    const m = list.members.get(contactId);
    if (m) {
      out[list.mailingListId] = {
        contactLookupId: m.contactLookupId, name: list.name, unsubscribed: m.unsubscribed,
        unsubscribeDate: m.unsubscribeDate, ownerId: list.ownerId,
      };
    }
  }
  return out;
}

export function detailView(c: ContactRecord, directory: DirectoryRecord): Obj {
  return {
    contactId: c.contactId,
    creationDate: c.creationDate,
    lastModified: c.lastModified,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    emailDomain: c.email && c.email.includes("@") ? c.email.slice(c.email.indexOf("@") + 1) : null,
    phone: c.phone,
    extRef: c.extRef,
    language: c.language,
    unsubscribed: c.unsubscribed,
    embeddedData: { ...c.embeddedData },
    segmentMembership: {},
    directoryUnsubscribed: c.unsubscribed,
    directoryUnsubscribeDate: c.unsubscribeDate,
    stats: {},
    mailingListMembership: membershipMap(directory, c.contactId),
  };
}

/** Search elements use `id`, `phoneNumber`, `externalDataReference` (§4.4). */
export function searchView(c: ContactRecord, includeEmbedded: boolean, includeSegments: boolean): Obj {
  const out: Obj = {
    id: c.contactId, creationDate: c.creationDate, lastModified: c.lastModified, firstName: c.firstName,
    lastName: c.lastName, email: c.email, phoneNumber: c.phone, externalDataReference: c.extRef,
    language: c.language, unsubscribed: c.unsubscribed, unsubscribeDate: c.unsubscribeDate, stats: {},
  };
  // UNCONFIRMED (docs/qualtrics-facts.md §4.4): embeddedData / segmentMembership only when includeEmbedded / includeSegments=true.
  if (includeEmbedded) out.embeddedData = { ...c.embeddedData };
  if (includeSegments) out.segmentMembership = {};
  return out;
}

/** Mailing-list member view (§4.5: contact fields plus mailingListUnsubscribed, contactLookupId, embeddedData). */
export function memberView(c: ContactRecord, m: MembershipRecord): Obj {
  return {
    ...listView(c),
    mailingListUnsubscribed: m.unsubscribed,
    mailingListUnsubscribeDate: m.unsubscribeDate,
    contactLookupId: m.contactLookupId,
    embeddedData: { ...c.embeddedData },
  };
}

export function listSummary(list: MailingListRecord): Obj {
  return {
    mailingListId: list.mailingListId, name: list.name, ownerId: list.ownerId,
    creationDate: list.creationDate, lastModifiedDate: list.lastModifiedDate, contactCount: list.members.size,
  };
}

/**
 * `unsubscribed` on member create/update applies to the list membership, not the directory.
 * UNCONFIRMED (docs/qualtrics-facts.md §4.5): list-level vs directory-level unsubscribe for this call.
 */
export function setMemberUnsubscribed(m: MembershipRecord, value: boolean | undefined, now: string): void {
  if (value === undefined || value === m.unsubscribed) return;
  m.unsubscribed = value;
  m.unsubscribeDate = value ? now : null;
}

/**
 * A contact added to a list, as both the member create and a bulk import do it: merged into the
 * directory's duplicate or created there, made a member, its list opt-out set when given.
 */
export function addToList(
  directory: DirectoryRecord,
  list: MailingListRecord,
  input: ContactInput,
  ids: { next(prefix: "CID_" | "CGC_"): string },
  now: string,
): { contact: ContactRecord; member: MembershipRecord; created: boolean } {
  const listUnsubscribed = input.unsubscribed;
  delete input.unsubscribed;
  let contact = findDuplicate(directory, input);
  const created = !contact;
  if (!contact) {
    contact = newContact(ids.next("CID_"), now);
    directory.contacts.set(contact.contactId, contact);
  }
  applyContactInput(contact, input, now);
  let member = list.members.get(contact.contactId);
  if (!member) {
    member = { contactId: contact.contactId, contactLookupId: ids.next("CGC_"), unsubscribed: false, unsubscribeDate: null };
    list.members.set(contact.contactId, member);
  }
  setMemberUnsubscribed(member, listUnsubscribed, now);
  return { contact, member, created };
}
