// What the contact node can do, read by its runtime adapter (nodes/qualtrics-contact/qualtrics-contact.ts) and, through
// the editor library, by its dialog: one table, so the two cannot drift apart. Data only, no imports
// beyond other data tables, because scripts/build.js bundles it for the browser.
import { SEARCH_FIELDS, UPSERT_KEYS } from "../../src/api-values";
import type { NodeSpec } from "../lib/node-spec";

export const contactSpec = {
  type: "qualtrics-contact",
  /** in the order the dialog offers them; "msg" (the operation from msg.operation) comes last in the dialog */
  operations: ["list", "search", "get", "create", "update", "upsert", "delete", "recordTransaction", "createBatch", "addToBatch", "listTransactions"],
  /** the operations each part of the dialog serves (its rows carry the class qualtrics-contact-<part>) */
  uses: {
    id: ["get", "update", "delete", "recordTransaction", "listTransactions"],
    fields: ["create", "update", "upsert"],
    list: ["list", "search", "listTransactions"],
    search: ["search"],
    upsert: ["upsert"],
    transaction: ["recordTransaction"],
    ids: ["createBatch", "addToBatch"],
    batch: ["addToBatch"],
  },
  /** the contact's own fields a write sends */
  fields: ["firstName", "lastName", "email", "phone", "extRef", "embeddedData", "language", "unsubscribed"],
  /** what a search can look in, and what an upsert can match on (docs/qualtrics-facts.md §4.4, §4.3) */
  searchFields: SEARCH_FIELDS,
  upsertKeys: UPSERT_KEYS,
  /** the kind of each ID field, for its prefixes */
  ids: { directoryId: "directory", contactId: "contact", mailingListId: "mailingList" },
} as const satisfies NodeSpec;
