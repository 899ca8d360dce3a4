#!/usr/bin/env node
// `npm test`: builds, then runs every suite on Node-RED 4 (this Node, 20+) and on
// Node-RED 5 (Node 22, fetched from npm into .cache/ when missing), and closes with
// one line "N passed, N failed" that adds up all runs.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { node22 } = require("./node22");
const faultFigures = require("./fault-figures");

const root = path.resolve(__dirname, "..");
const only = process.argv.slice(2); // optional suite names: unit package sandbox nodes e2e faults editor

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status === null ? 1 : r.status;
}

if (run(process.execPath, [path.join(root, "scripts/build.js"), "--clean"]) !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const counts = path.join(root, "build", "test-counts.jsonl");
fs.rmSync(counts, { force: true });
// the fault suite's figures (test/faults/figures.ts), printed as one table at the end
const figures = path.join(root, "build", "fault-figures.jsonl");
fs.rmSync(figures, { force: true });
const mocha = require.resolve("mocha/bin/mocha.js");
const reporter = path.join(root, "build/test/support/count-reporter.js");

const nodeRed5 = node22();
const runs = [
  { suite: "unit", node: process.execPath, nr: "node-red", glob: "build/test/unit/**/*.test.js" },
  { suite: "package", node: process.execPath, nr: "node-red", glob: "build/test/package/**/*.test.js" },
  { suite: "sandbox", node: process.execPath, nr: "node-red", glob: "build/test/sandbox/**/*.test.js" },
  { suite: "nodes", node: process.execPath, nr: "node-red", glob: "build/test/nodes/**/*.test.js" },
  { suite: "nodes", node: nodeRed5, nr: "node-red-5", glob: "build/test/nodes/**/*.test.js" },
  { suite: "e2e", node: process.execPath, nr: "node-red", glob: "build/test/e2e/**/*.test.js" },
  { suite: "e2e", node: nodeRed5, nr: "node-red-5", glob: "build/test/e2e/**/*.test.js" },
  { suite: "faults", node: process.execPath, nr: "node-red", glob: "build/test/faults/**/*.test.js" },
  { suite: "faults", node: nodeRed5, nr: "node-red-5", glob: "build/test/faults/**/*.test.js" },
  { suite: "editor", node: process.execPath, nr: "node-red", glob: "build/test/editor/**/*.test.js" },
  { suite: "editor", node: nodeRed5, nr: "node-red-5", glob: "build/test/editor/**/*.test.js" },
];

let failedRuns = 0;
for (const r of runs) {
  if (only.length && !only.includes(r.suite)) continue;
  const dir = path.join(root, path.dirname(r.glob.split("*")[0]));
  if (!fs.existsSync(dir)) continue;
  console.log(`\n=== ${r.suite} on ${r.nr} with Node ${spawnSync(r.node, ["--version"]).stdout.toString().trim()} ===`);
  // an unhandled rejection ends a real Node-RED (docs/node-red.md §1.4): here it fails the test instead of passing quietly
  const status = run(r.node, ["--unhandled-rejections=strict", mocha, "--reporter", reporter, "--timeout", "20000", "--exit", r.glob], {
    NR_PKG: r.nr,
    QUALTRICS_TEST_COUNTS: counts,
    QUALTRICS_FAULT_FIGURES: figures,
  });
  if (status !== 0) failedRuns++;
}

let passed = 0, failed = 0, skipped = 0;
let figureFailures = 0;
if (!only.length || only.includes("faults")) {
  // every area has to have reported, or a suite that quietly ran nothing would look clean
  const { text, failures } = faultFigures.report(figures, ["faults", "load", "restart", "fuzz", "secrets", "access"]);
  console.log(`\n${text}`);
  figureFailures = failures.length;
}
if (fs.existsSync(counts)) {
  for (const line of fs.readFileSync(counts, "utf8").split("\n").filter(Boolean)) {
    const c = JSON.parse(line);
    passed += c.passed; failed += c.failed; skipped += c.skipped;
  }
}
// a run that crashed before its reporter wrote counts still has to count as a failure
if (failedRuns > 0 && failed === 0) failed = failedRuns;
// a figure that does not hold fails the run even if every test passed
failed += figureFailures;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
