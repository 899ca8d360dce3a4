// The configuration node's form, from the shared pieces (nodes/lib/dialog-template.ts) with the
// node-config-input- ids of a configuration node. Rows of the authentication not chosen, Redis
// without replicas and the advanced settings start hidden; the dialog script shows them.
import { configForm, custom, hidden, input, plain, section, select, styled, template, tip } from "../lib/dialog-template";

const oauth = "qualtrics-auth-oauth";
const secret = { password: true, autocomplete: "off", width: null, placeholder: true } as const;

/** Test connection: the button, and where its answer goes (a live region for screen readers) */
const test = custom((type) => [
  `<label>&nbsp;</label>`,
  `<button type="button" class="red-ui-button" id="node-config-qualtrics-test"><i class="fa fa-plug"></i> <span data-i18n="${type}.test.button"></span></button>`,
  `<div id="node-config-qualtrics-test-result" class="qualtrics-result" role="status" style="display: none; margin-left: 105px;"></div>`,
]);

export default template(
  "qualtrics-config",
  configForm([
    input("name", { icon: "tag", width: null, placeholder: true }),
    input("dataCenter", { icon: "globe", width: null, placeholder: true }),
    tip("dataCenter", { last: true }),
    styled("margin-top: 12px;", select("authType", { icon: "lock", options: ["token", "oauth"] })),
    input("apiToken", { icon: "key", password: true, width: null, placeholder: true, cls: "qualtrics-auth-token" }),
    hidden(input("clientId", { icon: "id-card-o", cls: oauth, ...secret })),
    hidden(input("clientSecret", { icon: "key", cls: oauth, ...secret })),
    hidden(input("scopes", { icon: "check-square-o", width: null, placeholder: true, cls: oauth })),
    hidden(tip("scopes", { cls: oauth, last: true })),
    test,
    section("node-config-qualtrics-advanced", "advanced", [
      input("baseUrl", { icon: "link", width: null, placeholder: true }),
      tip("baseUrl"),
      plain("timeout", { icon: "clock-o", width: "80px", after: "label.seconds" }),
      plain("retries", { icon: "repeat", width: "80px" }),
      plain("rateLimit", { icon: "tachometer", width: "80px", after: "label.perMinute" }),
      plain("maxConcurrent", { icon: "random", width: "80px" }),
      tip("limits"),
      select("coordination", { icon: "clone", options: ["none", "redis"] }),
      hidden(input("redisUrl", { icon: "database", cls: "qualtrics-coordination-redis", ...secret })),
      tip("coordination", { last: true }),
    ]),
  ]),
);
