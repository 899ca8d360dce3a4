// A newcomer's first contact lookup (issue 15), no ID typed anywhere: drop a contact node from the
// palette, find the one configuration already chosen, pick the directory by its name and the contact
// by typing part of an email, deploy, press the inject button and read the contact in the debug
// sidebar. The dialog is photographed with the names showing.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { IDS, openNode, openPicker, choose, screenshotTray, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** drags a palette entry onto the workspace and returns the id of the node it made */
async function drop(page: Page, type: string, x: number, y: number): Promise<string> {
  const before: string[] = await page.evaluate((t: string) => RED.nodes.filterNodes({ type: t }).map((n: { id: string }) => n.id), type);
  const entry = page.locator(`.red-ui-palette-node[data-palette-type='${type}']`);
  await entry.scrollIntoViewIfNeeded();
  const from = (await entry.boundingBox())!;
  const chart = (await page.locator("#red-ui-workspace-chart").boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(chart.x + x, chart.y + y, { steps: 12 });
  await page.mouse.up();
  return page.evaluate(
    ([t, known]: [string, string[]]) => {
      const made = RED.nodes.filterNodes({ type: t }).filter((n: { id: string }) => !known.includes(n.id));
      return made.length === 1 ? made[0].id : "";
    },
    [type, before] as [string, string[]],
  );
}

describe(`editor: a new user looks up a contact by name (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(180_000);
  const s = useSession();
  let contactNode = "";
  let inject = "";
  let debug = "";

  it("drops a contact node with the only configuration already chosen", async function () {
    await s.page.evaluate((z: string) => RED.workspaces.show(z), IDS.tab);
    contactNode = await drop(s.page, "qualtrics-contact", 420, 560);
    assert.notEqual(contactNode, "", "the drop made one contact node");
    assert.equal(await s.page.evaluate((id: string) => RED.nodes.node(id).qualtrics, contactNode), IDS.config);
    await openNode(s.page, contactNode);
    assert.equal(await s.page.evaluate(() => $("#node-input-qualtrics").val()), IDS.config);
  });

  it("picks the directory by name and the contact by typing part of an email", async function () {
    const dirs = await openPicker(s.page, "node-input-directoryId");
    const dir = dirs.items.find((i) => i.label === "Default Directory");
    assert.ok(dir, `the directory is listed by name: ${JSON.stringify(dirs.items)}`);
    await choose(s.page, dir.value);
    await s.page.waitForFunction(() => $("#node-input-directoryId-name").text() === "Default Directory");

    const contact = [...s.sb.state.directories.get(s.sb.seedIds.directoryId)!.contacts.values()][0];
    const part = contact.email!.split("@")[0].slice(0, 6);
    const expand = s.page.locator("#node-input-contactId + .red-ui-typedInput-container button.red-ui-typedInput-option-expand");
    await expand.click();
    await s.page.waitForSelector(".qualtrics-picker", { state: "visible" });
    await s.page.locator(".qualtrics-picker input[type=text]").pressSequentially(part);
    const row = s.page.locator(`.qualtrics-picker-list a[title$='(${contact.contactId})']`);
    await row.waitFor({ state: "visible" });
    assert.match(await row.innerText(), new RegExp(`${contact.firstName} ${contact.lastName}`));
    await row.click();
    await s.page.waitForFunction((text: string) => $("#node-input-contactId-name").text().includes(text), contact.email!);
    assert.equal(await s.page.evaluate(() => $("#node-input-contactId").typedInput("type")), "qualtrics");
    await screenshotTray(s.page, s.major, "new-user-contact");
    await s.page.click("#node-dialog-ok");
    await s.page.waitForSelector("#node-dialog-ok", { state: "hidden" });
  });

  it("deploys, and the inject button brings the contact to the debug sidebar", async function () {
    // the inject and debug nodes around it, wired as a user wires them
    [inject, debug] = await s.page.evaluate(
      ([z, target]: string[]) => {
        const made = RED.view.importNodes(
          [
            { id: "qnu-inject", type: "inject", z, name: "", props: [], repeat: "", once: false, topic: "", x: 200, y: 560, wires: [[target]] },
            { id: "qnu-debug", type: "debug", z, name: "", active: true, tosidebar: true, complete: "payload", targetType: "msg", x: 660, y: 560, wires: [] },
          ],
          { generateIds: false },
        );
        void made;
        const i = RED.nodes.node("qnu-inject");
        RED.nodes.addLink({ source: i, sourcePort: 0, target: RED.nodes.node(target) });
        RED.nodes.addLink({ source: RED.nodes.node(target), sourcePort: 0, target: RED.nodes.node("qnu-debug") });
        RED.nodes.dirty(true);
        RED.view.redraw(true);
        return ["qnu-inject", "qnu-debug"];
      },
      [IDS.tab, contactNode],
    );
    await s.page.waitForFunction(() => !$("#red-ui-header-button-deploy").hasClass("disabled"));
    await s.page.click("#red-ui-header-button-deploy");
    await s.page.waitForFunction(() => $("#red-ui-header-button-deploy").hasClass("disabled"), undefined, { timeout: 30_000 });
    await s.page.evaluate(() => RED.sidebar.show("debug"));
    await s.page.locator(`#${inject} .red-ui-flow-node-button`).click();
    const contact = [...s.sb.state.directories.get(s.sb.seedIds.directoryId)!.contacts.values()][0];
    const msg = s.page.locator(".red-ui-debug-msg").first();
    await msg.waitFor({ state: "visible", timeout: 30_000 }).catch(async () => {
      await s.page.screenshot({ path: "build/new-user-debug.png" });
      throw new Error("no debug message; " + (await s.page.evaluate(() => $("#red-ui-sidebar-content").text().slice(0, 500))));
    });
    // the message as the sidebar shows it, opened as a user opens it
    await msg.locator(".red-ui-debug-msg-element .red-ui-debug-msg-object-handle").first().click().catch(() => undefined);
    await s.page.waitForFunction((email: string) => $(".red-ui-debug-msg").first().text().includes(email), contact.email!);
    assert.ok(debug);
  });

  it("had no page errors and no console errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
