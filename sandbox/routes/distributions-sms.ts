// SMS distributions (docs/qualtrics-facts.md §5.6).
import { badRequest, metaOnly, notFound, ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { batchRecipients, listRecipients, transactionRecipient } from "../recipients";
import { ReachedRecipient, SMS_METHODS, SmsDistributionRecord } from "../state";
import { given, isoNoMillis, Obj, oneOf, optionalIsoDate, optionalObject, optionalString, requireObject, requireString } from "../validate";
import { nowIso } from "./common";
import { checkLibraryMessage, MessageInput, parseMessage, requireExistingList, requireExistingSurvey, resolveListContact } from "./distribution-common";

/** OBSERVED (docs/qualtrics-facts.md §2.4, secondary source): name ≤ 100, messageText ≤ 10,000 chars. */
export const SMS_NAME_MAX = 100;
export const SMS_TEXT_MAX = 10_000;

function createSms(ctx: RequestContext): SmsDistributionRecord {
  const body = requireObject(ctx.body, "Request body");
  if (!given(body.method)) throw badRequest(`method is required (one of ${SMS_METHODS.join(", ")})`);
  const method = oneOf(body.method, SMS_METHODS, "method");
  const isFollowUp = method === "Reminder" || method === "ThankYou";

  const surveyId = requireString(body, "surveyId", "surveyId");
  // UNCONFIRMED (docs/qualtrics-facts.md §5.6): name is required by the sandbox (the official example always sends it).
  const name = requireString(body, "name", "name");
  if (name.length > SMS_NAME_MAX) throw badRequest(`name must be at most ${SMS_NAME_MAX} characters`);
  const sendDate = optionalIsoDate(body, "sendDate", "sendDate") ?? isoNoMillis(new Date());

  const recipients = optionalObject(body.recipients, "recipients") ?? {};
  const mailingListId = optionalString(recipients, "mailingListId", "recipients.mailingListId");
  const contactId = optionalString(recipients, "contactId", "recipients.contactId");
  const batchId = optionalString(recipients, "transactionBatchId", "recipients.transactionBatchId");
  const transactionId = optionalString(recipients, "transactionId", "recipients.transactionId");
  if ([contactId, batchId, transactionId].filter((x) => x !== undefined).length > 1) {
    throw badRequest("recipients: give only one of recipients.contactId, recipients.transactionBatchId and recipients.transactionId");
  }
  if (isFollowUp && mailingListId !== undefined) {
    throw badRequest(`recipients.mailingListId is not allowed for method ${method}`);
  }
  // UNCONFIRMED (docs/qualtrics-facts.md §5.6): whether an invitation to a batch or a transaction needs
  // the mailing list too (transaction-rules.ts smsBatchNeedsList)
  const byTransactions = batchId !== undefined || transactionId !== undefined;
  if (!isFollowUp && mailingListId === undefined && !(byTransactions && !ctx.options.transactionRules.current.smsBatchNeedsList)) {
    throw badRequest(`recipients.mailingListId is required for method ${method}`);
  }

  const parentId = optionalString(body, "parentDistributionId", "parentDistributionId");
  if (!isFollowUp && parentId !== undefined) {
    throw badRequest("parentDistributionId is only allowed for method Reminder or ThankYou");
  }
  if (isFollowUp && parentId === undefined) {
    throw badRequest(`parentDistributionId is required for method ${method}`);
  }

  let message: MessageInput = { libraryId: null, messageId: null, messageText: null };
  const rawMessage = optionalObject(body.message, "message");
  if (rawMessage) message = parseMessage(rawMessage, "message", SMS_TEXT_MAX);
  else if (method !== "Interactive") throw badRequest(`message is required for method ${method}`);

  // references, and whom it reaches
  requireExistingSurvey(ctx, surveyId, "surveyId");
  let reached: ReachedRecipient[] = [];
  const list = mailingListId !== undefined ? requireExistingList(ctx, mailingListId, "recipients.mailingListId") : undefined;
  if (batchId !== undefined) reached = batchRecipients(ctx.state, batchId, "recipients.transactionBatchId");
  else if (transactionId !== undefined) reached = transactionRecipient(ctx.state, transactionId, "recipients.transactionId");
  else if (list && contactId !== undefined) reached = [{ contactId: resolveListContact(list, contactId, "recipients.contactId"), transactionId: null }];
  else if (list) reached = listRecipients(list);
  const parent = parentId !== undefined ? ctx.state.smsDistributions.get(parentId) : undefined;
  if (parentId !== undefined && !parent) {
    throw badRequest(`parentDistributionId: SMS distribution ${parentId} does not exist`);
  }
  if (parent) reached = (parent.reached ?? []).map((r) => ({ ...r }));
  // UNCONFIRMED (docs/qualtrics-facts.md §5.6): the smsInvite category is not enforced for SMS messages.
  checkLibraryMessage(ctx, message, "message");

  const str = (key: string): string | null => optionalString(recipients, key, `recipients.${key}`) ?? null;
  return {
    id: ctx.ids.next("SMSD_"),
    surveyId,
    method,
    name,
    sendDate,
    createdDate: nowIso(),
    parentDistributionId: parentId ?? null,
    recipients: {
      mailingListId: mailingListId ?? null, contactId: contactId ?? null,
      transactionBatchId: batchId ?? null, transactionId: transactionId ?? null, sampleId: str("sampleId"),
    },
    message,
    reached,
  };
}

/** Shaped like the §5.6 example result. */
function smsView(ctx: RequestContext, d: SmsDistributionRecord): Obj {
  return {
    id: d.id,
    ownerId: ctx.state.user.userId,
    organizationId: ctx.state.brandId,
    requestStatus: "Scheduled",
    requestType: d.method,
    surveyId: d.surveyId,
    name: d.name,
    sendDate: d.sendDate,
    parentDistributionId: d.parentDistributionId,
    recipients: { ...d.recipients, libraryId: ctx.state.user.userId },
    message: { ...d.message },
    stats: { sent: 0, failed: 0, started: 0, finished: 0, credits: 0, segments: 0 },
  };
}

function getSms(ctx: RequestContext): SmsDistributionRecord {
  const d = ctx.state.smsDistributions.get(ctx.params.smsDistributionId);
  if (!d) throw notFound(`SMS distribution not found: ${ctx.params.smsDistributionId}`);
  return d;
}

/** Must be registered before the /distributions/:distributionId routes. */
export const smsDistributionRoutes: Route[] = [
  route("POST", "/distributions/sms", (ctx) => {
    const record = createSms(ctx);
    ctx.state.smsDistributions.set(record.id, record);
    return ok(smsView(ctx, record));
  }),

  route("GET", "/distributions/sms", (ctx) => {
    // UNCONFIRMED (docs/qualtrics-facts.md §5.1): surveyId is an optional filter here.
    const surveyId = ctx.query.get("surveyId") || undefined;
    const all = [...ctx.state.smsDistributions.values()]
      .filter((d) => surveyId === undefined || d.surveyId === surveyId)
      .map((d) => smsView(ctx, d));
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),

  route("GET", "/distributions/sms/:smsDistributionId", (ctx) => ok(smsView(ctx, getSms(ctx)))),

  route("DELETE", "/distributions/sms/:smsDistributionId", (ctx) => {
    getSms(ctx);
    ctx.state.smsDistributions.delete(ctx.params.smsDistributionId);
    return metaOnly();
  }),
];
