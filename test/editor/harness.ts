// Browser tests of the edit dialogs: one sandbox, one real Node-RED (NR_PKG, on this Node) with a
// flow that has one node of each type and a configuration pointed at the sandbox, and one headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on the editor.
//
// Every page error and console error of the whole session is collected; each suite ends by
// asserting there were none. close() ends the browser, Node-RED and the sandbox even when a step
// failed, and a failed start cleans up what it had started.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startSandbox, type Sandbox } from "../../sandbox";
import { CONFIG_TYPE, sandboxConfig } from "../support/config-node";
import { standIn } from "../support/fixtures";
import { REPO_ROOT, freePort, startNodeRed, type Credentials, type FlowNode, type NodeRed } from "../support/runtime";
import { waitFor } from "../support/wait";

// The editor's globals, for the functions that run in the page (page.evaluate / waitForFunction).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;
declare const $: any;
declare const document: any;

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
// test runs write to build/; UPDATE_SCREENSHOTS=1 refreshes the ones docs/ shows
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? path.join(REPO_ROOT, "docs", "screenshots")
  : path.join(REPO_ROOT, "build", "screenshots");
/** preferred sandbox port (the next free one is taken when it is busy) */
const SANDBOX_PORT = 4710;

export { CONFIG_TYPE };
/** every palette type the package declares, so a new node is checked without editing this list */
export const TYPES: readonly string[] = Object.keys(
  (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } })["node-red"].nodes,
).filter((t) => t !== CONFIG_TYPE);

/** IDs of the deployed flow */
export const IDS = {
  tab: "qed-tab",
  config: "qed-config",
  contact: "qed-contact",
  distribution: "qed-distribution",
  invite: "qed-invite",
  api: "qed-api",
  responseIn: "qed-response-in",
} as const;

export interface Session {
  sb: Sandbox;
  nr: NodeRed;
  browser: Browser;
  page: Page;
  /** "nr4" or "nr5" */
  major: string;
  /** Node-RED's version as the editor reports it */
  version: string;
  /** page errors and console errors, for the whole session */
  errors: string[];
  close(): Promise<void>;
}

export function nodeRedMajor(pkg = process.env.NR_PKG || "node-red"): string {
  const file = require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] });
  const version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
  return `nr${version.split(".")[0]}`;
}

/** The flow every suite starts from: a tab, one node of each type, a configuration on the sandbox. */
export function editorFlow(sb: Sandbox): { flows: FlowNode[]; credentials: Credentials } {
  const s = sb.seedIds;
  const z = IDS.tab;
  const flows: FlowNode[] = [
    { id: z, type: "tab", label: "Qualtrics dialogs", disabled: false, info: "" },
    sandboxConfig({ id: IDS.config, name: "Sandbox", baseUrl: sb.apiBase, timeout: 30, retries: 4 }),
    {
      id: IDS.contact,
      type: "qualtrics-contact",
      z,
      name: "",
      qualtrics: IDS.config,
      operation: "get",
      directoryId: s.directoryId,
      directoryIdType: "qualtrics",
      contactId: s.contactIds[0],
      contactIdType: "str",
      limit: 1000,
      pageSize: 100,
      output: "array",
      x: 200,
      y: 80,
      wires: [[]],
    },
    {
      id: IDS.distribution,
      type: "qualtrics-distribution",
      z,
      name: "",
      qualtrics: IDS.config,
      channel: "email",
      surveyId: s.surveyIds[0],
      surveyIdType: "qualtrics",
      libraryId: s.libraryId,
      libraryIdType: "qualtrics",
      messageId: s.messageIds.invite,
      messageIdType: "qualtrics",
      mailingListId: s.mailingListIds[0],
      mailingListIdType: "qualtrics",
      fromEmail: "surveys@example.com",
      fromEmailType: "str",
      fromName: "Customer Care",
      fromNameType: "str",
      subject: "How did we do?",
      subjectType: "str",
      linkType: "Individual",
      linkTypeType: "str",
      method: "Invite",
      methodType: "str",
      x: 200,
      y: 160,
      wires: [[]],
    },
    {
      id: IDS.invite,
      type: "qualtrics-invite",
      z,
      name: "",
      qualtrics: IDS.config,
      directoryId: s.directoryId,
      directoryIdType: "qualtrics",
      mailingListId: s.mailingListIds[0],
      mailingListIdType: "qualtrics",
      matchKey: "email",
      surveyId: s.surveyIds[0],
      surveyIdType: "qualtrics",
      transaction: "payload.transaction",
      transactionType: "msg",
      channel: "email",
      libraryId: s.libraryId,
      libraryIdType: "qualtrics",
      messageId: s.messageIds.invite,
      messageIdType: "qualtrics",
      fromEmail: "surveys@example.com",
      fromEmailType: "str",
      fromName: "Customer Care",
      fromNameType: "str",
      subject: "How did we do?",
      subjectType: "str",
      linkType: "",
      quietDays: 7,
      x: 200,
      y: 400,
      wires: [[]],
    },
    {
      id: IDS.api,
      type: "qualtrics-api",
      z,
      name: "",
      qualtrics: IDS.config,
      method: "GET",
      url: "/surveys",
      paging: "all",
      limit: 0,
      x: 200,
      y: 240,
      wires: [[]],
    },
    {
      id: IDS.responseIn,
      type: "qualtrics-response-in",
      z,
      name: "",
      qualtrics: IDS.config,
      surveyId: s.surveyIds[0],
      topic: "",
      path: "/qualtrics/responses",
      autoRegister: false,
      publicBaseUrl: "",
      fetchResponse: true,
      dedupeSeconds: 600,
      maxBodyKb: 256,
      x: 200,
      y: 320,
      wires: [[]],
    },
  ];
  return { flows, credentials: { [IDS.config]: { apiToken: sb.token } } };
}

async function safely(what: string, f: () => Promise<unknown> | undefined): Promise<void> {
  try {
    await f();
  } catch (err) {
    console.error(`editor tests: closing ${what} failed: ${(err as Error).message}`);
  }
}

/**
 * Starts the sandbox, Node-RED (with QUALTRICS_BASE_URL = the sandbox, which the example flows'
 * configuration uses), deploys editorFlow() and opens the editor in Chromium.
 */
export async function startSession(): Promise<Session> {
  let sb: Sandbox | undefined;
  let nr: NodeRed | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await safely("the browser", () => browser?.close());
    await safely("Node-RED", () => nr?.dispose());
    await safely("the sandbox", () => sb?.close());
  };
  try {
    // a steady port when it is free, so the base URL in the screenshots stays the same
    sb = await startSandbox({ port: await freePort(SANDBOX_PORT) }).catch(() => startSandbox());
    const sandbox = sb;
    nr = await startNodeRed({
      logLevel: "warn",
      // (QUALTRICS_PUBLIC_URL only matters to the response-trigger example, which is not deployed here)
      env: { QUALTRICS_BASE_URL: sandbox.apiBase, QUALTRICS_PUBLIC_URL: "http://127.0.0.1:1" },
    });
    const { flows, credentials } = editorFlow(sandbox);
    await nr.deploy(flows, credentials);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    // tall enough for the longest dialog (distribution) to show without scrolling
    const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console error: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
    });
    page.setDefaultTimeout(15_000);
    await page.goto(nr.url);
    // the palette entry proves the HTML parsed and the type registered
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='qualtrics-contact']", { timeout: 60_000 });
    // the deployed flow is loaded into the editor
    await page.waitForFunction((id: string) => !!RED.nodes.node(id), IDS.contact, { timeout: 30_000 });
    const version = String(await page.evaluate(() => RED.settings.version));
    return { sb: sandbox, nr, browser, page, major: nodeRedMajor(), version, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

// --------------------------------------------------------------------------- dialogs

/** Opens a flow node's edit tray. */
export async function openNode(page: Page, id: string): Promise<void> {
  await page.evaluate((nodeId: string) => RED.editor.edit(RED.nodes.node(nodeId)), id);
  await page.waitForSelector("#node-dialog-ok", { state: "visible" });
  await settle(page);
}

/** Opens a configuration node's edit tray (on its own, as from the Configuration nodes sidebar). */
export async function openConfig(page: Page, id: string, type = CONFIG_TYPE): Promise<void> {
  await page.evaluate(([t, nodeId]: string[]) => RED.editor.editConfig("", t, nodeId), [type, id]);
  await page.waitForSelector("#node-config-dialog-ok", { state: "visible" });
  await settle(page);
}

/** lets the tray finish sliding in and oneditprepare's first updates run */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const trays = document.querySelectorAll(".red-ui-tray");
    if (!trays.length) return false;
    const r = trays[trays.length - 1].getBoundingClientRect();
    return r.width > 0 && !$(".red-ui-tray").last().is(":animated");
  });
  await page.waitForTimeout(400);
}

/** Cancels whatever tray is open (a config tray first), until none is left. */
export async function closeTrays(page: Page): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const cancel = (await page.$("#node-config-dialog-cancel:visible")) ?? (await page.$("#node-dialog-cancel:visible"));
    if (!cancel) break;
    await cancel.click();
    await page.waitForTimeout(400);
  }
  await page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 0);
}

/**
 * The open tray as a PNG in docs/screenshots/<major>-<name>.png, cropped to its header and its
 * visible fields (and an open picker panel), without the empty space below them.
 */
export async function screenshotTray(page: Page, major: string, name: string, opts: { keepFocus?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${major}-${name}.png`);
  // nothing focused, so no blinking caret or focus ring in the picture
  if (!opts.keepFocus) {
    await page.evaluate(() => document.activeElement?.blur?.());
    // no hover highlight on the button that was clicked last
    await page.mouse.move(1, 1);
  }
  const clip = await page.evaluate(() => {
    const trays = document.querySelectorAll(".red-ui-tray");
    const tray = trays[trays.length - 1];
    const box = tray.getBoundingClientRect();
    const header = tray.querySelector(".red-ui-tray-header");
    const left = header ? header.getBoundingClientRect().left : box.left;
    let bottom = box.top + 120;
    const consider = (el: any) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.height > box.height * 0.6) return;
      if (r.top > box.bottom || r.left > box.right) return;
      bottom = Math.max(bottom, r.bottom);
    };
    const body = tray.querySelector(".red-ui-tray-body") ?? tray;
    for (const el of Array.from(body.querySelectorAll("*"))) consider(el);
    for (const el of Array.from(document.querySelectorAll(".qualtrics-picker"))) consider(el);
    const height = Math.min(box.bottom, bottom + 16) - box.top;
    return { x: Math.round(left), y: Math.round(box.top), width: Math.round(box.right - left), height: Math.round(height) };
  });
  await page.screenshot({ path: file, clip, animations: "disabled" });
  return file;
}

/** The type and the available types of a typedInput. */
export async function typedInputInfo(page: Page, selector: string): Promise<{ type: string; types: string[]; value: string; container: boolean }> {
  return page.evaluate((sel: string) => {
    const el = $(sel);
    const inst = el.typedInput("instance");
    return {
      type: el.typedInput("type"),
      types: inst && inst.typeList ? inst.typeList.map((t: { value: string }) => t.value) : [],
      value: el.typedInput("value"),
      container: el.next(".red-ui-typedInput-container").length === 1,
    };
  }, selector);
}

/** Sets a typedInput's value (and type) the way the widget does when the user edits it. */
export async function setTyped(page: Page, selector: string, value: string, type?: string): Promise<void> {
  await page.evaluate(
    ([sel, v, t]: (string | undefined)[]) => {
      const el = $(sel);
      if (t) el.typedInput("type", t);
      el.typedInput("value", v);
      el.trigger("change");
    },
    [selector, value, type],
  );
}

/** Types into a typedInput's visible text box, as a user does. */
export async function typeInto(page: Page, id: string, text: string): Promise<void> {
  const box = page.locator(`#${id} + .red-ui-typedInput-container input.red-ui-typedInput-input`);
  await box.fill("");
  await box.pressSequentially(text);
  // a picker asks for names matching the text as it is typed, and Tab takes the first entry of a
  // list still shown: Tab once the last answer is in (no jQuery request in flight)
  await page.waitForFunction(() => $.active === 0);
  await box.press("Tab");
}

export async function hasError(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel: string) => $(sel).hasClass("input-error"), selector);
}

export async function waitForError(page: Page, selector: string, expected: boolean): Promise<void> {
  await page.waitForFunction(([sel, want]: [string, boolean]) => $(sel).hasClass("input-error") === want, [selector, expected] as [string, boolean]);
}

/** The validator's message for one property of the open dialog (what the field's tooltip shows). */
export async function validationMessage(page: Page, nodeId: string, prop: string): Promise<unknown> {
  return page.evaluate(
    ([id, p]: string[]) => {
      const node = RED.nodes.node(id);
      const def = node._def.defaults[p];
      const el = $("#node-input-" + p);
      const v = el.attr("type") === "checkbox" ? el.prop("checked") : el.val();
      return def.validate ? def.validate.call(node, v, {}) : true;
    },
    [nodeId, prop],
  );
}

export async function isVisible(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((sel: string) => $(sel).is(":visible"), selector);
}

/** Whether the form row of #node-input-<prop> is shown */
export async function rowVisible(page: Page, prop: string): Promise<boolean> {
  return page.evaluate((p: string) => $("#node-input-" + p).closest(".form-row").is(":visible"), prop);
}

export interface PickerItem {
  label: string;
  value: string;
  detail: string;
}

/**
 * Opens the "qualtrics" picker of a typedInput with its search button, waits for the list from the
 * sandbox and returns its entries (and the status line). Leaves the panel open; closePicker() closes it.
 */
export async function openPicker(page: Page, id: string): Promise<{ items: PickerItem[]; status: string }> {
  const expand = page.locator(`#${id} + .red-ui-typedInput-container button.red-ui-typedInput-option-expand`);
  await expand.click();
  await page.waitForSelector(".qualtrics-picker", { state: "visible" });
  // loaded, and the panel done sliding open (as a person sees it before choosing)
  await page.waitForFunction(() => {
    const status = $(".qualtrics-picker:visible .qualtrics-picker-status").text();
    return status !== "" && !/Loading/i.test(status) && $(".red-ui-popover-panel:animated").length === 0;
  });
  return page.evaluate(() => {
    const box = $(".qualtrics-picker:visible");
    const items = box
      .find(".qualtrics-picker-list a")
      .toArray()
      .map((a: unknown) => {
        const spans = $(a).children("span");
        const title = String($(a).attr("title") || "");
        const m = /\(([^()]+)\)$/.exec(title);
        return { label: $(spans[0]).text(), value: m ? m[1] : "", detail: $(spans[1]).text() };
      });
    return { items, status: box.find(".qualtrics-picker-status").text() };
  });
}

export async function closePicker(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => $(".qualtrics-picker:visible").length === 0);
}

/** Clicks an entry of the open picker. */
export async function choose(page: Page, value: string): Promise<void> {
  await page.locator(`.qualtrics-picker-list a[title$='(${value})']`).click();
  await page.waitForFunction(() => $(".qualtrics-picker:visible").length === 0);
}

/**
 * Opens the picker of `prop`, chooses `value` from it, and waits for the chosen entry's name under
 * the field, as a user picks by name. Returns what the picker offered, as [name, ID] sorted by name,
 * and the field's type and value after the choice.
 */
export async function pickByName(page: Page, prop: string, value: string): Promise<{ offered: string[][]; picked: { type: string; value: string } }> {
  const { items } = await openPicker(page, `node-input-${prop}`);
  const label = items.find((i) => i.value === value)?.label;
  assert.ok(label, `${prop}: ${value} is not offered (${items.map((i) => i.label).join(", ")})`);
  await choose(page, value);
  await page.waitForFunction(([id, text]) => $(`#${id}`).text() === text, [`node-input-${prop}-name`, label]);
  const { type, value: now } = await typedInputInfo(page, `#node-input-${prop}`);
  return { offered: items.map((i) => [i.label, i.value]).sort(), picked: { type, value: now } };
}

export { waitFor };

/**
 * The session of a suite: started in before() (then `ready`, e.g. more nodes on the tab), closed in
 * after(); a failed test prints the Node-RED log and the page errors and saves a screenshot.
 */
export function useSession(ready?: (s: Session) => Promise<void>, failureShot = "editor-failure"): Session {
  let current: Session | undefined;
  const s = standIn(() => current);
  before(async function () {
    current = await startSession();
    await ready?.(s);
  });
  after(async function () {
    await current?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && current) {
      console.log(`--- Node-RED log ---\n${current.nr.log}\n--- page errors ---\n${current.errors.join("\n")}`);
      await current.page.screenshot({ path: `build/${failureShot}-${current.major}.png` }).catch(() => undefined);
    }
  });
  return s;
}
