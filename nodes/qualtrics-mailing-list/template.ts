// The mailing list dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-ml-<part> show for the operations that part serves (spec.ts beside this file).
import { config, contactFields, group, id, labelledCheckbox, listing, name, operation, plain, template, text, tip } from "../lib/dialog-template";

const part = (p: string): { cls: string } => ({ cls: "qualtrics-ml-" + p });

export default template("qualtrics-mailing-list", [
  name,
  config,
  operation(),
  tip("operationMsg", part("msg")),
  id("directoryId", { icon: "address-book-o" }),
  id("mailingListId", { icon: "list", ...part("list") }),
  text("contactId", { icon: "user", placeholder: true, ...part("contact") }),
  text("listName", { icon: "i-cursor", placeholder: true, ...part("name") }),
  contactFields("qualtrics-ml-fields"),
  listing("qualtrics-ml-paging"),
  group("qualtrics-ml-import", [
    labelledCheckbox("waitForImport", { icon: "hourglass-half", after: "tip.waitForImport" }),
    plain("importTimeout", { icon: "clock-o", after: "tip.importTimeout" }),
    tip("import"),
  ]),
  tip("payload", { last: true }),
]);
