// Survey distributions by email (POST /distributions, docs/qualtrics-facts.md §5.2) and SMS
// (POST /distributions/sms, §5.6). Every rule is checked before the request, naming the field
// by its place in the Qualtrics body.
import type { ApiResponse, QualtricsClient } from "./client";
import { QualtricsInputError } from "./errors";
import { LINK_TYPES, SMS_METHODS } from "./api-values";
import { isPlainObject } from "./safe-object";
import {
  oneOf,
  optionalDate,
  optionalEmail,
  optionalEmbeddedData,
  optionalId,
  optionalString,
  requireEmail,
  requireId,
  requireString,
  toQualtricsDate,
} from "./validate";

/** Flat inputs; `fromPayload` reads the nested Qualtrics shape into these. */
export interface DistributionInput {
  fromEmail?: unknown;
  fromName?: unknown;
  replyToEmail?: unknown;
  subject?: unknown;
  libraryId?: unknown;
  messageId?: unknown;
  messageText?: unknown;
  mailingListId?: unknown;
  transactionBatchId?: unknown;
  /** SMS only (docs/qualtrics-facts.md §5.6) */
  transactionId?: unknown;
  contactId?: unknown;
  sampleId?: unknown;
  surveyId?: unknown;
  expirationDate?: unknown;
  linkType?: unknown;
  sendDate?: unknown;
  embeddedData?: unknown;
  method?: unknown;
  name?: unknown;
  parentDistributionId?: unknown;
  // the operations besides create (src/distribution-followups.ts, src/distribution-reports.ts)
  distributionId?: unknown;
  distributionRequestType?: unknown;
  sendStartDate?: unknown;
  sendEndDate?: unknown;
  description?: unknown;
}

const NESTED: Record<string, Record<string, keyof DistributionInput>> = {
  header: { fromEmail: "fromEmail", fromName: "fromName", replyToEmail: "replyToEmail", subject: "subject" },
  message: { libraryId: "libraryId", messageId: "messageId", messageText: "messageText" },
  recipients: {
    mailingListId: "mailingListId",
    transactionBatchId: "transactionBatchId",
    transactionId: "transactionId",
    contactId: "contactId",
    sampleId: "sampleId",
  },
  surveyLink: { surveyId: "surveyId", expirationDate: "expirationDate", type: "linkType" },
};
const FLAT: (keyof DistributionInput)[] = [
  "fromEmail", "fromName", "replyToEmail", "subject", "libraryId", "messageId", "messageText", "mailingListId",
  "transactionBatchId", "transactionId", "contactId", "sampleId", "surveyId", "expirationDate", "linkType", "sendDate",
  "embeddedData", "method", "name", "parentDistributionId",
  "distributionId", "distributionRequestType", "sendStartDate", "sendEndDate", "description",
];

/** msg.payload in either the Qualtrics body shape ({header:{...}, recipients:{...}}) or flat. */
export function fromPayload(payload: unknown): DistributionInput {
  const out: DistributionInput = {};
  if (!isPlainObject(payload)) return out;
  for (const key of FLAT) if (payload[key] !== undefined) out[key] = payload[key];
  for (const [group, fields] of Object.entries(NESTED)) {
    const g = payload[group];
    if (!isPlainObject(g)) continue;
    for (const [from, to] of Object.entries(fields)) if (g[from] !== undefined) out[to] = g[from];
  }
  return out;
}

/**
 * The flat input a place of the Qualtrics body is filled from: "header.fromEmail" → "fromEmail",
 * "surveyLink.type" → "linkType"; undefined for any other path. The rules above name the body's
 * place (what a flow sending the body shape knows); a dialog knows the flat field.
 */
export function flatInputOf(path: string): string | undefined {
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  const group = NESTED[path.slice(0, dot)];
  const key = path.slice(dot + 1);
  return group && Object.prototype.hasOwnProperty.call(group, key) ? group[key] : undefined;
}

/** Values set in the node's dialog win over the message's. */
export function mergeInputs(fromMsg: DistributionInput, fromDialog: DistributionInput): DistributionInput {
  const out: DistributionInput = { ...fromMsg };
  for (const [k, v] of Object.entries(fromDialog) as [keyof DistributionInput, unknown][]) {
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface LibraryMessage {
  libraryId?: string;
  messageId?: string;
  messageText?: string;
}

/** Exactly one of {libraryId + messageId} or messageText. */
export function messageOf(input: DistributionInput, required: boolean): LibraryMessage | undefined {
  const libraryId = optionalId("message.libraryId", input.libraryId, "library");
  const messageId = optionalId("message.messageId", input.messageId, "message");
  const messageText = optionalString("message.messageText", input.messageText);
  const fromLibrary = libraryId !== undefined || messageId !== undefined;
  if (fromLibrary && messageText !== undefined) {
    throw new QualtricsInputError("message", "give either a library message (libraryId + messageId) or messageText, not both");
  }
  if (fromLibrary) {
    if (!libraryId) throw new QualtricsInputError("message.libraryId", "is required with message.messageId");
    if (!messageId) throw new QualtricsInputError("message.messageId", "is required with message.libraryId");
    return { libraryId, messageId };
  }
  if (messageText !== undefined) {
    if (messageText.length > 10_000) throw new QualtricsInputError("message.messageText", "is limited to 10,000 characters");
    return { messageText };
  }
  if (required) throw new QualtricsInputError("message", "is required: a library message (libraryId + messageId) or messageText");
  return undefined;
}

export interface EmailDistributionBody {
  header: { fromEmail: string; fromName: string; replyToEmail: string; subject: string };
  message: LibraryMessage;
  recipients: { mailingListId?: string; transactionBatchId?: string; contactId?: string };
  surveyLink: { surveyId: string; expirationDate?: string; type: string };
  sendDate: string;
  embeddedData?: Record<string, string>;
}

export { LINK_TYPES };

export function emailDistributionBody(input: DistributionInput): EmailDistributionBody {
  const fromEmail = requireEmail("header.fromEmail", input.fromEmail);
  const fromName = requireString("header.fromName", input.fromName);
  const subject = requireString("header.subject", input.subject);
  // reply-to falls back to the sender, as in the Qualtrics distribution dialog
  const replyToEmail = optionalEmail("header.replyToEmail", input.replyToEmail) ?? fromEmail;
  const message = messageOf(input, true)!;

  const mailingListId = optionalId("recipients.mailingListId", input.mailingListId, "mailingList");
  const transactionBatchId = optionalId("recipients.transactionBatchId", input.transactionBatchId, "transactionBatch");
  // UNCONFIRMED (docs/qualtrics-facts.md §4.7): only SMS documents a single transaction as a target
  if (optionalString("recipients.transactionId", input.transactionId) !== undefined) {
    throw new QualtricsInputError("recipients.transactionId", "is for SMS only: an email goes to a transaction batch (transactionBatchId), which may hold one transaction");
  }
  // UNCONFIRMED (§5.2): whether contactId wants a CID_ or a CGC_ lookup ID, so both are accepted (and MLRP_, §13)
  const contactId = optionalContactRef("recipients.contactId", input.contactId);
  if (mailingListId && transactionBatchId) {
    throw new QualtricsInputError("recipients", "give either mailingListId or transactionBatchId, not both");
  }
  if (!mailingListId && !transactionBatchId) {
    throw new QualtricsInputError("recipients", "is required: a mailingListId or a transactionBatchId");
  }
  if (contactId && !mailingListId) {
    throw new QualtricsInputError("recipients.contactId", "can only be used together with recipients.mailingListId");
  }

  const surveyId = requireId("surveyLink.surveyId", input.surveyId, "survey");
  const type = input.linkType === undefined || input.linkType === "" ? "Individual" : oneOf("surveyLink.type", input.linkType, LINK_TYPES);
  const expirationDate = optionalDate("surveyLink.expirationDate", input.expirationDate);
  const sendDate = optionalDate("sendDate", input.sendDate) ?? nowIso();
  if (expirationDate && expirationDate <= sendDate) {
    throw new QualtricsInputError("surveyLink.expirationDate", `must be after sendDate (${sendDate})`);
  }
  const embeddedData = optionalEmbeddedData("embeddedData", input.embeddedData);

  const body: EmailDistributionBody = {
    header: { fromEmail, fromName, replyToEmail, subject },
    message,
    recipients: {
      ...(mailingListId ? { mailingListId } : {}),
      ...(transactionBatchId ? { transactionBatchId } : {}),
      ...(contactId ? { contactId } : {}),
    },
    surveyLink: { surveyId, type, ...(expirationDate ? { expirationDate } : {}) },
    sendDate,
  };
  if (embeddedData) body.embeddedData = embeddedData;
  return body;
}

function optionalContactRef(field: string, value: unknown): string | undefined {
  return optionalId(field, value, "contactLookup");
}

export { SMS_METHODS };
export type SmsMethod = (typeof SMS_METHODS)[number];

export interface SmsDistributionBody {
  method: SmsMethod;
  surveyId: string;
  sendDate: string;
  name: string;
  parentDistributionId?: string;
  recipients: { mailingListId?: string; contactId?: string; sampleId?: string; transactionBatchId?: string; transactionId?: string };
  message?: LibraryMessage;
}

export function smsDistributionBody(input: DistributionInput): SmsDistributionBody {
  const method = oneOf("method", input.method, SMS_METHODS);
  const followUp = method === "Reminder" || method === "ThankYou";
  const surveyId = requireId("surveyId", input.surveyId, "survey");
  const sendDate = optionalDate("sendDate", input.sendDate) ?? nowIso();

  const mailingListId = optionalId("recipients.mailingListId", input.mailingListId, "mailingList");
  const transactionBatchId = optionalId("recipients.transactionBatchId", input.transactionBatchId, "transactionBatch");
  const transactionId = optionalId("recipients.transactionId", input.transactionId, "transaction");
  const contactId = optionalContactRef("recipients.contactId", input.contactId);
  for (const [field, given] of [["recipients.mailingListId", mailingListId], ["recipients.transactionBatchId", transactionBatchId], ["recipients.transactionId", transactionId]] as const) {
    if (followUp && given) throw new QualtricsInputError(field, `is not allowed for ${method}: it goes to the recipients of the parent distribution`);
  }
  if ([contactId, transactionBatchId, transactionId].filter(Boolean).length > 1) {
    throw new QualtricsInputError("recipients", "give only one of contactId, transactionBatchId and transactionId");
  }
  // UNCONFIRMED (docs/qualtrics-facts.md §5.6): whether an invitation to a batch or a transaction needs
  // the mailing list as well; it is sent when given and not required, so Qualtrics has the last word
  if (!followUp && !mailingListId && !transactionBatchId && !transactionId) {
    throw new QualtricsInputError("recipients.mailingListId", `is required for ${method} (or a transactionBatchId or transactionId)`);
  }

  const parentDistributionId = optionalId("parentDistributionId", input.parentDistributionId, "smsDistribution");
  if (followUp && !parentDistributionId) throw new QualtricsInputError("parentDistributionId", `is required for ${method} (the SMSD_ invite it follows)`);
  if (!followUp && parentDistributionId) throw new QualtricsInputError("parentDistributionId", `is only for Reminder and ThankYou, not ${method}`);

  const sampleId = optionalString("recipients.sampleId", input.sampleId);
  const message = messageOf(input, method !== "Interactive");

  // UNCONFIRMED whether name is required; a readable default avoids a 400 if it is
  const name = optionalString("name", input.name) ?? `${method} ${sendDate}`;
  if (name.length > 100) throw new QualtricsInputError("name", "is limited to 100 characters");

  const body: SmsDistributionBody = {
    method,
    surveyId,
    sendDate,
    name,
    recipients: {
      ...(mailingListId ? { mailingListId } : {}),
      ...(contactId ? { contactId } : {}),
      ...(sampleId ? { sampleId } : {}),
      ...(transactionBatchId ? { transactionBatchId } : {}),
      ...(transactionId ? { transactionId } : {}),
    },
  };
  if (parentDistributionId) body.parentDistributionId = parentDistributionId;
  if (message) body.message = message;
  return body;
}

export function createEmailDistribution(client: QualtricsClient, body: EmailDistributionBody, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({ method: "POST", path: "/distributions", body, signal });
}

/** The SMS endpoint has a 16 s server-side timeout (§5.6), so ours must be longer. */
export const SMS_MIN_TIMEOUT_MS = 20_000;

export function createSmsDistribution(client: QualtricsClient, body: SmsDistributionBody, timeoutMs?: number, signal?: AbortSignal): Promise<ApiResponse> {
  return client.request({
    method: "POST",
    path: "/distributions/sms",
    body,
    signal,
    timeoutMs: Math.max(timeoutMs ?? 0, SMS_MIN_TIMEOUT_MS),
  });
}

export { toQualtricsDate };
