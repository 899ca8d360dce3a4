// XM Directory mailing lists and their members (docs/qualtrics-facts.md §4.5).
import { metaOnly, notFound, ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route } from "../router";
import { MailingListRecord, MembershipRecord } from "../state";
import { optionalBoolean, optionalString, requireObject, requireString } from "../validate";
import { getContact, getDirectory, getMailingList, nowIso } from "./common";
import {
  addToList, applyContactInput, listSummary, memberView, parseContactBody, setMemberUnsubscribed,
} from "./contact-model";

function getMember(list: MailingListRecord, contactId: string): MembershipRecord {
  const m = list.members.get(contactId);
  if (!m) throw notFound(`Contact ${contactId} is not in mailing list ${list.mailingListId}`);
  return m;
}

export const mailingListRoutes: Route[] = [
  route("GET", "/directories/:directoryId/mailinglists", (ctx) => {
    const directory = getDirectory(ctx);
    const all = [...directory.mailingLists.values()].map(listSummary);
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("POST", "/directories/:directoryId/mailinglists", (ctx) => {
    const directory = getDirectory(ctx);
    const body = requireObject(ctx.body, "Request body");
    const name = requireString(body, "name", "name");
    const ownerId = optionalString(body, "ownerId", "ownerId") ?? ctx.state.user.userId;
    const prioritize = optionalBoolean(body, "prioritizeListMetadata", "prioritizeListMetadata") ?? false;
    const now = Date.now();
    const list: MailingListRecord = {
      mailingListId: ctx.ids.next("CG_"), name, ownerId, prioritizeListMetadata: prioritize,
      creationDate: now, lastModifiedDate: now, members: new Map(),
    };
    directory.mailingLists.set(list.mailingListId, list);
    return ok({ id: list.mailingListId });
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId", (ctx) => {
    const list = getMailingList(getDirectory(ctx), ctx.params.mailingListId);
    return ok(listSummary(list));
  }),

  route("PUT", "/directories/:directoryId/mailinglists/:mailingListId", (ctx) => {
    const list = getMailingList(getDirectory(ctx), ctx.params.mailingListId);
    const body = requireObject(ctx.body, "Request body");
    if ("name" in body) list.name = requireString(body, "name", "name");
    const ownerId = optionalString(body, "ownerId", "ownerId");
    if (ownerId !== undefined) list.ownerId = ownerId;
    list.lastModifiedDate = Date.now();
    return metaOnly();
  }),

  route("DELETE", "/directories/:directoryId/mailinglists/:mailingListId", (ctx) => {
    const directory = getDirectory(ctx);
    getMailingList(directory, ctx.params.mailingListId);
    directory.mailingLists.delete(ctx.params.mailingListId);
    return metaOnly();
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId/contacts", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const all = [...list.members.values()].flatMap((m) => {
      const c = directory.contacts.get(m.contactId);
      return c ? [memberView(c, m)] : [];
    });
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("POST", "/directories/:directoryId/mailinglists/:mailingListId/contacts", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const { contact, member } = addToList(directory, list, parseContactBody(ctx.body), ctx.ids, nowIso());
    list.lastModifiedDate = Date.now();
    return ok({ id: contact.contactId, contactLookupId: member.contactLookupId });
  }),

  route("GET", "/directories/:directoryId/mailinglists/:mailingListId/contacts/:contactId", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const member = getMember(list, ctx.params.contactId);
    return ok(memberView(getContact(directory, member.contactId), member));
  }),

  route("PUT", "/directories/:directoryId/mailinglists/:mailingListId/contacts/:contactId", (ctx) => {
    const directory = getDirectory(ctx);
    const list = getMailingList(directory, ctx.params.mailingListId);
    const member = getMember(list, ctx.params.contactId);
    const contact = getContact(directory, member.contactId);
    const input = parseContactBody(ctx.body);
    const now = nowIso();
    setMemberUnsubscribed(member, input.unsubscribed, now);
    delete input.unsubscribed;
    applyContactInput(contact, input, now);
    return metaOnly();
  }),

  route("DELETE", "/directories/:directoryId/mailinglists/:mailingListId/contacts/:contactId", (ctx) => {
    const list = getMailingList(getDirectory(ctx), ctx.params.mailingListId);
    getMember(list, ctx.params.contactId);
    list.members.delete(ctx.params.contactId);
    list.lastModifiedDate = Date.now();
    return metaOnly();
  }),
];

