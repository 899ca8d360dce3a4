// The contact dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-contact-<part> show for the operations that part serves (spec.ts beside this file).
import { config, contactFields, id, listing, name, operation, select, template, text, tip, typed } from "../lib/dialog-template";

const part = (p: string): { cls: string } => ({ cls: "qualtrics-contact-" + p });

export default template("qualtrics-contact", [
  name,
  config,
  operation(),
  tip("operationMsg", part("msg")),
  id("directoryId", { icon: "address-book-o" }),
  id("contactId", { icon: "user", ...part("id") }),
  select("searchField", { icon: "search", ...part("search") }),
  text("searchValue", { icon: "i-cursor", placeholder: true, ...part("search") }),
  select("upsertKey", { icon: "key", ...part("upsert") }),
  tip("upsert", part("upsert")),
  contactFields("qualtrics-contact-fields"),
  id("mailingListId", { icon: "list", ...part("transaction") }),
  typed("transactionData", "json", { icon: "ticket", placeholder: true, ...part("transaction") }),
  text("transactionDate", { icon: "calendar", placeholder: true, ...part("transaction") }),
  text("transactionBatchId", { icon: "archive", placeholder: true, ...part("batch") }),
  text("transactionIds", { icon: "ticket", placeholder: true, ...part("ids") }),
  tip("transactions", { cls: "qualtrics-contact-transaction qualtrics-contact-ids" }),
  listing("qualtrics-contact-list"),
  tip("payload", { ...part("payload"), last: true }),
]);
