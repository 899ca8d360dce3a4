// Case 1, overhead: messages/s through `qualtrics-contact` get against the core `http request`
// node making the same call in the same Node-RED, and against a raw undici loop, all at the same
// concurrency, all against the fixed-response server (its own process).
//
// Driving: the hub function keeps exactly CONCURRENCY messages in flight through one unit at a
// time: each message that leaves the unit (output or catch) comes back to the hub, which sends the
// next. Counting happens in the hub; the bench reads the count over HTTP before and after the
// measuring window, so nothing per message crosses the process boundary. The hub's own work is
// the same for every unit; the "function echo" unit (a function node that hands the message back
// on the next turn of the event loop) measures what that driving plus Node-RED's routing cost alone.
import { NodeRed, sleep, startNodeRed } from "../test/support/runtime";
import { Child, TOKEN, nodeRedStart, cmd, cpuSecondsOf, fmt, hubFrame, hubReady, log, median, qualtricsConfig, fn } from "./lib";
import type { CaseResult, Row, Target } from "./report";

export const CONCURRENCY = 16;
const DIRECTORY = "POOL_benchBenchBench";
const CONTACT = "CID_benchBenchBench";

interface Unit {
  key: string;
  label: string;
}

const UNITS: Unit[] = [
  { key: "qualtrics", label: "qualtrics-contact get" },
  { key: "core", label: "core http request" },
  { key: "echo", label: "function echo (Node-RED floor)" },
];

function flows(origin: string): ReturnType<typeof hubFrame> {
  const n = UNITS.length;
  const hub = fn("hub", "bench: overhead hub", `
let s = context.get("s");
if (!s) { s = { unit: -1, running: false, done: 0, errors: 0, inflight: 0 }; context.set("s", s); }
const out = (i, m) => { const a = new Array(${n + 1}).fill(null); a[i] = m; node.send(a); };
const next = () => ({ topic: "req", contactId: ${JSON.stringify(CONTACT)}, payload: "" });
if (msg.topic === "cmd") {
  const c = msg.payload || {};
  if (c.op === "start") {
    s.unit = c.unit; s.running = true; s.done = 0; s.errors = 0; s.lastError = undefined;
    for (let i = 0; i < c.concurrency; i++) { s.inflight++; out(s.unit, next()); }
  } else if (c.op === "stop") s.running = false;
  msg.payload = { done: s.done, errors: s.errors, inflight: s.inflight, lastError: s.lastError, now: Date.now() };
  out(${n}, msg);
  return null;
}
s.inflight--;
if (msg.error) { s.errors++; s.lastError = msg.error.message; } else s.done++;
if (s.running) { s.inflight++; out(s.unit, next()); }
return null;`, [...UNITS.map((u) => [`unit-${u.key}`]), ["bench-cmd-out"]]);
  const url = `${origin}/API/v3/directories/${DIRECTORY}/contacts/`;
  return [
    ...hubFrame("hub"),
    hub,
    // rateLimit and maxConcurrent at their dialog maximums: the limiter must not be what is measured
    qualtricsConfig("cfg", `${origin}/API/v3`, { rateLimit: 1_000_000, maxConcurrent: 100 }),
    {
      id: "unit-qualtrics", type: "qualtrics-contact", z: "bench-tab", name: "", qualtrics: "cfg", operation: "get",
      directoryId: DIRECTORY, directoryIdType: "str", contactId: "contactId", contactIdType: "msg", x: 0, y: 0, wires: [["hub"]],
    },
    {
      // what a user builds: the URL with the contact ID from the message, the token header, a parsed JSON answer
      id: "unit-core", type: "http request", z: "bench-tab", name: "", method: "GET", ret: "obj", paytoqs: "ignore",
      url: `${url}{{{contactId}}}`, tls: "", persist: true, proxy: "", insecureHTTPParser: false, authType: "", senderr: false,
      headers: [{ keyType: "other", keyValue: "X-API-TOKEN", valueType: "other", valueValue: TOKEN }, { keyType: "Accept", keyValue: "", valueType: "application/json", valueValue: "" }],
      x: 0, y: 0, wires: [["hub"]],
    },
    fn("unit-echo", "bench: echo", "Promise.resolve().then(() => node.send(msg));\nreturn null;", [["hub"]]),
    { id: "catch", type: "catch", z: "bench-tab", name: "", scope: UNITS.filter((u) => u.key !== "echo").map((u) => `unit-${u.key}`), uncaught: false, x: 0, y: 0, wires: [["hub"]] },
  ];
}

interface Stats {
  done: number;
  errors: number;
  inflight: number;
  lastError?: string;
  now: number;
}

async function measureUnit(nr: NodeRed, server: Child, unit: number, warmMs: number, measureMs: number): Promise<{ rate: number; cpu: number; serverCpu: number; errors: number; lastError?: string }> {
  await cmd(nr, { op: "start", unit, concurrency: CONCURRENCY });
  await sleep(warmMs);
  const a = await cmd<Stats>(nr, { op: "stats" });
  const cpu0 = cpuSecondsOf(nr.pid!);
  const s0 = cpuSecondsOf(server.pid);
  await sleep(measureMs);
  const b = await cmd<Stats>(nr, { op: "stats" });
  const cpu1 = cpuSecondsOf(nr.pid!);
  const s1 = cpuSecondsOf(server.pid);
  await cmd(nr, { op: "stop" });
  // let what is in flight come back before the next unit starts
  for (let i = 0; i < 100; i++) {
    const s = await cmd<Stats>(nr, { op: "stats" });
    if (s.inflight === 0) break;
    await sleep(100);
  }
  const seconds = (b.now - a.now) / 1000;
  return { rate: (b.done - a.done) / seconds, cpu: (cpu1 - cpu0) / seconds, serverCpu: (s1 - s0) / seconds, errors: b.errors, lastError: b.lastError };
}

export async function runOverhead(runs: number, warmMs = 2000, measureMs = 6000): Promise<CaseResult> {
  const server = new Child("fixed-server.js");
  const { port } = await server.next<{ port: number }>();
  const origin = `http://127.0.0.1:${port}`;
  const loop = new Child("undici-loop.js");
  await loop.next();
  const nr = await startNodeRed(nodeRedStart());
  const rates: Record<string, number[]> = { qualtrics: [], core: [], echo: [], undici: [] };
  const cpus: Record<string, number[]> = { qualtrics: [], core: [], echo: [], undici: [] };
  const serverCpus: Record<string, number[]> = { qualtrics: [], core: [], echo: [], undici: [] };
  const problems: string[] = [];
  try {
    await nr.deploy(flows(origin), { cfg: { apiToken: TOKEN } });
    await hubReady(nr);
    // one untimed pass so every unit has its connections and JIT-compiled code
    for (let u = 0; u < UNITS.length; u++) await measureUnit(nr, server, u, 300, 700);
    for (let run = 1; run <= runs; run++) {
      // the order rotates, so no unit always runs right after the same other one
      const order = UNITS.map((_, i) => (i + run) % UNITS.length);
      for (const u of order) {
        // BENCH_ONLY=qualtrics (or core, echo): measure one unit, e.g. while profiling
        if (process.env.BENCH_ONLY && process.env.BENCH_ONLY !== UNITS[u].key) continue;
        const m = await measureUnit(nr, server, u, warmMs, measureMs);
        const key = UNITS[u].key;
        rates[key].push(m.rate);
        cpus[key].push(m.cpu);
        serverCpus[key].push(m.serverCpu);
        if (m.errors) problems.push(`${UNITS[u].label}: ${m.errors} errors (${m.lastError})`);
        log(`overhead run ${run}: ${UNITS[u].label} ${fmt(m.rate)} msg/s (Node-RED CPU ${fmt(m.cpu * 100)} %, server CPU ${fmt(m.serverCpu * 100)} %)`);
      }
      if (process.env.BENCH_ONLY) continue;
      const c0 = cpuSecondsOf(loop.pid);
      const s0 = cpuSecondsOf(server.pid);
      const r = await loop.ask<{ count: number; seconds: number; errors: number }>({ op: "run", origin, path: `/API/v3/directories/${DIRECTORY}/contacts/${CONTACT}`, concurrency: CONCURRENCY, warmMs, measureMs });
      const loopCpu = (cpuSecondsOf(loop.pid) - c0) / ((warmMs + measureMs) / 1000);
      const serverCpu = (cpuSecondsOf(server.pid) - s0) / ((warmMs + measureMs) / 1000);
      rates.undici.push(r.count / r.seconds);
      cpus.undici.push(loopCpu);
      serverCpus.undici.push(serverCpu);
      if (r.errors) problems.push(`raw undici: ${r.errors} errors`);
      log(`overhead run ${run}: raw undici loop ${fmt(r.count / r.seconds)} req/s (loop CPU ${fmt(loopCpu * 100)} %, server CPU ${fmt(serverCpu * 100)} %)`);
    }
  } finally {
    await nr.dispose();
    await loop.stop();
    await server.stop();
  }
  const rows: Row[] = [
    { label: "qualtrics-contact get", unit: "msg/s", values: rates.qualtrics },
    { label: "core http request (same call)", unit: "msg/s", values: rates.core },
    { label: "raw undici loop, own process", unit: "req/s", values: rates.undici },
    { label: "function echo, no HTTP (Node-RED floor)", unit: "msg/s", values: rates.echo },
    { label: "CPU of Node-RED with qualtrics-contact", unit: "% of a core", values: cpus.qualtrics.map((c) => c * 100) },
    { label: "CPU of Node-RED with core http request", unit: "% of a core", values: cpus.core.map((c) => c * 100) },
    { label: "CPU of the undici loop process", unit: "% of a core", values: cpus.undici.map((c) => c * 100) },
    { label: "CPU of the fixed server during the undici loop", unit: "% of a core", values: serverCpus.undici.map((c) => c * 100) },
  ];
  const q = median(rates.qualtrics);
  const vsCore = q / median(rates.core);
  const vsUndici = q / median(rates.undici);
  const targets: Target[] = [
    { name: "qualtrics-contact / core http request", value: vsCore, goal: ">= 4", pass: vsCore >= 4 },
    { name: "qualtrics-contact / raw undici", value: vsUndici, goal: ">= 0.6", pass: vsUndici >= 0.6 },
  ];
  // per CPU-second of the process doing the work: less sensitive to other load on the machine
  const perCpu = (key: string) => median(rates[key].map((r, i) => r / cpus[key][i]));
  const echoCost = 1 / perCpu("echo");
  const undiciCost = 1 / perCpu("undici");
  // a message that costs Node-RED's routing (echo) plus an undici request and nothing else
  const bound = 1 / (echoCost + undiciCost);
  rows.push(
    { label: "qualtrics-contact per CPU-second", unit: "msg", values: rates.qualtrics.map((r, i) => r / cpus.qualtrics[i]) },
    { label: "core http request per CPU-second", unit: "msg", values: rates.core.map((r, i) => r / cpus.core[i]) },
    { label: "raw undici loop per CPU-second", unit: "req", values: rates.undici.map((r, i) => r / cpus.undici[i]) },
    { label: "function echo per CPU-second", unit: "msg", values: rates.echo.map((r, i) => r / cpus.echo[i]) },
  );
  const notes = [
    `Per CPU-second the ratios are ${fmt(perCpu("qualtrics") / perCpu("core"), 2)} (vs core http request) and ${fmt(perCpu("qualtrics") / perCpu("undici"), 2)} (vs raw undici).`,
    `What Node-RED itself costs: the function echo unit (hub → function → hub, no HTTP) costs ${fmt(echoCost * 1e6)} µs of CPU per message, an undici request in the raw loop ${fmt(undiciCost * 1e6)} µs, qualtrics-contact ${fmt((1 / perCpu("qualtrics")) * 1e6)} µs, core http request ${fmt((1 / perCpu("core")) * 1e6)} µs. A node that added nothing to Node-RED's routing and an undici request would reach ${fmt(bound)} msg per CPU-second, ${fmt(bound / perCpu("undici"), 2)} of the raw loop.`,
    ...problems,
  ];
  return {
    name: "overhead",
    title: "1. Overhead: contact get, same runtime, same concurrency",
    method: `${CONCURRENCY} messages in flight, kept by a function node (each finished message triggers the next); fixed-response server in its own process; ${fmt(warmMs / 1000)} s warm-up then ${fmt(measureMs / 1000)} s measured per unit and run; config node rateLimit 1,000,000/min and maxConcurrent 100 (dialog maximums), so the limiter is not what is measured.`,
    rows,
    targets,
    notes,
  };
}
