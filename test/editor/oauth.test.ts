// The configuration dialog with OAuth client credentials, in Chromium against the sandbox: the
// fields of the chosen kind of authentication, Test connection and the pickers with the typed OAuth
// client, and the "Use <data center>" fix the server suggests.
import assert from "node:assert/strict";
import { IDS, closePicker, closeTrays, isVisible, openConfig, openNode, openPicker, useSession } from "./harness";
import { DEFAULT_OAUTH_SCOPES } from "../../src/oauth";

declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLIENT = { clientId: "EDITOR-OAUTH-CLIENT-3c9e", clientSecret: "EDITOR-OAUTH-SECRET-71b0d2f4" };

describe(`editor: OAuth in the configuration dialog (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  const s = useSession(async () => {
      s.sb.oauth.addClient(CLIENT);
  }, "editor-oauth-failure");

  afterEach(async function () {
    await s.page.unroute("**/qualtrics-config/*/test").catch(() => undefined);
    await closeTrays(s.page).catch(() => undefined);
  });

  async function testConnection(): Promise<{ ok: string[]; warn: string[]; error: string[]; buttons: string[] }> {
    await s.page.click("#node-config-qualtrics-test");
    await s.page.waitForFunction(() => {
      const r = $("#node-config-qualtrics-test-result");
      return r.is(":visible") && r.find(".fa-spinner").length === 0 && r.text().trim() !== "" && !$("#node-config-qualtrics-test").prop("disabled");
    });
    return s.page.evaluate(() => {
      const r = $("#node-config-qualtrics-test-result");
      const texts = (sel: string) => r.find(sel).toArray().map((e: unknown) => $(e).text().trim());
      return { ok: texts(".qualtrics-ok"), warn: texts(".qualtrics-warn"), error: texts(".qualtrics-error"), buttons: texts("button") };
    });
  }

  async function chooseOAuth(): Promise<void> {
    await s.page.selectOption("#node-config-input-authType", "oauth");
    await s.page.waitForFunction(() => $("#node-config-input-clientId").is(":visible"));
  }

  it("shows the token field for an API token configuration and the OAuth fields when OAuth is chosen", async function () {
    await openConfig(s.page, IDS.config);
    assert.equal(await s.page.inputValue("#node-config-input-authType"), "token");
    assert.equal(await isVisible(s.page, "#node-config-input-apiToken"), true);
    for (const id of ["clientId", "clientSecret", "scopes"]) assert.equal(await isVisible(s.page, `#node-config-input-${id}`), false, id);
    await chooseOAuth();
    assert.equal(await isVisible(s.page, "#node-config-input-apiToken"), false);
    for (const id of ["clientId", "clientSecret", "scopes"]) assert.equal(await isVisible(s.page, `#node-config-input-${id}`), true, id);
    assert.equal(await s.page.getAttribute("#node-config-input-clientId", "type"), "password");
    assert.equal(await s.page.getAttribute("#node-config-input-clientSecret", "type"), "password");
    assert.equal(await s.page.inputValue("#node-config-input-scopes"), DEFAULT_OAUTH_SCOPES.join(" "), "a flow from before OAuth gets the default scopes");
    await s.page.selectOption("#node-config-input-authType", "token");
    assert.equal(await isVisible(s.page, "#node-config-input-clientId"), false);
  });

  it("marks a scope list with odd characters", async function () {
    await openConfig(s.page, IDS.config);
    await chooseOAuth();
    await s.page.fill("#node-config-input-scopes", 'read:users "all"');
    await s.page.dispatchEvent("#node-config-input-scopes", "change");
    await s.page.waitForFunction(() => $("#node-config-input-scopes").hasClass("input-error"));
    await s.page.fill("#node-config-input-scopes", "read:users read:directories");
    await s.page.dispatchEvent("#node-config-input-scopes", "change");
    await s.page.waitForFunction(() => !$("#node-config-input-scopes").hasClass("input-error"));
  });

  it("tests the connection with the client typed in the dialog and its scopes", async function () {
    await openConfig(s.page, IDS.config);
    await chooseOAuth();
    // nothing typed and nothing stored: a clear message
    let r = await testConnection();
    assert.match(r.error.join(" "), /^Connection failed: No OAuth client ID and secret/);
    await s.page.fill("#node-config-input-clientId", CLIENT.clientId);
    await s.page.fill("#node-config-input-clientSecret", "not-the-secret");
    r = await testConnection();
    assert.match(r.error.join(" "), /invalid_client/);
    await s.page.fill("#node-config-input-clientSecret", CLIENT.clientSecret);
    await s.page.fill("#node-config-input-scopes", "read:users read:directories");
    r = await testConnection();
    assert.deepEqual(r.error, []);
    assert.match(r.ok.join(" "), /^Connected as Sam Sandbox/);
    const last = s.sb.oauth.requests.at(-1)!;
    assert.equal(last.status, 200);
    assert.equal(new URLSearchParams(last.rawBody).get("scope"), "read:users read:directories");
    const who = [...s.sb.requests].reverse().find((q) => q.path.endsWith("/whoami"))!;
    assert.match(String(who.headers.authorization), /^Bearer /);
  });

  it("fills pickers through the edited OAuth configuration", async function () {
    await openConfig(s.page, IDS.config);
    await chooseOAuth();
    await s.page.fill("#node-config-input-clientId", CLIENT.clientId);
    await s.page.fill("#node-config-input-clientSecret", CLIENT.clientSecret);
    await s.page.fill("#node-config-input-scopes", "read:directories");
    await s.page.click("#node-config-dialog-ok");
    await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
    assert.equal(await s.page.evaluate((id: string) => RED.nodes.node(id).authType, IDS.config), "oauth");
    const tokensBefore = s.sb.oauth.requests.length;
    await openNode(s.page, IDS.contact);
    const { items } = await openPicker(s.page, "node-input-directoryId");
    await closePicker(s.page);
    assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.directoryId]);
    const asked = s.sb.oauth.requests.slice(tokensBefore);
    assert.ok(asked.length >= 1, "a token was requested for the lookup");
    assert.equal(new URLSearchParams(asked[0].rawBody).get("scope"), "read:directories");
  });

  it("offers the data center the server suggests, compared without regard to case", async function () {
    // a dialog without a base URL would call the real Qualtrics, so the answer of the test route is given here
    let suggested = "sjc1";
    await s.page.route("**/qualtrics-config/*/test", (route) =>
      route.fulfill({
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          ok: true,
          user: { userName: "sam", brandId: "sandboxbrand", datacenter: "az1" },
          notice: "Request proxied. For faster response times, use this host instead: sjc1.qualtrics.com",
          otherDataCenter: "az1",
          suggestedDataCenter: suggested,
        }),
      }),
    );
    await openConfig(s.page, IDS.config);
    await s.page.fill("#node-config-input-baseUrl", "");
    await s.page.fill("#node-config-input-dataCenter", "iad1");
    let r = await testConnection();
    assert.deepEqual(r.buttons, ["Use sjc1"]);
    assert.equal(r.warn.length, 2, "the notice and the other data center");
    await s.page.click("#node-config-qualtrics-test-result button");
    assert.equal(await s.page.inputValue("#node-config-input-dataCenter"), "sjc1");
    await s.page.fill("#node-config-input-dataCenter", "SJC1");
    r = await testConnection();
    assert.deepEqual(r.buttons, [], "SJC1 is sjc1");
    suggested = "myorg.sjc1.qualtrics.com";
    r = await testConnection();
    assert.deepEqual(r.buttons, ["Use myorg.sjc1.qualtrics.com"]);
  });

  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
