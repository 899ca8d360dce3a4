// What `npm pack` ships: what a user needs (built code, editor files, icons, locales, examples,
// README, LICENSE) and nothing else.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const types: string[] = Object.keys(pkg["node-red"].nodes);

describe("npm pack", function () {
  this.timeout(60000);
  let files: string[];
  before(() => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
  });

  it("contains each node's runtime, editor HTML and message catalogues", () => {
    for (const type of types) {
      const js = pkg["node-red"].nodes[type] as string;
      assert.ok(files.includes(js), `${js} is packed`);
      assert.ok(files.includes(js.replace(/\.js$/, ".html")), `${type}.html is packed`);
      assert.ok(files.includes(`build/nodes/${type}/locales/en-US/${type}.json`), `en-US catalogue of ${type} is packed`);
    }
  });

  it("contains the client, the editor library, icons, examples, README and LICENSE", () => {
    assert.ok(files.includes("build/src/index.js"));
    // every dialog loads it with <script src>; it is a build output (gitignored), so only the build puts it here
    assert.ok(files.includes("resources/qualtrics-editor.js"), "the editor library resources/qualtrics-editor.js");
    for (const type of types) assert.ok(files.some((f) => f.startsWith(`build/nodes/${type}/icons/`)), `icons of ${type}`);
    assert.ok(files.some((f) => f.startsWith("examples/") && f.endsWith(".json")), "examples");
    for (const f of ["README.md", "LICENSE", "package.json"]) assert.ok(files.includes(f), f);
  });

  it("leaves out tests, the sandbox, sources, maps, build-time templates, CI and tooling", () => {
    const unwanted = files.filter(
      (f) =>
        f.startsWith("build/test/") ||
        f.startsWith("build/sandbox/") ||
        f.startsWith("sandbox/") ||
        f.startsWith("test/") ||
        f.startsWith("src/") ||
        f.startsWith("scripts/") ||
        f.startsWith(".ci/") ||
        f.startsWith(".cache/") ||
        f.endsWith(".map") ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts")) ||
        (f.startsWith("build/nodes/") && f.endsWith(".d.ts")) ||
        // the dialogs' rows are rendered into their HTML at build time; the runtime never loads them
        f.endsWith("/template.js") ||
        f.endsWith("/dialog-template.js") ||
        f.endsWith("/dialog-frame.js"),
    );
    assert.deepEqual(unwanted, []);
  });
});
