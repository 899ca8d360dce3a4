// One specification per node (nodes/<type>/spec.ts): the editor library bundles the very tables the
// runtime adapter imports, and the dialogs keep no copies of them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { specs } from "../../nodes/lib/specs";
import { ID_PREFIX } from "../../src/id-prefixes";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** the library as a dialog gets it: resources/qualtrics-editor.js run in a page of its own */
function bundledSpecs(): unknown {
  const page: Record<string, unknown> = {};
  page.window = page;
  vm.createContext(page);
  vm.runInContext(read("resources/qualtrics-editor.js"), page, { filename: "qualtrics-editor.js" });
  return (page.NodeRedQualtrics as { specs: unknown }).specs;
}

function catalogue(lang: string, type: string): Record<string, Record<string, unknown>> {
  return JSON.parse(read(`nodes/${type}/locales/${lang}/${type}.json`))[type];
}

describe("node specifications", function () {
  it("are bundled into the editor library exactly as the runtime has them", () => {
    // through JSON: the objects come from another realm, so their prototypes differ
    assert.deepEqual(JSON.parse(JSON.stringify(bundledSpecs())), JSON.parse(JSON.stringify(specs)));
    assert.ok(Object.keys(specs).length >= 2);
  });

  for (const [type, spec] of Object.entries(specs)) {
    describe(type, function () {
      it("is the table its runtime adapter reads", () => {
        assert.equal(spec.type, type);
        assert.match(read(`nodes/${type}/${type}.ts`), /from "\.\/spec"/);
      });

      it("names parts and groups only with operations it has, each ID field with a known kind", () => {
        const operations: readonly string[] = "operations" in spec ? spec.operations : [];
        const ops = new Set<string>(operations);
        assert.equal(ops.size, operations.length, "no operation twice");
        const uses = "uses" in spec ? (spec.uses as Record<string, readonly string[]>) : {};
        for (const [part, list] of Object.entries(uses)) for (const op of list) assert.ok(ops.has(op), `${part}: ${op}`);
        const groups = "groups" in spec ? (spec.groups as Record<string, readonly string[]>) : undefined;
        if (groups) assert.deepEqual(Object.values(groups).flat(), operations, "the groups hold every operation once, in order");
        for (const [prop, kind] of Object.entries(spec.ids)) assert.ok(ID_PREFIX[kind as keyof typeof ID_PREFIX], `${prop}: ${kind}`);
      });

      it("has a label for every operation and group in en-US and de", () => {
        if (!("operations" in spec)) return;
        for (const lang of ["en-US", "de"]) {
          const cat = catalogue(lang, type);
          for (const op of [...spec.operations, "msg"]) assert.equal(typeof cat.operation[op], "string", `${lang}: operation.${op}`);
          if ("groups" in spec) for (const g of Object.keys(spec.groups as object)) assert.equal(typeof cat.group[g], "string", `${lang}: group.${g}`);
        }
      });

      it("is named in the dialog only by parts and ID fields it has, and each part it shows has its rows", () => {
        const html = read(`build/nodes/${type}/${type}.html`);
        const ref = `(?:TYPE|"${type}")`;
        const uses = "uses" in spec ? (spec.uses as Record<string, readonly string[]>) : {};
        for (const m of html.matchAll(new RegExp(`Q\\.applies\\(${ref}, "(\\w+)"\\)`, "g"))) assert.ok(uses[m[1]], `part ${m[1]}`);
        for (const m of html.matchAll(new RegExp(`Q\\.(?:prefixes|idRule|picker)\\(${ref}, "(\\w+)"`, "g"))) assert.ok(m[1] in spec.ids, `ID field ${m[1]}`);
        for (const m of html.matchAll(new RegExp(`Q\\.showParts\\(${ref}, \\w+, "([\\w-]+)"\\)`, "g"))) {
          for (const part of Object.keys(uses)) assert.match(html, new RegExp(`class="[^"]*\\b${m[1]}${part}\\b`), `rows of ${part}`);
        }
      });

      it("has no copy in the dialog: no operation options, no ID prefix lists", () => {
        const html = read(`build/nodes/${type}/${type}.html`);
        const js = html.slice(0, html.indexOf("</script>", html.indexOf('type="text/javascript"')));
        assert.doesNotMatch(html, new RegExp(`data-i18n="${type}\\.operation\\.`), "operation options come from the specification");
        assert.doesNotMatch(js, /r\.id\(\[|prefixes: \[/, "ID prefixes come from the specification");
        assert.doesNotMatch(js, /var USES_\w+ = \{/, "operation parts come from the specification");
      });
    });
  }

  it("labels every choice a dialog fills from its specification, in en-US and de", () => {
    const c = specs["qualtrics-contact"];
    const d = specs["qualtrics-distribution"];
    const e = specs["qualtrics-export"];
    const i = specs["qualtrics-invite"];
    const a = specs["qualtrics-api"];
    const choices: Array<[string, string, readonly string[]]> = [
      [c.type, "label", [...c.searchFields, ...c.upsertKeys]],
      [d.type, "channel", [...d.channels, "msg"]],
      [d.type, "linkType", ["default", ...d.linkTypes]],
      [d.type, "method", d.smsMethods],
      [d.type, "requestType", ["all", ...d.requestTypes]],
      [e.type, "format", e.fileFormats],
      [e.type, "output", e.outputs],
      [i.type, "matchKey", i.matchKeys],
      [i.type, "channel", i.channels],
      [i.type, "linkType", ["default", ...i.linkTypes]],
      [a.type, "method", [...a.methods, "msg"]],
    ];
    for (const lang of ["en-US", "de"]) {
      for (const [type, group, values] of choices) for (const v of values) assert.equal(typeof catalogue(lang, type)[group]?.[v], "string", `${lang}/${type}: ${group}.${v}`);
    }
  });
});
