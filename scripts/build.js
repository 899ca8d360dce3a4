#!/usr/bin/env node
// Compiles TypeScript, then puts the editor files where Node-RED looks for them:
// next to each node's .js (HTML, locales/, icons/).
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
/**
 * The editor library (editor/index.ts and what it imports, compiled by tsc to CommonJS) as one
 * browser script in resources/, the folder Node-RED serves to the editor. Only relative requires are
 * followed: the library imports nothing from node_modules, and a require it cannot place fails the build.
 */
function bundleEditor() {
  const entry = path.join(out, "editor", "index.js");
  if (!fs.existsSync(entry)) return;
  const modules = new Map();
  const visit = (file) => {
    if (modules.has(file)) return;
    const code = fs.readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=.*$/m, "");
    modules.set(file, code);
    for (const m of code.matchAll(/require\("([^"]+)"\)/g)) {
      if (!m[1].startsWith(".")) throw new Error(`build: the editor library may not require ${m[1]} (${file})`);
      visit(path.resolve(path.dirname(file), m[1]) + ".js");
    }
  };
  visit(entry);
  const id = (file) => JSON.stringify(path.relative(out, file).split(path.sep).join("/"));
  const parts = [...modules].map(([file, code]) => `${id(file)}: function (exports, require) {\n${code}\n}`);
  const text = `// Built by scripts/build.js from editor/*.ts: do not edit.
(function () {
"use strict";
var defs = {
${parts.join(",\n")}
};
var done = {};
function load(name) {
  if (done[name]) return done[name].exports;
  var mod = (done[name] = { exports: {} });
  defs[name](mod.exports, function (rel) {
    var parts = name.split("/").slice(0, -1);
    rel.split("/").forEach(function (p) { if (p === "..") parts.pop(); else if (p !== ".") parts.push(p); });
    return load(parts.join("/") + ".js");
  });
  return mod.exports;
}
load(${id(entry)});
})();
`;
  const dir = path.join(root, "resources");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "qualtrics-editor.js"), text);
}

const nodesOut = path.join(out, "nodes");
// each node's folder keeps its dialog, locales/ and icons/ beside its .js, where Node-RED and the Flow Library look
copyTree(path.join(root, "nodes"), nodesOut, (name) => /\.(html|json|svg|png)$/.test(name));
// test fixtures that are not TypeScript (flows, settings) travel with the compiled tests
copyTree(path.join(root, "test"), path.join(out, "test"), (name) => /\.(json|html)$/.test(name));

/**
 * Each node's dialog HTML, where Node-RED and the Flow Library look for it (beside its .js): its
 * definition (nodes/<type>/editor.js) in the frame every dialog shares (nodes/lib/dialog-frame.ts),
 * then its rows (nodes/<type>/template.ts, from the shared pieces of nodes/lib/dialog-template.ts).
 * The English help is in locales/en-US/<type>.html, as in Node-RED's core nodes.
 */
function composeDialogs() {
  const { dialogHtml } = require(path.join(nodesOut, "lib", "dialog-frame.js"));
  for (const type of fs.readdirSync(path.join(root, "nodes"))) {
    const editor = path.join(root, "nodes", type, "editor.js");
    if (!fs.existsSync(editor)) continue;
    const template = path.join(nodesOut, type, "template.js");
    delete require.cache[require.resolve(template)];
    const html = dialogHtml(type, fs.readFileSync(editor, "utf8"), require(template).default);
    fs.writeFileSync(path.join(nodesOut, type, type + ".html"), html);
  }
}

composeDialogs();
bundleEditor();

if (failed) {
  console.error("build: TypeScript reported errors");
  process.exit(1);
}
