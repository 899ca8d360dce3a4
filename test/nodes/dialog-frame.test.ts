// The frame every palette node's dialog shares (nodes/lib/dialog-frame.ts): what it adds to a
// definition, what it leaves to the definition, and that every built dialog keeps one literal
// registerType with each member once, as the Flow Library's parser reads it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { dialogHtml, framed } from "../../nodes/lib/dialog-frame";

const ROOT = path.resolve(__dirname, "..", "..", "..");

const definition = (inputs: number, extra = "") => `RED.nodes.registerType('qualtrics-x', {
    defaults: {
        names: { value: {} },
        x: { value: "" }
    },
    inputs: ${inputs},
    outputs: 1,
    icon: "qualtrics-x.svg",${extra}
    oneditprepare: function () { Q.prepare(this); }
});`;

/** the members of the registerType literal at `indent` spaces, in order */
function keys(text: string, indent: number): string[] {
  return [...text.matchAll(new RegExp(`^ {${indent}}(\\w+):`, "gm"))].map((m) => m[1]);
}

describe("dialog frame", function () {
  it("adds category, colour, name, configuration, palette and port labels, label style and onadd", () => {
    const out = framed("qualtrics-x", definition(1));
    assert.deepEqual(keys(out, 4), ["category", "color", "defaults", "inputs", "outputs", "icon", "paletteLabel", "labelStyle", "inputLabels", "outputLabels", "onadd", "oneditprepare"]);
    assert.deepEqual(keys(out, 8), ["name", "qualtrics", "names", "x"]);
    assert.match(out, /paletteLabel: function \(\) \{ return this\._\("qualtrics-x\.paletteLabel"\); \}/);
    assert.match(out, /qualtrics: \{ value: "", type: "qualtrics-config", required: true \}/);
  });

  it("gives a node without inputs no input label, and leaves what the definition writes to it", () => {
    const out = framed("qualtrics-x", definition(0, `\n    paletteLabel: function () { return "own"; },`));
    assert.ok(!keys(out, 4).includes("inputLabels"));
    assert.equal(keys(out, 4).filter((k) => k === "paletteLabel").length, 1);
    assert.match(out, /return "own"/);
  });

  it("leaves a configuration node's definition as it is", () => {
    const config = `RED.nodes.registerType('qualtrics-x', {\n    category: 'config',\n    defaults: {\n    },\n    icon: "q.svg"\n});`;
    assert.equal(framed("qualtrics-x", config), config);
  });

  it("refuses a definition without its literal registerType", () => {
    assert.throws(() => framed("qualtrics-x", "RED.nodes.registerType(TYPE, {\n});"), /no line RED\.nodes\.registerType\('qualtrics-x', \{/);
  });

  for (const type of fs.readdirSync(path.join(ROOT, "nodes")).filter((d) => fs.existsSync(path.join(ROOT, "nodes", d, "editor.js")))) {
    it(`${type}: its built dialog has one literal registerType, each member and default once`, () => {
      const html = fs.readFileSync(path.join(ROOT, "build", "nodes", type, `${type}.html`), "utf8");
      const js = html.slice(html.indexOf('<script type="text/javascript">') + 31, html.indexOf("</script>", html.indexOf('type="text/javascript"')));
      assert.doesNotThrow(() => new vm.Script(js));
      assert.equal(js.split(`RED.nodes.registerType('${type}', {`).length, 2);
      const literal = js.slice(js.indexOf("RED.nodes.registerType"));
      const members = keys(literal, 8);
      assert.equal(new Set(members).size, members.length, `each member once: ${members.join(", ")}`);
      const from = literal.indexOf("        defaults: {\n");
      const defaults = keys(literal.slice(from, literal.indexOf("\n        },\n", from)), 12);
      assert.equal(new Set(defaults).size, defaults.length, `each default once: ${defaults.join(", ")}`);
      assert.ok(defaults.includes("name") && members.includes("icon"), "name and icon");
      assert.equal(html, dialogHtml(type, fs.readFileSync(path.join(ROOT, "nodes", type, "editor.js"), "utf8"), require(path.join(ROOT, "build", "nodes", type, "template.js")).default));
    });
  }
});
