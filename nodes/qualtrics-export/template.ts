// The export dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Rows of class
// qualtrics-export-all show for a full export, -new for new responses only, -file for files on disk.
import { config, heading, id, inlineCheckbox, name, plain, select, template, text, tip } from "../lib/dialog-template";

const all = { cls: "qualtrics-export-all" };

export default template("qualtrics-export", [
  name,
  config,
  id("surveyId", { icon: "list-alt" }),
  select("since", { icon: "bookmark-o", options: ["all", "new"] }),
  tip("new", { cls: "qualtrics-export-new" }),
  select("format", { icon: "file-text-o" }),
  select("output", { icon: "sign-out" }),
  plain("directory", { icon: "folder-open-o", width: "70%", placeholder: true, cls: "qualtrics-export-file" }),
  heading("which", "filter"),
  text("startDate", { placeholder: "placeholder.date" }),
  text("endDate", { placeholder: true, ...all }),
  plain("limit", { after: "tip.limit", ...all }),
  id("filterId"),
  inlineCheckbox("exportResponsesInProgress"),
  heading("columns", "columns"),
  text("questionIds", { placeholder: true }),
  text("embeddedDataIds", { placeholder: true }),
  inlineCheckbox("useLabels"),
  heading("download", "cog"),
  inlineCheckbox("compress"),
  inlineCheckbox("allowContinuation", all),
  plain("timeout", { icon: "clock-o", width: "80px", after: "tip.minutes" }),
  tip("payload", { last: true }),
]);
