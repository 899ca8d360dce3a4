// What the benchmark cases share: statistics, the machine description, peak RSS of a process,
// child processes that speak JSON lines, and the "hub" function node through which every case
// drives messages into the nodes under test and reads its counts back over HTTP.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FlowNode, NodeRed } from "../test/support/runtime";
import { REPO_ROOT, sleep } from "../test/support/runtime";

export const TOKEN = "bench-token-0000000000000000000000000000";

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** the q-quantile (0..1) of already collected samples, nearest rank */
export function quantile(xs: Float64Array | number[], q: number): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  nodeRed: string;
  os: string;
}

export function machine(pkg = process.env.NR_PKG ?? "node-red"): Machine {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  const nrPkg = JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [REPO_ROOT] }), "utf8")) as { version: string };
  return {
    cpu,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    nodeRed: nrPkg.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB, from /proc/<pid>/status */
export function memoryOf(pid: number): { peakMiB: number; rssMiB: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)\\s*kB`, "m").exec(text)?.[1] ?? NaN);
  return { peakMiB: kb("VmHWM") / 1024, rssMiB: kb("VmRSS") / 1024 };
}

/**
 * Resets the peak (VmHWM) of a process to its current RSS (Linux: "5" into /proc/<pid>/clear_refs),
 * so a peak read later is the peak since now, not Node-RED's start-up peak. False when not possible.
 */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[11] = utime, fields[12] = stime (14th and 15th of the whole line)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// --------------------------------------------------------------------------- child processes

/**
 * A compiled bench script (build/bench/<name>.js) in its own process. It prints one JSON object per
 * line on stdout; the first is its "ready" line. Ends with the bench process.
 */
export class Child {
  private lines: string[] = [];
  private waiters: Array<() => void> = [];
  private stderr = "";
  private exited = false;
  readonly proc: ChildProcess;

  constructor(script: string, args: string[] = [], nodeArgs: string[] = []) {
    this.proc = spawn(process.execPath, [...nodeArgs, path.join(__dirname, script), ...args], { stdio: ["pipe", "pipe", "pipe"] });
    children.add(this.proc);
    let buf = "";
    this.proc.stdout!.on("data", (b: Buffer) => {
      buf += b.toString("utf8");
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        for (const w of this.waiters.splice(0)) w();
      }
    });
    this.proc.stderr!.on("data", (b: Buffer) => (this.stderr += b.toString("utf8")));
    this.proc.once("exit", () => {
      this.exited = true;
      children.delete(this.proc);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** the next JSON line the child prints */
  async next<T = Record<string, unknown>>(timeoutMs = 120_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.exited) throw new Error(`${this.proc.spawnfile} exited: ${this.stderr.slice(-2000)}`);
      if (Date.now() > until) throw new Error(`no answer from child within ${timeoutMs} ms: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
    return JSON.parse(this.lines.shift()!) as T;
  }

  /** one JSON command on stdin, one JSON answer */
  async ask<T = Record<string, unknown>>(cmd: Record<string, unknown>, timeoutMs = 300_000): Promise<T> {
    this.proc.stdin!.write(JSON.stringify(cmd) + "\n");
    const answer = await this.next<T & { error?: string }>(timeoutMs);
    if (answer.error) throw new Error(`child: ${answer.error}`);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.proc.kill("SIGTERM");
    for (let i = 0; i < 50 && !this.exited; i++) await sleep(100);
    if (!this.exited) this.proc.kill("SIGKILL");
  }
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // gone
    }
  }
});

/** reads JSON commands from stdin, one per line, and answers each with one JSON line (for child scripts) */
export function serveCommands(handle: (cmd: Record<string, unknown>) => Promise<unknown>): void {
  let buf = "";
  let chain = Promise.resolve();
  process.stdin.on("data", (b: Buffer) => {
    buf += b.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      chain = chain.then(async () => {
        try {
          const out = await handle(JSON.parse(line) as Record<string, unknown>);
          process.stdout.write(JSON.stringify(out ?? {}) + "\n");
        } catch (err) {
          process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.stack ?? err.message : String(err) }) + "\n");
        }
      });
    }
  });
  process.stdin.on("end", () => process.exit(0));
}

// --------------------------------------------------------------------------- flows

export const TAB = "bench-tab";

export function fn(id: string, name: string, body: string, wires: string[][], extra: Partial<FlowNode> = {}): FlowNode {
  return { id, type: "function", z: TAB, name, func: body, outputs: wires.length, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 0, y: 0, wires, ...extra };
}

/**
 * The hub: `POST /bench/cmd` (JSON) goes into the function node `hub` with msg.topic "cmd"; the
 * function's last output must answer it through an `http response`. Every other message that
 * reaches the hub is an end (from a unit's output or a catch node). Returns the core nodes around
 * the hub (http in, http response, the tab).
 */
export function hubFrame(hubId: string): FlowNode[] {
  return [
    { id: TAB, type: "tab", label: "bench", disabled: false, info: "" },
    { id: "bench-cmd-in", type: "http in", z: TAB, name: "bench: commands", url: "/bench/cmd", method: "post", upload: false, swaggerDoc: "", x: 0, y: 0, wires: [["bench-cmd-topic"]] },
    { id: "bench-cmd-topic", type: "change", z: TAB, name: "", rules: [{ t: "set", p: "topic", pt: "msg", to: "cmd", tot: "str" }], x: 0, y: 0, wires: [[hubId]] },
    { id: "bench-cmd-out", type: "http response", z: TAB, name: "", statusCode: "", headers: {}, x: 0, y: 0, wires: [] },
  ];
}

/** sends a command to the hub and returns its answer */
export async function cmd<T = Record<string, unknown>>(nr: NodeRed, body: Record<string, unknown>): Promise<T> {
  const r = await nr.request("POST", `${nr.nodeUrl}/bench/cmd`, body);
  if (r.status !== 200) throw new Error(`POST /bench/cmd ${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 300)}`);
  return r.json<T>();
}

/** waits until the hub answers (http in routes 404 until their nodes have started) */
export async function hubReady(nr: NodeRed): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await nr.request("POST", `${nr.nodeUrl}/bench/cmd`, { op: "ping" }).catch(() => undefined);
    if (r?.status === 200) return;
    if (Date.now() > until) throw new Error(`the bench hub never answered: ${r?.status} ${r?.text.slice(0, 200)}\n${nr.log.slice(-3000)}`);
    await sleep(100);
  }
}

export function qualtricsConfig(id: string, baseUrl: string, over: Partial<FlowNode> = {}): FlowNode {
  return { id, type: "qualtrics-config", name: "bench", dataCenter: "iad1", baseUrl, timeout: 30, retries: 4, rateLimit: 3000, maxConcurrent: 10, ...over };
}

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Start options for Node-RED: with BENCH_CPU_PROF=<dir> in the environment, Node-RED runs with
 * --cpu-prof and writes a .cpuprofile there when it stops (for finding where the time goes;
 * `node build/bench/profile-summary.js <file>` prints the heaviest functions).
 */
export function nodeRedStart(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return { logLevel: "warn", ...extra };
  fs.mkdirSync(dir, { recursive: true });
  const wrapper = path.join(os.tmpdir(), `nrq-bench-prof-${process.pid}.sh`);
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" --cpu-prof --cpu-prof-dir="${path.resolve(dir)}" "$@"\n`, { mode: 0o755 });
  return { logLevel: "warn", node: wrapper, ...extra };
}
