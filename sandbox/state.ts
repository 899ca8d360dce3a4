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

export interface DirectoryRecord {
  directoryId: string; // POOL_…
  name: string;
  isDefault: boolean;
  deduplicationCriteria: DeduplicationCriteria;
  contacts: Map<string, ContactRecord>;
  mailingLists: Map<string, MailingListRecord>;
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
  for (const directory of state.directories.values()) {
    if (directoryId !== undefined && directory.directoryId !== directoryId) continue;
    const list = directory.mailingLists.get(mailingListId);
    if (list) return { directory, list };
  }
  return undefined;
}

export function findLibraryMessage(state: SandboxState, libraryId: string, messageId: string): LibraryMessageRecord | undefined {
  return state.libraries.get(libraryId)?.messages.get(messageId);
}
