// The closed lists of values the Qualtrics API takes, alone and with no imports: the client checks
// input against them, and each node's specification (nodes/<type>/spec.ts) offers them in its dialog
// through the editor bundle, so the dialog and the runtime read one table.

/** What a contact search can look in (docs/qualtrics-facts.md §4.4: email, extRef, phone, lastName confirmed). */
export const SEARCH_FIELDS = ["email", "extRef", "phone", "lastName", "firstName"] as const;

/** What an upsert can match an existing contact on (docs/qualtrics-facts.md §4.3). */
export const UPSERT_KEYS = ["email", "extRef", "phone"] as const;

/** The values of the distribution list filter `distributionRequestType` (docs/qualtrics-facts.md §5.4). */
export const DISTRIBUTION_REQUEST_TYPES = ["Invite", "ThankYou", "Reminder", "Email", "Portal", "PortalInvite", "GeneratedInvite"] as const;

/** Survey link types of an email distribution and of generated links (docs/qualtrics-facts.md §5.3). */
export const LINK_TYPES = ["Individual", "Multiple", "Anonymous"] as const;

/** SMS distribution methods (docs/qualtrics-facts.md §5.6). */
export const SMS_METHODS = ["Invite", "Interactive", "Reminder", "ThankYou"] as const;

/** Export formats whose responses can be read one by one (docs/qualtrics-facts.md §7.2). */
export const RECORD_FORMATS = ["json", "ndjson", "csv", "tsv"] as const;

/** Everything an export can produce; spss and xml only as a file. */
export const FILE_FORMATS = [...RECORD_FORMATS, "spss", "xml"] as const;

/** A data center ID (docs/qualtrics-facts.md §1.1): hyphens occur (g1-iad), so the same loose pattern as Segment's client. */
export const DATA_CENTER_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** An organisation's or a data center's host (docs/qualtrics-facts.md §1.1). */
export const QUALTRICS_HOST = /^([a-z0-9-]+\.)*qualtrics\.com$/;

/** The data centers docs/qualtrics-facts.md §1.1 names, offered as the user types one. */
export const DATA_CENTERS = ["iad1", "fra1", "ca1", "yul1", "sjc1", "lhr1", "syd1", "sin1", "hnd1", "gov1"] as const;

/**
 * What the nodes call, by the likely scope names of docs/qualtrics-facts.md §1.4.
 * UNCONFIRMED (docs/qualtrics-facts.md §1.4): the endpoint-to-scope mapping is a guess by name; users can edit the list.
 */
export const DEFAULT_OAUTH_SCOPES: readonly string[] = [
  "read:users",
  "read:directories",
  "read:directory_contacts",
  "write:directory_contacts",
  "read:mailing_lists",
  "write:mailing_lists",
  "read:mailing_list_contacts",
  "write:mailing_list_contacts",
  "read:distributions",
  "write:distributions",
  "read:libraries",
  "read:surveys",
  "read:survey_responses",
  "read:subscriptions",
  "write:subscriptions",
];

/** RFC 6749 §3.3 scope-token characters */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
