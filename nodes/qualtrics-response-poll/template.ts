// The polling trigger's rows, from the shared pieces (nodes/lib/dialog-template.ts); the survey row
// is the webhook trigger's too.
import { head, plain, select, survey, template, tip } from "../lib/dialog-template";

export default template("qualtrics-response-poll", [
  ...head,
  survey(),
  plain("interval", { icon: "clock-o", width: "80px", after: "tip.seconds" }),
  select("start", { icon: "flag-o", options: ["now", "date"] }),
  plain("startDate", { icon: "calendar", width: "70%", placeholder: true, cls: "qualtrics-poll-date" }),
  tip("bookmark", { last: true }),
]);
