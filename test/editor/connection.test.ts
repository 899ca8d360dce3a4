// "Test connection" in the configuration dialog, against the sandbox: success names the user and
// the brand; a wrong token, an unreachable server and a failing server give a clear failure. Also:
// a new configuration that is not deployed yet, and pickers through an edited configuration.
import assert from "node:assert/strict";
import { freePort } from "../support/runtime";
import { IDS, closePicker, closeTrays, openConfig, openNode, openPicker, screenshotTray, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface TestResult {
  ok: string[];
  muted: string[];
  warn: string[];
  error: string[];
}

describe(`editor: Test connection (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);

  const s = useSession();

  beforeEach(function () {
    s.sb.faults.clear();
  });

  afterEach(async function () {
    await closeTrays(s.page).catch(() => undefined);
  });

  /** clicks Test connection and waits for the answer */
  async function testConnection(): Promise<TestResult> {
    await s.page.click("#node-config-qualtrics-test");
    await s.page.waitForFunction(() => {
      const r = $("#node-config-qualtrics-test-result");
      return r.is(":visible") && r.find(".fa-spinner").length === 0 && r.text().trim() !== "" && !$("#node-config-qualtrics-test").prop("disabled");
    });
    const result = (await s.page.evaluate(() => {
      const r = $("#node-config-qualtrics-test-result");
      const texts = (cls: string) =>
        r
          .find("." + cls)
          .toArray()
          .map((e: unknown) => $(e).text().trim());
      return { ok: texts("qualtrics-ok"), muted: texts("qualtrics-muted"), warn: texts("qualtrics-warn"), error: texts("qualtrics-error") };
    })) as TestResult;
    return result;
  }

  function lastWhoami() {
    const r = [...s.sb.requests].reverse().find((q) => q.method === "GET" && q.path.endsWith("/whoami"));
    assert.ok(r, "the sandbox received GET /whoami");
    return r;
  }

  it("succeeds with the stored token and shows the user, brand and data center", async function () {
    await openConfig(s.page, IDS.config);
    const r = await testConnection();
    assert.deepEqual(r.error, []);
    assert.deepEqual(r.ok, ["Connected as Sam Sandbox (sam.sandbox@example.com#sandboxbrand)"]);
    assert.deepEqual(r.muted, ["Brand sandboxbrand, data center iad1"]);
    assert.deepEqual(r.warn, []);
    // the editor sent the placeholder; the server used the stored token
    assert.equal(lastWhoami().headers["x-api-token"], s.sb.token);
    await screenshotTray(s.page, s.major, "qualtrics-config");
  });

  it("reports a wrong token typed in the dialog as a clear failure", async function () {
    await openConfig(s.page, IDS.config);
    await s.page.fill("#node-config-input-apiToken", "wrong-token-0000000000000000000000000000");
    const r = await testConnection();
    assert.deepEqual(r.ok, []);
    assert.equal(r.error.length, 1);
    assert.match(r.error[0], /^Connection failed: /);
    assert.match(r.error[0], /401/);
    assert.match(r.error[0], /Invalid or missing API token/);
    assert.ok(!r.error[0].includes("wrong-token"), "the token is not echoed");
    assert.equal(lastWhoami().headers["x-api-token"], "wrong-token-0000000000000000000000000000");
    await screenshotTray(s.page, s.major, "qualtrics-config-failed");
  });

  it("reports a server that does not answer", async function () {
    await openConfig(s.page, IDS.config);
    const closed = await freePort();
    await s.page.fill("#node-config-input-baseUrl", `http://127.0.0.1:${closed}/API/v3`);
    const r = await testConnection();
    assert.deepEqual(r.ok, []);
    assert.equal(r.error.length, 1);
    assert.match(r.error[0], /^Connection failed: /);
    assert.match(r.error[0], /ECONNREFUSED|refused|connect/i);
  });

  it("reports a server error from Qualtrics", async function () {
    s.sb.faults.set({ rules: [{ match: { method: "GET", path: "/whoami" }, action: "status", status: 500 }] });
    await openConfig(s.page, IDS.config);
    const r = await testConnection();
    assert.deepEqual(r.ok, []);
    assert.equal(r.error.length, 1);
    assert.match(r.error[0], /^Connection failed: .*500/);
  });

  it("reports a data center that is not valid without asking anyone", async function () {
    await openConfig(s.page, IDS.config);
    await s.page.fill("#node-config-input-baseUrl", "");
    await s.page.fill("#node-config-input-dataCenter", "not a data center!");
    const before = s.sb.requests.length;
    const r = await testConnection();
    assert.equal(r.error.length, 1);
    assert.match(r.error[0], /^Connection failed: Data center: /);
    assert.equal(s.sb.requests.length, before);
  });

  it("tests a new configuration before it is deployed, with the token typed in the dialog", async function () {
    await s.page.evaluate(() => RED.editor.editConfig("", "qualtrics-config", "_ADD_"));
    await s.page.waitForSelector("#node-config-dialog-ok", { state: "visible" });
    await s.page.waitForTimeout(300);
    // a new configuration starts with the defaults and the advanced settings folded
    assert.equal(await s.page.inputValue("#node-config-input-dataCenter"), "iad1");
    assert.equal(await s.page.inputValue("#node-config-input-apiToken"), "");
    assert.equal(await s.page.isVisible("#node-config-input-baseUrl"), false);
    await s.page.click("#node-config-qualtrics-advanced-toggle");
    await s.page.fill("#node-config-input-baseUrl", s.sb.apiBase);
    // no token yet: a clear message, no request
    let r = await testConnection();
    assert.match(r.error.join(" "), /^Connection failed: No API token/);
    await s.page.fill("#node-config-input-apiToken", s.sb.token);
    r = await testConnection();
    assert.deepEqual(r.error, []);
    assert.match(r.ok.join(" "), /Connected as Sam Sandbox/);
  });

  it("fills pickers through an edited configuration that is not deployed yet", async function () {
    // edit the deployed configuration (a new name) and keep it: the editor marks it changed
    await openConfig(s.page, IDS.config);
    await s.page.fill("#node-config-input-name", "Sandbox (edited)");
    await s.page.click("#node-config-dialog-ok");
    await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
    assert.equal(await s.page.evaluate((id: string) => !!RED.nodes.node(id).changed, IDS.config), true);

    const before = s.sb.requests.length;
    await openNode(s.page, IDS.contact);
    const { items } = await openPicker(s.page, "node-input-directoryId");
    await closePicker(s.page);
    assert.deepEqual(items.map((i) => i.value), [s.sb.seedIds.directoryId]);
    // asked with the dialog's values and the stored token (the editor never had it)
    const asked = s.sb.requests.slice(before).filter((q) => q.path.endsWith("/directories"));
    assert.ok(asked.length >= 1, "the sandbox was asked for the directories");
    assert.equal(asked[asked.length - 1].headers["x-api-token"], s.sb.token);
  });

  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
