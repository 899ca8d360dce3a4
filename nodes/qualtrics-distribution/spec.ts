// What the distribution node can do, read by its runtime adapter (nodes/qualtrics-distribution/qualtrics-distribution.ts), by
// src/distributions.ts and src/distribution-reports.ts for their enums, and, through the editor library,
// by its dialog. Data only: scripts/build.js bundles it for the browser.
import { DISTRIBUTION_REQUEST_TYPES, LINK_TYPES, SMS_METHODS } from "../../src/api-values";
import type { NodeSpec } from "../lib/node-spec";

/** what a reminder and a thank-you read (docs/qualtrics-facts.md §5.5) */
const followUp = ["distributionId", "fromEmail", "fromName", "replyToEmail", "subject", "libraryId", "messageId", "messageText", "sendDate"] as const;

export const distributionSpec = {
  type: "qualtrics-distribution",
  /** "msg" (the operation from msg.operation) comes last in the dialog; a flow without an operation creates */
  operations: ["create", "list", "get", "reminder", "thankYou", "generateLinks", "links", "history"],
  channels: ["email", "sms"],
  /** the fields create reads on every channel, on email only, on SMS only */
  create: {
    common: ["surveyId", "sendDate", "libraryId", "messageId", "messageText", "mailingListId", "contactId", "transactionBatchId"],
    email: ["fromEmail", "fromName", "replyToEmail", "subject", "expirationDate", "linkType", "embeddedData"],
    sms: ["method", "smsName", "parentDistributionId", "sampleId", "transactionId"],
  },
  /** the fields each other operation reads */
  fields: {
    list: ["surveyId", "distributionRequestType", "mailingListId", "sendStartDate", "sendEndDate"],
    get: ["distributionId", "surveyId"],
    reminder: followUp,
    thankYou: followUp,
    generateLinks: ["surveyId", "mailingListId", "linkType", "expirationDate", "description"],
    links: ["distributionId", "surveyId"],
    history: ["distributionId"],
  },
  uses: {
    /** the operations about one distribution */
    distribution: ["get", "reminder", "thankYou", "links", "history"],
    /** the operations that send a list (limit, output) */
    listing: ["list", "links", "history"],
  },
  /** docs/qualtrics-facts.md §5.3, §5.6, §5.4 */
  linkTypes: LINK_TYPES,
  smsMethods: SMS_METHODS,
  requestTypes: DISTRIBUTION_REQUEST_TYPES,
  ids: {
    surveyId: "survey",
    libraryId: "library",
    messageId: "message",
    mailingListId: "mailingList",
    contactId: "contactLookup",
    parentDistributionId: "smsDistribution",
    transactionId: "transaction",
    distributionId: "emailDistribution",
  },
} as const satisfies NodeSpec;
