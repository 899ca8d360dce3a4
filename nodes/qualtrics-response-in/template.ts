// The webhook trigger's rows, from the shared pieces (nodes/lib/dialog-template.ts); the survey row
// is the polling trigger's too. The dialog script fills in the address Qualtrics posts to.
import { custom, head, inlineCheckbox, input, plain, survey, template, tip } from "../lib/dialog-template";

const register = "qualtrics-response-register";

/** where Qualtrics posts: the public address, or the route on "your address" (the dialog script writes both lines) */
const webhookUrl = custom((type) => [
  `<label><i class="fa fa-link"></i> <span data-i18n="${type}.label.webhookUrl"></span></label>`,
  `<div style="display: inline-block; width: 70%; vertical-align: top;">`,
  `    <div id="node-input-qualtrics-webhook-url" class="qualtrics-url"></div>`,
  `    <div id="node-input-qualtrics-webhook-note" class="qualtrics-muted" style="font-size: 0.9em; margin-top: 2px;"></div>`,
  `</div>`,
]);

export default template("qualtrics-response-in", [
  ...head,
  survey({ plain: true }),
  input("topic", { icon: "bullhorn" }),
  input("path", { icon: "sign-in", placeholder: true }),
  input("sharedKey", { icon: "key", password: true, placeholder: true }),
  tip("noKey", { cls: "qualtrics-response-nokey qualtrics-warn" }),
  inlineCheckbox("autoRegister"),
  input("publicBaseUrl", { icon: "globe", placeholder: true, cls: register }),
  tip("publicBaseUrl", { cls: register }),
  webhookUrl,
  inlineCheckbox("fetchResponse"),
  plain("dedupeSeconds", { icon: "clone", after: "tip.seconds" }),
  plain("maxBodyKb", { icon: "compress", after: "tip.kb" }),
  plain("catchUpMinutes", { icon: "history", after: "tip.minutes" }),
]);
