// The response dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-response-<part> show for the operations that part serves (spec.ts beside this file).
import { choices, config, id, labelledCheckbox, name, operation, template, text, tip, typed } from "../lib/dialog-template";

const part = (p: string): { cls: string } => ({ cls: "qualtrics-response-" + p });

/** a yes/no option that may also be left to msg.payload */
const YES_NO = [
  ["", "choice.payload"],
  ["false", "choice.no"],
  ["true", "choice.yes"],
] as const;

export default template("qualtrics-response", [
  name,
  config,
  operation(),
  tip("operationMsg", part("msg")),
  id("surveyId", { icon: "list-alt" }),
  text("responseId", { icon: "check-square-o", placeholder: true, ...part("id") }),
  typed("values", "json", { icon: "pencil-square-o", placeholder: true, ...part("values") }),
  tip("create", part("values")),
  typed("embeddedData", "json", { icon: "database", placeholder: true, ...part("embedded") }),
  choices("resetRecordedDate", YES_NO, { icon: "clock-o", ...part("embedded") }),
  choices("decrementQuotas", YES_NO, { icon: "minus-square-o", ...part("delete") }),
  labelledCheckbox("ignoreMissing", { icon: "question-circle-o", after: "tip.ignoreMissing", ...part("bulk") }),
  tip("bulk", part("bulk")),
  tip("payload", { last: true }),
]);
