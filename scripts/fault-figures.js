// The table `npm run test:faults` ends with: the figure lines the fault tests wrote
// (test/faults/figures.ts) added up per area and run, and the checks every figure must pass.
"use strict";
const fs = require("fs");

const NAMES = ["faultsTried", "faultsSurvived", "sent", "delivered", "errored", "lost", "duplicated", "windowDuplicates", "fuzzed", "crashes", "leaks",
  // the replicas suite's counts (test/faults/figures.ts says what each means)
  "subscriptionsOff", "overlaps", "failed", "rateLimited"];

function sum(lines) {
  const t = Object.fromEntries(NAMES.map((n) => [n, 0]));
  for (const l of lines) for (const n of NAMES) t[n] += Number(l[n] ?? 0);
  // figures that do not add up: the worst of the lines that have them
  const gaps = lines.filter((l) => l.maxGapMs !== undefined);
  t.maxGapMs = gaps.length ? Math.max(...gaps.map((l) => l.maxGapMs)) : undefined;
  t.gapsOver = gaps.filter((l) => l.maxGapMs > l.gapLimitMs).length;
  const rates = lines.filter((l) => l.rateRatio !== undefined).map((l) => l.rateRatio);
  t.rateRatio = rates.length ? Math.min(...rates) : undefined;
  return t;
}

/** what is wrong with a total, as sentences; none = it holds */
function problems(t) {
  const out = [];
  if (t.faultsSurvived !== t.faultsTried) out.push(`${t.faultsTried - t.faultsSurvived} of ${t.faultsTried} faults not survived`);
  // duplicates inside the documented at-least-once window (a kill between a message and the
  // journal's record of it) are reported in their own column, not a failure
  if (t.delivered + t.errored + t.lost + t.duplicated + t.windowDuplicates !== t.sent) out.push(`delivered + errored + lost + duplicated (+ in window) ≠ sent (${t.sent})`);
  if (t.lost) out.push(`${t.lost} messages lost`);
  if (t.duplicated) out.push(`${t.duplicated} messages duplicated`);
  if (t.crashes) out.push(`${t.crashes} crashes`);
  if (t.leaks) out.push(`${t.leaks} secret leaks`);
  if (t.subscriptionsOff) out.push(`subscriptions at the end are ${t.subscriptionsOff} off one per trigger`);
  if (t.overlaps) out.push(`${t.overlaps} overlapping schedule runs`);
  if (t.failed) out.push(`${t.failed} requests failed`);
  if (t.gapsOver) out.push(`${t.gapsOver} handovers with a gap between polls longer than allowed`);
  if (t.rateRatio !== undefined && t.rateRatio < 0.95) out.push(`aggregate rate ${t.rateRatio.toFixed(3)} of the limit (< 0.95)`);
  return out;
}

/** the replicas suite's columns; "-" where an area has none */
function replicaCells(t) {
  return [
    t.subscriptionsOff, t.overlaps,
    t.maxGapMs === undefined ? "-" : (t.maxGapMs / 1000).toFixed(1),
    t.rateRatio === undefined ? "-" : t.rateRatio.toFixed(3),
    t.failed,
  ];
}

/** @returns {{ text: string, failures: string[] }} */
function report(file, expectedAreas = []) {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
  const failures = [];
  const rows = [];
  const runs = [...new Set(lines.map((l) => l.run))];
  for (const run of runs) {
    const ofRun = lines.filter((l) => l.run === run);
    for (const area of [...new Set(ofRun.map((l) => l.area))]) {
      const t = sum(ofRun.filter((l) => l.area === area));
      const bad = problems(t);
      for (const b of bad) failures.push(`${run} ${area}: ${b}`);
      rows.push([run, area, `${t.faultsTried}/${t.faultsSurvived}`, t.sent, t.delivered, t.errored, t.lost, t.duplicated, t.windowDuplicates, t.fuzzed, t.crashes, t.leaks, ...replicaCells(t), bad.length ? "✗" : "✓"]);
    }
    for (const area of expectedAreas) {
      if (!ofRun.some((l) => l.area === area)) failures.push(`${run} ${area}: no figures (did its tests run?)`);
    }
  }
  const all = sum(lines);
  rows.push(["all", "", `${all.faultsTried}/${all.faultsSurvived}`, all.sent, all.delivered, all.errored, all.lost, all.duplicated, all.windowDuplicates, all.fuzzed, all.crashes, all.leaks, ...replicaCells(all), failures.length ? "✗" : "✓"]);
  if (lines.length === 0) failures.push("no figures were written");
  const head = ["run", "area", "faults tried/survived", "sent", "delivered", "errored", "lost", "duplicated", "dup. in window", "fuzzed", "crashes", "leaks", "subs off", "overlaps", "max gap s", "rate", "failed", ""];
  const table = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const text = [
    "Faults, load and hostile input: figures",
    fmt(table[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...table.slice(1).map(fmt),
    ...failures.map((f) => `✗ ${f}`),
  ].join("\n");
  return { text, failures };
}

module.exports = { report };
