// The survey dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-survey-<part> show for the operations that part serves, and each operation has its tip
// (qualtrics-survey-tip-<operation>); both come from spec.ts beside this file.
import { config, id, name, operation, plain, select, template, tip } from "../lib/dialog-template";
import { surveySpec } from "./spec";

const part = (p: string): { cls: string } => ({ cls: "qualtrics-survey-" + p });

export default template("qualtrics-survey", [
  name,
  config,
  operation(),
  ...[...surveySpec.operations, "msg"].map((op) => tip(op, { cls: "qualtrics-survey-tip qualtrics-survey-tip-" + op })),
  id("surveyId", { icon: "list-alt", ...part("survey") }),
  select("labelTarget", { icon: "sign-out", options: ["labelled", "payload"], ...part("target") }),
  plain("limit", { icon: "filter", after: "tip.limit", ...part("limit") }),
  select("output", { icon: "sign-out", options: ["array", "split"], ...part("output") }),
]);
