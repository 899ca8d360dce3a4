// Email distributions, generated-link distributions, reminders and thank-yous (docs/qualtrics-facts.md §5.2–§5.5).
import { ApiError, badRequest, ErrorCodes, metaOnly, notFound, ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { batchRecipients, listRecipients } from "../recipients";
import { EmailDistributionRecord, EmailRequestType, MessageHeader, ReachedRecipient, findMailingList } from "../state";
import {
  given, isEmail, isIsoDateTime, isMysqlDateTime, isoNoMillis, Obj, oneOf, optionalIsoDate, optionalString,
  requireObject, requireString,
} from "../validate";
import { nowIso } from "./common";
import {
  checkLibraryMessage, parseEmbeddedData, parseMessage, requireExistingList, requireExistingSurvey, resolveListContact,
} from "./distribution-common";

export const LINK_TYPES = ["Individual", "Multiple", "Anonymous"] as const;
export const DISTRIBUTION_REQUEST_TYPES = ["Invite", "ThankYou", "Reminder", "Email", "Portal", "PortalInvite", "GeneratedInvite"] as const;
const HEADER_FIELDS = ["fromEmail", "fromName", "replyToEmail", "subject"] as const;

function parseHeader(raw: unknown): MessageHeader {
  const header = requireObject(raw, "header");
  const out: Record<string, string> = {};
  for (const field of HEADER_FIELDS) out[field] = requireString(header, field, `header.${field}`);
  // UNCONFIRMED (docs/qualtrics-facts.md §5.2): the sandbox also requires the two addresses to look like e-mail addresses.
  if (!isEmail(out.fromEmail)) throw badRequest("header.fromEmail must be a valid email address");
  if (!isEmail(out.replyToEmail)) throw badRequest("header.replyToEmail must be a valid email address");
  return { fromEmail: out.fromEmail, fromName: out.fromName, replyToEmail: out.replyToEmail, subject: out.subject };
}

/** Status of a new email distribution. // UNCONFIRMED (docs/qualtrics-facts.md §5.4): requestStatus values; past/now sendDate = "Done", future = "Pending". */
function statusFor(sendDate: string): string {
  return Date.parse(sendDate) > Date.now() ? "Pending" : "Done";
}

function createEmailDistribution(ctx: RequestContext, body: Obj): EmailDistributionRecord {
  const message = parseMessage(requireObject(body.message, "message"), "message");

  const recipients = requireObject(body.recipients, "recipients");
  const mailingListId = optionalString(recipients, "mailingListId", "recipients.mailingListId");
  const transactionBatchId = optionalString(recipients, "transactionBatchId", "recipients.transactionBatchId");
  const contactId = optionalString(recipients, "contactId", "recipients.contactId");
  const directoryId = optionalString(recipients, "directoryId", "recipients.directoryId");
  if (mailingListId !== undefined && transactionBatchId !== undefined) {
    throw badRequest("recipients: give either recipients.mailingListId or recipients.transactionBatchId, not both");
  }
  if (mailingListId === undefined && transactionBatchId === undefined) {
    throw badRequest("recipients.mailingListId or recipients.transactionBatchId is required");
  }
  if (contactId !== undefined && mailingListId === undefined) {
    throw badRequest("recipients.contactId is only allowed together with recipients.mailingListId");
  }
  // UNCONFIRMED (docs/qualtrics-facts.md §5.2): only SMS documents a single transaction as a target
  if (given(recipients.transactionId)) {
    throw badRequest("recipients.transactionId is not accepted for email distributions: give recipients.transactionBatchId (a batch of one transaction)");
  }

  const header = parseHeader(body.header);

  const surveyLink = requireObject(body.surveyLink, "surveyLink");
  const surveyId = requireString(surveyLink, "surveyId", "surveyLink.surveyId");
  const linkType = given(surveyLink.type) ? oneOf(surveyLink.type, LINK_TYPES, "surveyLink.type") : "Individual";
  const expirationDate = optionalIsoDate(surveyLink, "expirationDate", "surveyLink.expirationDate") ?? null;

  // UNCONFIRMED (docs/qualtrics-facts.md §5.2): a missing sendDate means "now".
  const sendDate = optionalIsoDate(body, "sendDate", "sendDate") ?? isoNoMillis(new Date());
  const embeddedData = parseEmbeddedData(body.embeddedData, "embeddedData");

  // references must exist (400, naming the field)
  requireExistingSurvey(ctx, surveyId, "surveyLink.surveyId");
  let reached: ReachedRecipient[] = [];
  if (mailingListId !== undefined) {
    const list = requireExistingList(ctx, mailingListId, "recipients.mailingListId", directoryId);
    reached = contactId !== undefined ? [{ contactId: resolveListContact(list, contactId, "recipients.contactId"), transactionId: null }] : listRecipients(list);
  } else if (transactionBatchId !== undefined) {
    reached = batchRecipients(ctx.state, transactionBatchId, "recipients.transactionBatchId", directoryId);
  }
  checkLibraryMessage(ctx, message, "message", "invite");

  const now = nowIso();
  return {
    id: ctx.ids.next("EMD_"),
    parentDistributionId: null,
    surveyId,
    requestType: "Invite",
    requestStatus: statusFor(sendDate),
    description: null,
    sendDate,
    createdDate: now,
    modifiedDate: now,
    headers: header,
    recipients: { mailingListId: mailingListId ?? null, contactId: contactId ?? null, transactionBatchId: transactionBatchId ?? null, directoryId: directoryId ?? null },
    message,
    surveyLink: { surveyId, expirationDate, linkType },
    embeddedData,
    contactIds: [...new Set(reached.map((r) => r.contactId))],
    reached,
  };
}

/** §5.3: flat body with action "CreateDistribution" → links only, no e-mail. */
function createLinksDistribution(ctx: RequestContext, body: Obj): EmailDistributionRecord {
  const surveyId = requireString(body, "surveyId", "surveyId");
  const mailingListId = requireString(body, "mailingListId", "mailingListId");
  // UNCONFIRMED (docs/qualtrics-facts.md §5.3): linkType values other than Individual.
  const linkType = given(body.linkType) ? oneOf(body.linkType, LINK_TYPES, "linkType") : "Individual";
  const description = optionalString(body, "description", "description") ?? null;
  let expirationDate: string | null = null;
  if (given(body.expirationDate)) {
    if (!isIsoDateTime(body.expirationDate) && !isMysqlDateTime(body.expirationDate)) {
      throw badRequest("expirationDate must be ISO 8601 (2024-01-31T00:00:00Z) or YYYY-MM-DD HH:MM:SS");
    }
    expirationDate = body.expirationDate;
  }
  requireExistingSurvey(ctx, surveyId, "surveyId");
  const list = requireExistingList(ctx, mailingListId, "mailingListId");
  const now = nowIso();
  return {
    id: ctx.ids.next("EMD_"),
    parentDistributionId: null,
    surveyId,
    requestType: "GeneratedInvite",
    requestStatus: "Generated",
    description,
    sendDate: now,
    createdDate: now,
    modifiedDate: now,
    headers: null,
    recipients: { mailingListId, contactId: null, transactionBatchId: null, directoryId: null },
    message: { libraryId: null, messageId: null, messageText: null },
    surveyLink: { surveyId, expirationDate, linkType },
    embeddedData: {},
    contactIds: [...list.members.keys()],
    reached: listRecipients(list),
  };
}

/** §5.5: reminders and thank-yous hang off a parent invite. */
function createFollowUp(ctx: RequestContext, kind: "Reminder" | "ThankYou"): EmailDistributionRecord {
  const parent = ctx.state.distributions.get(ctx.params.distributionId);
  if (!parent) throw notFound(`Distribution not found: ${ctx.params.distributionId}`);
  if (parent.requestType !== "Invite") {
    throw badRequest(`distribution ${parent.id} is a ${parent.requestType}; reminders and thank-yous need an Invite distribution`);
  }
  const body = requireObject(ctx.body, "Request body");
  const header = parseHeader(body.header);
  const message = parseMessage(requireObject(body.message, "message"), "message");
  const sendDate = optionalIsoDate(body, "sendDate", "sendDate") ?? isoNoMillis(new Date());
  const embeddedData = parseEmbeddedData(body.embeddedData, "embeddedData");
  // UNCONFIRMED (docs/qualtrics-facts.md §5.5): reminders use "reminder" library messages, thank-yous "thankYou".
  checkLibraryMessage(ctx, message, "message", kind === "Reminder" ? "reminder" : "thankYou");
  const now = nowIso();
  return {
    ...parent,
    id: ctx.ids.next("EMD_"),
    parentDistributionId: parent.id,
    requestType: kind,
    requestStatus: statusFor(sendDate),
    sendDate,
    createdDate: now,
    modifiedDate: now,
    headers: header,
    message,
    embeddedData,
    recipients: { ...parent.recipients },
    surveyLink: { ...parent.surveyLink },
    contactIds: [...parent.contactIds],
    ...(parent.reached ? { reached: parent.reached.map((r) => ({ ...r })) } : {}),
  };
}

function distributionView(ctx: RequestContext, d: EmailDistributionRecord, withMessageText: boolean): Obj {
  const survey = ctx.state.surveys.get(d.surveyId);
  const finished = survey ? [...survey.responses.values()].filter((r) => r.distributionId === d.id).length : 0;
  const sent = d.requestStatus === "Done" ? d.contactIds.length : 0;
  const messageType = d.message.messageText !== null ? "Inline" : "Library";
  return {
    id: d.id,
    parentDistributionId: d.parentDistributionId,
    ownerId: ctx.state.user.userId,
    organizationId: ctx.state.brandId,
    requestStatus: d.requestStatus,
    requestType: d.requestType,
    sendDate: d.sendDate,
    createdDate: d.createdDate,
    modifiedDate: d.modifiedDate,
    customHeaders: {},
    headers: d.headers ? { ...d.headers } : { fromEmail: null, replyToEmail: null, fromName: null, subject: null },
    recipients: { mailingListId: d.recipients.mailingListId, contactId: d.recipients.contactId, libraryId: null, sampleId: null, transactionBatchId: d.recipients.transactionBatchId },
    // "Starting June 1, 2022, messageText is not part of List Distributions response" (§5.4)
    message: {
      libraryId: d.message.libraryId, messageId: d.message.messageId, messageType,
      ...(withMessageText && messageType === "Inline" ? { messageText: d.message.messageText } : {}),
    },
    surveyLink: { ...d.surveyLink },
    embeddedData: { ...d.embeddedData },
    stats: { sent, failed: 0, started: finished, bounced: 0, opened: 0, skipped: 0, finished, complaints: 0, blocked: 0 },
  };
}

function requireSurveyIdParam(ctx: RequestContext): string {
  const surveyId = ctx.query.get("surveyId");
  if (surveyId === null || surveyId === "") throw badRequest("surveyId is required");
  return surveyId;
}

function getForSurvey(ctx: RequestContext): EmailDistributionRecord {
  const surveyId = requireSurveyIdParam(ctx);
  const d = ctx.state.distributions.get(ctx.params.distributionId);
  if (!d || d.surveyId !== surveyId) throw notFound(`Distribution not found: ${ctx.params.distributionId}`);
  return d;
}

export const emailDistributionRoutes: Route[] = [
  route("POST", "/distributions", (ctx) => {
    const body = requireObject(ctx.body, "Request body");
    let record: EmailDistributionRecord;
    if (given(body.action)) {
      if (body.action !== "CreateDistribution") throw badRequest('action must be "CreateDistribution"');
      record = createLinksDistribution(ctx, body);
    } else {
      record = createEmailDistribution(ctx, body);
    }
    ctx.state.distributions.set(record.id, record);
    return ok({ id: record.id });
  }),

  route("GET", "/distributions", (ctx) => {
    const surveyId = requireSurveyIdParam(ctx);
    if (!ctx.state.surveys.has(surveyId)) throw notFound(`Survey not found: ${surveyId}`);
    const q = ctx.query;
    const type = q.get("distributionRequestType");
    const wantedType: EmailRequestType | string | undefined = type ? oneOf(type, DISTRIBUTION_REQUEST_TYPES, "distributionRequestType") : undefined;
    const mailingListId = q.get("mailingListId") || undefined;
    const dateParam = (name: string): number | undefined => {
      const v = q.get(name);
      if (v === null || v === "") return undefined;
      if (!isIsoDateTime(v)) throw badRequest(`${name} must be an ISO 8601 date-time such as 2024-01-31T09:00:00Z`);
      return Date.parse(v);
    };
    const start = dateParam("sendStartDate");
    const end = dateParam("sendEndDate");
    const all = [...ctx.state.distributions.values()]
      .filter((d) => d.surveyId === surveyId)
      .filter((d) => wantedType === undefined || d.requestType === wantedType)
      .filter((d) => mailingListId === undefined || d.recipients.mailingListId === mailingListId)
      .filter((d) => start === undefined || Date.parse(d.sendDate) >= start)
      .filter((d) => end === undefined || Date.parse(d.sendDate) < end)
      .map((d) => distributionView(ctx, d, false));
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/distributions/:distributionId", (ctx) => ok(distributionView(ctx, getForSurvey(ctx), true))),

  route("DELETE", "/distributions/:distributionId", (ctx) => {
    // UNCONFIRMED (docs/qualtrics-facts.md §5.4): whether DELETE needs surveyId; the sandbox does not require it.
    if (!ctx.state.distributions.delete(ctx.params.distributionId)) throw notFound(`Distribution not found: ${ctx.params.distributionId}`);
    return metaOnly();
  }),

  route("POST", "/distributions/:distributionId/reminders", (ctx) => {
    const record = createFollowUp(ctx, "Reminder");
    ctx.state.distributions.set(record.id, record);
    // §5.5: the key is distributionId here, not id ([BJ]).
    return ok({ distributionId: record.id });
  }),

  route("POST", "/distributions/:distributionId/thankyous", (ctx) => {
    const record = createFollowUp(ctx, "ThankYou");
    ctx.state.distributions.set(record.id, record);
    return ok({ distributionId: record.id });
  }),

  route("GET", "/distributions/:distributionId/links", (ctx) => {
    const d = getForSurvey(ctx);
    // OBSERVED (docs/qualtrics-facts.md §5.3, [TAP]): /links on a distribution that is not a generated-links one answers 500.
    if (d.requestType !== "GeneratedInvite") throw new ApiError(500, "Internal server error", ErrorCodes.internal);
    const found = d.recipients.mailingListId ? findMailingList(ctx.state, d.recipients.mailingListId) : undefined;
    const all = d.contactIds.flatMap((contactId) => {
      const contact = found?.directory.contacts.get(contactId);
      if (!contact) return [];
      const lookup = found?.list.members.get(contactId)?.contactLookupId ?? contactId;
      const link = `${ctx.origin}/jfe/form/${encodeURIComponent(d.surveyId)}?Q_DL=${encodeURIComponent(`${d.id}_${d.surveyId}_${lookup}`)}&Q_CHL=gl`;
      return [{
        contactId, transactionId: null, link, exceededContactFrequency: false,
        linkExpiration: d.surveyLink.expirationDate, status: "Email not sent",
        lastName: contact.lastName, firstName: contact.firstName, externalDataReference: contact.extRef,
        email: contact.email, unsubscribed: contact.unsubscribed,
      }];
    });
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),
];
