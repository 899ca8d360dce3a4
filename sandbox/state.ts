// The sandbox's in-memory data. Everything an API call can change lives in a SandboxState.

export interface UserRecord {
  userId: string; // UR_…, also the ID of the user's personal library (§8.3)
  userName: string;
  accountType: string; // UT_…
  firstName: string;
  lastName: string;
  email: string;
}

export interface DeduplicationCriteria {
  email: boolean;
  firstName: boolean;
  lastName: boolean;
  externalDataReference: boolean;
  phone: boolean;
}

export interface ContactRecord {
  contactId: string; // CID_…
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  extRef: string | null;
  language: string | null;
  unsubscribed: boolean;
  unsubscribeDate: string | null;
  embeddedData: Record<string, string>;
  creationDate: string; // ISO 8601
  lastModified: string; // ISO 8601
}

export interface MembershipRecord {
  contactId: string;
  contactLookupId: string; // CGC_…
  unsubscribed: boolean;
  unsubscribeDate: string | null;
}

export interface MailingListRecord {
  mailingListId: string; // CG_…
  name: string;
  ownerId: string;
  prioritizeListMetadata: boolean;
  creationDate: number; // epoch ms (§4.5)
  lastModifiedDate: number; // epoch ms
  /** keyed by contactId */
  members: Map<string, MembershipRecord>;
}

/** A contact transaction (docs/qualtrics-facts.md §4.7): the data of one event in a person's life. */
export interface TransactionRecord {
  transactionId: string; // CTR_…
  contactId: string;
  mailingListId: string | null;
  /** as sent, "YYYY-MM-DD HH:MM:SS" or ISO 8601 (which one Qualtrics wants is UNCONFIRMED) */
  transactionDate: string;
  data: Record<string, string>;
  creationDate: string; // ISO 8601
}

export interface TransactionBatchRecord {
  batchId: string; // BT_… unless switched (transaction-rules.ts)
  creationDate: string; // ISO 8601
  /** in the order added, each once */
  transactionIds: string[];
}

export interface DirectoryRecord {
  directoryId: string; // POOL_…
  name: string;
  isDefault: boolean;
  deduplicationCriteria: DeduplicationCriteria;
  contacts: Map<string, ContactRecord>;
  mailingLists: Map<string, MailingListRecord>;
  transactions: Map<string, TransactionRecord>;
  transactionBatches: Map<string, TransactionBatchRecord>;
}

/** Whom a distribution reached: a contact, and the transaction it was sent for when it went to transactions. */
export interface ReachedRecipient {
  contactId: string;
  transactionId: string | null;
}

export const MESSAGE_CATEGORIES = [
  "invite", "inactiveSurvey", "reminder", "thankYou", "smsInvite", "validation",
  "emailSubject", "general", "lookAndFeel", "endOfSurvey",
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

export interface LibraryMessageRecord {
  id: string; // MS_…
  description: string;
  category: MessageCategory;
  messages: Record<string, string>; // language → text/HTML
}

export interface LibraryRecord {
  libraryId: string; // UR_… (user) or GR_… (group)
  libraryName: string;
  messages: Map<string, LibraryMessageRecord>;
}

export interface QuestionRecord {
  qid: string; // QID1
  kind: "NPS" | "MC" | "TE";
  text: string;
  /** MC/NPS choices: recode → label */
  choices?: Record<string, string>;
  /** value used when completeResponse gets none */
  defaultValue: number | string;
}

export interface ResponseRecord {
  responseId: string; // R_…
  surveyId: string;
  values: Record<string, unknown>;
  labels: Record<string, unknown>;
  displayedFields: string[];
  displayedValues: Record<string, unknown>;
  recipientId: string;
  distributionId: string;
}

export interface SurveyRecord {
  id: string; // SV_…
  name: string;
  ownerId: string;
  isActive: boolean;
  creationDate: string;
  lastModified: string;
  questions: QuestionRecord[];
  responses: Map<string, ResponseRecord>;
}

export interface MessageHeader {
  fromEmail: string;
  fromName: string;
  replyToEmail: string;
  subject: string;
}

export type EmailRequestType = "Invite" | "Reminder" | "ThankYou" | "GeneratedInvite";

export interface EmailDistributionRecord {
  id: string; // EMD_…
  parentDistributionId: string | null;
  surveyId: string;
  requestType: EmailRequestType;
  requestStatus: string;
  description: string | null;
  sendDate: string;
  createdDate: string;
  modifiedDate: string;
  headers: MessageHeader | null;
  recipients: { mailingListId: string | null; contactId: string | null; transactionBatchId: string | null; directoryId: string | null };
  message: { libraryId: string | null; messageId: string | null; messageText: string | null };
  surveyLink: { surveyId: string; expirationDate: string | null; linkType: string };
  embeddedData: Record<string, string>;
  /** contactIds the distribution went to (resolved at creation) */
  contactIds: string[];
  /** every invitation it sent, one per contact or per transaction (absent in state files written before transactions) */
  reached?: ReachedRecipient[];
}

export const SMS_METHODS = ["Invite", "Interactive", "Reminder", "ThankYou"] as const;
export type SmsMethod = (typeof SMS_METHODS)[number];

export interface SmsDistributionRecord {
  id: string; // SMSD_…
  surveyId: string;
  method: SmsMethod;
  name: string;
  sendDate: string;
  createdDate: string;
  parentDistributionId: string | null;
  recipients: { mailingListId: string | null; contactId: string | null; transactionBatchId: string | null; transactionId: string | null; sampleId: string | null };
  message: { libraryId: string | null; messageId: string | null; messageText: string | null };
  /** every message it sent (resolved at creation; absent in state files written before transactions) */
  reached?: ReachedRecipient[];
}

export interface SubscriptionRecord {
  id: string; // SUB_…
  scope: string;
  topics: string;
  publicationUrl: string;
  encrypted: boolean;
  /** never returned by the API */
  sharedKey: string | null;
  successfulCalls: number;
}

export interface SandboxState {
  brandId: string;
  dataCenter: string;
  user: UserRecord;
  directories: Map<string, DirectoryRecord>;
  libraries: Map<string, LibraryRecord>;
  surveys: Map<string, SurveyRecord>;
  distributions: Map<string, EmailDistributionRecord>;
  smsDistributions: Map<string, SmsDistributionRecord>;
  subscriptions: Map<string, SubscriptionRecord>;
}

/** Finds a mailing list in any directory (or only in `directoryId` when given). */
export function findMailingList(state: SandboxState, mailingListId: string, directoryId?: string): { directory: DirectoryRecord; list: MailingListRecord } | undefined {
  const found = inDirectories(state, directoryId, (d) => d.mailingLists.get(mailingListId));
  return found && { directory: found.directory, list: found.value };
}

export function findLibraryMessage(state: SandboxState, libraryId: string, messageId: string): LibraryMessageRecord | undefined {
  return state.libraries.get(libraryId)?.messages.get(messageId);
}

/** Finds a transaction batch in any directory (or only in `directoryId` when given). */
export function findTransactionBatch(state: SandboxState, batchId: string, directoryId?: string): { directory: DirectoryRecord; batch: TransactionBatchRecord } | undefined {
  const found = inDirectories(state, directoryId, (d) => d.transactionBatches.get(batchId));
  return found && { directory: found.directory, batch: found.value };
}

export function findTransaction(state: SandboxState, transactionId: string, directoryId?: string): { directory: DirectoryRecord; transaction: TransactionRecord } | undefined {
  const found = inDirectories(state, directoryId, (d) => d.transactions.get(transactionId));
  return found && { directory: found.directory, transaction: found.value };
}

function inDirectories<T>(state: SandboxState, directoryId: string | undefined, pick: (d: DirectoryRecord) => T | undefined): { directory: DirectoryRecord; value: T } | undefined {
  for (const directory of state.directories.values()) {
    if (directoryId !== undefined && directory.directoryId !== directoryId) continue;
    const value = pick(directory);
    if (value !== undefined) return { directory, value };
  }
  return undefined;
}
