#!/usr/bin/env node
// `npm test`: installs the dependencies if they are missing, builds, then runs every suite on
// Node-RED 4.1 with Node 22 and on Node-RED 5 with Node 24, and the unit and node suites also on
// Node 26; closes with one line "N passed, N failed" that adds up all runs. A run uses this Node
// when it is at least the run's major and fetches that major from npm only when it is not
// (scripts/node-runtime.js); runs that would repeat another on the same Node are left out.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const runtime = require("./node-runtime");
const faultFigures = require("./fault-figures");

const root = path.resolve(__dirname, "..");
const only = process.argv.slice(2); // optional suite names: unit package sandbox nodes e2e faults editor replicas

function run(cmd, args, env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status === null) console.log(`\n(ended by signal ${r.signal})`);
  return r.status === null ? 1 : r.status;
}

/** how many runs have written their counts so far */
function countedRuns(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
}

const EVERY_SUITE = ["unit", "package", "sandbox", "nodes", "e2e", "faults", "editor", "replicas"];
/** the areas of figures each suite must report (test/faults/figures.ts), or a suite that quietly ran nothing would look clean */
const FIGURE_AREAS = {
  faults: ["faults", "load", "restart", "fuzz", "secrets", "access"],
  // three Node-REDs behind haproxy with Redis (issue 14): scripts/fault-figures.js holds its figures to the targets
  replicas: ["replicas"],
};
/** which Node-RED on which Node major runs which suites */
const MATRIX = [
  { nr: "node-red", major: 22, suites: EVERY_SUITE },
  { nr: "node-red-5", major: 24, suites: EVERY_SUITE },
  { nr: "node-red-5", major: 26, suites: ["unit", "nodes"] },
];

function main() {
  runtime.ensureDependencies();
  if (run(process.execPath, [path.join(root, "scripts/build.js"), "--clean"]) !== 0) {
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  runMatrix();
}

/** the runs of the matrix asked for, each suite once per Node-RED and Node binary */
function plannedRuns() {
  const runs = [];
  const seen = new Set();
  for (const suite of EVERY_SUITE) {
    if (only.length && !only.includes(suite)) continue;
    for (const m of MATRIX) {
      if (!m.suites.includes(suite)) continue;
      const node = runtime.nodeFor(m.major);
      const key = `${suite} ${m.nr} ${node}`;
      if (seen.has(key)) continue;
      seen.add(key);
      runs.push({ suite, node, nr: m.nr, glob: `build/test/${suite}/**/*.test.js` });
    }
  }
  return runs;
}

function runMatrix() {
  const counts = path.join(root, "build", "test-counts.jsonl");
  fs.rmSync(counts, { force: true });
  // the fault suite's figures (test/faults/figures.ts), printed as one table at the end
  const figures = path.join(root, "build", "fault-figures.jsonl");
  fs.rmSync(figures, { force: true });
  const mocha = require.resolve("mocha/bin/mocha.js");
  const reporter = path.join(root, "build/test/support/count-reporter.js");
  let failedRuns = 0;
  let silentRuns = 0;
  for (const r of plannedRuns()) {
    const dir = path.join(root, path.dirname(r.glob.split("*")[0]));
    if (!fs.existsSync(dir)) continue;
    console.log(`\n=== ${r.suite} on ${r.nr} with Node ${spawnSync(r.node, ["--version"]).stdout.toString().trim()} ===`);
    // an unhandled rejection ends a real Node-RED (docs/node-red-facts.md §1.4): here it fails the test instead of passing quietly
    const before = countedRuns(counts);
    const status = run(r.node, ["--unhandled-rejections=strict", mocha, "--reporter", reporter, "--timeout", "20000", "--exit", r.glob], {
      NR_PKG: r.nr,
      QUALTRICS_TEST_COUNTS: counts,
      QUALTRICS_FAULT_FIGURES: figures,
    });
    if (status !== 0) failedRuns++;
    // a run that ended before its reporter wrote its counts (a process that exits when its event
    // loop runs dry, or is killed) would otherwise look like a smaller clean run
    else if (countedRuns(counts) === before) {
      console.log(`\n${r.suite} on ${r.nr} ended (exit code 0) without reporting its tests: counted as a failure`);
      silentRuns++;
    }
  }

  let passed = 0, failed = 0, skipped = 0;
  let figureFailures = 0;
  const areas = Object.entries(FIGURE_AREAS).filter(([suite]) => !only.length || only.includes(suite)).flatMap(([, a]) => a);
  if (areas.length) {
    // every area has to have reported, or a suite that quietly ran nothing would look clean
    const { text, failures } = faultFigures.report(figures, areas);
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
  failed += silentRuns;
  // a figure that does not hold fails the run even if every test passed
  failed += figureFailures;
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(failed > 0 ? 1 : 0);
}

if (!runtime.relaunchOnSupportedNode()) main();
