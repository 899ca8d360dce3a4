// A newcomer's first flows (issue 15), no ID typed anywhere: drop a node from the palette, find the
// one configuration already chosen, pick what it works on by name (a contact by typing part of an
// email), deploy, press the inject button and read the result in the debug sidebar. Each dialog is
// photographed with the names showing.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { IDS, openNode, openPicker, choose, screenshotTray, typeInto, useSession, waitFor } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** drags a palette entry onto the workspace and returns the id of the node it made */
/** picks the entry labelled `label` in the list of a picker and waits for its name under the field */
async function pickByName(page: Page, id: string, label: string): Promise<string> {
  const listed = await openPicker(page, id);
  const item = listed.items.find((i) => i.label === label);
  assert.ok(item, `${id}: "${label}" is listed by name in ${JSON.stringify(listed.items.map((i) => i.label))}`);
  await choose(page, item.value);
  await page.waitForFunction(([field, text]: string[]) => $(`#${field}-name`).text() === text, [id, label]);
  return item.value;
}

/** wires inject -> node -> debug, deploys with the Deploy button and presses the inject button */
async function deployAndInject(page: Page, z: string, target: string, tag: string): Promise<ReturnType<Page["locator"]>> {
  await page.evaluate(
    ([tab, node, t]: string[]) => {
      RED.view.importNodes(
        [
          { id: `${t}-inject`, type: "inject", z: tab, name: "", props: [], repeat: "", once: false, topic: "", x: 200, y: 640, wires: [] },
          { id: `${t}-debug`, type: "debug", z: tab, name: "", active: true, tosidebar: true, complete: "payload", targetType: "msg", x: 700, y: 640, wires: [] },
        ],
        { generateIds: false },
      );
      RED.nodes.addLink({ source: RED.nodes.node(`${t}-inject`), sourcePort: 0, target: RED.nodes.node(node) });
      RED.nodes.addLink({ source: RED.nodes.node(node), sourcePort: 0, target: RED.nodes.node(`${t}-debug`) });
      RED.nodes.dirty(true);
      RED.view.redraw(true);
    },
    [z, target, tag],
  );
  await page.waitForFunction(() => !$("#red-ui-header-button-deploy").hasClass("disabled"));
  await page.click("#red-ui-header-button-deploy");
  await page.waitForFunction(() => $("#red-ui-header-button-deploy").hasClass("disabled"), undefined, { timeout: 30_000 });
  await page.evaluate(() => {
    RED.sidebar.show("debug");
    $(".red-ui-debug-msg").remove();
  });
  await page.locator(`#${tag}-inject .red-ui-flow-node-button`).click();
  const msg = page.locator(".red-ui-debug-msg").first();
  await msg.waitFor({ state: "visible", timeout: 30_000 });
  // the message as the sidebar shows it, opened as a user opens it
  await msg.locator(".red-ui-debug-msg-object-handle").first().click().catch(() => undefined);
  return msg;
}

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

describe(`editor: a new user's first flows, everything picked by name (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(180_000);
  const s = useSession();
  let contactNode = "";

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
    const contact = [...s.sb.state.directories.get(s.sb.seedIds.directoryId)!.contacts.values()][0];
    await deployAndInject(s.page, IDS.tab, contactNode, "qnu-contact");
    await s.page.waitForFunction((email: string) => $(".red-ui-debug-msg").first().text().includes(email), contact.email!);
    assert.match(await s.page.evaluate((id: string) => RED.nodes.node(id).names.contactId.name, contactNode), new RegExp(contact.lastName!));
  });

  it("sends a survey by email: survey, library, message and mailing list picked by name", async function () {
    const node = await drop(s.page, "qualtrics-distribution", 420, 760);
    assert.notEqual(node, "");
    await openNode(s.page, node);
    assert.equal(await s.page.evaluate(() => $("#node-input-qualtrics").val()), IDS.config);
    const state = s.sb.state;
    const survey = state.surveys.get(s.sb.seedIds.surveyIds[0])!;
    const library = state.libraries.get(s.sb.seedIds.libraryId)!;
    const message = library.messages.get(s.sb.seedIds.messageIds.invite)!;
    const list = state.directories.get(s.sb.seedIds.directoryId)!.mailingLists.get(s.sb.seedIds.mailingListIds[0])!;
    await pickByName(s.page, "node-input-surveyId", survey.name);
    await pickByName(s.page, "node-input-libraryId", library.libraryName);
    await pickByName(s.page, "node-input-messageId", message.description);
    await pickByName(s.page, "node-input-mailingListId", list.name);
    await typeInto(s.page, "node-input-fromEmail", "surveys@example.com");
    await typeInto(s.page, "node-input-fromName", "Customer Care");
    await typeInto(s.page, "node-input-subject", "How did we do?");
    await screenshotTray(s.page, s.major, "new-user-distribution");
    await s.page.click("#node-dialog-ok");
    await s.page.waitForSelector("#node-dialog-ok", { state: "hidden" });
    assert.ok(
      String(await s.page.evaluate((id: string) => RED.nodes.node(id)._def.label.call(RED.nodes.node(id)), node)).includes(survey.name),
      "the workspace label names the survey",
    );
    await deployAndInject(s.page, IDS.tab, node, "qnu-distribution");
    await s.page.waitForFunction(() => /EMD_/.test($(".red-ui-debug-msg").first().text()));
  });

  it("a response trigger on a survey picked by name", async function () {
    const node = await drop(s.page, "qualtrics-response-in", 420, 960);
    assert.notEqual(node, "");
    await openNode(s.page, node);
    const survey = s.sb.state.surveys.get(s.sb.seedIds.surveyIds[1] ?? s.sb.seedIds.surveyIds[0])!;
    await pickByName(s.page, "node-input-surveyId", survey.name);
    // its own path: the dialog flags one another trigger listens on
    await s.page.fill("#node-input-path", "/qualtrics/new-user");
    await screenshotTray(s.page, s.major, "new-user-response-trigger");
    await s.page.click("#node-dialog-ok");
    await s.page.waitForSelector("#node-dialog-ok", { state: "hidden" });
    assert.ok(
      String(await s.page.evaluate((id: string) => RED.nodes.node(id)._def.label.call(RED.nodes.node(id)), node)).includes(survey.name),
      "the workspace label names the survey",
    );
    await s.page.waitForFunction(() => !$("#red-ui-header-button-deploy").hasClass("disabled"));
    await s.page.click("#red-ui-header-button-deploy");
    await s.page.waitForFunction(() => $("#red-ui-header-button-deploy").hasClass("disabled"), undefined, { timeout: 30_000 });
    const invalid = await s.page.evaluate((id: string) => RED.nodes.node(id).valid, node);
    assert.equal(invalid, true, "the trigger is valid");
    const deployed = await waitFor("the trigger deployed", async () => (await s.nr.getFlows()).flows.find((n) => n.id === node), 15_000, 250);
    assert.equal(deployed.surveyId, survey.id);
  });

  it("had no page errors and no console errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
