// XM Directory contacts (docs/qualtrics-facts.md §4.3, §4.4).
import { ApiError, badRequest, ErrorCodes, metaOnly, ok } from "../envelope";
import { pageBySkipToken, startOffset } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { ContactRecord } from "../state";
import type { EmailSearchCase } from "../types";
import { isObject, requireObject } from "../validate";
import { getContact, getDirectory, nowIso } from "./common";
import {
  applyContactInput, detailView, findDuplicate, listView, newContact, parseContactBody, searchView,
} from "./contact-model";

/** Search can page through the first 10,000 matches only (§2.4, §3.2 official text). */
export const SEARCH_DEPTH_LIMIT = 10_000;

/** filterType values: email, extRef, phone, lastName are official; firstName/language are UNCONFIRMED extras. */
const FILTER_FIELDS: Record<string, (c: ContactRecord) => string | null> = {
  email: (c) => c.email,
  extRef: (c) => c.extRef,
  phone: (c) => c.phone,
  firstName: (c) => c.firstName,
  lastName: (c) => c.lastName,
  language: (c) => c.language,
};

type ContactFilter = (c: ContactRecord) => boolean;

function parseFilter(raw: unknown, path: string, emailCase: EmailSearchCase): ContactFilter {
  const f = requireObject(raw, path);
  if ("conjunction" in f || "filters" in f) {
    const conj = f.conjunction;
    if (conj !== "and" && conj !== "or") throw badRequest(`${path}.conjunction must be "and" or "or"`);
    if (!Array.isArray(f.filters) || f.filters.length === 0) throw badRequest(`${path}.filters must be a non-empty array`);
    const parts = f.filters.map((sub, i) => parseFilter(sub, `${path}.filters[${i}]`, emailCase));
    return conj === "and" ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  const type = f.filterType;
  if (typeof type !== "string" || !(type in FILTER_FIELDS)) {
    throw badRequest(`${path}.filterType must be one of ${Object.keys(FILTER_FIELDS).join(", ")}`);
  }
  // UNCONFIRMED (docs/qualtrics-facts.md §4.4): only "eq" is documented; other comparisons are refused.
  if (f.comparison !== "eq") throw badRequest(`${path}.comparison must be "eq"`);
  if (typeof f.value !== "string") throw badRequest(`${path}.value must be a string`);
  const read = FILTER_FIELDS[type];
  const wanted = f.value;
  // UNCONFIRMED (docs/qualtrics-facts.md §4.4): whether email compares without regard to case; the sandbox
  // does either (Sandbox.emailSearchCase); everything else compares exactly.
  return type === "email" && emailCase === "insensitive"
    ? (c) => (read(c) ?? "").toLowerCase() === wanted.toLowerCase()
    : (c) => read(c) === wanted;
}

function flag(ctx: RequestContext, name: string): boolean {
  return ctx.query.get(name) === "true";
}

export const contactRoutes: Route[] = [
  route("GET", "/directories/:directoryId/contacts", (ctx) => {
    const directory = getDirectory(ctx);
    // UNCONFIRMED (docs/qualtrics-facts.md §3.2): useNewPaginationScheme=true is accepted and carried into
    // nextPage; the sandbox pages with skipToken either way.
    // only the page is turned into views: a 100,000-contact directory is read in 100 pages (bench/)
    const all = [...directory.contacts.values()];
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements: elements.map(listView), nextPage });
  }),

  route("POST", "/directories/:directoryId/contacts", (ctx) => {
    const directory = getDirectory(ctx);
    const input = parseContactBody(ctx.body);
    const now = nowIso();
    const existing = findDuplicate(directory, input);
    if (existing) {
      applyContactInput(existing, input, now);
      return ok({ id: existing.contactId });
    }
    const contact = newContact(ctx.ids.next("CID_"), now);
    applyContactInput(contact, input, now);
    directory.contacts.set(contact.contactId, contact);
    return ok({ id: contact.contactId });
  }),

  route("POST", "/directories/:directoryId/contacts/search", (ctx) => {
    const directory = getDirectory(ctx);
    const body = requireObject(ctx.body, "Request body");
    if (!("filter" in body) || body.filter === null) throw badRequest("filter is required");
    if (!isObject(body.filter)) throw badRequest("filter must be a JSON object");
    const filter = parseFilter(body.filter, "filter", ctx.options.emailSearchCase);
    if (startOffset(ctx.query) >= SEARCH_DEPTH_LIMIT) {
      throw new ApiError(400, `Paginating beyond the first ${SEARCH_DEPTH_LIMIT} contacts is not supported; use a contact export instead`, ErrorCodes.searchTooDeep);
    }
    const matches = [...directory.contacts.values()].filter(filter).slice(0, SEARCH_DEPTH_LIMIT);
    const views = matches.map((c) => searchView(c, flag(ctx, "includeEmbedded"), flag(ctx, "includeSegments")));
    const { elements, nextPage } = pageBySkipToken(views, ctx.page, { defaultPageSize: ctx.options.pageSize, nextWhenFull: true });
    // UNCONFIRMED (docs/qualtrics-facts.md §3.2): where search returns its token; the sandbox gives both
    // result.nextPage (absolute URL, to be POSTed again with the same body) and result.skipToken.
    const skipToken = nextPage ? new URL(nextPage).searchParams.get("skipToken") : null;
    return ok({ elements, nextPage, skipToken });
  }),

  route("GET", "/directories/:directoryId/contacts/:contactId", (ctx) => {
    const directory = getDirectory(ctx);
    return ok(detailView(getContact(directory, ctx.params.contactId), directory));
  }),

  route("PUT", "/directories/:directoryId/contacts/:contactId", (ctx) => {
    const directory = getDirectory(ctx);
    const contact = getContact(directory, ctx.params.contactId);
    const input = parseContactBody(ctx.body);
    // UNCONFIRMED (docs/qualtrics-facts.md §4.3): partial update; embeddedData is merged key by key
    // (a null value removes that key); meta-only answer.
    applyContactInput(contact, input, nowIso());
    return metaOnly();
  }),

  route("DELETE", "/directories/:directoryId/contacts/:contactId", (ctx) => {
    const directory = getDirectory(ctx);
    getContact(directory, ctx.params.contactId);
    directory.contacts.delete(ctx.params.contactId);
    for (const list of directory.mailingLists.values()) list.members.delete(ctx.params.contactId);
    return metaOnly();
  }),
];
