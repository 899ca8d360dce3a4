// The invitation dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-invite-email show only for the email channel.
import { config, heading, id, messageRows, name, plain, select, senderRows, template, text, tip, typed } from "../lib/dialog-template";

const email = "qualtrics-invite-email";

export default template("qualtrics-invite", [
  name,
  config,
  heading("person", "user"),
  id("directoryId"),
  select("matchKey"),
  id("mailingListId"),
  tip("person"),
  // msg, flow, global, JSON or JSONata, from msg.payload.transaction by default: its own typed input in the script
  typed("transaction", null, { icon: "ticket" }),
  heading("message", "envelope"),
  id("surveyId"),
  select("channel"),
  ...messageRows(),
  ...senderRows(email, select("linkType", { cls: email })),
  text("sendDate", { placeholder: true }),
  heading("never", "shield"),
  plain("quietDays", { width: "80px", after: "tip.quietDays" }),
  tip("never", { last: true }),
]);
