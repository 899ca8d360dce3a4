// Demo data: one directory with 25 contacts, two mailing lists, two surveys, a user library
// with invite/reminder/thank-you/SMS messages. IDs come from a seeded PRNG, so they are the
// same on every start and after reset().
import { seededIds, seededRandom, IdSource } from "./ids";
import {
  ContactRecord, DirectoryRecord, LibraryMessageRecord, LibraryRecord, MailingListRecord, QuestionRecord,
  SandboxState, SurveyRecord, UserRecord,
} from "./state";

export interface SeedIds {
  directoryId: string;
  mailingListIds: string[];
  surveyIds: string[];
  libraryId: string;
  messageIds: { invite: string; reminder: string; thankYou: string; smsInvite: string };
  contactIds: string[];
}

export interface SeedOptions {
  brandId: string;
  dataCenter: string;
  /** false: only the user, their (empty) library and an empty default directory */
  demoData: boolean;
  /** many more surveys and mailing lists (of the default directory), for pickers on a big account */
  bulk?: BulkSeed;
}

/** counts of generated surveys ("Bulk survey 00001", ...) and mailing lists ("Bulk list 00001", ...) */
export interface BulkSeed {
  surveys?: number;
  mailingLists?: number;
}

const SEED = 20240301;
const BASE_TIME = Date.parse("2024-03-01T09:00:00Z");

const PEOPLE: Array<[string, string, string]> = [
  ["Amelia", "Hart", "EN"], ["Jonas", "Berg", "DE"], ["Sofia", "Marino", "IT"], ["Lucas", "Moreau", "FR"],
  ["Hannah", "Schmidt", "DE"], ["Mateo", "García", "ES"], ["Olivia", "Brennan", "EN"], ["Noah", "Whitfield", "EN"],
  ["Ingrid", "Nilsen", "NO"], ["Kenji", "Watanabe", "JA"], ["Priya", "Raman", "EN"], ["Daniel", "Okafor", "EN"],
  ["Chloé", "Lefebvre", "FR"], ["Emma", "Johansson", "SV"], ["Liam", "O'Connor", "EN"], ["Aisha", "Khan", "EN"],
  ["Marta", "Kowalska", "PL"], ["Tomás", "Silva", "PT"], ["Grace", "Liu", "EN"], ["Ethan", "Novak", "EN"],
  ["Freya", "Andersen", "DA"], ["Yusuf", "Demir", "TR"], ["Isla", "MacLeod", "EN"], ["Leon", "Fischer", "DE"],
  ["Nora", "Haddad", "EN"],
];
const TIERS = ["gold", "silver", "bronze"];
const REGIONS = ["north", "south", "east", "west", "coast"];
const MANAGERS = ["Sam Sandbox", "Riley Quinn", "Alex Morgan"];

function ascii(name: string): string {
  return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^A-Za-z]/g, "").toLowerCase();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function buildState(opts: SeedOptions): { state: SandboxState; seedIds: SeedIds } {
  const ids: IdSource = seededIds(SEED);
  const rnd = seededRandom(SEED + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

  const userId = ids.next("UR_");
  const user: UserRecord = {
    userId,
    userName: `sam.sandbox@example.com#${opts.brandId}`,
    accountType: ids.next("UT_"),
    firstName: "Sam",
    lastName: "Sandbox",
    email: "sam.sandbox@example.com",
  };

  const directory: DirectoryRecord = {
    directoryId: ids.next("POOL_"),
    name: "Default Directory",
    isDefault: true,
    deduplicationCriteria: { email: true, firstName: false, lastName: false, externalDataReference: false, phone: false },
    contacts: new Map(),
    mailingLists: new Map(),
    transactions: new Map(),
    transactionBatches: new Map(),
  };

  const library: LibraryRecord = { libraryId: userId, libraryName: "Sam Sandbox's Library", messages: new Map() };
  const state: SandboxState = {
    brandId: opts.brandId,
    dataCenter: opts.dataCenter,
    user,
    directories: new Map([[directory.directoryId, directory]]),
    libraries: new Map([[library.libraryId, library]]),
    surveys: new Map(),
    distributions: new Map(),
    smsDistributions: new Map(),
    subscriptions: new Map(),
  };
  const seedIds: SeedIds = {
    directoryId: directory.directoryId,
    mailingListIds: [],
    surveyIds: [],
    libraryId: library.libraryId,
    messageIds: { invite: "", reminder: "", thankYou: "", smsInvite: "" },
    contactIds: [],
  };
  if (opts.bulk) addBulk(state, directory, userId, opts.bulk);
  if (!opts.demoData) return { state, seedIds };

  // contacts
  PEOPLE.forEach(([first, last, language], i) => {
    const created = BASE_TIME + i * 3_600_000;
    const unsubscribed = i === 6 || i === 19;
    const contact: ContactRecord = {
      contactId: ids.next("CID_"),
      firstName: first,
      lastName: last,
      email: `${ascii(first)}.${ascii(last)}@example.com`,
      phone: `+1555010${String(i).padStart(4, "0")}`,
      extRef: `CRM-${1001 + i}`,
      language,
      unsubscribed,
      unsubscribeDate: unsubscribed ? iso(created + 86_400_000) : null,
      embeddedData: {
        customerTier: pick(TIERS),
        region: pick(REGIONS),
        signupYear: String(2015 + Math.floor(rnd() * 9)),
        accountManager: pick(MANAGERS),
      },
      creationDate: iso(created),
      lastModified: iso(created + 7 * 86_400_000),
    };
    directory.contacts.set(contact.contactId, contact);
    seedIds.contactIds.push(contact.contactId);
  });

  // mailing lists: newsletter = contacts 0..14, support = 10..24 (5 overlap)
  const lists: Array<[string, number, number]> = [["Newsletter Subscribers", 0, 15], ["Support Customers Q1", 10, 25]];
  lists.forEach(([name, from, to], i) => {
    const created = BASE_TIME + (30 + i) * 86_400_000;
    const list: MailingListRecord = {
      mailingListId: ids.next("CG_"),
      name,
      ownerId: userId,
      prioritizeListMetadata: false,
      creationDate: created,
      lastModifiedDate: created + 86_400_000,
      members: new Map(),
    };
    for (const contactId of seedIds.contactIds.slice(from, to)) {
      list.members.set(contactId, { contactId, contactLookupId: ids.next("CGC_"), unsubscribed: false, unsubscribeDate: null });
    }
    directory.mailingLists.set(list.mailingListId, list);
    seedIds.mailingListIds.push(list.mailingListId);
  });

  // surveys
  const csQuestions: QuestionRecord[] = [
    { qid: "QID1", kind: "NPS", text: "How likely are you to recommend us to a friend or colleague?", choices: Object.fromEntries(Array.from({ length: 11 }, (_, n) => [String(n), String(n)])), defaultValue: 9 },
    { qid: "QID2", kind: "MC", text: "Overall, how satisfied are you with our service?", choices: { "1": "Very dissatisfied", "2": "Dissatisfied", "3": "Neutral", "4": "Satisfied", "5": "Very satisfied" }, defaultValue: 4 },
    { qid: "QID3_TEXT", kind: "TE", text: "What could we do better?", defaultValue: "Faster delivery would be great." },
  ];
  const psQuestions: QuestionRecord[] = [
    { qid: "QID1", kind: "MC", text: "Was your issue resolved?", choices: { "1": "Yes", "2": "No" }, defaultValue: 1 },
    { qid: "QID2", kind: "MC", text: "How satisfied are you with the support you received?", choices: { "1": "Very dissatisfied", "2": "Dissatisfied", "3": "Neutral", "4": "Satisfied", "5": "Very satisfied" }, defaultValue: 5 },
    { qid: "QID3_TEXT", kind: "TE", text: "Anything else you would like to tell us?", defaultValue: "The agent was very helpful." },
  ];
  const surveys: Array<[string, QuestionRecord[]]> = [["Customer Satisfaction", csQuestions], ["Post-Support Feedback", psQuestions]];
  surveys.forEach(([name, questions], i) => {
    const created = BASE_TIME + (10 + i) * 86_400_000;
    const survey: SurveyRecord = {
      id: ids.next("SV_"),
      name,
      ownerId: userId,
      isActive: true,
      creationDate: iso(created),
      lastModified: iso(created + 2 * 86_400_000),
      questions,
      responses: new Map(),
    };
    state.surveys.set(survey.id, survey);
    seedIds.surveyIds.push(survey.id);
  });

  // library messages
  const messages: Array<[keyof SeedIds["messageIds"], string, string]> = [
    ["invite", "Customer Satisfaction invitation",
      "<p>Hello ${m://FirstName},</p><p>Please tell us about your experience: ${l://SurveyLink?d=Take the survey}</p>"],
    ["reminder", "Friendly survey reminder",
      "<p>Hello ${m://FirstName},</p><p>We would still love to hear from you: ${l://SurveyLink?d=Take the survey}</p>"],
    ["thankYou", "Thank you for your feedback",
      "<p>Thank you ${m://FirstName} for taking the time to answer our survey.</p>"],
    ["smsInvite", "SMS invitation",
      "Hi ${m://FirstName}, how did we do? Tell us here: ${l://SurveyURL}"],
  ];
  for (const [category, description, text] of messages) {
    const message: LibraryMessageRecord = { id: ids.next("MS_"), description, category, messages: { en: text } };
    library.messages.set(message.id, message);
    seedIds.messageIds[category] = message.id;
  }
  const general: LibraryMessageRecord = { id: ids.next("MS_"), description: "Survey invitation subject", category: "emailSubject", messages: { en: "We value your opinion" } };
  library.messages.set(general.id, general);

  // a group library, so library pickers have more than one entry
  const group: LibraryRecord = { libraryId: ids.next("GR_"), libraryName: "Customer Experience Team", messages: new Map() };
  const groupInvite: LibraryMessageRecord = { id: ids.next("MS_"), description: "Team invitation (group library)", category: "invite", messages: { en: "<p>Dear customer, please answer: ${l://SurveyLink}</p>" } };
  group.messages.set(groupInvite.id, groupInvite);
  state.libraries.set(group.libraryId, group);

  return { state, seedIds };
}

/** generated items with IDs of their own sequence, so the demo data's IDs stay what they are */
function addBulk(state: SandboxState, directory: DirectoryRecord, ownerId: string, bulk: BulkSeed): void {
  const ids = seededIds(SEED + 2);
  const name = (kind: string, n: number) => `Bulk ${kind} ${String(n).padStart(5, "0")}`;
  for (let n = 1; n <= (bulk.surveys ?? 0); n++) {
    const at = iso(BASE_TIME + n * 60_000);
    const id = ids.next("SV_");
    state.surveys.set(id, { id, name: name("survey", n), ownerId, isActive: n % 3 !== 0, creationDate: at, lastModified: at, questions: [], responses: new Map() });
  }
  for (let n = 1; n <= (bulk.mailingLists ?? 0); n++) {
    const at = BASE_TIME + n * 60_000;
    const id = ids.next("CG_");
    directory.mailingLists.set(id, { mailingListId: id, name: name("list", n), ownerId, prioritizeListMetadata: false, creationDate: at, lastModifiedDate: at, members: new Map() });
  }
}
