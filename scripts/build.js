#!/usr/bin/env node
// Compiles TypeScript, then puts the editor files where Node-RED looks for them:
// next to each node's .js (HTML, locales/) and in icons/ beside it.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const out = path.join(root, "build");

// `--clean` starts from nothing; by default tsc overwrites in place, so parallel builds don't clobber each other
if (process.argv.includes("--clean")) fs.rmSync(out, { recursive: true, force: true });
let failed = false;
try {
  // TypeScript 7 exports no bin/tsc path, so it is found next to its package.json
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", root], { stdio: "inherit", cwd: root });
} catch {
  failed = true; // tsc still emitted; copy the assets, then report the failure
}

function copyTree(from, to, filter) {
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst, filter);
    else if (filter(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
}
const nodesOut = path.join(out, "nodes");
copyTree(path.join(root, "nodes"), nodesOut, (name) => /\.(html|json)$/.test(name));
copyTree(path.join(root, "icons"), path.join(nodesOut, "icons"), (name) => /\.(svg|png)$/.test(name));
// test fixtures that are not TypeScript (flows, settings) travel with the compiled tests
copyTree(path.join(root, "test"), path.join(out, "test"), (name) => /\.(json|html)$/.test(name));

if (failed) {
  console.error("build: TypeScript reported errors");
  process.exit(1);
}
