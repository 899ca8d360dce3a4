// The nodes' help in a real editor: every type's Markdown help (nodes/<type>/locales/<lang>/<type>.html),
// opened in the help sidebar, renders as Node-RED's help markup: the sections, the message properties
// as <dl class="message-properties"> with every name, type and description of the file, the outputs as
// <ol class="node-ports">, the References links. With the editor's language set to German, the
// German help is shown.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { expectedSections, property, readHelp, type HelpLang } from "../support/markdown-help";
import { REPO_ROOT } from "../support/runtime";
import { CONFIG_TYPE, IDS, TYPES, useSession } from "./harness";

declare const RED: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const $: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const localStorage: any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Rendered {
  title: string;
  summary: string;
  headings: string[];
  lists: number;
  /** message-properties lists between the first heading and the next (the inputs, or a configuration's properties) */
  firstSectionLists: number;
  properties: Array<{ dt: string; dd: string }>;
  ports: number;
  portLists: number;
  references: string[];
  outputs: number;
  category: string;
  inputs: number;
}

/** what the help sidebar shows for a type, after RED.sidebar.help.show() as the ⓘ button does */
async function showHelp(page: Page, type: string): Promise<Rendered> {
  return page.evaluate((t: string) => {
    RED.sidebar.help.show(t);
    const body = $(".red-ui-sidebar-help-stack .red-ui-text-bidi-aware").last();
    const text = (el: unknown) => $(el).text().replace(/\s+/g, " ").trim();
    const h3 = body.find("h3").toArray();
    const refs = h3.length ? $(h3[h3.length - 1]).nextAll("ul").first() : $();
    const def = RED.nodes.getType(t);
    return {
      title: text($(".red-ui-sidebar-help-stack h1.red-ui-help-title").last()),
      summary: text(body.children("p").first()),
      headings: h3.map(text),
      lists: body.find("dl.message-properties").length,
      firstSectionLists: h3.length ? $(h3[0]).nextUntil("h3").filter("dl.message-properties").length : 0,
      properties: body
        .find("dl.message-properties > dt")
        .toArray()
        .map((dt: unknown) => ({ dt: text(dt), dd: text($(dt).next("dd")) })),
      ports: body.find("ol.node-ports > li").length,
      portLists: body.find("ol.node-ports > li > dl.message-properties").length,
      references: refs
        .find("a")
        .toArray()
        .map((a: unknown) => String($(a).attr("href"))),
      outputs: def.outputs ?? 0,
      inputs: def.inputs ?? 0,
      category: def.category,
    };
  }, type);
}

/** the text a reader sees of a line of Markdown: no emphasis or code marks */
function plain(markdown: string): string {
  return markdown.replace(/[*`]/g, "").replace(/\s+/g, " ").trim();
}

function expectedHelp(type: string, lang: HelpLang) {
  const file = fs.readFileSync(path.join(REPO_ROOT, "nodes", type, "locales", lang, `${type}.html`), "utf8");
  const markdown = /<script type="text\/markdown" data-help-name="[^"]+">([\s\S]*)<\/script>/.exec(file)?.[1] ?? "";
  const help = readHelp(markdown);
  const lines = help.sections.flatMap((s) => s.lines);
  return {
    summary: plain(help.summary.join(" ")),
    properties: lines.flatMap((l) => {
      const p = property(l);
      return p ? [{ dt: plain(p.name + p.type), dd: plain(p.description) }] : [];
    }),
    references: [...(help.sections.at(-1)?.lines.join("\n") ?? "").matchAll(/\]\((https?:\/\/[^)\s]+)\)/g)].map((m) => m[1]),
  };
}

function checkHelp(type: string, lang: HelpLang, shown: Rendered): void {
  const want = expectedHelp(type, lang);
  const where = `${type} (${lang})`;
  assert.equal(shown.summary, want.summary, `${where}: the summary first`);
  assert.deepEqual(shown.headings, expectedSections(lang, shown), `${where}: the sections`);
  // every property of the file, with its whole description: nothing eaten by the Markdown
  assert.deepEqual(shown.properties, want.properties, `${where}: the message properties`);
  assert.ok(shown.lists >= 1, `${where}: a message-properties list`);
  if (shown.category === "config" || shown.inputs > 0) assert.equal(shown.firstSectionLists, 1, `${where}: ${shown.headings[0]} as message properties`);
  if (shown.category !== "config") {
    assert.equal(shown.ports, shown.outputs, `${where}: one node-ports entry per output`);
    assert.equal(shown.portLists, shown.outputs, `${where}: each port with its message properties`);
  }
  assert.ok(want.references.length > 0, `${where}: the file has references`);
  assert.deepEqual(shown.references, want.references, `${where}: the References links`);
}

describe(`editor: help (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(180_000);
  const s = useSession(undefined, "editor-help-failure");
  const types = [CONFIG_TYPE, ...TYPES];

  for (const type of types) {
    it(`shows the English help of ${type} in the help sidebar`, async function () {
      const shown = await showHelp(s.page, type);
      checkHelp(type, "en-US", shown);
      // the sidebar renders the same as the palette tooltip's source
      const direct = await s.page.evaluate((t: string) => String(RED.nodes.getNodeHelp(t)), type);
      assert.match(direct, /<dl class="message-properties">/);
    });
  }

  it("shows the German help of every type when the editor's language is German", async function () {
    // the language chosen in the editor's settings; the editor then asks for the nodes' files in it
    const context = await s.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      await context.addInitScript(() => localStorage.setItem("editor-language", "de"));
      const page = await context.newPage();
      page.on("pageerror", (e) => s.errors.push(`page error (de): ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") s.errors.push(`console error (de): ${m.text()}`);
      });
      await page.goto(s.nr.url);
      await page.waitForSelector(".red-ui-palette-node[data-palette-type='qualtrics-contact']", { timeout: 60_000 });
      await page.waitForFunction((id: string) => !!RED.nodes.node(id), IDS.contact, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => RED.i18n.lang()), "de");
      for (const type of types) checkHelp(type, "de", await showHelp(page, type));
    } finally {
      await context.close();
    }
  });

  it("had no page errors and no console errors", function () {
    assert.deepEqual(s.errors, []);
  });
});
