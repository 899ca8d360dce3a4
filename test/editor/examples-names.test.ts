// The example flows as a new user meets them (issue 15): each dialog opens on its pickers with the
// names of the sandbox's account under them (Customer Satisfaction, Default Directory, ...), not
// bare IDs, and pressing Done without touching anything leaves the node unchanged, so Deploy stays
// off.
import assert from "node:assert/strict";
import { examplesFlows } from "../support/runtime";
import { ownNodes, savedFlowsCredentials } from "../support/saved-flows";
import { CONFIG_TYPE, openConfig, openNode, typedInputInfo, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

type Names = Record<string, { id: string; name: string }>;

const flows = examplesFlows();
const ours = ownNodes(flows);

describe(`editor: the example flows open with names (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  const s = useSession(async (session) => {
    const current = (await session.nr.getFlows()).flows;
    await session.nr.deploy([...current, ...flows], savedFlowsCredentials(flows, session.sb.token));
    await session.page.reload();
    await session.page.waitForFunction((ids: string[]) => ids.every((id) => !!RED.nodes.node(id)), ours.map((n) => n.id), { timeout: 30_000 });
  }, "editor-examples-names-failure");

  it("have their account IDs picked by name", function () {
    const named = ours.filter((n) => n.names && Object.keys(n.names as Names).length);
    assert.ok(named.length >= 30, `${named.length} nodes with names`);
  });

  for (const n of ours) {
    const names = (n.names ?? {}) as Names;
    it(`${n.type} ${n.id}: ${Object.keys(names).length ? "shows " + Object.values(names).map((e) => e.name).join(", ") + ", and " : ""}Done changes nothing`, async function () {
      const config = n.type === CONFIG_TYPE;
      if (config) await openConfig(s.page, n.id);
      else await openNode(s.page, n.id);
      for (const [prop, entry] of Object.entries(names)) {
        assert.equal((await typedInputInfo(s.page, `#node-input-${prop}`)).type, "qualtrics", `${prop} is a picker`);
        await s.page.waitForFunction(([p, name]: string[]) => $(`#node-input-${p}-name`).text() === name, [prop, entry.name], { timeout: 15_000 });
      }
      await s.page.click(config ? "#node-config-dialog-ok" : "#node-dialog-ok");
      await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
      assert.equal(await s.page.evaluate((id: string) => !!RED.nodes.node(id).changed, n.id), false, "unchanged");
    });
  }

  it("leave nothing to deploy", async function () {
    assert.equal(await s.page.evaluate(() => $("#red-ui-header-button-deploy").hasClass("disabled")), true);
  });

  it("had no page errors and no console errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
