// Email follow-ups of an invitation (reminders and thank-yous, docs/qualtrics-facts.md §5.5) and
// generated individual links (§5.3). Every rule is checked before the request, naming the field
// by its place in the Qualtrics body.
import type { ApiResponse, QualtricsClient } from "./client";
import { DistributionInput, LINK_TYPES, LibraryMessage, messageOf } from "./distributions";
import { QualtricsInputError } from "./errors";
import { isPlainObject } from "./safe-object";
import { oneOf, optionalDate, optionalEmail, optionalString, requireEmail, requireId, requireString } from "./validate";

export const FOLLOW_UP_KINDS = ["reminder", "thankYou"] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface FollowUpBody {
  header: { fromEmail: string; fromName: string; replyToEmail: string; subject: string };
  message: LibraryMessage;
  sendDate: string;
}

/**
 * The body of POST /distributions/{parent}/reminders|thankyous (§5.5): header, message, sendDate.
 * Recipients and survey link are the parent invitation's, so any given are not sent.
 */
export function followUpBody(input: DistributionInput): FollowUpBody {
  const fromEmail = requireEmail("header.fromEmail", input.fromEmail);
  const fromName = requireString("header.fromName", input.fromName);
  const subject = requireString("header.subject", input.subject);
  const replyToEmail = optionalEmail("header.replyToEmail", input.replyToEmail) ?? fromEmail;

  // UNCONFIRMED (docs/qualtrics-facts.md §5.5): the documented body has a library message; inline
  // messageText is accepted as for invitations, whose message object is the same
  const message = messageOf(input, true)!;
  const sendDate = optionalDate("sendDate", input.sendDate) ?? nowIso();
  return { header: { fromEmail, fromName, replyToEmail, subject }, message, sendDate };
}

/**
 * POST /distributions/{parentDistributionId}/reminders or /thankyous. The result names the new
 * distribution `distributionId` ([BJ]) where a create says `id` (§5.5); both are accepted and the
 * result carries both keys, so a flow can read `payload.id` after any create.
 */
export async function createFollowUp(
  client: QualtricsClient,
  kind: FollowUpKind,
  parentDistributionId: unknown,
  body: FollowUpBody,
  signal?: AbortSignal,
): Promise<ApiResponse<Record<string, unknown>>> {
  const parent = requireId("distributionId", parentDistributionId, "emailDistribution");
  const path = `/distributions/${encodeURIComponent(parent)}/${kind === "reminder" ? "reminders" : "thankyous"}`;
  const res = await client.request<unknown>({ method: "POST", path, body, signal });
  return { ...res, result: followUpResult(res.result, parent) };
}

export function followUpResult(result: unknown, parentDistributionId: string): Record<string, unknown> {
  const r = isPlainObject(result) ? result : {};
  const id = typeof r.distributionId === "string" ? r.distributionId : typeof r.id === "string" ? r.id : undefined;
  return { ...r, ...(id ? { id, distributionId: id } : {}), parentDistributionId };
}

export interface GenerateLinksBody {
  action: "CreateDistribution";
  surveyId: string;
  mailingListId: string;
  linkType: string;
  description: string;
  expirationDate?: string;
}

/**
 * The flat body of POST /distributions that generates one individual link per contact of a
 * mailing list without sending anything (§5.3).
 */
export function generateLinksBody(input: DistributionInput): GenerateLinksBody {
  const surveyId = requireId("surveyId", input.surveyId, "survey");
  const mailingListId = requireId("mailingListId", input.mailingListId, "mailingList");
  for (const [field, value, why] of [
    ["contactId", input.contactId, "links are generated for every contact of the mailing list; to get one contact's link, put the contact in a list of its own"],
    ["transactionBatchId", input.transactionBatchId, "links are generated for a mailing list only"],
  ] as const) {
    if (value !== undefined && value !== null && value !== "") throw new QualtricsInputError(field, `cannot be used: ${why}`);
  }
  // UNCONFIRMED (docs/qualtrics-facts.md §5.3): linkType values other than Individual for generated links
  const linkType = input.linkType === undefined || input.linkType === "" ? "Individual" : oneOf("linkType", input.linkType, LINK_TYPES);
  // §5.3: both ISO Z and "YYYY-MM-DD HH:MM:SS" are in use; ISO Z is sent
  const expirationDate = optionalDate("expirationDate", input.expirationDate);
  const now = nowIso();
  if (expirationDate && expirationDate <= now) throw new QualtricsInputError("expirationDate", `must be in the future (now is ${now})`);
  const text = optionalString("description", input.description);
  // UNCONFIRMED (docs/qualtrics-facts.md §5.3) whether description is required; the official example has one
  const description = text ?? `Node-RED links ${now.replace("T", " ").replace("Z", "")}`;
  return {
    action: "CreateDistribution",
    surveyId,
    mailingListId,
    linkType,
    description,
    ...(expirationDate ? { expirationDate } : {}),
  };
}

export async function generateLinks(client: QualtricsClient, body: GenerateLinksBody, signal?: AbortSignal): Promise<ApiResponse<Record<string, unknown>>> {
  const res = await client.request<unknown>({ method: "POST", path: "/distributions", body, signal });
  const r = isPlainObject(res.result) ? res.result : {};
  // the survey goes along, so a following "list links" needs nothing else
  return { ...res, result: { ...r, surveyId: body.surveyId, mailingListId: body.mailingListId } };
}
