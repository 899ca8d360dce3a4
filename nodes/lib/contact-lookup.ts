// The editor's contact picker: contacts of one directory matching what the user types. XM Directory
// search compares whole values only (docs/qualtrics-facts.md §4.4: "eq" is the one confirmed
// comparison), so a typed email, phone, external reference or last name is searched for exactly, in
// one request (filters joined with "or"), and the first page of the directory is also matched by
// part of a name, email, phone or reference, so a few letters find a contact in a small directory
// without reading a big one whole. A contact ID is looked up directly (the dialog showing its name).
import type { QualtricsClient } from "../../src/client";
import { QualtricsApiError } from "../../src/errors";
import { getContact, normaliseSearchResult, searchContacts } from "../../src/contacts";
import { collect } from "../../src/paginate";
import { isPlainObject } from "../../src/safe-object";
import type { LookupItem } from "./admin-routes";

/** what one answer holds at most; the picker asks again as the user types */
export const CONTACT_MATCHES = 50;
/** contacts of the directory matched by part of a value (one page of the list) */
export const CONTACT_SCAN = 500;
const EXACT_FIELDS = ["email", "phone", "extRef", "lastName"] as const;

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

export function contactItem(c: Record<string, unknown>): LookupItem | undefined {
  const n = normaliseSearchResult(c);
  const value = text(n.contactId);
  if (!value) return undefined;
  const name = [text(n.firstName), text(n.lastName)].filter(Boolean).join(" ");
  const reach = text(n.email) || text(n.phone) || text(n.extRef);
  const label = name && reach ? `${name} <${reach}>` : name || reach || value;
  return { value, label };
}

function partly(c: Record<string, unknown>, q: string): boolean {
  const n = normaliseSearchResult(c);
  const s = q.toLowerCase();
  return ["firstName", "lastName", "email", "phone", "extRef"].some((k) => text(n[k]).toLowerCase().includes(s));
}

async function exact(client: QualtricsClient, directoryId: string, q: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  // one search per field: a field the account does not search by fails alone
  for (const field of EXACT_FIELDS) {
    if (field === "email" && !q.includes("@")) continue;
    try {
      for await (const page of searchContacts(client, directoryId, field, q, { limit: CONTACT_MATCHES, pageSize: CONTACT_MATCHES, signal })) out.push(...page.elements);
    } catch (err) {
      if (!(err instanceof QualtricsApiError) || err.statusCode !== 400) throw err;
    }
  }
  return out;
}

export async function contactLookup(client: QualtricsClient, directoryId: string, q: string, signal?: AbortSignal): Promise<LookupItem[]> {
  const wanted = q.trim();
  if (/^CID_[A-Za-z0-9]+$/.test(wanted)) {
    try {
      const got = await getContact(client, directoryId, wanted, signal);
      const item = isPlainObject(got.result) ? contactItem({ contactId: wanted, ...got.result }) : undefined;
      return item ? [item] : [];
    } catch (err) {
      if (err instanceof QualtricsApiError && err.statusCode === 404) return [];
      throw err;
    }
  }
  const found = wanted ? await exact(client, directoryId, wanted, signal) : [];
  const listed = await collect(client, `/directories/${encodeURIComponent(directoryId)}/contacts`, { query: { pageSize: 100, useNewPaginationScheme: true }, limit: CONTACT_SCAN, signal });
  found.push(...listed.filter((c) => !wanted || partly(c, wanted)));
  const seen = new Set<string>();
  const out: LookupItem[] = [];
  for (const c of found) {
    const item = contactItem(c);
    if (!item || seen.has(item.value)) continue;
    seen.add(item.value);
    out.push(item);
    if (out.length >= CONTACT_MATCHES) break;
  }
  return out;
}
