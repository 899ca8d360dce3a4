// The distribution dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). The script
// shows a row when the operation reads its field (spec.ts beside this file); rows of class
// qualtrics-distribution-email / -sms / -msg show for that channel of a create.
import { config, heading, id, listing, messageRows, name, operation, select, senderRows, template, text, tip, typed } from "../lib/dialog-template";

const sms = { cls: "qualtrics-distribution-sms" };
const email = { cls: "qualtrics-distribution-email" };
/** one tip per operation, shown while it is chosen (create has its channel's tips instead) */
const operationTip = (op: string) => tip("operation." + op, { cls: "qualtrics-distribution-op-tip qualtrics-distribution-op-tip-" + op });

export default template("qualtrics-distribution", [
  name,
  config,
  operation(),
  ...["list", "get", "reminder", "thankYou", "generateLinks", "links", "history", "msg"].map(operationTip),
  select("channel", { icon: "paper-plane" }),
  tip("channelMsg", { cls: "qualtrics-distribution-msg" }),
  typed("method", null, { icon: "commenting-o", ...sms }),
  id("surveyId", { icon: "list-alt" }),
  id("distributionId", { icon: "paper-plane-o" }),
  typed("distributionRequestType", null, { icon: "filter" }),
  ...["sendStartDate", "sendEndDate", "sendDate"].map((p) => text(p, { icon: "calendar", placeholder: true })),
  text("smsName", { icon: "tag", placeholder: true, ...sms }),
  text("parentDistributionId", { icon: "level-up", placeholder: true, ...sms }),
  heading("message", "envelope-o", { cls: "qualtrics-distribution-heading-message" }),
  ...messageRows(),
  tip("message", { cls: "qualtrics-distribution-heading-message" }),
  heading("recipients", "users", { cls: "qualtrics-distribution-heading-recipients" }),
  id("mailingListId"),
  text("contactId", { placeholder: true }),
  text("transactionBatchId", { placeholder: true }),
  text("transactionId", { placeholder: true, ...sms }),
  text("sampleId", { placeholder: true, ...sms }),
  tip("recipientsEmail", { cls: "qualtrics-distribution-email qualtrics-distribution-create-tip" }),
  tip("recipientsSms", { cls: "qualtrics-distribution-sms qualtrics-distribution-create-tip" }),
  heading("email", "at", { cls: "qualtrics-distribution-email qualtrics-distribution-heading-email" }),
  ...senderRows(email.cls, typed("linkType", null, email)),
  text("description", { placeholder: true }),
  typed("embeddedData", "json", { placeholder: true, ...email }),
  listing("qualtrics-distribution-list", { pageSize: false }),
  tip("payload", { last: true }),
]);
