#!/usr/bin/env node
// `npm run bench [-- overhead ratelimit memory webhooks] [--runs N]`: builds (never --clean, so
// tests running from build/ are not disturbed), then runs the benchmarks in build/bench/.
// Not part of `npm test`. See docs/benchmarks.md.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

// the client's undici needs Node >= 22.19: an older Node runs this again on a supported one
if (require("./node-runtime").relaunchOnSupportedNode()) return;

const root = path.resolve(__dirname, "..");
const build = spawnSync(process.execPath, [path.join(__dirname, "build.js")], { stdio: "inherit", cwd: root });
const entry = path.join(root, "build", "bench", "run.js");
if (build.status !== 0) {
  // tsc still emits; someone else's half-edited file must not stop the benchmarks
  console.error("bench: the build reported errors; running what was emitted");
}
if (!fs.existsSync(entry)) {
  console.error(`bench: ${path.relative(root, entry)} was not built`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [entry, ...process.argv.slice(2)], { stdio: "inherit", cwd: root });
process.exit(run.status === null ? 1 : run.status);
