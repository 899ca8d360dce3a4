// Whether build/ is up to date with the sources, so `npm start` can skip a 10-20 s tsc run.
// tsc (without incremental builds) rewrites every output on each run and scripts/build.js copies
// every asset, so "every output is at least as new as its source and as tsconfig.json" means the
// last build saw the current sources. A build that failed leaves a marker, so it is run again
// (and its errors shown) on the next start.
"use strict";
const fs = require("fs");
const path = require("path");

const FAILED_MARKER = path.join("build", ".build-failed");

/** [source, output] pairs of everything scripts/build.js produces */
function pairs(root) {
  const out = [];
  const walk = (dir, visit) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, visit);
      else visit(path.relative(root, p));
    }
  };
  for (const top of ["src", "sandbox", "nodes", "test", "bench", "editor"]) {
    walk(path.join(root, top), (rel) => {
      if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) out.push([rel, path.join("build", rel.replace(/\.ts$/, ".js"))]);
      else if ((top === "nodes" || top === "test") && /\.(html|json)$/.test(rel)) out.push([rel, path.join("build", rel)]);
      else if (top === "nodes" && /\.(svg|png)$/.test(rel)) out.push([rel, path.join("build", rel)]);
      // a dialog's HTML is composed from its definition and its rows (scripts/build.js composeDialogs)
      const dialog = /^nodes[\\/](qualtrics-[\w-]+)[\\/](editor\.js|template\.ts)$/.exec(rel);
      if (dialog) out.push([rel, path.join("build", "nodes", dialog[1], dialog[1] + ".html")]);
      // the editor library is also bundled into resources/ (gitignored, so a fresh clone has none)
      if (top === "editor" && rel.endsWith(".ts")) out.push([rel, path.join("resources", "qualtrics-editor.js")]);
    });
  }
  return out;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** true when building again would change nothing */
function buildIsCurrent(root) {
  if (fs.existsSync(path.join(root, FAILED_MARKER))) return false;
  const config = mtime(path.join(root, "tsconfig.json")) ?? Infinity;
  return pairs(root).every(([src, dst]) => {
    const built = mtime(path.join(root, dst));
    return built !== undefined && built >= Math.max(mtime(path.join(root, src)) ?? Infinity, config);
  });
}

/** notes the outcome of a build, for the next buildIsCurrent() */
function recordBuild(root, ok) {
  const marker = path.join(root, FAILED_MARKER);
  if (ok) fs.rmSync(marker, { force: true });
  else {
    fs.mkdirSync(path.dirname(marker), { recursive: true });
    fs.writeFileSync(marker, "the last build reported TypeScript errors\n");
  }
}

module.exports = { buildIsCurrent, recordBuild };
