// Prints where a V8 .cpuprofile spent its time: self time per function and per file.
// node build/bench/profile-summary.js <file.cpuprofile> [top]
import * as fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(topArg ?? 40);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTime = new Map<string, number>();
const fileTime = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const url = n.callFrame.url.replace(/^.*node_modules\//, "nm/").replace(/^.*\/build\//, "build/");
  const key = `${n.callFrame.functionName || "(anon)"} ${url}:${n.callFrame.lineNumber + 1}`;
  fnTime.set(key, (fnTime.get(key) ?? 0) + t);
  const f = url || n.callFrame.functionName;
  fileTime.set(f, (fileTime.get(f) ?? 0) + t);
}
const show = (m: Map<string, number>, title: string) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
};
show(fnTime, "self time by function");
show(fileTime, "self time by file");

// a third argument: a function name whose callers (three levels up) are listed
const who = process.argv[4];
if (who) {
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName !== who) continue;
    const chain: string[] = [];
    let p = parent.get(id);
    for (let i = 0; i < 12 && p !== undefined; i++) {
      const pn = byId.get(p)!;
      chain.push(`${pn.callFrame.functionName || "(anon)"}@${pn.callFrame.url.replace(/^.*node_modules\//, "").replace(/^.*\/build\//, "")}:${pn.callFrame.lineNumber + 1}`);
      p = parent.get(p);
    }
    const k = chain.join(" < ");
    stacks.set(k, (stacks.get(k) ?? 0) + t);
  }
  console.log(`\ncallers of ${who}`);
  for (const [k, t] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
}

// BENCH_INCLUSIVE=<substring of a file>: total time (self + callees) of each function in such files
const inc = process.env.BENCH_INCLUSIVE;
if (inc) {
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const n = byId.get(p)!;
      if (!n.callFrame.url.includes(inc)) continue;
      const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^.*\/build\//, "")}:${n.callFrame.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + t);
    }
  }
  console.log(`\ninclusive time, functions in files matching ${inc}`);
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
}
