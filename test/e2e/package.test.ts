// The package as a real Node-RED loads it from nodesDir: every type registered and enabled, the
// editor files and the examples served, nothing in the log about load problems.
import assert from "node:assert/strict";
import { NodeRed, loadExamples, startNodeRed } from "../support/runtime";

// every type the package declares: a type added to package.json is checked without editing this list
const TYPES: string[] = Object.keys(
  (JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../../package.json"), "utf8")) as { "node-red": { nodes: Record<string, string> } })["node-red"].nodes,
);
const MODULE = "@xmflows/node-red-qualtrics";

interface NodeSet {
  id: string;
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
  version?: string;
}

describe(`e2e: the package loads (${process.env.NR_PKG || "node-red"})`, function () {
  this.timeout(60_000);
  let nr: NodeRed;

  before(async function () {
    nr = await startNodeRed();
    await nr.waitForLog(/Started flows/, 20_000);
  });

  after(async function () {
    await nr?.dispose();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log ---\n${nr?.log}`);
  });

  it("runs the Node-RED major NR_PKG names", async function () {
    const settings = (await nr.request("GET", "settings", undefined, { Accept: "application/json" })).json<{ version: string }>();
    assert.equal(settings.version.split(".")[0], nr.pkg === "node-red-5" ? "5" : "4");
  });

  it("GET /nodes lists all five types, enabled, without load errors", async function () {
    const r = await nr.request("GET", "nodes", undefined, { Accept: "application/json" });
    assert.equal(r.status, 200);
    const sets = r.json<NodeSet[]>().filter((s) => s.module === MODULE);
    assert.deepEqual(sets.flatMap((s) => s.types).sort(), [...TYPES].sort());
    for (const s of sets) {
      assert.equal(s.enabled, true, `${s.id} is not enabled`);
      assert.equal(s.err, undefined, `${s.id}: ${s.err}`);
    }
  });

  it("serves an edit dialog for every type", async function () {
    const r = await nr.request("GET", "nodes", undefined, { Accept: "text/html" });
    assert.equal(r.status, 200);
    for (const t of TYPES) {
      assert.match(r.text, new RegExp(`data-template-name="${t}"`), `no edit template for ${t}`);
      assert.match(r.text, new RegExp(`registerType\\(\\s*["']${t}["']`), `${t} is not registered in the editor`);
    }
  });

  it("lists the example flows under Import > Examples", async function () {
    const r = await nr.request("GET", `library/examples/flows/${MODULE}`, undefined, { Accept: "application/json" });
    assert.equal(r.status, 200, r.text);
    const listed = r.json<{ f?: string[] } | Array<string | { fn?: string }>>();
    const names = Array.isArray(listed) ? listed.map((e) => (typeof e === "string" ? e : e.fn)) : listed.f ?? [];
    for (const ex of loadExamples()) assert.ok(names.includes(ex.label), `${ex.label} missing from ${JSON.stringify(listed)}`);
  });

  it("logs no errors or warnings about the package", function () {
    assert.deepEqual(nr.problems(), []);
    assert.doesNotMatch(nr.log, /Failed to register|Waiting for missing types|qualtrics.*(error|Error)/);
  });
});
