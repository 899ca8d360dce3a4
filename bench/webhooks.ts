// Case 4, webhooks: events/s and acknowledgement latency of `qualtrics-response-in` against a core
// `http in` → `http response` flow in the same Node-RED, under the same concurrent load.
//
// The load generator (its own process, undici, CONCURRENCY requests in flight) POSTs Qualtrics'
// completed-response event as Qualtrics sends it (form fields Topic and MSG, §6.3), each with its
// own ResponseID, and times each answer. Both routes send every event on to the same counting
// function node, so the events that reached the flow are counted too. The two run in turns.
// qualtrics-response-in answers only once the event is in its delivery journal in the user
// directory (appended and fdatasync'd, one flush per batch of concurrent deliveries): the figure
// is webhook ingestion with the journal on.
import * as fs from "node:fs";
import * as path from "node:path";
import { sleep, startNodeRed } from "../test/support/runtime";
import { Child, cmd, cpuSecondsOf, fmt, fn, hubFrame, hubReady, log, median, nodeRedStart } from "./lib";
import type { CaseResult, Row, Target } from "./report";

export const CONCURRENCY = 32;
const SURVEY = "SV_benchBenchBench";

const HUB = `
let s = context.get("s");
if (!s) { s = { count: 0 }; context.set("s", s); }
if (msg.topic === "cmd") {
  msg.payload = { count: s.count, now: Date.now() };
  node.send([msg]);
  return null;
}
s.count++;
return null;`;

interface LoadResult {
  count: number;
  seconds: number;
  errors: number;
  p50: number;
  p99: number;
  lastStatus?: number;
}

export async function runWebhooks(runs: number, warmMs = 2000, measureMs = 6000): Promise<CaseResult> {
  const load = new Child("webhook-load.js");
  await load.next();
  const nr = await startNodeRed(nodeRedStart());
  const res: Record<string, { rate: number[]; p50: number[]; p99: number[]; emitted: number[]; cpu: number[] }> = {
    qualtrics: { rate: [], p50: [], p99: [], emitted: [], cpu: [] },
    core: { rate: [], p50: [], p99: [], emitted: [], cpu: [] },
  };
  const notes: string[] = [];
  try {
    await nr.deploy([
      ...hubFrame("hub"),
      fn("hub", "bench: count events", HUB, [["bench-cmd-out"]]),
      {
        id: "unit-qualtrics", type: "qualtrics-response-in", z: "bench-tab", name: "", surveyId: SURVEY, topic: "", path: "/qualtrics/responses",
        autoRegister: false, publicBaseUrl: "", fetchResponse: false, dedupeSeconds: 600, maxBodyKb: 256, x: 0, y: 0, wires: [["hub"]],
      },
      { id: "core-in", type: "http in", z: "bench-tab", name: "", url: "/core/responses", method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["core-out", "hub"]] },
      { id: "core-out", type: "http response", z: "bench-tab", name: "", statusCode: "200", headers: {}, x: 0, y: 0, wires: [] },
    ]);
    await hubReady(nr);
    const paths: Record<string, string> = { qualtrics: "/qualtrics/responses", core: "/core/responses" };
    // untimed warm-up of both routes
    for (const key of Object.keys(paths)) await load.ask({ op: "run", origin: `http://127.0.0.1:${nr.port}`, path: paths[key], survey: SURVEY, concurrency: CONCURRENCY, warmMs: 300, measureMs: 700 });
    for (let run = 1; run <= runs; run++) {
      const order = run % 2 ? ["qualtrics", "core"] : ["core", "qualtrics"];
      for (const key of order) {
        const before = await cmd<{ count: number }>(nr, { op: "stats" });
        const c0 = cpuSecondsOf(nr.pid!);
        const r = await load.ask<LoadResult & { sent: number }>({ op: "run", origin: `http://127.0.0.1:${nr.port}`, path: paths[key], survey: SURVEY, concurrency: CONCURRENCY, warmMs, measureMs });
        const cpu = (cpuSecondsOf(nr.pid!) - c0) / ((warmMs + measureMs) / 1000);
        await sleep(300);
        const after = await cmd<{ count: number }>(nr, { op: "stats" });
        const emitted = after.count - before.count;
        res[key].rate.push(r.count / r.seconds);
        res[key].p50.push(r.p50);
        res[key].p99.push(r.p99);
        res[key].emitted.push(emitted / r.sent);
        res[key].cpu.push(cpu * 100);
        if (r.errors) notes.push(`${key} run ${run}: ${r.errors} requests failed (last status ${r.lastStatus})`);
        log(`webhooks run ${run}: ${key} ${fmt(r.count / r.seconds)} events/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ${fmt(emitted)} of ${fmt(r.sent)} acknowledged events reached the flow, Node-RED CPU ${fmt(cpu * 100)} %`);
      }
    }
    // the journal was written where a user's would be, not kept in memory
    const dir = path.join(nr.userDir, "qualtrics-journal");
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const bytes = files.reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    notes.push(`delivery journal on: ${files.length} file(s) in the user directory, ${fmt(bytes / 1024)} KB at the end (compacted as it grows).`);
    if (!files.length) notes.push("NO JOURNAL FILE WAS WRITTEN: the figure is not the journal's.");
  } finally {
    await nr.dispose();
    await load.stop();
  }
  const q = res.qualtrics;
  const c = res.core;
  const rows: Row[] = [
    { label: "qualtrics-response-in", unit: "events/s", values: q.rate },
    { label: "core http in → http response", unit: "events/s", values: c.rate },
    { label: "qualtrics-response-in p50 acknowledgement", unit: "ms", values: q.p50, digits: 2 },
    { label: "core http in p50 acknowledgement", unit: "ms", values: c.p50, digits: 2 },
    { label: "qualtrics-response-in p99 acknowledgement", unit: "ms", values: q.p99, digits: 2 },
    { label: "core http in p99 acknowledgement", unit: "ms", values: c.p99, digits: 2 },
    { label: "qualtrics-response-in: events in the flow / acknowledged", unit: "ratio", values: q.emitted, digits: 3 },
    { label: "core http in: events in the flow / acknowledged", unit: "ratio", values: c.emitted, digits: 3 },
    { label: "CPU of Node-RED with qualtrics-response-in", unit: "% of a core", values: q.cpu },
    { label: "CPU of Node-RED with core http in", unit: "% of a core", values: c.cpu },
  ];
  const ratio = median(q.rate) / median(c.rate);
  const targets: Target[] = [{ name: "qualtrics-response-in / core http in (events/s)", value: ratio, goal: ">= 0.8", pass: ratio >= 0.8 }];
  notes.unshift(`p50 / p99 latency ratio (qualtrics / core): ${fmt(median(q.p50) / median(c.p50), 2)} / ${fmt(median(q.p99) / median(c.p99), 2)}.`);
  return {
    name: "webhooks",
    title: "4. Webhooks: completed-response events, same load (delivery journal on)",
    method: `${CONCURRENCY} POSTs in flight from a load generator in its own process (undici), Qualtrics' form body (Topic, MSG) with a new ResponseID each; no shared key (the core flow checks none either); qualtrics-response-in answers after its journal's flush to disk (group commit); ${fmt(warmMs / 1000)} s warm-up then ${fmt(measureMs / 1000)} s measured per route and run; latency = POST sent to answer read, at the load generator.`,
    rows,
    targets,
    notes,
  };
}
