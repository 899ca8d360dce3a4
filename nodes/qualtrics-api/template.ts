// The API request dialog's rows, from the shared pieces (nodes/lib/dialog-template.ts). Paging and
// its limit show for reads only (the dialog script).
import { head, plain, select, template, tip } from "../lib/dialog-template";

export default template("qualtrics-api", [
  ...head,
  select("method", { icon: "tasks" }),
  plain("url", { icon: "globe", width: "70%", placeholder: true }),
  tip("url"),
  select("paging", { icon: "files-o", options: ["first", "all"], cls: "qualtrics-api-paging" }),
  plain("limit", { icon: "filter", after: "tip.limit", cls: "qualtrics-api-limit" }),
]);
