// GET /distributions/{id}/history (docs/qualtrics-facts.md §5.4): one element per recipient of an email
// distribution, with what became of it: sent, opened, started, finished (the responses recorded
// through the distribution's links).
import { badRequest, notFound, ok } from "../envelope";
import { pageBySkipToken } from "../pagination";
import { route, Route, RequestContext } from "../router";
import { EmailDistributionRecord, ResponseRecord, findMailingList } from "../state";

/** the link a recipient got: the survey page, with Q_DL as control.ts parses it */
function recipientLink(ctx: RequestContext, d: EmailDistributionRecord, lookupId: string): string {
  const channel = d.requestType === "GeneratedInvite" ? "gl" : "email";
  return `${ctx.origin}/jfe/form/${encodeURIComponent(d.surveyId)}?Q_DL=${encodeURIComponent(`${d.id}_${d.surveyId}_${lookupId}`)}&Q_CHL=${channel}`;
}

function finishedAt(r: ResponseRecord): string | null {
  return typeof r.values.endDate === "string" ? r.values.endDate : null;
}

/**
 * Who a distribution went to. Reminders and thank-yous start from the parent's recipients: a
 * reminder goes to those who had not finished when it was created, a thank-you to those who had.
 * // UNCONFIRMED (docs/qualtrics-facts.md §5.5): the API semantics of this product behaviour.
 */
function recipientsOf(d: EmailDistributionRecord, responseOf: (contactId: string) => ResponseRecord | undefined): string[] {
  if (d.requestType !== "Reminder" && d.requestType !== "ThankYou") return d.contactIds;
  const created = Date.parse(d.createdDate);
  return d.contactIds.filter((c) => {
    const r = responseOf(c);
    const done = r !== undefined && finishedAt(r) !== null && Date.parse(finishedAt(r)!) <= created;
    return d.requestType === "ThankYou" ? done : !done;
  });
}

export const distributionHistoryRoutes: Route[] = [
  route("GET", "/distributions/:distributionId/history", (ctx) => {
    const d = ctx.state.distributions.get(ctx.params.distributionId);
    if (!d) throw notFound(`Distribution not found: ${ctx.params.distributionId}`);
    // UNCONFIRMED (docs/qualtrics-facts.md §5.4): [QR] sends no surveyId; one that is sent must match
    const surveyId = ctx.query.get("surveyId");
    if (surveyId && surveyId !== d.surveyId) throw badRequest(`surveyId: distribution ${d.id} belongs to another survey`);

    const list = d.recipients.mailingListId ? findMailingList(ctx.state, d.recipients.mailingListId)?.list : undefined;
    const lookupOf = (contactId: string) => list?.members.get(contactId)?.contactLookupId ?? contactId;
    // responses through this distribution's links, or the parent's (a reminder's link is the invitation's)
    const via = new Set([d.id, ...(d.parentDistributionId ? [d.parentDistributionId] : [])]);
    const responses = [...(ctx.state.surveys.get(d.surveyId)?.responses.values() ?? [])].filter((r) => via.has(r.distributionId));
    const responseOf = (contactId: string) => responses.find((r) => r.recipientId === lookupOf(contactId) || r.recipientId === contactId);

    const pending = d.requestStatus === "Pending";
    const generated = d.requestType === "GeneratedInvite";
    const all = recipientsOf(d, responseOf).map((contactId) => {
      const r = responseOf(contactId);
      const started = r && typeof r.values.startDate === "string" ? r.values.startDate : null;
      // UNCONFIRMED (docs/qualtrics-facts.md §5.4): the status values; these are the ones the sandbox uses
      const status = r ? "SurveyFinished" : pending ? "Pending" : generated ? "Email not sent" : "Success";
      return {
        contactId,
        contactLookupId: lookupOf(contactId),
        distributionID: d.id,
        status,
        surveyLink: recipientLink(ctx, d, lookupOf(contactId)),
        contactFrequencyRuleId: null,
        responseId: r ? r.responseId : null,
        responseCompletedAt: r ? finishedAt(r) : null,
        sentAt: pending || generated ? null : d.sendDate,
        openedAt: started,
        responseStartedAt: started,
        surveySessionId: null,
      };
    });
    const { elements, nextPage } = pageBySkipToken(all, ctx.page, { defaultPageSize: ctx.options.pageSize });
    return ok({ elements, nextPage });
  }),
];
