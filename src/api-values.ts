// The closed lists of values the Qualtrics API takes, alone and with no imports: the client checks
// input against them, and each node's specification (nodes/<type>/spec.ts) offers them in its dialog
// through the editor bundle, so the dialog and the runtime read one table.

/** What a contact search can look in (docs/qualtrics-api.md §4.4: email, extRef, phone, lastName confirmed). */
export const SEARCH_FIELDS = ["email", "extRef", "phone", "lastName", "firstName"] as const;

/** What an upsert can match an existing contact on (docs/qualtrics-api.md §4.3). */
export const UPSERT_KEYS = ["email", "extRef", "phone"] as const;

/** The values of the distribution list filter `distributionRequestType` (docs/qualtrics-api.md §5.4). */
export const DISTRIBUTION_REQUEST_TYPES = ["Invite", "ThankYou", "Reminder", "Email", "Portal", "PortalInvite", "GeneratedInvite"] as const;

/** Survey link types of an email distribution and of generated links (docs/qualtrics-api.md §5.3). */
export const LINK_TYPES = ["Individual", "Multiple", "Anonymous"] as const;

/** SMS distribution methods (docs/qualtrics-api.md §5.6). */
export const SMS_METHODS = ["Invite", "Interactive", "Reminder", "ThankYou"] as const;

/** Export formats whose responses can be read one by one (docs/qualtrics-api.md §7.2). */
export const RECORD_FORMATS = ["json", "ndjson", "csv", "tsv"] as const;

/** Everything an export can produce; spss and xml only as a file. */
export const FILE_FORMATS = [...RECORD_FORMATS, "spss", "xml"] as const;
