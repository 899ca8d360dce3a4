// The name shown under a picker field, as a new user met it (a tester's findings): one lookup per
// picked ID as the dialog opens, no lookup and no "no longer exists" for a value that never was an
// ID, the name coming once the configuration gets its token in its own tray opened from the node's
// dialog, and a contact search box that says what it searches.
import assert from "node:assert/strict";
import type { Request } from "playwright-core";
import { loadExamples } from "../support/runtime";
import { IDS, closePicker, closeTrays, hasError, openNode, setTyped, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe(`editor: names under the picker fields (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(120_000);
  /** the lookups the editor sent: the kind of list and what it searched for */
  const lookups: { kind: string; q: string }[] = [];
  const s = useSession(async (session) => {
    session.page.on("request", (r: Request) => {
      const m = /\/qualtrics-config\/[^/]+\/lookup\/([a-z]+)(\?.*)?$/i.exec(r.url());
      if (m) lookups.push({ kind: m[1], q: new URLSearchParams(m[2] ?? "").get("q") ?? "" });
    });
  });
  const hint = (prop: string) => s.page.evaluate((p: string) => $(`#node-input-${p}-name`).text() as string, prop);

  afterEach(async function () {
    await closePicker(s.page).catch(() => undefined);
    await closeTrays(s.page).catch(() => undefined);
  });

  it("asks for the name of the picked directory once as the dialog opens", async function () {
    const dir = s.sb.seedIds.directoryId;
    const before = lookups.length;
    await openNode(s.page, IDS.contact);
    await s.page.waitForFunction(() => $("#node-input-directoryId-name").text() === "Default Directory");
    // the configuration select fires its change 50 ms after the dialog opened: let it come
    await s.page.waitForTimeout(500);
    const asked = lookups.slice(before).filter((l) => l.kind === "directories" && l.q === dir);
    assert.equal(asked.length, 1, `lookups of ${dir}: ${JSON.stringify(lookups.slice(before))}`);
  });

  it("does not look up a value that is not a directory ID, and does not call it gone", async function () {
    await openNode(s.page, IDS.contact);
    await s.page.waitForFunction(() => $("#node-input-directoryId-name").text() === "Default Directory");
    const before = lookups.length;
    // set as Tab leaves it (typing would also ask for names matching each prefix of it, as a search should)
    await setTyped(s.page, "#node-input-directoryId", "hello-not-an-id");
    await s.page.waitForFunction(() => $("#node-input-directoryId-name").text() !== "Default Directory");
    const text = await hint("directoryId");
    assert.doesNotMatch(text, /no longer exists/);
    assert.equal(text, "expected an ID starting with POOL_, followed by letters and digits");
    assert.equal(await hasError(s.page, "#node-input-directoryId"), true, "the field is flagged");
    await s.page.waitForTimeout(500);
    assert.deepEqual(lookups.slice(before).filter((l) => l.q === "hello-not-an-id"), [], "no lookup of it");
    // an ID of the right shape the account does not have is still said to be gone
    await setTyped(s.page, "#node-input-directoryId", "POOL_notInThisAccount1");
    await s.page.waitForFunction(() => /no longer exists/.test($("#node-input-directoryId-name").text()));
  });

  it("says what the contact search looks at; the other pickers search by name or ID", async function () {
    await openNode(s.page, IDS.contact);
    await setTyped(s.page, "#node-input-contactId", "", "qualtrics");
    const placeholder = async (prop: string) => {
      await s.page.locator(`#node-input-${prop} + .red-ui-typedInput-container button.red-ui-typedInput-option-expand`).click();
      await s.page.waitForSelector(".qualtrics-picker", { state: "visible" });
      const text = await s.page.getAttribute(".qualtrics-picker:visible input[type=text]", "placeholder");
      await closePicker(s.page);
      return text;
    };
    assert.equal(await placeholder("contactId"), "Search by name, email, phone, external reference or contact ID");
    assert.equal(await placeholder("directoryId"), "Search by name or ID");
  });

  it("shows the name once the configuration gets its token in its tray opened from the node's dialog", async function () {
    const example = loadExamples().find((e) => e.label === "Contacts - list, create, update, delete")!;
    const config = example.nodes.find((n) => n.type === "qualtrics-config")!;
    const search = example.nodes.find((n) => n.id === "qex-contacts-search")!;
    assert.equal(search.directoryId, s.sb.seedIds.directoryId, "the example's directory is the sandbox's");
    // as Import ▸ Examples brings them: the configuration without a token
    await s.page.evaluate(([c, n, z]: [object, object, string]) => RED.nodes.import([c, { ...n, z }]), [config, search, IDS.tab] as [object, object, string]);
    await openNode(s.page, search.id);
    await s.page.waitForTimeout(500);
    assert.equal(await hint("directoryId"), "", "no name without a token");
    await s.page.click("#node-input-btn-qualtrics-edit");
    await s.page.waitForSelector("#node-config-dialog-ok", { state: "visible" });
    await s.page.fill("#node-config-input-apiToken", s.sb.token);
    await s.page.click("#node-config-dialog-ok");
    await s.page.waitForFunction(() => document.querySelectorAll(".red-ui-tray").length === 1);
    await s.page.waitForFunction(() => $("#node-input-directoryId-name").text() === "Default Directory");
  });

  it("had no page errors and no console errors", function () {
    // but the tokenless example configuration's lookups: not deployed (404), then no token (400)
    const tokenless = /status of (404|400) .*\/qualtrics-config\/qualtrics-example-config\/lookup\//;
    assert.deepEqual(s.errors.filter((e) => !tokenless.test(e)), []);
  });
});
