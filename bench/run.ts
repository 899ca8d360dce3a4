// `npm run bench [-- overhead ratelimit memory webhooks webhooks-redis] [--runs N]`: runs the cases (all by
// default), prints one Markdown table per case with every run, the medians and the targets, and
// writes the same to build/bench/results.md and results.json. Numbers come from this run only.
import * as path from "node:path";
import * as fs from "node:fs";
import { fmt, log, machine, writeJson } from "./lib";
import { CaseResult, renderCase } from "./report";
import { runOverhead } from "./overhead";
import { runRateLimit } from "./ratelimit";
import { runMemory } from "./memory";
import { runWebhooks } from "./webhooks";
import { runWebhooksRedis } from "./webhooks-redis";
import { runInvites } from "./invites";

const CASES: Record<string, (runs?: number) => Promise<CaseResult>> = {
  overhead: (runs) => runOverhead(runs ?? 5),
  ratelimit: (runs) => runRateLimit(runs ?? 3),
  memory: (runs) => runMemory(runs ?? 3),
  webhooks: (runs) => runWebhooks(runs ?? 5),
  "webhooks-redis": (runs) => runWebhooksRedis(runs ?? 3),
  invites: (runs) => runInvites(runs ?? 3),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let runs: number | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--runs") runs = Number(args[++i]);
    else if (a.startsWith("--runs=")) runs = Number(a.slice(7));
    else if (a in CASES) names.push(a);
    else {
      process.stderr.write(`unknown argument ${a}\nusage: npm run bench [-- ${Object.keys(CASES).join(" ")}] [--runs N]\n`);
      process.exit(2);
    }
  }
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new Error("--runs needs a whole number from 1");
  const chosen = names.length ? names : Object.keys(CASES);
  const m = machine();
  const started = Date.now();
  const results: CaseResult[] = [];
  for (const name of chosen) {
    log(`case ${name}`);
    const t0 = Date.now();
    const r = await CASES[name](runs);
    results.push(r);
    log(`case ${name} took ${fmt((Date.now() - t0) / 1000)} s`);
    process.stdout.write("\n" + renderCase(r) + "\n");
  }
  const header = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}; Node ${m.node}; Node-RED ${m.nodeRed}.`,
    `Command: npm run bench${chosen.length < Object.keys(CASES).length ? ` -- ${chosen.join(" ")}` : ""}${runs ? ` --runs ${runs}` : ""}; ${fmt((Date.now() - started) / 1000)} s in all, ${new Date().toISOString()}.`,
  ];
  const summary = ["| target | measured | goal | result |", "|---|---:|---|---|"];
  for (const r of results) for (const t of r.targets) summary.push(`| ${r.name}: ${t.name} | ${fmt(t.value, t.digits ?? 2)} | ${t.goal} | ${t.pass ? "PASS" : "**MISS**"} |`);
  const text = [...header, "", ...summary, "", ...results.map(renderCase)].join("\n");
  process.stdout.write("\n" + header.join("\n") + "\n\n" + summary.join("\n") + "\n");
  const out = path.join(__dirname, "results");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "results.md"), text + "\n");
  writeJson(path.join(out, "results.json"), { machine: m, cases: results });
  log(`written to ${path.relative(process.cwd(), out)}/results.md and results.json`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
