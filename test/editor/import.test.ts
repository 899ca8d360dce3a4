// An example flow imported the way a user does it (menu ▸ Import ▸ Examples ▸
// @xmflows/node-red-qualtrics), its configuration given a token in the dialog, then deployed with the
// Deploy button: no error notification, the flow (and the token) reach the runtime, and it works.
import assert from "node:assert/strict";
import { loadExamples, type Example } from "../support/runtime";
import { IDS, closeTrays, openConfig, useSession } from "./harness";
import { waitFor } from "../support/wait";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const PACKAGE = "@xmflows/node-red-qualtrics";
const EXAMPLE = "Contacts - list, create, update, delete";

describe(`editor: import an example and deploy it (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  let examples: Example[];
  let example: Example;
  /** example node id -> id in the editor after the import */
  const idOf = new Map<string, string>();

  before(async function () {
    // examples/ is written alongside these tests; wait a little for it rather than fail at once
    examples = await waitFor("examples/*.json", () => {
      try {
        const list = loadExamples();
        return list.some((e) => e.label === EXAMPLE) ? list : undefined;
      } catch {
        return undefined;
      }
    }, 60_000, 2_000);
    example = examples.find((e) => e.label === EXAMPLE)!;
  });
  const s = useSession();

  const treeLabel = (text: string) =>
    s.page.locator("#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label").filter({
      has: s.page.locator(".red-ui-treeList-label-text", { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }),
    });

  it("lists the package's examples under Import ▸ Examples", async function () {
    await s.page.click("#red-ui-header-button-sidemenu");
    await s.page.click("#menu-item-import");
    await s.page.waitForSelector("#red-ui-clipboard-dialog-import-tabs", { state: "visible" });
    await s.page.click("#red-ui-clipboard-dialog-import-tabs a[href='#red-ui-clipboard-dialog-import-tab-examples']");
    await treeLabel(PACKAGE).click();
    await treeLabel(EXAMPLE).waitFor({ state: "visible" });
    const listed = await s.page.evaluate((pkg: string) => {
      const labels = $("#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text").toArray();
      const own = labels.find((e: unknown) => $(e).text() === pkg);
      // the package's entries are the items of the list under its own label
      const list = $(own).closest("li").find("ol .red-ui-treeList-label-text");
      return list.toArray().map((e: unknown) => $(e).text());
    }, PACKAGE);
    assert.deepEqual([...listed].sort(), examples.map((e) => e.label).sort());
  });

  it("imports the example into a new flow", async function () {
    await treeLabel(EXAMPLE).click();
    await s.page.waitForFunction(() => $("#red-ui-clipboard-dialog-ok").prop("disabled") === false);
    await s.page.click("#red-ui-clipboard-dialog-import-opt-new");
    const tabsBefore = await s.page.evaluate(() => RED.workspaces.count());
    await s.page.click("#red-ui-clipboard-dialog-ok");
    // the imported nodes follow the mouse until they are dropped on the workspace
    await s.page.waitForFunction((n: number) => RED.workspaces.count() === n + 1, tabsBefore);
    const chart = await s.page.locator("#red-ui-workspace-chart").boundingBox();
    assert.ok(chart);
    await s.page.mouse.move(chart.x + 200, chart.y + 150);
    await s.page.mouse.move(chart.x + 220, chart.y + 160);
    await s.page.mouse.click(chart.x + 220, chart.y + 160);
    await s.page.waitForFunction(() => RED.view.state() === RED.state.DEFAULT);

    const imported = await s.page.evaluate(() => {
      const out: { id: string; type: string; name: string; z: string }[] = [];
      RED.nodes.eachNode((n: { id: string; type: string; name: string; z: string }) => out.push({ id: n.id, type: n.type, name: n.name, z: n.z }));
      RED.nodes.eachConfig((n: { id: string; type: string; name: string; z: string }) => out.push({ id: n.id, type: n.type, name: n.name, z: n.z }));
      return out;
    });
    // matched by ID when the editor kept them, else by type and name (in order)
    const pool = imported.filter((m) => !Object.values(IDS).includes(m.id as never));
    for (const n of example.nodes) {
      let at = pool.findIndex((m) => m.id === n.id);
      if (at < 0) at = pool.findIndex((m) => m.type === n.type && (m.name ?? "") === ((n.name as string | undefined) ?? ""));
      assert.ok(at >= 0, `imported ${n.type} "${n.name}"`);
      idOf.set(n.id, pool[at].id);
      pool.splice(at, 1);
    }
    const flowTabs = new Set(example.nodes.filter((n) => n.z).map((n) => imported.find((m) => m.id === idOf.get(n.id))!.z));
    assert.equal(flowTabs.size, 1, "the example's nodes are on one (new) tab");
    assert.ok(!flowTabs.has(IDS.tab));
  });

  it("gives the imported configuration a token in its dialog, and Test connection works with ${QUALTRICS_BASE_URL}", async function () {
    const configId = idOf.get("qualtrics-example-config")!;
    await openConfig(s.page, configId);
    assert.equal(await s.page.inputValue("#node-config-input-baseUrl"), "${QUALTRICS_BASE_URL}");
    await s.page.fill("#node-config-input-apiToken", s.sb.token);
    await s.page.click("#node-config-qualtrics-test");
    await s.page.waitForFunction(() => $("#node-config-qualtrics-test-result .qualtrics-ok, #node-config-qualtrics-test-result .qualtrics-error").length > 0);
    assert.match(await s.page.textContent("#node-config-qualtrics-test-result") ?? "", /Connected as Sam Sandbox/);
    await s.page.click("#node-config-dialog-ok");
    await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
    await closeTrays(s.page);
    const invalid = await s.page.evaluate(() => {
      const bad: string[] = [];
      RED.nodes.eachNode((n: { id: string; valid: boolean }) => {
        if (n.valid === false) bad.push(n.id);
      });
      return bad;
    });
    assert.deepEqual(invalid, [], "no node is flagged before the deploy");
  });

  it("deploys with the Deploy button: a success notification and no error", async function () {
    const mark = s.nr.mark();
    await s.page.waitForFunction(() => !$("#red-ui-header-button-deploy").hasClass("disabled"));
    await s.page.click("#red-ui-header-button-deploy");
    await s.page.waitForSelector(".red-ui-notification-success, .red-ui-notification-error, .red-ui-notification-warning, .ui-dialog:visible .ui-dialog-buttonset", {
      state: "visible",
    });
    const notes = await s.page.evaluate(() =>
      $(".red-ui-notification")
        .toArray()
        .map((e: unknown) => ({ cls: String($(e).attr("class")), text: $(e).text().trim() })),
    );
    const bad = notes.filter((n: { cls: string }) => /error|warning/.test(n.cls));
    assert.deepEqual(bad, [], "no error or warning notification");
    assert.ok(notes.some((n: { cls: string; text: string }) => /success/.test(n.cls) && /deployed/i.test(n.text)), JSON.stringify(notes));
    await s.page.waitForFunction(() => $("#red-ui-header-button-deploy").hasClass("disabled"));
    // the runtime started the new flow without complaints
    await s.page.waitForTimeout(500);
    assert.deepEqual(s.nr.problems(mark), []);
  });

  it("has the example in GET /flows, its token in the runtime, and the flow works", async function () {
    const { flows } = await s.nr.getFlows();
    const ids = new Set(flows.map((n) => n.id));
    for (const n of example.nodes) assert.ok(ids.has(idOf.get(n.id)!), `${n.type} "${n.name}" deployed`);
    // the dialog's deployed nodes are still there too
    assert.ok(ids.has(IDS.contact));
    // no token in the flows
    assert.ok(!JSON.stringify(flows).includes(s.sb.token));

    const before = s.sb.requests.length;
    await s.nr.inject(idOf.get("qex-contacts-inject-list")!);
    const req = await waitFor("the example's contact list request", () =>
      s.sb.requests.slice(before).find((r) => r.method === "GET" && r.path.includes(`/directories/${s.sb.seedIds.directoryId}/contacts`)),
    );
    assert.equal(req.headers["x-api-token"], s.sb.token);
  });

  describe("the whole session", function () {
    it("had no page errors and no console errors", function () {
      assert.deepEqual(s.errors, []);
    });
  });
});
